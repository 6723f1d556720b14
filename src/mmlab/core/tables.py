"""Astropy tables built from numpy columns, with each column's unit."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from astropy.table import Table

__all__ = ["table_with_units"]


def table_with_units(columns: Mapping, units: Mapping[str, str | None], meta: dict | None = None) -> Table:
    """A table of ``columns`` whose columns named in ``units`` carry that unit (None or "": no unit).

    Parameters
    ----------
    columns : mapping
        ``{name: array}``, in the table's column order.
    units : mapping
        ``{name: unit string or None}``; names not among the columns are ignored.
    meta : dict, optional
        The table's metadata (copied).
    """
    from astropy.table import Table

    table = Table(dict(columns), meta=dict(meta or {}))
    for name, unit in units.items():
        if unit and name in table.colnames:
            table[name].unit = unit
    return table
