"""How well redshifts are estimated: scatter and bias with bootstrap intervals, and calibration of uncertainties."""

from __future__ import annotations

import numpy as np

from mmlab.core.seeding import RandomState, as_generator

__all__ = ["interval_coverage", "redshift_scatter", "sigma_scale"]


def redshift_scatter(predicted, true, n_bootstrap: int = 1000, confidence: float = 0.9,
                     seed: RandomState = 0) -> dict[str, float]:
    """Scatter and bias of ``Δz / (1 + z)`` with bootstrap intervals (:func:`scipy.stats.bootstrap`).

    Returns
    -------
    dict
        ``sigma`` (standard deviation of ``(z_pred − z_true) / (1 + z_true)``),
        ``bias`` (its mean), and ``sigma_low``, ``sigma_high``, ``bias_low``,
        ``bias_high``: percentile bootstrap interval at ``confidence``.
    """
    from scipy.stats import bootstrap

    predicted, true = np.asarray(predicted, dtype=float).ravel(), np.asarray(true, dtype=float).ravel()
    if predicted.shape != true.shape or predicted.size < 2:
        raise ValueError(f"predicted and true redshifts must have one shape of at least 2, got {predicted.shape} "
                         f"and {true.shape}")
    scaled = (predicted - true) / (1 + true)
    rng = as_generator(seed)
    intervals = {}
    for name, statistic in (("sigma", lambda x, axis: np.std(x, axis=axis, ddof=1)), ("bias", np.mean)):
        result = bootstrap((scaled,), statistic, n_resamples=n_bootstrap, confidence_level=confidence,
                           method="percentile", rng=rng)
        intervals[f"{name}_low"] = float(result.confidence_interval.low)
        intervals[f"{name}_high"] = float(result.confidence_interval.high)
    return {"sigma": float(scaled.std(ddof=1)), "bias": float(scaled.mean()), **intervals}


def interval_coverage(predicted, sigma, true, levels=(0.5, 0.683, 0.9, 0.954)) -> np.ndarray:
    """Fraction of events whose true value lies within the Gaussian interval of each probability level.

    A calibrated uncertainty gives fractions equal to ``levels``; smaller
    fractions mean the predicted ``sigma`` is too small (over-confident).
    """
    from scipy.stats import norm

    predicted, sigma, true = (np.asarray(a, dtype=float).ravel() for a in (predicted, sigma, true))
    if np.any(sigma <= 0):
        raise ValueError("every predicted sigma must be positive")
    half_widths = norm.ppf((1 + np.asarray(levels)) / 2)
    return np.array([np.mean(np.abs(predicted - true) <= k * sigma) for k in half_widths])


def sigma_scale(predicted, sigma, true, level: float = 0.683) -> float:
    """Factor that makes MC-dropout intervals calibrated on held-out events.

    MC dropout measures how much the network's answer moves when units are
    dropped, not the scatter of the data, and is often over-confident. The
    factor is the ``level`` quantile of ``|z_pred − z_true| / sigma`` over
    (validation) events divided by the Gaussian value for that level:
    multiply the test-set sigmas by it.
    """
    from scipy.stats import norm

    predicted, sigma, true = (np.asarray(a, dtype=float).ravel() for a in (predicted, sigma, true))
    if np.any(sigma <= 0):
        raise ValueError("every predicted sigma must be positive")
    return float(np.quantile(np.abs(predicted - true) / sigma, level) / norm.ppf((1 + level) / 2))
