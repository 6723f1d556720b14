"""POSSIS kilonova spectral time series (Bulla 2019; Dietrich et al. 2020 three-component BNS grid)."""

from __future__ import annotations

import io
import os
import re
import tarfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mmlab.core.cache import DataFileError
from mmlab.core.config import search_folders

__all__ = ["POSSIS_ARCHIVE", "PossisModel", "load_possis_grid", "parse_possis"]

#: The grid's archive in ``kilonova/``.
POSSIS_ARCHIVE = "kilonova_bulla_bns_m3_3comp.tar.gz"

_NAME = re.compile(r"mejdyn(?P<dyn>[0-9.]+)_mejwind(?P<wind>[0-9.]+)_phi(?P<phi>[0-9]+)\.txt$")


@dataclass(frozen=True)
class PossisModel:
    """One POSSIS model seen face-on (the files' single viewing angle).

    Attributes
    ----------
    phase : numpy.ndarray
        Days after merger, the centres of the time bins.
    wavelength : numpy.ndarray
        Å.
    flux : numpy.ndarray
        ``(phase, wavelength)`` spectral flux density at 10 pc, erg s⁻¹ cm⁻² Å⁻¹.
    dynamical_ejecta, wind_ejecta : float
        Ejecta masses, M☉.
    opening_angle : float
        Half-opening angle of the lanthanide-rich component, degrees.
    """

    phase: np.ndarray
    wavelength: np.ndarray
    flux: np.ndarray
    dynamical_ejecta: float
    wind_ejecta: float
    opening_angle: float


def parse_possis(text: str, name: str) -> PossisModel:
    """Parse one POSSIS file (header ``Nobs``, ``Nwave``, ``Ntime t_i t_f``; rows ``λ flux(t_0 … t_N-1)``).

    Raises
    ------
    DataFileError
        If the header or the table does not match, or the name lacks the ejecta masses.
    """
    match = _NAME.search(name)
    lines = text.splitlines()
    try:
        n_wave = int(lines[1].split()[0])
        n_time, t_start, t_end = (float(v) for v in lines[2].split()[:3])
        table = np.loadtxt(io.StringIO("\n".join(lines[3:])))
    except (IndexError, ValueError) as exc:
        raise DataFileError(f"{name}: not a POSSIS spectral file ({exc})") from None
    if match is None or table.shape != (n_wave, int(n_time) + 1):
        raise DataFileError(f"{name}: expected a name with mejdyn/mejwind/phi and a {n_wave} × {int(n_time) + 1} "
                            f"table, got a table of shape {table.shape}")
    step = (t_end - t_start) / n_time
    return PossisModel(
        phase=t_start + (np.arange(int(n_time)) + 0.5) * step, wavelength=table[:, 0], flux=table[:, 1:].T.copy(),
        dynamical_ejecta=float(match["dyn"]), wind_ejecta=float(match["wind"]), opening_angle=float(match["phi"]),
    )


def load_possis_grid(archive: str | os.PathLike | None = None) -> list[PossisModel]:
    """Every model of the POSSIS BNS grid, read from its archive (``kilonova/`` in the cache or the mirror).

    Parameters
    ----------
    archive : path-like, optional
        The ``.tar.gz`` (default: :data:`POSSIS_ARCHIVE` in the cache or the mirror).

    Returns
    -------
    list of PossisModel
        Sorted by dynamical ejecta, wind ejecta and opening angle.
    """
    if archive is None:
        archive = next((f / POSSIS_ARCHIVE for f in search_folders("kilonova") if (f / POSSIS_ARCHIVE).is_file()),
                       None)
        if archive is None:
            raise FileNotFoundError(f"no kilonova/{POSSIS_ARCHIVE} in the cache or the mirror (set MMLAB_DATA_MIRROR)")
    models = []
    with tarfile.open(Path(archive)) as tar:
        for member in tar.getmembers():
            if member.isfile() and _NAME.search(member.name):
                models.append(parse_possis(tar.extractfile(member).read().decode(), member.name))
    return sorted(models, key=lambda m: (m.dynamical_ejecta, m.wind_ejecta, m.opening_angle))
