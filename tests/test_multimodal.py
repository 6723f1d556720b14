"""GRB afterglows observed like Swift-XRT, the real GRB 090510, and the multimodal BNS data set."""

import json
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import stats

from mmlab.core.cache import DataFileError
from mmlab.core.cosmology import redshift_from_distance
from mmlab.core.validation import check_light_curve
from mmlab.io import load_swift_xrt, read_swift_xrt
from mmlab.signals.grb import (
    GRB090510_PROTOTYPE,
    GRB090510_REDSHIFT,
    Afterglow,
    XRTBins,
    chi2_per_dof,
    fit_afterglow,
    light_curve_features,
    observe_xrt,
    xrt_count_rate,
)
from mmlab.studies.multimodal.datasets import (
    PopulationConfig,
    draw_population,
    gw_map,
    gw_response,
    load_multimodal_dataset,
)
from mmlab.studies.multimodal.evaluation import interval_coverage, redshift_scatter, sigma_scale

TIMES = np.geomspace(100, 1e6, 12)


def test_count_rate_scales_as_inverse_distance_squared_and_integrates_the_band():
    afterglow = Afterglow(e_iso=1e52, n0=1e-2, theta_core=0.1, p=2.2, epsilon_b=1e-3)
    near = xrt_count_rate(TIMES, afterglow, 100.0, 0.02)
    assert_allclose(xrt_count_rate(TIMES, afterglow, 200.0, 0.02), near / 4, rtol=1e-9)
    # Five frequencies across 0.3-10 keV (power law between them) integrate the spectrum to 2.5 % of 41.
    assert_allclose(near, xrt_count_rate(TIMES, afterglow, 100.0, 0.02, n_frequencies=41), rtol=0.025)
    assert np.all(np.diff(near) < 0)  # a decelerating forward shock fades
    with pytest.raises(ValueError, match="times must be a 1-D array of positive seconds"):
        xrt_count_rate([0.0, 10.0], afterglow, 100.0, 0.02)


def test_prototype_reproduces_grb090510(mirror):
    light_curve = load_swift_xrt("GRB 090510")
    assert light_curve.time.size == 73 and set(light_curve.mode) == {"WT", "PC"}
    assert np.all(np.diff(light_curve.time) > 0)
    from astropy.cosmology import Planck18

    distance = Planck18.luminosity_distance(GRB090510_REDSHIFT).to_value("Mpc")
    chi2 = chi2_per_dof(light_curve.time, light_curve.rate, light_curve.rate_error, GRB090510_PROTOTYPE, distance,
                        GRB090510_REDSHIFT, n_free=4)
    assert 1.0 < chi2 < 2.5
    # Ten times too little energy is far off; fitting E_iso alone brings it back.
    poor = GRB090510_PROTOTYPE.with_(e_iso=1.1e52)
    assert chi2_per_dof(light_curve.time, light_curve.rate, light_curve.rate_error, poor, distance,
                        GRB090510_REDSHIFT, n_free=1) > 10
    best, fitted = fit_afterglow(light_curve.time, light_curve.rate, light_curve.rate_error, poor, distance,
                                 GRB090510_REDSHIFT, free=("e_iso",))
    assert fitted < 2.5 and best.e_iso == pytest.approx(1.12e53, rel=0.3)
    with pytest.raises(ValueError, match=r"cannot fit \['p'\]"):
        fit_afterglow(light_curve.time, light_curve.rate, light_curve.rate_error, poor, distance, 0.9, free=("p",))


def test_every_mirrored_light_curve_loads(mirror):
    for path in sorted((mirror / "swift_xrt").glob("*/*.json")):
        light_curve = read_swift_xrt(path)
        assert light_curve.mode[0] == path.parent.name and np.all(light_curve.rate > 0)
    with pytest.raises(FileNotFoundError, match=r"no Swift-XRT light curve of 'GRB 170817A'.*'GRB 090510'"):
        load_swift_xrt("GRB 170817A")


