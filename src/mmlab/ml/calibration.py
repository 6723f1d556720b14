"""Calibrated class probabilities and decision thresholds set at a fixed false-positive rate.

A network's softmax is usually over-confident: temperature scaling (Guo et al.
2017, ICML, "On calibration of modern neural networks") divides the logits by
one scalar ``T`` fitted on the validation set by minimising the negative
log-likelihood; it keeps the ranking of the classes (so accuracy and ROC curves
do not change) and makes the probabilities mean what they say. scikit-learn's
:class:`~sklearn.calibration.CalibratedClassifierCV` calibrates its own
estimators (Platt, isotonic) one class against the rest, not a trained
network's multi-class output, so the one-parameter fit is done here with
:func:`scipy.optimize.minimize_scalar`.

A detection pipeline decides at a false-positive rate it can afford, not at
``argmax``: :func:`threshold_at_false_positive_rate` sets the threshold on the
scores of known negatives (glitches and noise triggers).
"""

from __future__ import annotations

import numpy as np

__all__ = ["apply_temperature", "expected_calibration_error", "fit_temperature", "threshold_at_false_positive_rate"]

#: Temperatures searched by :func:`fit_temperature`.
TEMPERATURE_RANGE = (0.05, 20.0)


def _checked(probabilities, labels=None) -> tuple[np.ndarray, np.ndarray | None]:
    probabilities = np.asarray(probabilities, dtype=float)
    if probabilities.ndim != 2 or probabilities.shape[1] < 2:
        raise ValueError(f"probabilities must be (samples, classes >= 2), got shape {probabilities.shape}")
    if not np.all(np.isfinite(probabilities)) or probabilities.min() < 0:
        raise ValueError("probabilities must be finite and non-negative")
    if labels is None:
        return probabilities, None
    labels = np.asarray(labels)
    if labels.shape != (len(probabilities),) or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"labels must be {len(probabilities)} integer class indices, got {labels.dtype} {labels.shape}")
    if labels.size and (labels.min() < 0 or labels.max() >= probabilities.shape[1]):
        raise ValueError(f"labels must lie in [0, {probabilities.shape[1]}), got {labels.min()}..{labels.max()}")
    return probabilities, labels


def apply_temperature(probabilities, temperature: float) -> np.ndarray:
    """Softmax of ``log(probabilities) / temperature``: the probabilities a network would give with its logits
    divided by ``temperature`` (> 1 softens them, < 1 sharpens them; the most probable class is unchanged)."""
    probabilities, _ = _checked(probabilities)
    if not np.isfinite(temperature) or temperature <= 0:
        raise ValueError(f"temperature must be a positive number, got {temperature!r}")
    logits = np.log(np.clip(probabilities, np.finfo(float).tiny, None)) / temperature
    logits -= logits.max(axis=1, keepdims=True)
    scaled = np.exp(logits)
    return scaled / scaled.sum(axis=1, keepdims=True)


def fit_temperature(probabilities, labels) -> float:
    """The temperature that minimises the negative log-likelihood of ``labels`` (held-out samples).

    Parameters
    ----------
    probabilities : numpy.ndarray
        ``(n, classes)`` softmax outputs on a validation set.
    labels : numpy.ndarray
        Their true class indices.

    Returns
    -------
    float
        ``T`` in :data:`TEMPERATURE_RANGE`; apply it with :func:`apply_temperature`.
    """
    from scipy.optimize import minimize_scalar

    probabilities, labels = _checked(probabilities, labels)
    if labels.size == 0:
        raise ValueError("fitting a temperature needs at least one labelled sample")
    rows = np.arange(labels.size)

    def negative_log_likelihood(log_temperature: float) -> float:
        scaled = apply_temperature(probabilities, float(np.exp(log_temperature)))
        return -float(np.mean(np.log(np.clip(scaled[rows, labels], np.finfo(float).tiny, None))))

    bounds = np.log(TEMPERATURE_RANGE)
    return float(np.exp(minimize_scalar(negative_log_likelihood, bounds=tuple(bounds), method="bounded").x))


def expected_calibration_error(probabilities, labels, n_bins: int = 10) -> float:
    """Mean gap between confidence and accuracy, over ``n_bins`` equal-width bins of the top probability,
    weighted by the samples in each (Guo et al. 2017, eq. 3)."""
    probabilities, labels = _checked(probabilities, labels)
    if isinstance(n_bins, bool) or int(n_bins) != n_bins or n_bins < 1:
        raise ValueError(f"n_bins must be a positive integer, got {n_bins!r}")
    confidence = probabilities.max(axis=1)
    correct = np.argmax(probabilities, axis=1) == labels
    bins = np.minimum((confidence * n_bins).astype(int), int(n_bins) - 1)
    gap = 0.0
    for k in np.unique(bins):
        members = bins == k
        gap += members.sum() * abs(correct[members].mean() - confidence[members].mean())
    return float(gap / max(labels.size, 1))


def threshold_at_false_positive_rate(negative_scores, rate: float) -> float:
    """The lowest threshold at which at most ``rate`` of the negatives score above it.

    A sample is called positive when its score is strictly greater than the
    threshold, so with ``n`` negatives at most ``floor(rate · n)`` of them are.

    Parameters
    ----------
    negative_scores : array_like
        Scores of samples known to be negative (validation glitches and noise).
    rate : float
        Allowed false-positive rate, in [0, 1).

    Returns
    -------
    float
    """
    scores = np.sort(np.asarray(negative_scores, dtype=float))[::-1]
    if scores.size == 0 or not np.all(np.isfinite(scores)):
        raise ValueError(f"negative_scores must be a non-empty set of finite numbers, got {scores.size} values")
    if not 0 <= rate < 1:
        raise ValueError(f"rate must be a false-positive rate in [0, 1), got {rate!r}")
    allowed = int(np.floor(rate * scores.size + 1e-9))
    return float(scores[allowed])
