"""Galaxy-scale strong lenses and look-alikes for ground-based multi-band cutouts: the survey and the scenes.

A scene is a row of parameters (:data:`SCENE_COLUMNS`) drawn by :func:`draw_scenes`
from a :class:`LensPopulation`; :mod:`mmlab.signals.lens_images` observes it with a
:class:`LensSurvey` (KiDS's u, g, r, i by default) through lenstronomy.

Scenes (:data:`SCENE_KINDS`), the Bologna Lens Challenge setting (Metcalf et al.
2019) with its hard negatives; half of the cutouts of every kind also hold an
unrelated field galaxy 4–9″ out:

``lens``
    A red early-type galaxy (Sérsic lens light) whose mass (singular isothermal
    ellipsoid plus external shear) lenses a blue, optionally clumpy, Sérsic source
    sitting inside about half the Einstein radius: arcs and rings.
``galaxy``
    The same kind of red galaxy, alone.
``pair``
    A close pair or minor merger: the blue galaxy unlensed 1–3″ from the red one,
    where a lens's arcs would be.
``ring``
    A collisional ring galaxy: a blue knotty ring (a difference of two Gaussians,
    zero at its centre, plus Gaussian knots along it) of 2–5″ radius (10–40 kpc across at
    z ≈ 0.1–0.3, as collisional rings are) around a red galaxy, its centre offset and
    its plane inclined.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from mmlab.core.seeding import RandomState, as_generator
from mmlab.core.validation import check_in_range, check_integer, check_positive

if TYPE_CHECKING:
    from lenstronomy.SimulationAPI.observation_api import SingleBand

__all__ = [
    "KIDS", "KIDS_BANDS", "NO_LIGHT", "RING_PEAK", "RING_SIGMA_RATIO", "SCENE_COLUMNS", "SCENE_KINDS", "LensPopulation",
    "LensSurvey", "SurveyBand", "draw_scenes",
]

#: Kinds of scene, in the order of their codes in the ``kind`` column.
SCENE_KINDS = ("lens", "galaxy", "pair", "ring")

#: AB magnitude of a component that is not there (10^-30 of a 25th-magnitude source's flux).
NO_LIGHT = 99.0

#: Most Gaussian knots a clumpy source or a ring galaxy has.
MAX_KNOTS = 8

#: Ring peak radius over the wider Gaussian's sigma, for inner sigma = 0.7 outer sigma (zero surface brightness at
#: the centre): r**2 = 2 ln(s1**2 / s2**2) / (1 / s2**2 - 1 / s1**2).
RING_SIGMA_RATIO = 0.7
RING_PEAK = float(np.sqrt(2 * np.log(1 / RING_SIGMA_RATIO**2) / (1 / RING_SIGMA_RATIO**2 - 1)))


@dataclass(frozen=True)
class SurveyBand:
    """One filter of a survey, in lenstronomy's observation convention.

    Attributes
    ----------
    name : str
    exposure_time : float
        Seconds per exposure.
    num_exposures : int
        Exposures co-added.
    seeing : float
        Median PSF FWHM, arcsec.
    sky_brightness : float
        AB mag arcsec⁻².
    zero_point : float
        AB magnitude giving 1 e⁻ s⁻¹.
    read_noise : float
        e⁻ per exposure.
    """

    name: str
    exposure_time: float
    num_exposures: int
    seeing: float
    sky_brightness: float
    zero_point: float
    read_noise: float = 4.5


#: KiDS DR4 (Kuijken et al. 2019, A&A 625 A2): exposures u 4×250 s, g 5×180 s, r 5×360 s, i 5×240 s and median
#: seeing 1.0 / 0.86 / 0.68 / 0.79″ on OmegaCAM (0.2″ px, read noise about 4.5 e⁻). Sky: Paranal, u, g and r in dark
#: time, i in bright. Each zero point is the one for which that sky and read noise give DR4's 5σ depth in a 2″
#: aperture (24.23, 25.12, 25.02, 23.68 AB; :meth:`LensSurvey.depth`, solved with scipy's brentq).
KIDS_BANDS = (
    SurveyBand("u", 250.0, 4, 1.00, 22.3, 23.83),
    SurveyBand("g", 180.0, 5, 0.86, 21.8, 25.86),
    SurveyBand("r", 360.0, 5, 0.68, 20.9, 25.76),
    SurveyBand("i", 240.0, 5, 0.79, 19.4, 25.01),
)


@dataclass(frozen=True)
class LensSurvey:
    """Where and how the cutouts are observed.

    Attributes
    ----------
    bands : tuple of SurveyBand
        Default: KiDS's u, g, r, i (:data:`KIDS_BANDS`).
    pixel_scale : float
        Arcsec per pixel.
    n_pixels : int
        Cutout side (odd, so the lens sits on the central pixel).
    supersampling : int
        Sub-pixels per side where the light is concentrated (the red galaxy's core; arcs, knots and
        rings), averaged into each pixel; elsewhere the light is taken at pixel centres.
    """

    bands: tuple[SurveyBand, ...] = KIDS_BANDS
    pixel_scale: float = 0.2
    n_pixels: int = 101
    supersampling: int = 4

    def __post_init__(self) -> None:
        check_positive("pixel_scale", self.pixel_scale, "arcsec")
        if check_integer("n_pixels", self.n_pixels, 9) % 2 == 0:
            raise ValueError(f"n_pixels must be odd (the lens on the central pixel), got {self.n_pixels}")
        check_integer("supersampling", self.supersampling, 1)
        if not self.bands:
            raise ValueError("bands must name at least one SurveyBand, got none")

    @property
    def band_names(self) -> tuple[str, ...]:
        """Filter names, in channel order."""
        return tuple(band.name for band in self.bands)

    def observation(self, band: SurveyBand) -> SingleBand:
        """lenstronomy's ``SingleBand`` of ``band`` (noise in e⁻ s⁻¹)."""
        from lenstronomy.SimulationAPI.observation_api import SingleBand

        return SingleBand(pixel_scale=self.pixel_scale, exposure_time=band.exposure_time,
                          magnitude_zero_point=band.zero_point, read_noise=band.read_noise, ccd_gain=1.0,
                          sky_brightness=band.sky_brightness, seeing=band.seeing, num_exposures=band.num_exposures,
                          psf_type="GAUSSIAN", data_count_unit="e-")

    def depth(self, band: SurveyBand, aperture_diameter: float = 2.0, sigma: float = 5.0) -> float:
        """AB magnitude of a point-like source detected at ``sigma`` in a sky-limited aperture."""
        noise = self.observation(band).background_noise * np.sqrt(np.pi * (aperture_diameter / 2) ** 2
                                                                 / self.pixel_scale**2)
        return band.zero_point - 2.5 * np.log10(sigma * noise)


