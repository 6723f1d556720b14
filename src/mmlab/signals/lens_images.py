"""Cutouts of the scenes of :mod:`mmlab.signals.lenses`, observed through lenstronomy.

The deflection (singular isothermal ellipsoid plus external shear) and every light
profile (Sérsic, Gaussian) are lenstronomy's (``LensModel``, ``LightModel``), and
so are the noise properties of each band (``SimulationAPI.SingleBand``: sky,
read-out and source Poisson noise from the exposure, zero point and sky
brightness). What is written here is how a scene is put together: each
component's light is evaluated once per scene at unit amplitude, then scaled by
its magnitude in every band (a colour per component), so the four bands cost one
ray-shooting and one profile evaluation each, supersampled only where the light is
concentrated; the per-band Gaussian PSF is then applied with
:func:`scipy.ndimage.gaussian_filter`.

Images are sky subtracted, noise included, in units of each band's sky noise.
"""

from __future__ import annotations

import numpy as np
from scipy.ndimage import gaussian_filter
from tqdm.auto import tqdm

from mmlab.core.seeding import RandomState, as_generator
from mmlab.signals.lenses import (
    KIDS,
    NO_LIGHT,
    RING_PEAK,
    RING_SIGMA_RATIO,
    SCENE_COLUMNS,
    SCENE_KINDS,
    LensSurvey,
)

__all__ = ["render_scenes", "scene_light"]


def _ellipticity(phi, q) -> tuple[float, float]:
    """lenstronomy's (e1, e2) of axis ratio ``q`` at position angle ``phi``."""
    e = (1 - q) / (1 + q)
    return float(e * np.cos(2 * phi)), float(e * np.sin(2 * phi))


def _check_scene(index: int, scene: dict) -> None:
    """Parameters lenstronomy would take silently but that make no galaxy (or no lens)."""
    if scene["kind"] not in range(len(SCENE_KINDS)):
        raise ValueError(f"scene {index}: kind must be a code in [0, {len(SCENE_KINDS)}) for {SCENE_KINDS}, "
                         f"got {scene['kind']!r}")
    for name, value in scene.items():
        if not np.isfinite(value):
            raise ValueError(f"scene {index}: {name} must be finite, got {value!r}")
    limits = {"theta_e": (1e-3, 10.0), "mass_q": (0.05, 1.0), "lens_q": (0.05, 1.0), "source_q": (0.05, 1.0),
              "ring_q": (0.05, 1.0), "lens_n": (0.3, 8.0), "source_n": (0.3, 8.0), "lens_r_eff": (1e-3, 20.0),
              "source_r_eff": (1e-3, 10.0), "field_r_eff": (1e-3, 10.0), "seeing_factor": (0.1, 10.0)}
    for name, (low, high) in limits.items():
        if not low <= scene[name] <= high:
            raise ValueError(f"scene {index} ({SCENE_KINDS[int(scene['kind'])]}): {name} must lie in "
                             f"[{low}, {high}], got {scene[name]!r}")


