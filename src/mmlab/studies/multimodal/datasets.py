"""Binary-neutron-star mergers seen twice: a GW time–frequency map and an X-ray afterglow light curve.

After Cuoco, Patricelli, Iess and Morawski 2021 (Universe 7 394): every event
of a BNS population gives (1) the last seconds of its inspiral in one Einstein
Telescope interferometer (ET-D noise, 2048 Hz), whitened and turned into a
time–frequency map that keeps loudness (distance lives in the amplitude), and
(2) its GRB afterglow as Swift-XRT would record it (:mod:`mmlab.signals.grb`).
A network regresses the redshift from either or both.

Data sets are cached with :class:`mmlab.core.cache.CachedDataset`, like the
CCSN study's; the same configuration rebuilds the same bytes.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from tqdm.auto import tqdm

from mmlab.core.cache import CachedDataset
from mmlab.core.cosmology import redshift_from_distance
from mmlab.core.seeding import RandomState, as_generator
from mmlab.core.validation import check_in_range, check_integer, check_positive
from mmlab.gw.detectors import DESIGN_PSD_OF, antenna_pattern, random_sky
from mmlab.gw.inject import add_signal, detector_signal
from mmlab.gw.noise import colored_noise
from mmlab.gw.timefreq import spectrogram_image
from mmlab.gw.whiten import spectral_whiten
from mmlab.signals.cbc import binary_neutron_star
from mmlab.signals.grb import (
    Afterglow,
    XRTBins,
    light_curve_features,
    observe_xrt,
    random_afterglow,
    xrt_count_rate,
)

__all__ = [
    "POPULATION_COLUMNS", "MultimodalDataset", "PopulationConfig", "build_multimodal_dataset", "distance_limits",
    "draw_distances", "draw_population", "grb_light_curve", "gw_map", "gw_map_frequencies", "gw_response",
    "load_multimodal_dataset",
]

#: Population columns stored per event.
POPULATION_COLUMNS = ("mass1", "mass2", "spin1z", "spin2z", "distance", "redshift", "ra", "dec", "psi",
                      "e_iso", "n0", "theta_core", "theta_obs", "p", "epsilon_b")


@dataclass(frozen=True)
class PopulationConfig:
    """A BNS population and how each event is observed.

    Parameters
    ----------
    n_events : int
        Events in the data set (split train/validation/test).
    distance_range : tuple of float
        Luminosity distance range in Mpc, uniform in distance (the study's 1–500 Mpc).
    cosmological : bool
        Instead, uniform in comoving volume and source-frame time up to ``z_max``.
    z_max : float
        Largest redshift of the cosmological population.
    mass_range : tuple of float
        Source-frame component masses, uniform, Msun.
    spin_max : float
        Aligned spins uniform in ``[-spin_max, spin_max]``.
    detector : str
        ET interferometer that sees the GW.
    sample_rate : float
        GW sample rate, Hz.
    gw_seconds : float
        Length of the map, ending 0.25 s after the merger.
    f_lower : float
        Where the TaylorF2 waveform starts, Hz (below the map's lowest frequency at the map's start).
    image_shape : tuple of int
        ``(frequencies, times)`` of the GW map.
    n_bins : int
        Logarithmic XRT bins between 100 s and 10⁶ s.
    split : tuple of float
        Train, validation and test fractions.
    seed : int
        Drives everything.
    """

    n_events: int = 3000
    distance_range: tuple = (1.0, 500.0)
    cosmological: bool = False
    z_max: float = 1.0
    mass_range: tuple = (1.1, 2.0)
    spin_max: float = 0.05
    detector: str = "E1"
    sample_rate: float = 2048.0
    gw_seconds: float = 4.0
    f_lower: float = 50.0
    image_shape: tuple = (64, 64)
    n_bins: int = 32
    split: tuple = (0.7, 0.15, 0.15)
    seed: int = 0

    def __post_init__(self):
        if int(self.n_events) != self.n_events or self.n_events < 10:
            raise ValueError(f"n_events must be an integer of at least 10, got {self.n_events!r}")
        low, high = self.distance_range
        if not 0 < low < high:
            raise ValueError(f"distance_range must be (low, high) Mpc with 0 < low < high, got {self.distance_range!r}")
        check_in_range("z_max", self.z_max, 1e-3, 10.0)
        if len(self.mass_range) != 2 or not 0 < self.mass_range[0] < self.mass_range[1]:
            raise ValueError(f"mass_range must be (low, high) Msun with 0 < low < high, got {self.mass_range!r}")
        if self.detector not in DESIGN_PSD_OF:
            raise ValueError(f"unknown detector {self.detector!r}; known detectors are {list(DESIGN_PSD_OF)}")
        check_in_range("spin_max", self.spin_max, 0.0, 0.99)
        for name, unit in (("sample_rate", "Hz"), ("gw_seconds", "s"), ("f_lower", "Hz")):
            check_positive(name, getattr(self, name), unit)
        if self.f_lower >= self.sample_rate / 2:
            raise ValueError(f"f_lower={self.f_lower} Hz must be below the Nyquist frequency {self.sample_rate / 2} Hz")
        if len(self.image_shape) != 2 or any(check_integer("image_shape", n, 8) != n for n in self.image_shape):
            raise ValueError(f"image_shape must be two integers of at least 8 pixels, got {self.image_shape!r}")
        check_integer("n_bins", self.n_bins, 2)
        check_integer("seed", self.seed, 0)
        if len(self.split) != 3 or abs(sum(self.split) - 1) > 1e-9 or min(self.split) <= 0:
            raise ValueError(f"split must be three positive fractions summing to 1, got {self.split!r}")
        for name in ("distance_range", "mass_range", "image_shape", "split"):
            object.__setattr__(self, name, tuple(getattr(self, name)))

    @property
    def bins(self) -> XRTBins:
        """The XRT observing bins of every light curve."""
        return XRTBins(n_bins=self.n_bins)

    @property
    def redshift_range(self) -> tuple[float, float]:
        """Redshifts the population spans."""
        if self.cosmological:
            return 0.0, float(self.z_max)
        return tuple(float(z) for z in redshift_from_distance(np.array(self.distance_range)))

    def check_distance(self, distance_mpc: float) -> float:
        """``distance_mpc`` if the population reaches it, else a ValueError naming the range."""
        low, high = distance_limits(self)
        if not (np.isfinite(distance_mpc) and low <= distance_mpc <= high):
            raise ValueError(f"distance {distance_mpc!r} Mpc is outside the population's range "
                             f"[{low:g}, {high:g}] Mpc")
        return float(distance_mpc)


def distance_limits(config: PopulationConfig) -> tuple[float, float]:
    """Smallest and largest luminosity distance (Mpc) of the population."""
    if not config.cosmological:
        return float(config.distance_range[0]), float(config.distance_range[1])
    from astropy.cosmology import Planck18

    return 0.0, float(Planck18.luminosity_distance(config.z_max).to_value("Mpc"))


def gw_map_frequencies(config: PopulationConfig) -> np.ndarray:
    """Frequency of each row of :func:`gw_map`'s maps, Hz (log-spaced from 20 Hz to Nyquist)."""
    return np.geomspace(20.0, config.sample_rate / 2, config.image_shape[0])


def draw_distances(config: PopulationConfig, n: int, seed: RandomState = None) -> np.ndarray:
    """Luminosity distances (Mpc): uniform in distance, or in comoving volume and source time to ``z_max``."""
    rng = as_generator(seed)
    if not config.cosmological:
        return rng.uniform(*config.distance_range, n)
    from astropy.cosmology import Planck18

    redshifts = np.linspace(0, config.z_max, 2001)
    density = Planck18.differential_comoving_volume(redshifts).value / (1 + redshifts)
    cumulative = np.concatenate([[0], np.cumsum((density[1:] + density[:-1]) / 2)])
    z = np.interp(rng.uniform(0, cumulative[-1], n), cumulative, redshifts)
    return Planck18.luminosity_distance(np.maximum(z, 1e-6)).to_value("Mpc")


def draw_population(config: PopulationConfig, seed: RandomState = None) -> dict[str, np.ndarray]:
    """Every event's parameters: masses, spins, distance, redshift, sky, afterglow (on axis)."""
    rng = as_generator(seed)
    n = int(config.n_events)
    distance = draw_distances(config, n, rng)
    population = {
        "mass1": rng.uniform(*config.mass_range, n), "mass2": rng.uniform(*config.mass_range, n),
        "spin1z": rng.uniform(-config.spin_max, config.spin_max, n),
        "spin2z": rng.uniform(-config.spin_max, config.spin_max, n),
        "distance": distance, "redshift": redshift_from_distance(distance),
    }
    population["ra"], population["dec"], population["psi"] = random_sky(n, rng)
    afterglows = [random_afterglow(rng) for _ in range(n)]
    for name in ("e_iso", "n0", "theta_core", "theta_obs", "p", "epsilon_b"):
        population[name] = np.array([getattr(a, name) for a in afterglows])
    return population


def _merger_gps(config: PopulationConfig) -> float:
    """GPS time of every merger in :func:`gw_map`: the simulated noise starts at GPS 0 and ends 1 s after it."""
    return config.gw_seconds + 3.0


def gw_map(event: dict, config: PopulationConfig, seed: RandomState = None) -> np.ndarray:
    """The last ``gw_seconds`` of one event's inspiral in ET-D noise, as a loudness-keeping log-power map.

    The BNS (TaylorF2, source-frame masses redshifted, inclination equal to
    the jet's viewing angle) is projected onto ``config.detector`` at its sky
    position, added to simulated noise with the merger 1 s before the end,
    whitened with the known PSD, and mapped (log-spaced rows, 20 Hz to
    Nyquist) with :func:`mmlab.gw.timefreq.spectrogram_image` (``normalise=False``).
    """
    rng = as_generator(seed)
    psd = DESIGN_PSD_OF[config.detector]
    waveform = binary_neutron_star(float(event["mass1"]), float(event["mass2"]), distance=float(event["distance"]),
                                   inclination=float(event["theta_obs"]), spin1z=float(event["spin1z"]),
                                   spin2z=float(event["spin2z"]), f_lower=config.f_lower,
                                   sample_rate=config.sample_rate)
    merger = _merger_gps(config)
    noise = colored_noise(psd, merger + 1.0, config.sample_rate, seed=rng, detector=config.detector)
    signal = detector_signal(waveform, config.detector, merger, float(event["ra"]), float(event["dec"]),
                             float(event["psi"]))
    whitened = spectral_whiten(add_signal(noise, signal), psd=psd)
    cropped = whitened.crop(merger + 0.25 - config.gw_seconds, merger + 0.25)
    image = spectrogram_image(cropped, config.image_shape, (20.0, config.sample_rate / 2), fftlength=1 / 16,
                              log_frequency=True, normalise=False)
    return image.image


def grb_light_curve(event: dict, config: PopulationConfig, seed: RandomState = None) -> np.ndarray:
    """One event's simulated XRT light curve as network features ``(n_bins, 2)`` (log rate, log error)."""
    afterglow = Afterglow(e_iso=float(event["e_iso"]), n0=float(event["n0"]), theta_core=float(event["theta_core"]),
                          theta_obs=float(event["theta_obs"]), p=float(event["p"]),
                          epsilon_b=float(event["epsilon_b"]))
    bins = config.bins
    rates = xrt_count_rate(bins.centres, afterglow, float(event["distance"]), float(event["redshift"]))
    return light_curve_features(*observe_xrt(rates, bins, seed=seed))


@dataclass(frozen=True, eq=False)
class MultimodalDataset(CachedDataset):
    """Both modalities of every event, the population and the split.

    Attributes
    ----------
    config : PopulationConfig
    gw_maps : numpy.ndarray
        ``(n, frequencies, times)`` float32 log10 power relative to white noise.
    light_curves : numpy.ndarray
        ``(n, n_bins, 2)`` float32 log10 XRT rate and error.
    population : dict
        :data:`POPULATION_COLUMNS` arrays.
    subset : numpy.ndarray
        0 train, 1 validation, 2 test.
    """

    config: PopulationConfig
    gw_maps: np.ndarray
    light_curves: np.ndarray
    population: dict
    subset: np.ndarray

    kind: ClassVar[str] = "multimodal"
    format_version: ClassVar[int] = 1
    packages: ClassVar[tuple[str, ...]] = ("numpy", "scipy", "lal", "afterglowpy")

    @property
    def redshift(self) -> np.ndarray:
        """True redshift of every event."""
        return self.population["redshift"]

    @classmethod
    def build(cls, config: PopulationConfig, progress: bool = True) -> MultimodalDataset:
        """Simulate the events of ``config`` (see :func:`build_multimodal_dataset`)."""
        return build_multimodal_dataset(config, progress)

    def to_arrays(self) -> dict[str, np.ndarray]:
        """The stored arrays: maps, light curves, split and population columns."""
        return {"gw_maps": self.gw_maps, "light_curves": self.light_curves, "subset": self.subset, **self.population}

    @classmethod
    def from_arrays(cls, config: PopulationConfig, arrays: dict[str, np.ndarray]) -> MultimodalDataset:
        """The data set from stored arrays."""
        return cls(config, arrays["gw_maps"], arrays["light_curves"], {c: arrays[c] for c in POPULATION_COLUMNS},
                   arrays["subset"])

    def part_arrays(self) -> dict[str, np.ndarray]:
        """Inputs named as the models' (``gw_map``, ``light_curve``) and the population columns."""
        return {"gw_map": self.gw_maps, "light_curve": self.light_curves, **self.population}


def build_multimodal_dataset(config: PopulationConfig, progress: bool = True) -> MultimodalDataset:
    """Draw the population and simulate both modalities of every event.

    No caching here: :func:`load_multimodal_dataset` caches.
    """
    rng = as_generator(config.seed)
    population = draw_population(config, rng)
    maps, curves = [], []
    for k in tqdm(range(config.n_events), desc="events", disable=not progress):
        event = {name: values[k] for name, values in population.items()}
        maps.append(gw_map(event, config, rng))
        curves.append(grb_light_curve(event, config, rng))
    n = config.n_events
    counts = np.floor(np.array(config.split) * n).astype(int)
    counts[0] = n - counts[1:].sum()
    subset = rng.permutation(np.repeat(np.arange(3), counts)).astype(np.int8)
    return MultimodalDataset(config, np.stack(maps), np.stack(curves), population, subset)


def load_multimodal_dataset(config: PopulationConfig, directory: str | os.PathLike | None = None,
                            progress: bool = True) -> MultimodalDataset:
    """The data set of ``config``: from the cache if present and intact, else built and cached.

    A cached copy whose manifest describes another configuration or whose
    checksum fails is rebuilt (with a warning), never used.
    """
    return MultimodalDataset.load(config, directory, progress)


def gw_response(population: dict, config: PopulationConfig) -> np.ndarray:
    """How loud each event's GW is for its distance: ``sqrt(F+² (1 + cos²ι)² / 4 + F×² cos²ι)`` (0 to 1).

    The detector's antenna pattern at the merger time used by :func:`gw_map`
    and the inclination ``ι`` (the jet's viewing angle) scale the amplitude:
    a small value means a faint GW for the distance, where the GW alone
    misjudges the redshift.
    """
    f_plus, f_cross = antenna_pattern(config.detector, population["ra"], population["dec"], population["psi"],
                                      _merger_gps(config))
    cos_i = np.cos(population["theta_obs"])
    return np.sqrt(f_plus ** 2 * (1 + cos_i ** 2) ** 2 / 4 + f_cross ** 2 * cos_i ** 2)
