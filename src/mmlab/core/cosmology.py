"""Distance–redshift relations of the Planck 2018 cosmology (:data:`astropy.cosmology.Planck18`)."""

from __future__ import annotations

import functools

import numpy as np

__all__ = ["MAX_REDSHIFT", "redshift_from_distance"]

#: Largest redshift covered by :func:`redshift_from_distance`.
MAX_REDSHIFT = 20.0


@functools.lru_cache(maxsize=1)
def _distance_grid() -> tuple[np.ndarray, np.ndarray]:
    from astropy.cosmology import Planck18

    redshifts = np.concatenate([[0.0], np.geomspace(1e-6, MAX_REDSHIFT, 4000)])
    return Planck18.luminosity_distance(redshifts).to_value("Mpc"), redshifts


def redshift_from_distance(distance_mpc) -> np.ndarray:
    """Redshift of a source at a luminosity distance, in the Planck18 cosmology.

    :func:`astropy.cosmology.z_at_value` solves one distance at a time
    (milliseconds each); here astropy's distances on a dense redshift grid are
    inverted by monotone interpolation (relative error < 1e-6), vectorised.

    Parameters
    ----------
    distance_mpc : float or array_like
        Luminosity distance(s) in Mpc, at most that of :data:`MAX_REDSHIFT`.

    Returns
    -------
    numpy.ndarray
        Redshift(s), same shape.
    """
    distance_mpc = np.asarray(distance_mpc, dtype=np.float64)
    distances, redshifts = _distance_grid()
    if np.any(~np.isfinite(distance_mpc)) or np.any(distance_mpc < 0) or np.any(distance_mpc > distances[-1]):
        raise ValueError(
            f"luminosity distance must lie in [0, {distances[-1]:.4g}] Mpc (z <= {MAX_REDSHIFT}), "
            f"got {distance_mpc!r}"
        )
    return np.interp(distance_mpc, distances, redshifts)
