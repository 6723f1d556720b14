"""Keras models of the studies, built by plain factory functions returning compiled models.

Keras is imported through :func:`mmlab.core.config.import_keras` (TensorFlow
backend, quiet start-up, the seed of :func:`mmlab.seed_everything` applied)
when a factory is first called, never at ``import mmlab``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from mmlab.core.config import import_keras

if TYPE_CHECKING:
    import keras

__all__ = ["build_autoencoder", "build_cnn1d", "build_cnn2d", "build_lstm", "build_multimodal"]


def _check_shape(input_shape, rank: int, name: str) -> tuple[int, ...]:
    shape = tuple(int(n) for n in input_shape)
    if len(shape) != rank or min(shape) < 1:
        raise ValueError(f"{name} needs an input_shape of {rank} positive integers, got {input_shape!r}")
    return shape


def _check_classes(n_classes: int) -> int:
    if isinstance(n_classes, bool) or int(n_classes) != n_classes or n_classes < 2:
        raise ValueError(f"n_classes must be an integer of at least 2, got {n_classes!r}")
    return int(n_classes)


def _classified(inputs, features, n_classes: int, dense_units: int, dropout: float, learning_rate: float, name: str,
                binary_head: bool = False):
    """Dense ReLU layer, dropout and softmax on top of ``features`` (and a sigmoid ``"binary"`` output beside the
    softmax ``"class"`` one if ``binary_head``); the compiled model."""
    keras = import_keras()
    x = keras.layers.Dense(dense_units, activation="relu")(features)
    x = keras.layers.Dropout(dropout)(x)
    outputs = keras.layers.Dense(_check_classes(n_classes), activation="softmax", name="class")(x)
    if not binary_head:
        return _compile(keras.Model(inputs, outputs, name=name), learning_rate)
    binary = keras.layers.Dense(1, activation="sigmoid", name="binary")(x)
    model = keras.Model(inputs, {"class": outputs, "binary": binary}, name=name)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate),
                  loss={"class": "sparse_categorical_crossentropy", "binary": "binary_crossentropy"},
                  metrics={"class": ["accuracy"], "binary": ["accuracy"]})
    return model


def _compile(model, learning_rate: float):
    keras = import_keras()
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def build_cnn1d(
    input_shape: Sequence[int], n_classes: int, filters: Sequence[int] = (16, 32, 64, 64), kernel_size: int = 16,
    dense_units: int = 64, dropout: float = 0.3, learning_rate: float = 1e-3, binary_head: bool = False,
) -> keras.Model:
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
    binary_head : bool
        Also a sigmoid output ``"binary"`` (positive classes against the rest,
        astrophysical against glitches) on the same features, trained with
        binary cross-entropy alongside the softmax ``"class"`` output; the
        model then returns a dict, and :func:`mmlab.ml.training.fit` takes
        ``{"class": labels, "binary": flags}``.

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
    return _classified(inputs, x, n_classes, dense_units, dropout, learning_rate, "cnn1d", binary_head)


def build_cnn2d(
    input_shape: Sequence[int], n_classes: int, filters: Sequence[int] = (16, 32, 64), dense_units: int = 64,
    dropout: float = 0.3, learning_rate: float = 1e-3, binary_head: bool = False,
) -> keras.Model:
    """2D CNN on time–frequency images: 3×3 convolutions with 2×2 max-pooling, dense, softmax.

    Parameters
    ----------
    input_shape : sequence of int
        ``(frequencies, times, channels)``, e.g. ``(64, 64, 1)``.
    n_classes : int
        Output classes.
    filters, dense_units, dropout, learning_rate, binary_head
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
    return _classified(inputs, x, n_classes, dense_units, dropout, learning_rate, "cnn2d", binary_head)


def build_lstm(
    input_shape: Sequence[int], n_classes: int, frame: int = 16, units: int = 64, dense_units: int = 64,
    dropout: float = 0.3, learning_rate: float = 1e-3, binary_head: bool = False,
) -> keras.Model:
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
    dense_units, dropout, learning_rate, binary_head
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
    return _classified(inputs, x, n_classes, dense_units, dropout, learning_rate, "lstm", binary_head)


