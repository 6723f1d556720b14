"""Long-transient statistic, events, coincidence and time slides against analytic and brute-force references."""

import itertools
import json
import re

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import stats

from mmlab import Strain
from mmlab.gw.inject import inject
from mmlab.gw.noise import colored_noise
from mmlab.signals import ccsn_family_waveform, sine_gaussian
from mmlab.wdf.events import EVENT_COLUMNS, empty_events, events_from_clusters, merge_events
from mmlab.wdf.excess_power import ExcessPowerConfig, excess_power_chunk, tile_energies
from mmlab.wdf.search import SearchState, TransientSearch, search_chunk
from mmlab.wdf.significance import (
    coincident_candidates,
    false_alarm_probability,
    false_alarm_rate,
    time_slide_background,
)

FS = 4096.0


def test_tiles_of_white_noise_are_exponential_of_mean_one():
    """|X|^2 / sum(w^2) of a Hann-windowed Gaussian segment is chi2_2 / 2 (exponential, mean 1)."""
    energy, frequencies, _ = tile_energies(np.random.default_rng(1).normal(size=int(64 * FS)), 256, FS, (20, 2000))
    sample = energy[:, ::2].ravel()  # every other column: non-overlapping tiles, independent
    assert stats.kstest(sample, "expon").pvalue > 0.01
    assert_allclose(sample.mean(), 1.0, rtol=0.01)
    assert frequencies[0] >= 20 and frequencies[-1] <= 2000


def test_a_track_recovers_the_snr_of_a_long_tone():
    """A 1 s, 320 Hz tone of matched-filter SNR 30 in white noise: its track, SNR and band recovered."""
    rng = np.random.default_rng(2)
    times = np.arange(int(FS)) / FS
    tone = np.sin(2 * np.pi * 320 * times) * signal_window(times.size)
    tone *= 30 / np.sqrt(np.sum(tone**2))  # white unit noise: SNR = sqrt(sum h^2)
    data = rng.normal(size=int(40 * FS))
    data[int(20 * FS):int(21 * FS)] += tone
    tracks, _ = excess_power_chunk(data, FS, 0.0, ExcessPowerConfig(), flush=True)
    best = int(np.argmax(tracks["excess"]))
    tile = tracks["tile_duration"][best]  # the time resolution of the track
    assert tracks["gps_start"][best] == pytest.approx(20.0, abs=tile) and tracks["duration"][best] > 0.8
    assert tracks["freq_min"][best] <= 320 <= tracks["freq_max"][best]
    assert tracks["snr"][best] == pytest.approx(30, rel=0.1)
    elsewhere = (tracks["gps_end"] < 19.5) | (tracks["gps_start"] > 21.5)
    assert tracks["excess"][best] > 5 * tracks["excess"][elsewhere].max()  # far above any noise track


def signal_window(n: int) -> np.ndarray:
    from scipy.signal.windows import tukey

    return tukey(n, 0.2)


@pytest.mark.parametrize("max_row_step", [1, 2])
def test_track_scores_equal_an_exhaustive_search_over_paths(max_row_step):
    """Best score of a track ending on each tile = max(0, best sum of (E - penalty) over every path ending there),
    and tracing a track back follows steps no longer than allowed through tiles that add up to its score."""
    from mmlab.wdf.tracks import best_tracks, trace_tracks, track_path

    energy = np.random.default_rng(3).exponential(size=(5, 6)) * 2.5
    result = best_tracks(energy, 3.0, max_row_step)
    rows, columns = energy.shape
    moves = range(-max_row_step, max_row_step + 1)
    for column in range(columns):
        for row in range(rows):
            best = 0.0
            for start in range(column + 1):  # every path from any earlier column, moving at most max_row_step
                for steps in itertools.product(moves, repeat=column - start):
                    path_rows = [row]
                    for step in reversed(steps):
                        path_rows.insert(0, path_rows[0] + step)
                    if min(path_rows) < 0 or max(path_rows) >= rows:
                        continue
                    best = max(best, sum(energy[r, start + k] - 3.0 for k, r in enumerate(path_rows)))
            assert result["scores"][column, row] == pytest.approx(best, abs=1e-12)
    ends = np.flatnonzero(result["score"] > 0)
    traced = trace_tracks(energy, result["scores"], ends, result["end_row"][ends], max_row_step)
    assert np.all(traced["start_column"] <= ends) and np.all(traced["low_row"] <= result["end_row"][ends])
    for column, row, score, start in zip(ends, result["end_row"][ends], result["score"][ends], traced["start_column"]):
        path = track_path(result["scores"], column, row, max_row_step)
        steps = np.diff([tile_row for _, tile_row in path])  # one tile per column, steps no longer than allowed
        assert [tile_column for tile_column, _ in path] == list(range(column, start - 1, -1))
        assert np.all(np.abs(steps) <= max_row_step)
        assert sum(energy[r, c] - 3.0 for c, r in path) == pytest.approx(score, abs=1e-12)  # its tiles add up


