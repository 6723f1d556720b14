"""Optical transients: light curves, loaders on the mirror, features, active learning, kilonovae, anomalies."""

import numpy as np
import pytest

from mmlab.core.cache import DataFileError
from mmlab.core.photometry import (
    ZERO_POINT,
    LightCurveError,
    flux_to_mag,
    mag_to_flux,
    make_light_curve,
)
from mmlab.io.plasticc import load_plasticc
from mmlab.io.possis import load_possis_grid
from mmlab.io.ztf import load_fink_alerts, load_ztf_tns, read_fink_alerts
from mmlab.ml.active import ActiveLearner, query_scores, run_active_learning
from mmlab.studies.transients import (
    KILONOVA_FEATURES,
    SNIA_FEATURES,
    anomalies_found,
    extreme_families,
    feature_matrix,
    kilonova_features,
    pca_basis,
    pca_features,
    precision_recall_at,
    random_forest,
    snia_feature_matrix,
    snia_features,
    snia_metrics,
    snia_metrics_interval,
    variability_names,
)


def curve(**changes):
    columns = {"time": [1.0, 2.0, 3.0], "band": ["ztfg", "ztfr", "ztfg"], "flux": [10.0, 20.0, 30.0],
               "flux_err": [1.0, 1.0, 1.0]}
    columns.update(changes)
    return make_light_curve("ZTFtest", **columns)


def test_magnitudes_and_flux_densities_follow_the_ab_system():
    import astropy.units as u

    # 1 FLUXCAL is AB magnitude 27.5; astropy's AB zero point (3631 Jy) gives its flux density.
    assert mag_to_flux(ZERO_POINT) == pytest.approx(1.0)
    lc = curve(flux=[1.0, 10.0, 100.0])
    expected = (ZERO_POINT * u.ABmag).to(u.uJy).value * np.array([1.0, 10.0, 100.0])
    np.testing.assert_allclose(lc.flux_density().to_value(u.uJy), expected, rtol=1e-12)
    np.testing.assert_allclose(lc.mag, [27.5, 25.0, 22.5])
    np.testing.assert_allclose(flux_to_mag(mag_to_flux([18.3, 21.7])), [18.3, 21.7])
    flux, err = mag_to_flux(20.0, 0.1)
    assert err / flux == pytest.approx(0.4 * np.log(10) * 0.1)


@pytest.mark.parametrize(("changes", "message"), [
    ({"time": [1.0, np.nan, 3.0]}, "time must be finite, got nan at point 1"),
    ({"flux_err": [1.0, -0.5, 1.0]}, "flux_err must be >= 0, got -0.5"),
    ({"band": ["ztfg", "Hband", "ztfg"]}, "unknown band 'Hband'"),
    ({"time": [1.0, 3.0, 1.0]}, "two points at MJD 1.0 in band 'ztfg'"),
    ({"time": [], "band": [], "flux": [], "flux_err": []}, "at least one point"),
    ({"flux": [1.0, 2.0]}, "one value per point"),
])
def test_bad_light_curves_are_refused_naming_the_object_and_value(changes, message):
    with pytest.raises(LightCurveError, match="ZTFtest") as error:
        curve(**changes)
    assert message in str(error.value)


def test_unsorted_points_are_sorted_and_read_only():
    lc = curve(time=[3.0, 1.0, 2.0])
    np.testing.assert_array_equal(lc.time, [1.0, 2.0, 3.0])
    np.testing.assert_array_equal(lc.flux, [20.0, 30.0, 10.0])
    with pytest.raises(ValueError):
        lc.flux[0] = 1.0


def test_early_window_and_too_short_light_curves():
    lc = curve(time=[0.0, 10.0, 40.0])
    assert len(lc.early(30.0)) == 2
    with pytest.raises(LightCurveError, match="positive days"):
        lc.early(0)
    single = curve(time=[1.0], band=["ztfg"], flux=[5.0], flux_err=[1.0])
    with pytest.raises(LightCurveError, match="at least 2 detections, got 1"):
        snia_features(single)
    matrix, kept = feature_matrix([single, curve()], snia_features)
    assert kept.tolist() == [1] and matrix.shape == (1, len(SNIA_FEATURES))


def test_ztf_tns_loader_reads_the_labelled_set():
    curves, labels = load_ztf_tns()
    # The data README: 2,146 objects, 89,178 detections, 964 SN Ia.
    assert len(curves) == 2146
    assert sum(len(c) for c in curves) == 89178
    assert sum(c.meta["is_snia"] for c in curves) == 964
    assert set(np.concatenate([c.band for c in curves])) == {"ztfg", "ztfr"}
    assert labels.meta["skipped"]["objects without photometry"] == 0


