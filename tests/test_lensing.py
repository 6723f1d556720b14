"""Strong lenses: lenstronomy scenes against analytic lensing and light profiles, survey noise, the networks,
Grad-CAM, active learning, measures and clear errors."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy.ndimage import zoom
from scipy.optimize import brentq
from scipy.special import gammainc

from mmlab import seed_everything
from mmlab.ml.active import query_scores
from mmlab.signals.lens_images import render_scenes, scene_light
from mmlab.signals.lenses import (
    KIDS,
    NO_LIGHT,
    SCENE_COLUMNS,
    SCENE_KINDS,
    LensPopulation,
    LensSurvey,
    draw_scenes,
)
from mmlab.studies.lensing import (
    LensConfig,
    LensDataset,
    annulus_fraction,
    stretch,
    tpr_at_zero_fp,
)

PIXEL = KIDS.pixel_scale


def one_scene(kind: str = "lens", **values) -> dict:
    """A drawn scene of ``kind`` with some parameters set (no knots or field galaxy unless given)."""
    table = draw_scenes(1, seed=1, kinds=np.array([SCENE_KINDS.index(kind)]))
    table["n_knots"] = np.array([0])
    for band in "ugri":
        table[f"field_mag_{band}"] = np.array([NO_LIGHT])
    for name, value in values.items():
        table[name] = np.array([value])
    return table


def radii(n: int = KIDS.n_pixels) -> np.ndarray:
    y, x = np.indices((n, n))
    return np.hypot(x - (n - 1) / 2, y - (n - 1) / 2) * PIXEL


def test_point_source_behind_an_sis_makes_an_einstein_ring_of_radius_theta_e():
    theta_e = 1.6
    scene = one_scene(theta_e=theta_e, mass_q=1.0, shear_gamma1=0.0, shear_gamma2=0.0, source_x=0.0, source_y=0.0,
                      source_r_eff=0.05, source_n=1.0, source_q=1.0)
    _, blue = scene_light(scene, 0)
    r = radii()
    bins = np.arange(0, 5, PIXEL / 2)
    profile = np.array([blue[(r >= a) & (r < b)].mean() if ((r >= a) & (r < b)).any() else 0
                        for a, b in itertools.pairwise(bins)])
    peak = bins[np.argmax(profile)] + PIXEL / 4
    assert abs(peak - theta_e) < PIXEL


@pytest.mark.parametrize("offset", [0.3, 0.7])
def test_total_magnification_of_a_small_source_matches_the_sis_formula(offset):
    # An SIS images a point at beta < theta_E twice, with |mu| = theta_E / beta +- 1: 2 theta_E / beta in all
    # (a 0.03" source, sampled finely enough: 16 x 16 sub-pixels where its images fall).
    theta_e = 1.5
    scene = one_scene(theta_e=theta_e, mass_q=1.0, shear_gamma1=0.0, shear_gamma2=0.0, source_x=offset * theta_e,
                      source_y=0.0, source_r_eff=0.03, source_n=1.0, source_q=1.0)
    _, blue = scene_light(scene, 0, LensSurvey(supersampling=16))
    assert blue.sum() == pytest.approx(2 / offset, rel=0.01)


def test_unlensed_sersic_flux_within_a_radius_matches_the_analytic_profile():
    # L(<R) / L = P(2n, b_n (R / R_e)^(1/n)), with b_n defined by P(2n, b_n) = 1/2 (Graham & Driver 2005).
    n, r_eff = 4.0, 1.0
    scene = one_scene("galaxy", lens_n=n, lens_r_eff=r_eff, lens_q=1.0)
    red, _ = scene_light(scene, 0)
    b_n = brentq(lambda b: gammainc(2 * n, b) - 0.5, 0.1, 20)
    r = radii()
    for radius in (0.5, 2.0, 6.0):
        expected = gammainc(2 * n, b_n * (radius / r_eff) ** (1 / n))
        assert red[r <= radius].sum() == pytest.approx(expected, rel=0.03, abs=0.01)


def test_ring_galaxy_peaks_at_its_ring_radius_and_is_dark_in_the_middle():
    scene = one_scene("ring", ring_radius=3.0, ring_q=1.0, source_x=0.0, source_y=0.0)
    _, blue = scene_light(scene, 0)
    r = radii()
    shells = np.arange(0.0, 6.0, PIXEL)
    profile = np.array([blue[(r >= a) & (r < a + PIXEL)].mean() for a in shells])
    assert abs(shells[np.argmax(profile)] + PIXEL / 2 - 3.0) <= PIXEL
    assert blue[r < 0.3].mean() < 0.05 * profile.max()
    assert blue.sum() == pytest.approx(1.0, rel=0.02)


def test_sky_noise_follows_the_bands_exposure_sky_and_read_noise():
    # A scene too faint to see: what is left is sky and read noise, whose level follows from the band's numbers:
    # sigma = sqrt(sky e-/s per pixel * t + n_exp * read_noise^2) / t, with sky = 10^(-0.4 (mu - ZP)) * pixel^2.
    scenes = one_scene("galaxy", **{f"{part}_mag_{b}": 40.0 for part in ("lens", "source") for b in "ugri"})
    image = render_scenes(scenes, seed=3)[0]
    from mmlab.signals.lens_images import _SceneRenderer

    renderer = _SceneRenderer(KIDS)
    for b, band in enumerate(KIDS.bands):
        total = band.exposure_time * band.num_exposures
        sky = 10 ** (-0.4 * (band.sky_brightness - band.zero_point)) * PIXEL**2
        expected = np.sqrt(sky * total + band.num_exposures * band.read_noise**2) / total
        assert renderer.background[b] == pytest.approx(expected, rel=1e-6)
        assert image[..., b].std() == pytest.approx(1.0, rel=0.03)
        assert abs(image[..., b].mean()) < 0.05


def test_same_seed_same_cutouts_and_parameters():
    first = draw_scenes(5, seed=7)
    again = draw_scenes(5, seed=7)
    assert all(np.array_equal(first[name], again[name]) for name in SCENE_COLUMNS)
    assert np.array_equal(render_scenes(first, seed=8), render_scenes(again, seed=8))
    assert not np.array_equal(render_scenes(first, seed=8), render_scenes(first, seed=9))


def test_scene_kinds_follow_their_shares_and_only_lenses_are_labelled():
    population = LensPopulation()
    table = draw_scenes(20000, population, seed=4)
    assert np.array_equal(table["label"], (table["kind"] == 0).astype(int))
    for k, share in enumerate(population.kind_fractions):
        measured = np.mean(table["kind"] == k)
        assert abs(measured - share) < 4 * np.sqrt(share * (1 - share) / 20000)
    assert np.all((table["source_mag_r"] == NO_LIGHT) == (table["kind"] == 1))  # lone galaxies: no blue light
    assert abs(np.mean(table["field_mag_r"] < NO_LIGHT) - population.field_fraction) < 0.02
    lens = table["kind"] == 0
    assert np.all(np.hypot(table["source_x"], table["source_y"])[lens] <= 0.5 * table["theta_e"][lens] + 1e-12)
    low, high = population.theta_e_range
    assert low <= table["theta_e"].min() and table["theta_e"].max() <= high


def test_lens_dataset_is_cached_and_split_into_views(tmp_path):
    config = LensConfig(n_train=6, n_validation=2, n_test=3, seed=5)
    built = LensDataset.load(config, tmp_path, progress=False)
    read = LensDataset.read(config, tmp_path)
    assert np.array_equal(built.images, read.images)
    assert built.images.shape == (11, 101, 101, 4) and built.images.dtype == np.float16
    rng = np.random.default_rng(5)  # the build's draws, in its order: scenes, then noise
    direct = render_scenes(draw_scenes(11, config.population, rng), config.survey, rng)
    assert np.allclose(built.images, direct, rtol=1e-3, atol=1e-3)  # float16 storage loses nothing that matters
    test = read.part("test")
    assert test["images"].shape[0] == 3 and np.shares_memory(test["images"], read.images)
    assert np.array_equal(test["theta_e"], read.scenes["theta_e"][8:])


@pytest.mark.parametrize(("column", "value", "message"), [
    ("theta_e", np.nan, "theta_e must be finite"),
    ("theta_e", -1.0, "theta_e must lie in"),
    ("source_q", 1.5, "source_q must lie in"),
    ("kind", 7, "kind must be a code"),
])
def test_bad_scene_parameters_are_refused_naming_the_scene_and_value(column, value, message):
    table = draw_scenes(3, seed=1)
    table[column] = table[column].astype(float)
    table[column][1] = value
    with pytest.raises(ValueError, match=f"scene 1.*{message}"):
        render_scenes(table)


def test_bad_tables_and_configurations_are_refused():
    table = draw_scenes(2, seed=1)
    del table["theta_e"]
    with pytest.raises(ValueError, match=r"lacks the columns \['theta_e'\]"):
        render_scenes(table)
    with pytest.raises(ValueError, match="n_pixels must be odd"):
        LensSurvey(n_pixels=100)
    with pytest.raises(ValueError, match="kind_fractions must be 4 non-negative shares"):
        LensPopulation(kind_fractions=(0.5, 0.5, 0.5, 0.0))
    with pytest.raises(ValueError, match="kinds must be 2 codes"):
        draw_scenes(2, kinds=np.array([0, 9]))
    with pytest.raises(ValueError, match="non-finite pixels .*image 0"):
        stretch(np.full((1, 5, 5, 4), np.nan, dtype=np.float32))
    with pytest.raises(ValueError, match="images must be"):
        stretch(np.zeros((5, 5, 4)))


def test_recall_at_zero_false_positives_against_a_direct_count():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 2, 500)
    scores = rng.normal(labels * 2.0, 1.0)
    loudest_negative = max(s for s, label in zip(scores, labels, strict=True) if label == 0)
    direct = sum(s > loudest_negative for s, label in zip(scores, labels, strict=True) if label == 1) / labels.sum()
    assert tpr_at_zero_fp(scores, labels) == pytest.approx(direct)
    with pytest.raises(ValueError, match="both classes"):
        tpr_at_zero_fp([0.1, 0.2], [1, 1])


def test_annulus_fraction_of_a_uniform_map_is_the_annulus_area_share():
    n = 201
    heat = np.ones((2, n, n))
    theta = np.array([2.0, 4.0])
    shares = annulus_fraction(heat, theta, 0.1, half_width=0.5)
    # Annulus |r - theta| <= max(theta / 2, 0.5): areas pi ((1.5 theta)^2 - (0.5 theta)^2) = 2 pi theta^2.
    expected = 2 * np.pi * theta**2 / (n * 0.1) ** 2
    assert shares == pytest.approx(expected, rel=0.02)
    ring = np.zeros((1, n, n))
    ring[0][np.abs(radii(n) / PIXEL * 0.1 - 2.0) < 0.3] = 1.0
    assert annulus_fraction(ring, [2.0], 0.1)[0] == pytest.approx(1.0)
    assert np.isnan(annulus_fraction(np.zeros((1, n, n)), [2.0], 0.1)[0])


def test_least_confidence_margin_and_entropy_rank_alike_for_two_classes():
    p = np.random.default_rng(1).random(1000)
    probabilities = np.stack([1 - p, p], axis=1)
    orders = [np.argsort(-query_scores(s, probabilities), kind="stable") for s in ("uncertainty", "margin", "entropy")]
    assert np.array_equal(orders[0], orders[1]) and np.array_equal(orders[0], orders[2])


def test_a_star_like_source_has_each_bands_seeing_as_its_fwhm():
    # A bright, tiny blue source alone: its second moment gives sigma = FWHM / 2.3548 in every band, in the rendered
    # cutout and in its noiseless light through the band's seeing (scene_light), which also keeps its flux.
    values = {f"lens_mag_{b}": 40.0 for b in "ugri"} | {f"source_mag_{b}": 12.0 for b in "ugri"}
    scene = one_scene("galaxy", source_x=0.0, source_y=0.0, source_r_eff=0.01, seeing_factor=1.2, **values)
    image = render_scenes(scene, seed=2)[0]
    r2 = radii() ** 2
    for b, band in enumerate(KIDS.bands):
        _, seen = scene_light(scene, 0, band=band.name)
        for light in (image[..., b] * (r2 < 3.0**2), seen):
            fwhm = np.sqrt((light * r2).sum() / light.sum() / 2) * 2.3548
            assert fwhm == pytest.approx(1.2 * band.seeing, rel=0.05)
        assert seen.sum() == pytest.approx(scene_light(scene, 0)[1].sum(), rel=1e-3)
    with pytest.raises(ValueError, match="band must be one of the survey's"):
        scene_light(scene, 0, band="z")


def test_at_cam_resolution_is_the_mean_over_each_cell():
    from mmlab.ml.images import at_cam_resolution

    rng = np.random.default_rng(6)
    maps = rng.random((3, 100, 100)).astype(np.float32)
    # 4 x 4 pixel cells: their block means, brought back by scipy's linear zoom on the same half-pixel grid.
    cells = maps.reshape(3, 25, 4, 25, 4).mean(axis=(2, 4))
    expected = np.stack([zoom(c, 4, order=1, grid_mode=True, mode="nearest") for c in cells])
    assert np.allclose(at_cam_resolution(maps, (25, 25)), expected, atol=1e-6)
    assert np.allclose(at_cam_resolution(np.full((1, 101, 101), 0.3), (25, 25)), 0.3, atol=1e-6)
    with pytest.raises(ValueError, match="no finer than their pixels"):
        at_cam_resolution(maps, (200, 25))


def blob_images(n: int, rng: np.random.Generator, size: int = 33) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Noise images, half with a bright 3x3 blob at a random place: the images, labels and blob centres."""
    images = rng.standard_normal((n, size, size, 1)).astype(np.float32)
    labels = np.arange(n) % 2
    centres = rng.integers(5, size - 5, (n, 2))
    for i in np.flatnonzero(labels):
        y, x = centres[i]
        images[i, y - 1:y + 2, x - 1:x + 2, 0] += 3.0
    return images, labels, centres