def test_blocks_searched_together_give_each_block_s_own_tracks():
    """Several stretches in one call (the stream's batches) give, bit for bit, the scores and tracks of each
    stretch searched alone: the batched search only shares numpy calls."""
    from mmlab.wdf.excess_power import excess_power_block, excess_power_blocks
    from mmlab.wdf.tracks import best_tracks

    rng = np.random.default_rng(9)
    maps = rng.exponential(size=(3, 7, 40)) * 2.0
    together = best_tracks(maps, 3.0, 2)
    for k, energy in enumerate(maps):
        alone = best_tracks(energy, 3.0, 2)
        for name in ("score", "end_row", "scores"):
            np.testing.assert_array_equal(together[name][k], alone[name])
    t = np.arange(int(4 * FS)) / FS
    stretches = rng.normal(size=(3, t.size))
    stretches[1] += 0.4 * np.sin(2 * np.pi * 250 * t) * ((t > 1.0) & (t < 2.2))  # a track in one stretch only
    cores = [(1.0 + 4 * k, 3.0 + 4 * k) for k in range(3)]
    batched = excess_power_blocks(stretches, FS, [4.0 * k for k in range(3)], ExcessPowerConfig(), cores)
    for k, found in enumerate(batched):
        alone = excess_power_block(stretches[k], FS, 4.0 * k, ExcessPowerConfig(), core=cores[k])
        assert found.keys() == alone.keys()
        for name in found:
            np.testing.assert_array_equal(found[name], alone[name])
    assert batched[1]["excess"].max() > 25 > max(batched[0]["excess"].max(), batched[2]["excess"].max())


def test_a_track_that_dips_is_reported_once():
    """A 1 s tone at 200 Hz with a 40 ms dropout is one track per resolution (its best end), not one per score
    peak along it."""
    from mmlab.wdf.excess_power import excess_power_block

    t = np.arange(int(4 * FS)) / FS
    dropout = (t >= 1.98) & (t < 2.02)
    tone = 0.4 * np.sin(2 * np.pi * 200 * t) * ((t >= 1.5) & (t < 2.5) & ~dropout)
    tracks = excess_power_block(np.random.default_rng(8).normal(size=t.size) + tone, FS, 0.0, ExcessPowerConfig())
    loud = tracks["excess"] > 25  # noise tracks stay below
    assert sorted(tracks["tile_duration"][loud]) == sorted(ExcessPowerConfig().tile_durations)
    tolerance = np.maximum(0.1, tracks["tile_duration"][loud])  # 0.1 s, or one tile where tiles are longer
    assert np.all(np.abs(tracks["gps_start"][loud] - 1.5) <= tolerance)
    assert np.all(np.abs(tracks["gps_end"][loud] - 2.5) <= tolerance)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_noise_tracks_die_out():
    """Noise tiles cost penalty - 1 = 2 on average: in 256 s of white noise no track scores near the tone's."""
    tracks, _ = excess_power_chunk(np.random.default_rng(4).normal(size=int(256 * FS)), FS, 0.0, ExcessPowerConfig(),
                                   flush=True)
    assert tracks["excess"].max() < 25 and np.median(tracks["n_tiles"]) < 10


@pytest.fixture(scope="module")
def search():
    return TransientSearch().fit(colored_noise("aLIGO", 60, FS, seed=4, detector="H1"))


