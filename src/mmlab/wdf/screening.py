"""Screening: an upper bound on every window's WDF SNR from one transform of the whole chunk.

Overlapping windows share most of their wavelet coefficients: with a step that
is a multiple of ``2^j``, a window's level-``j`` coefficients equal those of
the whole chunk's transform at an offset, except a few near the window's ends
(where periodization wraps). So each chunk is transformed once per basis, the
few boundary coefficients of every window are computed from small index
tables, and per-window sums come from cumulative sums. This bounds every
window's SNR from above; only windows whose bound reaches the threshold are
decomposed in full (:mod:`mmlab.wdf.thresholding`), exactly as the
per-window definition says (the tests compare the two on noise with
injections). Written here because no wavelet library shares coefficients
between overlapping windows.
"""

from __future__ import annotations

import functools
import math
import warnings
from dataclasses import dataclass

import numpy as np

from mmlab.wdf.thresholding import BLOCK_LAMBDA, MAD_SCALE, block_length

__all__ = ["SCREEN_FRACTION", "screen_windows"]

#: Screening uses a lower bound ``SCREEN_FRACTION * 0.6745`` on median(|c|) of whitened noise.
SCREEN_FRACTION = 0.9


@dataclass(frozen=True)
class _SharedLevel:
    """Index tables for one shared level of a basis' cascade (see :func:`_shared_plan`)."""

    affected: np.ndarray  # output positions that differ from the chunk transform's
    interior: tuple[int, int]  # the other outputs, a contiguous range [start, stop)
    gather: np.ndarray  # (len(affected), taps): columns of the source matrix per stencil tap
    interior_inputs: np.ndarray  # input positions read from the chunk transform
    lowpass: np.ndarray  # (len(affected), taps) weights
    highpass: np.ndarray


@dataclass(frozen=True)
class _SharedPlan:
    levels: tuple[_SharedLevel, ...]
    depth: int  # total number of levels, log2 N


