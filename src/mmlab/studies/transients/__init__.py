"""Optical transients from the Fink broker: early SN Ia with active learning, kilonovae, active anomaly detection.

Features in :mod:`~mmlab.studies.transients.features` (the ``light-curve`` package), the
SN Ia random forest and active-learning study in :mod:`~mmlab.studies.transients.classification`,
kilonovae in :mod:`~mmlab.studies.transients.kilonova`, coniferest's anomaly detection in
:mod:`~mmlab.studies.transients.anomaly`; figures in ``plots``, the oracle widget in ``widgets``.
"""

from mmlab.studies.transients.anomaly import (
    ANOMALY_MODELS,
    RARE_CLASSES,
    anomalies_found,
    extreme_families,
    signature_families,
)
from mmlab.studies.transients.classification import (
    FOM_PENALTY,
    random_forest,
    snia_metrics,
    snia_metrics_interval,
    strategy_study,
)
from mmlab.studies.transients.features import (
    KILONOVA_FEATURES,
    SNIA_FEATURES,
    feature_matrix,
    kilonova_features,
    snia_feature_matrix,
    snia_features,
    variability_features,
    variability_names,
)
from mmlab.studies.transients.kilonova import (
    KN_WINDOW_DAYS,
    MIN_DETECTIONS,
    kilonova_sample,
    pca_basis,
    pca_features,
    precision_recall_at,
)

__all__ = [
    "ANOMALY_MODELS", "FOM_PENALTY", "KILONOVA_FEATURES", "KN_WINDOW_DAYS", "MIN_DETECTIONS", "RARE_CLASSES",
    "SNIA_FEATURES", "anomalies_found", "extreme_families", "feature_matrix", "kilonova_features", "kilonova_sample",
    "pca_basis", "pca_features", "precision_recall_at", "random_forest", "signature_families", "snia_feature_matrix",
    "snia_features", "snia_metrics", "snia_metrics_interval", "strategy_study", "variability_features",
    "variability_names",
]