@pytest.fixture(scope="module")
def stream():
    data = colored_noise("aLIGO", 48, FS, seed=5, t0=1e9, detector="H1")
    data = inject(data, sine_gaussian(180.0, 9.0), 1e9 + 12, snr=15.0, psd="aLIGO")
    return inject(data, ccsn_family_waveform("low_long_sasi", seed=6), 1e9 + 30, ra=1.0, dec=-0.4, psi=0.2,
                  snr=25.0, psd="aLIGO")


def test_search_chunks_serialised_give_the_same_events(search, stream):

    whole, _ = search_chunk(stream, search, flush=True)
    assert {"wdf", "excess_power"} <= set(np.asarray(whole["method"]))
    cuts = np.sort(np.random.default_rng(7).choice(np.arange(1, len(stream)), 11, replace=False))
    edges = np.concatenate([[0], cuts, [len(stream)]])
    state, tables = None, []
    for first, last in zip(edges[:-1], edges[1:]):
        chunk = Strain(stream.data[first:last], stream.t0 + first / FS, FS, "H1")
        events, state = search_chunk(chunk, search, state, flush=last == len(stream))
        state = SearchState.from_dict(json.loads(json.dumps(state.to_dict())))
        tables.append(events)
    chunked = merge_events(tables)
    assert len(chunked) == len(whole)
    for name in EVENT_COLUMNS:
        assert np.array_equal(np.asarray(chunked[name]), np.asarray(whole[name])), name


def test_both_methods_find_their_signals(search, stream):
    events, _ = search_chunk(stream, search, flush=True)
    events.sort("statistic", reverse=True)
    for method, gps in (("wdf", 1e9 + 12), ("excess_power", 1e9 + 30)):
        mine = events[events["method"] == method]
        on_signal = mine[(mine["gps_start"] <= gps + 0.5) & (mine["gps_end"] >= gps - 0.5)]
        assert len(on_signal) and on_signal["statistic"][0] == mine["statistic"][0], method


def test_event_tables_are_checked():
    events = empty_events({"detector": "H1", "sample_rate": 4096.0})
    del events["statistic"]
    with pytest.raises(ValueError, match=r"event table 0 lack the event columns \['statistic'\]"):
        merge_events([events])
    clusters = {name: np.zeros(1) for name in ("gps_start", "gps_end", "gps_peak", "duration", "snr", "excess",
                                               "freq_min", "freq_max", "freq_peak")}
    with pytest.raises(ValueError, match=r"different sample rates \[2048.0, 4096.0\] Hz"):
        merge_events([events_from_clusters(clusters, "H1", 4096.0), events_from_clusters(clusters, "H1", 2048.0)])
    with pytest.raises(ValueError, match=r"the events of one detector, got \['H1', 'L1'\]"):
        merge_events([events_from_clusters(clusters, "H1", 4096.0), events_from_clusters(clusters, "L1", 4096.0)])


def synthetic_events(detector: str, starts, snrs, duration: float = 0.1):
    clusters = {"gps_start": np.asarray(starts, float), "gps_end": np.asarray(starts, float) + duration,
                "gps_peak": np.asarray(starts, float) + duration / 2, "duration": np.full(len(starts), duration),
                "snr": np.asarray(snrs, float), "excess": np.asarray(snrs, float) ** 2,
                "freq_min": np.zeros(len(starts)), "freq_max": np.zeros(len(starts)), "freq_peak": np.zeros(len(starts))}
    return events_from_clusters(clusters, detector, 4096.0)


def test_coincidence_pairs_events_within_the_window():
    h1 = synthetic_events("H1", [10.0, 50.0, 90.0], [8.0, 6.0, 9.0])
    l1 = synthetic_events("L1", [10.105, 50.5, 89.9], [6.0, 7.0, 12.0])  # 5 ms after H1's end; 0.4 s; overlapping
    candidates = coincident_candidates({"H1": h1, "L1": l1}, window=0.01)
    assert len(candidates) == 2
    assert_allclose(candidates["network_snr"], [np.hypot(9, 12), np.hypot(8, 6)])  # loudest first
    assert list(candidates["detectors"]) == ["H1,L1", "H1,L1"]
    assert len(coincident_candidates({"H1": h1, "L1": l1}, window=0.004)) == 1  # the 5 ms gap exceeds the window


