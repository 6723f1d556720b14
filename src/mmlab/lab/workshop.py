"""A workshop room offline: one folder with the data, models and caches the notebooks read, and a readiness check.

``mmlab workshop prepare DIR`` copies into ``DIR`` (a USB stick, a shared drive)

- ``mirror/<source>/``: the files of every source the loaders read (:data:`ROOM_SOURCES`), taken from the
  cache first and then from the offline mirror, exactly where ``search_folders`` looks for them;
- ``cache/``: the local cache (downloads and the data sets the notebooks have built), so a room starts warm;
- ``models/``: the networks shipped with mmlab, with their cards;

then writes ``workshop.json`` (every file with its size and SHA-256, written last and atomically), reads every
file back against it, and prints the folder's size. A participant copies the folder to their disk and sets
``MMLAB_DATA_MIRROR=DIR/mirror`` and ``MMLAB_DATA_DIR=DIR/cache``; ``mmlab workshop check DIR`` tells them
whether their machine is ready (Python packages, the folder's files, memory and disk).
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from mmlab.core.cache import atomic_write, sha256sum, writable_folder
from mmlab.core.config import data_dir, mirror_dir
from mmlab.lab.report import run_facts
from mmlab.ml.registry import PRETRAINED_DIR

__all__ = ["MANIFEST", "ROOM_PACKAGES", "ROOM_SOURCES", "Room", "check_room", "machine_problems", "prepare_room"]

#: The data sources the study notebooks read, as folders of the cache and the mirror (``core.config.search_folders``).
ROOM_SOURCES = ("gwosc", "ccsn_3d", "swift_xrt", "ztf", "ztf_tns", "plasticc", "sncosmo", "kilonova")

#: Modules a participant's Python must find to run every notebook (import name: what to install).
ROOM_PACKAGES = {
    "mmlab": "mmlab (pip install -e . in the checkout)", "keras": "keras", "tensorflow": "tensorflow-cpu",
    "lalsimulation": "lalsuite", "pywt": "PyWavelets", "h5py": "h5py", "astropy": "astropy", "plotly": "plotly",
    "ipywidgets": "ipywidgets", "jupyterlab": "jupyterlab", "papermill": "papermill", "sklearn": "scikit-learn",
    "light_curve": "light-curve", "coniferest": "coniferest", "sncosmo": "sncosmo", "lenstronomy": "lenstronomy",
    "fastavro": "fastavro",
}

#: Memory and free disk a participant needs (the largest quick notebook peaks near 3 GB).
MIN_MEMORY_GIB = 4.0
MIN_DISK_GIB = 1.0

#: The folder's list of files (written last: a folder without it is unfinished).
MANIFEST = "workshop.json"


@dataclass(frozen=True)
class Room:
    """A prepared workshop folder.

    Attributes
    ----------
    folder : pathlib.Path
        The folder.
    files : dict
        Relative path -> ``{"bytes": int, "sha256": str}`` of every file in it (but the manifest).
    """

    folder: Path
    files: dict

    @property
    def size_bytes(self) -> int:
        """Total size of the files."""
        return sum(entry["bytes"] for entry in self.files.values())


def _copy_tree(source: Path, target: Path, files: dict, root: Path) -> None:
    """Copy the files under ``source`` into ``target`` (those already there from an earlier source are kept; the
    cache's lock files are left out)."""
    for path in sorted(p for p in source.rglob("*") if p.is_file() and p.suffix != ".lock"):
        destination = target / path.relative_to(source)
        relative = destination.relative_to(root).as_posix()
        if relative in files:
            continue
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, destination)
        files[relative] = {"bytes": destination.stat().st_size, "sha256": sha256sum(path)}


