"""Optical light curves: one container for ZTF alerts, PLAsTiCC and simulations, with AB magnitudes and fluxes.

Every flux in mmlab is in SNANA's ``FLUXCAL`` unit, the AB flux density whose
magnitude zero point is :data:`ZERO_POINT` (27.5, as PLAsTiCC ships it):
``mag = 27.5 − 2.5 log10(flux)``, so one unit is 10^(−0.4 (27.5 − 8.9)) Jy ≈ 0.0363 µJy.
ZTF magnitudes (``magpsf``) convert to it with :func:`mag_to_flux`, so features and
classifiers see one unit whatever the survey; :meth:`LightCurve.flux_density` gives
astropy Quantities for anyone who wants Jy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from astropy.units import Quantity

__all__ = [
    "BANDS", "ZERO_POINT", "LightCurve", "LightCurveError", "flux_to_mag", "mag_to_flux", "make_light_curve",
]

#: AB magnitude of one flux unit (SNANA ``FLUXCAL``; PLAsTiCC's fluxes are in it).
ZERO_POINT = 27.5

#: Bands mmlab knows, with their effective wavelengths in Å: ZTF's P48 g, r, i
#: (Bellm et al. 2019) and the LSST u–y filters of PLAsTiCC (Kessler et al. 2019).
BANDS = {
    "ztfg": 4804.8, "ztfr": 6436.9, "ztfi": 7968.2,
    "lsstu": 3671.0, "lsstg": 4827.0, "lsstr": 6223.0, "lssti": 7546.0, "lsstz": 8691.0, "lssty": 9712.0,
}


class LightCurveError(ValueError):
    """A light curve with a bad point: NaN, unsorted or duplicate times, an unknown band, a negative error."""


def mag_to_flux(mag, mag_err=None, zero_point: float = ZERO_POINT) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """AB magnitudes (and their errors) to fluxes in the unit of ``zero_point``.

    Parameters
    ----------
    mag : array_like
        AB magnitudes.
    mag_err : array_like, optional
        Their 1σ errors (mag).
    zero_point : float
        Magnitude of one flux unit (default :data:`ZERO_POINT`).

    Returns
    -------
    flux : numpy.ndarray
        ``10 ** (-0.4 (mag - zero_point))``.
    flux_err : numpy.ndarray
        Only when ``mag_err`` is given: ``flux · 0.4 ln 10 · mag_err`` (first order).

    Examples
    --------
    >>> float(mag_to_flux(27.5))
    1.0
    """
    flux = 10.0 ** (-0.4 * (np.asarray(mag, dtype=float) - zero_point))
    if mag_err is None:
        return flux
    return flux, flux * 0.4 * np.log(10.0) * np.asarray(mag_err, dtype=float)


def flux_to_mag(flux, zero_point: float = ZERO_POINT) -> np.ndarray:
    """Fluxes in the unit of ``zero_point`` to AB magnitudes (NaN where the flux is not positive)."""
    flux = np.asarray(flux, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(flux > 0, zero_point - 2.5 * np.log10(np.where(flux > 0, flux, 1.0)), np.nan)


@dataclass(frozen=True)
class LightCurve:
    """Photometry of one object in several bands, time sorted, read-only.

    Build it with :func:`make_light_curve`, which checks every point.

    Attributes
    ----------
    object_id : str
        The survey's identifier (``ZTF21abcdefg``, a PLAsTiCC ``object_id``).
    time : numpy.ndarray
        Modified Julian date of each point (days).
    band : numpy.ndarray
        A key of :data:`BANDS` per point.
    flux, flux_err : numpy.ndarray
        Flux and its 1σ error in ``FLUXCAL`` (zero point :data:`ZERO_POINT`). For an
        upper limit, ``flux`` is the limiting flux and ``flux_err`` a fifth of it (a 5σ limit).
    upper_limit : numpy.ndarray
        True where the point is a non-detection (ZTF ``diffmaglim``).
    meta : dict
        Anything else the source says about the object (class, redshift, distance).
    """

    object_id: str
    time: np.ndarray
    band: np.ndarray
    flux: np.ndarray
    flux_err: np.ndarray
    upper_limit: np.ndarray
    meta: dict = field(default_factory=dict, compare=False)

    def __len__(self) -> int:
        return int(self.time.size)

    @property
    def detections(self) -> LightCurve:
        """The light curve without its upper limits."""
        return self.select(~self.upper_limit)

    @property
    def mag(self) -> np.ndarray:
        """AB magnitude of each point (NaN where the flux is not positive)."""
        return flux_to_mag(self.flux)

    def flux_density(self) -> Quantity:
        """Flux densities as an astropy Quantity in µJy."""
        import astropy.units as u

        return (self.flux * (ZERO_POINT * u.ABmag).to(u.uJy).value) * u.uJy

    def select(self, mask) -> LightCurve:
        """The points where ``mask`` (boolean, one per point) is true."""
        mask = np.asarray(mask, dtype=bool)
        return LightCurve(self.object_id, *(_frozen(getattr(self, f)[mask]) for f in _ARRAYS), meta=self.meta)

    def band_points(self, band: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(time, flux, flux_err)`` of the detections in one band."""
        keep = (self.band == band) & ~self.upper_limit
        return self.time[keep], self.flux[keep], self.flux_err[keep]

    def early(self, days: float) -> LightCurve:
        """The first ``days`` days after the first detection (upper limits before it kept), as Fink cuts alerts.

        Raises
        ------
        LightCurveError
            If the light curve has no detection or ``days`` is not positive.
        """
        if not days > 0:
            raise LightCurveError(f"{self.object_id}: the early window must be positive days, got {days!r}")
        detected = self.time[~self.upper_limit]
        if detected.size == 0:
            raise LightCurveError(f"{self.object_id}: no detection to start an early window from")
        return self.select(self.time <= detected[0] + days)