def test_time_slides_match_a_brute_force_count():
    rng = np.random.default_rng(8)
    span = (0.0, 2000.0)
    # Events of one detector at least 1 s apart: an event meets at most one of the other's, as the pair count assumes.
    events = {d: synthetic_events(d, np.cumsum(1 + rng.exponential(5.0, 300))[:300] % 1990, rng.uniform(5, 10, 300),
                                  duration=0.2) for d in ("H1", "L1")}
    statistics, background_time = time_slide_background(events, span, window=0.01, n_slides=20, slide=1.0)
    assert background_time == 20 * 2000.0
    expected = []
    h1, l1 = (events[d] for d in ("H1", "L1"))
    for n in range(1, 21):  # L1 moved by n seconds, circularly; pairs whose widened extents overlap
        shifted = (np.asarray(l1["gps_start"]) + n) % 2000.0
        for a, b in itertools.product(range(len(h1)), range(len(l1))):
            if abs(float(h1["gps_start"][a]) - shifted[b]) <= 0.2 + 0.01:
                expected.append(np.hypot(float(np.sqrt(h1["statistic"][a])), float(np.sqrt(l1["statistic"][b]))))
    assert_allclose(np.sort(statistics), np.sort(expected))


def test_time_slides_reject_what_cannot_work():
    events = {d: synthetic_events(d, [1.0, 5.0], [6.0, 7.0]) for d in ("H1", "L1", "V1")}
    with pytest.raises(ValueError, match=r"shift the last detector by 2000 s, more than the 100 s of data"):
        time_slide_background(events, (0.0, 100.0), 0.03, n_slides=1000, slide=1.0)
    with pytest.raises(ValueError, match="slide must exceed the longest event"):
        time_slide_background(events, (0.0, 100.0), 0.03, n_slides=10, slide=0.05)
    with pytest.raises(ValueError, match="at least two detectors"):
        coincident_candidates({"H1": events["H1"]}, 0.01)
    with pytest.raises(ValueError, match="window must be a non-negative number of seconds, got -1"):
        coincident_candidates(events, -1)


def test_far_and_fap():
    assert_allclose(false_alarm_rate([5.0, 9.0, 3.0], np.array([4.0, 6.0, 8.0]), 100.0), [0.03, 0.01, 0.04])
    assert_allclose(false_alarm_probability(1 / 3600, 3600.0), 1 - np.exp(-1))
    assert false_alarm_probability(0.0, 1e9) == 0.0


def test_thresholds_share_the_false_alarm_rate_between_methods():
    """Two methods: each gets half of the allowed rate (a trials factor)."""
    from mmlab.wdf.efficiency import method_thresholds

    wdf = synthetic_events("H1", np.arange(6.0), [9.0, 8.0, 7.0, 6.0, 5.5, 5.2])
    wdf["method"] = "wdf"
    wdf["statistic"] = wdf["snr"]
    excess = synthetic_events("H1", np.arange(6.0) + 0.5, [20.0, 15.0, 12.0, 11.0, 10.0, 9.0])
    noise = merge_events([wdf, excess])
    thresholds = method_thresholds(noise, live_time=4 * 3600.0, rate_per_hour=1.0)  # 2 allowed per method
    assert 7.0 < thresholds["wdf"] <= 8.0 and 12.0**2 < thresholds["excess_power"] <= 15.0**2


def dask_campaign(scheduler):
    from mmlab.wdf.efficiency import injection_campaign, study_signals

    wdf_only = TransientSearch(excess_power=None).fit(colored_noise("AdV", 30, FS, seed=9, detector="V1"))
    return injection_campaign(wdf_only, "AdV", study_signals(("sine-Gaussian",))["sine-Gaussian"], [8.0, 20.0], 3,
                              seed=10, detector="V1", chunk=16.0, progress=False, scheduler=scheduler)


def test_a_campaign_on_dask_gives_the_serial_numbers():
    """Independent seeded segments: a LocalCluster of worker processes returns exactly the serial table."""
    serial, distributed = dask_campaign(None), dask_campaign("local")
    assert serial.colnames == distributed.colnames
    for name in serial.colnames:
        assert np.array_equal(np.asarray(serial[name]), np.asarray(distributed[name])), name
    with pytest.raises(ValueError, match="scheduler must be one of"):
        dask_campaign("cluster-please")


