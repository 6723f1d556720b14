"""Gamma-ray-burst X-ray afterglows: afterglowpy's top-hat jet, observed like Swift-XRT.

The physics is afterglowpy's (Ryan et al. 2020): a top-hat jet of isotropic
energy ``E_iso`` and half-opening angle ``theta_core`` decelerating in a medium
of density ``n0``, synchrotron emission with electron index ``p`` and energy
fractions ``epsilon_e``, ``epsilon_B``, seen at ``theta_obs`` from the jet axis
at luminosity distance ``d_L`` and redshift ``z`` (which stretches the light
curve by ``1 + z``). What is added here is the X-ray telescope: the flux
density is integrated over XRT's 0.3–10 keV band, turned into a count rate with
an energy conversion factor, and sampled with Poisson counts and a background
on a fixed grid of logarithmic time bins, as the UKSSDC light curves are.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

import numpy as np

from mmlab.core.seeding import RandomState, as_generator
from mmlab.core.validation import check_in_range, check_positive

__all__ = [
    "AFTERGLOW_RANGES", "Afterglow", "EPSILON_E", "FIT_BOUNDS", "GRB090510_PROTOTYPE", "GRB090510_REDSHIFT",
    "KEV_HZ", "XRTBins", "XRT_BACKGROUND_RATE", "XRT_BAND_KEV", "XRT_ENERGY_PER_COUNT", "chi2_per_dof",
    "fit_afterglow", "light_curve_features", "observe_xrt", "random_afterglow", "xrt_count_rate",
]

#: Frequency of a 1 keV photon, Hz.
KEV_HZ = 2.417989242e17

#: Swift-XRT's band, keV.
XRT_BAND_KEV = (0.3, 10.0)

#: Unabsorbed 0.3–10 keV energy flux per XRT count (PC mode, photon index 2), erg cm⁻² per count: the
#: typical conversion of the UKSSDC light-curve repository (Evans et al. 2009), ignoring absorption.
XRT_ENERGY_PER_COUNT = 4.0e-11

#: XRT background in the source region, counts/s (the UKSSDC files' BGrate, PC mode, is 1e-4 to 1e-3).
XRT_BACKGROUND_RATE = 3e-4

#: Documented ranges of the afterglow population (uniform in the quantity given).
AFTERGLOW_RANGES = {
    "log10_e_iso": (50.0, 52.5),      # isotropic-equivalent kinetic energy, erg (short GRBs: Fong et al. 2015)
    "log10_n0": (-3.0, 0.0),          # circumburst density, cm⁻³
    "theta_core": (0.02, 0.15),       # jet half-opening angle, rad
    "p": (2.1, 2.6),                  # electron power-law index
    "log10_epsilon_b": (-4.0, -2.0),  # magnetic energy fraction
}

#: Bounds (log10) of the parameters :func:`fit_afterglow` may free.
FIT_BOUNDS = {"e_iso": (48.0, 55.0), "n0": (-6.0, 2.0), "epsilon_b": (-7.0, -0.5), "epsilon_e": (-3.0, -0.3),
              "theta_core": (-2.5, -0.2)}

#: Energy fraction in electrons, held fixed (its usual value; it is degenerate with E_iso and ε_B).
EPSILON_E = 0.1


@dataclass(frozen=True)
class Afterglow:
    """Physical parameters of a top-hat-jet afterglow (afterglowpy's, in cgs units and rad).

    Parameters
    ----------
    e_iso : float
        Isotropic-equivalent kinetic energy, erg.
    n0 : float
        Circumburst density, cm⁻³.
    theta_core : float
        Jet half-opening angle, rad.
    theta_obs : float
        Angle between the jet axis and the line of sight, rad (on axis: below ``theta_core``).
    p : float
        Electron power-law index (> 2).
    epsilon_e, epsilon_b : float
        Energy fractions in electrons and magnetic field.
    """

    e_iso: float
    n0: float
    theta_core: float = 0.1
    theta_obs: float = 0.0
    p: float = 2.2
    epsilon_e: float = EPSILON_E
    epsilon_b: float = 1e-3

    def __post_init__(self):
        for name in ("e_iso", "n0", "theta_core"):
            check_positive(name, getattr(self, name))
        check_in_range("theta_obs", self.theta_obs, 0.0, np.pi / 2)
        check_in_range("p", self.p, 2.0001, 4.0)
        check_in_range("epsilon_e", self.epsilon_e, 1e-8, 1.0)
        check_in_range("epsilon_b", self.epsilon_b, 1e-8, 1.0)

    def with_(self, **changes) -> Afterglow:
        """A copy with some parameters changed."""
        return replace(self, **changes)

    def as_dict(self) -> dict:
        """The parameters as plain floats (for a model card or a table)."""
        return {f.name: float(getattr(self, f.name)) for f in fields(self)}


#: Redshift of GRB 090510 (Rau et al. 2009, GCN 9353).
GRB090510_REDSHIFT = 0.903

#: The prototype: afterglowpy parameters fitted (:func:`fit_afterglow`, E_iso, n0, ε_B and θ_core free,
#: p = 2.2, ε_e = 0.1, on axis) to GRB 090510's XRT light curve (WT and PC modes, 73 points).
GRB090510_PROTOTYPE = Afterglow(e_iso=1.12e53, n0=0.0345, theta_core=0.01446, theta_obs=0.0, p=2.2,
                                epsilon_e=0.1, epsilon_b=3.53e-4)


def _afterglowpy_parameters(afterglow: Afterglow, distance_mpc: float, redshift: float) -> dict:
    import afterglowpy

    return {
        "jetType": afterglowpy.jet.TopHat, "specType": afterglowpy.jet.SimpleSpec, "thetaObs": afterglow.theta_obs,
        "E0": afterglow.e_iso, "thetaCore": afterglow.theta_core, "n0": afterglow.n0, "p": afterglow.p,
        "epsilon_e": afterglow.epsilon_e, "epsilon_B": afterglow.epsilon_b, "xi_N": 1.0,
        "d_L": distance_mpc * 3.0856775814913673e24, "z": redshift,
    }


def xrt_count_rate(times, afterglow: Afterglow, distance_mpc: float, redshift: float,
                   n_frequencies: int = 5) -> np.ndarray:
    """Expected XRT count rate of an afterglow at observer times, counts/s.

    afterglowpy's flux density is integrated over 0.3–10 keV (as a power
    law between ``n_frequencies`` log-spaced points) and divided by
    :data:`XRT_ENERGY_PER_COUNT`.

    Parameters
    ----------
    times : array_like
        Observer-frame seconds since the burst, positive.
    afterglow : Afterglow
        The jet and its medium.
    distance_mpc : float
        Luminosity distance, Mpc.
    redshift : float
        Cosmological redshift (consistent with the distance).
    n_frequencies : int
        Frequencies across the band.

    Returns
    -------
    numpy.ndarray
        Count rate at each time.
    """
    import afterglowpy

    times = np.asarray(times, dtype=float)
    if times.ndim != 1 or np.any(~np.isfinite(times)) or np.any(times <= 0):
        raise ValueError(f"times must be a 1-D array of positive seconds, got {times!r}")
    check_positive("distance_mpc", distance_mpc)
    check_in_range("redshift", redshift, 0.0, 20.0)
    frequencies = np.geomspace(*XRT_BAND_KEV, n_frequencies) * KEV_HZ
    grid_t, grid_nu = np.meshgrid(times, frequencies, indexing="ij")
    flux_mjy = afterglowpy.fluxDensity(grid_t.ravel(), grid_nu.ravel(),
                                       **_afterglowpy_parameters(afterglow, distance_mpc, redshift))
    flux_density = flux_mjy.reshape(grid_t.shape) * 1e-26  # erg s⁻¹ cm⁻² Hz⁻¹
    return _power_law_integral(frequencies, flux_density) / XRT_ENERGY_PER_COUNT


def _power_law_integral(frequencies: np.ndarray, flux_density: np.ndarray) -> np.ndarray:
    """∫ F_ν dν over the frequencies, exact for a spectrum that is a power law between neighbouring points.

    Synchrotron afterglow spectra are broken power laws, so this is exact
    away from the breaks (a trapezoid would need tens of points for 1 %).
    """
    ratio = frequencies[1:] / frequencies[:-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        slope = np.log(flux_density[:, 1:] / flux_density[:, :-1]) / np.log(ratio)  # F ∝ ν^slope
        exponent = slope + 1
        segment = flux_density[:, :-1] * frequencies[:-1] * np.where(
            np.abs(exponent) < 1e-9, np.log(ratio), (ratio ** exponent - 1) / exponent)
    # A segment with no flux at one end (zero, or not finite slope) falls back to the trapezoid.
    trapezoid = (flux_density[:, 1:] + flux_density[:, :-1]) / 2 * np.diff(frequencies)
    return np.where(np.isfinite(segment), segment, trapezoid).sum(axis=1)


@dataclass(frozen=True)
class XRTBins:
    """Fixed observing bins of a simulated XRT light curve.

    Parameters
    ----------
    start, stop : float
        First and last bin edge, observer seconds after the burst (XRT slews in ~60–100 s).
    n_bins : int
        Logarithmic bins between them.
    duty_cycle : float
        Fraction of each bin observed (Swift's orbit hides a source about half the time).
    """

    start: float = 100.0
    stop: float = 1e6
    n_bins: int = 32
    duty_cycle: float = 0.5

    def __post_init__(self):
        if not 0 < self.start < self.stop:
            raise ValueError(f"XRT bins need 0 < start < stop, got start={self.start!r}, stop={self.stop!r}")
        if int(self.n_bins) != self.n_bins or self.n_bins < 4:
            raise ValueError(f"n_bins must be an integer of at least 4, got {self.n_bins!r}")
        check_in_range("duty_cycle", self.duty_cycle, 1e-3, 1.0)

    @property
    def edges(self) -> np.ndarray:
        """Bin edges, s."""
        return np.geomspace(self.start, self.stop, self.n_bins + 1)

    @property
    def centres(self) -> np.ndarray:
        """Geometric bin centres, s."""
        edges = self.edges
        return np.sqrt(edges[:-1] * edges[1:])

    @property
    def exposures(self) -> np.ndarray:
        """Seconds observed per bin."""
        return np.diff(self.edges) * self.duty_cycle


def observe_xrt(rates, bins: XRTBins = XRTBins(), background_rate: float = XRT_BACKGROUND_RATE,
                seed: RandomState = None) -> tuple[np.ndarray, np.ndarray]:
    """Poisson-sample expected count rates the way XRT measures them.

    In each bin, source and background counts are drawn over the exposure;
    the measured rate is ``(counts − expected background) / exposure`` and
    its error ``sqrt(max(counts, 1)) / exposure``.

    Parameters
    ----------
    rates : array_like
        Expected source count rate at the bin centres, counts/s.
    bins : XRTBins
        The observing bins.
    background_rate : float
        Background in the source region, counts/s.
    seed : int, numpy.random.Generator or None
        Random input.

    Returns
    -------
    rate, error : numpy.ndarray
        Measured rate (may be ≤ 0 where nothing is detected) and its 1σ error, counts/s.
    """
    rng = as_generator(seed)
    rates = np.asarray(rates, dtype=float)
    if rates.shape != (bins.n_bins,) or np.any(~np.isfinite(rates)) or np.any(rates < 0):
        raise ValueError(f"rates must be {bins.n_bins} finite non-negative counts/s, got shape {rates.shape}")
    exposure = bins.exposures
    counts = rng.poisson((rates + background_rate) * exposure)
    return (counts - background_rate * exposure) / exposure, np.sqrt(np.maximum(counts, 1)) / exposure


def light_curve_features(rate, error, floor: float = 1e-5) -> np.ndarray:
    """The network's view of a light curve: ``log10`` of the rate (floored) and of its error, ``(n_bins, 2)``."""
    rate, error = np.asarray(rate, dtype=float), np.asarray(error, dtype=float)
    if rate.shape != error.shape or np.any(~np.isfinite(rate)) or np.any(~np.isfinite(error)) or np.any(error <= 0):
        raise ValueError("rate and error must be finite arrays of one shape, with positive errors")
    return np.stack([np.log10(np.maximum(rate, floor)), np.log10(error)], axis=-1).astype(np.float32)


def random_afterglow(seed: RandomState = None, on_axis: bool = True) -> Afterglow:
    """An afterglow drawn from :data:`AFTERGLOW_RANGES` (seen within its jet's core if ``on_axis``)."""
    rng = as_generator(seed)
    draw = {name: rng.uniform(*limits) for name, limits in AFTERGLOW_RANGES.items()}
    theta_core = draw["theta_core"]
    return Afterglow(e_iso=10 ** draw["log10_e_iso"], n0=10 ** draw["log10_n0"], theta_core=theta_core,
                     theta_obs=rng.uniform(0, theta_core) if on_axis else rng.uniform(0, np.pi / 2), p=draw["p"],
                     epsilon_b=10 ** draw["log10_epsilon_b"])


def chi2_per_dof(times, rates, errors, afterglow: Afterglow, distance_mpc: float, redshift: float,
                 n_free: int = 0) -> float:
    """χ² per degree of freedom of an afterglow model against a measured light curve."""
    model = xrt_count_rate(times, afterglow, distance_mpc, redshift)
    residuals = (np.asarray(rates) - model) / np.asarray(errors)
    dof = residuals.size - n_free
    if dof < 1:
        raise ValueError(f"{residuals.size} points and {n_free} free parameters leave no degree of freedom")
    return float(np.sum(residuals ** 2) / dof)


def fit_afterglow(times, rates, errors, start: Afterglow, distance_mpc: float, redshift: float,
                  free=("e_iso", "n0", "epsilon_b")) -> tuple[Afterglow, float]:
    """Least-squares fit of some afterglow parameters (in log10) to a measured XRT light curve.

    Parameters
    ----------
    times, rates, errors : array_like
        A light curve (e.g. :func:`mmlab.io.load_swift_xrt`), counts/s.
    start : Afterglow
        Starting point; the parameters not in ``free`` stay at its values.
    distance_mpc, redshift : float
        Where the burst is.
    free : sequence of str
        Parameters to fit, in log10, within :data:`FIT_BOUNDS`.

    Returns
    -------
    afterglow : Afterglow
        The best fit.
    chi2_dof : float
        Its χ² per degree of freedom.
    """
    from scipy.optimize import least_squares

    from mmlab.core.validation import check_light_curve

    unknown = [name for name in free if name not in FIT_BOUNDS]
    if unknown:
        raise ValueError(f"cannot fit {unknown}; the parameters that can be freed are {list(FIT_BOUNDS)}")
    check_light_curve(times, rates, "light curve to fit")
    times, rates, errors = (np.asarray(a, dtype=float) for a in (times, rates, errors))

    def model(log_values):
        return start.with_(**{name: 10 ** v for name, v in zip(free, log_values)})

    def residuals(log_values):
        return (xrt_count_rate(times, model(log_values), distance_mpc, redshift) - rates) / errors

    low, high = np.array([FIT_BOUNDS[name] for name in free]).T
    first = np.clip([np.log10(getattr(start, name)) for name in free], low + 1e-6, high - 1e-6)
    solution = least_squares(residuals, first, bounds=(low, high), diff_step=1e-3, max_nfev=200)
    best = model(solution.x)
    return best, chi2_per_dof(times, rates, errors, best, distance_mpc, redshift, n_free=len(free))
