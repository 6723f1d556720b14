"""Reading and fetching real data: GWOSC strain files, 3D supernova waveforms, cache and mirror.

:func:`fetch_gwosc` looks for a GWOSC file in three places, in order:

1. the local cache, ``<data_dir>/gwosc/`` (see :func:`mmlab.config.data_dir`);
2. the offline mirror named by ``MMLAB_DATA_MIRROR`` (its ``gwosc/`` folder or
   its top level), read in place and never copied;
3. the GW Open Science Center, located with the ``gwosc`` client and downloaded
   into the cache: written to a temporary file, checked by reading it back, then
   renamed, so an interrupted download leaves nothing behind. Its SHA-256 goes
   into the cache manifest, which ``mmlab data verify`` checks.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mmlab.config import data_dir, mirror_dir
from mmlab.strain import Strain

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

_MANIFEST = "manifest.json"


class DataFileError(ValueError):
    """A data file exists but is truncated, corrupt or not of the expected kind."""


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


def _check_choice(name: str, value, choices) -> None:
    if value not in choices:
        raise ValueError(f"{name} must be one of {list(choices)}, got {value!r}")


def _search_folders(kind: str = "gwosc") -> list[Path]:
    """The cache's folder for ``kind``, then the mirror's (and, for GWOSC, the mirror's top level)."""
    folders = [data_dir() / kind]
    mirror = mirror_dir()
    if mirror is not None:
        folders += [mirror / kind] + ([mirror] if kind == "gwosc" else [])
    return folders


def find_gwosc_file(gps: float, detector: str, duration: int, sample_rate: int) -> GwoscFile | None:
    """Find a GWOSC file covering ``gps`` in the cache or the mirror.

    Returns
    -------
    GwoscFile or None
        The first match, cache first; None if neither has one.
    """
    for folder in _search_folders():
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
                return candidate
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


def sha256sum(path: Path) -> str:
    """Hex SHA-256 digest of a file."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def write_text_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and a rename."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "w") as out:
            out.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_arrays(arrays_path: Path, manifest_path: Path, arrays: dict, manifest: dict) -> Path:
    """Write arrays as a compressed ``.npz`` and a JSON manifest beside it, each atomically.

    The manifest gets the array file's name and SHA-256 added; the same arrays
    give the same bytes. Returns ``arrays_path``.
    """
    import io

    arrays_path, manifest_path = Path(arrays_path), Path(manifest_path)
    arrays_path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    descriptor, temporary = tempfile.mkstemp(dir=arrays_path.parent, prefix=f".{arrays_path.stem}.", suffix=".npz")
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(buffer.getvalue())
        os.replace(temporary, arrays_path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    manifest = {**manifest, "file": arrays_path.name, "sha256": hashlib.sha256(buffer.getvalue()).hexdigest()}
    write_text_atomically(manifest_path, json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return arrays_path


def read_arrays(arrays_path: Path, manifest_path: Path, expected: dict) -> dict[str, np.ndarray]:
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
    if any(manifest.get(name) != json.loads(json.dumps(value)) for name, value in expected.items()):
        raise DataFileError(f"{manifest_path}: describes another configuration than the one requested")
    actual = sha256sum(arrays_path)
    if actual != manifest.get("sha256"):
        raise DataFileError(
            f"{arrays_path}: SHA-256 {actual[:12]}… does not match the manifest's {str(manifest.get('sha256'))[:12]}…"
        )
    with np.load(arrays_path) as arrays:
        return {name: arrays[name] for name in arrays.files}


def read_manifest() -> dict:
    """The cache manifest: ``{relative path: {"sha256", "bytes", "source"}}``."""
    path = data_dir() / _MANIFEST
    if not path.is_file():
        return {}
    try:
        return json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise DataFileError(f"{path}: corrupt cache manifest ({exc}); delete it and run 'mmlab data verify'") from exc


def _add_to_manifest(path: Path, source: str) -> None:
    manifest = read_manifest()
    manifest[path.relative_to(data_dir()).as_posix()] = {
        "sha256": sha256sum(path),
        "bytes": path.stat().st_size,
        "source": source,
    }
    write_text_atomically(data_dir() / _MANIFEST, json.dumps(manifest, indent=2, sort_keys=True))


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
    folder = data_dir() / "gwosc"
    folder.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".part")
    os.close(handle)
    temporary = Path(temporary)
    try:
        _download(url, temporary)
        read_gwosc(temporary)
        final = folder / name
        os.replace(temporary, final)
    finally:
        temporary.unlink(missing_ok=True)
    _add_to_manifest(final, url)
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
    _check_choice("detector", detector, GWOSC_DETECTORS)
    _check_choice("duration", duration, GWOSC_DURATIONS)
    _check_choice("sample_rate", sample_rate, GWOSC_SAMPLE_RATES)
    gps = event_gps(event_or_gps)
    found = find_gwosc_file(gps, detector, duration, sample_rate)
    if found is not None:
        return found.path
    what = f"{event_or_gps} {detector} ({duration} s at {sample_rate} Hz)"
    try:
        urls = _gwosc_urls(event_or_gps, gps, detector, duration, sample_rate)
    except Exception as exc:  # offline: connection errors from requests/urllib
        searched = ", ".join(str(folder) for folder in _search_folders())
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
    >>> h1 = fetch_gwosc("GW150914", "H1")  # doctest: +SKIP
    >>> h1.sample_rate, h1.duration
    (4096.0, 32.0)
    """
    return read_gwosc(locate_gwosc(event_or_gps, detector, duration, sample_rate))


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
    for folder in _search_folders("ccsn_3d"):
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


#: Swift-XRT readout modes of the UKSSDC light curves: windowed timing (early, bright) and photon counting.
XRT_MODES = ("WT", "PC")


@dataclass(frozen=True)
class XRTLightCurve:
    """A Swift-XRT count-rate light curve (0.3–10 keV), one or both readout modes merged in time order.

    Attributes
    ----------
    time : numpy.ndarray
        Bin centre, seconds since the BAT trigger (observer frame).
    time_low, time_high : numpy.ndarray
        Bin edges, s.
    rate : numpy.ndarray
        Background-subtracted count rate, counts/s.
    rate_error : numpy.ndarray
        Its 1σ error (the mean of the upper and lower errors), counts/s.
    mode : numpy.ndarray
        ``"WT"`` or ``"PC"`` per bin.
    name : str
        The burst, e.g. ``"GRB 090510"``.
    """

    time: np.ndarray
    time_low: np.ndarray
    time_high: np.ndarray
    rate: np.ndarray
    rate_error: np.ndarray
    mode: np.ndarray
    name: str = ""


def check_light_curve(time, rate, name: str = "light curve") -> None:
    """Raise a ValueError naming the first bad point unless times and rates are finite, positive and time sorted."""
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


def read_swift_xrt(path: str | os.PathLike, mode: str | None = None) -> XRTLightCurve:
    """Read one UKSSDC Swift-XRT light-curve file (pandas-style JSON: ``{"Time": {"0": ...}, ...}``).

    Parameters
    ----------
    path : path-like
        The JSON file.
    mode : str, optional
        Readout mode to record (default: the name of the file's folder, ``WT`` or ``PC``).

    Returns
    -------
    XRTLightCurve

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    DataFileError
        If it is not JSON, lacks a column, or holds non-finite, non-positive
        or unsorted times or rates (the message names the file and the point).
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no Swift-XRT light curve at {path}")
    try:
        table = json.loads(path.read_text())
        columns = {name: table[name] for name in ("Time", "TimePos", "TimeNeg", "Rate", "RatePos", "RateNeg")}
        order = sorted(columns["Time"], key=int)
        values = {name: np.array([float(column[k]) for k in order]) for name, column in columns.items()}
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DataFileError(f"{path}: not a JSON light curve ({exc})") from None
    except KeyError as exc:
        raise DataFileError(f"{path}: missing column or row {exc} (expected Time, TimePos, TimeNeg, Rate, "
                            "RatePos, RateNeg)") from None
    except (TypeError, ValueError) as exc:
        raise DataFileError(f"{path}: a value is not a number ({exc})") from None
    try:
        check_light_curve(values["Time"], values["Rate"], str(path))
    except ValueError as exc:
        raise DataFileError(str(exc)) from None
    mode = mode or path.parent.name
    return XRTLightCurve(
        time=values["Time"], time_low=values["Time"] + values["TimeNeg"], time_high=values["Time"] + values["TimePos"],
        rate=values["Rate"], rate_error=(values["RatePos"] - values["RateNeg"]) / 2,
        mode=np.full(values["Time"].size, mode), name=path.stem.replace("_", " "),
    )


def load_swift_xrt(grb: str) -> XRTLightCurve:
    """The Swift-XRT light curve of a burst from the cache or the mirror (``swift_xrt/{WT,PC}/GRB_<name>.json``).

    Parameters
    ----------
    grb : str
        The burst, ``"GRB 090510"`` or ``"090510"``.

    Returns
    -------
    XRTLightCurve
        Every mode found, merged and sorted by time.

    Raises
    ------
    FileNotFoundError
        If no file of that burst exists (the message lists the bursts that do).
    """
    name = "GRB_" + grb.upper().removeprefix("GRB").strip().replace(" ", "")
    parts = []
    for mode in XRT_MODES:
        for folder in _search_folders(f"swift_xrt/{mode}"):
            if (folder / f"{name}.json").is_file():
                parts.append(read_swift_xrt(folder / f"{name}.json", mode))
                break
    if not parts:
        known = sorted({p.stem for m in XRT_MODES for f in _search_folders(f"swift_xrt/{m}") if f.is_dir()
                        for p in f.glob("GRB_*.json")})
        raise FileNotFoundError(f"no Swift-XRT light curve of {grb!r} in the cache or the mirror; found "
                                f"{[k.replace('_', ' ') for k in known] or 'none (set MMLAB_DATA_MIRROR)'}")
    fields = ("time", "time_low", "time_high", "rate", "rate_error", "mode")
    merged = {f: np.concatenate([getattr(p, f) for p in parts]) for f in fields}
    order = np.argsort(merged["time"], kind="stable")
    return XRTLightCurve(**{f: merged[f][order] for f in fields}, name=name.replace("_", " "))


#: Formats of trigger files, by file suffix.
TRIGGER_FORMATS = {".ecsv": "ascii.ecsv", ".h5": "hdf5", ".hdf5": "hdf5"}


def write_triggers(table, path: str | os.PathLike) -> Path:
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
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=path.suffix)
    os.close(descriptor)
    try:
        options = {"path": "triggers", "serialize_meta": True} if TRIGGER_FORMATS[path.suffix] == "hdf5" else {}
        table.write(temporary, format=TRIGGER_FORMATS[path.suffix], overwrite=True, **options)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return path


def read_triggers(path: str | os.PathLike):
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
