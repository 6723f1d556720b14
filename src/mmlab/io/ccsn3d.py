"""3D-simulation core-collapse supernova waveforms (Burrows group format): finding and reading the files."""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np

from mmlab.core.cache import DataFileError
from mmlab.core.config import search_folders

__all__ = ["find_ccsn_3d_files", "read_ccsn_3d"]


#: 3D core-collapse supernova waveform files: ``<model>_strains_<axis>.txt``.
_CCSN_3D_NAME = re.compile(r"^(?P<model>\w+?)_strains_(?P<axis>[xyz])\.txt$")


def find_ccsn_3d_files() -> dict[str, Path]:
    """3D-simulation supernova waveforms available in the cache or the mirror (``ccsn_3d/``).

    Returns
    -------
    dict
        ``{"9a_x": path, ...}``: the progenitor model and the axis the source is
        viewed along; cache files shadow mirror files of the same name.
    """
    found: dict[str, Path] = {}
    for folder in search_folders("ccsn_3d"):
        if folder.is_dir():
            for path in sorted(folder.glob("*_strains_*.txt")):
                match = _CCSN_3D_NAME.match(path.name)
                if match:
                    found.setdefault(f"{match['model']}_{match['axis']}", path)
    return found


def read_ccsn_3d(path: str | os.PathLike) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Read a 3D-simulation supernova waveform file (Burrows group format).

    Parameters
    ----------
    path : path-like
        Text file of three columns: time after bounce in s, ``h+ · D`` and
        ``h× · D`` in cm (divide by the distance in cm to get strain), with
        non-uniform time steps.

    Returns
    -------
    time, hplus_distance, hcross_distance : numpy.ndarray
        The columns, time strictly increasing.

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    DataFileError
        If a line does not hold three numbers (the message names the file and
        line), a value is not finite, or time does not increase.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no 3D supernova waveform file at {path}")
    rows = []
    with path.open() as stream:
        for number, line in enumerate(stream, start=1):
            fields = line.split()
            if not fields or fields[0].startswith("#"):
                continue
            if len(fields) != 3:
                raise DataFileError(f"{path}, line {number}: expected 3 columns (t, h+*D, hx*D), got {len(fields)}")
            try:
                rows.append([float(field) for field in fields])
            except ValueError:
                raise DataFileError(f"{path}, line {number}: not three numbers: {line.strip()[:80]!r}") from None
    if len(rows) < 2:
        raise DataFileError(f"{path}: holds {len(rows)} samples; a waveform needs at least 2")
    table = np.array(rows)
    if not np.isfinite(table).all():
        first = int(np.argmax(~np.isfinite(table).all(axis=1)))
        raise DataFileError(f"{path}: sample {first + 1} is not finite: {table[first]}")
    steps = np.diff(table[:, 0])
    if np.any(steps <= 0):
        first = int(np.argmax(steps <= 0))
        raise DataFileError(f"{path}: time does not increase after sample {first + 1} (t = {table[first, 0]} s)")
    return table[:, 0], table[:, 1], table[:, 2]
