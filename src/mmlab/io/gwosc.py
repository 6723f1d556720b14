"""GWOSC strain files: reading, locating (cache, mirror, download) and fetching.

:func:`fetch_gwosc` looks for a GWOSC file in three places, in order:

1. the local cache, ``<data_dir>/gwosc/`` (see :func:`mmlab.core.config.data_dir`);
2. the offline mirror named by ``MMLAB_DATA_MIRROR`` (its ``gwosc/`` folder or
   its top level), read in place and never copied;
3. the GW Open Science Center, located with the ``gwosc`` client and downloaded
   into the cache: written to a temporary file, checked by reading it back, then
   renamed, so an interrupted download leaves nothing behind. Its SHA-256 goes
   into the cache manifest, which ``mmlab data verify`` checks.
"""

from __future__ import annotations

import os
import re
import urllib.request
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mmlab.core.cache import DataFileError, add_to_manifest, atomic_write, read_manifest
from mmlab.core.config import data_dir, mirror_dir, search_folders
from mmlab.core.strain import Strain
from mmlab.core.validation import check_choice

__all__ = [
    "GWOSC_DETECTORS", "GWOSC_DURATIONS", "GWOSC_SAMPLE_RATES", "KNOWN_EVENTS", "GwoscFile", "download_gwosc",
    "event_gps", "fetch_gwosc", "find_gwosc_file", "locate_gwosc", "read_gwosc",
]

#: Detectors whose strain GWOSC distributes.
GWOSC_DETECTORS = ("H1", "L1", "V1", "G1", "K1")

#: Lengths in seconds of the files GWOSC publishes around events (and in bulk: 4096).
GWOSC_DURATIONS = (32, 4096)

#: Sample rates in Hz of GWOSC strain files.
GWOSC_SAMPLE_RATES = (4096, 16384)

#: GPS times (s) of events, from GWTC-1 (Abbott et al. 2019, PRX 9 031040), so that
#: events resolve offline; other names are looked up online with ``gwosc``.
KNOWN_EVENTS = {
    "GW150914": 1126259462.4,
    "GW151226": 1135136350.6,
    "GW170104": 1167559936.6,
    "GW170608": 1180922494.5,
    "GW170814": 1186741861.5,
    "GW170817": 1187008882.4,
}

#: GWOSC file names: ``H-H1_LOSC_4_V2-1126259446-32.hdf5``, ``L-L1_GWOSC_16KHZ_R1-...``.
_GWOSC_NAME = re.compile(
    r"^(?P<site>[A-Z])-(?P<detector>[A-Z]\d)_\w*?_(?P<khz>\d+)(?:KHZ)?_\w+-"
    r"(?P<start>\d+)-(?P<duration>\d+)\.hdf5$"
)

@dataclass(frozen=True)
class GwoscFile:
    """A GWOSC strain file identified by its name.

    Attributes
    ----------
    path : pathlib.Path
        Where the file is.
    detector : str
        Detector prefix, e.g. ``"H1"``.
    sample_rate : int
        Samples per second, in Hz.
    start : int
        GPS start of the file, in seconds.
    duration : int
        Length of the file, in seconds.
    """

    path: Path
    detector: str
    sample_rate: int
    start: int
    duration: int

    @classmethod
    def from_path(cls, path: Path) -> GwoscFile | None:
        """Parse a GWOSC file name; None if the name does not follow the convention."""
        match = _GWOSC_NAME.match(path.name)
        if match is None:
            return None
        return cls(
            path=path,
            detector=match["detector"],
            sample_rate=int(match["khz"]) * 1024,
            start=int(match["start"]),
            duration=int(match["duration"]),
        )

    def covers(self, gps: float) -> bool:
        """Whether GPS time ``gps`` lies inside the file."""
        return self.start <= gps < self.start + self.duration


