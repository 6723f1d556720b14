"""ZTF photometry: Fink alert packets (Parquet) and the Fink × TNS labelled light curves (Leoni et al. 2022).

Both become :class:`~mmlab.core.photometry.LightCurve` objects in ``FLUXCAL``
(zero point 27.5) with MJD times and bands ``ztfg``/``ztfr``/``ztfi`` (ZTF ``fid`` 1, 2, 3).
Rows that cannot make a point are never dropped silently: exact repeats are
removed and counted in the returned table's ``meta["skipped"]``; anything else
raises :class:`~mmlab.core.cache.DataFileError` naming the file, object and value.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from mmlab.core.cache import DataFileError, require_columns
from mmlab.core.config import search_folders
from mmlab.core.photometry import (
    LightCurve,
    LightCurveError,
    mag_to_flux,
    make_light_curve,
)

if TYPE_CHECKING:
    from astropy.table import Table

__all__ = ["ALERT_COLUMNS", "FID_BANDS", "TNS_FILES", "load_fink_alerts", "load_ztf_tns", "read_fink_alerts"]

#: ZTF filter ids of the alert packets and their bands.
FID_BANDS = {1: "ztfg", 2: "ztfr", 3: "ztfi"}

#: Columns an alert file must have.
ALERT_COLUMNS = ("objectId", "candidate", "prv_candidates")

#: The two files of the labelled set, in ``ztf_tns/``.
TNS_FILES = ("lightcurves.csv.gz", "labels.csv")

#: JD − MJD.
_JD_OFFSET = 2400000.5


def _find(kind: str, names) -> Path:
    for folder in search_folders(kind):
        if all((folder / name).is_file() for name in names):
            return folder
    raise FileNotFoundError(f"no {kind}/ folder with {list(names)} in the cache or the mirror "
                            "(set MMLAB_DATA_MIRROR to a folder holding it)")


def _bands(fid, where: str) -> np.ndarray:
    fid = np.asarray(fid)
    unknown = sorted(set(fid.tolist()) - set(FID_BANDS))
    if unknown:
        raise DataFileError(f"{where}: unknown ZTF filter id {unknown[0]!r}; expected one of {sorted(FID_BANDS)}")
    return np.array([FID_BANDS[int(f)] for f in fid])


def load_ztf_tns(folder: str | os.PathLike | None = None) -> tuple[list[LightCurve], Table]:
    """The 2,146 Fink/ZTF objects with TNS spectroscopic classes (``ztf_tns/``), whole histories.

    Cut them to one early window (:meth:`LightCurve.early`) before training: SN Ia
    here come mostly from 30-day alert histories and the others from longer ones.

    Parameters
    ----------
    folder : path-like, optional
        Folder with :data:`TNS_FILES` (default: the cache's or the mirror's ``ztf_tns/``).

    Returns
    -------
    curves : list of LightCurve
        One per labelled object with photometry, in the labels' order; ``meta`` holds
        ``tns_type`` and ``is_snia``.
    labels : astropy.table.Table
        The labels file; ``meta["skipped"]`` counts repeated points dropped and labelled
        objects without photometry.
    """
    import pandas as pd
    from astropy.table import Table

    folder = Path(folder) if folder is not None else _find("ztf_tns", TNS_FILES)
    points = pd.read_csv(folder / TNS_FILES[0])
    labels = pd.read_csv(folder / TNS_FILES[1])
    require_columns(points.columns, ("objectId", "jd", "fid", "magpsf", "sigmapsf"), folder / TNS_FILES[0])
    require_columns(labels.columns, ("objectId", "tns_type", "is_snia"), folder / TNS_FILES[1])
    repeated = points.duplicated(["objectId", "jd", "fid"])
    points = points[~repeated]
    groups = dict(tuple(points.groupby("objectId", sort=False)))
    curves = []
    for row in labels.itertuples(index=False):
        rows = groups.get(row.objectId)
        if rows is None:
            continue
        flux, flux_err = mag_to_flux(rows.magpsf.to_numpy(), rows.sigmapsf.to_numpy())
        try:
            curves.append(make_light_curve(
                row.objectId, rows.jd.to_numpy() - _JD_OFFSET, _bands(rows.fid, f"{folder} {row.objectId}"),
                flux, flux_err, meta={"tns_type": row.tns_type, "is_snia": bool(row.is_snia)},
            ))
        except LightCurveError as exc:
            raise DataFileError(f"{folder / TNS_FILES[0]}: {exc}") from None
    table = Table.from_pandas(labels)
    table.meta["skipped"] = {"repeated points": int(repeated.sum()),
                             "objects without photometry": len(labels) - len(curves)}
    return curves, table


def read_fink_alerts(path: str | os.PathLike) -> tuple[list[LightCurve], Table]:
    """Light curves of the alerts in one Fink/ZTF alert Parquet file, with Fink's scores.

    Each alert is the candidate plus its 30-day ``prv_candidates`` history;
    history rows without ``magpsf`` are upper limits at ``diffmaglim``.

    Parameters
    ----------
    path : path-like
        A Parquet file of alert packets (``objectId``, ``candidate``, ``prv_candidates``).

    Returns
    -------
    curves : list of LightCurve
        One per alert; ``meta`` holds ``candid`` and Fink's ``rf_snia_vs_nonia``,
        ``snn_snia_vs_nonia`` and ``rf_kn_vs_nonkn`` where the file has them (NaN otherwise).
    scores : astropy.table.Table
        ``objectId``, ``candid`` and those scores, one row per alert.

    Raises
    ------
    DataFileError
        If a column of :data:`ALERT_COLUMNS` is missing, or a point is bad (the
        message names the file, the object and the value).
    """
    import pandas as pd
    from astropy.table import Table

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no alert file at {path}")
    alerts = pd.read_parquet(path)
    missing = [c for c in ALERT_COLUMNS if c not in alerts.columns]
    if missing:
        raise DataFileError(f"{path}: missing alert columns {missing} (expected {list(ALERT_COLUMNS)}); "
                            f"found {list(alerts.columns)}")
    score_names = ("rf_snia_vs_nonia", "snn_snia_vs_nonia", "rf_kn_vs_nonkn")
    curves, rows = [], []
    for alert in alerts.itertuples(index=False):
        history = list(alert.prv_candidates) if alert.prv_candidates is not None else []
        points = [alert.candidate, *history]
        detected = np.array([p.get("magpsf") is not None for p in points])
        mag = np.array([p["magpsf"] if d else p["diffmaglim"] for p, d in zip(points, detected, strict=True)],
                       dtype=float)
        mag_err = np.array([p["sigmapsf"] if d else 0.2171 for p, d in zip(points, detected, strict=True)],
                           dtype=float)
        time = np.array([p["jd"] for p in points], dtype=float) - _JD_OFFSET
        keep = ~_repeats(time, [p["fid"] for p in points])
        flux, flux_err = mag_to_flux(mag, mag_err)
        candid = int(alert.candidate["candid"]) if "candid" in alert.candidate else -1
        scores = {name: float(getattr(alert, name)) if name in alerts.columns else np.nan for name in score_names}
        try:
            curves.append(make_light_curve(
                alert.objectId, time[keep], _bands([p["fid"] for p in points], f"{path} {alert.objectId}")[keep],
                flux[keep], flux_err[keep], upper_limit=~detected[keep], meta={"candid": candid, **scores},
            ))
        except LightCurveError as exc:
            raise DataFileError(f"{path}: {exc}") from None
        rows.append({"objectId": alert.objectId, "candid": candid, **scores})
    return curves, Table(rows=rows, names=("objectId", "candid", *score_names))


def _repeats(time, fid) -> np.ndarray:
    """Points repeating an earlier one (same time and filter), as a history row resent with the candidate."""
    seen, repeat = set(), np.zeros(len(time), bool)
    for i, key in enumerate(zip(time, fid, strict=True)):
        repeat[i] = key in seen
        seen.add(key)
    return repeat


def load_fink_alerts(scored_only: bool = True) -> tuple[list[LightCurve], Table]:
    """Every alert file in the cache's or the mirror's ``ztf/`` folder, read with :func:`read_fink_alerts`.

    Parameters
    ----------
    scored_only : bool
        Keep only files that carry Fink's ``rf_snia_vs_nonia`` score (default).

    Returns
    -------
    curves : list of LightCurve
    scores : astropy.table.Table
        With a ``file`` column.
    """
    import pyarrow.parquet as pq
    from astropy.table import Table, vstack

    files = sorted({p for folder in search_folders("ztf") for p in folder.glob("*.parquet")}, key=lambda p: p.name)
    files = [f for f in files if set(ALERT_COLUMNS) <= set(pq.read_schema(f).names)
             and (not scored_only or "rf_snia_vs_nonia" in pq.read_schema(f).names)]
    if not files:
        raise FileNotFoundError("no Fink alert files in ztf/ in the cache or the mirror (set MMLAB_DATA_MIRROR)")
    curves, tables = [], []
    for path in files:
        file_curves, table = read_fink_alerts(path)
        table["file"] = path.name
        curves += file_curves
        tables.append(table)
    return curves, vstack(tables) if tables else Table()
