"""Time–frequency representations of strain: spectrograms and fixed-size images for CNNs."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import signal

from mmlab.core.strain import Strain

__all__ = ["TimeFrequencyImage", "qtransform_energy", "qtransform_image", "scalogram_image", "spectrogram",
           "spectrogram_image"]


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
        :func:`spectrogram_image`) log10 power relative to unit white noise,
        or (:func:`qtransform_image`) log10 energy over each row's median.
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


def qtransform_energy(data: np.ndarray, sample_rate: float, frequencies: np.ndarray, n_times: int,
                      q: float = 8.0) -> np.ndarray:
    """Normalised tile energy of a single-Q plane of the Q-transform, for one series or a batch.

    The Q-transform (Chatterji et al. 2004, as gwpy's ``TimeSeries.q_transform``
    and Omicron compute it) is evaluated in the frequency domain: the bins of
    the data's FFT within a bisquare window ``(1 − (ξ/Δ)²)²`` centred on each
    row's frequency ``f`` (half-width ``Δ = f √11 / Q``) are transformed back
    on their own, which gives the row's complex tile amplitudes at the rate its
    bandwidth needs. Their energy is averaged into ``n_times`` equal time bins
    and divided by the row's median (gwpy's ``norm="median"``), so stationary
    noise sits near 1 in every row. One Q is used (gwpy searches a range and
    keeps the loudest plane; a CNN needs the same tiling for every sample).
    Written here because gwpy is not a dependency of the lab, and this form
    runs on a batch of samples at once.

    Parameters
    ----------
    data : numpy.ndarray
        ``(..., samples)`` finite samples, ideally whitened.
    sample_rate : float
        Hz.
    frequencies : numpy.ndarray
        Row frequencies in Hz, in ``(0, Nyquist]``.
    n_times : int
        Time bins (at most the number of samples).
    q : float
        Quality factor.

    Returns
    -------
    numpy.ndarray
        ``(..., rows, n_times)`` float32 energy over each row's median.
    """
    data = np.asarray(data, dtype=float)
    frequencies = np.asarray(frequencies, dtype=float)
    n = data.shape[-1]
    if not np.all(np.isfinite(data)):
        raise ValueError("qtransform_energy needs finite samples")
    if not (np.isfinite(q) and q > 0):
        raise ValueError(f"q must be a positive number, got {q!r}")
    if frequencies.ndim != 1 or not np.all((frequencies > 0) & (frequencies <= sample_rate / 2)):
        raise ValueError(f"frequencies must lie in (0, {sample_rate / 2}] Hz, got {frequencies!r}")
    if not 1 <= int(n_times) <= n:
        raise ValueError(f"n_times must lie in [1, {n}] (the samples), got {n_times!r}")
    spectrum = np.fft.rfft(data, axis=-1)
    grid = np.fft.rfftfreq(n, d=1.0 / sample_rate)
    rows = []
    for frequency in frequencies:
        half_width = frequency * np.sqrt(11.0) / q
        bins = np.flatnonzero(np.abs(grid - frequency) < half_width)
        window = (1 - ((grid[bins] - frequency) / half_width) ** 2) ** 2
        length = max(int(n_times), 1 << int(np.ceil(np.log2(max(bins.size, 1)))))
        tiles = np.fft.ifft(spectrum[..., bins] * window, n=length, axis=-1)
        rows.append(_column_means((np.abs(tiles) ** 2).reshape(-1, length), int(n_times))
                    .reshape(data.shape[:-1] + (int(n_times),)))
    energy = np.stack(rows, axis=-2)
    return (energy / np.median(energy, axis=-1, keepdims=True)).astype(np.float32)


def qtransform_image(
    strain: Strain, shape: tuple[int, int] = (64, 64), f_range: tuple[float, float] = (20.0, 1000.0), q: float = 8.0,
) -> TimeFrequencyImage:
    """Q-transform of strain at a fixed image size: ``log10`` of the median-normalised tile energy.

    :func:`qtransform_energy` on ``shape[0]`` log-spaced rows across
    ``f_range`` and ``shape[1]`` time bins. Noise pixels sit near 0, a tile
    ``k`` times louder than its row's median at ``log10 k``.

    Parameters
    ----------
    strain : Strain
        Finite samples, ideally whitened.
    shape : tuple of int
        ``(n_frequencies, n_times)``.
    f_range : tuple of float
        Lowest and highest row frequency in Hz.
    q : float
        Quality factor of the plane.

    Returns
    -------
    TimeFrequencyImage
    """
    _check_image_request(strain, shape, f_range)
    n_frequencies, n_times = (int(n) for n in shape)
    rows = np.geomspace(f_range[0], f_range[1], n_frequencies)
    energy = qtransform_energy(strain.data, strain.sample_rate, rows, n_times, q)
    centres = strain.t0 + (np.arange(n_times) + 0.5) * strain.duration / n_times
    return TimeFrequencyImage(np.log10(energy + np.finfo(np.float32).tiny).astype(np.float32), centres, rows)
