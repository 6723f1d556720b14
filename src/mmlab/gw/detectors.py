"""Ground-based detectors: antenna patterns and arrival-time delays over the sky.

The geometry (vertex positions and response tensors) is LALSuite's own
(:data:`lal.CachedDetectors`); the projections are written here in numpy
because :func:`lal.ComputeDetAMResponse` and :func:`lal.TimeDelayFromEarthCenter`
take one sky position per call, and studies need thousands at once. Both
follow LAL's conventions exactly (the tests compare them at 1000 random sky
positions).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from mmlab.core.seeding import RandomState, as_generator

__all__ = [
    "DESIGN_PSD_OF", "DETECTORS", "NETWORKS", "Detector", "antenna_pattern", "detector_names", "get_detector",
    "greenwich_sidereal_time", "light_travel_time", "random_sky", "time_delay",
]

#: LAL's cached-detector index of every detector mmlab knows, by prefix.
#: E1, E2, E3 are the three interferometers of the Einstein Telescope triangle
#: (LIGO-T1400308, at the Virgo site).
_LAL_INDEX_NAMES = {
    "H1": "LALDetectorIndexLHODIFF",
    "L1": "LALDetectorIndexLLODIFF",
    "V1": "LALDetectorIndexVIRGODIFF",
    "K1": "LALDetectorIndexKAGRADIFF",
    "E1": "LALDetectorIndexE1DIFF",
    "E2": "LALDetectorIndexE2DIFF",
    "E3": "LALDetectorIndexE3DIFF",
}

#: Detector prefixes accepted by :func:`get_detector`.
DETECTORS = tuple(_LAL_INDEX_NAMES)

#: Networks by name: each expands to its detectors' prefixes.
NETWORKS = {
    "ET": ("E1", "E2", "E3"),
    "HL": ("H1", "L1"),
    "HLV": ("H1", "L1", "V1"),
    "HLVK": ("H1", "L1", "V1", "K1"),
}

#: The design curve (:data:`mmlab.gw.psd.DESIGN_CURVES`) that goes with each detector.
DESIGN_PSD_OF = {"H1": "aLIGO", "L1": "aLIGO", "V1": "AdV", "K1": "KAGRA", "E1": "ET-D", "E2": "ET-D", "E3": "ET-D"}


@dataclass(frozen=True)
class Detector:
    """Geometry of one interferometer.

    Attributes
    ----------
    prefix : str
        Two-character name, e.g. ``"H1"``.
    name : str
        LAL's long name, e.g. ``"LHO_4k"``.
    location : numpy.ndarray
        Vertex position in Earth-fixed coordinates, in m.
    response : numpy.ndarray
        3×3 response tensor ``D = (x xᵀ − y yᵀ)/2`` of the arm directions.
    """

    prefix: str
    name: str
    location: np.ndarray
    response: np.ndarray


def detector_names(detectors) -> tuple[str, ...]:
    """Expand a detector, a network name (``"ET"``, ``"HLV"``) or a sequence of them to prefixes."""
    if isinstance(detectors, str):
        if detectors in NETWORKS:
            return NETWORKS[detectors]
        get_detector(detectors)
        return (detectors,)
    return tuple(name for item in detectors for name in detector_names(item))


@functools.lru_cache(maxsize=None)
def get_detector(prefix: str) -> Detector:
    """The :class:`Detector` with this prefix, from LAL's cached detectors.

    Raises
    ------
    ValueError
        If ``prefix`` is not one of :data:`DETECTORS` (the message lists them
        and the network names).
    """
    if prefix not in _LAL_INDEX_NAMES:
        hint = f"; {prefix!r} is a network of {list(NETWORKS[prefix])}" if prefix in NETWORKS else ""
        raise ValueError(f"unknown detector {prefix!r}; known detectors are {list(DETECTORS)}{hint}")
    import lal

    cached = lal.CachedDetectors[getattr(lal, _LAL_INDEX_NAMES[prefix])]
    location = np.array(cached.location, dtype=np.float64)
    response = np.array(cached.response, dtype=np.float64)
    location.setflags(write=False)
    response.setflags(write=False)
    return Detector(prefix, cached.frDetector.name, location, response)


def greenwich_sidereal_time(gps) -> np.ndarray:
    """Greenwich mean sidereal time in radians at GPS time(s), from :func:`lal.GreenwichMeanSiderealTime`."""
    import lal

    gps = np.asarray(gps, dtype=np.float64)
    unique, inverse = np.unique(gps, return_inverse=True)
    gmst = np.array([lal.GreenwichMeanSiderealTime(float(t)) for t in unique])
    return gmst[inverse].reshape(gps.shape)


def _sky_arrays(ra, dec, gps):
    ra, dec = np.asarray(ra, dtype=np.float64), np.asarray(dec, dtype=np.float64)
    if np.any(np.abs(dec) > np.pi / 2 + 1e-12):
        raise ValueError(f"dec must lie in [-pi/2, pi/2] radians, got values up to {np.max(np.abs(dec))!r}")
    return greenwich_sidereal_time(gps) - ra, dec


def antenna_pattern(detector: str, ra, dec, psi, gps) -> tuple[np.ndarray, np.ndarray]:
    """Antenna pattern functions F+ and F× of a detector, vectorised over the sky.

    Parameters
    ----------
    detector : str
        One of :data:`DETECTORS`.
    ra, dec : float or array_like
        Right ascension and declination of the source, in radians.
    psi : float or array_like
        Polarisation angle in radians (LAL's convention).
    gps : float or array_like
        GPS time(s) in s; arrays broadcast against each other.

    Returns
    -------
    fplus, fcross : numpy.ndarray
        Dimensionless responses, broadcast shape of the inputs.

    Examples
    --------
    >>> fp, fc = antenna_pattern("H1", ra=1.0, dec=0.5, psi=0.0, gps=1126259462.4)
    >>> bool(abs(fp) <= 1 and abs(fc) <= 1)
    True
    """
    response = get_detector(detector).response
    hour_angle, dec = _sky_arrays(ra, dec, gps)
    psi = np.asarray(psi, dtype=np.float64)
    cos_psi, sin_psi = np.cos(psi), np.sin(psi)
    cos_h, sin_h = np.cos(hour_angle), np.sin(hour_angle)
    cos_d, sin_d = np.cos(dec), np.sin(dec)
    # Wave-frame axes X, Y in Earth-fixed coordinates (LAL's ComputeDetAMResponse).
    x_axis = np.stack(np.broadcast_arrays(
        -cos_psi * sin_h - sin_psi * cos_h * sin_d,
        -cos_psi * cos_h + sin_psi * sin_h * sin_d,
        sin_psi * cos_d,
    ), axis=-1)
    y_axis = np.stack(np.broadcast_arrays(
        sin_psi * sin_h - cos_psi * cos_h * sin_d,
        sin_psi * cos_h + cos_psi * sin_h * sin_d,
        cos_psi * cos_d,
    ), axis=-1)
    dx, dy = x_axis @ response, y_axis @ response
    fplus = np.einsum("...i,...i->...", dx, x_axis) - np.einsum("...i,...i->...", dy, y_axis)
    fcross = np.einsum("...i,...i->...", dx, y_axis) + np.einsum("...i,...i->...", dy, x_axis)
    return fplus, fcross


def time_delay(detector: str, ra, dec, gps) -> np.ndarray:
    """Arrival time at a detector minus arrival time at the geocentre, in s.

    Parameters
    ----------
    detector : str
        One of :data:`DETECTORS`.
    ra, dec : float or array_like
        Source right ascension and declination, in radians.
    gps : float or array_like
        GPS time(s) of arrival at the geocentre.

    Returns
    -------
    numpy.ndarray
        Delays in s (at most the Earth's radius over c, ≈ 21 ms), as
        :func:`lal.TimeDelayFromEarthCenter`.
    """
    from scipy.constants import c

    location = get_detector(detector).location
    hour_angle, dec = _sky_arrays(ra, dec, gps)
    towards_source = np.stack(np.broadcast_arrays(
        np.cos(dec) * np.cos(hour_angle), -np.cos(dec) * np.sin(hour_angle), np.sin(dec),
    ), axis=-1)
    return -(towards_source @ location) / c


def light_travel_time(first: str, second: str) -> float:
    """Light travel time between two detectors' vertices, in s (the largest possible delay)."""
    from scipy.constants import c

    return float(np.linalg.norm(get_detector(first).location - get_detector(second).location) / c)


def random_sky(n: int, seed: RandomState = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Isotropic sky positions and uniform polarisation angles.

    Returns
    -------
    ra, dec, psi : numpy.ndarray
        ``ra`` uniform in [0, 2π), ``sin(dec)`` uniform in [−1, 1],
        ``psi`` uniform in [0, π), in rad.
    """
    rng = as_generator(seed)
    return rng.uniform(0, 2 * np.pi, n), np.arcsin(rng.uniform(-1, 1, n)), rng.uniform(0, np.pi, n)
