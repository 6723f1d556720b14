"""Detection statistics as the field reports them (MLGWSC-1, Schäfer et al. 2023): TPR at a false-alarm
probability set on held-out noise, efficiency against SNR, and the sensitive distance, with bootstrap intervals."""

from __future__ import annotations

import numpy as np

from mmlab.core.seeding import RandomState, as_generator
from mmlab.core.statistics import binomial_interval

__all__ = ["efficiency_by_snr", "sensitive_distance_ratio", "threshold_at_fap", "tpr_at_fap"]


def _scores(values, what: str) -> np.ndarray:
    values = np.asarray(values, dtype=float)
    if values.ndim != 1 or values.size == 0 or not np.all(np.isfinite(values)):
        raise ValueError(f"{what} must be a non-empty 1-D array of finite scores, got shape {values.shape}")
    return values


def threshold_at_fap(noise_scores, fap: float) -> float:
    """The score that at most a fraction ``fap`` of noise samples exceed (a detection needs a score above it).

    Raises
    ------
    ValueError
        If fewer than ``1 / fap`` noise samples are given: the rate could not be measured.
    """
    noise = np.sort(_scores(noise_scores, "noise_scores"))
    if not 0 < fap < 1:
        raise ValueError(f"fap must lie in (0, 1), got {fap!r}")
    if noise.size * fap < 1:
        raise ValueError(f"a false-alarm probability of {fap:g} needs at least {int(np.ceil(1 / fap))} noise "
                         f"samples, got {noise.size}")
    return float(noise[noise.size - 1 - int(np.floor(fap * noise.size))])


def tpr_at_fap(noise_scores, signal_scores, fap: float, n_bootstrap: int = 1000, confidence: float = 0.9,
               seed: RandomState = 0) -> tuple[float, float, float]:
    """True-positive rate at a false-alarm probability, with a bootstrap interval over noise and signals both.

    Returns
    -------
    tpr, low, high : float
        The rate and its ``confidence`` percentile interval (noise and signal samples resampled together,
        so the threshold's own uncertainty is included).
    """
    noise, signals = _scores(noise_scores, "noise_scores"), _scores(signal_scores, "signal_scores")
    threshold = threshold_at_fap(noise, fap)
    rng = as_generator(seed)
    rates = np.empty(int(n_bootstrap))
    for k in range(rates.size):
        resampled = threshold_at_fap(rng.choice(noise, noise.size), fap)
        rates[k] = np.mean(rng.choice(signals, signals.size) > resampled)
    tail = (1 - confidence) / 2
    return float(np.mean(signals > threshold)), float(np.quantile(rates, tail)), float(np.quantile(rates, 1 - tail))


def efficiency_by_snr(signal_scores, snr, threshold: float, edges, confidence: float = 0.9) -> dict[str, np.ndarray]:
    """Fraction of signals above ``threshold`` in SNR bins, with Clopper–Pearson intervals.

    Returns
    -------
    dict
        ``snr`` (bin centres), ``efficiency``, ``low``, ``high``, ``n`` per bin.
    """
    scores, snr = _scores(signal_scores, "signal_scores"), np.asarray(snr, dtype=float)
    if snr.shape != scores.shape:
        raise ValueError(f"give one SNR per score, got {snr.shape} and {scores.shape}")
    edges = np.asarray(edges, dtype=float)
    found = scores > threshold
    rows = {"snr": (edges[:-1] + edges[1:]) / 2, "efficiency": [], "low": [], "high": [], "n": []}
    for low, high in zip(edges[:-1], edges[1:]):
        inside = (snr >= low) & (snr < high)
        hits, total = int(found[inside].sum()), int(inside.sum())
        interval = binomial_interval(hits, total, confidence) if total else (np.nan, np.nan)
        rows["efficiency"].append(hits / total if total else np.nan)
        rows["low"].append(interval[0])
        rows["high"].append(interval[1])
        rows["n"].append(total)
    return {name: np.asarray(values, dtype=float) for name, values in rows.items()}


def _volume(found: np.ndarray, snr: np.ndarray, snr_range: tuple[float, float]) -> float:
    low, high = snr_range
    weights = snr**-4.0
    return float(np.mean(found * weights) * (high - low) + high**-3 / 3)


def sensitive_distance_ratio(found, reference_found, snr, snr_range: tuple[float, float], n_bootstrap: int = 1000,
                             confidence: float = 0.9, seed: RandomState = 0) -> tuple[float, float, float]:
    """Sensitive distance of one detector over a reference's, from detections of the same signals.

    A source's SNR falls as ``1/d``, so for sources uniform in volume the sensitive volume is
    ``V ∝ ∫ ε(ρ) ρ⁻⁴ dρ``. With injections drawn uniformly in ``snr_range`` that integral is the mean of
    ``found · ρ⁻⁴`` times the range's width, plus ``ρ_max⁻³ / 3`` (every louder source taken as found) and
    nothing below ``ρ_min``; the ratio of distances is the cube root of the ratio of volumes.

    Parameters
    ----------
    found, reference_found : array_like of bool
        Whether each signal is detected (at the same false-alarm probability) by each detector.
    snr : array_like
        Optimal SNR of each signal, drawn uniformly in ``snr_range``.
    snr_range : tuple of float

    Returns
    -------
    ratio, low, high : float
        The ratio and its bootstrap interval (signals resampled).
    """
    found, reference = np.asarray(found, dtype=float), np.asarray(reference_found, dtype=float)
    snr = np.asarray(snr, dtype=float)
    if not (found.shape == reference.shape == snr.shape) or found.ndim != 1 or found.size == 0:
        raise ValueError(f"give one detection flag per SNR for both, got shapes {found.shape}, {reference.shape}, "
                         f"{snr.shape}")
    if np.any(snr < snr_range[0] - 1e-9) or np.any(snr > snr_range[1] + 1e-9):
        raise ValueError(f"the SNRs must lie in snr_range={snr_range}, got {snr.min():g} to {snr.max():g}")
    ratio = (_volume(found, snr, snr_range) / _volume(reference, snr, snr_range)) ** (1 / 3)
    rng = as_generator(seed)
    draws = np.empty(int(n_bootstrap))
    for k in range(draws.size):
        pick = rng.integers(0, snr.size, snr.size)
        draws[k] = (_volume(found[pick], snr[pick], snr_range) / _volume(reference[pick], snr[pick], snr_range)) ** (1 / 3)
    tail = (1 - confidence) / 2
    return float(ratio), float(np.quantile(draws, tail)), float(np.quantile(draws, 1 - tail))
