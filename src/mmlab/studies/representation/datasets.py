"""Samples of the representation study: the last seconds of binary-neutron-star inspirals in aLIGO noise, and noise.

Each sample is ``duration`` s of simulated Advanced LIGO design noise (one
detector), kept both as coloured strain and whitened with the design PSD. Half
the samples (or any chosen number) also hold a BNS inspiral: TaylorF2 through
LALSimulation, detector-frame component masses uniform in ``mass_range``,
isotropic orientation (inclination, coalescence phase), sky and polarisation,
projected on the detector and scaled to an optimal SNR *in the window* drawn
uniformly over ``snr_range``. The merger falls at a random time in the window
(``merger_range``, fractions of it), so the window holds the loudest last part
of the inspiral (about 100 Hz up to the innermost stable orbit).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from mmlab.core.seeding import RandomState, as_generator
from mmlab.core.strain import Strain
from mmlab.core.validation import check_in_range, check_positive
from mmlab.gw.detectors import random_sky
from mmlab.gw.inject import detector_signal, optimal_snr
from mmlab.gw.noise import colored_noise
from mmlab.gw.psd import design_psd
from mmlab.gw.whiten import inverse_asd_filter

__all__ = ["BNSConfig", "BNSSamples", "bns_samples"]


@dataclass(frozen=True)
class BNSConfig:
    """How the samples are made.

    Attributes
    ----------
    duration : float
        Seconds per sample.
    sample_rate : float
        Hz. 2048 Hz keeps frequencies up to 1024 Hz: a 1.1–2.0 M☉ binary's innermost stable orbit
        (1.1–2.0 kHz in gravitational waves) is cut, but under 3 % of its SNR in aLIGO lies above 1 kHz.
    mass_range : tuple of float
        Detector-frame component masses, M☉.
    snr_range : tuple of float
        Optimal SNR of the part of the signal inside the window, drawn uniformly.
    merger_range : tuple of float
        Where the merger falls, as fractions of the window.
    psd : str
        Design curve of the noise and of the whitening.
    detector : str
        Detector whose antenna pattern projects the waves.
    f_lower : float
        Hz where each waveform starts (long before the window opens).
    n_waveforms : int
        Distinct mass pairs generated; each signal sample reuses one with its own orientation, sky,
        polarisation, merger time and SNR (a TaylorF2 call costs about 16 ms).
    pad : float
        Seconds of noise kept on each side while whitening, then dropped (the filter's edge effects).
    """

    duration: float = 2.0
    sample_rate: float = 2048.0
    mass_range: tuple[float, float] = (1.1, 2.0)
    snr_range: tuple[float, float] = (4.0, 20.0)
    merger_range: tuple[float, float] = (0.6, 0.95)
    psd: str = "aLIGO"
    detector: str = "H1"
    f_lower: float = 60.0
    n_waveforms: int = 128
    pad: float = 1.0

    def __post_init__(self) -> None:
        check_positive("duration", self.duration, "s")
        check_positive("sample_rate", self.sample_rate, "Hz")
        check_positive("pad", self.pad, "s")
        check_positive("f_lower", self.f_lower, "Hz")
        if self.f_lower >= self.sample_rate / 2:
            raise ValueError(f"f_lower={self.f_lower} Hz must be below the Nyquist frequency {self.sample_rate / 2} Hz")
        for name in ("mass_range", "snr_range", "merger_range"):
            low, high = getattr(self, name)
            if not 0 < low <= high:
                raise ValueError(f"{name} must be (low, high) with 0 < low <= high, got {getattr(self, name)!r}")
        check_in_range("merger_range[1]", self.merger_range[1], 0.0, 1.0)
        if int(self.n_waveforms) < 1:
            raise ValueError(f"n_waveforms must be a positive integer, got {self.n_waveforms!r}")

    @property
    def samples(self) -> int:
        """Samples per window."""
        return int(round(self.duration * self.sample_rate))


@dataclass(frozen=True)
class BNSSamples:
    """Windows of noise with and without a BNS signal.

    Attributes
    ----------
    raw : numpy.ndarray
        ``(n, samples)`` float32 coloured strain over the noise's standard deviation.
    whitened : numpy.ndarray
        ``(n, samples)`` float32 strain whitened with the design PSD (unit-variance noise).
    label : numpy.ndarray
        1 where a signal was injected, else 0.
    snr : numpy.ndarray
        Optimal SNR of the injected signal in the window (0 for noise).
    mass1, mass2 : numpy.ndarray
        Detector-frame masses, M☉ (NaN for noise).
    merger : numpy.ndarray
        Merger time in s from the window's start (NaN for noise).
    config : BNSConfig
    """

    raw: np.ndarray
    whitened: np.ndarray
    label: np.ndarray
    snr: np.ndarray
    mass1: np.ndarray
    mass2: np.ndarray
    merger: np.ndarray
    config: BNSConfig = field(repr=False)

    def __len__(self) -> int:
        return len(self.label)

    def subset(self, index) -> BNSSamples:
        """The samples at ``index`` (an index array or boolean mask)."""
        return BNSSamples(self.raw[index], self.whitened[index], self.label[index], self.snr[index],
                          self.mass1[index], self.mass2[index], self.merger[index], self.config)


def _waveform_pool(config: BNSConfig, rng: np.random.Generator) -> list:
    from mmlab.signals.cbc import compact_binary

    pool = []
    for _ in range(int(config.n_waveforms)):
        mass1, mass2 = np.sort(rng.uniform(*config.mass_range, size=2))[::-1]
        pool.append(compact_binary(float(mass1), float(mass2), 100.0, approximant="TaylorF2",
                                   f_lower=config.f_lower, sample_rate=config.sample_rate, source_frame=False))
    return pool


def _oriented(waveform, rng: np.random.Generator):
    """The face-on TaylorF2 waveform seen at a random inclination and coalescence phase.

    TaylorF2 holds the (2, 2) mode only: ``h+ ∝ (1 + cos²ι)/2 · cos Φ`` and ``h× ∝ cos ι · sin Φ``, so the
    face-on polarisations, rotated by twice the phase offset and weighted by those factors, give any orientation.
    """
    from mmlab.signals.waveform import Waveform

    cos_iota, phase = rng.uniform(-1, 1), rng.uniform(0, 2 * np.pi)
    rotated_plus = np.cos(2 * phase) * waveform.hplus - np.sin(2 * phase) * waveform.hcross
    rotated_cross = np.sin(2 * phase) * waveform.hplus + np.cos(2 * phase) * waveform.hcross
    return Waveform((1 + cos_iota**2) / 2 * rotated_plus, cos_iota * rotated_cross, waveform.sample_rate,
                    start=waveform.start, distance=waveform.distance, name=waveform.name,
                    parameters=dict(waveform.parameters, inclination=float(np.arccos(cos_iota))))


def bns_samples(n_signal: int, n_noise: int, config: BNSConfig = BNSConfig(), seed: RandomState = None,
                progress: bool = False) -> BNSSamples:
    """Simulate ``n_signal`` windows with a BNS and ``n_noise`` without, shuffled together.

    Parameters
    ----------
    n_signal, n_noise : int
        Windows of each class (either may be 0, not both).
    config : BNSConfig
    seed : int, numpy.random.Generator or None
        Drives the waveforms, the noise and everything drawn; the same seed gives the same samples.
    progress : bool
        Show a progress bar.

    Returns
    -------
    BNSSamples
    """
    from tqdm.auto import tqdm

    if int(n_signal) != n_signal or int(n_noise) != n_noise or n_signal < 0 or n_noise < 0 or n_signal + n_noise == 0:
        raise ValueError(f"n_signal and n_noise must be non-negative integers, not both 0, got {n_signal!r}, "
                         f"{n_noise!r}")
    rng = as_generator(seed)
    n, window, rate = int(n_signal) + int(n_noise), config.samples, config.sample_rate
    pad = int(round(config.pad * rate))
    length = window + 2 * pad
    pool = _waveform_pool(config, rng) if n_signal else []
    labels = rng.permutation(np.r_[np.ones(int(n_signal), dtype=np.int64), np.zeros(int(n_noise), dtype=np.int64)])
    response = inverse_asd_filter(config.psd, length, rate)
    frequencies = np.fft.rfftfreq(length, 1 / rate)
    psd = design_psd(config.psd, frequencies[1:])
    sigma = float(np.sqrt(np.sum(psd) * (frequencies[1] - frequencies[0])))  # the coloured noise's std
    raw, whitened = np.zeros((n, window), np.float32), np.zeros((n, window), np.float32)
    snr, merger = np.zeros(n), np.full(n, np.nan)
    mass1, mass2 = np.full(n, np.nan), np.full(n, np.nan)
    for k in tqdm(range(n), desc="samples", disable=not progress):
        strain = colored_noise(config.psd, length / rate, rate, seed=rng, detector=config.detector).data
        if labels[k]:
            waveform = pool[int(rng.integers(len(pool)))]
            merger[k] = rng.uniform(*config.merger_range) * config.duration
            ra, dec, psi = (float(v[0]) for v in random_sky(1, rng))
            projected = detector_signal(_oriented(waveform, rng), config.detector, config.pad + merger[k],
                                        ra=ra, dec=dec, psi=psi)
            placed = _on_grid(projected, length, rate)
            inside = Strain(placed[pad:pad + window], 0.0, rate)
            snr[k] = rng.uniform(*config.snr_range)
            strain = strain + placed * (snr[k] / optimal_snr(inside, config.psd, rate))
            mass1[k], mass2[k] = waveform.parameters["mass1"], waveform.parameters["mass2"]
        white = np.fft.irfft(np.fft.rfft(strain) * response, n=length)
        raw[k], whitened[k] = strain[pad:pad + window] / sigma, white[pad:pad + window]
    return BNSSamples(raw, whitened, labels, snr, mass1, mass2, merger, config)


def _on_grid(signal: Strain, length: int, sample_rate: float) -> np.ndarray:
    """A detector signal on the sample grid ``[0, length)`` (it starts long before and ends at the merger)."""
    out = np.zeros(length)
    first = int(round(signal.t0 * sample_rate))
    source = np.asarray(signal.data)
    low, high = max(first, 0), min(first + source.size, length)
    if high > low:
        out[low:high] = source[low - first:high - first]
    return out
