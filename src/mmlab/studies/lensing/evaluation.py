"""Measures of the strong-lens study: recall at zero false positives, Grad-CAM heat in the Einstein annulus,
and active learning of a network from a small seed set.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from sklearn.metrics import roc_auc_score

from mmlab.core.seeding import RandomState
from mmlab.core.validation import check_positive
from mmlab.ml.active import LearningCurve, run_active_learning
from mmlab.ml.training import NetworkClassifier

__all__ = ["annulus_fraction", "label_fraction_to_reach", "lens_active_learning", "tpr_at_zero_fp"]


def tpr_at_zero_fp(scores, labels) -> float:
    """Share of lenses scored above every non-lens (Metcalf et al. 2019's recall at zero false positives).

    Examples
    --------
    >>> tpr_at_zero_fp([0.9, 0.8, 0.7, 0.6], [1, 0, 1, 0])
    0.5
    """
    scores, labels = np.asarray(scores, dtype=float), np.asarray(labels)
    if scores.shape != labels.shape or not (labels == 1).any() or not (labels == 0).any():
        raise ValueError(f"need one score per label and both classes, got {scores.shape} scores and labels "
                         f"{np.unique(labels).tolist()}")
    return float(np.mean(scores[labels == 1] > scores[labels == 0].max()))


def annulus_fraction(heat: np.ndarray, theta_e, pixel_scale: float, half_width: float = 0.8) -> np.ndarray:
    """Share of each map's heat within the Einstein annulus ``|r - θE| <= max(θE / 2, half_width)``.

    Parameters
    ----------
    heat : numpy.ndarray
        ``(n, height, width)`` non-negative maps centred on the lens.
    theta_e : array_like
        Einstein radius of each, arcsec.
    pixel_scale : float
        Arcsec per pixel.
    half_width : float
        Least half-width of the annulus, arcsec: one cell of the Grad-CAM maps (25×25 over a 20″ cutout),
        finer than which they cannot place heat.

    Returns
    -------
    numpy.ndarray
        ``(n,)`` shares (NaN for a map with no heat).
    """
    heat = np.asarray(heat, dtype=float)
    theta_e = np.broadcast_to(np.asarray(theta_e, dtype=float), heat.shape[:1])
    check_positive("pixel_scale", pixel_scale, "arcsec")
    if heat.ndim != 3 or np.any(heat < 0):
        raise ValueError(f"heat must be (n, height, width) non-negative maps, got shape {heat.shape}")
    height, width = heat.shape[1:]
    y, x = np.indices((height, width))
    radius = np.hypot(x - (width - 1) / 2, y - (height - 1) / 2) * pixel_scale
    shares = np.full(heat.shape[0], np.nan)
    for i, (image, einstein) in enumerate(zip(heat, theta_e, strict=True)):
        total = image.sum()
        if total > 0:
            inside = np.abs(radius - einstein) <= max(einstein / 2, half_width)
            shares[i] = image[inside].sum() / total
    return shares


def label_fraction_to_reach(curves: LearningCurve | Sequence[LearningCurve], target: float, pool_size: int,
                            metric: str = "auroc") -> float:
    """Fewest labels, as a share of the pool, at which the median ``metric`` over runs reaches ``target``.

    Parameters
    ----------
    curves : LearningCurve or sequence of LearningCurve
        One run, or several of one strategy evaluated at the same label counts.
    target : float
    pool_size : int
    metric : str

    Returns
    -------
    float
        1.0 if the median never reaches ``target``.
    """
    runs = [curves] if isinstance(curves, LearningCurve) else list(curves)
    if not runs or any(not np.array_equal(run.n_labels, runs[0].n_labels) for run in runs):
        raise ValueError(f"give one or more runs evaluated at the same label counts, got "
                         f"{[run.n_labels.tolist() for run in runs]}")
    median = np.median(np.stack([run.metrics[metric] for run in runs]), axis=0)
    reached = np.flatnonzero(median >= target)
    return float(runs[0].n_labels[reached[0]] / pool_size) if reached.size else 1.0


def lens_active_learning(pool, pool_labels, test, test_labels, strategy: str, build: Callable,
                         n_seed: int, n_queries: int, batch_size: int, epochs: int = 10, min_steps: int = 150,
                         seed: RandomState = None, progress: bool = False) -> LearningCurve:
    """One active-learning run of a network on cutouts, scored by AUROC on the test set.

    Parameters
    ----------
    pool, pool_labels : numpy.ndarray
        Network-ready cutouts and their labels (1 lens).
    test, test_labels : numpy.ndarray
        The held-out cutouts.
    strategy : str
        One of :data:`mmlab.ml.active.QUERY_STRATEGIES`.
    build : callable
        ``build() -> keras.Model``, a fresh compiled network.
    n_seed, n_queries, batch_size : int
        Seed labels (half lenses), labels asked after them, labels per refit (the network is
        refitted from scratch and scored after each batch).
    epochs, min_steps : int
        Training of each refit (:class:`mmlab.ml.training.NetworkClassifier`).
    seed : int or numpy.random.Generator, optional
    progress : bool

    Returns
    -------
    LearningCurve
        ``metrics["auroc"]`` against ``n_labels``.
    """
    def score(labels, probabilities) -> dict:
        return {"auroc": float(roc_auc_score(labels, probabilities[:, 1]))}

    return run_active_learning(pool, pool_labels, test, test_labels, strategy,
                               lambda: NetworkClassifier(build, epochs=epochs, min_steps=min_steps), score,
                               n_seed=n_seed, n_queries=n_queries, batch_size=batch_size, evaluate_every=batch_size,
                               seed=seed, progress=progress)
