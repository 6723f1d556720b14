"""Kilonovae among supernovae in 30-day ZTF light curves (after Biswas et al. 2023), simulated with sncosmo."""

from __future__ import annotations

import numpy as np

from mmlab.core.photometry import LightCurve
from mmlab.core.seeding import RandomState, as_generator
from mmlab.signals.lightcurves import ZTFCadence, simulate_transients
from mmlab.studies.transients.features import feature_matrix, kilonova_features

__all__ = ["KN_WINDOW_DAYS", "MIN_DETECTIONS", "kilonova_sample", "precision_recall_at"]

#: Length of the light curves classified, days after the first detection.
KN_WINDOW_DAYS = 30.0

#: Detections an object needs to be classified (fewer: counted as not classifiable).
MIN_DETECTIONS = 3


def kilonova_sample(counts: dict, cadence: ZTFCadence | None = None,
                    seed: RandomState = 0) -> tuple[np.ndarray, np.ndarray, list[LightCurve], dict]:
    """Features of simulated transients that ZTF detects at least :data:`MIN_DETECTIONS` times in 30 days.

    Parameters
    ----------
    counts : dict
        Objects simulated per class (``{"KN": ..., "SN Ia": ..., "SN CC": ...}``).
    cadence : ZTFCadence, optional
    seed : int or numpy.random.Generator

    Returns
    -------
    features : numpy.ndarray
        :data:`~mmlab.studies.transients.features.KILONOVA_FEATURES` of the kept objects.
    is_kilonova : numpy.ndarray of bool
    curves : list of LightCurve
        The kept objects, cut to :data:`KN_WINDOW_DAYS`.
    detected : dict
        Class → ``(kept, simulated)``: how many of each class ZTF would have classified.
    """
    simulated = simulate_transients(counts, cadence, as_generator(seed))
    kept = [c.early(KN_WINDOW_DAYS) for c in simulated if c.meta["n_detections"] > 0]
    kept = [c for c in kept if len(c.detections) >= MIN_DETECTIONS]
    features, rows = feature_matrix(kept, kilonova_features)
    kept = [kept[i] for i in rows]
    detected = {name: (sum(c.meta["class_name"] == name for c in kept), int(n)) for name, n in counts.items()}
    return features, np.array([c.meta["class_name"] == "KN" for c in kept]), kept, detected


def precision_recall_at(is_kilonova, probability, recall: float = 0.7) -> tuple[float, float, float]:
    """Precision at the highest threshold that reaches a recall (:func:`sklearn.metrics.precision_recall_curve`).

    Returns
    -------
    precision, recall, threshold : float
    """
    from sklearn.metrics import precision_recall_curve

    precision, achieved, thresholds = precision_recall_curve(np.asarray(is_kilonova, bool), probability)
    ok = np.flatnonzero(achieved[:-1] >= recall)
    best = ok[np.argmax(precision[ok])]
    return float(precision[best]), float(achieved[best]), float(thresholds[best])
