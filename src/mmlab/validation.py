"""Checks of physical parameters at the public boundary, with errors that name the value."""

from __future__ import annotations

import numpy as np


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


def check_in_range(name: str, value, low: float, high: float) -> float:
    """Return ``value`` as a float if ``low <= value <= high``, else raise naming the range."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number in [{low}, {high}], got {value!r}") from None
    if not low <= number <= high:
        raise ValueError(f"{name} must lie in [{low}, {high}], got {value!r}")
    return number
