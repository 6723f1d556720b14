"""Strong-lens cutouts simulated per CPU-second on one core, against lenstronomy's own image simulation.

Prints cutouts (101×101 px, u g r i, noise included) per CPU-second for
:func:`mmlab.signals.lens_images.render_scenes`, and for the same scenes through
lenstronomy's ``ImageModel`` (one model per band, uniform 4×4 supersampling,
lenstronomy's Gaussian PSF convolution; noise from ``SingleBand``), the way a
lenstronomy tutorial would build each band, measured in the same run. Goal (issue 19):
>= 100 cutouts/s on one core.

Run: ``make bench`` or ``python benchmarks/lensing.py``.
"""

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
from _timing import best_cpu_seconds  # noqa: E402

from mmlab.signals.lens_images import render_scenes  # noqa: E402
from mmlab.signals.lenses import KIDS, SCENE_KINDS, draw_scenes  # noqa: E402


def lenstronomy_images(table, survey=KIDS, supersampling=4):
    """Each scene's four bands with lenstronomy's ImageModel: per band, the lens light and source re-evaluated."""
    import lenstronomy.Util.simulation_util as sim_util
    from lenstronomy.Data.imaging_data import ImageData
    from lenstronomy.Data.psf import PSF
    from lenstronomy.ImSim.image_model import ImageModel
    from lenstronomy.LensModel.lens_model import LensModel
    from lenstronomy.LightModel.light_model import LightModel

    data = ImageData(**sim_util.data_configure_simple(survey.n_pixels, survey.pixel_scale, 1.0, 1.0))
    observations = [survey.observation(band) for band in survey.bands]
    lens_model = LensModel(["SIE", "SHEAR"])
    models = {}
    rng = np.random.default_rng(0)
    for i in range(len(table["kind"])):
        kind = SCENE_KINDS[int(table["kind"][i])]
        q, phi = table["mass_q"][i], table["mass_phi"][i]
        e = (1 - q) / (1 + q)
        lens = [{"theta_E": table["theta_e"][i], "e1": e * np.cos(2 * phi), "e2": e * np.sin(2 * phi),
                 "center_x": 0, "center_y": 0},
                {"gamma1": table["shear_gamma1"][i], "gamma2": table["shear_gamma2"][i], "ra_0": 0, "dec_0": 0}]
        for b, (band, observation) in enumerate(zip(survey.bands, observations, strict=True)):
            key = (b, kind == "lens")
            if key not in models:
                psf = PSF(psf_type="GAUSSIAN", fwhm=band.seeing, truncation=4)
                models[key] = ImageModel(data, psf, lens_model if kind == "lens" else LensModel([]),
                                         LightModel(["SERSIC_ELLIPSE"]), LightModel(["SERSIC_ELLIPSE"]),
                                         kwargs_numerics={"supersampling_factor": supersampling})
            source = [{"amp": observation.magnitude2cps(table[f"source_mag_{band.name}"][i]),
                       "R_sersic": table["source_r_eff"][i], "n_sersic": table["source_n"][i], "e1": 0.0, "e2": 0.0,
                       "center_x": table["source_x"][i], "center_y": table["source_y"][i]}]
            light = [{"amp": observation.magnitude2cps(table[f"lens_mag_{band.name}"][i]),
                      "R_sersic": table["lens_r_eff"][i], "n_sersic": table["lens_n"][i], "e1": 0.0, "e2": 0.0,
                      "center_x": 0, "center_y": 0}]
            image = models[key].image(lens if kind == "lens" else [], source, light)
            image = image + observation.noise_for_model(image, seed=int(rng.integers(2**31)))


def main() -> None:
    n = 200
    table = draw_scenes(n, seed=1)
    render_scenes(table, seed=2)  # warm up lenstronomy's imports and numba
    ours = best_cpu_seconds(lambda: render_scenes(table, seed=2), repeats=3)
    theirs = best_cpu_seconds(lambda: lenstronomy_images(table), repeats=1)
    print(f"mmlab render_scenes:          {n / ours:7.0f} cutouts per CPU-second (goal >= 100)")
    print(f"lenstronomy ImageModel x4 bands: {n / theirs:7.0f} cutouts per CPU-second")
    print(f"speed-up: {theirs / ours:.1f}x")


if __name__ == "__main__":
    main()