#: The default survey: KiDS-like u, g, r, i cutouts of 101×101 px at 0.2″.
KIDS = LensSurvey()


@dataclass(frozen=True)
class LensPopulation:
    """Distributions the scenes are drawn from (AB magnitudes, arcsec).

    Attributes
    ----------
    theta_e_range : tuple of float
        Einstein radius, drawn log-uniformly.
    lens_mag_r_range : tuple of float
        Red galaxy's r magnitude.
    lens_colors : tuple of float
        Mean u−r, g−r, r−i of the red galaxies (early types at z ≈ 0.3–0.5), scatter 0.1.
    source_mag_r_range : tuple of float
        Unlensed r magnitude of the blue galaxy.
    source_colors : tuple of float
        Mean u−r, g−r, r−i of the blue galaxies (star-forming, z ≈ 1–2), scatter 0.2.
    clumpy_fraction : float
        Share of blue galaxies with 1–4 star-forming knots.
    max_shear : float
        External shear magnitude, drawn uniformly below it.
    kind_fractions : tuple of float
        Share of ``lens``, ``galaxy``, ``pair`` and ``ring`` scenes.
    seeing_scatter : tuple of float
        Range of the per-cutout factor on every band's median seeing (one pointing's conditions).
    field_fraction : float
        Share of cutouts, of every kind, with an unrelated field galaxy 4–9″ from the centre (so that an
        empty field tells a network nothing).
    """

    theta_e_range: tuple[float, float] = (0.8, 2.5)
    lens_mag_r_range: tuple[float, float] = (19.0, 21.5)
    lens_colors: tuple[float, float, float] = (2.5, 1.2, 0.45)
    source_mag_r_range: tuple[float, float] = (21.5, 24.0)
    source_colors: tuple[float, float, float] = (0.6, 0.25, 0.1)
    clumpy_fraction: float = 0.5
    max_shear: float = 0.05
    kind_fractions: tuple[float, float, float, float] = (0.5, 0.25, 0.15, 0.1)
    seeing_scatter: tuple[float, float] = (0.85, 1.2)
    field_fraction: float = 0.5

    def __post_init__(self) -> None:
        for name in ("theta_e_range", "lens_mag_r_range", "source_mag_r_range", "seeing_scatter"):
            low, high = getattr(self, name)
            check_positive(f"{name} low", low)
            if high < low:
                raise ValueError(f"{name} must be (low, high) with low <= high, got {getattr(self, name)}")
        check_in_range("clumpy_fraction", self.clumpy_fraction, 0.0, 1.0)
        check_in_range("field_fraction", self.field_fraction, 0.0, 1.0)
        check_in_range("max_shear", self.max_shear, 0.0, 0.3)
        fractions = np.asarray(self.kind_fractions, dtype=float)
        if fractions.shape != (len(SCENE_KINDS),) or np.any(fractions < 0) or not np.isclose(fractions.sum(), 1):
            raise ValueError(f"kind_fractions must be {len(SCENE_KINDS)} non-negative shares of {SCENE_KINDS} "
                             f"summing to 1, got {self.kind_fractions}")