def test_fink_alerts_carry_history_upper_limits_and_scores(tmp_path):
    import pandas as pd

    curves, scores = load_fink_alerts()
    assert len(curves) == len(scores) == 141  # 67 + 74 alerts in the two scored files
    assert all(c.upper_limit.any() or len(c) == 1 for c in curves[:10])
    assert np.all((scores["rf_snia_vs_nonia"] >= 0) & (scores["rf_snia_vs_nonia"] <= 1))
    # An alert file without a history column is refused by name.
    source = next(p for p in __import__("mmlab.core.config", fromlist=["x"]).search_folders("ztf")
                  if (p / "alerts.parquet").is_file()) / "alerts.parquet"
    pd.read_parquet(source).drop(columns=["prv_candidates"]).to_parquet(tmp_path / "broken.parquet")
    with pytest.raises(DataFileError, match=r"missing alert columns \['prv_candidates'\]"):
        read_fink_alerts(tmp_path / "broken.parquet")


def test_plasticc_and_possis_loaders():
    curves, _ = load_plasticc()
    assert len(curves) == 7848 and sum(c.meta["class_name"] == "KN" for c in curves) == 102
    models = load_possis_grid()
    assert len(models) == 56
    model = models[0]
    assert model.flux.shape == (100, 500) and model.phase[0] == pytest.approx(0.1)


def test_snia_metrics_against_counts_and_sklearn():
    from sklearn.metrics import precision_score, recall_score

    rng = np.random.default_rng(1)
    truth = rng.random(500) < 0.4
    p = np.clip(truth * 0.3 + rng.random(500) * 0.7, 0, 1)
    m = snia_metrics(truth, p)
    assert m["efficiency"] == pytest.approx(recall_score(truth, p > 0.5))
    assert m["purity"] == pytest.approx(precision_score(truth, p > 0.5))
    tp, fp = np.sum((p > 0.5) & truth), np.sum((p > 0.5) & ~truth)
    assert m["fom"] == pytest.approx(m["efficiency"] * tp / (tp + 3 * fp))
    value, low, high = snia_metrics_interval(truth, p, n_bootstrap=200)["fom"]
    assert low < value < high


def test_query_strategies_pick_the_most_ambiguous():
    p = np.array([[0.95, 0.05], [0.55, 0.45], [0.7, 0.3]])
    for strategy in ("uncertainty", "margin", "entropy"):
        assert int(np.argmax(query_scores(strategy, p))) == 1
    votes = np.array([[0, 0, 0], [0, 1, 0], [0, 1, 1], [0, 0, 1]])  # members × objects
    assert query_scores("qbc", p, votes).tolist()[0] == 0.0
    with pytest.raises(ValueError, match="strategy must be one of"):
        query_scores("greedy", p)


def test_active_learning_beats_random_on_a_separable_pool():
    # Two Gaussian classes, the boundary hidden in a big pool: uncertainty sampling
    # labels points near it and should reach a higher FoM than random with 30 labels.
    rng = np.random.default_rng(0)
    x = rng.normal(size=(1200, 2))
    y = (x[:, 0] + 0.3 * x[:, 1] > 0.8).astype(int)
    pool, test, pool_y, test_y = x[:800], x[800:], y[:800], y[800:]

    def score(labels, proba):
        return snia_metrics(labels, proba[:, 1])

    finals = {s: np.median([run_active_learning(pool, pool_y, test, test_y, s, lambda: random_forest(20, 0), score,
                                                n_seed=10, n_queries=30, batch_size=5, seed=k).metrics["fom"][-1]
                            for k in range(5)]) for s in ("random", "uncertainty")}
    assert finals["uncertainty"] > finals["random"]


def test_active_learner_refuses_bad_labels_and_a_missing_class():
    learner = ActiveLearner(np.zeros((5, 2)), lambda: random_forest(5), "margin", (0, 1))
    learner.teach(0, 1)
    with pytest.raises(ValueError, match=r"no labelled example of classes \[0\]"):
        learner.fit()
    with pytest.raises(ValueError, match="label must be one of"):
        learner.teach(1, 7)
    with pytest.raises(IndexError, match="pool index"):
        learner.teach(9, 0)


