"""Training and prediction for classifiers, autoencoders and regressors: arrays in, history and predictions out."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from mmlab.core.config import import_keras, release_memory

if TYPE_CHECKING:
    import keras

__all__ = ["NetworkClassifier", "fit", "fit_autoencoder", "fit_regressor", "predict", "predict_mc"]


def _check_inputs(model, inputs: np.ndarray) -> np.ndarray:
    """Inputs as float32 (float16 kept: the model casts each batch) with a trailing channel axis if the model wants
    one; shapes must match."""
    inputs = np.asarray(inputs)
    if inputs.dtype not in (np.float16, np.float32):
        inputs = inputs.astype(np.float32)
    expected = tuple(model.input_shape[1:])
    if inputs.ndim == len(expected):  # add a channel axis
        inputs = inputs[..., None]
    if inputs.shape[1:] != expected:
        raise ValueError(
            f"model {model.name!r} takes samples of shape {expected}, got {inputs.shape[1:]} "
            f"(batch of {inputs.shape[0]})"
        )
    return inputs


def fit(
    model, train_inputs, train_labels, validation_inputs, validation_labels, epochs: int = 30,
    batch_size: int = 64, patience: int = 5, verbose: int = 2,
) -> dict[str, list[float]]:
    """Train with early stopping on the validation loss (best weights restored).

    Parameters
    ----------
    model : keras.Model
        A compiled model from :mod:`mmlab.ml.models`.
    train_inputs, validation_inputs : numpy.ndarray
        Samples; a channel axis is added if the model expects one.
    train_labels, validation_labels : numpy.ndarray or dict
        Integer class labels; for a model with a binary head (``binary_head=True``
        in :mod:`mmlab.ml.models`) ``{"class": labels, "binary": 0/1 flags}``.
    epochs, batch_size, patience, verbose
        Keras settings (``verbose=2``: one line per epoch, as notebooks want).

    Returns
    -------
    dict
        The Keras history: ``loss``, ``accuracy``, ``val_loss``, ``val_accuracy`` per epoch (with a binary head
        ``class_accuracy`` and ``binary_accuracy`` instead of ``accuracy``; ``loss`` is their sum).
    """
    train_inputs = _check_inputs(model, train_inputs)
    validation_inputs = _check_inputs(model, validation_inputs)
    return _fit(model, train_inputs, _targets(model, train_labels, len(train_inputs)), validation_inputs,
                _targets(model, validation_labels, len(validation_inputs)), epochs, batch_size, patience, verbose)


def _targets(model, labels, n: int):
    """``labels`` as the model's outputs want them: an array, or a dict with one array per named output."""
    outputs = model.output
    if not isinstance(outputs, dict):
        return np.asarray(labels)
    if not isinstance(labels, dict) or sorted(labels) != sorted(outputs):
        given = sorted(labels) if isinstance(labels, dict) else type(labels).__name__
        raise ValueError(f"model {model.name!r} has outputs {sorted(outputs)}; give labels for each, got {given}")
    targets = {name: np.asarray(values, dtype=np.float32 if name == "binary" else None)
               for name, values in labels.items()}
    for name, values in targets.items():
        if len(values) != n:
            raise ValueError(f"{len(values)} {name!r} labels for {n} samples")
    return targets


def fit_autoencoder(
    model, train_windows, validation_windows, epochs: int = 30, batch_size: int = 64, patience: int = 5,
    verbose: int = 2,
) -> dict[str, list[float]]:
    """Train an autoencoder to reconstruct its inputs, with early stopping on the validation loss.

    Parameters
    ----------
    model : keras.Model
        From :func:`mmlab.ml.models.build_autoencoder`.
    train_windows, validation_windows : numpy.ndarray
        ``(n, samples)`` windows of noise (a channel axis is added).
    epochs, batch_size, patience, verbose
        As for :func:`fit`.

    Returns
    -------
    dict
        The Keras history: ``loss`` and ``val_loss`` (mean squared error) per epoch.
    """
    train_windows = _check_inputs(model, train_windows)
    validation_windows = _check_inputs(model, validation_windows)
    for name, windows in (("train_windows", train_windows), ("validation_windows", validation_windows)):
        if not np.all(np.isfinite(windows)):
            raise ValueError(f"{name} hold NaN or infinite samples; an autoencoder cannot learn from them")
    return _fit(model, train_windows, train_windows, validation_windows, validation_windows,
                epochs, batch_size, patience, verbose)


def _fit(model, inputs, targets, validation_inputs, validation_targets, epochs, batch_size, patience, verbose):
    keras = import_keras()
    stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=patience, restore_best_weights=True)
    history = model.fit(inputs, targets, validation_data=(validation_inputs, validation_targets), epochs=epochs,
                        batch_size=batch_size, callbacks=[stop], verbose=verbose, shuffle=True)
    return {name: [float(v) for v in values] for name, values in history.history.items()}