#: Per-scene parameters stored with every cutout.
SCENE_COLUMNS = (
    "kind", "label", "theta_e", "mass_q", "mass_phi", "shear_gamma1", "shear_gamma2",
    "lens_mag_u", "lens_mag_g", "lens_mag_r", "lens_mag_i", "lens_r_eff", "lens_n", "lens_q", "lens_phi",
    "source_x", "source_y", "source_mag_u", "source_mag_g", "source_mag_r", "source_mag_i", "source_r_eff",
    "source_n", "source_q", "source_phi", "n_knots", "ring_radius", "ring_q", "ring_phi", "seeing_factor",
    "field_x", "field_y", "field_mag_u", "field_mag_g", "field_mag_r", "field_mag_i", "field_r_eff",
    *(f"knot{k}_{p}" for k in range(MAX_KNOTS) for p in ("x", "y", "sigma", "share")),
)


def _colours(rng: np.random.Generator, mag_r: np.ndarray, colours, scatter: float) -> dict[str, np.ndarray]:
    n = mag_r.size
    u_r, g_r, r_i = (np.asarray(colours)[:, None] + scatter * rng.standard_normal((3, n)))
    return {"u": mag_r + u_r, "g": mag_r + g_r, "r": mag_r, "i": mag_r - r_i}