@functools.lru_cache(maxsize=64)
def _shared_plan(wavelet: str, window: int, step: int) -> _SharedPlan:
    """Which coefficients of a window equal the chunk transform's, level by level.

    A level's stencil (input offsets and weights of each output) is read off
    PyWavelets' own transform of unit vectors, so the tables follow its
    conventions exactly. Levels are shared while ``2^j`` divides the step and
    the level is long enough for interior coefficients to exist.
    """
    import pywt

    filter_length = pywt.Wavelet(wavelet).dec_len
    depth = int(math.log2(window))
    affected_inputs = np.zeros(0, dtype=np.int64)
    levels = []
    size = window
    for j in range(1, depth + 1):
        if step % (2**j) or size // 2 < 2 * filter_length:
            break
        identity = np.eye(size)
        lowpass_matrix, highpass_matrix = pywt.dwt(identity, wavelet, mode="periodization", axis=-1)
        # lowpass_matrix[i, k]: weight of input i in output k.
        middle = size // 4
        offsets = np.flatnonzero((lowpass_matrix[:, middle] != 0) | (highpass_matrix[:, middle] != 0)) - 2 * middle
        outputs = np.arange(size // 2)
        raw = 2 * outputs[:, None] + offsets[None, :]
        inputs = np.mod(raw, size)
        wraps = np.any(raw != inputs, axis=1)
        touches = np.isin(inputs, affected_inputs).any(axis=1)
        affected = np.flatnonzero(wraps | touches)
        interior = np.setdiff1d(outputs, affected)
        if interior.size == 0 or interior[-1] - interior[0] + 1 != interior.size:
            break
        stencil = inputs[affected]
        interior_inputs = np.setdiff1d(np.unique(stencil), affected_inputs)
        # Source matrix per window: [affected values of the previous level | interior inputs].
        column = {int(p): c for c, p in enumerate(affected_inputs)}
        column.update({int(p): len(affected_inputs) + c for c, p in enumerate(interior_inputs)})
        gather = np.vectorize(column.__getitem__)(stencil) if stencil.size else stencil
        levels.append(_SharedLevel(
            affected=affected, interior=(int(interior[0]), int(interior[-1]) + 1), gather=gather,
            interior_inputs=interior_inputs,
            lowpass=lowpass_matrix[stencil, affected[:, None]], highpass=highpass_matrix[stencil, affected[:, None]],
        ))
        affected_inputs = affected
        size //= 2
    return _SharedPlan(tuple(levels), depth)


def _cumulative(values: np.ndarray, dtype) -> np.ndarray:
    """Running sum with a leading zero, ``out[i] = values[:i].sum()`` (one pass, no extra copy)."""
    out = np.empty(values.size + 1, dtype=dtype)
    out[0] = 0
    np.cumsum(values, dtype=dtype, out=out[1:])
    return out


def _block_edges(size: int, block: int) -> tuple[np.ndarray, np.ndarray]:
    """Start and stop of the thresholding blocks of a level of ``size`` coefficients."""
    starts = np.arange(0, size, block)
    return starts, np.minimum(starts + block, size)


def screen_windows(
    chunk: np.ndarray, starts: np.ndarray, window: int, step: int, wavelet: str, rule: str = "dj",
    block_threshold: float = BLOCK_LAMBDA,
) -> tuple[np.ndarray, np.ndarray]:
    """Statistics bounding each window's SNR, from one transform of the whole chunk.

    With ``σ_lo = SCREEN_FRACTION`` (whitened noise has σ = 1): if at least
    N/2 + 1 coefficients have ``|c| >= σ_lo · 0.6745``, the window's median
    gives ``σ_w >= σ_lo``, so every coefficient (``"dj"``) or block
    (``"block"``) the rule keeps passes the lower cut made with ``σ_lo``, and
    the energy passing that cut bounds SNR².

    Parameters
    ----------
    chunk : numpy.ndarray
        Whitened samples in units of σ; windows start at ``starts`` (multiples
        of ``step``), and its length is a multiple of every shared level's ``2^j``.
    starts : numpy.ndarray
        Start index of each window in ``chunk``.
    window, step : int
        Window length N and step between windows, in samples.
    wavelet : str
        The basis.
    rule : str
        ``"dj"`` or ``"block"`` (see :func:`threshold_coefficients`).
    block_threshold : float
        λ of the block rule.

    Returns
    -------
    count_above_median_bound : numpy.ndarray
        Per window, the number of coefficients with ``|c| >= σ_lo · 0.6745``.
    energy_bound : numpy.ndarray
        Per window, the energy passing the rule's cut made with ``σ_lo``.
    """
    import pywt

    plan = _shared_plan(wavelet, window, step)
    median_bound_sq = (SCREEN_FRACTION * MAD_SCALE) ** 2
    threshold_bound_sq = SCREEN_FRACTION**2 * 2 * np.log(window)
    block = block_length(window)
    # A block of n coefficients passes when its energy exceeds λ* n σ_lo² (a hair lower, for round-off).
    block_cut = block_threshold * SCREEN_FRACTION**2 * (1 - 1e-9)

    def explicit_bounds(levels: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """Count and energy bound over explicitly known coefficient arrays (whole levels)."""
        count = sum((level * level >= median_bound_sq).sum(axis=-1) for level in levels)
        if rule == "dj":
            energy = sum(np.where(level * level >= threshold_bound_sq, level * level, 0.0).sum(axis=-1) for level in levels)
        else:
            energy = 0.0
            for level in levels:
                first, stop = _block_edges(level.shape[-1], block)
                energies = np.add.reduceat(level * level, first, axis=-1)
                energy = energy + np.where(energies > block_cut * (stop - first), energies, 0.0).sum(axis=-1)
        return count, energy

    counts = np.zeros(starts.size, dtype=np.int64)
    energies = np.zeros(starts.size)
    approximation = chunk
    previous_affected = np.zeros((starts.size, 0))
    for j, level in enumerate(plan.levels, start=1):
        offset_in = starts // 2 ** (j - 1)
        offsets = starts // 2**j
        next_approximation, detail = pywt.dwt(approximation, wavelet, mode="periodization")
        squared = detail * detail
        # Affected coefficients, computed per window from the previous level's values.
        source = np.concatenate([previous_affected, approximation[offset_in[:, None] + level.interior_inputs]], axis=1)
        gathered = source[:, level.gather]
        affected_detail = np.einsum("wkt,kt->wk", gathered, level.highpass)
        previous_affected = np.einsum("wkt,kt->wk", gathered, level.lowpass)
        # Interior coefficients: sums over ranges of the chunk's level, from running sums.
        first, stop = level.interior
        cumulative_count = _cumulative(squared >= median_bound_sq, np.int32)
        counts += cumulative_count[offsets + stop] - cumulative_count[offsets + first]
        counts += (affected_detail**2 >= median_bound_sq).sum(axis=-1)
        if rule == "dj":
            cumulative_energy = _cumulative(np.where(squared >= threshold_bound_sq, squared, 0.0), np.float64)
            energies += cumulative_energy[offsets + stop] - cumulative_energy[offsets + first]
            energies += np.where(affected_detail**2 >= threshold_bound_sq, affected_detail**2, 0.0).sum(axis=-1)
        else:
            # Block energies from the chunk's cumulative energy, corrected where the window differs.
            cumulative = _cumulative(squared, np.float64)
            block_first, block_stop = _block_edges(window // 2**j, block)
            block_energy = cumulative[offsets[:, None] + block_stop] - cumulative[offsets[:, None] + block_first]
            correction = affected_detail**2 - squared[offsets[:, None] + level.affected]
            block_energy += correction @ (level.affected[:, None] // block == np.arange(block_first.size)[None, :])
            energies += np.where(block_energy > block_cut * (block_stop - block_first), block_energy, 0.0).sum(axis=-1)
        approximation = next_approximation
    # Deeper levels: assemble each window's approximation and decompose it explicitly.
    shared = len(plan.levels)
    size = window // 2**shared
    if shared:
        offsets = starts // 2**shared
        assembled = approximation[offsets[:, None] + np.arange(size)]
        assembled[:, plan.levels[-1].affected] = previous_affected
    else:
        assembled = chunk[starts[:, None] + np.arange(window)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        deeper = pywt.wavedec(assembled, wavelet, mode="periodization", level=plan.depth - shared, axis=-1)
    count, energy = explicit_bounds(deeper)
    return counts + count, energies + energy
