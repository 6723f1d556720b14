"""AR whitening and the Wavelet Detection Filter against independent references."""

import copy

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import signal

from mmlab import Strain
from mmlab.core.cache import DataFileError
from mmlab.gw.inject import inject
from mmlab.gw.noise import colored_noise
from mmlab.gw.psd import welch_psd
from mmlab.gw.whiten import ARWhitener, burg_ar
from mmlab.io import read_triggers, write_triggers
from mmlab.signals import blip, sine_gaussian
from mmlab.wdf import (
    BLOCK_LAMBDA,
    MAD_SCALE,
    WaveletDetectionFilter,
    cluster_triggers,
    threshold_coefficients,
    window_coefficients,
)
from mmlab.wdf.screening import SCREEN_FRACTION, screen_windows

FS = 4096.0


@pytest.fixture(scope="module")
def advirgo_whitener():
    return ARWhitener(1000).fit(colored_noise("AdV", 200, FS, seed=1, detector="V1"))


def test_burg_recovers_a_known_ar_process():
    true = np.array([2.7607, -3.8106, 2.6535, -0.9238])  # a classic narrow-band AR(4)
    data = signal.lfilter([1.0], np.concatenate([[1.0], -true]), np.random.default_rng(0).normal(0, 2.0, 200_000))
    coefficients, variance, reflection = burg_ar(data, 4)
    assert_allclose(coefficients, true, atol=0.01)
    assert_allclose(variance, 4.0, rtol=0.02)
    assert np.all(np.abs(reflection) < 1)


def test_reflection_coefficients_drive_an_equivalent_lattice_filter():
    data = signal.lfilter([1.0], [1.0, -0.9, 0.4], np.random.default_rng(1).normal(size=5000))
    coefficients, _, reflection = burg_ar(data, 8)
    fir = signal.lfilter(np.concatenate([[1.0], -coefficients]), [1.0], data)
    forward, backward = data.copy(), data.copy()
    for k in reflection:  # lattice stage: f' = f + k b(n-1), b' = b(n-1) + k f
        delayed = np.concatenate([[0.0], backward[:-1]])
        forward, backward = forward + k * delayed, delayed + k * forward
    assert_allclose(forward[8:], fir[8:], atol=1e-12)


def test_whitened_coloured_noise_is_flat(advirgo_whitener):
    whitened = advirgo_whitener.transform(colored_noise("AdV", 512, FS, seed=2, t0=1000, detector="V1"))
    frequencies, psd = welch_psd(whitened.crop(1001, 1512))
    band = (frequencies >= 20) & (frequencies <= 1500)
    ratio = psd[band] / (2 * advirgo_whitener.sigma_**2 / FS)
    band_means = [ratio[(frequencies[band] >= a) & (frequencies[band] < a + 10)].mean() for a in range(20, 1500, 10)]
    assert np.all(np.abs(np.array(band_means) - 1) < 0.1), (min(band_means), max(band_means))
    assert_allclose(np.std(whitened.crop(1001, 1512).data), advirgo_whitener.sigma_, rtol=0.02)


def test_double_whitening_is_zero_phase_and_flat(advirgo_whitener):
    impulse = np.zeros(16384)
    impulse[8192] = 1.0
    response = advirgo_whitener.double_whiten(Strain(impulse, 0.0, FS)).data
    assert np.argmax(np.abs(response)) == 8192
    assert_allclose(response[8192 - 3000:8192], response[8193:8193 + 3000][::-1], atol=1e-12 * np.abs(response).max())
    whitened = advirgo_whitener.double_whiten(colored_noise("AdV", 256, FS, seed=2, t0=0.0)).crop(2, 254)
    frequencies, psd = welch_psd(whitened)
    band = (frequencies >= 20) & (frequencies <= 1500)
    ratio = psd[band] / (2 * advirgo_whitener.sigma_**2 / FS)
    band_means = [ratio[(frequencies[band] >= a) & (frequencies[band] < a + 10)].mean() for a in range(20, 1500, 10)]
    assert np.all(np.abs(np.array(band_means) - 1) < 0.15), (min(band_means), max(band_means))
    assert_allclose(np.std(whitened.data), advirgo_whitener.sigma_, rtol=0.02)


