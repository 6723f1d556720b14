"""Evaluating classifiers with scikit-learn's metrics: confusion, precision and recall, ROC, accuracy by SNR.

A study's classes can be grouped into a binary task, "positive" classes
against the rest (supernovae against glitches and noise in the CCSN study):
:func:`evaluate` reports the multi-class metrics and those of the binary task.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Evaluation", "accuracy_by_snr", "evaluate", "fraction_by_snr", "roc_curve"]


@dataclass(frozen=True)
class Evaluation:
    """Classification metrics on one set of samples.

    Attributes
    ----------
    accuracy : float
        Fraction of samples whose most probable class is right.
    confusion : numpy.ndarray
        ``confusion[i, j]``: samples of class i predicted as j.
    precision, recall : numpy.ndarray
        Per class (NaN where undefined).
    binary_accuracy : float
        Accuracy of the binary task: the predicted class is a positive class or not.
    binary_confusion : numpy.ndarray
        2×2 confusion of that task (rows true, columns predicted; 0 = negative, 1 = positive).
    roc_false_positive, roc_true_positive : numpy.ndarray
        ROC curve of the positive probability (the sum over positive classes).
    roc_auc : float
        Area under it.
    """

    accuracy: float
    confusion: np.ndarray
    precision: np.ndarray
    recall: np.ndarray
    binary_accuracy: float
    binary_confusion: np.ndarray
    roc_false_positive: np.ndarray
    roc_true_positive: np.ndarray
    roc_auc: float


def roc_curve(scores, positive) -> tuple[np.ndarray, np.ndarray, float]:
    """False- and true-positive rates at every distinct score threshold, and the area under the curve.

    :func:`sklearn.metrics.roc_curve` (no point dropped) and
    :func:`sklearn.metrics.roc_auc_score`.

    Raises
    ------
    ValueError
        If the samples are all positive or all negative.
    """
    from sklearn import metrics

    scores, positive = np.asarray(scores, dtype=float), np.asarray(positive, dtype=bool)
    if positive.all() or not positive.any():
        raise ValueError("a ROC curve needs both positive and negative samples")
    false_positive, true_positive, _ = metrics.roc_curve(positive, scores, drop_intermediate=False)
    return false_positive, true_positive, float(metrics.roc_auc_score(positive, scores))


def evaluate(probabilities, labels, positive_classes) -> Evaluation:
    """Accuracy, confusion matrix, per-class precision/recall and the binary task's confusion and ROC.

    Parameters
    ----------
    probabilities : numpy.ndarray
        ``(n, n_classes)`` from :func:`mmlab.ml.training.predict`.
    labels : numpy.ndarray
        True class indices.
    positive_classes : numpy.ndarray
        Boolean mask over classes: which count as positive in the binary task.

    Returns
    -------
    Evaluation
    """
    from sklearn import metrics

    probabilities, labels = np.asarray(probabilities), np.asarray(labels)
    positive_classes = np.asarray(positive_classes, dtype=bool)
    n_classes = probabilities.shape[1]
    if positive_classes.shape != (n_classes,):
        raise ValueError(f"positive_classes needs one flag per class ({n_classes}), got shape {positive_classes.shape}")
    predicted = np.argmax(probabilities, axis=1)
    classes = np.arange(n_classes)
    precision, recall, _, _ = metrics.precision_recall_fscore_support(labels, predicted, labels=classes,
                                                                       zero_division=np.nan)
    truth, called = positive_classes[labels], positive_classes[predicted]
    false_positive, true_positive, auc = roc_curve(probabilities[:, positive_classes].sum(axis=1), truth)
    return Evaluation(
        accuracy=float(metrics.accuracy_score(labels, predicted)),
        confusion=metrics.confusion_matrix(labels, predicted, labels=classes), precision=precision, recall=recall,
        binary_accuracy=float(metrics.accuracy_score(truth, called)),
        binary_confusion=metrics.confusion_matrix(truth, called, labels=[False, True]),
        roc_false_positive=false_positive, roc_true_positive=true_positive, roc_auc=auc,
    )


def accuracy_by_snr(correct, snr, edges) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Fraction correct in SNR bins: ``(centres, accuracy, counts)`` (NaN for empty bins).

    :func:`scipy.stats.binned_statistic` over ``edges`` (samples outside them are left out).
    """
    from scipy.stats import binned_statistic

    correct, snr, edges = (np.asarray(a, dtype=float) for a in (correct, snr, edges))
    accuracy, _, _ = binned_statistic(snr, correct, statistic="mean", bins=edges)
    counts, _, _ = binned_statistic(snr, correct, statistic="count", bins=edges)
    return (edges[:-1] + edges[1:]) / 2, accuracy, counts.astype(np.int64)


def fraction_by_snr(hits, snr, edges, confidence: float = 0.9) -> tuple[np.ndarray, ...]:
    """:func:`accuracy_by_snr` with each bin's Clopper–Pearson interval (:func:`mmlab.core.statistics.binomial_interval`).

    Returns
    -------
    centres, fraction, counts, low, high : numpy.ndarray
        Per bin; NaN where a bin is empty.

    Examples
    --------
    >>> centres, fraction, counts, low, high = fraction_by_snr([1, 1, 0, 1], [9, 11, 15, 30], [8, 12, 16])
    >>> fraction.tolist(), counts.tolist(), [round(float(v), 3) for v in (low[1], high[1])]  # 0 of 1: 1 - 0.05
    ([1.0, 0.0], [2, 1], [0.0, 0.95])
    """
    from mmlab.core.statistics import binomial_interval

    centres, fraction, counts = accuracy_by_snr(hits, snr, edges)
    found = np.rint(np.nan_to_num(fraction) * counts).astype(np.int64)
    low, high = np.array([binomial_interval(k, n, confidence) for k, n in zip(found, counts, strict=True)]).T
    return centres, fraction, counts, low, high