_ARRAYS = ("time", "band", "flux", "flux_err", "upper_limit")


def _frozen(values: np.ndarray) -> np.ndarray:
    values.setflags(write=False)
    return values


def make_light_curve(object_id, time, band, flux, flux_err, upper_limit=None, meta=None) -> LightCurve:
    """A checked :class:`LightCurve`; points are put in time order (a stable sort).

    Parameters
    ----------
    object_id : str
        The object, named in every error.
    time, band, flux, flux_err : array_like
        One value per point: MJD, band name (a key of :data:`BANDS`), ``FLUXCAL`` flux and error.
    upper_limit : array_like of bool, optional
        True for non-detections (default: none).
    meta : dict, optional
        Labels and other facts about the object.

    Returns
    -------
    LightCurve

    Raises
    ------
    LightCurveError
        Naming the object and the first bad value: arrays of different lengths, no point,
        a non-finite time, flux or error, a negative error, an unknown band, or two
        points at the same time in the same band.
    """
    object_id = str(object_id)
    time = np.asarray(time, dtype=float).ravel()
    band = np.asarray(band, dtype=str).ravel()
    flux = np.asarray(flux, dtype=float).ravel()
    flux_err = np.asarray(flux_err, dtype=float).ravel()
    upper_limit = np.zeros(time.size, bool) if upper_limit is None else np.asarray(upper_limit, bool).ravel()
    sizes = {name: a.size for name, a in zip(_ARRAYS, (time, band, flux, flux_err, upper_limit), strict=True)}
    if len(set(sizes.values())) != 1:
        raise LightCurveError(f"{object_id}: every column needs one value per point, got sizes {sizes}")
    if time.size == 0:
        raise LightCurveError(f"{object_id}: a light curve needs at least one point, got none")
    for name, values in (("time", time), ("flux", flux), ("flux_err", flux_err)):
        bad = ~np.isfinite(values)
        if bad.any():
            i = int(np.argmax(bad))
            raise LightCurveError(f"{object_id}: {name} must be finite, got {float(values[i])!r} at point {i}")
    if np.any(flux_err < 0):
        i = int(np.argmax(flux_err < 0))
        raise LightCurveError(f"{object_id}: flux_err must be >= 0, got {float(flux_err[i])!r} at point {i}")
    unknown = sorted(set(band) - set(BANDS))
    if unknown:
        raise LightCurveError(f"{object_id}: unknown band {str(unknown[0])!r}; known bands: {sorted(BANDS)}")
    order = np.argsort(time, kind="stable")
    columns = [a[order] for a in (time, band, flux, flux_err, upper_limit)]
    for name in np.unique(columns[1]):
        times = columns[0][columns[1] == name]
        repeated = np.flatnonzero(np.diff(times) == 0)
        if repeated.size:
            raise LightCurveError(f"{object_id}: two points at MJD {float(times[repeated[0]])!r} in band {str(name)!r}")
    return LightCurve(object_id, *(_frozen(np.ascontiguousarray(c)) for c in columns), meta=dict(meta or {}))