def test_chirp_band_sums_follow_their_noise_moments():
    """A chirp template's band sum on white noise: the brute-force sum over its tiles, with the exact variance of
    correlated Hann tiles (checked by simulation) and a significance that is a standard normal deviate."""
    from mmlab.wdf.chirps import ChirpBank, ChirpTemplates, chirp_significance, chirp_templates

    samples = 128
    energy, frequencies, _ = tile_energies(np.random.default_rng(6).normal(size=(30, int(20 * FS))), samples, FS,
                                           (20, 2000))
    bank = chirp_templates(ChirpBank(f0=(180.0,), f1=(600.0, 1350.0), durations=(0.25, 1.3),
                                     turning_fraction=(1.0,)), frequencies, samples, FS)
    for k in range(len(bank.tracks)):
        one = ChirpTemplates([bank.low[k]], [bank.high[k]], bank.mean[k:k + 1], bank.variance[k:k + 1],
                             [bank.tracks[k]])
        found = chirp_significance(energy, one)
        valid = energy.shape[-1] - bank.low[k].size + 1
        sums = found["excess"][..., :valid] + bank.mean[k]
        brute = sum(energy[3, lo:hi, 17 + j].sum() for j, (lo, hi) in enumerate(zip(bank.low[k], bank.high[k])))
        assert sums[3, 17] == pytest.approx(brute, rel=1e-5)
        assert sums.mean() == pytest.approx(bank.mean[k], rel=0.01)
        assert sums.var() == pytest.approx(bank.variance[k], rel=0.05)  # 1.7-1.8x the tile count: correlations
        z = found["significance"][..., :valid].ravel()
        assert z.mean() == pytest.approx(0.0, abs=0.06) and z.std() == pytest.approx(1.0, abs=0.05)  # correlated
        assert 0.4 < np.mean(z > 3) / stats.norm.sf(3) < 2.0
        assert np.isneginf(found["significance"][..., valid:]).all()  # no template fits past the end
        strided = chirp_significance(energy, one, stride=2)
        assert_allclose(strided["significance"], found["significance"][..., ::2])
        assert_allclose(strided["start"], np.arange(energy.shape[-1])[::2])
        # Restricted to templates ending in columns [300, 700): the same sums there, nothing elsewhere.
        ending = chirp_significance(energy, one, stride=2, ends=(300, 700))["significance"]
        last = strided["start"] + bank.low[k].size - 1
        inside = (last >= 300) & (last < 700)
        assert_allclose(ending[..., inside], strided["significance"][..., inside])
        assert np.isneginf(ending[..., ~inside]).all()


def test_a_chirp_on_a_template_s_track_is_found_with_its_snr():
    """A g-mode-like chirp (180 -> 1050 Hz along a bank track, 0.7 s) of matched-filter SNR 20 in white noise:
    the chirp bank reports it at its start, in its band, holding about its SNR^2; noise alone stays far below."""
    from mmlab.wdf.excess_power import excess_power_block

    times = np.arange(int(0.7 * FS)) / FS
    frequency = 1050 - (1050 - 180) * (1 - times / 0.63).clip(0) ** 2
    chirp = np.sin(2 * np.pi * np.cumsum(frequency) / FS) * signal_window(times.size)
    chirp *= 20 / np.sqrt(np.sum(chirp**2))
    noise = np.random.default_rng(12).normal(size=int(12 * FS))
    data = noise.copy()
    data[int(5 * FS):int(5 * FS) + times.size] += chirp
    found = excess_power_block(data, FS, 0.0, ExcessPowerConfig())
    chirps = found["template"] >= 0
    best = np.flatnonzero(chirps)[np.argmax(found["excess"][chirps])]
    assert found["gps_start"][best] == pytest.approx(5.0, abs=0.1)  # a few 1/64 s columns
    assert found["freq_min"][best] < 250 and 900 < found["freq_max"][best]
    assert found["snr"][best] == pytest.approx(20, rel=0.15)
    assert found["excess"][best] > 10  # standard normal deviates
    quiet = excess_power_block(noise, FS, 0.0, ExcessPowerConfig())
    assert np.all(quiet["excess"][quiet["template"] >= 0] < 6)


