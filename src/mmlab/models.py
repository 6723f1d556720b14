"""Keras models of the studies, built by plain factory functions returning compiled models.

Keras is imported through :func:`mmlab.config.import_keras` (TensorFlow
backend, quiet start-up, the seed of :func:`mmlab.seed_everything` applied)
when a factory is first called, never at ``import mmlab``.
"""

from __future__ import annotations

from collections.abc import Sequence

from mmlab.config import import_keras


def _check_shape(input_shape, rank: int, name: str) -> tuple[int, ...]:
    shape = tuple(int(n) for n in input_shape)
    if len(shape) != rank or min(shape) < 1:
        raise ValueError(f"{name} needs an input_shape of {rank} positive integers, got {input_shape!r}")
    return shape


def _check_classes(n_classes: int) -> int:
    if isinstance(n_classes, bool) or int(n_classes) != n_classes or n_classes < 2:
        raise ValueError(f"n_classes must be an integer of at least 2, got {n_classes!r}")
    return int(n_classes)


def _classified(inputs, features, n_classes: int, dense_units: int, dropout: float, learning_rate: float, name: str):
    """Dense ReLU layer, dropout and softmax on top of ``features``; the compiled model."""
    keras = import_keras()
    x = keras.layers.Dense(dense_units, activation="relu")(features)
    x = keras.layers.Dropout(dropout)(x)
    outputs = keras.layers.Dense(_check_classes(n_classes), activation="softmax", name="class")(x)
    return _compile(keras.Model(inputs, outputs, name=name), learning_rate)


def _compile(model, learning_rate: float):
    keras = import_keras()
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def build_cnn1d(
    input_shape: Sequence[int], n_classes: int, filters: Sequence[int] = (16, 32, 64, 64), kernel_size: int = 16,
    dense_units: int = 64, dropout: float = 0.3, learning_rate: float = 1e-3,
):
    """1D CNN on whitened time series (Iess et al. 2020): convolution + max-pooling blocks, dense, softmax.

    Parameters
    ----------
    input_shape : sequence of int
        ``(samples, channels)``, e.g. ``(2048, 1)`` (or 3 channels for three detectors).
    n_classes : int
        Output classes.
    filters, kernel_size
        Filters of each convolution block (ReLU, then max-pooling by 4 while
        at least 8 steps remain) and their length.
    dense_units, dropout, learning_rate
        Head size, dropout before the output, Adam's learning rate.

    Returns
    -------
    keras.Model
        Compiled with Adam and (sparse) categorical cross-entropy.
    """
    keras = import_keras()
    shape = _check_shape(input_shape, 2, "build_cnn1d")
    inputs = keras.Input(shape=shape, name="timeseries")
    x = inputs
    length = shape[0]
    for count in filters:
        x = keras.layers.Conv1D(count, kernel_size, padding="same", activation="relu")(x)
        if length >= 8:  # short inputs stop being pooled
            x = keras.layers.MaxPooling1D(4)(x)
            length //= 4
    x = keras.layers.GlobalMaxPooling1D()(x)
    return _classified(inputs, x, n_classes, dense_units, dropout, learning_rate, "cnn1d")


def build_cnn2d(
    input_shape: Sequence[int], n_classes: int, filters: Sequence[int] = (16, 32, 64), dense_units: int = 64,
    dropout: float = 0.3, learning_rate: float = 1e-3,
):
    """2D CNN on time–frequency images: 3×3 convolutions with 2×2 max-pooling, dense, softmax.

    Parameters
    ----------
    input_shape : sequence of int
        ``(frequencies, times, channels)``, e.g. ``(64, 64, 1)``.
    n_classes : int
        Output classes.
    filters, dense_units, dropout, learning_rate
        As for :func:`build_cnn1d`.

    Returns
    -------
    keras.Model
    """
    keras = import_keras()
    shape = _check_shape(input_shape, 3, "build_cnn2d")
    inputs = keras.Input(shape=shape, name="image")
    x = inputs
    size = min(shape[:2])
    for count in filters:
        x = keras.layers.Conv2D(count, 3, padding="same", activation="relu")(x)
        if size >= 4:
            x = keras.layers.MaxPooling2D(2)(x)
            size //= 2
    x = keras.layers.Flatten()(x)
    return _classified(inputs, x, n_classes, dense_units, dropout, learning_rate, "cnn2d")


def build_lstm(
    input_shape: Sequence[int], n_classes: int, frame: int = 16, units: int = 64, dense_units: int = 64,
    dropout: float = 0.3, learning_rate: float = 1e-3,
):
    """LSTM on the time series cut into frames (Iess et al. 2023).

    An LSTM stepping through 2048 samples one by one is slow to train and
    forgets; the series is reshaped into ``samples / frame`` steps of
    ``frame × channels`` values, a 1D convolution summarises each step, and
    the LSTM's outputs at every step are max-pooled (the transient sits in
    the middle of the sequence, far from its end).

    Parameters
    ----------
    input_shape : sequence of int
        ``(samples, channels)``; ``samples`` must be a multiple of ``frame``.
    n_classes : int
        Output classes.
    frame, units
        Samples per step and LSTM units.
    dense_units, dropout, learning_rate
        As for :func:`build_cnn1d`.

    Returns
    -------
    keras.Model
    """
    keras = import_keras()
    samples, channels = _check_shape(input_shape, 2, "build_lstm")
    if samples % frame:
        raise ValueError(f"build_lstm needs samples ({samples}) to be a multiple of frame ({frame})")
    inputs = keras.Input(shape=(samples, channels), name="timeseries")
    x = keras.layers.Reshape((samples // frame, frame * channels))(inputs)
    x = keras.layers.Conv1D(64, 3, padding="same", activation="relu")(x)
    x = keras.layers.LSTM(units, return_sequences=True)(x)
    x = keras.layers.GlobalMaxPooling1D()(x)
    return _classified(inputs, x, n_classes, dense_units, dropout, learning_rate, "lstm")