def test_grad_cam_points_at_what_makes_the_class():
    from mmlab.ml.images import build_image_cnn, grad_cam
    from mmlab.ml.training import NetworkClassifier

    seed_everything(0)  # the weights' start, whatever ran before in this pytest worker
    rng = np.random.default_rng(0)
    images, labels, centres = blob_images(800, rng)
    classifier = NetworkClassifier(lambda: build_image_cnn((33, 33, 1), filters=(8, 16, 32), augment=False),
                                   epochs=6).fit(images[:600], labels[:600])
    probabilities = classifier.predict_proba(images[600:])
    assert probabilities.shape == (200, 2) and np.allclose(probabilities.sum(axis=1), 1, atol=1e-5)
    assert np.mean((probabilities[:, 1] > 0.5) == labels[600:]) > 0.9
    positives = 600 + np.flatnonzero(labels[600:] == 1)
    heat = grad_cam(classifier.model_, images[positives])
    y, x = np.indices((33, 33))
    near = [(heat[k] * (np.hypot(y - centres[i][0], x - centres[i][1]) <= 5)).sum() / heat[k].sum()
            for k, i in enumerate(positives)]
    hottest = [np.unravel_index(np.argmax(heat[k]), (33, 33)) for k in range(len(positives))]
    on_blob = [np.hypot(*np.subtract(spot, centres[i])) <= 5 for spot, i in zip(hottest, positives, strict=True)]
    # The blob's disc is 7 % of the image: a map blind to it would put that share of its heat there, and its
    # hottest pixel there 7 % of the time (the maps are 8 x 8 cells of 4 px, so the heat spreads over a cell).
    assert np.median(near) > 0.25
    assert np.mean(on_blob) > 0.8


