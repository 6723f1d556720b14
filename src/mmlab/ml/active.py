"""Active learning: pool-based query strategies and a loop that a simulated oracle or a person drives.

The learner is coniferest's ``Session`` pattern (a model, the data and a decision
callback) for classification: :class:`ActiveLearner` holds the pool and the labels
given so far (explicit state, no hidden globals), proposes the next objects with
:meth:`~ActiveLearner.query` and takes answers with :meth:`~ActiveLearner.teach`;
:func:`run_active_learning` is the same loop with the known labels as the oracle.
Strategies (Settles 2009, "Active Learning Literature Survey"): ``random``;
``uncertainty`` (least confidence, 1 − max p); ``margin`` (smallest gap between the two
most probable classes); ``entropy`` of the predicted probabilities; ``qbc``, query by
committee with the vote entropy of an ensemble's members (the trees of a random forest).
modAL implements the same rules but is unmaintained since 2021; they are a few lines
of numpy each.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from tqdm.auto import tqdm

from mmlab.core.seeding import RandomState, as_generator
from mmlab.core.validation import check_choice

__all__ = ["QUERY_STRATEGIES", "ActiveLearner", "LearningCurve", "query_scores", "run_active_learning"]

#: Query strategies by name.
QUERY_STRATEGIES = ("random", "uncertainty", "margin", "entropy", "qbc")


def query_scores(strategy: str, probabilities: np.ndarray, committee_votes: np.ndarray | None = None,
                 rng: np.random.Generator | None = None) -> np.ndarray:
    """How much each pool object is worth labelling (higher first).

    Parameters
    ----------
    strategy : str
        One of :data:`QUERY_STRATEGIES`.
    probabilities : numpy.ndarray
        ``(n_pool, n_classes)`` predicted class probabilities.
    committee_votes : numpy.ndarray, optional
        ``(n_members, n_pool)`` class indices voted by each committee member (``qbc`` only).
    rng : numpy.random.Generator, optional
        For ``random``.

    Returns
    -------
    numpy.ndarray
        ``(n_pool,)`` scores.

    Examples
    --------
    >>> p = np.array([[0.9, 0.1], [0.5, 0.5]])
    >>> query_scores("uncertainty", p).round(2).tolist(), query_scores("margin", p).round(2).tolist()
    ([0.1, 0.5], [-0.8, -0.0])
    """
    check_choice("strategy", strategy, QUERY_STRATEGIES)
    p = np.asarray(probabilities, dtype=float)
    if strategy == "random":
        return (rng or np.random.default_rng()).random(p.shape[0])
    if strategy == "uncertainty":
        return 1.0 - p.max(axis=1)
    if strategy == "margin":
        top = np.sort(p, axis=1)
        return -(top[:, -1] - top[:, -2])
    if strategy == "entropy":
        return -np.sum(np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0), axis=1)
    if committee_votes is None:
        raise ValueError("strategy 'qbc' needs committee_votes (n_members, n_pool)")
    votes = np.asarray(committee_votes, dtype=int)
    shares = np.stack([np.mean(votes == k, axis=0) for k in range(p.shape[1])], axis=1)
    return -np.sum(np.where(shares > 0, shares * np.log(np.where(shares > 0, shares, 1.0)), 0.0), axis=1)


@dataclass
class ActiveLearner:
    """A pool, the labels known so far and a model refitted on them.

    Parameters
    ----------
    pool : numpy.ndarray
        ``(n_pool, n_features)`` features of every object that could be labelled, or
        ``(n_pool, ...)`` images for a network (kept in their float precision).
    model_factory : callable
        Returns a fresh, unfitted scikit-learn classifier (``fit``/``predict_proba``;
        ``estimators_`` for ``qbc``), or a :class:`mmlab.ml.training.NetworkClassifier`.
    strategy : str
        One of :data:`QUERY_STRATEGIES`.
    classes : sequence
        All class labels, so that probabilities have one column each from the first fit.
    seed : int or numpy.random.Generator, optional

    Attributes
    ----------
    labelled : dict
        Pool index → label, in the order given.
    model_ : classifier or None
        The model fitted on ``labelled`` by the last :meth:`fit`.
    """

    pool: np.ndarray
    model_factory: Callable
    strategy: str = "uncertainty"
    classes: tuple = (0, 1)
    seed: RandomState = None
    labelled: dict = field(default_factory=dict)
    model_: object = None

    def __post_init__(self) -> None:
        check_choice("strategy", self.strategy, QUERY_STRATEGIES)
        self.pool = np.asarray(self.pool)
        if not np.issubdtype(self.pool.dtype, np.floating):
            self.pool = self.pool.astype(float)
        if self.pool.ndim < 2 or self.pool.shape[0] == 0:
            raise ValueError(f"pool must be a non-empty (n_objects, ...) array of features or images, got shape "
                             f"{self.pool.shape}")
        self._rng = as_generator(self.seed)

    def teach(self, index: int, label) -> None:
        """Record the oracle's label of pool object ``index``."""
        if not 0 <= int(index) < self.pool.shape[0]:
            raise IndexError(f"pool index must be in [0, {self.pool.shape[0]}), got {index}")
        if label not in self.classes:
            raise ValueError(f"label must be one of {list(self.classes)}, got {label!r}")
        self.labelled[int(index)] = label

    def fit(self) -> ActiveLearner:
        """Refit the model on the labels known so far (every class must have one)."""
        missing = [c for c in self.classes if c not in self.labelled.values()]
        if missing:
            raise ValueError(f"no labelled example of classes {missing} yet: label at least one of each")
        index = np.fromiter(self.labelled, dtype=int)
        self.model_ = self.model_factory().fit(self.pool[index], np.array(list(self.labelled.values())))
        return self

    def query(self, n: int = 1) -> np.ndarray:
        """The ``n`` unlabelled pool objects the strategy wants labelled next (fit first)."""
        unlabelled = np.setdiff1d(np.arange(self.pool.shape[0]), np.fromiter(self.labelled, dtype=int))
        if self.strategy == "random" or self.model_ is None:
            return self._rng.choice(unlabelled, size=min(n, unlabelled.size), replace=False)
        features = self.pool[unlabelled]
        probabilities = self.predict_proba(features)
        votes = None
        if self.strategy == "qbc":
            votes = np.stack([member.predict(features) for member in self.model_.estimators_]).astype(int)
        scores = query_scores(self.strategy, probabilities, votes, self._rng)
        return unlabelled[np.argsort(-scores, kind="stable")[:n]]

    def predict_proba(self, features) -> np.ndarray:
        """Probabilities with one column per class of ``classes``, in that order."""
        raw = self.model_.predict_proba(np.asarray(features))
        columns = [list(self.model_.classes_).index(c) for c in self.classes]
        return raw[:, columns]