def read_gwosc(path: str | os.PathLike) -> Strain:
    """Read a GWOSC HDF5 strain file.

    Parameters
    ----------
    path : str or path-like
        A GWOSC HDF5 file (``strain/Strain`` with ``Xstart``/``Xspacing``
        attributes, ``meta/Detector``).

    Returns
    -------
    Strain
        The strain samples; NaN where GWOSC marks a gap.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    DataFileError
        If the file is not HDF5, is truncated, or lacks the GWOSC layout.
    """
    import h5py

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"GWOSC strain file {str(path)!r} does not exist")
    try:
        with h5py.File(path, "r") as h5:
            if "strain/Strain" not in h5:
                raise DataFileError(
                    f"{path}: no 'strain/Strain' dataset; not a GWOSC strain file "
                    f"(top-level groups: {sorted(h5.keys())})"
                )
            dataset = h5["strain/Strain"]
            missing = [key for key in ("Xstart", "Xspacing") if key not in dataset.attrs]
            if missing:
                raise DataFileError(f"{path}: 'strain/Strain' lacks the attributes {missing}")
            t0 = float(dataset.attrs["Xstart"])
            spacing = float(dataset.attrs["Xspacing"])
            expected = int(dataset.attrs.get("Npoints", dataset.shape[0]))
            data = np.asarray(dataset[()], dtype=np.float64)
            detector = None
            if "meta/Detector" in h5:
                detector = h5["meta/Detector"][()]
                detector = detector.decode() if isinstance(detector, bytes) else str(detector)
    except DataFileError:
        raise
    except (OSError, KeyError, ValueError, TypeError) as exc:
        raise DataFileError(f"{path}: unreadable or truncated HDF5 file ({exc})") from exc
    if data.ndim != 1 or data.size != expected:
        raise DataFileError(
            f"{path}: 'strain/Strain' holds {data.size} samples but its Npoints says {expected}"
        )
    if not spacing > 0:
        raise DataFileError(f"{path}: Xspacing must be a positive number of seconds, got {spacing}")
    return Strain(data, t0=t0, sample_rate=1.0 / spacing, detector=detector)


def event_gps(event_or_gps: str | float) -> float:
    """Return the GPS time of an event name, or the number itself.

    Parameters
    ----------
    event_or_gps : str or float
        An event name (``"GW150914"``) or a GPS time in seconds.

    Returns
    -------
    float
        GPS time in seconds. Names in :data:`KNOWN_EVENTS` resolve offline;
        others ask GWOSC.
    """
    if not isinstance(event_or_gps, str):
        gps = float(event_or_gps)
        if not np.isfinite(gps) or gps <= 0:
            raise ValueError(f"GPS time must be a positive number of seconds, got {event_or_gps!r}")
        return gps
    if event_or_gps in KNOWN_EVENTS:
        return KNOWN_EVENTS[event_or_gps]
    from gwosc.datasets import event_gps as gwosc_event_gps

    try:
        return float(gwosc_event_gps(event_or_gps))
    except Exception as exc:  # the client raises ValueError offline and for unknown names
        raise ValueError(
            f"cannot resolve event {event_or_gps!r}: not among the offline events "
            f"{sorted(KNOWN_EVENTS)} and GWOSC did not answer ({exc})"
        ) from exc


def _gwosc_folders() -> list[Path]:
    """The cache's and the mirror's ``gwosc/`` folders, then the mirror's top level (older mirrors)."""
    mirror = mirror_dir()
    return search_folders("gwosc") + ([mirror] if mirror is not None else [])


def find_gwosc_file(gps: float, detector: str, duration: int, sample_rate: int) -> GwoscFile | None:
    """Find a GWOSC file covering ``gps`` in the cache or the mirror.

    Returns
    -------
    GwoscFile or None
        The first match, cache first; None if neither has one.
    """
    manifest = read_manifest()
    for folder in _gwosc_folders():
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob(f"{detector[0]}-{detector}_*.hdf5")):
            candidate = GwoscFile.from_path(path)
            if (
                candidate is not None
                and candidate.detector == detector
                and candidate.duration == duration
                and candidate.sample_rate == sample_rate
                and candidate.covers(gps)
            ):
                problem = _cache_problem(path, manifest)
                if problem is None:
                    return candidate
                warnings.warn(f"skipping {path}: {problem}; looking further (mirror, then download)", stacklevel=2)
    return None


def _cache_problem(path: Path, manifest: dict) -> str | None:
    """Why a file of the cache cannot be used (its size differs from the manifest's), or None (mirror files too)."""
    try:
        relative = path.relative_to(data_dir()).as_posix()
    except ValueError:
        return None
    entry = manifest.get(relative)
    if entry is not None and path.stat().st_size != entry["bytes"]:
        return f"{path.stat().st_size} bytes where the manifest recorded {entry['bytes']} (truncated or changed)"
    return None