def fit_regressor(
    model, train_inputs: dict, train_targets, validation_inputs: dict, validation_targets, epochs: int = 50,
    batch_size: int = 16, patience: int = 8, verbose: int = 2,
) -> dict[str, list[float]]:
    """Train a regressor with named inputs (``{"gw_map": ..., "light_curve": ...}``) and early stopping.

    Only the inputs the model has are passed (so one data dict serves the
    multimodal and single-modality models); each is checked against the
    model's input shape, with a channel axis added where needed.

    Returns
    -------
    dict
        The Keras history: ``loss`` and ``val_loss`` per epoch.
    """
    train = _named_inputs(model, train_inputs)
    validation = _named_inputs(model, validation_inputs)
    return _fit(model, train, np.asarray(train_targets, dtype=np.float32), validation,
                np.asarray(validation_targets, dtype=np.float32), epochs, batch_size, patience, verbose)


def _named_inputs(model, inputs: dict) -> dict[str, np.ndarray]:
    """The model's inputs picked from ``inputs`` by name, shapes checked."""
    chosen = {}
    for tensor in model.inputs:
        name = tensor.name.split(":")[0]
        if name not in inputs:
            raise ValueError(f"model {model.name!r} needs an input named {name!r}; got {sorted(inputs)}")
        values = np.asarray(inputs[name], dtype=np.float32)
        expected = tuple(tensor.shape[1:])
        if values.ndim == len(expected):
            values = values[..., None]
        if values.shape[1:] != expected:
            raise ValueError(f"model {model.name!r} takes {name} of shape {expected}, got {values.shape[1:]}")
        chosen[name] = values
    return chosen


def predict_mc(model: keras.Model, inputs: dict, n_samples: int = 30, batch_size: int = 512,
               seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Monte Carlo dropout: mean and standard deviation of ``n_samples`` predictions with dropout on.

    Returns
    -------
    mean, sigma : numpy.ndarray
        ``(n,)`` each.
    """
    import_keras().utils.set_random_seed(seed)
    named = _named_inputs(model, inputs)
    n = len(next(iter(named.values())))
    draws = np.empty((n_samples, n))
    for k in range(n_samples):
        for start in range(0, n, batch_size):
            batch = {name: values[start:start + batch_size] for name, values in named.items()}
            draws[k, start:start + batch_size] = np.asarray(model(batch, training=True))[:, 0]
    return draws.mean(axis=0), draws.std(axis=0, ddof=1)


def predict(model, inputs, batch_size: int = 256) -> np.ndarray | dict[str, np.ndarray]:
    """Class probabilities ``(n, n_classes)``; inputs are checked against the model's shape.

    A model with a binary head gives ``{"class": (n, n_classes), "binary": (n,)}``. Inputs that fit in one
    batch go through ``Model.predict_on_batch``, the model's compiled predict step: ``Model.predict`` sets up its
    batching at every call (about 0.2 s) and an eager ``model(x)`` call runs layer by layer (12 ms for the stream's
    1D CNN against 1.8 ms, the same probabilities), which was most of the real-time stream's classifier latency.
    """
    inputs = _check_inputs(model, inputs)
    if len(inputs) <= batch_size:
        outputs = model.predict_on_batch(inputs)
    else:
        outputs = model.predict(inputs, batch_size=batch_size, verbose=0)
    if isinstance(outputs, dict):
        return {name: np.asarray(values)[:, 0] if name == "binary" else np.asarray(values)
                for name, values in outputs.items()}
    return np.asarray(outputs)


@dataclass
class NetworkClassifier:
    """A Keras classifier behind scikit-learn's ``fit`` / ``predict_proba`` / ``classes_``, for active learning.

    Each :meth:`fit` builds a fresh network and trains it for a fixed number of
    gradient steps (at least ``epochs`` passes), so that a learner with 100
    labels is not trained ten times less than one with 1,000. scikeras does the
    wrapping in general; this is the part the loop needs, without its pins on
    Keras and scikit-learn.

    Parameters
    ----------
    build : callable
        ``build() -> keras.Model``, a compiled softmax classifier.
    epochs : int
        Fewest passes over the labelled set.
    min_steps : int
        Fewest gradient steps.
    batch_size : int

    Attributes
    ----------
    classes_ : numpy.ndarray
        The labels seen by the last fit, in order (the network's output columns).
    model_ : keras.Model
    """

    build: Callable
    epochs: int = 10
    min_steps: int = 200
    batch_size: int = 32

    def fit(self, inputs, labels) -> NetworkClassifier:
        """Train a fresh network on ``inputs`` and integer ``labels``."""
        labels = np.asarray(labels)
        self.classes_ = np.unique(labels)
        # The previous network and its traced graphs are let go first: an active-learning run refits many times.
        self.model_ = None
        release_memory()
        self.model_ = self.build()
        inputs = _check_inputs(self.model_, inputs)
        steps_per_epoch = -(-len(labels) // self.batch_size)
        epochs = max(self.epochs, -(-self.min_steps // steps_per_epoch))
        self.model_.fit(inputs, np.searchsorted(self.classes_, labels), epochs=epochs, batch_size=self.batch_size,
                        verbose=0)
        return self

    def predict_proba(self, inputs) -> np.ndarray:
        """Probabilities of :attr:`classes_`, one column each."""
        return predict(self.model_, inputs)[:, :len(self.classes_)]
