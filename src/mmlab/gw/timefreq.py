"""Time–frequency representations of strain: spectrograms and fixed-size images for CNNs."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import signal

from mmlab.core.strain import Strain

__all__ = ["TimeFrequencyImage", "scalogram_image", "spectrogram", "spectrogram_image"]


def spectrogram(
    strain: Strain, fftlength: float = 0.25, overlap: float | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Short-time power spectral density.

    Parameters
    ----------
    strain : Strain
        Finite strain samples.
    fftlength : float
        Segment length in seconds (frequency resolution ``1/fftlength`` Hz).
    overlap : float, optional
        Overlap of segments in seconds; default 90 % of ``fftlength``.

    Returns
    -------
    times : numpy.ndarray
        GPS times of the segment centres, in s.
    frequencies : numpy.ndarray
        Frequencies in Hz.
    power : numpy.ndarray
        One-sided PSD of each segment, shape ``(frequencies, times)``, in 1/Hz.
    """
    strain.require_finite()
    nperseg = int(round(fftlength * strain.sample_rate))
    if not 8 <= nperseg <= len(strain):
        raise ValueError(
            f"fftlength must span 8 to {len(strain)} samples ({strain.duration} s), "
            f"got {fftlength!r} s = {nperseg} samples"
        )
    noverlap = int(0.9 * nperseg) if overlap is None else int(round(overlap * strain.sample_rate))
    if not 0 <= noverlap < nperseg:
        raise ValueError(f"overlap must lie in [0, fftlength={fftlength}) s, got {overlap!r}")
    frequencies, times, power = signal.spectrogram(
        strain.data, fs=strain.sample_rate, window="hann", nperseg=nperseg,
        noverlap=noverlap, scaling="density", mode="psd",
    )
    return strain.t0 + times, frequencies, power


@dataclass(frozen=True)
class TimeFrequencyImage:
    """A fixed-size time–frequency map for a neural network.

    Attributes
    ----------
    image : numpy.ndarray
        ``(n_frequencies, n_times)`` float32: log10 power scaled so that the
        image's minimum is 0 and maximum is 1, or (``normalise=False`` in
        :func:`spectrogram_image`) log10 power relative to unit white noise.
    times : numpy.ndarray
        GPS time of each column's centre, in s.
    frequencies : numpy.ndarray
        Frequency of each row, in Hz (increasing).
    """

    image: np.ndarray
    times: np.ndarray
    frequencies: np.ndarray


def _check_image_request(strain: Strain, shape: tuple[int, int], f_range: tuple[float, float]) -> None:
    strain.require_finite()
    if len(shape) != 2 or any(int(n) != n or n < 2 for n in shape):
        raise ValueError(f"shape must be two integers >= 2 (frequencies, times), got {shape!r}")
    low, high = f_range
    if not 0 < low < high <= strain.sample_rate / 2:
        raise ValueError(
            f"f_range must satisfy 0 < low < high <= Nyquist ({strain.sample_rate / 2} Hz), got {f_range!r}"
        )
    if shape[1] > len(strain):
        raise ValueError(f"{shape[1]} time bins need at least as many samples, the strain has {len(strain)}")


def _normalised(log_power: np.ndarray) -> np.ndarray:
    low, high = log_power.min(), log_power.max()
    scaled = (log_power - low) / (high - low) if high > low else np.zeros_like(log_power)
    return scaled.astype(np.float32)


def _column_means(power: np.ndarray, n_columns: int) -> np.ndarray:
    """Average consecutive samples of each row into ``n_columns`` equal bins."""
    edges = np.linspace(0, power.shape[1], n_columns + 1).astype(int)
    return np.add.reduceat(power, edges[:-1], axis=1) / np.diff(edges)


