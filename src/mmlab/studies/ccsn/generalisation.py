"""Supernovae a network never saw: training without one 3D progenitor, deciding at a fixed glitch false-positive rate.

Real supernovae will come from no simulation we have, so the test that matters
holds out a whole 3D progenitor (all its viewing axes: they share its physics)
and asks how many of its triggers a network trained on everything else calls
astrophysical, at a threshold set so that a known fraction of glitches and
noise triggers pass. The floor is a network trained on phenomenological
signals alone.

Each network here is a 1D CNN with two heads (:func:`mmlab.ml.models.build_cnn1d`
with ``binary_head=True``): the multi-class softmax and a sigmoid
"astrophysical vs glitch" output. Two decision scores are compared: the binary
head, and the temperature-scaled (:mod:`mmlab.ml.calibration`) probabilities of
the CCSN classes summed. Classes a training set leaves out stay in the
softmax and simply get no examples, so every network has the same outputs.
The network a pipeline should use learns from everything
(:func:`complete_training_set`); :meth:`HeldOutClassifier.save` keeps its
temperature and thresholds in the model card, and
:meth:`HeldOutClassifier.from_pretrained` loads the one mmlab ships.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from mmlab.core.statistics import binomial_interval
from mmlab.ml.calibration import (
    apply_temperature,
    fit_temperature,
    threshold_at_false_positive_rate,
)
from mmlab.signals import CCSN_MIX_FAMILIES
from mmlab.studies.ccsn.datasets import CCSN_CLASSES, Dataset

if TYPE_CHECKING:
    import keras

__all__ = [
    "DECISION_SCORES",
    "MIX_CLASSES",
    "HeldOutClassifier",
    "HeldOutResult",
    "TrainingSet",
    "complete_training_set",
    "evaluate_held_out",
    "leave_one_out_training_sets",
    "train_held_out_classifier",
]

#: The CCSN classes of the four original phenomenological families.
MIX_CLASSES = tuple(f"ccsn_{family}" for family in CCSN_MIX_FAMILIES)

#: Decision scores of a :class:`HeldOutClassifier`.
DECISION_SCORES = ("binary head", "summed classes")


@dataclass(frozen=True)
class TrainingSet:
    """Which supernova samples a network learns from (glitches and noise: always all of them).

    Parameters
    ----------
    name : str
    phenomenological : tuple of str
        CCSN classes of phenomenological families to include.
    progenitors : tuple of str
        3D progenitors (``"9a"``) whose ``ccsn_3d`` samples to include.
    """

    name: str
    phenomenological: tuple[str, ...]
    progenitors: tuple[str, ...] = ()

    def mask(self, dataset: Dataset) -> np.ndarray:
        """Which samples of ``dataset`` this training set holds (any subset)."""
        names = np.asarray(dataset.class_names)[dataset.labels]
        glitch_or_noise = ~np.isin(names, CCSN_CLASSES)
        three_d = (names == "ccsn_3d") & np.isin(dataset.progenitor, self.progenitors)
        return glitch_or_noise | np.isin(names, self.phenomenological) | three_d


def complete_training_set(dataset: Dataset) -> TrainingSet:
    """Every supernova class of ``dataset`` and every 3D progenitor: what a classifier for real data learns from."""
    phenomenological = tuple(name for name in dataset.class_names if name in CCSN_CLASSES and name != "ccsn_3d")
    progenitors = tuple(sorted(set(dataset.progenitor) - {""}))
    name = f"{len(phenomenological)} families" + (f" + 3D {'+'.join(progenitors)}" if progenitors else "")
    return TrainingSet(name, phenomenological, progenitors)


def leave_one_out_training_sets(dataset: Dataset) -> dict[str, TrainingSet]:
    """The floor (the four original families), every phenomenological family, and for each 3D progenitor every
    family plus the other progenitors' 3D samples, keyed by the progenitor left out (``None`` for the first two)."""
    complete = complete_training_set(dataset)
    phenomenological, progenitors = complete.phenomenological, complete.progenitors
    n = len(phenomenological)
    sets = {"4 families": TrainingSet("4 families", tuple(c for c in MIX_CLASSES if c in phenomenological))}
    if n > len(sets["4 families"].phenomenological):
        sets[f"{n} families"] = TrainingSet(f"{n} families", phenomenological)
    for held_out in progenitors:
        others = tuple(p for p in progenitors if p != held_out)
        name = f"{n} families + 3D {'+'.join(others)}" if others else f"{n} families"
        sets[f"without {held_out}"] = TrainingSet(name, phenomenological, others)
    return sets


