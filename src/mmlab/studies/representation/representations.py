"""The five ways a CNN can see a sample: raw and whitened time series, |FFT|, spectrogram, Q-transform."""

from __future__ import annotations

import numpy as np

from mmlab.core.validation import check_choice
from mmlab.gw.timefreq import qtransform_energy
from mmlab.studies.representation.datasets import BNSSamples

__all__ = ["IMAGE_SHAPE", "REPRESENTATIONS", "represent", "tile_power"]

#: Representation names, in the order tables and figures show them.
REPRESENTATIONS = ("timeseries_raw", "timeseries_whitened", "fft", "spectrogram", "qtransform")

#: ``(frequencies, times)`` of the spectrogram and Q-transform images.
IMAGE_SHAPE = (64, 64)

#: Band of the |FFT| and of the images, Hz.
BAND = (20.0, 1000.0)

#: Spectrogram segment (s) and the fraction by which segments overlap.
SPECTROGRAM_SEGMENT, SPECTROGRAM_OVERLAP = 1 / 16, 0.75


def represent(samples: BNSSamples, name: str, batch: int = 256) -> np.ndarray:
    """One representation of every sample, with a channel axis, as float32.

    - ``timeseries_raw``: coloured strain over its standard deviation, ``(samples, 1)``;
    - ``timeseries_whitened``: strain whitened with the design PSD, ``(samples, 1)``;
    - ``fft``: ``|rfft|`` of the Hann-windowed whitened strain over ``sqrt(samples / 2)`` (noise bins near 1),
      20–1000 Hz, ``(bins, 1)``; the phase is dropped, as in the study reproduced;
    - ``spectrogram``: ``log10`` short-time power of the whitened strain relative to white noise (Hann
      segments of 1/16 s, 75 % overlap), on 64 linear rows over 20–1000 Hz and 64 time bins;
    - ``qtransform``: ``log10`` median-normalised Q-transform energy (Q = 8,
      :func:`mmlab.gw.timefreq.qtransform_energy`) on 64 log-spaced rows and 64 time bins.

    Images keep loudness (noise pixels near 0): a detector must see how loud a track is, not only its shape.

    Parameters
    ----------
    samples : BNSSamples
    name : str
        One of :data:`REPRESENTATIONS`.
    batch : int
        Samples transformed at once (memory).

    Returns
    -------
    numpy.ndarray
        ``(n, ..., 1)`` float32.
    """
    from scipy import signal

    check_choice("representation", name, REPRESENTATIONS)
    rate = samples.config.sample_rate
    n_samples = samples.whitened.shape[1]
    if name == "timeseries_raw":
        return samples.raw[..., None].astype(np.float32)
    if name == "timeseries_whitened":
        return samples.whitened[..., None].astype(np.float32)
    if name == "fft":
        frequencies = np.fft.rfftfreq(n_samples, 1 / rate)
        keep = (frequencies >= BAND[0]) & (frequencies <= BAND[1])
        window = signal.windows.hann(n_samples, sym=False) * np.sqrt(8 / 3)  # unit mean power
        amplitude = np.abs(np.fft.rfft(samples.whitened * window, axis=-1))[:, keep] / np.sqrt(n_samples / 2)
        return amplitude[..., None].astype(np.float32)
    rows, columns = IMAGE_SHAPE
    out = np.empty((len(samples), rows, columns, 1), np.float32)
    for first in range(0, len(samples), batch):
        part = samples.whitened[first:first + batch].astype(float)
        if name == "spectrogram":
            out[first:first + batch, ..., 0] = _spectrogram(part, rate, rows, columns)
        else:
            energy = qtransform_energy(part, rate, np.geomspace(*BAND, rows), columns, q=8.0)
            out[first:first + batch, ..., 0] = np.log10(energy + np.finfo(np.float32).tiny)
    return out


def tile_power(whitened: np.ndarray, sample_rate: float, segment: float = SPECTROGRAM_SEGMENT,
               overlap: float = SPECTROGRAM_OVERLAP) -> tuple[np.ndarray, np.ndarray]:
    """Short-time power of whitened strain relative to unit white noise (Hann segments, :func:`scipy.signal.spectrogram`).

    Returns
    -------
    frequencies : numpy.ndarray
        Hz, every rfft bin of a segment.
    power : numpy.ndarray
        ``(..., frequencies, segments)``; 1 on average in unit-variance white noise.
    """
    from scipy import signal

    nperseg = int(round(sample_rate * segment))
    frequencies, _, power = signal.spectrogram(whitened, fs=sample_rate, window="hann", nperseg=nperseg,
                                               noverlap=int(round(overlap * nperseg)), scaling="density",
                                               mode="psd", axis=-1)
    return frequencies, power / (2 / sample_rate)


def _spectrogram(whitened: np.ndarray, sample_rate: float, rows: int, columns: int) -> np.ndarray:
    """``log10`` power relative to unit white noise on ``rows`` × ``columns``, ``(n, rows, columns)``."""
    frequencies, power = tile_power(whitened, sample_rate)
    grid = np.linspace(*BAND, rows)
    lower = np.clip(np.searchsorted(frequencies, grid) - 1, 0, frequencies.size - 2)
    weight = (grid - frequencies[lower]) / (frequencies[lower + 1] - frequencies[lower])
    on_rows = power[:, lower, :] * (1 - weight)[:, None] + power[:, lower + 1, :] * weight[:, None]
    edges = np.linspace(0, on_rows.shape[-1], columns + 1).astype(int)
    binned = np.add.reduceat(on_rows, edges[:-1], axis=-1) / np.diff(edges)
    return np.log10(binned + np.finfo(float).tiny)
