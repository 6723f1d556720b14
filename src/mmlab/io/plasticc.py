"""The PLAsTiCC training set (Kessler et al. 2019): 7,848 simulated LSST light curves in 14 classes."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from mmlab.core.cache import DataFileError, require_columns
from mmlab.core.config import search_folders
from mmlab.core.photometry import LightCurve, LightCurveError, make_light_curve

if TYPE_CHECKING:
    from astropy.table import Table

__all__ = ["CLASS_NAMES", "PASSBANDS", "PLASTICC_FILES", "load_plasticc"]

#: PLAsTiCC's passband codes 0–5 and mmlab's band names.
PASSBANDS = ("lsstu", "lsstg", "lsstr", "lssti", "lsstz", "lssty")

#: The files of ``plasticc/``.
PLASTICC_FILES = ("lightcurves.csv.gz", "metadata.csv")

#: PLAsTiCC's class codes (Kessler et al. 2019, table 2) and the names of the training set's classes.
CLASS_NAMES = {
    90: "SNIa", 67: "SNIa-91bg", 52: "SNIax", 42: "SNII", 62: "SNIbc", 95: "SLSN-I", 15: "TDE", 64: "KN", 88: "AGN",
    92: "RRL", 65: "M-dwarf flare", 16: "EB", 53: "Mira", 6: "mu-Lens-Single",
}

_POINT_COLUMNS = ("object_id", "mjd", "passband", "flux", "flux_err", "detected_bool")
_META_COLUMNS = ("object_id", "target", "true_z", "ddf_bool")


def load_plasticc(folder: str | os.PathLike | None = None) -> tuple[list[LightCurve], Table]:
    """PLAsTiCC's training light curves (forced photometry, ``FLUXCAL``) and metadata.

    Parameters
    ----------
    folder : path-like, optional
        Folder with :data:`PLASTICC_FILES` (default: the cache's or the mirror's ``plasticc/``).

    Returns
    -------
    curves : list of LightCurve
        One per object, in the metadata's order. Every point is forced photometry
        (fluxes may be negative), so none is an upper limit; ``meta`` holds
        ``class_name``, ``target``, ``true_z`` and ``detected`` (PLAsTiCC's
        ``detected_bool`` per point).
    metadata : astropy.table.Table
        The metadata file.

    Raises
    ------
    FileNotFoundError
        If no folder holds both files.
    DataFileError
        If a column is missing or a point is bad (naming the object and value).
    """
    import pandas as pd
    from astropy.table import Table

    if folder is None:
        folder = next((f for f in search_folders("plasticc") if all((f / n).is_file() for n in PLASTICC_FILES)), None)
        if folder is None:
            raise FileNotFoundError(f"no plasticc/ folder with {list(PLASTICC_FILES)} in the cache or the mirror "
                                    "(set MMLAB_DATA_MIRROR)")
    folder = Path(folder)
    points = pd.read_csv(folder / PLASTICC_FILES[0])
    metadata = pd.read_csv(folder / PLASTICC_FILES[1])
    require_columns(points.columns, _POINT_COLUMNS, folder / PLASTICC_FILES[0])
    require_columns(metadata.columns, _META_COLUMNS, folder / PLASTICC_FILES[1])
    if "class_name" not in metadata.columns:  # the release's own file has only the codes
        unknown = sorted(set(metadata.target) - set(CLASS_NAMES))
        if unknown:
            raise DataFileError(f"{folder / PLASTICC_FILES[1]}: unknown class code {unknown[0]!r}; known: "
                                f"{sorted(CLASS_NAMES)}")
        metadata["class_name"] = metadata.target.map(CLASS_NAMES)
    bad_band = ~points.passband.isin(range(len(PASSBANDS)))
    if bad_band.any():
        row = points[bad_band].iloc[0]
        raise DataFileError(f"{folder / PLASTICC_FILES[0]}: object {row.object_id}: unknown passband "
                            f"{row.passband!r}, expected 0–5 ({', '.join(PASSBANDS)})")
    groups = dict(tuple(points.groupby("object_id", sort=False)))
    curves = []
    for row in metadata.itertuples(index=False):
        rows = groups.get(row.object_id)
        if rows is None:
            raise DataFileError(f"{folder / PLASTICC_FILES[0]}: no photometry for object {row.object_id}")
        try:
            curves.append(make_light_curve(
                row.object_id, rows.mjd.to_numpy(), [PASSBANDS[p] for p in rows.passband.to_numpy()],
                rows.flux.to_numpy(), rows.flux_err.to_numpy(),
                meta={"class_name": row.class_name, "target": int(row.target), "true_z": float(row.true_z),
                      "detected": rows.detected_bool.to_numpy().astype(bool)},
            ))
        except LightCurveError as exc:
            raise DataFileError(f"{folder / PLASTICC_FILES[0]}: {exc}") from None
    return curves, Table.from_pandas(metadata)