@dataclass(frozen=True)
class HeldOutClassifier:
    """A trained two-headed network, its temperature and its thresholds at a glitch false-positive rate.

    Attributes
    ----------
    model : keras.Model
    training : TrainingSet
    ccsn_classes : numpy.ndarray
        Boolean mask over the classes: the supernova ones.
    temperature : float
        Fitted on the validation samples of the training set.
    thresholds : dict
        Score name → threshold, each set on the validation glitches and noise.
    false_positive_rate : float
    """

    model: keras.Model
    training: TrainingSet
    ccsn_classes: np.ndarray
    temperature: float
    thresholds: dict
    false_positive_rate: float

    def scores(self, timeseries: np.ndarray) -> dict[str, np.ndarray]:
        """Each decision score of :data:`DECISION_SCORES` for ``(n, samples, channels)`` whitened series."""
        from mmlab.ml.training import predict

        outputs = predict(self.model, timeseries)
        calibrated = apply_temperature(outputs["class"], self.temperature)
        return {"binary head": outputs["binary"], "summed classes": calibrated[:, self.ccsn_classes].sum(axis=1)}

    def calls(self, timeseries: np.ndarray) -> dict[str, np.ndarray]:
        """Whether each sample is called astrophysical, per decision score."""
        return {name: score > self.thresholds[name] for name, score in self.scores(timeseries).items()}

    def save(self, directory, name: str, card: dict) -> Path:
        """Save the network with :func:`mmlab.ml.registry.save_model`, its decision in the card's ``decision``.

        Parameters
        ----------
        directory : path-like
        name : str
            File name (``<name>.keras``).
        card : dict
            The rest of the card (at least ``data`` and ``classes``, as for :func:`~mmlab.ml.registry.save_model`).

        Returns
        -------
        pathlib.Path
            The ``.keras`` file.
        """
        from mmlab.ml.registry import save_model

        classes = card.get("classes")
        if classes is None or len(classes) != len(self.ccsn_classes):
            raise ValueError(f"the card must name the {len(self.ccsn_classes)} classes in output order, got {classes!r}")
        decision = {"temperature": self.temperature, "thresholds": dict(self.thresholds),
                    "false_positive_rate": self.false_positive_rate,
                    "training": {"name": self.training.name, "phenomenological": list(self.training.phenomenological),
                                 "progenitors": list(self.training.progenitors)}}
        return save_model(self.model, directory, {**card, "decision": decision}, name)

    @classmethod
    def from_pretrained(cls, name: str) -> HeldOutClassifier:
        """A shipped classifier saved by :meth:`save`, e.g. ``"ccsn/cnn1d_decision"``.

        Raises
        ------
        ValueError
            If the shipped model has no ``decision`` in its card (it was not saved by :meth:`save`).
        """
        from mmlab.ml.registry import load_pretrained

        model, card = load_pretrained(name)
        if "decision" not in card:
            raise ValueError(f"{name} has no decision (temperature, thresholds) in its card: load it with "
                             "mmlab.ml.registry.load_pretrained")
        decision, training = card["decision"], card["decision"]["training"]
        return cls(model, TrainingSet(training["name"], tuple(training["phenomenological"]),
                                      tuple(training["progenitors"])),
                   np.isin(np.asarray(card["classes"]), CCSN_CLASSES), float(decision["temperature"]),
                   {score: float(value) for score, value in decision["thresholds"].items()},
                   float(decision["false_positive_rate"]))