def build_autoencoder(
    samples: int, filters: Sequence[int] = (16, 8, 1), kernel_size: int = 16, pool: int = 4,
    learning_rate: float = 1e-3,
) -> keras.Model:
    """1D convolutional autoencoder for windows of whitened strain (Morawski et al. 2021).

    The encoder is a stack of convolutions (ReLU), each followed by
    max-pooling by ``pool``; the decoder mirrors it with up-sampling and
    convolutions and ends in one linear convolution, so the output has the
    input's shape. Trained on noise alone with the mean squared error, it
    reconstructs noise-like windows and fails on what it never saw.

    On whitened Gaussian noise there is no structure to learn: the best an
    autoencoder can do is keep a fraction of the window's energy, and it
    keeps more of a smooth chirp than of noise. The default bottleneck is
    therefore tight (512 → 32 numbers for 0.5 s at 1024 Hz). Measured on
    simulated aLIGO noise (0.5 s windows at 1024 Hz, 20–350 Hz, 10 000
    training windows, 6 epochs; BBH at SNR 12): AUC 0.984 with ``(16, 8, 1)``, 0.973 with ``(16, 8, 2)``,
    0.78 with ``(32, 16, 8)`` at 2048 Hz, against 0.990 for excess power.
    Parameters
    ----------
    samples : int
        Window length; must be divisible by ``pool ** (len(filters) - 1)``.
    filters : sequence of int
        Filters of the encoder's convolutions; the last sets the bottleneck
        (``samples / pool ** (len(filters) - 1) × filters[-1]`` numbers).
    kernel_size, pool
        Convolution length and pooling factor.
    learning_rate : float
        Adam's learning rate.

    Returns
    -------
    keras.Model
        Input and output ``(samples, 1)``, compiled with Adam and the mean squared error.
    """
    keras = import_keras()
    (samples,) = _check_shape((samples,), 1, "build_autoencoder")
    if not filters or samples % pool ** (len(filters) - 1):
        raise ValueError(f"build_autoencoder needs samples ({samples}) divisible by pool ** (len(filters) - 1) = "
                         f"{pool} ** {len(filters) - 1}; got filters={tuple(filters)!r}")
    inputs = keras.Input(shape=(samples, 1), name="window")
    x = inputs
    for i, count in enumerate(filters):
        x = keras.layers.Conv1D(count, kernel_size, padding="same", activation="relu")(x)
        if i < len(filters) - 1:
            x = keras.layers.MaxPooling1D(pool)(x)
    for count in reversed(filters[:-1]):
        x = keras.layers.UpSampling1D(pool)(x)
        x = keras.layers.Conv1D(count, kernel_size, padding="same", activation="relu")(x)
    outputs = keras.layers.Conv1D(1, kernel_size, padding="same", name="reconstruction")(x)
    model = keras.Model(inputs, outputs, name="autoencoder")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="mse")
    return model


def build_multimodal(
    gw_shape: Sequence[int] | None = (64, 64, 1), light_curve_shape: Sequence[int] | None = (32, 2),
    filters: Sequence[int] = (8, 16, 16, 32, 32), dense_units: Sequence[int] = (64, 32), dropout: float = 0.2,
    output_scale: float = 1.0, learning_rate: float = 1e-3,
) -> keras.Model:
    """Redshift regressor on a GW time–frequency map, an afterglow light curve, or both (Cuoco et al. 2021).

    The GW branch is five 3×3 convolutions (ReLU), each followed by 2×2
    max-pooling; the light-curve branch two 1D convolutions with pooling.
    Each is flattened; with both, they are concatenated. Dense ReLU layers
    with dropout (kept at prediction time by :func:`mmlab.ml.training.predict_mc`
    for an uncertainty) end in one linear output.

    Parameters
    ----------
    gw_shape : sequence of int or None
        ``(frequencies, times, channels)`` of the map; None for a GRB-only model.
    light_curve_shape : sequence of int or None
        ``(bins, features)`` of the light curve; None for a GW-only model.
    filters : sequence of five int
        Filters of the GW convolutions.
    dense_units : sequence of int
        Sizes of the dense layers after the merge.
    dropout : float
        Dropout rate after each dense layer.
    output_scale : float
        The linear output is multiplied by it (the population's largest
        redshift), so the network works with numbers of order one.
    learning_rate : float
        Adam's learning rate.

    Returns
    -------
    keras.Model
        Inputs named ``gw_map`` and/or ``light_curve``; compiled with Adam and the mean squared error.
    """
    keras = import_keras()
    if gw_shape is None and light_curve_shape is None:
        raise ValueError("build_multimodal needs at least one of gw_shape and light_curve_shape")
    if len(filters) != 5:
        raise ValueError(f"the GW branch has five convolution layers; give five filter counts, got {tuple(filters)!r}")
    inputs, branches = [], []
    if gw_shape is not None:
        shape = _check_shape(gw_shape, 3, "build_multimodal (gw_shape)")
        if min(shape[:2]) < 32:
            raise ValueError(f"five 2×2 poolings need maps of at least 32×32, got {shape[:2]}")
        gw = keras.Input(shape=shape, name="gw_map")
        x = gw
        for count in filters:
            x = keras.layers.Conv2D(count, 3, padding="same", activation="relu")(x)
            x = keras.layers.MaxPooling2D(2)(x)
        inputs.append(gw)
        branches.append(keras.layers.Flatten()(x))
    if light_curve_shape is not None:
        shape = _check_shape(light_curve_shape, 2, "build_multimodal (light_curve_shape)")
        curve = keras.Input(shape=shape, name="light_curve")
        x = curve
        for count in (16, 32):
            x = keras.layers.Conv1D(count, 3, padding="same", activation="relu")(x)
            x = keras.layers.MaxPooling1D(2)(x)
        inputs.append(curve)
        branches.append(keras.layers.Flatten()(x))
    x = branches[0] if len(branches) == 1 else keras.layers.Concatenate()(branches)
    for units in dense_units:
        x = keras.layers.Dense(units, activation="relu")(x)
        x = keras.layers.Dropout(dropout)(x)
    output = keras.layers.Dense(1, name="redshift")(x)
    output = keras.layers.Rescaling(float(output_scale))(output)
    name = {2: "multimodal", 1: "gw_only" if gw_shape is not None else "grb_only"}[len(inputs)]
    model = keras.Model(inputs, output, name=name)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="mse")
    return model
