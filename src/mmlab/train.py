"""Training and evaluating classifiers and autoencoders: arrays in, history and metrics out."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mmlab.config import import_keras


def _check_inputs(model, inputs: np.ndarray) -> np.ndarray:
    """Inputs as float32 with a trailing channel axis if the model wants one; shapes must match."""
    inputs = np.asarray(inputs, dtype=np.float32)
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
        A compiled model from :mod:`mmlab.models`.
    train_inputs, validation_inputs : numpy.ndarray
        Samples; a channel axis is added if the model expects one.
    train_labels, validation_labels : numpy.ndarray
        Integer class labels.
    epochs, batch_size, patience, verbose
        Keras settings (``verbose=2``: one line per epoch, as notebooks want).

    Returns
    -------
    dict
        The Keras history: ``loss``, ``accuracy``, ``val_loss``, ``val_accuracy`` per epoch.
    """
    train_inputs = _check_inputs(model, train_inputs)
    validation_inputs = _check_inputs(model, validation_inputs)
    return _fit(model, train_inputs, np.asarray(train_labels), validation_inputs, np.asarray(validation_labels),
                epochs, batch_size, patience, verbose)


def fit_autoencoder(
    model, train_windows, validation_windows, epochs: int = 30, batch_size: int = 64, patience: int = 5,
    verbose: int = 2,
) -> dict[str, list[float]]:
    """Train an autoencoder to reconstruct its inputs, with early stopping on the validation loss.

    Parameters
    ----------
    model : keras.Model
        From :func:`mmlab.models.build_autoencoder`.
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


def predict_mc(model, inputs: dict, n_samples: int = 30, batch_size: int = 512, seed: int = 0):
    """Monte Carlo dropout: mean and standard deviation of ``n_samples`` predictions with dropout on.

    Returns
    -------
    mean, sigma : numpy.ndarray
        ``(n,)`` each.
    """
    import keras

    keras.utils.set_random_seed(seed)
    named = _named_inputs(model, inputs)
    n = len(next(iter(named.values())))
    draws = np.empty((n_samples, n))
    for k in range(n_samples):
        for start in range(0, n, batch_size):
            batch = {name: values[start:start + batch_size] for name, values in named.items()}
            draws[k, start:start + batch_size] = np.asarray(model(batch, training=True))[:, 0]
    return draws.mean(axis=0), draws.std(axis=0, ddof=1)


def predict(model, inputs, batch_size: int = 256) -> np.ndarray:
    """Class probabilities ``(n, n_classes)``; inputs are checked against the model's shape."""
    return np.asarray(model.predict(_check_inputs(model, inputs), batch_size=batch_size, verbose=0))


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
        Accuracy of "CCSN or not", the predicted class being a CCSN class or not.
    binary_confusion : numpy.ndarray
        2×2 confusion of that task (rows true, columns predicted; 0 = not CCSN, 1 = CCSN).
    roc_false_positive, roc_true_positive : numpy.ndarray
        ROC curve of the CCSN probability (sum over CCSN classes).
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


def roc_curve(scores: np.ndarray, positive: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """False- and true-positive rates at every score threshold, and the area under the curve.

    Ties are resolved by grouping equal scores (as scikit-learn's ``roc_curve``).
    """
    scores, positive = np.asarray(scores, dtype=float), np.asarray(positive, dtype=bool)
    if positive.all() or not positive.any():
        raise ValueError("a ROC curve needs both positive and negative samples")
    order = np.argsort(-scores, kind="stable")
    scores, positive = scores[order], positive[order]
    distinct = np.flatnonzero(np.diff(scores)) if scores.size > 1 else np.zeros(0, dtype=int)
    cut = np.append(distinct, scores.size - 1)
    true_positive = np.concatenate([[0], np.cumsum(positive)[cut]]) / positive.sum()
    false_positive = np.concatenate([[0], np.cumsum(~positive)[cut]]) / (~positive).sum()
    return false_positive, true_positive, float(np.trapezoid(true_positive, false_positive))


def evaluate(probabilities: np.ndarray, labels: np.ndarray, ccsn_classes: np.ndarray) -> Evaluation:
    """Accuracy, confusion matrix, per-class precision/recall and the binary CCSN task's ROC.

    Parameters
    ----------
    probabilities : numpy.ndarray
        ``(n, n_classes)`` from :func:`predict`.
    labels : numpy.ndarray
        True class indices.
    ccsn_classes : numpy.ndarray
        Boolean mask over classes: which count as CCSN.

    Returns
    -------
    Evaluation
    """
    probabilities, labels = np.asarray(probabilities), np.asarray(labels)
    ccsn_classes = np.asarray(ccsn_classes, dtype=bool)
    n_classes = probabilities.shape[1]
    if ccsn_classes.shape != (n_classes,):
        raise ValueError(f"ccsn_classes needs one flag per class ({n_classes}), got shape {ccsn_classes.shape}")
    predicted = np.argmax(probabilities, axis=1)
    confusion = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(confusion, (labels, predicted), 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        precision = np.diag(confusion) / confusion.sum(axis=0)
        recall = np.diag(confusion) / confusion.sum(axis=1)
    truth = ccsn_classes[labels]
    binary_confusion = np.zeros((2, 2), dtype=np.int64)
    np.add.at(binary_confusion, (truth.astype(int), ccsn_classes[predicted].astype(int)), 1)
    false_positive, true_positive, auc = roc_curve(probabilities[:, ccsn_classes].sum(axis=1), truth)
    return Evaluation(
        accuracy=float(np.mean(predicted == labels)), confusion=confusion, precision=precision, recall=recall,
        binary_accuracy=float(np.mean(ccsn_classes[predicted] == truth)), binary_confusion=binary_confusion,
        roc_false_positive=false_positive, roc_true_positive=true_positive, roc_auc=auc,
    )


def accuracy_by_snr(correct: np.ndarray, snr: np.ndarray, edges) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Fraction correct in SNR bins: ``(centres, accuracy, counts)`` (NaN for empty bins)."""
    correct, snr, edges = np.asarray(correct, dtype=float), np.asarray(snr, dtype=float), np.asarray(edges, dtype=float)
    which = np.digitize(snr, edges) - 1
    counts = np.bincount(which[(which >= 0) & (which < edges.size - 1)], minlength=edges.size - 1)
    sums = np.bincount(which[(which >= 0) & (which < edges.size - 1)],
                       weights=correct[(which >= 0) & (which < edges.size - 1)], minlength=edges.size - 1)
    with np.errstate(invalid="ignore"):
        return (edges[:-1] + edges[1:]) / 2, sums / counts, counts