@dataclass(frozen=True)
class LearningCurve:
    """Test metrics against the number of labels.

    Attributes
    ----------
    n_labels : numpy.ndarray
        Labels known at each evaluation (seed labels included).
    metrics : dict
        Metric name → values at each evaluation.
    queried : numpy.ndarray
        Pool indices in the order they were labelled.
    """

    n_labels: np.ndarray
    metrics: dict
    queried: np.ndarray


def run_active_learning(pool, pool_labels, test, test_labels, strategy: str, model_factory: Callable,
                        score: Callable, n_seed: int = 10, n_queries: int = 300, batch_size: int = 1,
                        evaluate_every: int = 10, seed: RandomState = None,
                        progress: bool = False) -> LearningCurve:
    """One active-learning run with the known labels as oracle.

    Parameters
    ----------
    pool, pool_labels : array_like
        Features and true labels of the pool.
    test, test_labels : array_like or None
        The held-out set the metrics are measured on. ``None`` measures them on the pool
        objects not yet labelled, as Leoni et al. (2022) and ``actsnclass`` do: queried
        objects then leave the test set, so a strategy that asks for the hard ones is
        scored on easier objects than random is.
    strategy : str
        One of :data:`QUERY_STRATEGIES`.
    model_factory : callable
        A fresh classifier per fit.
    score : callable
        ``score(test_labels, probabilities) -> dict`` of metrics.
    n_seed : int
        Random seed labels, the same number of each class (as Leoni et al. 2022 draw half SNe Ia).
    n_queries : int
        Labels asked after the seed.
    batch_size : int
        Objects queried per refit.
    evaluate_every : int
        Queries between evaluations on the test set (plus one at the start and end).
    seed : int or numpy.random.Generator, optional
    progress : bool
        Show a progress bar.

    Returns
    -------
    LearningCurve
    """
    pool_labels = np.asarray(pool_labels)
    if (test is None) != (test_labels is None):
        raise ValueError("give both test and test_labels, or neither (to score on the unlabelled pool)")
    classes = tuple(np.unique(pool_labels).tolist())
    if len(classes) < 2:
        raise ValueError(f"the pool needs at least two classes, got {list(classes)}")
    if n_seed + n_queries > len(pool_labels):
        raise ValueError(f"n_seed + n_queries = {n_seed + n_queries} exceeds the pool of {len(pool_labels)}")
    rng = as_generator(seed)
    learner = ActiveLearner(pool, model_factory, strategy, classes, rng)
    per_class = max(1, n_seed // len(classes))
    for label in classes:
        members = np.flatnonzero(pool_labels == label)
        if members.size < per_class:
            raise ValueError(f"class {label!r} has {members.size} pool objects, fewer than the {per_class} seed labels")
        for index in rng.choice(members, per_class, replace=False):
            learner.teach(int(index), pool_labels[index])
    n_labels, history = [], {}
    asked = 0
    bar = tqdm(total=n_queries, desc=f"active learning ({strategy})", disable=not progress, leave=False)
    while True:
        learner.fit()
        if asked % evaluate_every == 0 or asked >= n_queries:
            n_labels.append(len(learner.labelled))
            if test is None:
                unlabelled = np.setdiff1d(np.arange(len(pool_labels)), np.fromiter(learner.labelled, dtype=int))
                measured = score(pool_labels[unlabelled], learner.predict_proba(learner.pool[unlabelled]))
            else:
                measured = score(np.asarray(test_labels), learner.predict_proba(test))
            for name, value in measured.items():
                history.setdefault(name, []).append(value)
        if asked >= n_queries:
            break
        batch = learner.query(min(batch_size, n_queries - asked))
        for index in batch:
            learner.teach(int(index), pool_labels[index])
        asked += len(batch)
        bar.update(len(batch))
    bar.close()
    return LearningCurve(np.array(n_labels), {k: np.array(v) for k, v in history.items()},
                         np.fromiter(learner.labelled, dtype=int))