class _SceneRenderer:
    """lenstronomy's models, the pixel grids and each band's noise, set up once for many scenes.

    Light is evaluated at pixel centres, then again on ``supersampling``² sub-pixels
    where it is concentrated (adaptive supersampling, as lenstronomy's
    ``ImageNumerics`` does): the pixels within a few of the red galaxy's centre, and
    those where the blue light exceeds 1e-3 of its peak, grown by one pixel (arcs,
    knots and rings are thinner than a pixel; the smooth outskirts are not).
    """

    #: Pixels on each side of the red galaxy's centre that are supersampled (its cusp).
    CORE_HALF_WIDTH = 3
    #: Blue light above this fraction of its peak pixel is supersampled (with its neighbours).
    BLUE_THRESHOLD = 1e-3

    def __init__(self, survey: LensSurvey) -> None:
        from lenstronomy.LensModel.lens_model import LensModel
        from lenstronomy.LightModel.light_model import LightModel

        self.survey = survey
        n, ss, pixel = survey.n_pixels, survey.supersampling, survey.pixel_scale
        axis = (np.arange(n) - (n - 1) / 2) * pixel
        self.x, self.y = (grid.ravel() for grid in np.meshgrid(axis, axis))
        sub = ((np.arange(ss) + 0.5) / ss - 0.5) * pixel
        self.sub_dx, self.sub_dy = (grid.ravel() for grid in np.meshgrid(sub, sub))
        self.area = pixel**2
        core = np.zeros((n, n), dtype=bool)
        middle, half = n // 2, self.CORE_HALF_WIDTH
        core[middle - half:middle + half + 1, middle - half:middle + half + 1] = True
        self.core = core.ravel()
        self.lens_model = LensModel(["SIE", "SHEAR"])
        self.sersic = LightModel(["SERSIC_ELLIPSE"])
        self.gaussian = LightModel(["GAUSSIAN"])
        self.ring = LightModel(["GAUSSIAN_ELLIPSE", "GAUSSIAN_ELLIPSE"])
        observations = [survey.observation(band) for band in survey.bands]
        self.background = np.array([obs.background_noise for obs in observations])
        self.exposure = np.array([obs.exposure_time for obs in observations])
        self.cps = [obs.magnitude2cps for obs in observations]

    def _pixels(self, brightness, chosen: np.ndarray | None = None) -> np.ndarray:
        """Flux per pixel of ``brightness(x, y)``: at pixel centres, averaged over sub-pixels where chosen.

        ``chosen`` (a boolean per pixel) defaults to the pixels whose centre value passes
        :attr:`BLUE_THRESHOLD` of the peak, and their neighbours.
        """
        from scipy.ndimage import binary_dilation

        n = self.survey.n_pixels
        values = brightness(self.x, self.y)
        if chosen is None:
            peak = values.max()
            chosen = (binary_dilation((values > self.BLUE_THRESHOLD * peak).reshape(n, n)).ravel()
                      if peak > 0 else np.zeros(values.size, dtype=bool))
        if self.survey.supersampling > 1 and chosen.any():
            x = (self.x[chosen][:, None] + self.sub_dx).ravel()
            y = (self.y[chosen][:, None] + self.sub_dy).ravel()
            values = values.copy()
            values[chosen] = brightness(x, y).reshape(-1, self.sub_dx.size).mean(axis=1)
        return (values * self.area).reshape(n, n)

    def _sersic(self, x, y, r_eff, n_sersic, q, phi, cx, cy) -> np.ndarray:
        """Unit-total-flux Sérsic surface brightness at (x, y)."""
        e1, e2 = _ellipticity(phi, q)
        kwargs = [{"R_sersic": r_eff, "n_sersic": n_sersic, "e1": e1, "e2": e2, "center_x": cx, "center_y": cy}]
        flux = self.sersic.total_flux(kwargs, norm=True)[0]
        kwargs[0]["amp"] = 1.0 / flux
        return self.sersic.surface_brightness(x, y, kwargs)

    def _knots(self, x, y, scene: dict, cx: float, cy: float) -> tuple[np.ndarray, float]:
        """Gaussian knots (unit total flux times their shares) and the shares' sum."""
        brightness, total = np.zeros_like(x), 0.0
        for k in range(int(scene["n_knots"])):
            share = scene[f"knot{k}_share"]
            kwargs = [{"amp": share, "sigma": scene[f"knot{k}_sigma"], "center_x": cx + scene[f"knot{k}_x"],
                       "center_y": cy + scene[f"knot{k}_y"]}]  # lenstronomy's Gaussian amp is its total flux
            brightness += self.gaussian.surface_brightness(x, y, kwargs)
            total += share
        return brightness, total

    def blue_light(self, scene: dict) -> np.ndarray:
        """The blue component (lensed source, neighbour or ring) per pixel, normalised to unit unlensed flux."""
        cx, cy = scene["source_x"], scene["source_y"]
        kind = SCENE_KINDS[int(scene["kind"])]
        e1, e2 = _ellipticity(scene["mass_phi"], scene["mass_q"])
        deflector = [{"theta_E": scene["theta_e"], "e1": e1, "e2": e2, "center_x": 0.0, "center_y": 0.0},
                     {"gamma1": scene["shear_gamma1"], "gamma2": scene["shear_gamma2"], "ra_0": 0.0, "dec_0": 0.0}]

        def brightness(x, y):
            if kind == "lens":
                x, y = self.lens_model.ray_shooting(x, y, deflector)
            knots, shares = self._knots(x, y, scene, cx, cy)
            if kind == "ring":
                e1, e2 = _ellipticity(scene["ring_phi"], scene["ring_q"])
                sigma = scene["ring_radius"] / RING_PEAK
                amp = (1.0 - shares) / (1.0 - RING_SIGMA_RATIO**2)
                kwargs = [{"amp": amp, "sigma": sigma, "e1": e1, "e2": e2, "center_x": cx, "center_y": cy},
                          {"amp": -amp * RING_SIGMA_RATIO**2, "sigma": sigma * RING_SIGMA_RATIO, "e1": e1,
                           "e2": e2, "center_x": cx, "center_y": cy}]
                return self.ring.surface_brightness(x, y, kwargs) + knots
            return (1.0 - shares) * self._sersic(x, y, scene["source_r_eff"], scene["source_n"], scene["source_q"],
                                                 scene["source_phi"], cx, cy) + knots

        return self._pixels(brightness)

    def field_light(self, scene: dict) -> np.ndarray:
        """The unrelated field galaxy per pixel (an exponential disc), unit total flux."""
        return self._pixels(lambda x, y: self._sersic(x, y, scene["field_r_eff"], 1.0, 1.0, 0.0, scene["field_x"],
                                                      scene["field_y"]))

    def red_light(self, scene: dict) -> np.ndarray:
        """The red galaxy per pixel, unit total flux."""
        return self._pixels(lambda x, y: self._sersic(x, y, scene["lens_r_eff"], scene["lens_n"], scene["lens_q"],
                                                      scene["lens_phi"], 0.0, 0.0), self.core)

    def seen(self, light: np.ndarray, band, scene: dict) -> np.ndarray:
        """``light`` per pixel blurred by ``band``'s seeing in this scene (a Gaussian PSF of its FWHM)."""
        sigma_px = band.seeing * scene["seeing_factor"] / (2 * np.sqrt(2 * np.log(2))) / self.survey.pixel_scale
        return gaussian_filter(light, sigma_px, mode="constant", truncate=4.0)

    def render(self, scene: dict, rng: np.random.Generator) -> np.ndarray:
        """``(n_pixels, n_pixels, n_bands)`` image in units of each band's background noise."""
        red = self.red_light(scene)
        blue = self.blue_light(scene) if scene["source_mag_r"] < NO_LIGHT else 0.0
        field = self.field_light(scene) if scene["field_mag_r"] < NO_LIGHT else 0.0
        image = np.empty((self.survey.n_pixels, self.survey.n_pixels, len(self.survey.bands)), dtype=np.float32)
        for b, band in enumerate(self.survey.bands):
            model = (self.cps[b](scene[f"lens_mag_{band.name}"]) * red
                     + self.cps[b](scene[f"source_mag_{band.name}"]) * blue
                     + self.cps[b](scene[f"field_mag_{band.name}"]) * field)
            model = self.seen(model, band, scene)
            noise = np.sqrt(self.background[b] ** 2 + np.clip(model, 0, None) / self.exposure[b])
            image[..., b] = (model + noise * rng.standard_normal(model.shape)) / self.background[b]
        return image