def test_whitener_streams_chunks_like_one_call(advirgo_whitener):
    data = colored_noise("AdV", 20, FS, seed=3, t0=2000, detector="V1")
    whole = advirgo_whitener.reset().transform(data).data
    advirgo_whitener.reset()
    pieces = [advirgo_whitener.transform(data.crop(a, min(a + 3.3, 2020))).data for a in np.arange(2000, 2020, 3.3)]
    assert_allclose(np.concatenate(pieces), whole, atol=1e-9 * np.abs(whole).max())


def test_burg_agrees_with_statsmodels():
    """An independent implementation of Burg's method (statsmodels, test-only) gives the same model to round-off."""
    from statsmodels.regression.linear_model import burg
    from statsmodels.tsa.stattools import pacf_burg

    data = signal.lfilter([1.0], [1.0, -1.2, 0.6, -0.1], np.random.default_rng(8).normal(size=20_000))
    coefficients, variance, reflection = burg_ar(data, 12)
    reference, reference_variance = burg(data, order=12, demean=False)
    assert_allclose(coefficients, reference, rtol=0, atol=1e-12)
    assert_allclose(-reflection, pacf_burg(data, 12, demean=False).pacf[1:], rtol=0, atol=1e-12)
    # statsmodels divides the last order's error energy by N - P, the recursion here carries x.x / N: O(P/N) apart.
    assert_allclose(variance, reference_variance, rtol=2 * 12 / data.size)


def test_whitener_rejects_bad_use():
    with pytest.raises(RuntimeError, match="call fit"):
        ARWhitener(10).transform(Strain(np.zeros(100), 0, FS))
    with pytest.raises(ValueError, match="AR order 100 needs at least 1000"):
        ARWhitener(100).fit(Strain(np.random.default_rng(0).normal(size=500), 0, FS))
    fitted = ARWhitener(4).fit(Strain(np.random.default_rng(0).normal(size=500), 0, FS))
    with pytest.raises(ValueError, match="differs from the learn stretch's 4096.0 Hz"):
        fitted.transform(Strain(np.zeros(100), 0, 2048.0))
    with pytest.raises(ValueError, match="non-finite samples"):
        fitted.transform(Strain(np.array([0.0, np.nan, 1.0]), 0, FS))


@pytest.mark.parametrize("wavelet", ["haar", "db2", "db4", "sym4", "coif1", "db6", "db8", "coif3"])
def test_screening_statistics_equal_the_per_window_ones(wavelet):
    rng = np.random.default_rng(4)
    window, step = 1024, 256
    chunk = rng.normal(size=16 * 4096)
    chunk[20000:20400] += 5 * np.sin(np.arange(400) / 3)  # a loud transient
    starts = np.arange(0, chunk.size - window + 1, step)
    levels = window_coefficients(chunk[starts[:, None] + np.arange(window)], wavelet)
    magnitude = np.abs(np.concatenate(levels, axis=-1))
    counts, energies = screen_windows(chunk, starts, window, step, wavelet, "dj")
    assert np.array_equal(counts, (magnitude >= SCREEN_FRACTION * MAD_SCALE).sum(axis=-1))
    expected = np.where(magnitude >= SCREEN_FRACTION * np.sqrt(2 * np.log(window)), magnitude**2, 0.0).sum(axis=-1)
    assert_allclose(energies, expected, rtol=1e-12, atol=1e-10)
    # Block rule: blocks of round(ln N) = 7 per level, passing at lambda* n sigma_lo^2.
    _, block_energies = screen_windows(chunk, starts, window, step, wavelet, "block", BLOCK_LAMBDA)
    expected = 0.0
    for level in levels:
        first = np.arange(0, level.shape[-1], 7)
        energy = np.add.reduceat(level**2, first, axis=-1)
        cut = BLOCK_LAMBDA * SCREEN_FRACTION**2 * (np.minimum(first + 7, level.shape[-1]) - first)
        expected = expected + np.where(energy > cut, energy, 0.0).sum(axis=-1)
    assert_allclose(block_energies, expected, rtol=1e-9, atol=1e-9)