def test_augmentation_acts_only_while_training_and_the_transformer_saves(tmp_path):
    from mmlab.core.config import import_keras
    from mmlab.ml.images import augmentation, build_image_transformer

    keras = import_keras()
    images = np.random.default_rng(2).standard_normal((4, 33, 33, 4)).astype(np.float32)
    layers = augmentation(seed=3)
    assert [type(layer).__name__ for layer in layers.layers] == ["RandomFlip", "RandomRotation", "RandomZoom",
                                                                 "GaussianNoise"]
    assert np.array_equal(np.asarray(layers(images, training=False)), images)
    assert not np.allclose(np.asarray(layers(images, training=True)), images)
    model = build_image_transformer((33, 33, 4), filters=(8, 16, 16), heads=2, blocks=1)
    path = tmp_path / "attention.keras"
    model.save(path)
    again = keras.models.load_model(path)
    assert np.allclose(np.asarray(again(images, training=False)), np.asarray(model(images, training=False)), atol=1e-6)


def test_augmentation_keeps_the_sky_noise_level():
    """Rotated and zoomed cutouts keep their pixel noise: a network trained on them sees the test images' noise.

    Bilinear resampling averages neighbouring pixels, which lowers white noise's standard deviation to about 0.67
    (rotation), 0.70 (zoom) and 0.51 (both, as this test measured before the fix): a network trained on it then
    misjudges the unsmoothed test cutouts (see :func:`mmlab.ml.images.augmentation`). Nearest-neighbour
    resampling only moves pixels.
    """
    from mmlab.ml.images import augmentation

    sky = np.random.default_rng(4).standard_normal((32, 101, 101, 4)).astype(np.float32)
    layers = augmentation(flips=False, noise=0.0, seed=5)
    augmented = np.asarray(layers(sky, training=True))[:, 20:81, 20:81]  # away from the reflected corners
    assert augmented.std() == pytest.approx(1.0, abs=0.02)
    assert not np.allclose(augmented, sky[:, 20:81, 20:81])