def test_excess_power_configuration_is_checked():
    with pytest.raises(ValueError, match="penalty must exceed 1, the mean energy of a noise tile, got 0.5"):
        ExcessPowerConfig(penalty=0.5)
    with pytest.raises(ValueError, match=r"pad must be at least the longest tile \(0.25 s\), got 0.01"):
        ExcessPowerConfig(pad=0.01)
    with pytest.raises(ValueError, match="tiles must be whole, even numbers"):
        ExcessPowerConfig(tile_durations=(0.001,)).check_rate(4096.0)
    with pytest.raises(ValueError, match="reaches above the Nyquist frequency 1024 Hz"):
        ExcessPowerConfig().check_rate(2048.0)
    for steps in (0, 1.5, True, (2,), (2, 1, 9)):
        with pytest.raises(ValueError, match=r"max_row_steps must be one whole number of rows from 1 to 8, or one "
                                             rf"per tile duration \(3\), got {re.escape(repr(steps))}"):
            ExcessPowerConfig(max_row_steps=steps)
    assert ExcessPowerConfig(max_row_steps=3).max_row_steps == (3, 3, 3)
    assert ExcessPowerConfig().max_row_steps == (2, 1, 1)  # two rows on the 1/32 s tiles, one on longer ones
    with pytest.raises(ValueError, match=r"pad must hold the longest chirp template and its last tile \(1.83125 s\), "
                                         "got 1.0"):
        ExcessPowerConfig(pad=1.0)
    assert ExcessPowerConfig(pad=1.0, chirps=None).pad == 1.0
    from mmlab.wdf.chirps import ChirpBank

    with pytest.raises(ValueError, match=r"every start frequency f0 \(900.0,\) Hz must lie below every turning "
                                         r"frequency f1 \(600.0, 800.0"):
        ChirpBank(f0=(900.0,))
    with pytest.raises(ValueError, match="durations must be positive numbers, got"):
        ChirpBank(durations=(0.5, -1.0))
    with pytest.raises(ValueError, match="quality must be a positive number, got 0"):
        ChirpBank(quality=0)


def test_network_threshold_at_a_false_alarm_probability():
    """FAP 1e-3 per hour is FAR = -ln(1 - 1e-3) / h: with 5000 h of background, (louder + 1) <= 5.0025 allows 4."""
    from mmlab.wdf.network import NetworkBackground, network_threshold

    background = NetworkBackground(np.arange(1.0, 101.0), 5000 * 3600.0, 5 * 3600.0, np.zeros(0), {})
    threshold = network_threshold(background, fap=1e-3, observation_time=3600.0)
    assert 96.0 < threshold <= 97.0 and np.count_nonzero(background.statistics >= threshold) == 4
    assert false_alarm_probability(background.far(threshold), 3600.0) <= 1e-3
    with pytest.raises(ValueError, match="cannot measure FAP 1e-06"):
        network_threshold(background, fap=1e-6)
    # 4 an hour over 50 h allows (louder + 1) <= 200 exactly: 199 louder, not one fewer from round-off.
    dense = NetworkBackground(np.arange(1.0, 1001.0), 50 * 3600.0, 3600.0, np.zeros(0), {})
    threshold = network_threshold(dense, fap=-np.expm1(-4.0), observation_time=3600.0)
    assert np.count_nonzero(dense.statistics >= threshold) == 199


@pytest.mark.parametrize("suffix", [".ecsv", ".h5"])
def test_event_tables_round_trip_through_the_trigger_files(search, stream, tmp_path, suffix):
    from mmlab.io import read_triggers, write_triggers

    events, _ = search_chunk(stream, search, flush=True)
    back = read_triggers(write_triggers(events, tmp_path / f"events{suffix}"))
    assert back.colnames == events.colnames and list(back["method"]) == list(events["method"])
    assert_allclose(back["statistic"], events["statistic"])
    assert [p.name for p in tmp_path.iterdir()] == [f"events{suffix}"]


def test_detectors_without_common_data_are_refused(search):
    from mmlab.wdf.network import data_candidates

    first = colored_noise("aLIGO", 8, FS, seed=13, t0=100.0, detector="H1")
    later = colored_noise("aLIGO", 8, FS, seed=14, t0=200.0, detector="L1")
    with pytest.raises(ValueError, match="share no time after their start-up"):
        data_candidates({"H1": first, "L1": later}, {"H1": search, "L1": search})
    with pytest.raises(ValueError, match=r"give a search for every detector"):
        data_candidates({"H1": first, "L1": later}, {"H1": search})
