"""Checks of physical parameters at the public boundary, with errors that name the value."""

from __future__ import annotations

import numpy as np

__all__ = ["check_choice", "check_in_range", "check_integer", "check_light_curve", "check_positive"]


def check_positive(name: str, value, unit: str | None = None) -> float:
    """Return ``value`` as a float if it is finite and > 0, else raise naming the parameter.

    Parameters
    ----------
    name : str
        Parameter name used in the message, e.g. ``"snr"``.
    value : float or astropy.units.Quantity
        The value to check; a Quantity is converted to ``unit`` first.
    unit : str, optional
        Unit in which plain numbers are understood (and Quantities converted).

    Raises
    ------
    ValueError
        If the value is NaN, infinite, zero or negative, or not a number.
    """
    if hasattr(value, "unit"):
        if unit is None:
            raise ValueError(f"{name} must be a plain number, got the Quantity {value!r}")
        value = value.to_value(unit)
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a positive number, got {value!r}") from None
    if not np.isfinite(number) or number <= 0:
        where = f" {unit}" if unit else ""
        raise ValueError(f"{name} must be a finite positive number{where}, got {value!r}")
    return number


def check_integer(name: str, value, minimum: int = 0) -> int:
    """Return ``value`` as an int if it is a whole number (not a bool) of at least ``minimum``, else raise.

    Examples
    --------
    >>> check_integer("n_bins", 32, 2)
    32
    >>> check_integer("seed", -1)
    Traceback (most recent call last):
    ...
    ValueError: seed must be an integer >= 0, got -1
    """
    try:
        whole = not isinstance(value, bool) and float(value) == int(value)
    except (TypeError, ValueError, OverflowError):
        whole = False
    if not whole or int(value) < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def check_in_range(name: str, value, low: float, high: float) -> float:
    """Return ``value`` as a float if ``low <= value <= high``, else raise naming the range."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number in [{low}, {high}], got {value!r}") from None
    if not low <= number <= high:
        raise ValueError(f"{name} must lie in [{low}, {high}], got {value!r}")
    return number


def check_choice(name: str, value, choices) -> None:
    """Raise a ValueError naming ``value`` and the valid ``choices`` unless ``value`` is one of them.

    Examples
    --------
    >>> check_choice("detector", "X1", ("H1", "L1"))
    Traceback (most recent call last):
    ...
    ValueError: detector must be one of ['H1', 'L1'], got 'X1'
    """
    if value not in choices:
        raise ValueError(f"{name} must be one of {list(choices)}, got {value!r}")


def check_light_curve(time, rate, name: str = "light curve") -> None:
    """Raise a ValueError naming the first bad point unless times and rates are finite, positive and time sorted.

    Parameters
    ----------
    time, rate : array_like
        Bin times (s) and count rates (counts/s), one-dimensional, same length.
    name : str
        What the light curve is (a file name), for the message.
    """
    time, rate = np.asarray(time, dtype=float), np.asarray(rate, dtype=float)
    if time.shape != rate.shape or time.ndim != 1 or time.size == 0:
        raise ValueError(f"{name}: time and rate must be non-empty 1-D arrays of one shape, got {time.shape} "
                         f"and {rate.shape}")
    for label, values in (("time", time), ("rate", rate)):
        bad = ~np.isfinite(values) | (values <= 0)
        if bad.any():
            first = int(np.argmax(bad))
            raise ValueError(
                f"{name}: {label} must be finite and positive, got {float(values[first])!r} at point {first}"
            )
    if np.any(np.diff(time) <= 0):
        first = int(np.argmax(np.diff(time) <= 0))
        raise ValueError(f"{name}: times must increase, but point {first + 1} (t = {time[first + 1]:g} s) follows "
                         f"t = {time[first]:g} s")
