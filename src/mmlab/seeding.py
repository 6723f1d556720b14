"""One seed for everything random in mmlab: Python, numpy, Keras/TensorFlow."""

from __future__ import annotations

import random
import sys

import numpy as np

_seed: int | None = None


def seed_everything(seed: int) -> np.random.Generator:
    """Seed Python's :mod:`random`, numpy's global state and Keras/TensorFlow.

    Keras is not imported here (``import mmlab`` stays light): if it is already
    loaded it is seeded now, otherwise :func:`mmlab.config.import_keras` seeds it
    when a model first needs it.

    Parameters
    ----------
    seed : int
        A non-negative integer below 2**32.

    Returns
    -------
    numpy.random.Generator
        A fresh generator seeded with ``seed``, for code that takes an ``rng``.
    """
    global _seed
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed < 2**32:
        raise ValueError(f"seed must be an integer in [0, 2**32), got {seed!r}")
    _seed = int(seed)
    random.seed(_seed)
    np.random.seed(_seed)
    if "keras" in sys.modules:
        seed_keras()
    return np.random.default_rng(_seed)


def seed_keras() -> None:
    """Apply the seed given to :func:`seed_everything`, if any, to Keras and its backend."""
    if _seed is not None:
        import keras

        keras.utils.set_random_seed(_seed)
