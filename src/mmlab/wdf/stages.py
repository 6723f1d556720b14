"""One window through the WDF's stages, for display and teaching: decompose, threshold, rebuild."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from mmlab.core.strain import Strain
from mmlab.wdf.thresholding import (
    DETECTION_BLOCK_THRESHOLD,
    check_wavelet,
    threshold_coefficients,
    window_coefficients,
)

__all__ = ["WindowStages", "window_stages"]


@dataclass(frozen=True)
class WindowStages:
    """One window through the WDF's stages, for display (see :func:`window_stages`).

    Attributes
    ----------
    times : numpy.ndarray
        GPS time of each sample of the window.
    whitened : numpy.ndarray
        The whitened samples (units of σ).
    coefficients, kept : list of numpy.ndarray
        Wavelet coefficients per level (PyWavelets order) before and after thresholding.
    reconstruction : numpy.ndarray
        The transient rebuilt from the kept coefficients.
    snr : float
        The window's SNR in this basis.
    """

    times: np.ndarray
    whitened: np.ndarray
    coefficients: list
    kept: list
    reconstruction: np.ndarray
    snr: float


def window_stages(
    whitened: Strain, start: float, window: int, wavelet: str, rule: str = "block", mode: str = "hard",
    block_threshold: float = DETECTION_BLOCK_THRESHOLD,
) -> WindowStages:
    """Decompose, threshold and rebuild one window of whitened strain (what the WDF does to each).

    Parameters
    ----------
    whitened : Strain
        Whitened strain in units of σ (:meth:`mmlab.wdf.WaveletDetectionFilter.whiten`).
    start : float
        GPS time of the window's first sample (rounded to a sample).
    window : int
        Window length in samples (a power of two).
    wavelet, rule, mode, block_threshold
        As for :class:`mmlab.wdf.WaveletDetectionFilter`.

    Returns
    -------
    WindowStages
    """
    import pywt

    check_wavelet(wavelet)
    if isinstance(window, bool) or int(window) != window or window < 8 or window & (window - 1):
        raise ValueError(f"window must be a power of two of at least 8 samples, got {window!r}")
    first = int(round((start - whitened.t0) * whitened.sample_rate))
    if not 0 <= first <= len(whitened) - window:
        raise ValueError(
            f"a window of {window} samples starting at GPS {start} does not fit in the strain "
            f"(GPS {whitened.t0} to {whitened.t_end})"
        )
    samples = whitened.data[None, first:first + window]
    coefficients = window_coefficients(samples, wavelet)
    snr, kept = threshold_coefficients(coefficients, rule, mode, block_threshold)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        reconstruction = pywt.waverec(kept, wavelet, mode="periodization", axis=-1)[0]
    return WindowStages(
        times=whitened.t0 + (first + np.arange(window)) / whitened.sample_rate, whitened=samples[0],
        coefficients=[c[0] for c in coefficients], kept=[k[0] for k in kept], reconstruction=reconstruction,
        snr=float(snr[0]),
    )