def _scene(table: dict, index: int) -> dict:
    """Row ``index`` of a scene table as floats, checked."""
    missing = [name for name in SCENE_COLUMNS if name not in table]
    if missing:
        raise ValueError(f"the scene table lacks the columns {missing}; make it with draw_scenes")
    scene = {name: float(np.asarray(table[name])[index]) for name in SCENE_COLUMNS}
    _check_scene(index, scene)
    return scene


def scene_light(table: dict, index: int, survey: LensSurvey = KIDS,
                band: str | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The red galaxy's and the blue component's light in scene ``index``, per pixel, without noise.

    Parameters
    ----------
    table : dict
        :data:`SCENE_COLUMNS` arrays.
    index : int
        The scene.
    survey : LensSurvey
    band : str, optional
        A band of ``survey`` whose seeing blurs both maps, as in the observed cutouts; none (the default):
        the light before seeing.

    Returns
    -------
    tuple of numpy.ndarray
        ``(n_pixels, n_pixels)`` maps, each normalised to unit total flux of the component (the blue one
        before lensing, so that a lensed source sums to its magnification).
    """
    scene = _scene(table, index)
    renderer = _SceneRenderer(survey)
    red, blue = renderer.red_light(scene), renderer.blue_light(scene)
    if band is None:
        return red, blue
    names = [b.name for b in survey.bands]
    if band not in names:
        raise ValueError(f"band must be one of the survey's {names}, got {band!r}")
    chosen = survey.bands[names.index(band)]
    return renderer.seen(red, chosen, scene), renderer.seen(blue, chosen, scene)


def render_scenes(table: dict, survey: LensSurvey = KIDS, seed: RandomState = None,
                  progress: bool = False) -> np.ndarray:
    """Observe the scenes of :func:`draw_scenes` with ``survey``.

    Parameters
    ----------
    table : dict
        :data:`SCENE_COLUMNS` arrays of equal length.
    survey : LensSurvey
    seed : int or numpy.random.Generator, optional
        Noise.
    progress : bool
        A progress bar.

    Returns
    -------
    numpy.ndarray
        ``(n, n_pixels, n_pixels, n_bands)`` float32, sky subtracted, in units of each band's sky and
        read-out noise σ (so a pixel's value is its signal-to-noise ratio plus a unit-variance deviate).

    Raises
    ------
    ValueError
        If a column is missing or a scene's parameters are out of range (the message names the scene and value),
        or if lenstronomy rejects a scene.
    """
    if "kind" not in table:
        raise ValueError("the scene table has no 'kind' column; make it with draw_scenes")
    n = np.asarray(table["kind"]).size
    rng = as_generator(seed)
    renderer = _SceneRenderer(survey)
    images = np.empty((n, survey.n_pixels, survey.n_pixels, len(survey.bands)), dtype=np.float32)
    for i in tqdm(range(n), desc="lens images", disable=not progress):
        scene = _scene(table, i)
        try:
            images[i] = renderer.render(scene, rng)
        except (ValueError, ZeroDivisionError, FloatingPointError) as exc:
            raise ValueError(f"lenstronomy rejected scene {i} ({SCENE_KINDS[int(scene['kind'])]}): {exc}") from exc
    return images