def test_thresholding_rules_on_a_known_vector():
    rng = np.random.default_rng(5)
    coefficients = [rng.normal(size=(1, 512)), rng.normal(size=(1, 512))]
    coefficients[1][0, 10] = 40.0
    coefficients[1][0, 100:107] = 3.0  # a block of moderate coefficients
    snr, kept = threshold_coefficients(coefficients, "dj", "hard")
    flat = np.concatenate(coefficients, axis=-1)[0]
    threshold = np.median(np.abs(flat)) / MAD_SCALE * np.sqrt(2 * np.log(1024))
    assert_allclose(snr[0], np.sqrt(np.sum(flat[np.abs(flat) >= threshold] ** 2)))
    assert kept[1][0, 10] == 40.0 and kept[1][0, 100] == 0.0
    soft_snr, soft = threshold_coefficients(coefficients, "dj", "soft")
    assert_allclose(soft[1][0, 10], 40.0 - threshold) and soft_snr[0] < snr[0]
    block_snr, block = threshold_coefficients(coefficients, "block", "hard", BLOCK_LAMBDA)
    assert np.all(block[1][0, 98:105] != 0) and block_snr[0] > snr[0]  # the whole block survives


@pytest.fixture(scope="module")
def injected_stream():
    data = colored_noise("AdV", 96, FS, seed=6, t0=1e9, detector="V1")
    for k, (gps, snr) in enumerate([(1e9 + 20, 8.0), (1e9 + 40, 12.0), (1e9 + 60, 20.0), (1e9 + 80, 30.0)]):
        data = inject(data, sine_gaussian(120.0 + 110 * k, 9.0), gps, snr=snr, psd="AdV")
    data = inject(data, blip(180.0), 1e9 + 70, snr=25.0, psd="AdV")
    return data


@pytest.fixture(scope="module")
def fitted_filter():
    return WaveletDetectionFilter(ar_order=300, snr_threshold=7.0, rule="dj").fit(
        colored_noise("AdV", 60, FS, seed=7, detector="V1"))


def brute_force_triggers(wdf, strain):
    """The per-window definition, one window at a time: every window, every basis, no screening."""
    skip = wdf.reset().startup_samples
    whitened = wdf.reset().whiten(strain).data[skip:]
    rows = []
    for start in range(0, whitened.size - wdf.window + 1, wdf.step):
        segment = whitened[None, start:start + wdf.window]
        snrs = [threshold_coefficients(window_coefficients(segment, w), wdf.rule, wdf.mode, wdf.block_threshold)[0][0]
                for w in wdf.wavelets]
        if max(snrs) >= wdf.snr_threshold:
            rows.append((strain.t0 + (skip + start) / strain.sample_rate, max(snrs),
                         wdf.wavelets[int(np.argmax(snrs))]))
    return rows


@pytest.mark.parametrize("rule", ["dj", "block"])
def test_detect_equals_the_per_window_definition(fitted_filter, injected_stream, rule):
    wdf = copy.copy(fitted_filter)
    wdf.rule = rule
    triggers = wdf.reset().detect(injected_stream)
    expected = brute_force_triggers(wdf, injected_stream)
    assert len(triggers) == len(expected) > 10
    assert_allclose(triggers["gps_start"], [row[0] for row in expected], rtol=0, atol=1e-9)
    assert_allclose(triggers["snr"], [row[1] for row in expected], rtol=1e-12)
    assert list(triggers["wavelet"]) == [row[2] for row in expected]


