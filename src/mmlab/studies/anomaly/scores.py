"""Anomaly scores of conditioned windows: autoencoder reconstruction error against excess power.

Thresholds and false-alarm rates follow the convention of
:mod:`mmlab.core.statistics`: a window is an alarm when its score is at or
above the threshold.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from mmlab.core.statistics import alarms, binomial_interval
from mmlab.ml.evaluation import roc_curve
from mmlab.studies.anomaly.windows import WindowConfig

if TYPE_CHECKING:
    import keras
    from astropy.table import Table

__all__ = ["anomaly_scores", "check_windows", "detection_table", "excess_power", "rank_of_time", "reconstruct"]


def check_windows(windows, config: WindowConfig | None = None) -> np.ndarray:
    """Windows as a finite float32 ``(n, samples)`` array, checked against ``config`` if given."""
    windows = np.asarray(windows, dtype=np.float32)
    if windows.ndim != 2 or windows.shape[0] == 0:
        raise ValueError(f"windows must be a non-empty (n, samples) array, got shape {windows.shape}")
    if config is not None and windows.shape[1] != config.samples:
        raise ValueError(
            f"windows of {windows.shape[1]} samples do not fit {config.samples}-sample windows "
            f"({config.duration:g} s at {config.sample_rate:g} Hz)"
        )
    if not np.all(np.isfinite(windows)):
        bad = int(np.argmax(~np.all(np.isfinite(windows), axis=1)))
        raise ValueError(f"windows hold NaN or infinite samples (first in window {bad}); crop the data gap out")
    return windows


def excess_power(windows) -> np.ndarray:
    """The baseline score: mean square of each conditioned window (its energy per sample)."""
    windows = check_windows(windows)
    return np.mean(np.square(windows, dtype=np.float64), axis=1)


def reconstruct(model: keras.Model, windows, batch_size: int = 512) -> np.ndarray:
    """The autoencoder's reconstruction of each window, ``(n, samples)``.

    Raises
    ------
    ValueError
        If the windows are not as long as the model's input, or hold NaN.
    """
    windows = check_windows(windows)
    expected = int(model.input_shape[1])
    if windows.shape[1] != expected:
        raise ValueError(f"model {model.name!r} takes windows of {expected} samples, got {windows.shape[1]}")
    return np.asarray(model.predict(windows[..., None], batch_size=batch_size, verbose=0))[..., 0]


def anomaly_scores(model: keras.Model, windows, batch_size: int = 512) -> tuple[np.ndarray, np.ndarray]:
    """Reconstruction mean squared error per window, and the squared residual per sample.

    Returns
    -------
    scores : numpy.ndarray
        ``(n,)`` mean of ``(window − reconstruction)²``.
    residuals : numpy.ndarray
        ``(n, samples)`` the squared residual: where in the window the anomaly sits.
    """
    windows = check_windows(windows)
    residuals = np.square(windows - reconstruct(model, windows, batch_size))
    return residuals.mean(axis=1, dtype=np.float64), residuals


def rank_of_time(scores, starts, duration: float, gps: float) -> int:
    """Rank (1 = highest score) of the best window containing GPS time ``gps``.

    Raises
    ------
    ValueError
        If no window contains ``gps``.
    """
    scores, starts = np.asarray(scores, dtype=float), np.asarray(starts, dtype=float)
    holding = (starts <= gps) & (gps < starts + duration)
    if not holding.any():
        raise ValueError(f"no window contains GPS {gps}; windows span {starts.min():.3f}–{starts.max() + duration:.3f}")
    return int(np.sum(scores > scores[holding].max())) + 1


def detection_table(noise_scores: dict, injected_scores: dict, thresholds: dict, confidence: float = 0.9) -> Table:
    """AUC and efficiency at threshold of several scores on the same noise and injections.

    Parameters
    ----------
    noise_scores : dict
        ``{method: scores of held-out noise windows}``.
    injected_scores : dict
        ``{(kind, snr): {method: scores of the injection windows}}``.
    thresholds : dict
        ``{method: threshold}`` (e.g. for one false alarm per hour).
    confidence : float
        Of the Clopper–Pearson interval on each efficiency.

    Returns
    -------
    astropy.table.Table
        One row per kind, SNR and method: ``auc``, ``efficiency``, ``low``, ``high``, ``n``.
    """
    from astropy.table import Table

    rows = []
    for (kind, snr), by_method in injected_scores.items():
        for method, scores in by_method.items():
            noise = np.asarray(noise_scores[method])
            scores = np.asarray(scores)
            labels = np.r_[np.zeros(noise.size, dtype=bool), np.ones(scores.size, dtype=bool)]
            auc = roc_curve(np.r_[noise, scores], labels)[2]
            found = int(np.count_nonzero(alarms(scores, thresholds[method])))
            low, high = binomial_interval(found, scores.size, confidence)
            rows.append((kind, float(snr), method, auc, found / scores.size, low, high, scores.size))
    return Table(rows=rows, names=("kind", "snr", "method", "auc", "efficiency", "low", "high", "n"))