def draw_scenes(n: int, population: LensPopulation = LensPopulation(), seed: RandomState = None,
                kinds: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Parameters of ``n`` scenes (:data:`SCENE_COLUMNS`).

    Parameters
    ----------
    n : int
        Scenes.
    population : LensPopulation
    seed : int or numpy.random.Generator, optional
    kinds : numpy.ndarray, optional
        Codes into :data:`SCENE_KINDS`, one per scene; default: drawn with ``kind_fractions``.

    Returns
    -------
    dict
        Column → ``(n,)`` array; ``label`` is 1 for lenses, 0 otherwise.
    """
    n = check_integer("n", n, 1)
    rng = as_generator(seed)
    if kinds is None:
        kinds = rng.choice(len(SCENE_KINDS), size=n, p=population.kind_fractions)
    kinds = np.asarray(kinds, dtype=int)
    if kinds.shape != (n,) or kinds.min() < 0 or kinds.max() >= len(SCENE_KINDS):
        raise ValueError(f"kinds must be {n} codes in [0, {len(SCENE_KINDS)}), got {kinds!r}")
    table = {"kind": kinds, "label": (kinds == 0).astype(int)}
    low, high = population.theta_e_range
    theta_e = np.exp(rng.uniform(np.log(low), np.log(high), n))
    table.update(theta_e=theta_e, mass_q=rng.uniform(0.6, 1.0, n), mass_phi=rng.uniform(0, np.pi, n))
    shear, angle = population.max_shear * np.sqrt(rng.random(n)), rng.uniform(0, np.pi, n)
    table.update(shear_gamma1=shear * np.cos(2 * angle), shear_gamma2=shear * np.sin(2 * angle))
    lens_mag = rng.uniform(*population.lens_mag_r_range, n)
    table.update({f"lens_mag_{b}": m for b, m in _colours(rng, lens_mag, population.lens_colors, 0.1).items()})
    # Light follows mass: size grows with the Einstein radius (Faber-Jackson-like), axis ratio and angle near the mass's.
    table.update(lens_r_eff=theta_e * rng.uniform(0.5, 1.0, n), lens_n=rng.uniform(3.0, 5.0, n),
                 lens_q=np.clip(table["mass_q"] + 0.05 * rng.standard_normal(n), 0.5, 1.0),
                 lens_phi=table["mass_phi"] + 0.1 * rng.standard_normal(n))
    # A ring galaxy's ring holds a whole galaxy's star formation: 1.5 mag brighter than a background source.
    source_mag = rng.uniform(*population.source_mag_r_range, n) - np.where(kinds == 3, 1.5, 0.0)
    # A lone galaxy has no blue companion: its magnitudes are set to NO_LIGHT.
    source_mag = np.where(kinds == 1, NO_LIGHT, source_mag)
    table.update({f"source_mag_{b}": np.where(kinds == 1, NO_LIGHT, m)
                  for b, m in _colours(rng, source_mag, population.source_colors, 0.2).items()})
    table.update(source_r_eff=np.exp(rng.uniform(np.log(0.1), np.log(0.4), n)), source_n=rng.uniform(0.5, 2.0, n),
                 source_q=rng.uniform(0.4, 1.0, n), source_phi=rng.uniform(0, np.pi, n))
    # Where the blue galaxy lies: in the source plane within half the Einstein radius for a lens; unlensed, beside
    # the red galaxy, for a pair (1-3"); a ring's is placed below.
    radius = np.select([kinds == 0, kinds == 2], [0.5 * theta_e * np.sqrt(rng.random(n)), rng.uniform(1, 3, n)], 0.0)
    direction = rng.uniform(0, 2 * np.pi, n)
    table.update(source_x=radius * np.cos(direction), source_y=radius * np.sin(direction))
    table.update(ring_radius=np.where(kinds == 3, rng.uniform(2.0, 5.0, n), 0.0),
                 ring_q=np.where(kinds == 3, rng.uniform(0.5, 1.0, n), 1.0), ring_phi=rng.uniform(0, np.pi, n))
    clumpy = rng.random(n) < population.clumpy_fraction
    n_knots = np.select([kinds == 3, clumpy & (kinds != 3)], [rng.integers(3, MAX_KNOTS + 1, n),
                                                            rng.integers(1, 5, n)], 0)
    table["n_knots"] = n_knots
    for k in range(MAX_KNOTS):  # star-forming clumps of about 1 kpc (0.05-0.12" sigma at z ~ 1-2)
        on = k < n_knots
        # Knots of a blue galaxy lie within its effective radius; a ring's lie along the ring.
        along = rng.uniform(0, 2 * np.pi, n)
        r_knot = np.where(kinds == 3, table["ring_radius"], table["source_r_eff"] * np.sqrt(rng.random(n)))
        x, y = r_knot * np.cos(along), r_knot * np.sin(along) * np.where(kinds == 3, table["ring_q"], 1.0)
        table[f"knot{k}_x"], table[f"knot{k}_y"] = np.where(on, x, 0.0), np.where(on, y, 0.0)
        table[f"knot{k}_sigma"] = np.where(on, rng.uniform(0.05, 0.12, n), 0.0)
        table[f"knot{k}_share"] = np.where(on, rng.uniform(0.05, 0.2, n), 0.0)
    # The ring galaxy's centre is off the red galaxy by up to a quarter of its radius.
    ring_offset = 0.25 * table["ring_radius"] * np.sqrt(rng.random(n))
    ring_direction = rng.uniform(0, 2 * np.pi, n)
    table["source_x"] = np.where(kinds == 3, ring_offset * np.cos(ring_direction), table["source_x"])
    table["source_y"] = np.where(kinds == 3, ring_offset * np.sin(ring_direction), table["source_y"])
    table["seeing_factor"] = rng.uniform(*population.seeing_scatter, n)
    # Any cutout may hold an unrelated field galaxy 4-9" out, red or blue, whatever the scene is.
    field = rng.random(n) < population.field_fraction
    radius, direction = rng.uniform(4, 9, n), rng.uniform(0, 2 * np.pi, n)
    table.update(field_x=radius * np.cos(direction), field_y=radius * np.sin(direction),
                 field_r_eff=np.exp(rng.uniform(np.log(0.2), np.log(0.8), n)))
    colours = (rng.uniform(0.5, 2.5, n), rng.uniform(0.2, 1.2, n), rng.uniform(0.1, 0.5, n))
    field_mag = rng.uniform(20.5, 24.0, n)
    for band, colour in zip("ugi", colours, strict=True):
        table[f"field_mag_{band}"] = np.where(field, field_mag + (colour if band != "i" else -colour), NO_LIGHT)
    table["field_mag_r"] = np.where(field, field_mag, NO_LIGHT)
    return {name: np.asarray(table[name]) for name in SCENE_COLUMNS}
