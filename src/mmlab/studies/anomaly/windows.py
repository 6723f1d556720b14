"""Anomaly detection in strain: the windows of whitened data an autoencoder and excess power score.

After Morawski et al. 2021 (MLST): a convolutional autoencoder learns to
reconstruct windows of whitened detector noise; a window it cannot reconstruct
(a large mean squared error) holds something that is not noise. Every window
goes through the same conditioning, :func:`condition`: whitening at the data's
own sample rate, a band-pass, resampling, and dropping the tapered edges. The
conditioning is linear once the PSD is fixed, so a signal window at any SNR is
``noise_window + snr × unit_signal_window`` (:func:`injection_windows` uses that
to evaluate many SNRs on the same noise).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from fractions import Fraction

import numpy as np
from scipy import signal
from tqdm.auto import tqdm

from mmlab.core.seeding import RandomState, as_generator
from mmlab.core.strain import Strain
from mmlab.gw.detectors import random_sky
from mmlab.gw.filters import bandpass
from mmlab.gw.inject import add_signal, detector_signal, scale_to_snr
from mmlab.gw.noise import colored_noise
from mmlab.gw.whiten import spectral_whiten
from mmlab.signals.cbc import binary_black_hole
from mmlab.signals.glitches import GLITCH_KINDS, random_glitch
from mmlab.signals.waveform import Waveform

__all__ = [
    "BBH_TOTAL_MASS", "INJECTION_KINDS", "InjectionWindows", "WindowConfig", "condition", "injection_windows",
    "random_bbh", "simulated_noise_windows", "sliding_windows",
]

#: Signal kinds :func:`injection_windows` can inject: BBH mergers and the glitch kinds.
INJECTION_KINDS = ("bbh", *GLITCH_KINDS)

#: Total (detector-frame) mass range of the injected BBH mergers, in solar masses (Morawski et al. 2021).
BBH_TOTAL_MASS = (26.0, 40.0)

#: Fraction of the data tapered at each end by :func:`mmlab.gw.whiten.spectral_whiten` (its default, 0.1 in all).
_TAPER = 0.1

#: Length of the whitening filter's impulse response, s (:func:`mmlab.gw.whiten.spectral_whiten`'s default).
_FDURATION = 2.0


def _edge(duration: float) -> float:
    """Seconds dropped at each end of conditioned strain: the taper or the whitening filter's reach, and 0.25 s
    for the band-pass."""
    return max(_TAPER / 2 * duration, _FDURATION / 2) + 0.25


@dataclass(frozen=True)
class WindowConfig:
    """How strain is conditioned and cut into windows for anomaly detection.

    A trained autoencoder only makes sense for windows made the same way; its
    model card records :meth:`as_card` and :func:`mmlab.ml.registry.load_model`
    checks it.

    Parameters
    ----------
    sample_rate : float
        Sample rate of the windows in Hz (the data are resampled to it).
    duration : float
        Window length in s.
    band : tuple of float
        Band-pass ``(f_low, f_high)`` in Hz applied after whitening; the
        default keeps where 26–40 Msun BBH mergers put most of their SNR
        (a narrower band means fewer noise degrees of freedom per window:
        excess-power AUC at SNR 12 is 0.986 with 20–500 Hz at 2048 Hz, 0.990
        with 20–350 Hz at 1024 Hz).
    """

    sample_rate: float = 1024.0
    duration: float = 0.5
    band: tuple[float, float] = (20.0, 350.0)

    def __post_init__(self):
        if not (np.isfinite(self.sample_rate) and self.sample_rate > 0):
            raise ValueError(f"sample_rate must be a positive number of Hz, got {self.sample_rate!r}")
        samples = self.duration * self.sample_rate
        if not (np.isfinite(samples) and samples >= 16 and float(samples).is_integer()):
            raise ValueError(
                f"duration × sample_rate must be a whole number of at least 16 samples, got "
                f"duration={self.duration!r} s at {self.sample_rate!r} Hz"
            )
        f_low, f_high = self.band
        if not 0 < f_low < f_high < self.sample_rate / 2:
            raise ValueError(f"band must satisfy 0 < f_low < f_high < {self.sample_rate / 2:g} Hz, got {self.band!r}")
        object.__setattr__(self, "band", (float(f_low), float(f_high)))

    @property
    def samples(self) -> int:
        """Samples per window."""
        return int(round(self.duration * self.sample_rate))

    def as_card(self) -> dict:
        """The configuration as a JSON-friendly dict (for a model card)."""
        card = asdict(self)
        card["band"] = list(self.band)
        return card


def condition(strain: Strain, config: WindowConfig = WindowConfig(), psd=None) -> Strain:
    """Whiten, band-pass and resample strain the way the windows of ``config`` are made; drop the edges.

    Parameters
    ----------
    strain : Strain
        Finite strain at ``config.sample_rate`` or an integer multiple of it
        (real GWOSC data at 4096 Hz, simulated data at 1024 Hz), longer than 4 s.
    config : WindowConfig
        Window sample rate and band.
    psd : str, array_like or tuple, optional
        Known noise PSD (a design-curve name for simulated noise); default a
        Welch estimate from ``strain`` itself, as for real data.

    Returns
    -------
    Strain
        Whitened (unit variance before the band-pass), band-passed strain at
        ``config.sample_rate``, with the whitening taper and filter transients
        (``5 %`` of the duration or 1 s, whichever is longer, plus 0.25 s at each end) cut off.

    Raises
    ------
    ValueError
        If the strain has NaN or infinite samples, its sample rate is not an
        integer multiple of the window rate, or it is 4 s or shorter.
    """
    strain.require_finite()
    ratio = Fraction(strain.sample_rate / config.sample_rate).limit_denominator(1000)
    if ratio.denominator != 1 or ratio < 1:
        raise ValueError(
            f"strain sampled at {strain.sample_rate:g} Hz cannot be conditioned for windows at "
            f"{config.sample_rate:g} Hz: its rate must be an integer multiple of the window rate"
        )
    if strain.duration <= 4.0:
        raise ValueError(f"conditioning needs more than 4 s of strain (whitening, edges), got {strain.duration:g} s")
    whitened = spectral_whiten(strain, fftlength=min(4.0, strain.duration / 8), taper=_TAPER, psd=psd,
                               fduration=_FDURATION)
    filtered = bandpass(whitened, *config.band)
    data = filtered.data if ratio == 1 else signal.resample_poly(filtered.data, 1, int(ratio))
    conditioned = Strain(data, t0=strain.t0, sample_rate=config.sample_rate, detector=strain.detector)
    edge = _edge(strain.duration)
    return conditioned.crop(strain.t0 + edge, strain.t_end - edge)


def sliding_windows(strain: Strain, config: WindowConfig = WindowConfig(),
                    stride: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Cut conditioned strain into windows.

    Parameters
    ----------
    strain : Strain
        Output of :func:`condition` (at ``config.sample_rate``).
    config : WindowConfig
        Window length.
    stride : float, optional
        Step between window starts in s; default half a window.

    Returns
    -------
    windows : numpy.ndarray
        ``(n, config.samples)`` float32 (a copy).
    starts : numpy.ndarray
        GPS start time of each window.
    """
    if strain.sample_rate != config.sample_rate:
        raise ValueError(
            f"windows of {config.samples} samples at {config.sample_rate:g} Hz cannot be cut from strain at "
            f"{strain.sample_rate:g} Hz; condition it first"
        )
    stride = config.duration / 2 if stride is None else stride
    step = int(round(stride * config.sample_rate))
    if step < 1:
        raise ValueError(f"stride must be at least one sample (1/{config.sample_rate:g} s), got {stride!r} s")
    if len(strain) < config.samples:
        raise ValueError(f"{strain.duration:g} s of strain is shorter than one window of {config.duration:g} s")
    views = np.lib.stride_tricks.sliding_window_view(strain.data, config.samples)[::step]
    return views.astype(np.float32), strain.t0 + np.arange(len(views)) * step / config.sample_rate


