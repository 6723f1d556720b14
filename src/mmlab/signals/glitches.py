"""Transient noise artefacts (glitches): sine-Gaussian, scattered-light arches, blip.

Glitches live in one detector: they are returned as :class:`Waveform` s with
``hcross`` zero, centred on time 0, and injected without antenna patterns.
Each kind has a documented random distribution (:data:`GLITCH_DISTRIBUTIONS`)
used by :func:`random_glitch`.
"""

from __future__ import annotations

import numpy as np

from mmlab.core.seeding import RandomState, as_generator
from mmlab.core.validation import check_in_range, check_positive
from mmlab.signals.waveform import Waveform

__all__ = ["GLITCH_DISTRIBUTIONS", "GLITCH_KINDS", "blip", "random_glitch", "scattered_light", "sine_gaussian"]

#: Parameter distributions of :func:`random_glitch`, by glitch kind (Hz, s, dimensionless).
GLITCH_DISTRIBUTIONS = {
    "sine_gaussian": "f0 log-uniform in [40, 1000] Hz; Q uniform in [3, 30]; phase uniform in [0, 2π)",
    "scattered_light": "f_peak uniform in [20, 60] Hz; period uniform in [0.3, 1.5] s; 1-3 arches; "
                       "1-4 harmonics with amplitudes 0.5^(k-1)",
    "blip": "Ricker (Mexican-hat) pulse with peak frequency uniform in [70, 250] Hz (≈ 5-15 ms long)",
}

#: Glitch kinds known to :func:`random_glitch`.
GLITCH_KINDS = tuple(GLITCH_DISTRIBUTIONS)