def train_held_out_classifier(
    dataset: Dataset, training: TrainingSet, build: Callable, false_positive_rate: float = 0.03,
    epochs: int = 30, patience: int = 5, verbose: int = 0,
) -> HeldOutClassifier:
    """Train a two-headed network on a training set's train samples, calibrate and threshold it on its validation ones.

    Parameters
    ----------
    dataset : Dataset
    training : TrainingSet
    build : callable
        ``build(input_shape, n_classes, binary_head=True)``: a factory of :mod:`mmlab.ml.models`.
    false_positive_rate : float
        Fraction of validation glitches and noise triggers allowed above each threshold.
    epochs, patience, verbose
        As for :func:`mmlab.ml.training.fit`.
    """
    from mmlab.ml.training import fit, predict

    if not 0 <= false_positive_rate < 1:
        raise ValueError(f"false_positive_rate must lie in [0, 1), got {false_positive_rate!r}")
    chosen = training.mask(dataset)
    train, validation = (chosen & (dataset.subset == k) for k in (0, 1))
    labels, binary = dataset.labels, dataset.is_ccsn
    model = build(dataset.timeseries.shape[1:], len(dataset.class_names), binary_head=True)
    fit(model, dataset.timeseries[train], {"class": labels[train], "binary": binary[train]},
        dataset.timeseries[validation], {"class": labels[validation], "binary": binary[validation]},
        epochs=epochs, patience=patience, verbose=verbose)
    temperature = fit_temperature(predict(model, dataset.timeseries[validation])["class"], labels[validation])
    unthresholded = HeldOutClassifier(model, training, dataset.ccsn_classes, temperature, {}, false_positive_rate)
    negatives = validation & (binary == 0)
    thresholds = {name: threshold_at_false_positive_rate(score, false_positive_rate)
                  for name, score in unthresholded.scores(dataset.timeseries[negatives]).items()}
    return replace(unthresholded, thresholds=thresholds)


@dataclass(frozen=True)
class HeldOutResult:
    """How a classifier does on one left-out progenitor, with 90 % Clopper–Pearson intervals.

    Attributes
    ----------
    progenitor : str
    score : str
        The decision score (:data:`DECISION_SCORES`).
    true_positive_rate : float
        Fraction of the progenitor's triggers (every subset, trigger SNR at least ``min_trigger_snr``) called
        astrophysical.
    true_positive_interval : tuple of float
    n_positive : int
    glitch_rejection : float
        Fraction of the test set's glitch and noise triggers called not astrophysical.
    glitch_rejection_interval : tuple of float
    n_negative : int
    called : numpy.ndarray
        The decision on each of the progenitor's triggers (all trigger SNRs), for efficiency curves.
    trigger_snr : numpy.ndarray
        Their WDF SNRs.
    rejected : numpy.ndarray
        The decision on each test glitch and noise trigger (True: not called astrophysical).
    rejected_trigger_snr : numpy.ndarray
        Their WDF SNRs, for rejection per SNR bin.
    """

    progenitor: str
    score: str
    true_positive_rate: float
    true_positive_interval: tuple[float, float]
    n_positive: int
    glitch_rejection: float
    glitch_rejection_interval: tuple[float, float]
    n_negative: int
    called: np.ndarray
    trigger_snr: np.ndarray
    rejected: np.ndarray
    rejected_trigger_snr: np.ndarray


def evaluate_held_out(classifier: HeldOutClassifier, dataset: Dataset, progenitors: Sequence[str],
                      min_trigger_snr: float = 8.0) -> dict[tuple[str, str], HeldOutResult]:
    """TPR on each progenitor's triggers and rejection of the test glitches and noise, per decision score.

    Raises
    ------
    ValueError
        If the classifier was trained on a progenitor it is asked about, or a progenitor has no samples.
    """
    seen = set(classifier.training.progenitors) & set(progenitors)
    if seen:
        raise ValueError(f"{classifier.training.name!r} was trained on {sorted(seen)}: not a held-out test")
    negatives = (dataset.subset == 2) & (dataset.is_ccsn == 0)
    rejected = {name: ~called for name, called in classifier.calls(dataset.timeseries[negatives]).items()}
    negative_snr = dataset.trigger_snr[negatives, 0]
    results = {}
    for progenitor in progenitors:
        members = dataset.progenitor == progenitor
        if not members.any():
            raise ValueError(f"no samples of progenitor {progenitor!r}; the data set has {sorted(set(dataset.progenitor) - {''})}")
        trigger_snr = dataset.trigger_snr[members, 0]
        loud = trigger_snr >= min_trigger_snr
        for name, called in classifier.calls(dataset.timeseries[members]).items():
            found, total = int(called[loud].sum()), int(loud.sum())
            kept = int(rejected[name].sum())
            results[progenitor, name] = HeldOutResult(
                progenitor, name, found / total if total else float("nan"), binomial_interval(found, total), total,
                kept / rejected[name].size, binomial_interval(kept, rejected[name].size), int(rejected[name].size),
                called, trigger_snr, rejected[name], negative_snr)
    return results
