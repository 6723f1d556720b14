"""The representation study's pieces against analytic results and the project's frequency-domain optimal SNR."""

import numpy as np
import pytest
from scipy import stats

from mmlab.core.strain import Strain
from mmlab.gw.inject import optimal_snr
from mmlab.gw.timefreq import qtransform_energy, qtransform_image
from mmlab.gw.whiten import inverse_asd_filter
from mmlab.signals.cbc import compact_binary
from mmlab.studies.representation import (
    REPRESENTATIONS,
    BNSConfig,
    bns_samples,
    efficiency_by_snr,
    matched_filter_snr,
    represent,
    semicoherent_statistic,
    sensitive_distance_ratio,
    template_bank,
    threshold_at_fap,
    tpr_at_fap,
)

CONFIG = BNSConfig()


def test_the_matched_filter_recovers_the_optimal_snr_of_a_noise_free_signal():
    bank = template_bank(CONFIG, 3)
    mass = float(bank.chirp_mass[1] * 2 ** 0.2)
    waveform = compact_binary(mass, mass, 100.0, approximant="TaylorF2", f_lower=CONFIG.f_lower,
                              sample_rate=CONFIG.sample_rate, source_frame=False)
    rate, window = CONFIG.sample_rate, CONFIG.samples
    pad = int(CONFIG.pad * rate)
    length = window + 2 * pad
    merger = pad + int(0.8 * window)  # merger at 80 % of the window
    series = np.zeros(length)
    end = int(round(-waveform.start * rate))
    tail = waveform.hplus[:end + 1][-(merger + 1):]  # the inspiral up to its merger, from the padded window's start
    series[merger + 1 - tail.size:merger + 1] = tail
    inside = Strain(series[pad:pad + window], 0.0, rate)
    expected = optimal_snr(inside, CONFIG.psd, rate)
    whitened = np.fft.irfft(np.fft.rfft(series) * inverse_asd_filter(CONFIG.psd, length, rate), n=length)
    assert matched_filter_snr(whitened[pad:pad + window], bank)[0] == pytest.approx(expected, rel=0.03)


def test_matched_filter_noise_is_chi_squared_with_two_degrees_of_freedom():
    config = BNSConfig(merger_range=(0.8, 0.8))  # one template, one merger time: one |z| per sample
    bank = template_bank(config, 1)
    noise = np.random.default_rng(4).standard_normal((3000, config.samples))
    power = matched_filter_snr(noise, bank) ** 2
    assert stats.kstest(power, stats.chi2(2).cdf).pvalue > 0.01
    assert power.mean() == pytest.approx(2.0, rel=0.08)


def test_the_matched_filter_refuses_samples_of_another_length():
    with pytest.raises(ValueError, match="points"):
        matched_filter_snr(np.zeros((2, 100)), template_bank(CONFIG, 1))


def test_threshold_at_fap_lets_through_at_most_that_fraction():
    noise = np.random.default_rng(1).permutation(np.arange(1000.0))
    threshold = threshold_at_fap(noise, 0.01)
    assert np.sum(noise > threshold) == 10 and np.sum(noise >= threshold) == 11
    with pytest.raises(ValueError, match="at least 1000 noise samples"):
        threshold_at_fap(noise[:999], 1e-3)
    with pytest.raises(ValueError, match="fap"):
        threshold_at_fap(noise, 1.5)


def test_tpr_at_fap_matches_the_gaussian_answer():
    rng = np.random.default_rng(2)
    noise, signal = rng.standard_normal(20000), rng.normal(4.0, 1.0, 5000)
    expected = stats.norm.sf(stats.norm.isf(0.01) - 4.0)  # 0.953
    tpr, low, high = tpr_at_fap(noise, signal, 0.01, n_bootstrap=200, seed=3)
    assert tpr == pytest.approx(expected, abs=0.01)
    assert low < expected < high and high - low < 0.03


def test_sensitive_distance_ratio_of_two_snr_cuts_is_their_inverse_ratio():
    snr = np.random.default_rng(5).uniform(4.0, 20.0, 200000)
    ratio, low, high = sensitive_distance_ratio(snr > 8.0, snr > 6.0, snr, (4.0, 20.0), n_bootstrap=50)
    assert ratio == pytest.approx(6.0 / 8.0, rel=0.01)  # V ∝ ρ_cut⁻³, d ∝ 1/ρ_cut
    assert low <= ratio <= high
    with pytest.raises(ValueError, match="snr_range"):
        sensitive_distance_ratio([True], [True], [30.0], (4.0, 20.0))


def test_efficiency_by_snr_counts_and_brackets():
    snr = np.array([5.0, 5.5, 6.0, 12.0, 13.0])
    curve = efficiency_by_snr(np.array([0.0, 2.0, 2.0, 2.0, 2.0]), snr, 1.0, [4.0, 8.0, 16.0])
    assert list(curve["n"]) == [3, 2] and curve["efficiency"] == pytest.approx([2 / 3, 1.0])
    assert np.all(curve["low"] <= curve["efficiency"]) and np.all(curve["efficiency"] <= curve["high"])