def spectrogram_image(
    strain: Strain, shape: tuple[int, int] = (64, 64), f_range: tuple[float, float] = (20.0, 1000.0),
    fftlength: float = 1 / 32, log_frequency: bool = False, normalise: bool = True,
) -> TimeFrequencyImage:
    """Spectrogram of (whitened) strain resampled to a fixed image size.

    Short-time power with a Hann window of ``fftlength`` s (the series is
    reflected at both ends so edge columns are complete), computed four times
    per output column, is interpolated
    linearly onto ``shape[0]`` frequencies across ``f_range`` and averaged
    into ``shape[1]`` equal time bins, then log-scaled and normalised.

    Parameters
    ----------
    strain : Strain
        Finite samples, ideally whitened (so all frequencies weigh alike).
    shape : tuple of int
        ``(n_frequencies, n_times)`` of the image.
    f_range : tuple of float
        Lowest and highest frequency in Hz.
    fftlength : float
        Segment length in s (frequency resolution ``1/fftlength``).
    log_frequency : bool
        Space the rows logarithmically (Q-transform-like) instead of linearly.
    normalise : bool
        Scale each image to [0, 1] (shape matters, loudness not). If False,
        keep ``log10`` of the power relative to white noise of unit variance
        (``2 / sample_rate`` per Hz), so loudness (e.g. distance) is kept:
        noise pixels sit near 0, a signal ``k`` times the noise power at ``log10 k``.

    Returns
    -------
    TimeFrequencyImage
    """
    _check_image_request(strain, shape, f_range)
    n_frequencies, n_times = (int(n) for n in shape)
    nperseg = int(round(fftlength * strain.sample_rate))
    if not 8 <= nperseg <= len(strain):
        raise ValueError(f"fftlength must span 8 to {len(strain)} samples, got {fftlength!r} s = {nperseg} samples")
    padded = np.pad(strain.data, nperseg // 2, mode="reflect")
    hop = max(1, len(strain) // (4 * n_times))
    frequencies, _, power = signal.spectrogram(
        padded, fs=strain.sample_rate, window="hann", nperseg=nperseg, noverlap=nperseg - hop,
        scaling="density", mode="psd",
    )
    rows = (np.geomspace if log_frequency else np.linspace)(f_range[0], f_range[1], n_frequencies)
    on_rows = np.stack([np.interp(rows, frequencies, column) for column in power.T], axis=1)
    image = _column_means(on_rows, n_times)
    centres = strain.t0 + (np.arange(n_times) + 0.5) * strain.duration / n_times
    if not normalise:
        relative = np.log10(image / (2 / strain.sample_rate) + np.finfo(float).tiny)
        return TimeFrequencyImage(relative.astype(np.float32), centres, rows)
    return TimeFrequencyImage(_normalised(np.log10(image + np.finfo(float).tiny)), centres, rows)


def scalogram_image(
    strain: Strain, shape: tuple[int, int] = (64, 64), f_range: tuple[float, float] = (20.0, 1000.0),
    wavelet: str = "cmor1.5-1.0",
) -> TimeFrequencyImage:
    """Continuous-wavelet (Morlet) scalogram of strain at a fixed image size.

    :func:`pywt.cwt` with a complex Morlet wavelet at log-spaced frequencies
    gives a constant-Q map like the Q-transform's; its power is averaged into
    ``shape[1]`` time bins, log-scaled and normalised.

    Parameters
    ----------
    strain : Strain
        Finite samples, ideally whitened.
    shape : tuple of int
        ``(n_frequencies, n_times)``.
    f_range : tuple of float
        Lowest and highest frequency in Hz (rows are log-spaced).
    wavelet : str
        A PyWavelets continuous wavelet; ``"cmorB-C"`` sets bandwidth B and centre C.

    Returns
    -------
    TimeFrequencyImage
    """
    import pywt

    _check_image_request(strain, shape, f_range)
    n_frequencies, n_times = (int(n) for n in shape)
    if wavelet not in pywt.wavelist(kind="continuous") and not wavelet.startswith(("cmor", "shan", "fbsp", "cgau")):
        raise ValueError(f"wavelet must be a continuous PyWavelets wavelet such as 'cmor1.5-1.0', got {wavelet!r}")
    rows = np.geomspace(f_range[0], f_range[1], n_frequencies)
    scales = pywt.frequency2scale(wavelet, rows / strain.sample_rate)
    coefficients, _ = pywt.cwt(strain.data, scales, wavelet, sampling_period=strain.dt, method="fft")
    image = _column_means(np.abs(coefficients) ** 2, n_times)
    centres = strain.t0 + (np.arange(n_times) + 0.5) * strain.duration / n_times
    return TimeFrequencyImage(_normalised(np.log10(image + np.finfo(float).tiny)), centres, rows)