def _glitch(strain: np.ndarray, sample_rate: float, name: str, parameters: dict) -> Waveform:
    """A single-detector Waveform centred on time 0."""
    return Waveform(strain, np.zeros_like(strain), sample_rate, start=-(strain.size // 2) / sample_rate,
                    name=name, parameters=parameters)


def _centred_times(half_width: float, sample_rate: float) -> np.ndarray:
    half = int(np.ceil(half_width * sample_rate))
    return np.arange(-half, half + 1) / sample_rate


def sine_gaussian(
    f0: float, q: float, amplitude: float = 1e-21, phase: float = 0.0, sample_rate: float = 4096.0,
) -> Waveform:
    """Sine-Gaussian ``A exp(−t²/2τ²) sin(2π f0 t + phase)`` with ``τ = Q / (2π f0)``.

    Parameters
    ----------
    f0 : float
        Central frequency in Hz, below the Nyquist frequency.
    q : float
        Quality factor: the envelope's e-folding time is τ = Q/(2π f0) (3–30 for glitches).
    amplitude : float
        Peak of the Gaussian envelope (strain).
    phase : float
        Phase at the centre, in radians (0: antisymmetric).
    sample_rate : float
        Samples per second, in Hz.

    Returns
    -------
    Waveform
        Spanning ±6τ around the centre.

    Notes
    -----
    Its root-sum-square amplitude is analytic, for ``phase = 0``:
    ``h_rss² = A² (√π τ / 2) (1 − e^{−Q²})``.
    """
    sample_rate = check_positive("sample_rate", sample_rate, "Hz")
    check_in_range("f0", check_positive("f0", f0, "Hz"), 0.0, sample_rate / 2)
    q = check_positive("q", q)
    amplitude = check_positive("amplitude", amplitude)
    tau = q / (2 * np.pi * f0)
    times = _centred_times(6 * tau, sample_rate)
    strain = amplitude * np.exp(-times**2 / (2 * tau**2)) * np.sin(2 * np.pi * f0 * times + phase)
    return _glitch(strain, sample_rate, f"sine-Gaussian {f0:.0f} Hz Q={q:.1f}",
                   {"kind": "sine_gaussian", "f0": f0, "q": q, "amplitude": amplitude, "phase": phase})


def scattered_light(
    f_peak: float, period: float, n_arches: int = 2, n_harmonics: int = 3, amplitude: float = 1e-21,
    sample_rate: float = 4096.0,
) -> Waveform:
    """Scattered-light arches: harmonics ``k`` of instantaneous frequency ``k f_peak |sin(π t / T)|``.

    Light scattered off a surface moving with period ``2T`` re-enters the
    interferometer with a phase ``∝ position``; its frequency follows the
    velocity, tracing arches in a spectrogram. Each arch has a sine envelope,
    harmonic ``k`` has relative amplitude ``0.5^(k−1)``.

    Parameters
    ----------
    f_peak : float
        Peak frequency of the fundamental, in Hz (typically 20–60 Hz).
    period : float
        Duration ``T`` of one arch, in s.
    n_arches, n_harmonics : int
        Number of consecutive arches and of harmonics.
    amplitude : float
        Peak amplitude of the fundamental (strain).
    sample_rate : float
        Samples per second, in Hz.

    Returns
    -------
    Waveform
        ``n_arches * period`` long, centred on time 0.
    """
    sample_rate = check_positive("sample_rate", sample_rate, "Hz")
    f_peak, period = check_positive("f_peak", f_peak, "Hz"), check_positive("period", period, "s")
    amplitude = check_positive("amplitude", amplitude)
    if int(n_arches) != n_arches or n_arches < 1 or int(n_harmonics) != n_harmonics or n_harmonics < 1:
        raise ValueError(f"n_arches and n_harmonics must be positive integers, got {n_arches!r} and {n_harmonics!r}")
    check_in_range("n_harmonics * f_peak", n_harmonics * f_peak, 0.0, sample_rate / 2)
    times = np.arange(int(round(n_arches * period * sample_rate))) / sample_rate
    within_arch = np.mod(times, period)
    # ∫ f_peak |sin(π t/T)| dt: (T/π)(1 − cos(π t/T)) per arch, 2T/π per completed arch.
    cycles = f_peak * period / np.pi * (2 * np.floor(times / period) + 1 - np.cos(np.pi * within_arch / period))
    envelope = np.sin(np.pi * within_arch / period)
    strain = sum(0.5 ** (k - 1) * np.sin(2 * np.pi * k * cycles) for k in range(1, int(n_harmonics) + 1))
    return _glitch(amplitude * envelope * strain, sample_rate, f"scattered light {f_peak:.0f} Hz, T={period:.2f} s",
                   {"kind": "scattered_light", "f_peak": f_peak, "period": period, "n_arches": int(n_arches),
                    "n_harmonics": int(n_harmonics), "amplitude": amplitude})


def blip(peak_frequency: float = 150.0, amplitude: float = 1e-21, sample_rate: float = 4096.0) -> Waveform:
    """A blip glitch: a short, broadband, symmetric pulse (Ricker wavelet).

    ``h(t) = A (1 − 2π² f_p² t²) exp(−π² f_p² t²)`` has zero mean (no DC
    step), a spectrum peaking at ``f_p`` and a width of ~2/(π f_p): ≈ 10 ms
    for ``f_p`` = 150 Hz, like the blips of LIGO and Virgo.

    Parameters
    ----------
    peak_frequency : float
        Frequency of the spectral peak, in Hz.
    amplitude : float
        Peak amplitude (strain).
    sample_rate : float
        Samples per second, in Hz.

    Returns
    -------
    Waveform
        Centred on time 0.
    """
    sample_rate = check_positive("sample_rate", sample_rate, "Hz")
    check_in_range("peak_frequency", check_positive("peak_frequency", peak_frequency, "Hz"), 0.0, sample_rate / 4)
    amplitude = check_positive("amplitude", amplitude)
    times = _centred_times(3.0 / (np.pi * peak_frequency), sample_rate)
    argument = (np.pi * peak_frequency * times) ** 2
    strain = amplitude * (1 - 2 * argument) * np.exp(-argument)
    return _glitch(strain, sample_rate, f"blip {peak_frequency:.0f} Hz",
                   {"kind": "blip", "peak_frequency": peak_frequency, "amplitude": amplitude})


def random_glitch(kind: str, sample_rate: float = 4096.0, seed: RandomState = None) -> Waveform:
    """One glitch of a kind with parameters drawn from :data:`GLITCH_DISTRIBUTIONS`.

    Parameters
    ----------
    kind : str
        One of :data:`GLITCH_KINDS`.
    sample_rate : float
        Samples per second, in Hz.
    seed : int, numpy.random.Generator or None
        Random input.

    Returns
    -------
    Waveform
        Unit-ish amplitude (1e-21); scale it to an SNR when injecting.
    """
    rng = as_generator(seed)
    if kind == "sine_gaussian":
        return sine_gaussian(f0=float(np.exp(rng.uniform(np.log(40.0), np.log(1000.0)))), q=float(rng.uniform(3, 30)),
                             phase=float(rng.uniform(0, 2 * np.pi)), sample_rate=sample_rate)
    if kind == "scattered_light":
        return scattered_light(f_peak=float(rng.uniform(20, 60)), period=float(rng.uniform(0.3, 1.5)),
                               n_arches=int(rng.integers(1, 4)), n_harmonics=int(rng.integers(1, 5)),
                               sample_rate=sample_rate)
    if kind == "blip":
        return blip(peak_frequency=float(rng.uniform(70, 250)), sample_rate=sample_rate)
    raise ValueError(f"unknown glitch kind {kind!r}; known kinds are {list(GLITCH_KINDS)}")