def test_qtransform_of_white_noise_is_exponential_and_finds_a_sine_gaussian():
    rng = np.random.default_rng(6)
    noise = rng.standard_normal(4096)
    energy = qtransform_energy(noise, 2048.0, np.array([100.0, 300.0]), 4096)
    assert energy.mean() == pytest.approx(1 / np.log(2), rel=0.05)  # exponential energy over its median
    t = np.arange(4096) / 2048.0
    burst = 8 * np.exp(-((t - 1.0) / 0.01) ** 2 / 2) * np.sin(2 * np.pi * 300 * t)
    image = qtransform_image(Strain(burst + noise, 0.0, 2048.0))
    row, column = np.unravel_index(image.image.argmax(), image.image.shape)
    assert image.frequencies[row] == pytest.approx(300.0, rel=0.1)
    assert image.times[column] == pytest.approx(1.0, abs=0.05)
    with pytest.raises(ValueError, match="frequencies"):
        qtransform_energy(noise, 2048.0, np.array([2000.0]), 64)


@pytest.fixture(scope="module")
def samples():
    return bns_samples(40, 40, CONFIG, seed=7)


def test_samples_are_reproducible_whitened_and_in_range(samples):
    again = bns_samples(40, 40, CONFIG, seed=7)
    np.testing.assert_array_equal(samples.whitened, again.whitened)
    assert samples.label.sum() == 40 and len(samples) == 80
    noise = samples.whitened[samples.label == 0]
    assert noise.std() == pytest.approx(1.0, rel=0.05)
    # Coloured noise is dominated by its lowest frequencies (a few cycles per window): 80 s pin its std to ~20 %.
    assert samples.raw[samples.label == 0].std() == pytest.approx(1.0, rel=0.25)
    signal = samples.label == 1
    assert np.all((samples.snr[signal] >= 4) & (samples.snr[signal] <= 20)) and np.all(samples.snr[~signal] == 0)
    assert np.all(samples.mass1[signal] >= samples.mass2[signal])


def test_matched_filter_finds_the_samples_signals(samples):
    z = matched_filter_snr(samples.whitened, template_bank(CONFIG))
    signal = samples.label == 1
    loud = signal & (samples.snr > 10)
    assert np.median(z[loud] / samples.snr[loud]) == pytest.approx(1.0, abs=0.1)
    assert np.all(z[~signal] < 7.0)


def test_the_semicoherent_stack_is_the_direct_sum_over_each_tracks_tiles(samples):
    """The FFT stack against a slow loop: slide each template's spectrogram over the sample's, sum, normalise."""
    from scipy.signal import spectrogram

    bank = template_bank(CONFIG, 2)
    data = samples.whitened[:3].astype(float)
    rate, window = CONFIG.sample_rate, CONFIG.samples
    nperseg, step = 128, 32  # the representation's 1/16 s segments, 75 % overlap

    def power(series):
        frequencies, _, p = spectrogram(series, fs=rate, window="hann", nperseg=nperseg, noverlap=nperseg - step)
        return p[(frequencies >= 20) & (frequencies <= 1000)] / (2 / rate)

    expected = np.full(len(data), -np.inf)
    for template in bank.templates.real:
        weights = power(np.r_[np.zeros(window), template])  # merger at the double window's last sample
        for k, series in enumerate(data):
            excess = power(series) - 1
            # template column j on data column j + lag puts the merger on sample 2·window − 1 + lag·step
            first, last = (np.array([0.6, 0.95]) * (window - 1) - 2 * window + 1) / step
            for lag in range(int(np.floor(first)), int(np.ceil(last)) + 1):
                columns = np.arange(weights.shape[1])
                inside = (columns + lag >= 0) & (columns + lag < excess.shape[1])
                stack = np.sum(weights[:, inside] * excess[:, columns[inside] + lag])
                expected[k] = max(expected[k], stack / np.sqrt(np.sum(weights[:, inside] ** 2)))
    assert semicoherent_statistic(data, bank) == pytest.approx(expected, rel=1e-6)


def test_no_spectrogram_detector_beats_the_matched_filter():
    """Neyman-Pearson: at the same false-alarm probability the phase-blind stack finds fewer signals."""
    samples = bns_samples(300, 1000, CONFIG, seed=11)
    bank = template_bank(CONFIG, 32)
    signal, noise = samples.label == 1, samples.label == 0
    rates = {}
    for name, scores in (("semicoherent", semicoherent_statistic(samples.whitened, bank)),
                         ("matched_filter", matched_filter_snr(samples.whitened, bank))):
        rates[name] = np.mean(scores[signal] > threshold_at_fap(scores[noise], 1e-2))
    assert 0.5 < rates["semicoherent"] < rates["matched_filter"]
    with pytest.raises(ValueError, match="segment"):
        semicoherent_statistic(samples.whitened[:1], bank, segment=4.0)


def test_every_representation_has_its_shape(samples):
    shapes = {name: represent(samples, name).shape for name in REPRESENTATIONS}
    assert shapes["timeseries_raw"] == shapes["timeseries_whitened"] == (80, CONFIG.samples, 1)
    assert shapes["fft"][0] == 80 and shapes["fft"][2] == 1
    assert shapes["spectrogram"] == shapes["qtransform"] == (80, 64, 64, 1)
    noise = represent(samples, "spectrogram")[samples.label == 0]
    assert abs(float(noise.mean())) < 0.3  # log power relative to white noise: noise pixels near 0
    with pytest.raises(ValueError, match="representation"):
        represent(samples, "wavelet")


def test_bad_requests_are_named():
    with pytest.raises(ValueError, match="n_signal"):
        bns_samples(0, 0)
    with pytest.raises(ValueError, match="snr_range"):
        BNSConfig(snr_range=(10.0, 5.0))