def simulated_noise_windows(
    psd: str, duration: float, config: WindowConfig = WindowConfig(), stride: float | None = None,
    seed: RandomState = None, segment: float = 64.0, sample_rate: float = 4096.0, progress: bool = False,
) -> np.ndarray:
    """Windows of simulated Gaussian noise of a design curve, conditioned with the known PSD.

    Parameters
    ----------
    psd : str
        Design-curve name (:func:`mmlab.gw.psd.design_psd`), e.g. ``"aLIGO"``.
    duration : float
        Seconds of conditioned noise wanted (rounded up to whole segments).
    config, stride
        As for :func:`sliding_windows`.
    seed : int, numpy.random.Generator or None
        Random input; the same seed gives the same windows.
    segment : float
        Length of each independent simulated stretch in s (its edges are dropped).
    sample_rate : float
        Rate the noise is simulated at before conditioning (a detector's
        rate, as for real data; a multiple of ``config.sample_rate``).
    progress : bool
        Show a progress bar over segments.

    Returns
    -------
    numpy.ndarray
        ``(n, config.samples)`` float32.
    """
    rng = as_generator(seed)
    kept = segment - 2 * _edge(segment)
    n_segments = int(np.ceil(duration / kept))
    windows = []
    for _ in tqdm(range(n_segments), desc="noise", disable=not progress):
        noise = colored_noise(psd, segment, sample_rate, seed=rng)
        windows.append(sliding_windows(condition(noise, config, psd=psd), config, stride)[0])
    return np.concatenate(windows)