@pytest.mark.parametrize(
    ("change", "message"),
    [(lambda t: t["Time"].update({"1": -5.0}), r"time must be finite and positive, got -5.0 at point 1"),
     (lambda t: t["Rate"].update({"0": float("nan")}), r"rate must be finite and positive, got nan at point 0"),
     (lambda t: t["Time"].update({"2": 1.0}), r"times must increase, but point 2 \(t = 1 s\)"),
     (lambda t: t.pop("RatePos"), "missing column or row 'RatePos'")],
)
def test_bad_light_curve_files_are_refused(tmp_path, change, message):
    table = {name: {str(k): v for k, v in enumerate(values)} for name, values in {
        "Time": [10.0, 20.0, 30.0], "TimePos": [1.0] * 3, "TimeNeg": [-1.0] * 3, "Rate": [5.0, 3.0, 2.0],
        "RatePos": [0.5] * 3, "RateNeg": [-0.5] * 3}.items()}
    change(table)
    path = tmp_path / "PC" / "GRB_000000.json"
    path.parent.mkdir()
    path.write_text(json.dumps(table))
    with pytest.raises(DataFileError, match=message):
        read_swift_xrt(path)
    path.write_text("{not json")
    with pytest.raises(DataFileError, match="not a JSON light curve"):
        read_swift_xrt(path)
    with pytest.raises(ValueError, match="times must increase"):
        check_light_curve([1.0, 1.0], [1.0, 1.0])


def test_observed_rates_are_unbiased_with_poisson_errors():
    bins = XRTBins(n_bins=8)
    expected = np.full(8, 0.05)
    draws = np.array([observe_xrt(expected, bins, seed=k)[0] for k in range(4000)])
    exposure = bins.exposures
    assert_allclose(draws.mean(axis=0), expected, rtol=0.05)
    assert_allclose(draws.std(axis=0), np.sqrt((0.05 + 3e-4) * exposure) / exposure, rtol=0.05)
    rate, error = observe_xrt(expected, bins, seed=0)
    features = light_curve_features(rate, error)
    assert features.shape == (8, 2) and features.dtype == np.float32
    with pytest.raises(ValueError, match="rates must be 8 finite non-negative counts/s"):
        observe_xrt(np.full(8, np.nan), bins)


def test_afterglow_parameters_are_checked():
    with pytest.raises(ValueError, match=r"theta_obs must lie in \[0.0, 1.57"):
        Afterglow(e_iso=1e52, n0=1.0, theta_obs=2.0)
    with pytest.raises(ValueError, match="n0 must be"):
        Afterglow(e_iso=1e52, n0=-1.0)


def test_population_follows_its_configuration():
    config = PopulationConfig(n_events=2000, seed=3)
    population = draw_population(config, seed=3)
    assert np.all((population["distance"] >= 1) & (population["distance"] <= 500))
    assert_allclose(population["redshift"], redshift_from_distance(population["distance"]))
    assert stats.kstest(population["distance"], "uniform", args=(1, 499)).pvalue > 0.01
    assert np.all(population["theta_obs"] <= population["theta_core"])  # every jet seen within its core
    with pytest.raises(ValueError, match=r"distance 600.0 Mpc is outside the population's range \[1, 500\] Mpc"):
        config.check_distance(600.0)
    with pytest.raises(ValueError, match="unknown detector 'X9'"):
        PopulationConfig(detector="X9")


def test_cosmological_population_is_uniform_in_comoving_volume():
    from astropy.cosmology import Planck18
    from scipy.integrate import quad

    config = PopulationConfig(n_events=4000, cosmological=True, z_max=1.0, seed=4)
    redshifts = draw_population(config, seed=4)["redshift"]

    def rate(z):
        return Planck18.differential_comoving_volume(z).value / (1 + z)

    total = quad(rate, 0, 1)[0]
    cdf = np.vectorize(lambda z: quad(rate, 0, z)[0] / total)
    assert stats.kstest(redshifts, cdf).pvalue > 0.01


def test_gw_map_keeps_loudness():
    config = PopulationConfig(n_events=10)
    event = {name: values[0] for name, values in draw_population(config, seed=5).items()}
    loudest = []
    for distance in (10.0, 40.0):
        event.update(distance=distance, redshift=float(redshift_from_distance(distance)))
        loudest.append(gw_map(event, config, seed=6).max())
    # Four times the distance: a sixteenth of the power (1.2 dex) where the signal dominates.
    assert loudest[0] - loudest[1] == pytest.approx(np.log10(16), abs=0.15)


def test_gw_response_is_the_antenna_amplitude():
    config = PopulationConfig(n_events=50)
    population = draw_population(config, seed=7)
    response = gw_response(population, config)
    assert np.all((response >= 0) & (response <= 1))
    face_on = dict(population, theta_obs=np.zeros(50))
    from mmlab.gw.detectors import antenna_pattern

    f_plus, f_cross = antenna_pattern("E1", population["ra"], population["dec"], population["psi"],
                                      config.gw_seconds + 3.0)
    assert_allclose(gw_response(face_on, config), np.hypot(f_plus, f_cross))


