"""The local cache: atomic writes, checksums, the download manifest and cached data sets.

Everything mmlab writes to disk goes through :func:`atomic_write`: the bytes
go to a temporary file in the destination's folder, are flushed to disk
(``fsync``) and renamed over the destination, so an interrupted run never
leaves a half-written file under the final name, and the temporary is
removed on any failure.

Data sets built from a configuration (simulations that take minutes) derive
from :class:`CachedDataset`: the configuration and the packages that shape
the data give a key, the arrays go to a compressed ``.npz`` beside a JSON
manifest (configuration, key, SHA-256 of the arrays), a damaged or foreign
file is rebuilt rather than used, and ``part("train")`` selects a split.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import hashlib
import importlib
import io
import json
import os
import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, ClassVar

import numpy as np

from mmlab.core.config import data_dir

__all__ = [
    "MANIFEST", "SUBSETS", "CachedDataset", "DataFileError", "add_to_manifest", "atomic_write", "file_lock",
    "read_arrays", "read_manifest", "require_columns", "sha256sum", "writable_folder", "write_arrays",
]

#: The cache manifest of downloaded files, in the cache folder.
MANIFEST = "manifest.json"

#: Names of the subsets of a data set, by their code in its ``subset`` array.
SUBSETS = ("train", "validation", "test")

#: Permissions of files written by :func:`atomic_write` (``mkstemp`` alone would give 0600).
FILE_MODE = 0o644


class DataFileError(ValueError):
    """A data file exists but is truncated, corrupt or not of the expected kind."""


def require_columns(columns, needed, path: str | os.PathLike) -> None:
    """Raise a :class:`DataFileError` naming the file and the missing columns unless ``columns`` has ``needed``."""
    missing = [name for name in needed if name not in set(columns)]
    if missing:
        raise DataFileError(f"{path}: missing columns {missing} (expected {list(needed)})")


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike, mode: str | None = "w") -> Iterator[IO | Path]:
    """Write a file so that it appears complete or not at all.

    Parameters
    ----------
    path : path-like
        The destination; its folder is created if missing.
    mode : {"w", "wb", None}
        Open the temporary file in this mode and yield the handle; None yields
        the temporary file's path instead, for libraries that write by file
        name (Keras, astropy). The temporary keeps ``path``'s suffix.

    Yields
    ------
    file object or pathlib.Path
        Where to write.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> with atomic_write(folder / "note.txt") as handle:
    ...     _ = handle.write("complete")
    >>> (folder / "note.txt").read_text(), oct((folder / "note.txt").stat().st_mode & 0o777)
    ('complete', '0o644')
    """
    if mode not in ("w", "wb", None):
        raise ValueError(f"mode must be 'w', 'wb' or None (yield a path), got {mode!r}")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=f"{path.suffix}.part"
                                        if mode is not None else path.suffix)
    temporary = Path(name)
    try:
        if mode is None:
            os.close(descriptor)
            yield temporary
            descriptor = os.open(temporary, os.O_RDONLY)
            try:
                os.fsync(descriptor)
            finally:
                os.close(descriptor)
        else:
            with os.fdopen(descriptor, mode) as handle:
                yield handle
                handle.flush()
                os.fsync(handle.fileno())
        os.chmod(temporary, FILE_MODE & ~_umask())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def _umask() -> int:
    """The process's umask (read by setting and restoring it)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def file_lock(path: str | os.PathLike) -> Iterator[None]:
    """Hold an exclusive advisory lock (:func:`fcntl.flock`) on ``path`` for the block.

    Processes that update the same file (the cache manifest, a data set and
    its manifest) take the lock first, so no update is lost between a read
    and a write.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def writable_folder(folder: str | os.PathLike, what: str) -> Path:
    """Create ``folder`` if missing and check it can be written, before any work goes into it.

    Parameters
    ----------
    folder : path-like
        The folder.
    what : str
        How error messages name it (``"--output"``, ``"workshop folder"``).

    Returns
    -------
    pathlib.Path
        The folder.

    Raises
    ------
    NotADirectoryError
        If ``folder`` is a file.
    PermissionError
        If it cannot be created or written.
    """
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise NotADirectoryError(f"{what} {folder} is a file, not a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise PermissionError(f"cannot create {what} {folder}: {exc.strerror or exc}") from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise PermissionError(f"cannot write into {what} {folder}")
    return folder


def sha256sum(path: str | os.PathLike) -> str:
    """Hex SHA-256 digest of a file."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def write_arrays(arrays_path: str | os.PathLike, manifest_path: str | os.PathLike, arrays: dict,
                 manifest: dict) -> Path:
    """Write arrays as a compressed ``.npz`` and a JSON manifest beside it, each atomically.

    The manifest gets the array file's name and SHA-256 added; the same arrays
    give the same bytes.

    Returns
    -------
    pathlib.Path
        ``arrays_path``.
    """
    arrays_path, manifest_path = Path(arrays_path), Path(manifest_path)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    with atomic_write(arrays_path, "wb") as handle:
        handle.write(buffer.getvalue())
    manifest = {**manifest, "file": arrays_path.name, "sha256": hashlib.sha256(buffer.getvalue()).hexdigest()}
    with atomic_write(manifest_path) as handle:
        handle.write(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return arrays_path


def read_arrays(arrays_path: str | os.PathLike, manifest_path: str | os.PathLike,
                expected: dict) -> dict[str, np.ndarray]:
    """Read arrays written by :func:`write_arrays`, checking the manifest first.

    Parameters
    ----------
    arrays_path, manifest_path : path-like
        The ``.npz`` and its manifest.
    expected : dict
        Entries the manifest must hold with these values (a configuration and its key).

    Raises
    ------
    FileNotFoundError
        If either file is missing.
    DataFileError
        If the manifest is unreadable, describes another configuration, or the
        arrays' SHA-256 differs from the manifest's (a damaged or altered file).
    """
    arrays_path, manifest_path = Path(arrays_path), Path(manifest_path)
    if not arrays_path.is_file() or not manifest_path.is_file():
        raise FileNotFoundError(f"no cached data set for this configuration at {arrays_path}")
    try:
        manifest = json.loads(manifest_path.read_text())
    except json.JSONDecodeError as exc:
        raise DataFileError(f"{manifest_path}: not a readable manifest ({exc})") from None
    differing = [name for name, value in expected.items() if manifest.get(name) != json.loads(json.dumps(value))]
    if differing:
        raise DataFileError(f"{manifest_path}: describes another configuration than the one requested "
                            f"(different {differing})")
    actual = sha256sum(arrays_path)
    if actual != manifest.get("sha256"):
        raise DataFileError(
            f"{arrays_path}: SHA-256 {actual[:12]}… does not match the manifest's {str(manifest.get('sha256'))[:12]}…"
        )
    with np.load(arrays_path) as arrays:
        return {name: arrays[name] for name in arrays.files}


def read_manifest() -> dict:
    """The cache manifest of downloads: ``{relative path: {"sha256", "bytes", "source"}}``."""
    path = data_dir() / MANIFEST
    if not path.is_file():
        return {}
    try:
        manifest = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise DataFileError(f"{path}: corrupt cache manifest ({exc}); delete it and run 'mmlab data verify'") from exc
    if not isinstance(manifest, dict):
        raise DataFileError(f"{path}: the cache manifest must be a JSON object of files, got a "
                            f"{type(manifest).__name__}; delete it and run 'mmlab data verify'")
    for relative, entry in manifest.items():
        missing = {"sha256", "bytes", "source"} - set(entry if isinstance(entry, dict) else ())
        if missing:
            raise DataFileError(f"{path}: entry {relative!r} lacks {sorted(missing)}; delete it and run "
                                "'mmlab data verify'")
    return manifest


def add_to_manifest(path: str | os.PathLike, source: str) -> None:
    """Record a file of the cache (its SHA-256, size and where it came from) in the manifest, under a lock."""
    path, cache = Path(path), data_dir()
    entry = {"sha256": sha256sum(path), "bytes": path.stat().st_size, "source": source}
    with file_lock(cache / f"{MANIFEST}.lock"):
        manifest = read_manifest()
        manifest[path.relative_to(cache).as_posix()] = entry
        with atomic_write(cache / MANIFEST) as handle:
            handle.write(json.dumps(manifest, indent=2, sort_keys=True) + "\n")


class CachedDataset:
    """Base of the data sets that are built from a configuration and cached.

    A subclass is a frozen dataclass with the fields ``config`` (a frozen
    dataclass of plain values) and ``subset`` (0 train, 1 validation, 2 test
    per sample); it sets :attr:`kind` and
    :attr:`format_version`, implements :meth:`build`, :meth:`to_arrays` and
    :meth:`from_arrays`, and may widen :meth:`part_arrays`.

    Attributes
    ----------
    kind : str
        Prefix of the cache files (``"ccsn"``, ``"multimodal"``).
    format_version : int
        Bumped when the arrays change meaning; part of the key.
    packages : tuple of str
        Packages whose versions shape the data; part of the key.
    """

    config: Any
    subset: np.ndarray

    kind: ClassVar[str] = "dataset"
    format_version: ClassVar[int] = 1
    packages: ClassVar[tuple[str, ...]] = ("numpy", "scipy")

    @classmethod
    def build(cls, config: Any, progress: bool = True) -> CachedDataset:
        """Simulate the data set of ``config`` (no caching: see :meth:`load`)."""
        raise NotImplementedError(f"{cls.__name__} must implement build(config, progress)")

    def to_arrays(self) -> dict[str, np.ndarray]:
        """Every array to store, by name (``subset`` included)."""
        raise NotImplementedError(f"{type(self).__name__} must implement to_arrays()")

    @classmethod
    def from_arrays(cls, config: Any, arrays: dict[str, np.ndarray]) -> CachedDataset:
        """The data set from the arrays :meth:`to_arrays` stored."""
        raise NotImplementedError(f"{cls.__name__} must implement from_arrays(config, arrays)")

    def part_arrays(self) -> dict[str, np.ndarray]:
        """The per-sample arrays :meth:`part` selects from (default: the stored ones but ``subset``)."""
        return {name: values for name, values in self.to_arrays().items() if name != "subset"}

    def part(self, name: str) -> dict[str, np.ndarray]:
        """The arrays of the ``"train"``, ``"validation"`` or ``"test"`` samples.

        Where the subset's samples are contiguous the arrays are views (no copy of a large image set).
        """
        if name not in SUBSETS:
            raise ValueError(f"subset must be one of {list(SUBSETS)}, got {name!r}")
        chosen = np.asarray(self.subset) == SUBSETS.index(name)
        index = np.flatnonzero(chosen)
        if index.size and index[-1] - index[0] + 1 == index.size:
            chosen = slice(int(index[0]), int(index[-1]) + 1)
        return {array: values[chosen] for array, values in self.part_arrays().items()}

    @classmethod
    def key(cls, config: Any) -> str:
        """A short hash of the configuration, the format and the versions of the packages that shape the data."""
        from mmlab import __version__

        identity = {"config": dataclasses.asdict(config), "format": cls.format_version, "mmlab": __version__,
                    **{name: importlib.import_module(name).__version__ for name in cls.packages}}
        return hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()[:16]

    @classmethod
    def file_stem(cls, config: Any) -> str:
        """Name of the cache files without suffix: ``<kind>-<key>``."""
        return f"{cls.kind}-{cls.key(config)}"

    @classmethod
    def paths(cls, config: Any, directory: str | os.PathLike | None = None) -> tuple[Path, Path]:
        """The array file and the manifest of ``config`` (in ``<data_dir>/datasets`` by default)."""
        folder = Path(directory) if directory is not None else data_dir() / "datasets"
        stem = cls.file_stem(config)
        return folder / f"{stem}.npz", folder / f"{stem}.json"

    @classmethod
    def _expected(cls, config: Any) -> dict:
        return {"key": cls.key(config), "config": dataclasses.asdict(config)}

    def save(self, directory: str | os.PathLike | None = None) -> Path:
        """Write the arrays and the manifest atomically, under a lock; return the array file."""
        arrays_path, manifest_path = self.paths(self.config, directory)
        manifest = {**self._expected(self.config), "format": self.format_version,
                    "samples": int(np.asarray(self.subset).size)}
        with file_lock(arrays_path.with_suffix(".lock")):
            return write_arrays(arrays_path, manifest_path, self.to_arrays(), manifest)

    @classmethod
    def read(cls, config: Any, directory: str | os.PathLike | None = None) -> CachedDataset:
        """Read a cached data set, checking it against its manifest.

        Raises
        ------
        FileNotFoundError
            If no data set of this configuration is cached.
        DataFileError
            If the manifest is unreadable, describes another configuration, or
            the arrays' SHA-256 differs from the manifest's.
        """
        arrays = read_arrays(*cls.paths(config, directory), cls._expected(config))
        return cls.from_arrays(config, arrays)

    @classmethod
    def load(cls, config: Any, directory: str | os.PathLike | None = None, progress: bool = True) -> CachedDataset:
        """The data set of ``config``: from the cache if present and intact, else built and cached.

        A cached copy that fails its manifest check is rebuilt (with a
        warning), never used; an interrupted build leaves no partial files.
        """
        try:
            return cls.read(config, directory)
        except FileNotFoundError:
            pass
        except DataFileError as exc:
            warnings.warn(f"rebuilding the data set: {exc}", stacklevel=2)
        folder = cls.paths(config, directory)[0].parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise PermissionError(f"cannot create the data-set folder {folder} ({exc.strerror or exc}); set "
                                  "MMLAB_DATA_DIR to a writable folder") from None
        if not os.access(folder, os.W_OK | os.X_OK):
            # Checked before the build: a simulation of minutes must not end in a failed write.
            raise PermissionError(f"the data-set folder {folder} is not writable; set MMLAB_DATA_DIR to a writable "
                                  "folder")
        dataset = cls.build(config, progress=progress)
        dataset.save(directory)
        return dataset
