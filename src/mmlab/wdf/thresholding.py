"""The WDF's per-window wavelet decomposition and thresholding rules, one function per rule.

A window of N whitened samples (in units of the noise σ) is decomposed to full
depth in an orthonormal basis (``mode="periodization"``: Parseval holds); the
window's noise level is ``σ_w = median(|c|) / 0.6745`` over all N
coefficients; a rule keeps the coefficients that stand out of it; the window's
SNR is ``sqrt(Σ kept²)``, ≈ the matched-filter SNR of what they rebuild.
The rules live in :data:`THRESHOLD_RULES`, a dispatch table like PyWavelets'
``pywt.threshold``, whose hard and soft functions the Donoho–Johnstone rule uses.

References
----------
.. [1] D. L. Donoho and I. M. Johnstone, "Ideal spatial adaptation by wavelet
   shrinkage", Biometrika 81 (1994) 425, doi:10.1093/biomet/81.3.425
.. [2] T. T. Cai, "Adaptive wavelet estimation: a block thresholding and oracle
   inequality approach", Ann. Statist. 27 (1999) 898, doi:10.1214/aos/1018031262
"""

from __future__ import annotations

import functools
import math
import warnings
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pywt

__all__ = [
    "BLOCK_LAMBDA", "DEFAULT_WAVELETS", "DETECTION_BLOCK_THRESHOLD", "MAD_SCALE", "THRESHOLD_MODES",
    "THRESHOLD_RULES", "block_length", "block_threshold", "check_wavelet", "dj_threshold", "threshold_coefficients",
    "window_coefficients", "window_sigma",
]

#: Orthonormal bases tried in every window by default (Haar, Daubechies, Symlets, Coiflets).
DEFAULT_WAVELETS = ("haar", "db2", "db4", "sym4", "coif1", "db6")

#: How kept coefficients are treated: kept as they are, or shrunk by the threshold.
THRESHOLD_MODES = ("hard", "soft")

#: Median of |z| for a standard normal z: σ = median(|c|) / 0.6745 (MAD estimator).
MAD_SCALE = 0.6744897501960817

#: Block-thresholding constant λ* of Cai (1999), the root of λ − ln λ = 3 (optimal for denoising).
BLOCK_LAMBDA = 4.505241495792883

#: Default block threshold of :class:`~mmlab.wdf.WaveletDetectionFilter`, tuned for detection: at one false
#: alarm per hour on design-curve Gaussian noise it finds more sine-Gaussians, CCSN, blips and
#: scattered-light glitches at every SNR than λ* (``benchmarks/wdf_efficiency.py`` compares them).
DETECTION_BLOCK_THRESHOLD = 7.0


def check_wavelet(name: str) -> pywt.Wavelet:
    """The :class:`pywt.Wavelet` called ``name`` if it is orthogonal, else raise listing valid names."""
    import pywt

    valid = _orthogonal_wavelets()
    if name not in valid:
        raise ValueError(f"wavelet must be an orthogonal PyWavelets wavelet such as {valid[:8]} ..., got {name!r}")
    return pywt.Wavelet(name)


@functools.lru_cache(maxsize=1)
def _orthogonal_wavelets() -> tuple[str, ...]:
    import pywt

    return tuple(w for w in pywt.wavelist(kind="discrete") if pywt.Wavelet(w).orthogonal)


def window_coefficients(windows: np.ndarray, wavelet: str) -> list[np.ndarray]:
    """Full-depth periodized DWT of each window (the WDF's per-window definition).

    Parameters
    ----------
    windows : numpy.ndarray
        ``(n_windows, N)`` whitened samples, N a power of two.
    wavelet : str
        An orthogonal PyWavelets wavelet.

    Returns
    -------
    list of numpy.ndarray
        ``[cA_J, cD_J, …, cD_1]`` (PyWavelets order), each ``(n_windows, size)``,
        ``J = log2 N``; together N coefficients per window.
    """
    import pywt

    n = windows.shape[-1]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # full depth: PyWavelets warns of boundary effects
        return pywt.wavedec(windows, wavelet, mode="periodization", level=int(math.log2(n)), axis=-1)


