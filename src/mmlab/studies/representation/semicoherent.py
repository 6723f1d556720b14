"""The best a detector can do from spectrogram power alone: each template's track, stacked on the spectrogram.

A spectrogram keeps each tile's power and drops its phase, so a detector that sees only the spectrogram can at
best add the power along the track the signal would leave. For a weak signal the locally most powerful such
statistic weights every tile by the power the signal is expected to put there (Anderson et al. 2001's
excess-power argument, and the semi-coherent stacks of continuous-wave searches, Brady & Creighton 2000):

    S = Σ_tiles K(f, t − τ) · (P(f, t) − 1) / ‖K‖,

with ``P`` the tile power relative to the noise (1 on average in whitened noise) and ``K`` the template's own
spectrogram, maximised over a bank of templates and merger times ``τ``, as the matched filter is. Comparing a
spectrogram network with this statistic tells whether the network, or the representation, loses the sensitivity.
Written here because no library offers a stack over a bank of chirp tracks; scipy makes the spectrograms.
"""

from __future__ import annotations

import numpy as np

from mmlab.core.validation import check_in_range, check_positive
from mmlab.studies.representation.matched_filter import TemplateBank
from mmlab.studies.representation.representations import (
    BAND,
    SPECTROGRAM_OVERLAP,
    SPECTROGRAM_SEGMENT,
    tile_power,
)

__all__ = ["semicoherent_statistic"]


def _power(whitened: np.ndarray, sample_rate: float, segment: float, overlap: float) -> np.ndarray:
    """Tile power over the band relative to unit white noise, ``(n, frequencies, times)``."""
    frequencies, power = tile_power(whitened, sample_rate, segment, overlap)
    return power[..., (frequencies >= BAND[0]) & (frequencies <= BAND[1]), :]


def semicoherent_statistic(whitened: np.ndarray, bank: TemplateBank, segment: float = SPECTROGRAM_SEGMENT,
                           overlap: float = SPECTROGRAM_OVERLAP, batch: int = 250) -> np.ndarray:
    """Largest template-weighted power stack of each whitened sample over the bank and merger times.

    Parameters
    ----------
    whitened : numpy.ndarray
        ``(n, samples)`` unit-variance whitened strain (:class:`BNSSamples` ``whitened``).
    bank : TemplateBank
        The matched filter's templates; their spectrograms are the weights.
    segment, overlap : float
        Spectrogram segment in s and the fraction by which segments overlap (those of the ``spectrogram``
        representation by default).
    batch : int
        Samples stacked at once (memory).

    Returns
    -------
    numpy.ndarray
        ``(n,)``: for each template and each merger time in the window's ``merger_range`` (as the matched filter
        searches), the weighted sum of excess tile power over the tiles the template overlaps, divided by the
        norm of those weights; the largest of them.
    """
    check_positive("segment", segment, "s")
    check_in_range("overlap", overlap, 0.0, 0.95)
    whitened = np.atleast_2d(np.asarray(whitened, dtype=float))
    window, rate = bank.templates.shape[1], bank.config.sample_rate
    if whitened.shape[1] != window:
        raise ValueError(f"samples have {whitened.shape[1]} points, the bank's templates {window}")
    nperseg = int(round(segment * rate))
    step = nperseg - int(round(overlap * nperseg))
    if not 0 < nperseg <= window:
        raise ValueError(f"segment={segment} s must hold between 1 and {window} samples at {rate:g} Hz")
    # Each template ends (merges) at the last sample of a double window, so every merger time is a slide.
    placed = np.zeros((len(bank.templates), 2 * window))
    placed[:, window:] = bank.templates.real
    weights = _power(placed, rate, segment, overlap)  # (templates, frequencies, columns)
    columns = (window - nperseg) // step + 1
    size = columns + weights.shape[-1]
    kernels = np.conj(np.fft.rfft(weights, n=size, axis=-1))
    # Template column j lies on data column j + lag; its merger (sample 2·window − 1) then falls on data sample
    # 2·window − 1 + lag·step. Only the tiles inside the data count, so each lag is normalised by their weights.
    low, high = bank.config.merger_range
    first = int(np.floor((np.floor(low * (window - 1)) - 2 * window + 1) / step))
    last = int(np.ceil((np.ceil(high * (window - 1)) - 2 * window + 1) / step))
    lags = np.arange(first, last + 1) % size
    inside = np.fft.rfft(np.ones(columns), n=size)
    overlapping = np.fft.irfft(inside * np.conj(np.fft.rfft(weights**2, n=size, axis=-1)).sum(axis=1), n=size)
    norm = np.sqrt(np.maximum(overlapping[:, lags], np.finfo(float).tiny))
    out = np.empty(len(whitened))
    for start in range(0, len(whitened), batch):
        excess = np.fft.rfft(_power(whitened[start:start + batch], rate, segment, overlap) - 1.0, n=size, axis=-1)
        stacks = np.fft.irfft(np.einsum("nfk,tfk->ntk", excess, kernels), n=size, axis=-1)[..., lags]
        out[start:start + batch] = (stacks / norm[None]).max(axis=(1, 2))
    return out
