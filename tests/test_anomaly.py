"""Anomaly detection: window conditioning against analytic SNRs, scores, thresholds and bad input."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import signal, stats

from mmlab import Strain
from mmlab.core.statistics import false_alarm_rate
from mmlab.gw.inject import add_signal, detector_signal, scale_to_snr
from mmlab.gw.noise import colored_noise
from mmlab.signals import sine_gaussian
from mmlab.studies.anomaly.scores import (
    anomaly_scores,
    check_windows,
    detection_table,
    excess_power,
    rank_of_time,
    reconstruct,
)
from mmlab.studies.anomaly.windows import (
    WindowConfig,
    condition,
    injection_windows,
    simulated_noise_windows,
    sliding_windows,
)

CONFIG = WindowConfig()


def test_window_config_checks_and_card():
    assert CONFIG.samples == 512 and CONFIG.as_card() == {"sample_rate": 1024.0, "duration": 0.5, "band": [20.0, 350.0]}
    with pytest.raises(ValueError, match="whole number of at least 16 samples"):
        WindowConfig(duration=0.3337)
    with pytest.raises(ValueError, match=r"f_high < 512 Hz, got \(20.0, 600.0\)"):
        WindowConfig(band=(20.0, 600.0))


def test_conditioned_white_noise_keeps_the_band_fraction_of_its_variance():
    rng = np.random.default_rng(1)
    white = Strain(rng.normal(size=64 * 4096), t0=0.0, sample_rate=4096.0)
    conditioned = condition(white, CONFIG, psd=(np.array([0.0, 2048.0]), np.full(2, 2 / 4096)))
    assert conditioned.sample_rate == 1024.0
    # 5 % of 64 s plus 0.25 s dropped at each end.
    assert conditioned.t0 == pytest.approx(3.45, abs=1 / 1024)
    assert conditioned.duration == pytest.approx(64 - 6.9, abs=2 / 1024)
    # Unit-variance white noise through the forward-backward band-pass keeps ∫|H(f)|⁴ df / 2048 Hz of its
    # variance (about 309/2048: the Butterworth edges eat a little of the nominal 330 Hz).
    sos = signal.butter(8, CONFIG.band, btype="bandpass", fs=4096.0, output="sos")
    frequencies, response = signal.sosfreqz(sos, worN=2**16, fs=4096.0)
    kept = np.trapezoid(np.abs(response) ** 4, frequencies) / 2048
    assert conditioned.data.var() == pytest.approx(kept, rel=0.02)


def test_conditioned_sine_gaussian_keeps_its_optimal_snr():
    """An in-band transient at optimal SNR 1 (closed form) has whitened energy 1: 4 Σ s² at 1024 Hz from 4096 Hz."""
    glitch = detector_signal(sine_gaussian(f0=150.0, q=9.0, sample_rate=4096.0), "H1", 100.0)
    zeros = Strain(np.zeros(16 * 4096), t0=92.0, sample_rate=4096.0, detector="H1")
    conditioned = condition(add_signal(zeros, scale_to_snr(glitch, 1.0, "aLIGO")), CONFIG, psd="aLIGO")
    assert 4 * np.sum(conditioned.data ** 2) == pytest.approx(1.0, rel=0.03)


def test_conditioning_is_linear_so_windows_scale_with_snr():
    noise = colored_noise("aLIGO", 16.0, 4096.0, seed=3, detector="H1")
    glitch = scale_to_snr(detector_signal(sine_gaussian(f0=80.0, q=6.0, sample_rate=4096.0), "H1", 8.0), 1.0, "aLIGO")
    zeros = Strain(np.zeros(len(noise)), t0=noise.t0, sample_rate=noise.sample_rate, detector="H1")
    together = condition(add_signal(noise, Strain(glitch.data * 12, glitch.t0, glitch.sample_rate, "H1")), psd="aLIGO")
    apart = condition(noise, psd="aLIGO").data + 12 * condition(add_signal(zeros, glitch), psd="aLIGO").data
    assert_allclose(together.data, apart, atol=1e-9)


@pytest.mark.parametrize(
    ("strain", "message"),
    [(Strain(np.r_[np.zeros(100), np.nan, np.zeros(8 * 4096)], 0.0, 4096.0, "H1"), "H1 has 1 non-finite samples"),
     (Strain(np.zeros(8 * 3000), 0.0, 3000.0), "3000 Hz cannot be conditioned for windows at 1024 Hz"),
     (Strain(np.zeros(4 * 4096), 0.0, 4096.0), "more than 4 s of strain"),
     (Strain(np.zeros(8 * 512), 0.0, 512.0), "512 Hz cannot be conditioned")],
)
def test_condition_rejects(strain, message):
    with pytest.raises(ValueError, match=message):
        condition(strain, CONFIG)


def test_sliding_windows_cut_the_series():
    series = Strain(np.arange(2048, dtype=float), t0=10.0, sample_rate=1024.0)
    windows, starts = sliding_windows(series, CONFIG, stride=0.25)
    assert windows.shape == (7, 512) and windows.dtype == np.float32
    assert_allclose(windows[3], np.arange(768, 1280))
    assert_allclose(starts, 10.0 + 0.25 * np.arange(7))
    with pytest.raises(ValueError, match="strain at 4096 Hz; condition it first"):
        sliding_windows(Strain(np.zeros(8192), 0.0, 4096.0), CONFIG)
    with pytest.raises(ValueError, match="shorter than one window"):
        sliding_windows(Strain(np.zeros(100), 0.0, 1024.0), CONFIG)


def test_excess_power_of_white_noise_follows_chi_square():
    windows = np.random.default_rng(4).normal(size=(4000, 512))
    power = excess_power(windows)
    # 512 × power is χ² with 512 degrees of freedom: mean 512, variance 1024.
    assert np.mean(512 * power) == pytest.approx(512, rel=0.005)
    assert np.var(512 * power) == pytest.approx(1024, rel=0.1)


def test_simulated_noise_windows_are_reproducible_and_white():
    first = simulated_noise_windows("aLIGO", 30.0, CONFIG, seed=5, segment=16.0)
    again = simulated_noise_windows("aLIGO", 30.0, CONFIG, seed=5, segment=16.0)
    assert_allclose(first, again, atol=0)
    assert first.shape[1] == 512 and first.var() == pytest.approx(309 / 2048, rel=0.05)


def test_injection_windows_hold_their_signal_at_the_recorded_offset():
    injections = injection_windows("bbh", 4, seed=6)
    assert injections.noise.shape == injections.unit_signal.shape == (4, 512)
    assert np.all((injections.peak_offset >= 0.125) & (injections.peak_offset <= 0.375))
    for unit, offset, parameters in zip(injections.unit_signal, injections.peak_offset, injections.parameters):
        assert 26 <= parameters["mass1"] + parameters["mass2"] <= 40
        # Most of a 26-40 Msun merger's SNR (1 here) lies in the band and the window, never more than all of it.
        assert 0.5 < 4 * np.sum(unit.astype(float) ** 2) < 1.02
        assert abs(np.argmax(np.abs(unit)) / 1024 - offset) < 0.03  # the loudest cycle is at the merger
    assert_allclose(injections.at_snr(10), injections.noise + 10 * injections.unit_signal, rtol=1e-6)
    with pytest.raises(ValueError, match="unknown injection kind 'koala'"):
        injection_windows("koala", 1)


def test_detection_table_auc_is_mann_whitney():
    rng = np.random.default_rng(7)
    noise, louder = rng.normal(size=300), rng.normal(1.0, 1.0, size=100)
    table = detection_table({"score": noise}, {("bbh", 12): {"score": louder}}, {"score": 1.5})
    u = stats.mannwhitneyu(louder, noise).statistic
    assert table["auc"][0] == pytest.approx(u / (300 * 100))
    assert table["efficiency"][0] == np.mean(louder > 1.5)
    assert table["low"][0] < table["efficiency"][0] < table["high"][0]
    assert false_alarm_rate(noise, 1.5, 1800.0) == 2 * np.count_nonzero(noise > 1.5)


def test_rank_of_time():
    starts = np.arange(10) * 0.25
    scores = np.array([1, 2, 9, 3, 8, 7, 1, 1, 1, 1.0])
    assert rank_of_time(scores, starts, 0.5, 1.1) == 2  # windows at 0.75 (3) and 1.0 (8): 9 is higher
    with pytest.raises(ValueError, match="no window contains GPS 5.0"):
        rank_of_time(scores, starts, 0.5, 5.0)


@pytest.fixture(scope="module")
def small_autoencoder():
    from mmlab.ml.models import build_autoencoder

    return build_autoencoder(64, filters=(4, 2), kernel_size=8)


def test_autoencoder_scores_and_rejects_bad_windows(small_autoencoder):
    windows = np.random.default_rng(8).normal(size=(5, 64)).astype(np.float32)
    scores, residuals = anomaly_scores(small_autoencoder, windows)
    assert_allclose(scores, np.mean((windows - reconstruct(small_autoencoder, windows)) ** 2, axis=1), rtol=1e-5)
    assert residuals.shape == (5, 64)
    with pytest.raises(ValueError, match="takes windows of 64 samples, got 512"):
        anomaly_scores(small_autoencoder, np.zeros((2, 512)))
    windows[3, 10] = np.nan
    with pytest.raises(ValueError, match="NaN or infinite samples \\(first in window 3\\)"):
        anomaly_scores(small_autoencoder, windows)
    with pytest.raises(ValueError, match="windows of 100 samples do not fit 512-sample windows"):
        check_windows(np.zeros((1, 100)), CONFIG)


def test_build_autoencoder_checks_its_shape():
    from mmlab.ml.models import build_autoencoder

    model = build_autoencoder(512)
    assert model.input_shape == model.output_shape == (None, 512, 1)
    with pytest.raises(ValueError, match=r"samples \(500\) divisible by pool"):
        build_autoencoder(500)


def test_a_model_from_another_window_configuration_is_refused(small_autoencoder, tmp_path):
    from mmlab.ml.registry import load_model, save_model

    small = WindowConfig(sample_rate=128.0, duration=0.5, band=(10.0, 40.0))
    path = save_model(small_autoencoder, tmp_path, {"data": small.as_card()})
    model, card = load_model(path, data=small.as_card())
    assert card["data"]["band"] == [10.0, 40.0] and model.input_shape == (None, 64, 1)
    other = WindowConfig(sample_rate=128.0, duration=0.5, band=(10.0, 50.0))
    with pytest.raises(ValueError, match=r"data with band=\[10.0, 40.0\]; these data have band=\[10.0, 50.0\]"):
        load_model(path, data=other.as_card())


def test_shipped_autoencoder_finds_gw150914(mirror):
    """The full-profile autoencoder in the package ranks the GW150914 window first in H1, and checks its data."""
    from mmlab.io import fetch_gwosc
    from mmlab.ml.registry import load_pretrained

    model, _ = load_pretrained("anomaly/autoencoder", data=CONFIG.as_card())
    windows, starts = sliding_windows(condition(fetch_gwosc("GW150914", "H1"), CONFIG), CONFIG, stride=1 / 16)
    scores, _ = anomaly_scores(model, windows)
    assert rank_of_time(scores, starts, CONFIG.duration, 1126259462.42) == 1


def test_shipped_autoencoder_separates_fresh_bbh_injections_from_noise():
    """On new simulated aLIGO noise and BBH mergers at SNR 12, the shipped network's AUC (the Mann-Whitney U of
    scipy) is far above chance (0.979 at full scale, before its fine-tuning on GW150914's off-source noise)."""
    from mmlab.ml.registry import load_pretrained

    model, _ = load_pretrained("anomaly/autoencoder", data=CONFIG.as_card())
    noise = simulated_noise_windows("aLIGO", 300.0, CONFIG, seed=31)
    injected = injection_windows("bbh", 80, config=CONFIG, seed=32).at_snr(12.0)
    noise_scores, injected_scores = anomaly_scores(model, noise)[0], anomaly_scores(model, injected)[0]
    auc = stats.mannwhitneyu(injected_scores, noise_scores).statistic / (injected_scores.size * noise_scores.size)
    assert auc > 0.9
    with pytest.raises(ValueError, match=r"trained on data with duration=0.5; these data have duration=0.25"):
        load_pretrained("anomaly/autoencoder", data=WindowConfig(duration=0.25).as_card())
