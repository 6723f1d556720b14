"""Swift-XRT afterglow light curves (UKSSDC JSON files): reading one mode, or merging both of a burst."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mmlab.core.cache import DataFileError
from mmlab.core.config import search_folders
from mmlab.core.validation import check_light_curve

__all__ = ["XRT_MODES", "XRTLightCurve", "load_swift_xrt", "read_swift_xrt"]


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
    for upper, lower in (("TimePos", "TimeNeg"), ("RatePos", "RateNeg")):
        bad = ~((values[upper] >= 0) & (values[lower] <= 0))
        if bad.any():
            i = int(np.argmax(bad))
            raise DataFileError(f"{path}: point {i}: {upper} must be >= 0 and {lower} <= 0 (errors below and above), "
                                f"got {upper}={values[upper][i]!r}, {lower}={values[lower][i]!r}")
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
    if not isinstance(grb, str):
        raise TypeError(f"grb must be a name such as 'GRB 090510' or '090510' (a string: 90510 loses its leading "
                        f"zero), got {grb!r}")
    name = "GRB_" + grb.upper().removeprefix("GRB").strip().replace(" ", "")
    parts = []
    for mode in XRT_MODES:
        for folder in search_folders(f"swift_xrt/{mode}"):
            if (folder / f"{name}.json").is_file():
                parts.append(read_swift_xrt(folder / f"{name}.json", mode))
                break
    if not parts:
        known = sorted({p.stem for m in XRT_MODES for f in search_folders(f"swift_xrt/{m}") if f.is_dir()
                        for p in f.glob("GRB_*.json")})
        raise FileNotFoundError(f"no Swift-XRT light curve of {grb!r} in the cache or the mirror; found "
                                f"{[k.replace('_', ' ') for k in known] or 'none (set MMLAB_DATA_MIRROR)'}")
    fields = ("time", "time_low", "time_high", "rate", "rate_error", "mode")
    merged = {f: np.concatenate([getattr(p, f) for p in parts]) for f in fields}
    order = np.argsort(merged["time"], kind="stable")
    return XRTLightCurve(**{f: merged[f][order] for f in fields}, name=name.replace("_", " "))