def test_grad_cam_refuses_wrong_images_and_layers():
    from mmlab.ml.images import build_image_cnn, grad_cam

    model = build_image_cnn((33, 33, 4), filters=(8, 16, 16), augment=False)
    with pytest.raises(ValueError, match=r"takes images of shape \(33, 33, 4\), got \(33, 33, 3\)"):
        grad_cam(model, np.zeros((2, 33, 33, 3)))
    with pytest.raises(ValueError, match="has no layer 'nope'"):
        grad_cam(model, np.zeros((2, 33, 33, 4)), layer="nope")
    with pytest.raises(ValueError, match="class_index must be in"):
        grad_cam(model, np.zeros((2, 33, 33, 4)), class_index=2)
    assert grad_cam(model, np.zeros((0, 33, 33, 4))).shape == (0, 33, 33)  # no true positive to explain


def test_label_fraction_is_the_first_evaluation_that_reaches_the_target():
    from mmlab.ml.active import LearningCurve
    from mmlab.studies.lensing import label_fraction_to_reach

    curve = LearningCurve(np.array([20, 60, 100, 140]), {"auroc": np.array([0.7, 0.85, 0.91, 0.9])}, np.arange(140))
    assert label_fraction_to_reach(curve, 0.9, 400) == pytest.approx(0.25)
    assert label_fraction_to_reach(curve, 0.95, 400) == 1.0
    # Several runs: the median crosses where the middle run does, not where the luckiest one does.
    runs = [LearningCurve(curve.n_labels, {"auroc": curve.metrics["auroc"] + shift}, curve.queried)
            for shift in (0.06, 0.0, -0.1)]
    assert label_fraction_to_reach(runs, 0.9, 400) == pytest.approx(0.25)
    with pytest.raises(ValueError, match="same label counts"):
        label_fraction_to_reach([curve, LearningCurve(curve.n_labels[:2], {"auroc": curve.metrics["auroc"][:2]},
                                                      curve.queried)], 0.9, 400)


