"""Stationary Gaussian detector noise coloured by a PSD."""

from __future__ import annotations

import functools
from collections.abc import Iterator

import numpy as np

from mmlab.core.seeding import RandomState, as_generator
from mmlab.core.strain import Strain
from mmlab.core.validation import check_positive
from mmlab.gw.psd import psd_on_grid

__all__ = ["colored_noise", "colouring_filter", "noise_stream"]

@functools.lru_cache(maxsize=16)
def _design_amplitude(name: str, n_samples: int, sample_rate: float) -> np.ndarray:
    """Fourier amplitude per bin of noise with a named design PSD (cached: the same grid recurs)."""
    frequencies = np.fft.rfftfreq(n_samples, d=1.0 / sample_rate)
    amplitude = _fourier_amplitude(psd_on_grid(name, frequencies), n_samples, sample_rate)
    amplitude.setflags(write=False)
    return amplitude


def _fourier_amplitude(psd: np.ndarray, n_samples: int, sample_rate: float) -> np.ndarray:
    """Standard deviation of the real and imaginary parts of each rfft bin."""
    # E|X_k|^2 = N fs S(f_k) / 2 for a one-sided PSD S; split over two quadratures.
    amplitude = np.sqrt(psd * n_samples * sample_rate / 4.0)
    amplitude[0] = 0.0  # no DC offset
    if n_samples % 2 == 0:
        amplitude[-1] *= np.sqrt(2.0)  # the Nyquist bin is real: all its power in one quadrature
    return amplitude


def colored_noise(
    psd, duration: float, sample_rate: float = 4096.0, seed: RandomState = None,
    t0: float = 0.0, detector: str | None = None,
) -> Strain:
    """Stationary Gaussian noise whose one-sided PSD is ``psd``.

    Independent complex Gaussian Fourier coefficients with variance set by the
    PSD are drawn on the ``rfft`` grid and transformed back (the frequency-domain
    method of PyCBC's and gwpy's simulators), so the series is periodic over
    ``duration``; crop the edges if that matters. This is written here rather
    than taken from PyCBC because PyCBC is not a dependency and LALSimulation's
    ``SimNoise`` works sample by sample through a Python binding (slow).

    Parameters
    ----------
    psd : str, array_like or tuple
        A design-curve name such as ``"AdV"`` (:func:`mmlab.gw.psd.design_psd`),
        an array on ``numpy.fft.rfftfreq(n, 1/sample_rate)``, or a
        ``(frequencies, psd)`` pair (e.g. :func:`mmlab.gw.psd.welch_psd` of real
        data, to simulate noise like it).
    duration : float or astropy.units.Quantity
        Length in seconds; ``duration * sample_rate`` is rounded to whole samples.
    sample_rate : float or astropy.units.Quantity
        Samples per second, in Hz.
    seed : int, numpy.random.Generator or None
        The same seed gives the same samples, bit for bit.
    t0 : float
        GPS time of the first sample.
    detector : str, optional
        Detector label stored on the result.

    Returns
    -------
    Strain
        The noise, in strain.

    Examples
    --------
    >>> noise = colored_noise("AdV", duration=8, seed=1)
    >>> len(noise), noise.sample_rate
    (32768, 4096.0)
    """
    duration = check_positive("duration", duration, "s")
    sample_rate = check_positive("sample_rate", sample_rate, "Hz")
    n_samples = int(round(duration * sample_rate))
    if n_samples < 2:
        raise ValueError(f"duration={duration} s at {sample_rate} Hz gives {n_samples} samples; need at least 2")
    rng = as_generator(seed)
    if isinstance(psd, str):
        amplitude = _design_amplitude(psd, n_samples, sample_rate)
    else:
        frequencies = np.fft.rfftfreq(n_samples, d=1.0 / sample_rate)
        amplitude = _fourier_amplitude(psd_on_grid(psd, frequencies), n_samples, sample_rate)
    # Interleaved draws viewed as complex numbers: real and imaginary parts without a copy.
    spectrum = rng.standard_normal(2 * amplitude.size).view(np.complex128)
    spectrum *= amplitude
    if n_samples % 2 == 0:
        spectrum[-1] = spectrum[-1].real
    data = np.fft.irfft(spectrum, n=n_samples)
    return Strain(data, t0=t0, sample_rate=sample_rate, detector=detector)


def colouring_filter(psd, sample_rate: float = 4096.0, length: float = 16.0) -> np.ndarray:
    """FIR filter that turns unit-variance white noise into noise of one-sided PSD ``psd``.

    Its frequency response is ``sqrt(S(f) fs / 2)`` on a grid of ``length`` s
    (so features narrower than ``1/length`` Hz are smoothed); the impulse
    response is centred and Hann-tapered to end smoothly.

    Returns
    -------
    numpy.ndarray
        ``length * sample_rate`` taps.
    """
    n_taps = int(round(check_positive("length", length, "s") * sample_rate))
    frequencies = np.fft.rfftfreq(n_taps, d=1.0 / sample_rate)
    response = np.sqrt(psd_on_grid(psd, frequencies) * sample_rate / 2.0)
    impulse = np.roll(np.fft.irfft(response, n=n_taps), n_taps // 2)
    return impulse * np.hanning(n_taps)


def noise_stream(
    psd, duration: float, chunk: float = 256.0, sample_rate: float = 4096.0, seed: RandomState = None,
    t0: float = 0.0, detector: str | None = None, filter_length: float = 16.0,
) -> Iterator[Strain]:
    """Continuous, stationary coloured noise of any length, yielded in consecutive chunks.

    Unit white Gaussian noise, drawn chunk after chunk from one generator, is
    convolved with :func:`colouring_filter` by FFT, carrying the filter's
    memory across chunks (the time-domain method of PyCBC's
    ``noise_from_psd``): unlike :func:`colored_noise`, whose output is
    periodic, the stream has no seam however long it runs, and memory stays
    at one chunk.

    Parameters
    ----------
    psd, sample_rate, seed, detector
        As for :func:`colored_noise`.
    duration : float
        Total length in s.
    chunk : float
        Length of each yielded chunk in s (the last may be shorter).
    t0 : float
        GPS time of the first sample.
    filter_length : float
        Length of the colouring filter in s (frequency resolution ``1/filter_length``).

    Yields
    ------
    Strain
        Consecutive chunks: each starts where the previous ended.
    """
    from scipy import signal

    duration = check_positive("duration", duration, "s")
    chunk = check_positive("chunk", chunk, "s")
    sample_rate = check_positive("sample_rate", sample_rate, "Hz")
    rng = as_generator(seed)
    taps = colouring_filter(psd, sample_rate, filter_length)
    history = rng.standard_normal(taps.size - 1)  # the filter starts already filled: no transient
    n_total, n_chunk = int(round(duration * sample_rate)), int(round(chunk * sample_rate))
    done = 0
    while done < n_total:
        white = np.concatenate([history, rng.standard_normal(min(n_chunk, n_total - done))])
        coloured = signal.oaconvolve(white, taps, mode="valid")
        history = white[-(taps.size - 1):]
        yield Strain(coloured, t0=t0 + done / sample_rate, sample_rate=sample_rate, detector=detector)
        done += coloured.size
