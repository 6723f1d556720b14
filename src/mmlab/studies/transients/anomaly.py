"""Active anomaly detection on PLAsTiCC with coniferest (Ishida et al. 2021; Pruzhinskaya et al. 2023).

An isolation forest ranks every object once; AADForest and PineForest re-rank after each
answer of an expert, here coniferest's ``OracleSession`` answering from the true class
(the rare classes of :data:`RARE_CLASSES` are the anomalies). A signature is
coniferest's ``feature_signature``: how much each feature shortened an object's paths
to isolation.
"""

from __future__ import annotations

import numpy as np

from mmlab.core.validation import check_choice

__all__ = [
    "ANOMALY_MODELS", "RARE_CLASSES", "anomalies_found", "extreme_families", "feature_families", "signature_families",
]

#: PLAsTiCC classes treated as anomalies: each under 2.5 % of the training set.
RARE_CLASSES = ("KN", "Mira", "mu-Lens-Single", "SLSN-I")

#: Models compared, by name.
ANOMALY_MODELS = ("IsolationForest", "AADForest", "PineForest")


def _model(name: str, seed: int):
    # One thread: coniferest's forests draw differently with the thread count, and the same seed must give
    # the same ranking on every machine.
    from coniferest.aadforest import AADForest
    from coniferest.isoforest import IsolationForest
    from coniferest.pineforest import PineForest

    check_choice("model", name, ANOMALY_MODELS)
    return {"IsolationForest": lambda: IsolationForest(n_trees=300, random_seed=seed, n_jobs=1),
            "AADForest": lambda: AADForest(n_trees=300, random_seed=seed, n_jobs=1),
            "PineForest": lambda: PineForest(n_trees=300, n_spare_trees=900, random_seed=seed, n_jobs=1)}[name]()


def anomalies_found(features, is_anomaly, model: str, budget: int = 100, seed: int = 0) -> np.ndarray:
    """Cumulative true anomalies among the first ``budget`` objects an expert inspects.

    Parameters
    ----------
    features : numpy.ndarray
        ``(n, n_features)``, finite.
    is_anomaly : array_like of bool
    model : str
        One of :data:`ANOMALY_MODELS`; the isolation forest is static (its top ``budget``),
        the others learn from each answer in coniferest's oracle session.
    budget : int
    seed : int

    Returns
    -------
    numpy.ndarray
        ``(budget,)`` anomalies found after each inspection.
    """
    from coniferest.label import Label
    from coniferest.session.oracle import create_oracle_session

    features = np.asarray(features, dtype=np.float64)
    if not np.all(np.isfinite(features)):
        raise ValueError("features must be finite (impute NaN first)")
    truth = np.asarray(is_anomaly, dtype=bool)
    if model == "IsolationForest":
        scores = _model(model, seed).fit(features).score_samples(features)
        return np.cumsum(truth[np.argsort(scores, kind="stable")[:budget]])
    labels = np.where(truth, Label.ANOMALY, Label.REGULAR)
    session = create_oracle_session(features, labels, model=_model(model, seed), max_iterations=budget)
    session.run()
    answers = [session.known_labels[k] == Label.ANOMALY for k in session.known_labels]
    return np.cumsum(np.array(answers[:budget], dtype=int))


def feature_families(names) -> np.ndarray:
    """The family of each feature name ``<band>_<family>:<feature>`` (see ``variability_names``)."""
    return np.array([name.split("_", 1)[1].split(":")[0] for name in names])


def signature_families(model, features, names) -> list[str]:
    """The feature family that made each object most anomalous, from coniferest's ``feature_signature``.

    A signature follows coniferest's score convention (lower is more anomalous): a feature
    that shortens an object's paths to isolation contributes a negative value. The family
    with the most negative mean contribution is the one named.

    Parameters
    ----------
    model : coniferest model
        Fitted.
    features : numpy.ndarray
        Objects to explain.
    names : sequence of str
        Feature names.
    """
    signature = np.asarray(model.feature_signature(np.asarray(features, dtype=np.float64)))
    families = feature_families(names)
    unique = sorted(set(families))
    means = np.stack([signature[:, families == f].mean(axis=1) for f in unique], axis=1)
    return [unique[i] for i in np.argmin(means, axis=1)]


def extreme_families(features, names, reference=None) -> list[str]:
    """The feature family in which each object is most extreme: the independent check of a signature.

    Each feature is scaled to a robust z-score against ``reference`` (median and
    :func:`scipy.stats.median_abs_deviation`, normal-scaled); a family's score is its
    largest |z|.

    Parameters
    ----------
    features : numpy.ndarray
        Objects to explain.
    names : sequence of str
    reference : numpy.ndarray, optional
        The population (default: ``features``).
    """
    from scipy.stats import median_abs_deviation

    features = np.asarray(features, dtype=float)
    reference = features if reference is None else np.asarray(reference, dtype=float)
    spread = np.maximum(median_abs_deviation(reference, axis=0, scale="normal"), 1e-12)
    z = np.abs(features - np.median(reference, axis=0)) / spread
    families = feature_families(names)
    unique = sorted(set(families))
    scores = np.stack([z[:, families == f].max(axis=1) for f in unique], axis=1)
    return [unique[i] for i in np.argmax(scores, axis=1)]