def prepare_room(folder: str | os.PathLike) -> Room:
    """Copy everything a workshop room needs into ``folder``, write its manifest and verify the copy.

    Parameters
    ----------
    folder : path-like
        An empty or missing folder, or one prepared before (it is refreshed).

    Returns
    -------
    Room
        The prepared folder and its files.

    Raises
    ------
    NotADirectoryError
        If ``folder`` is a file.
    FileExistsError
        If ``folder`` holds files but no ``workshop.json`` (nothing of the user's is overwritten).
    PermissionError
        If ``folder`` cannot be written.
    FileNotFoundError
        If a source of :data:`ROOM_SOURCES` is in neither the cache nor the mirror.
    ValueError
        If a copied file does not read back as it was written.
    """
    folder = Path(folder)
    if folder.is_dir() and any(folder.iterdir()) and not (folder / MANIFEST).is_file():
        raise FileExistsError(f"workshop folder {folder} holds files but no {MANIFEST}: choose an empty folder")
    cache, mirror = data_dir(), mirror_dir()
    missing = [s for s in ROOM_SOURCES if not any((base / s).is_dir() for base in (cache, mirror) if base)]
    if missing:
        raise FileNotFoundError(f"no {', '.join(missing)} in the cache {cache} or the mirror {mirror}: "
                                "set MMLAB_DATA_MIRROR to a full mirror (../shared/data) first")
    writable_folder(folder, "workshop folder")
    (folder / MANIFEST).unlink(missing_ok=True)  # a half-refreshed folder must not pass for a prepared one
    files: dict = {}
    for source in ROOM_SOURCES:
        for base in (cache, mirror):
            if base is not None and (base / source).is_dir():
                _copy_tree(base / source, folder / "mirror" / source, files, folder)
    for path in sorted(p for p in cache.iterdir() if p.is_dir() and p.name not in ROOM_SOURCES):
        _copy_tree(path, folder / "cache" / path.name, files, folder)
    _copy_tree(PRETRAINED_DIR, folder / "models", files, folder)
    for relative, entry in files.items():
        if sha256sum(folder / relative) != entry["sha256"]:
            raise ValueError(f"{folder / relative} does not read back as it was written: the folder is damaged")
    with atomic_write(folder / MANIFEST) as handle:
        json.dump({**run_facts(), "files": files}, handle, indent=1)
    return Room(folder, files)


def machine_problems(folder: str | os.PathLike) -> list[str]:
    """What this machine lacks for the workshop: Python modules, memory, free disk where ``folder`` lies."""
    problems = [f"Python cannot import {name}: pip install {package}" for name, package in ROOM_PACKAGES.items()
                if importlib.util.find_spec(name) is None]
    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError, AttributeError):
        memory = None
    if memory is not None and memory < MIN_MEMORY_GIB:
        problems.append(f"{memory:.1f} GiB of memory, {MIN_MEMORY_GIB:g} GiB needed")
    free = shutil.disk_usage(folder).free / 2**30
    if free < MIN_DISK_GIB:
        problems.append(f"{free:.1f} GiB free on the disk of {folder}, {MIN_DISK_GIB:g} GiB needed")
    return problems


def check_room(folder: str | os.PathLike | None = None) -> list[str]:
    """What keeps this machine from running the workshop: one line per problem (empty when ready).

    Parameters
    ----------
    folder : path-like, optional
        A folder made by :func:`prepare_room`: every file is checked against its ``workshop.json``.
        Without it, every source of :data:`ROOM_SOURCES` must be in the cache or the mirror.

    Returns
    -------
    list of str
        The problems, each naming what is missing or damaged and what to do.
    """
    if folder is None:
        cache, mirror = data_dir(), mirror_dir()
        problems = [f"no {source} data in the cache {cache} or the mirror {mirror or '(MMLAB_DATA_MIRROR unset)'}"
                    for source in ROOM_SOURCES if not any((b / source).is_dir() for b in (cache, mirror) if b)]
        return machine_problems(cache) + problems
    folder = Path(folder)
    if not folder.is_dir():
        return [f"{folder} is not a folder: run mmlab workshop prepare {folder} on a machine with the data"]
    try:
        files = json.loads((folder / MANIFEST).read_text())["files"]
    except FileNotFoundError:
        return [f"{folder} has no {MANIFEST}: it was not made by mmlab workshop prepare, or not finished"]
    except (ValueError, KeyError, TypeError) as exc:
        return [f"{folder / MANIFEST} is damaged ({exc}): prepare the folder again"]
    problems = machine_problems(folder)
    for relative, entry in sorted(files.items()):
        path = folder / relative
        if not path.is_file():
            problems.append(f"{path} is missing")
        elif path.stat().st_size != entry["bytes"] or sha256sum(path) != entry["sha256"]:
            problems.append(f"{path} is damaged (size or SHA-256 differs from {MANIFEST})")
    return problems