@dataclass(frozen=True)
class InjectionWindows:
    """Windows holding one injected signal each, split into noise and signal (at SNR 1).

    Attributes
    ----------
    noise : numpy.ndarray
        ``(n, samples)`` conditioned noise.
    unit_signal : numpy.ndarray
        ``(n, samples)`` the conditioned signal scaled to an optimal SNR of 1.
    peak_offset : numpy.ndarray
        Time of the signal's peak (BBH merger, glitch centre) from the window start, s.
    parameters : list of dict
        What was injected (masses, glitch parameters, sky position).
    """

    noise: np.ndarray
    unit_signal: np.ndarray
    peak_offset: np.ndarray
    parameters: list

    def at_snr(self, snr: float) -> np.ndarray:
        """The windows with every signal at optimal SNR ``snr``."""
        return (self.noise + np.float32(snr) * self.unit_signal).astype(np.float32)


def random_bbh(rng: np.random.Generator, sample_rate: float) -> Waveform:
    """An IMRPhenomD merger: total detector-frame mass uniform in :data:`BBH_TOTAL_MASS`, mass ratio in [0.5, 1]."""
    total, ratio = rng.uniform(*BBH_TOTAL_MASS), rng.uniform(0.5, 1.0)
    mass1 = total / (1 + ratio)
    return binary_black_hole(mass1, total - mass1, distance=400.0, inclination=float(np.arccos(rng.uniform(-1, 1))),
                             coalescence_phase=float(rng.uniform(0, 2 * np.pi)), sample_rate=sample_rate,
                             source_frame=False)


def injection_windows(
    kind: str, n: int, psd: str = "aLIGO", detector: str = "H1", config: WindowConfig = WindowConfig(),
    seed: RandomState = None, segment: float = 8.0, sample_rate: float = 4096.0, progress: bool = False,
) -> InjectionWindows:
    """Simulate noise with one signal each and cut the window around the signal.

    The signal's peak falls uniformly in the middle half of its window (with
    windows overlapping by half, one window always has it there). The signal
    is scaled to optimal SNR 1 against ``psd`` from 20 Hz up to the
    simulation's Nyquist frequency (the SNR it has in the detector: what lies
    outside ``config.band`` is lost to the windows).

    Parameters
    ----------
    kind : str
        ``"bbh"`` (random sky position and inclination) or a glitch kind
        (:data:`mmlab.signals.glitches.GLITCH_KINDS`, no antenna pattern).
    n : int
        Number of windows.
    psd : str
        Design curve of the simulated noise.
    detector : str
        Detector whose antenna pattern projects BBH signals.
    config : WindowConfig
        Window conditioning.
    seed : int, numpy.random.Generator or None
        Random input.
    segment : float
        Seconds simulated per injection (the signal's peak sits 0.65 of the way in).
    sample_rate : float
        Rate noise and signal are simulated at (glitches reach 1 kHz), a
        multiple of ``config.sample_rate``.
    progress : bool
        Show a progress bar.

    Returns
    -------
    InjectionWindows
    """
    if kind not in INJECTION_KINDS:
        raise ValueError(f"unknown injection kind {kind!r}; known kinds are {list(INJECTION_KINDS)}")
    rng = as_generator(seed)
    noise, unit, offsets, parameters = [], [], [], []
    for _ in tqdm(range(int(n)), desc=kind, disable=not progress):
        strain = colored_noise(psd, segment, sample_rate, seed=rng, detector=detector)
        peak = strain.t0 + 0.65 * segment
        if kind == "bbh":
            waveform = random_bbh(rng, sample_rate)
            ra, dec, psi = (float(v[0]) for v in random_sky(1, rng))
            injected = detector_signal(waveform, detector, peak, ra, dec, psi)
            parameters.append({**waveform.parameters, "ra": ra, "dec": dec, "psi": psi})
        else:
            waveform = random_glitch(kind, sample_rate, seed=rng)
            injected = detector_signal(waveform, detector, peak)
            parameters.append(dict(waveform.parameters))
        injected = scale_to_snr(injected, 1.0, psd)
        zeros = Strain(np.zeros(len(strain)), t0=strain.t0, sample_rate=strain.sample_rate, detector=detector)
        conditioned_signal = condition(add_signal(zeros, injected), config, psd=psd)
        conditioned_noise = condition(strain, config, psd=psd)
        start = peak - rng.uniform(0.25, 0.75) * config.duration
        first = int(round((start - conditioned_noise.t0) * config.sample_rate))
        cut = slice(first, first + config.samples)
        noise.append(conditioned_noise.data[cut].astype(np.float32))
        unit.append(conditioned_signal.data[cut].astype(np.float32))
        offsets.append(peak - (conditioned_noise.t0 + first / config.sample_rate))
    return InjectionWindows(np.stack(noise), np.stack(unit), np.array(offsets), parameters)
