"""Labelled data sets of WDF triggers for supernova-vs-glitch classification (Iess et al. 2020, 2023).

Every sample is made the way the papers made theirs: simulated design-curve
noise of one detector, one signal injected at a random sky position and
optimal SNR, the Wavelet Detection Filter run over it, and the loudest event
that overlaps the signal taken as the trigger. Around the trigger's peak time
the sample keeps the whitened time series (for 1D networks and LSTMs) and a
fixed-size time–frequency image (for 2D networks). A noise class is made of
the loudest WDF event in noise alone.

Data sets are cached with :class:`mmlab.core.cache.CachedDataset` (compressed
arrays beside a JSON manifest with the configuration, package versions and
SHA-256 of the arrays); the same configuration and seed rebuild the same bytes.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from tqdm.auto import tqdm

from mmlab.core.cache import CachedDataset
from mmlab.core.strain import Strain
from mmlab.core.validation import check_positive
from mmlab.gw.detectors import DESIGN_PSD_OF, detector_names, random_sky
from mmlab.gw.inject import add_signal, detector_signal, network_snr, optimal_snr
from mmlab.gw.noise import colored_noise
from mmlab.gw.timefreq import spectrogram_image
from mmlab.signals import CCSN_FAMILIES, ccsn_3d_waveform, ccsn_family_waveform, random_glitch
from mmlab.wdf.filter import WaveletDetectionFilter
from mmlab.wdf.triggers import cluster_triggers

__all__ = [
    "ALL_CLASSES", "CCSN_CLASSES", "SIGNAL_CLASSES", "Dataset", "DatasetConfig", "build_dataset", "check_classes",
    "load_dataset", "read_dataset", "save_dataset",
]

#: Signal classes a data set can hold; ``ccsn_3d`` needs the 3D-simulation files.
SIGNAL_CLASSES = (*(f"ccsn_{family}" for family in CCSN_FAMILIES), "ccsn_3d", "sine_gaussian", "scattered_light", "blip")

#: Every class name, the noise class first.
ALL_CLASSES = ("noise", *SIGNAL_CLASSES)

#: Classes that count as "CCSN" in the binary task.
CCSN_CLASSES = tuple(name for name in SIGNAL_CLASSES if name.startswith("ccsn_"))

#: A class fails after this many attempts per sample wanted (missed injections are redrawn).
MAX_ATTEMPTS_PER_SAMPLE = 20

#: Arrays stored for every sample.
_ARRAYS = ("timeseries", "images", "labels", "snr", "trigger_snr", "source", "subset")


def check_classes(classes) -> tuple[str, ...]:
    """Return ``classes`` as a tuple if every name is known and none repeats, else raise listing the known ones."""
    classes = tuple(classes)
    unknown = [name for name in classes if name not in ALL_CLASSES]
    if unknown:
        raise ValueError(f"unknown class names {unknown}; known classes are {list(ALL_CLASSES)}")
    if len(set(classes)) != len(classes) or len(classes) < 2:
        raise ValueError(f"give at least two distinct classes, got {list(classes)}")
    return classes


@dataclass(frozen=True)
class DatasetConfig:
    """Everything that determines a data set (and so its cache key).

    Parameters
    ----------
    detectors : tuple of str
        Detector prefixes, or a network name (``"ET"``); each one's design
        curve colours its noise (``"V1"``: AdV, ``"E1"``: one Einstein
        Telescope interferometer). With several, every sample is one source
        seen by all of them, kept when the first detector has a WDF trigger
        on it, and every detector is cut around that trigger's peak (channels
        in this order; the others' WDF SNRs near it are recorded, 0 if none).
        A glitch is a disturbance of one instrument: only the first detector
        sees it, the others hold noise.
    classes : tuple of str
        Class names from :data:`ALL_CLASSES`.
    n_per_class : int
        Samples per class.
    snr_range : tuple of float
        Optimal SNRs are drawn uniformly in this range; with n detectors the
        network SNR of an astrophysical source is drawn in ``snr_range × √n``
        (each detector sees the range on average).
    segment : int
        Samples of whitened time series kept around each trigger.
    image_shape : tuple of int
        ``(frequencies, times)`` of the time–frequency image.
    noise_seconds : float
        Length of the noise stretch simulated per sample.
    wdf_threshold : float
        WDF trigger threshold (low, so that noise-class triggers exist).
    sample_rate : float
        Samples per second, in Hz.
    split : tuple of float
        Train, validation and test fractions (stratified by class).
    seed : int
        Drives everything.
    ccsn_3d_models : tuple of str
        3D-simulation models (names from :func:`mmlab.io.find_ccsn_3d_files`,
        ``"9a_x"``: progenitor 9a seen along x) the ``ccsn_3d`` class draws
        from, uniformly; empty: every one found when the configuration is made
        (so the cache key names them).
    """

    detectors: tuple = ("V1",)
    classes: tuple = ALL_CLASSES
    n_per_class: int = 100
    snr_range: tuple = (8.0, 40.0)
    segment: int = 2048
    image_shape: tuple = (64, 64)
    noise_seconds: float = 6.0
    wdf_threshold: float = 4.0
    sample_rate: float = 4096.0
    split: tuple = (0.7, 0.15, 0.15)
    seed: int = 0
    ccsn_3d_models: tuple = ()

    def __post_init__(self):
        object.__setattr__(self, "classes", check_classes(self.classes))
        if self.ccsn_3d_models and "ccsn_3d" not in self.classes:
            raise ValueError(f"ccsn_3d_models {tuple(self.ccsn_3d_models)!r} given, but the classes {self.classes!r} "
                             "have no 'ccsn_3d' to draw them for; add the class or leave the models out")
        if "ccsn_3d" in self.classes and not self.ccsn_3d_models:
            from mmlab.io.ccsn3d import find_ccsn_3d_files

            object.__setattr__(self, "ccsn_3d_models", tuple(sorted(find_ccsn_3d_files())))
        object.__setattr__(self, "detectors", detector_names(self.detectors))
        if int(self.n_per_class) != self.n_per_class or self.n_per_class < 3:
            raise ValueError(f"n_per_class must be an integer of at least 3, got {self.n_per_class!r}")
        low, high = self.snr_range
        if not 0 < check_positive("snr_range[0]", low) <= check_positive("snr_range[1]", high):
            raise ValueError(f"snr_range must be (low, high) with 0 < low <= high, got {self.snr_range!r}")
        if int(self.segment) != self.segment or self.segment < 64:
            raise ValueError(f"segment must be an integer number of samples >= 64, got {self.segment!r}")
        shape = tuple(self.image_shape)
        if len(shape) != 2 or any(isinstance(n, bool) or int(n) != n or n < 8 for n in shape):
            raise ValueError(f"image_shape must be two integers of at least 8 pixels, got {self.image_shape!r}")
        for name in ("noise_seconds", "wdf_threshold", "sample_rate"):
            check_positive(name, getattr(self, name))
        if isinstance(self.seed, bool) or int(self.seed) != self.seed or not 0 <= self.seed < 2**32:
            raise ValueError(f"seed must be an integer in [0, 2**32), got {self.seed!r}")
        if len(self.split) != 3 or abs(sum(self.split) - 1) > 1e-9 or min(self.split) <= 0:
            raise ValueError(f"split must be three positive fractions summing to 1, got {self.split!r}")
        for name in ("classes", "snr_range", "image_shape", "split", "ccsn_3d_models"):
            object.__setattr__(self, name, tuple(getattr(self, name)))


@dataclass(frozen=True, eq=False)
class Dataset(CachedDataset):
    """Samples of a :class:`DatasetConfig`, with labels and what was injected.

    Attributes
    ----------
    config : DatasetConfig
    timeseries : numpy.ndarray
        ``(n, segment, detectors)`` float32 whitened strain (units of σ) centred on each trigger.
    images : numpy.ndarray
        ``(n, frequencies, times, detectors)`` float32 normalised spectrogram images.
    labels : numpy.ndarray
        Class index into ``config.classes``.
    snr : numpy.ndarray
        Injected optimal (network) SNR (0 for the noise class).
    trigger_snr : numpy.ndarray
        ``(n, detectors)`` WDF SNR of each detector's trigger.
    source : numpy.ndarray
        For ``ccsn_3d`` samples the index of their model in ``config.ccsn_3d_models``, -1 for the others.
    subset : numpy.ndarray
        0 train, 1 validation, 2 test.
    """

    config: DatasetConfig
    timeseries: np.ndarray
    images: np.ndarray
    labels: np.ndarray
    snr: np.ndarray
    trigger_snr: np.ndarray
    source: np.ndarray
    subset: np.ndarray

    kind: ClassVar[str] = "ccsn"
    format_version: ClassVar[int] = 4
    packages: ClassVar[tuple[str, ...]] = ("numpy", "scipy", "pywt", "lal")

    @classmethod
    def file_stem(cls, config: DatasetConfig) -> str:
        """``ccsn-<detectors>-<key>``."""
        return f"{cls.kind}-{''.join(config.detectors)}-{cls.key(config)}"

    @classmethod
    def build(cls, config: DatasetConfig, progress: bool = True) -> Dataset:
        """Simulate the samples of ``config`` (see :func:`build_dataset`)."""
        return build_dataset(config, progress)

    def to_arrays(self) -> dict[str, np.ndarray]:
        """The stored arrays."""
        return {name: getattr(self, name) for name in _ARRAYS}

    @classmethod
    def from_arrays(cls, config: DatasetConfig, arrays: dict[str, np.ndarray]) -> Dataset:
        """The data set from stored arrays."""
        return cls(config=config, **{name: arrays[name] for name in _ARRAYS})

    def part_arrays(self) -> dict[str, np.ndarray]:
        """The stored arrays and ``is_ccsn``, selected together by :meth:`part`."""
        return {**super().part_arrays(), "is_ccsn": self.is_ccsn}

    @property
    def class_names(self) -> tuple[str, ...]:
        """Names of the classes, in label order."""
        return self.config.classes

    @property
    def is_ccsn(self) -> np.ndarray:
        """Binary labels: 1 for supernova classes, 0 for glitches and noise."""
        return np.isin(np.asarray(self.class_names)[self.labels], CCSN_CLASSES).astype(np.int64)

    @property
    def ccsn_3d_model(self) -> np.ndarray:
        """The 3D-simulation model of each sample (``"9a_x"``), ``""`` for samples of other classes."""
        names = np.array([*self.config.ccsn_3d_models, ""])
        return names[np.where(self.source >= 0, self.source, len(names) - 1)]

    @property
    def progenitor(self) -> np.ndarray:
        """The 3D progenitor of each sample (``"9a"``: the model name without its viewing axis), ``""`` if none.

        The unit a generalisation test leaves out: the views of one progenitor share its physics.
        """
        return np.array([name.rsplit("_", 1)[0] for name in self.ccsn_3d_model])

    @property
    def ccsn_classes(self) -> np.ndarray:
        """Which classes are supernovae (the positive classes of :func:`mmlab.ml.evaluation.evaluate`)."""
        return np.isin(np.asarray(self.class_names), CCSN_CLASSES)


def _waveform_maker(name: str, config: DatasetConfig):
    """``make(rng) -> (Waveform, source)`` for a signal class; ``source`` indexes ``config.ccsn_3d_models`` or is -1."""
    fs = config.sample_rate
    if name.startswith("ccsn_") and name != "ccsn_3d":
        family = name.removeprefix("ccsn_")
        return lambda rng: (ccsn_family_waveform(family, sample_rate=fs, seed=rng), -1)
    if name == "ccsn_3d":
        if not config.ccsn_3d_models:
            raise FileNotFoundError(
                "class 'ccsn_3d' needs 3D supernova waveform files: put <model>_strains_<axis>.txt in "
                "<data_dir>/ccsn_3d or set MMLAB_DATA_MIRROR, or leave the class out"
            )
        loaded = [ccsn_3d_waveform(model, sample_rate=fs) for model in config.ccsn_3d_models]

        def make(rng):
            source = int(rng.integers(len(loaded)))
            return loaded[source], source

        return make
    return lambda rng: (random_glitch(name, sample_rate=fs, seed=rng), -1)


def _one_sample(filters: dict, config: DatasetConfig, make, rng: np.random.Generator) -> tuple | None:
    """One (time series, image, injected SNR, trigger SNRs, source), or None if the first detector has no usable
    trigger."""
    fs = config.sample_rate
    startup = max(wdf.startup_samples for wdf in filters.values())
    lead = (startup + config.segment) / fs
    centre = float(rng.uniform(lead + 0.5, config.noise_seconds - config.segment / fs - 0.5))
    data = {name: colored_noise(DESIGN_PSD_OF[name], config.noise_seconds, fs, seed=rng, t0=0.0, detector=name)
            for name in config.detectors}
    snr, spans, source = 0.0, {}, -1
    if make is not None:
        waveform, source = make(rng)
        sky = {}
        if waveform.is_polarised:
            ra, dec, psi = (float(v[0]) for v in random_sky(1, rng))
            sky = {"ra": ra, "dec": dec, "psi": psi}
        # A glitch (no cross polarisation, no sky position) is local to the first detector.
        seen_by = config.detectors if waveform.is_polarised else config.detectors[:1]
        # With several detectors the network SNR scales with sqrt(n): each detector sees snr_range on average.
        snr = float(rng.uniform(*config.snr_range)) * np.sqrt(len(seen_by))
        signals = {name: detector_signal(waveform, name, centre, **sky) for name in seen_by}
        network = network_snr(optimal_snr(signals[name], DESIGN_PSD_OF[name], fs) for name in seen_by)
        if network == 0:
            return None
        for name, signal in signals.items():
            scaled = Strain(signal.data * (snr / network), signal.t0, signal.sample_rate, signal.detector)
            data[name] = add_signal(data[name], scaled)
            spans[name] = (scaled.t0, scaled.t_end)
    trigger_snrs = []
    for position, name in enumerate(config.detectors):
        events = cluster_triggers(filters[name].reset().detect(data[name], flush=True))
        if position == 0:
            if name in spans and len(events):
                events = events[(events["event_start"] <= spans[name][1]) & (events["event_end"] >= spans[name][0])]
            if not len(events):
                return None
            trigger = events[int(np.argmax(events["snr"]))]
            reference = float(trigger["gps_peak"])
            trigger_snrs.append(float(trigger["snr"]))
        else:  # the others' loudest event within a window of the reference trigger, 0 if none
            span = filters[name].window / fs
            near = events[np.abs(np.asarray(events["gps_peak"], dtype=float) - reference) < span] if len(events) else events
            trigger_snrs.append(float(np.max(near["snr"])) if len(near) else 0.0)
    cuts, images = [], []
    for name in config.detectors:
        whitened = filters[name].whiten(data[name])
        first = int(round((reference - whitened.t0) * fs)) - config.segment // 2
        if first < startup or first + config.segment > len(whitened):
            return None
        cut = whitened.crop(whitened.t0 + first / fs, whitened.t0 + (first + config.segment) / fs)
        cuts.append(cut.data.astype(np.float32))
        images.append(spectrogram_image(cut, shape=config.image_shape, f_range=(20.0, min(2000.0, fs / 2)),
                                        fftlength=1 / 32).image)
    return np.stack(cuts, axis=-1), np.stack(images, axis=-1), snr, np.array(trigger_snrs), source


def build_dataset(config: DatasetConfig, progress: bool = True) -> Dataset:
    """Simulate, inject, trigger and cut every sample of a data set (no caching: see :func:`load_dataset`).

    A sample whose injection the WDF misses (low SNR, or no trigger) is
    redrawn, so every class gets ``n_per_class`` samples; the misses shape the
    SNR distribution at the low end, as in the papers.
    """
    rng = np.random.default_rng(config.seed)
    filters = {
        name: WaveletDetectionFilter(snr_threshold=config.wdf_threshold).fit(
            colored_noise(DESIGN_PSD_OF[name], 120.0, config.sample_rate, seed=rng, detector=name))
        for name in config.detectors
    }
    columns = {"timeseries": [], "images": [], "labels": [], "snr": [], "trigger_snr": [], "source": []}
    total = config.n_per_class * len(config.classes)
    with tqdm(total=total, desc="samples", disable=not progress) as bar:
        for label, name in enumerate(config.classes):
            make = None if name == "noise" else _waveform_maker(name, config)
            made, attempts = 0, 0
            while made < config.n_per_class:
                attempts += 1
                if attempts > MAX_ATTEMPTS_PER_SAMPLE * config.n_per_class:
                    raise RuntimeError(
                        f"class {name!r}: the WDF in {config.detectors[0]} found only {made} of {attempts - 1} samples; "
                        f"raise snr_range (now {config.snr_range}) or lower wdf_threshold ({config.wdf_threshold})"
                    )
                sample = _one_sample(filters, config, make, rng)
                if sample is None:
                    continue
                for column, value in zip(("timeseries", "images", "snr", "trigger_snr", "source"), sample):
                    columns[column].append(value)
                columns["labels"].append(label)
                made += 1
                bar.update()
    labels = np.asarray(columns["labels"], dtype=np.int64)
    subset = np.zeros(labels.size, dtype=np.int8)
    for label in range(len(config.classes)):
        members = rng.permutation(np.flatnonzero(labels == label))
        # At least one sample of every class in each subset (n_per_class >= 3).
        n_validation = max(1, int(round(config.split[1] * members.size)))
        n_test = max(1, int(round(config.split[2] * members.size)))
        n_train = members.size - n_validation - n_test
        subset[members[n_train:n_train + n_validation]] = 1
        subset[members[n_train + n_validation:]] = 2
    return Dataset(
        config=config, timeseries=np.stack(columns["timeseries"]), images=np.stack(columns["images"]),
        labels=labels, snr=np.asarray(columns["snr"]), trigger_snr=np.stack(columns["trigger_snr"]),
        source=np.asarray(columns["source"], dtype=np.int16), subset=subset,
    )


def save_dataset(dataset: Dataset, directory: str | os.PathLike | None = None) -> os.PathLike:
    """Write the arrays and the manifest atomically (:meth:`Dataset.save`); return the array file."""
    return dataset.save(directory)


def read_dataset(config: DatasetConfig, directory: str | os.PathLike | None = None) -> Dataset:
    """Read a cached data set, checking it against its manifest (:meth:`Dataset.read`).

    Raises
    ------
    FileNotFoundError
        If no data set of this configuration is cached.
    mmlab.core.cache.DataFileError
        If the manifest is unreadable, describes another configuration, or the
        arrays' SHA-256 differs from the manifest's (a damaged or altered file).
    """
    return Dataset.read(config, directory)


def load_dataset(config: DatasetConfig, directory: str | os.PathLike | None = None, progress: bool = True) -> Dataset:
    """The data set of ``config``: from the cache if present and intact, else built and cached.

    A cached copy that fails its manifest check is rebuilt (with a warning),
    never used; a build that is interrupted leaves no partial files.
    """
    return Dataset.load(config, directory, progress)
