"""One seed for everything random in mmlab: Python, numpy, Keras/TensorFlow.

:func:`seed_everything` seeds the process; functions that draw random numbers
take a :data:`RandomState` and turn it into a generator with :func:`as_generator`.
"""

from __future__ import annotations

import random
import sys

import numpy as np

__all__ = ["RandomState", "as_generator", "seed_everything", "seed_keras"]

#: Random inputs accepted wherever mmlab draws random numbers: a seed, a generator (used as is) or None.
RandomState = int | np.random.Generator | None

_seed: int | None = None


def as_generator(seed: RandomState) -> np.random.Generator:
    """A numpy Generator from a seed, an existing Generator (used as is) or None (fresh entropy).

    Examples
    --------
    >>> float(as_generator(1).uniform()) == float(as_generator(1).uniform())
    True
    """
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0):
        raise ValueError(f"seed must be a non-negative integer, a numpy Generator or None, got {seed!r}")
    return np.random.default_rng(seed)


def seed_everything(seed: int) -> np.random.Generator:
    """Seed Python's :mod:`random`, numpy's global state and Keras/TensorFlow.

    Keras is not imported here (``import mmlab`` stays light): if it is already
    loaded it is seeded now, otherwise :func:`mmlab.core.config.import_keras` seeds it
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