def test_data_set_is_reproducible_cached_and_rebuilt_when_damaged(tmp_path):
    config = PopulationConfig(n_events=12, seed=8)
    first = load_multimodal_dataset(config, tmp_path, progress=False)
    assert first.gw_maps.shape == (12, 64, 64) and first.light_curves.shape == (12, 32, 2)
    assert sorted(np.bincount(first.subset)) == [1, 1, 10]
    (arrays,) = tmp_path.glob("*.npz")
    digest = arrays.read_bytes()
    again = load_multimodal_dataset(config, tmp_path, progress=False)
    assert_allclose(again.gw_maps, first.gw_maps, atol=0)
    arrays.write_bytes(digest[:-10] + b"0" * 10)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        rebuilt = load_multimodal_dataset(config, tmp_path, progress=False)
    assert any("does not match the manifest" in str(w.message) for w in caught)
    assert arrays.read_bytes() == digest  # the same seed rebuilt the same bytes
    assert_allclose(rebuilt.light_curves, first.light_curves, atol=0)


def test_scatter_and_coverage_against_gaussian_draws():
    rng = np.random.default_rng(9)
    true = rng.uniform(0, 0.1, 20000)
    sigma = np.full(true.size, 0.01)
    predicted = true + rng.normal(0, 0.01, true.size)
    scatter = redshift_scatter(predicted, true, n_bootstrap=200)
    expected = np.std((predicted - true) / (1 + true), ddof=1)
    assert scatter["sigma"] == pytest.approx(expected) and scatter["sigma_low"] < expected < scatter["sigma_high"]
    levels = np.array([0.5, 0.683, 0.954])
    assert_allclose(interval_coverage(predicted, sigma, true, levels), levels, atol=0.01)
    assert sigma_scale(predicted, sigma / 2, true) == pytest.approx(2.0, rel=0.03)
    with pytest.raises(ValueError, match="one shape of at least 2"):
        redshift_scatter([0.1], [0.1])


def test_multimodal_models_take_their_inputs_by_name():
    from mmlab.ml.models import build_multimodal
    from mmlab.ml.training import fit_regressor, predict_mc

    gw_only = build_multimodal((64, 64, 1), None, output_scale=0.1)
    assert gw_only.name == "gw_only" and [t.name.split(":")[0] for t in gw_only.inputs] == ["gw_map"]
    both = build_multimodal(output_scale=0.1)
    assert both.name == "multimodal" and both.output_shape == (None, 1)
    rng = np.random.default_rng(10)
    data = {"gw_map": rng.normal(size=(20, 64, 64)), "light_curve": rng.normal(size=(20, 32, 2))}
    history = fit_regressor(both, data, rng.uniform(0, 0.1, 20), data, rng.uniform(0, 0.1, 20), epochs=1, verbose=0)
    assert len(history["loss"]) == 1
    mean, spread = predict_mc(both, data, n_samples=5)
    assert mean.shape == spread.shape == (20,) and np.all(spread > 0)  # dropout stays on
    with pytest.raises(ValueError, match="needs an input named 'light_curve'"):
        predict_mc(both, {"gw_map": data["gw_map"]})
    with pytest.raises(ValueError, match=r"takes gw_map of shape \(64, 64, 1\), got \(32, 32, 1\)"):
        predict_mc(gw_only, {"gw_map": np.zeros((2, 32, 32))})
    with pytest.raises(ValueError, match="at least one of gw_shape and light_curve_shape"):
        build_multimodal(None, None)


def test_shipped_multimodal_model_estimates_redshifts_of_new_events(tmp_path):
    """The full-profile network in the package, on 60 fresh events: far better than the population's spread."""
    from mmlab.ml.registry import load_pretrained
    from mmlab.ml.training import predict_mc

    model, _ = load_pretrained("multimodal/multimodal")
    dataset = load_multimodal_dataset(PopulationConfig(n_events=60, seed=123), tmp_path, progress=False)
    mean, _ = predict_mc(model, {"gw_map": dataset.gw_maps, "light_curve": dataset.light_curves}, n_samples=10)
    spread = np.std(dataset.redshift / (1 + dataset.redshift))
    sigma = redshift_scatter(mean, dataset.redshift)["sigma"]
    # The population's spread is 0.030; the full profile measured 0.0125 on its test set (60 events: +-10 %).
    assert sigma < 0.7 * spread and sigma < 0.02
