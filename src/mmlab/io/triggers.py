"""Trigger and event tables on disk: ECSV (text, keeps units and metadata) or HDF5, written atomically."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from mmlab.core.cache import DataFileError, atomic_write

if TYPE_CHECKING:
    from astropy.table import Table

__all__ = ["TRIGGER_FORMATS", "read_triggers", "write_triggers"]


#: Formats of trigger files, by file suffix.
TRIGGER_FORMATS = {".ecsv": "ascii.ecsv", ".h5": "hdf5", ".hdf5": "hdf5"}


def write_triggers(table: Table, path: str | os.PathLike) -> Path:
    """Write a trigger table as ECSV (text, keeps units and metadata) or HDF5, atomically.

    The table goes to a temporary file beside ``path`` that is renamed over it
    when complete, so an interrupted write never leaves a half-written file.

    Parameters
    ----------
    table : astropy.table.Table
        Triggers or events (:mod:`mmlab.wdf`).
    path : path-like
        Ending in ``.ecsv``, ``.h5`` or ``.hdf5``.

    Returns
    -------
    pathlib.Path
    """
    path = Path(path)
    if path.suffix not in TRIGGER_FORMATS:
        raise ValueError(f"trigger files must end in one of {list(TRIGGER_FORMATS)}, got {path.name!r}")
    options = {"path": "triggers", "serialize_meta": True} if TRIGGER_FORMATS[path.suffix] == "hdf5" else {}
    with atomic_write(path, None) as temporary:
        table.write(temporary, format=TRIGGER_FORMATS[path.suffix], overwrite=True, **options)
    return path


def read_triggers(path: str | os.PathLike) -> Table:
    """Read a trigger table written by :func:`write_triggers`.

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    DataFileError
        If it is not a readable trigger table (truncated, corrupt, other content).
    """
    from astropy.table import Table

    path = Path(path)
    if path.suffix not in TRIGGER_FORMATS:
        raise ValueError(f"trigger files must end in one of {list(TRIGGER_FORMATS)}, got {path.name!r}")
    if not path.is_file():
        raise FileNotFoundError(f"no trigger file at {path}")
    options = {"path": "triggers"} if TRIGGER_FORMATS[path.suffix] == "hdf5" else {}
    try:
        table = Table.read(path, format=TRIGGER_FORMATS[path.suffix], **options)
    except Exception as exc:  # astropy raises many kinds for damaged files
        raise DataFileError(f"{path}: not a readable trigger table ({type(exc).__name__}: {exc})") from None
    if "gps_start" not in table.colnames or "snr" not in table.colnames:
        raise DataFileError(f"{path}: a trigger table needs gps_start and snr columns, found {table.colnames}")
    return table