def _gwosc_urls(event_or_gps, gps: float, detector: str, duration: int, sample_rate: int) -> list[str]:
    """URLs of GWOSC files of ``duration`` seconds covering ``gps`` (needs the network)."""
    from gwosc import locate

    if isinstance(event_or_gps, str):
        urls = locate.get_event_urls(
            event_or_gps, detector=detector, duration=duration, sample_rate=sample_rate
        )
    else:
        urls = locate.get_urls(detector, gps, gps + 1, sample_rate=sample_rate)
    found = []
    for url in urls:
        candidate = GwoscFile.from_path(Path(url.rsplit("/", 1)[-1]))
        if candidate is not None and candidate.duration == duration and candidate.covers(gps):
            found.append(url)
    return found


def _download(url: str, destination: Path) -> None:
    """Stream ``url`` into ``destination``."""
    with urllib.request.urlopen(url, timeout=60) as response, open(destination, "wb") as out:
        while chunk := response.read(1 << 20):
            out.write(chunk)


def download_gwosc(url: str) -> Path:
    """Download one GWOSC file into the cache, verified, atomically.

    The file is streamed to a hidden temporary name in the cache folder, read
    back with :func:`read_gwosc` (which rejects truncated or corrupt files),
    then renamed into place and recorded in the manifest with its SHA-256.
    Whatever happens, no partial file is left under the final name.

    Parameters
    ----------
    url : str
        Address of a GWOSC HDF5 file.

    Returns
    -------
    pathlib.Path
        The cached file.
    """
    name = url.rsplit("/", 1)[-1]
    if GwoscFile.from_path(Path(name)) is None:
        raise ValueError(f"{url!r} does not name a GWOSC strain file (expected e.g. H-H1_LOSC_4_V2-1126259446-32.hdf5)")
    final = data_dir() / "gwosc" / name
    with atomic_write(final, None) as temporary:
        _download(url, temporary)
        read_gwosc(temporary)
    add_to_manifest(final, url)
    return final


def locate_gwosc(
    event_or_gps: str | float, detector: str, duration: int = 32, sample_rate: int = 4096
) -> Path:
    """Return the path of the GWOSC file holding an event or GPS time.

    Looks in the cache, then the mirror, then downloads into the cache.

    Parameters
    ----------
    event_or_gps : str or float
        Event name (``"GW150914"``) or GPS time in seconds.
    detector : str
        One of :data:`GWOSC_DETECTORS`.
    duration : int
        File length in seconds, one of :data:`GWOSC_DURATIONS` (event releases
        have 32 s and 4096 s files; bulk data comes in 4096 s files).
    sample_rate : int
        One of :data:`GWOSC_SAMPLE_RATES`.

    Returns
    -------
    pathlib.Path
        A file that :func:`read_gwosc` reads.
    """
    check_choice("detector", detector, GWOSC_DETECTORS)
    check_choice("duration", duration, GWOSC_DURATIONS)
    check_choice("sample_rate", sample_rate, GWOSC_SAMPLE_RATES)
    gps = event_gps(event_or_gps)
    found = find_gwosc_file(gps, detector, duration, sample_rate)
    if found is not None:
        return found.path
    what = f"{event_or_gps} {detector} ({duration} s at {sample_rate} Hz)"
    try:
        urls = _gwosc_urls(event_or_gps, gps, detector, duration, sample_rate)
    except Exception as exc:  # offline: connection errors from requests/urllib
        searched = ", ".join(str(folder) for folder in _gwosc_folders())
        raise FileNotFoundError(
            f"{what} is not in {searched} and GWOSC could not be reached ({exc}); "
            "set MMLAB_DATA_MIRROR to a folder holding the file, or go online"
        ) from exc
    if not urls:
        raise FileNotFoundError(f"GWOSC has no file for {what}")
    return download_gwosc(urls[0])


def fetch_gwosc(
    event_or_gps: str | float, detector: str, duration: int = 32, sample_rate: int = 4096
) -> Strain:
    """Strain from the GWOSC file holding an event or GPS time.

    Parameters are those of :func:`locate_gwosc`.

    Returns
    -------
    Strain
        The whole file: for GW150914 and ``duration=32``, GPS 1126259446–1126259478.

    Examples
    --------
    >>> h1 = fetch_gwosc("GW150914", "H1")  # from the cache, the mirror or GWOSC
    >>> h1.sample_rate, h1.duration
    (4096.0, 32.0)
    """
    return read_gwosc(locate_gwosc(event_or_gps, detector, duration, sample_rate))