def test_kilonova_features_measure_fading():
    # A source fading by 0.5 mag/day in g and r, seen every day: the fade rate is 0.5.
    days = np.arange(8.0)
    mag = 18.0 + 0.5 * days
    flux = mag_to_flux(np.r_[mag, mag])
    lc = make_light_curve("KNtest", np.r_[days, days + 0.1], ["ztfg"] * 8 + ["ztfr"] * 8, flux, flux * 0.01)
    values = dict(zip(KILONOVA_FEATURES, kilonova_features(lc), strict=True))
    assert values["g_fade_rate"] == pytest.approx(0.5, rel=1e-6)
    assert values["r_fade_rate"] == pytest.approx(0.5, rel=1e-6)
    assert values["g_duration"] == pytest.approx(7.0)


def test_precision_at_recall_against_sklearn():
    from sklearn.metrics import precision_score, recall_score

    rng = np.random.default_rng(2)
    truth = rng.random(400) < 0.3
    score = truth * 0.4 + rng.random(400)
    precision, recall, threshold = precision_recall_at(truth, score, 0.7)
    assert recall >= 0.7
    assert precision == pytest.approx(precision_score(truth, score >= threshold))
    assert recall == pytest.approx(recall_score(truth, score >= threshold))


def test_active_anomaly_detection_finds_planted_anomalies_faster():
    # Anomalies that are unusual only in one of ten features, hidden among regular objects that are
    # unusual in others: the isolation forest mixes them up, the expert-guided AADForest learns which.
    rng = np.random.default_rng(3)
    regular = rng.normal(size=(1500, 10))
    regular[:150, 1:] *= 4.0  # scattered but regular
    anomalies = rng.normal(size=(30, 10))
    anomalies[:, 0] += 4.0
    features = np.vstack([regular, anomalies])
    truth = np.r_[np.zeros(1500, bool), np.ones(30, bool)]
    static = anomalies_found(features, truth, "IsolationForest", 60)
    guided = anomalies_found(features, truth, "AADForest", 60)
    assert guided[-1] > static[-1]
    with pytest.raises(ValueError, match="finite"):
        anomalies_found(np.full((5, 2), np.nan), np.zeros(5, bool), "AADForest", 2)


def test_batched_snia_features_match_a_per_curve_numpy_reference():
    import light_curve as lc

    curves, _ = load_ztf_tns()
    early = [c.early(30.0) for c in curves[:300] if len(c.detections)]
    batched, kept = snia_feature_matrix(early)
    assert kept.tolist() == [i for i, c in enumerate(early) if len(c.detections) >= 2]
    names = list(SNIA_FEATURES)
    bazin = lc.Extractor(lc.Amplitude(), lc.StandardDeviation(), lc.BazinFit("lmsder"))
    for row, i in enumerate(kept[:120]):
        d = early[i].detections
        for band, tag in (("ztfg", "g"), ("ztfr", "r")):
            t, f, e = d.band_points(band)
            got = dict(zip(names, batched[row], strict=True))
            if t.size < 2:
                assert np.isnan(got[f"{tag}_snratio"])
                continue
            e = np.maximum(e, 1e-3)
            m = 27.5 - 2.5 * np.log10(f)
            assert got[f"{tag}_snratio"] == pytest.approx(np.mean(f / e))
            assert got[f"{tag}_nrise"] == np.argmax(f) + 1
            assert got[f"{tag}_peak_mag"] == pytest.approx(m.min())
            assert got[f"{tag}_duration"] == pytest.approx(t[-1] - t[0])
            if t.size >= 3:  # weighted least squares in magnitude, as numpy does it
                slope = np.polyfit(t, m, 1, w=1 / (1.0857 * e / f))[0]
                assert got[f"{tag}_mag_slope"] == pytest.approx(slope, rel=1e-6, abs=1e-9)
            reference = bazin(t, f, e, sorted=True, check=False, fill_value=np.nan)
            np.testing.assert_allclose(got[f"{tag}_amplitude"], reference[0])
            np.testing.assert_allclose(got[f"{tag}_bazin_rise"], reference[5], equal_nan=True)

    # A curve fitted by light-curve's Bazin function recovers the parameters it was made with.
    t = np.linspace(0, 30, 25)
    flux = 1000 * np.exp(-(t - 10) / 20) / (1 + np.exp(-(t - 10) / 3)) + 50
    lc = make_light_curve("bazin", t, ["ztfg"] * 25, flux, np.full(25, 1.0))
    values = dict(zip(SNIA_FEATURES, snia_features(lc), strict=True))
    assert values["g_bazin_rise"] == pytest.approx(3.0, rel=1e-3)
    assert values["g_bazin_fall"] == pytest.approx(20.0, rel=1e-3)
    assert np.isnan(values["r_bazin_rise"]) and np.isnan(values["color_gr"])