def test_detect_on_chunks_equals_detect_on_the_whole(fitted_filter, injected_stream):
    from astropy.table import vstack

    whole = fitted_filter.reset().detect(injected_stream)
    fitted_filter.reset()
    edges = np.arange(injected_stream.t0, injected_stream.t_end, 7.77)
    pieces = [fitted_filter.detect(injected_stream.crop(a, min(a + 7.77, injected_stream.t_end))) for a in edges]
    chunked = vstack([p for p in pieces if len(p)])
    assert_allclose(chunked["gps_start"], whole["gps_start"], rtol=0, atol=1e-9)
    assert_allclose(chunked["snr"], whole["snr"], rtol=1e-9)


def test_events_sit_on_the_injections(fitted_filter, injected_stream):
    events = cluster_triggers(fitted_filter.reset().detect(injected_stream))
    loud = events[events["snr"] > 15]
    assert_allclose(np.sort(loud["gps_peak"]) - 1e9, [60.0, 70.0, 80.0], atol=0.005)
    by_time = {round(float(e["gps_peak"]) - 1e9): e for e in loud}
    # A sine-Gaussian at 350 Hz (SNR 20) and 460 Hz (SNR 30): frequency and SNR recovered.
    assert by_time[60]["freq_peak"] == pytest.approx(340.0, rel=0.1)
    assert by_time[80]["freq_peak"] == pytest.approx(450.0, rel=0.1)
    assert by_time[60]["snr"] == pytest.approx(20.0, rel=0.2)
    assert by_time[80]["snr"] == pytest.approx(30.0, rel=0.2)
    assert by_time[70]["duration"] < 0.03  # a blip is short
    assert np.all(events["n_triggers"] >= 1) and np.all(events["event_end"] > events["event_start"])


def test_clustering_merges_overlapping_windows_and_splits_on_frequency():
    from astropy.table import Table

    triggers = Table({"gps_start": [0.0, 0.0625, 0.125, 5.0], "gps_peak": [0.1, 0.15, 0.2, 5.1],
                      "snr": [8.0, 12.0, 9.0, 10.0], "freq_peak": [100.0, 110.0, 400.0, 100.0]},
                     meta={"window": 1024, "sample_rate": 4096.0})
    events = cluster_triggers(triggers)
    assert list(events["n_triggers"]) == [3, 1] and list(events["snr"]) == [12.0, 10.0]
    assert_allclose(events["event_snr_mean"], [29 / 3, 10.0])
    assert list(cluster_triggers(triggers, max_freq_jump=0.5)["n_triggers"]) == [2, 1, 1]
    assert len(cluster_triggers(triggers[:0])) == 0


@pytest.mark.parametrize("suffix", [".ecsv", ".h5"])
def test_triggers_round_trip_through_files(tmp_path, fitted_filter, injected_stream, suffix):
    events = cluster_triggers(fitted_filter.reset().detect(injected_stream))
    path = write_triggers(events, tmp_path / f"events{suffix}")
    back = read_triggers(path)
    assert back.colnames == events.colnames and back.meta["window"] == 1024
    assert_allclose(back["gps_peak"], events["gps_peak"])
    assert list(back["wavelet"]) == list(events["wavelet"])
    assert [p.name for p in tmp_path.iterdir()] == [f"events{suffix}"]  # no temporary left behind


def test_corrupt_or_missing_trigger_files_are_reported(tmp_path):
    broken = tmp_path / "broken.ecsv"
    broken.write_text("# %ECSV 1.0\n# ---\n# datatype: [\ngarbage")
    with pytest.raises(DataFileError, match="broken.ecsv: not a readable trigger table"):
        read_triggers(broken)
    with pytest.raises(FileNotFoundError, match="no trigger file"):
        read_triggers(tmp_path / "absent.h5")
    with pytest.raises(ValueError, match=r"must end in one of \['.ecsv', '.h5', '.hdf5'\]"):
        read_triggers(tmp_path / "events.csv")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"window": 1000}, "window must be a power of two"),
        ({"overlap": 1024}, r"overlap must be an integer in \[0, window=1024\)"),
        ({"wavelets": ("db4", "morl")}, "wavelet must be an orthogonal PyWavelets wavelet"),
        ({"wavelets": ("bior2.2",)}, "wavelet must be an orthogonal PyWavelets wavelet"),
        ({"rule": "sure"}, r"rule must be one of \['dj', 'block'\]"),
        ({"mode": "soft"}, "block thresholding keeps whole blocks"),
        ({"snr_threshold": float("nan")}, "snr_threshold must be a finite positive number"),
        ({"block_threshold": 0}, "block_threshold must be a finite positive number"),
    ],
)
def test_bad_configuration_is_named(options, message):
    learn = colored_noise("AdV", 8, FS, seed=0)
    with pytest.raises(ValueError, match=message):
        WaveletDetectionFilter(ar_order=50, **options).fit(learn)