def test_lens_browser_steps_through_found_and_missed_lenses():
    from mmlab.studies.lensing.widgets import lens_browser

    table = draw_scenes(6, seed=3, kinds=np.array([0, 0, 0, 1, 2, 3]))
    images = render_scenes(table, seed=4)
    scores = np.array([0.9, 0.8, 0.1, 0.95, 0.2, 0.3])
    box = lens_browser(images, table, scores, np.zeros(images.shape[:3]), threshold=0.5)
    (group, position), status, view = box.children[0].children, box.children[1], box.children[2]
    assert group.options[0] == "found lenses (2)" and group.options[2] == "false positives (1)"
    assert "test cutout 0" in status.value and "lens" in status.value
    position.value = 1
    assert "test cutout 1" in status.value
    group.index = 1  # missed lenses: one
    assert position.max == 0 and "test cutout 2" in status.value and "P(lens) = 0.100" in status.value
    group.index = 2
    assert "test cutout 3" in status.value and "galaxy" in status.value
    assert len(view.figure.data) == 2  # the colour cutout and its Grad-CAM map
    with pytest.raises(ValueError, match="one image, scene and map per score"):
        lens_browser(images[:3], table, scores, np.zeros(images.shape[:3]), 0.5)


def test_colour_image_is_astropys_lupton_picture_and_quiet_on_empty_sky():
    from astropy.visualization import make_lupton_rgb

    from mmlab.studies.lensing.plots import colour_image

    image = np.random.default_rng(3).normal(0.0, 1.0, (8, 8, 4))
    image[:2] = 0.0  # empty sky in every band: zero intensity
    with np.errstate(all="raise"):  # what the notebook's warning was: 0/0 on those pixels
        picture = colour_image(image)
    with np.errstate(invalid="ignore"):
        expected = make_lupton_rgb(image[..., 3], image[..., 2], image[..., 1], minimum=0.0, stretch=30.0, Q=8.0)
    np.testing.assert_array_equal(picture, expected)
    assert picture.dtype == np.uint8 and not picture[:2].any()