def test_transductive_scoring_uses_the_unlabelled_pool():
    rng = np.random.default_rng(4)
    x = rng.normal(size=(300, 2))
    y = (x[:, 0] > 0).astype(int)
    seen = []

    def score(labels, proba):
        seen.append(len(labels))
        return snia_metrics(labels, proba[:, 1])

    run_active_learning(x, y, None, None, "margin", lambda: random_forest(5, 0), score, n_seed=10, n_queries=20,
                        batch_size=10, evaluate_every=10, seed=0)
    assert seen == [290, 280, 270]
    with pytest.raises(ValueError, match="both test and test_labels"):
        run_active_learning(x, y, x, None, "margin", lambda: random_forest(5, 0), score)


def test_pca_basis_reproduces_the_light_curves_it_was_fitted_on():
    # Light curves that are mixtures of two shapes: a 3-component basis fits them to the noise level.
    days = np.arange(0.0, 20.0, 1.0)
    shapes = np.stack([np.exp(-days / 2.0), np.exp(-days / 8.0)])
    curves = []
    rng = np.random.default_rng(5)
    for k in range(40):
        w = rng.uniform(0.2, 1.0, 2)
        flux = 1000 * (w @ shapes)
        curves.append(make_light_curve(f"kn{k}", np.r_[days, days + 0.1], ["ztfg"] * 20 + ["ztfr"] * 20,
                                       np.r_[flux, flux], np.full(40, 1.0)))
    basis = pca_basis(curves, 3)
    values = pca_features(curves[0], basis)
    assert values.shape == (10,)
    assert values[3] < 0.02 and values[4] == pytest.approx(curves[0].flux.max())


def test_extreme_families_name_the_shifted_feature():
    rng = np.random.default_rng(6)
    names = variability_names(["lsstg"])
    population = rng.normal(size=(500, len(names)))
    outlier = np.zeros((1, len(names)))
    outlier[0, names.index("lsstg_timescale:eta_e")] = 12.0
    assert extreme_families(outlier, names, population) == ["timescale"]


def test_oracle_widget_refits_on_each_answer_and_redraws():
    from mmlab.studies.transients.widgets import oracle_widget

    rng = np.random.default_rng(7)
    pool = rng.normal(size=(40, 3))
    labels = (pool[:, 0] > 0).astype(int)
    curves = [make_light_curve(f"obj{k}", [0.0, 1.0, 2.0], ["ztfg", "ztfr", "ztfg"], [10.0 + k, 12.0, 11.0],
                               [1.0, 1.0, 1.0], meta={"tns_type": "SN Ia" if labels[k] else "SN II"})
              for k in range(40)]
    learner = ActiveLearner(pool, lambda: random_forest(10, 0), "uncertainty", (0, 1), seed=0)
    for k in (*np.flatnonzero(labels == 1)[:2], *np.flatnonzero(labels == 0)[:2]):
        learner.teach(int(k), int(labels[k]))
    box = oracle_widget(learner, curves, pool, labels)
    (yes, _no, skip), status, view = box.children[0].children, box.children[1], box.children[2]
    first = view.figure.layout.title.text
    assert "4 labels so far" in status.value
    yes.click()
    assert len(learner.labelled) == 5 and "5 labels so far" in status.value
    assert view.figure.layout.title.text != first
    skip.click()
    assert len(learner.labelled) == 5
    with pytest.raises(ValueError, match="one light curve per pool object"):
        oracle_widget(learner, curves[:3], pool, labels)


def test_plasticc_class_names_follow_the_release_codes(tmp_path, mirror):
    import pandas as pd

    from mmlab.io.plasticc import CLASS_NAMES, PLASTICC_FILES

    metadata = pd.read_csv(mirror / "plasticc" / PLASTICC_FILES[1])
    # The shipped names agree with the release's codes (Kessler et al. 2019) ...
    assert (metadata.target.map(CLASS_NAMES) == metadata.class_name).all()
    # ... so a metadata file without names (the release's own) reads the same.
    points = pd.read_csv(mirror / "plasticc" / PLASTICC_FILES[0], nrows=5000)
    kept = metadata[metadata.object_id.isin(points.object_id.unique())]
    points.to_csv(tmp_path / PLASTICC_FILES[0], index=False)
    kept.drop(columns=["class_name"]).to_csv(tmp_path / PLASTICC_FILES[1], index=False)
    curves, _ = load_plasticc(tmp_path)
    assert [c.meta["class_name"] for c in curves] == kept.class_name.tolist()