def window_sigma(flat: np.ndarray) -> np.ndarray:
    """Each window's noise level ``σ_w = median(|c|) / 0.6745`` over its coefficients, shape ``(n, 1)``."""
    return np.median(np.abs(flat), axis=-1, keepdims=True) / MAD_SCALE


def block_length(n: int) -> int:
    """Coefficients per block of the block rule: ``round(ln N)`` (7 for N = 1024)."""
    return max(1, int(round(np.log(n))))


def dj_threshold(flat: np.ndarray, sizes: tuple[int, ...], sigma: np.ndarray, mode: str,
                 block_threshold: float) -> np.ndarray:
    """Donoho–Johnstone universal rule: keep ``|c| >= λ = σ_w sqrt(2 ln N)`` (hard), or shrink by λ (soft).

    Applied with :func:`pywt.threshold` to every window's ``N`` coefficients (levels side by side in
    ``flat``); ``sizes`` and ``block_threshold`` are not used.
    """
    import pywt

    return pywt.threshold(flat, sigma * np.sqrt(2 * np.log(flat.shape[-1])), mode=mode)


@functools.lru_cache(maxsize=32)
def _block_layout(sizes: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Start and length of every block of the block rule, levels side by side (blocks never straddle levels)."""
    block = block_length(sum(sizes))
    offsets = np.cumsum((0,) + sizes[:-1])
    starts = np.concatenate([offset + np.arange(0, size, block) for offset, size in zip(offsets, sizes)])
    ends = np.concatenate([np.minimum(offset + np.arange(0, size, block) + block, offset + size)
                           for offset, size in zip(offsets, sizes)])
    return starts, ends - starts


def block_threshold(flat: np.ndarray, sizes: tuple[int, ...], sigma: np.ndarray, mode: str,
                    block_threshold: float) -> np.ndarray:
    """Block rule (Cai 1999): every level is cut into blocks of :func:`block_length` coefficients,
    and a block is kept whole when its energy exceeds ``λ · length · σ_w²``.

    PyWavelets has no block rule, so it is written here, for all levels at
    once (``flat`` holds them side by side, ``sizes`` says where they end).
    Blocks are kept or dropped whole: only ``mode="hard"`` makes sense.
    """
    if mode != "hard":
        raise ValueError("block thresholding keeps whole blocks: use mode='hard'")
    starts, lengths = _block_layout(tuple(int(n) for n in sizes))
    energy = np.add.reduceat(flat**2, starts, axis=-1)
    keep = energy > block_threshold * lengths * sigma**2
    return np.where(np.repeat(keep, lengths, axis=-1), flat, 0.0)


#: Thresholding rules by name: ``rule(flat, sizes, sigma, mode, block_threshold) -> kept`` (levels side by side).
THRESHOLD_RULES = {"dj": dj_threshold, "block": block_threshold}


def threshold_coefficients(
    coefficients: list[np.ndarray], rule: str = "dj", mode: str = "hard", block_threshold: float = BLOCK_LAMBDA,
) -> tuple[np.ndarray, list[np.ndarray]]:
    """Threshold each window's coefficients with one of :data:`THRESHOLD_RULES` and measure its SNR.

    Parameters
    ----------
    coefficients : list of numpy.ndarray
        Output of :func:`window_coefficients` (data in units of the noise σ).
    rule, mode : str
        A key of :data:`THRESHOLD_RULES` and one of :data:`THRESHOLD_MODES`.
    block_threshold : float
        λ of the block rule.

    Returns
    -------
    snr : numpy.ndarray
        ``sqrt(Σ kept²)`` per window.
    kept : list of numpy.ndarray
        The coefficients after thresholding (zeros where removed), same layout.
    """
    if rule not in THRESHOLD_RULES:
        raise ValueError(f"rule must be one of {list(THRESHOLD_RULES)}, got {rule!r}")
    if mode not in THRESHOLD_MODES:
        raise ValueError(f"mode must be one of {list(THRESHOLD_MODES)}, got {mode!r}")
    flat = np.concatenate(coefficients, axis=-1)
    sizes = tuple(level.shape[-1] for level in coefficients)
    kept = THRESHOLD_RULES[rule](flat, sizes, window_sigma(flat), mode, block_threshold)
    snr = np.sqrt(np.sum(kept**2, axis=-1))
    return snr, np.split(kept, np.cumsum(sizes)[:-1], axis=-1)