def test_detect_before_fit_and_bad_strain():
    with pytest.raises(RuntimeError, match="call fit"):
        WaveletDetectionFilter().detect(colored_noise("AdV", 1, FS))
    wdf = WaveletDetectionFilter(ar_order=50).fit(colored_noise("AdV", 8, FS, seed=0))
    data = np.array(colored_noise("AdV", 4, FS, seed=1, t0=100.0).data)
    data[5000] = np.nan
    with pytest.raises(ValueError, match=r"the first is at GPS 101.2207"):
        wdf.detect(Strain(data, t0=100.0, sample_rate=FS))
    with pytest.raises(ValueError, match="AR order 5000 needs at least 50000"):
        WaveletDetectionFilter(ar_order=5000).fit(colored_noise("AdV", 8, FS, seed=0))


def test_far_threshold_allows_the_requested_number_of_noise_events():
    from mmlab.core.statistics import far_threshold

    snrs = [5.0, 9.0, 6.0, 12.0, 7.5]
    threshold = far_threshold(snrs, live_time=2 * 3600.0, rate_per_hour=1.0)  # two events allowed
    assert sum(s >= threshold for s in snrs) == 2 and 7.5 < threshold <= 9.0
    assert far_threshold([8.0], live_time=7200.0, floor=5.0) == 5.0  # fewer events than allowed
    with pytest.raises(ValueError, match="cannot measure 1 false alarms per hour"):
        far_threshold(snrs, live_time=1800.0)


def test_injection_campaign_finds_loud_signals_and_not_quiet_ones(fitted_filter):
    from mmlab.wdf.efficiency import efficiency_table, injection_campaign

    campaign = injection_campaign(fitted_filter, "AdV", lambda rng: sine_gaussian(float(rng.uniform(150, 300)), 9.0),
                                  [3.0, 40.0], 6, seed=1, detector="V1", chunk=32.0, progress=False)
    assert len(campaign) == 12 and np.all(np.diff(campaign["gps"]) == 4.0)
    table = efficiency_table(campaign, {"wdf": 8.0})
    assert list(table["efficiency"]) == [0.0, 1.0]
    assert table["low"][1] > 0.6 and table["high"][0] < 0.4  # Clopper-Pearson, 90 %
    loud = campaign[campaign["snr"] == 40.0]
    assert np.all(np.abs(loud["found_wdf"] - 40.0) < 10.0)
    with pytest.raises(ValueError, match=r"no found_<method> column for \['excess_power'\]"):
        efficiency_table(campaign, {"excess_power": 20.0})


def test_wdf_explorer_follows_its_controls(fitted_filter, injected_stream):
    from mmlab.viz.explorers import wdf_explorer

    whitened = fitted_filter.reset().whiten(injected_stream)
    box = wdf_explorer(whitened, 1e9 + 80)
    *rows, status, panel = box.children
    controls = {child.description: child for row in rows for child in row.children}
    assert "a trigger" in status.value
    controls["start [s]"].value = -2.0  # noise only
    assert "below threshold" in status.value
    controls["window [samples]"].value = 256
    assert controls["overlap [samples]"].max == 252 and len(panel.figure.data[0].x) == 256
    controls["wavelet"].value = "haar"
    assert "haar SNR" in status.value
