"""The real-time pipeline: wire format, bad input, explicit state, alerts against their schema, Redis exactly once."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
import warnings
from dataclasses import replace

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from mmlab.core.state import from_bytes, to_bytes
from mmlab.stream.alerts import AlertSink, alert_schema, avro_bytes, read_avro
from mmlab.stream.chunks import Chunk, ChunkError, check_chunk, decode_chunk, encode_chunk
from mmlab.stream.pipeline import STAGES, StreamConfig, build_searches, load_classifier, run_stream
from mmlab.stream.sources import BAD_KINDS, SimulatedSource
from mmlab.stream.stages import DetectorState, detector_step, pool_probabilities

CONFIG = StreamConfig(detectors=("H1", "L1", "V1"))


def make_source() -> SimulatedSource:
    """Two minutes of H1-L1-V1 with supernovae, a BBH, glitches and one bad chunk of each kind."""
    return SimulatedSource(CONFIG.detectors, duration=120.0, seed=5, injection_interval=10.0,
                           kinds=("ccsn", "sine_gaussian", "bbh", "blip"), snr_range=(20.0, 30.0), bad_chunks=True)


@pytest.fixture(scope="module")
def simulated():
    """The source, its chunks (as sent), fitted searches, the classifier and the in-process run."""
    source = make_source()
    chunks = list(source.chunks())
    searches = build_searches(source.learn, CONFIG)
    classifier = load_classifier(CONFIG)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the gap
        report = run_stream(chunks, searches, CONFIG, classifier=classifier)
    return source, chunks, searches, classifier, report


def a_chunk(**changes) -> Chunk:
    chunk = Chunk("H1", 3, 1126259460.0, 4096.0, np.random.default_rng(0).normal(size=4096), available=12.5)
    return replace(chunk, **changes)


# --- wire format and bad chunks ---------------------------------------------------------------------------------


def test_a_chunk_survives_the_wire_bit_for_bit():
    chunk = a_chunk()
    back = decode_chunk(encode_chunk(chunk))
    assert (back.detector, back.sequence, back.gps_start, back.sample_rate, back.quality, back.available) == (
        "H1", 3, 1126259460.0, 4096.0, 0, 12.5)
    assert_array_equal(back.data, chunk.data)
    assert back.gps_end == 1126259461.0


@pytest.mark.parametrize(("message", "reason"), [
    (b"not json", r"malformed chunk message \(JSONDecodeError: Expecting value"),
    (encode_chunk(a_chunk())[:-8], r"message announces 4096 samples but holds 32760 bytes"),
    (b'{"detector": "H1"}\n', r"malformed chunk message \(KeyError: 'samples'\)"),
    (encode_chunk(a_chunk(sample_rate=0.0)), r"malformed chunk message: GPS 1126259460.0, sample rate 0.0"),
])
def test_a_malformed_message_is_named_not_executed(message, reason):
    with pytest.raises(ChunkError, match=reason):
        decode_chunk(message)


@pytest.mark.parametrize(("changes", "reason"), [
    ({"detector": "X1"}, r"chunk 3 comes from detector 'X1'; the pipeline runs \['H1', 'L1', 'V1'\]"),
    ({"sample_rate": 2048.0}, r"H1 chunk 3 is sampled at 2048 Hz, the pipeline at 4096 Hz"),
    ({"quality": 4}, r"H1 chunk 3 has data-quality flag 4"),
    ({"data": np.array([0.0, np.nan, np.inf, 1.0])}, r"H1 chunk 3 \(GPS 1126259460.000\) has 2 NaN or infinite"),
    ({"data": np.zeros(0)}, r"H1 chunk 3 holds no 1-D samples \(shape \(0,\)\)"),
])
def test_a_bad_chunk_is_refused_with_its_reason(changes, reason):
    with pytest.raises(ChunkError, match=reason):
        check_chunk(a_chunk(**changes), CONFIG.detectors, 4096.0)


def test_a_good_chunk_passes_unchanged():
    chunk = a_chunk()
    assert check_chunk(chunk, CONFIG.detectors, 4096.0) is chunk


def test_the_source_is_continuous_and_reproducible():
    source, again = make_source(), make_source()
    first = list(source.chunks())[:30]
    for other in (list(again.chunks())[:30], list(source.chunks())[:30]):  # another source, or the same twice
        for a, b in zip(first, other, strict=True):
            assert (a.detector, a.sequence, a.gps_start) == (b.detector, b.sequence, b.gps_start)
            assert_array_equal(a.data, b.data)
    assert_array_equal(source.learn("L1").data, again.learn("L1").data)
    assert_array_equal(source.learn("L1").data, source.learn("L1").data)
    h1 = [c for c in first if c.detector == "H1"]
    assert [c.sequence for c in h1] == list(range(len(h1)))
    assert all(abs(a.gps_end - b.gps_start) < 1e-9 for a, b in zip(h1, h1[1:]))
    assert source.truth["kind"][0] == "ccsn" and source.truth["detectors"][0] == "H1,L1,V1"


def test_the_gwosc_replay_leaves_a_gap_between_loops(mirror):
    from mmlab.stream.sources import gwosc_replay

    h1 = [c for c in gwosc_replay("GW150914", ("H1", "L1"), loops=2) if c.detector == "H1"]
    assert len(h1) == 64 and h1[0].gps_start == 1126259446.0 and h1[31].gps_end == 1126259478.0
    assert h1[32].gps_start == 1126259479.0 and h1[32].sequence == 33  # one chunk missing
    assert_array_equal(h1[32].data, h1[0].data)


# --- explicit state ---------------------------------------------------------------------------------------------


def test_a_detector_stage_restored_from_bytes_continues_exactly(simulated):
    """Serialise the state mid-stream (as a Redis worker commits it), restore it, go on: the same events."""
    _, chunks, searches, _, _ = simulated
    h1 = [c for c in chunks if c.detector == "H1"][:90]
    straight, state = [], None
    for chunk in h1:
        events, _, _, state = detector_step(chunk, searches["H1"], state, 0)
        straight.append(events)
    resumed, state = [], None
    for k, chunk in enumerate(h1):
        if k == 57:
            state = from_bytes(DetectorState, to_bytes(state))
        events, _, _, state = detector_step(chunk, searches["H1"], state, 0)
        resumed.append(events)
    assert_array_equal(np.concatenate(straight), np.concatenate(resumed))
    assert np.concatenate(straight).shape[0] >= 1  # the binary black hole at 79.6 s
    restored = DetectorState.from_dict(json.loads(json.dumps(state.to_dict())))
    assert_array_equal(restored.history, state.history) and restored.last_sequence == 89


# --- the in-process run -----------------------------------------------------------------------------------------


def test_every_chunk_is_processed_once_and_every_bad_one_accounted_for(simulated):
    source, chunks, _, _, report = simulated
    assert [kind for kind, _, _ in source.bad] == list(BAD_KINDS)
    good = {(c.detector, c.sequence) for c in chunks if c.detector in CONFIG.detectors
            and c.sample_rate == CONFIG.sample_rate and np.isfinite(c.data).all()}
    assert len(good) == 3 * 120 - 1  # the gap never arrived
    assert report.processed == len(good)
    reasons = [reason for _, _, reason in report.rejected]
    assert len(reasons) == 5 and report.duplicates == 2 and report.restarts == 1
    for expected in ("NaN or infinite", "already processed: chunk 67 of V1", "already processed: chunk 73 of V1",
                     "sampled at 2048 Hz", "comes from detector 'X1'"):
        assert sum(expected in reason for reason in reasons) == 1, expected
    assert report.data_seconds == pytest.approx(len(good))


def test_the_binary_black_hole_is_alerted_and_glitches_are_not(simulated):
    source, _, _, _, report = simulated
    alerts = list(report.sink.alerts.values())
    for row in source.truth:
        on = [a for a in alerts if a["gps_start"] - 0.5 <= row["gps"] <= a["gps_start"] + a["duration"] + 0.5]
        if row["kind"] == "bbh":
            assert len(on) == 1 and on[0]["detectors"] == ["H1", "L1", "V1"]
            assert_allclose(on[0]["network_snr"], row["snr"], rtol=0.5)
            assert on[0]["p_astrophysical_ccsn"] < 0.5
        elif row["kind"] in ("sine_gaussian", "blip"):
            assert all(a["p_astrophysical_ccsn"] < 0.5 for a in on)
    assert report.sink.duplicates == 0


def test_batched_analysis_writes_the_same_alerts(simulated):
    """Eight chunks at a time (8 s, longer than the whitened history a detector keeps) classify the same segments."""
    _, chunks, searches, classifier, report = simulated
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        batched = run_stream(chunks, searches, CONFIG, classifier=classifier, batch=8)
    assert sorted(batched.sink.alerts) == sorted(report.sink.alerts) and report.sink.alerts
    for key, alert in report.sink.alerts.items():
        assert_allclose(batched.sink.alerts[key]["network_snr"], alert["network_snr"], rtol=1e-9)
        assert batched.sink.alerts[key]["classification"].keys() == alert["classification"].keys()
        assert_allclose(list(batched.sink.alerts[key]["classification"].values()),
                        list(alert["classification"].values()), atol=1e-5, err_msg=key)
    assert batched.processed == report.processed and batched.rejected == report.rejected


def test_a_candidate_pools_its_members_probabilities():
    """Classes: noise, ccsn, glitch. Hand-worked cases of the rule, and its limits."""
    one = np.array([[0.2, 0.5, 0.3]])
    assert_allclose(pool_probabilities(one, np.array([7.0]), noise=0), one[0])  # one member: its own probabilities
    # A member sure it saw noise does not vote on which signal the other one saw.
    pooled = pool_probabilities(np.array([[1.0, 0.0, 0.0], [0.0, 0.9, 0.1]]), np.array([20.0, 5.0]), noise=0)
    assert_allclose(pooled, [0.0, 0.9, 0.1])
    # Signal members vote with weight SNR² × P(signal): 9 × 0.5 × [0.3, 0.2] + 16 × 1 × [0.1, 0.9], normalised ...
    p = np.array([[0.5, 0.3, 0.2], [0.0, 0.1, 0.9]])
    which = 9 * 0.5 * p[0, 1:] + 16 * 1.0 * p[1, 1:]
    assert_allclose(pool_probabilities(p, np.array([3.0, 4.0]), noise=0), np.r_[0.0, which / which.sum()])
    # ... and the candidate holds a signal as surely as its surest member.
    p = np.array([[0.6, 0.3, 0.1], [0.8, 0.1, 0.1]])
    pooled = pool_probabilities(p, np.array([3.0, 4.0]), noise=0)
    assert_allclose(pooled[0], 0.6)
    assert_allclose(pooled.sum(), 1.0)
    assert_allclose(pool_probabilities(np.ones((2, 3)) * [1, 0, 0], np.array([3.0, 4.0]), noise=0), [1, 0, 0])
    # Without a noise class: the SNR²-weighted mean.
    p = np.random.default_rng(1).dirichlet(np.ones(3), size=4)
    snr = np.array([5.0, 6.0, 9.0, 12.0])
    assert_allclose(pool_probabilities(p, snr, noise=None), np.average(p, axis=0, weights=snr ** 2))


def test_latencies_are_measured_per_stage(simulated):
    report = simulated[-1]
    assert len(report.latency["detector"]) == report.processed
    assert len(report.latency["total"]) == len(report.sink.alerts)
    assert all(0 < report.percentile(stage, 50) <= report.percentile(stage, 99) for stage in report.latency)
    with pytest.raises(ValueError, match=r"batch must be a positive number of chunks, got 0"):
        run_stream([], simulated[2], CONFIG, classifier=simulated[3], batch=0)


def test_time_slides_predict_the_stream_s_false_alerts():
    """The alert threshold's background (time slides through :mod:`mmlab.wdf.significance`) predicts how often the
    stream's own network stage alerts on noise alone: 20 minutes of H1-L1-V1 noise at a low alert threshold raise
    as many alerts as the slides' rate says (Poisson), and the threshold for a rate sits where the slides reach it."""
    from scipy import stats

    from mmlab.stream.pipeline import alert_threshold

    config = replace(CONFIG, alert_snr=6.5)  # low, so that twenty minutes hold alerts enough to count
    quiet = SimulatedSource(config.detectors, duration=1200.0, seed=31, injection_interval=1e9)
    searches = build_searches(quiet.learn, config)
    threshold, background = alert_threshold(searches, config, far_per_day=96.0, hours=0.5, n_slides=100, seed=3)
    assert background.background_time == pytest.approx(100 * 1800.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        report = run_stream(quiet.chunks(), searches, config, classifier=load_classifier(config), batch=8)
    expected, seen = background.far(config.alert_snr) * 1200.0, len(report.sink.alerts)
    assert expected > 2 and stats.poisson.cdf(seen, expected) > 1e-3 and stats.poisson.sf(seen - 1, expected) > 1e-3
    assert background.far(threshold) * 3600 <= 4.0 < background.far(threshold - 1e-9) * 3600  # 96 a day: 4 an hour
    with pytest.raises(ValueError, match=r"far_per_day must be a finite positive number, got 0"):
        alert_threshold(searches, config, far_per_day=0)
    with pytest.raises(ValueError, match=r"searches are for \['H1', 'L1'\], the configuration's detectors are"):
        alert_threshold({d: searches[d] for d in ("H1", "L1")}, config)


# --- alerts -----------------------------------------------------------------------------------------------------


def test_alerts_follow_their_avro_schema(simulated):
    import fastavro.validation

    alerts = sorted(simulated[-1].sink.alerts.values(), key=lambda a: a["gps_time"])
    assert all(fastavro.validation.validate(alert, alert_schema(), raise_errors=False) for alert in alerts)
    assert read_avro(avro_bytes(alerts)) == alerts
    broken = dict(alerts[0], network_snr="loud")
    assert not fastavro.validation.validate(broken, alert_schema(), raise_errors=False)
    with pytest.raises(fastavro.validation.ValidationError, match="network_snr"):
        avro_bytes([broken])
    alert = alerts[0]
    assert set(alert["classification"]) == set(simulated[3][1])
    assert_allclose(sum(alert["classification"].values()), 1.0, rtol=1e-5)
    assert set(alert["latency"]) == {"detector", "network", "classifier", "total"}


def test_the_sink_keeps_an_alert_once_and_writes_both_files(simulated, tmp_path):
    alerts = list(simulated[-1].sink.alerts.values())
    sink = AlertSink(tmp_path)
    assert [sink.add(a) for a in alerts + alerts[:1]] == [True] * len(alerts) + [False]
    assert sink.duplicates == 1
    sink.write()
    lines = (tmp_path / "alerts.jsonl").read_text().splitlines()
    assert [json.loads(line)["alert_id"] for line in lines] == sorted(sink.alerts, key=lambda k: sink.alerts[k]["gps_time"])
    assert len(read_avro((tmp_path / "alerts.avro").read_bytes())) == len(alerts)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["alerts.avro", "alerts.jsonl"]


def test_the_dashboard_draws_what_the_report_holds(simulated):
    from mmlab.stream.dashboard import StreamBoard, counters_html

    source, chunks, _, _, report = simulated
    board = StreamBoard(CONFIG.detectors, every=1)
    board.update(report, chunks[-2], force=True)
    html = counters_html(report, lag=3)
    assert f"{report.processed}" in html and "lag" in html
    assert sum(len(trace.x) for trace in board.triggers.figure.data) == len(report.events) > 0
    assert [trace.name for trace in board.triggers.figure.data] == list(CONFIG.detectors)
    for stage, trace in zip(STAGES, board.latency.figure.data):  # each stage's cumulative distribution
        values = np.maximum(report.latency[stage], 1e-6)
        assert trace.name == stage and (trace.x[0], trace.x[-1]) == (values.min(), values.max())
        assert trace.y[0] == 0.0 and trace.y[-1] == 1.0 and np.all(np.diff(trace.x) >= 0)
        below = np.array([np.mean(values < x) for x in trace.x])  # the empirical distribution at each point
        at_or_below = np.array([np.mean(values <= x) for x in trace.x])
        assert np.all(below <= np.array(trace.y) + 1e-9) and np.all(at_or_below >= np.array(trace.y) - 1e-9)

    # Redrawn every 60 chunks of three detectors (always the same one's turn), the strain panel still shows the
    # latest chunk of each detector.
    board = StreamBoard(CONFIG.detectors, every=60)
    for chunk in chunks:
        board.update(report, chunk)
    board.update(report, force=True)
    for detector, trace in zip(CONFIG.detectors, board.strain.figure.data):
        latest = [c for c in chunks if c.detector == detector][-1]
        assert trace.name == detector and trace.x[0] == latest.gps_start and trace.y[0] == latest.data[0]
    assert str(len(report.sink.alerts)) in board.counters.value and board.alerts.value.count("<tr>") == 1 + min(
        12, len(report.sink.alerts))


# --- Redis Streams ----------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def redis_url():
    """A throw-away redis-server on 127.0.0.1 (no persistence), stopped after the module's tests."""
    executable = shutil.which("redis-server")
    if executable is None:
        if os.environ.get("MMLAB_REQUIRE_REDIS"):
            pytest.fail("MMLAB_REQUIRE_REDIS is set but redis-server is not installed (apt-get install redis-server)")
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    port = free_port()
    server = subprocess.Popen([executable, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                               "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    from mmlab.stream.broker import connect

    try:
        connect(f"redis://127.0.0.1:{port}", attempts=8, backoff=0.05)
        yield f"redis://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.mark.redis
def test_over_redis_the_alerts_are_those_of_the_in_process_run(simulated, redis_url):
    from mmlab.stream.broker import connect, run_redis_stream

    source, chunks, _, _, report = simulated
    learn = {d: source.learn(d).data for d in CONFIG.detectors}
    over = run_redis_stream(chunks, CONFIG, learn, redis_url, workers=2, batch=4)
    assert sorted(over.sink.alerts) == sorted(report.sink.alerts)
    assert over.processed == report.processed and over.restarts == report.restarts
    assert sorted(over.rejected) == sorted(report.rejected)
    assert connect(redis_url).dbsize() == 0  # the run cleaned up after itself


@pytest.mark.redis
def test_a_killed_worker_loses_nothing_and_doubles_nothing(simulated, redis_url):
    from mmlab.stream.broker import run_redis_stream

    source, chunks, _, _, report = simulated
    learn = {d: source.learn(d).data for d in CONFIG.detectors}
    over = run_redis_stream(chunks, CONFIG, learn, redis_url, workers=2, batch=4, kill_worker_after=12)
    assert over.processed == report.processed  # each good chunk once: none lost, none twice
    assert sorted(over.sink.alerts) == sorted(report.sink.alerts) and over.sink.duplicates == 0


@pytest.mark.redis
def test_a_malformed_message_goes_to_the_dead_letters(simulated, redis_url):
    from mmlab.stream.broker import connect, run_redis_stream

    source, chunks, _, _, _ = simulated
    config = StreamConfig(detectors=("H1", "L1"), excess_power=False)
    client = connect(redis_url)
    client.xadd("broken:chunks:H1", {"chunk": b"garbage"})
    client.xadd("broken:chunks:L1", {"nothing": b"here"})
    learn = {d: source.learn(d).data for d in config.detectors}
    few = [c for c in chunks if c.detector in ("H1", "L1") and c.sequence < 12]
    over = run_redis_stream(few, config, learn, redis_url, workers=1, prefix="broken")
    reasons = sorted(reason for _, _, reason in over.rejected)
    assert reasons == ["malformed chunk message (JSONDecodeError: Expecting value: line 1 column 1 (char 0))",
                       "message without a chunk field"]
    assert over.processed == len(few)


def test_an_unreachable_broker_is_a_clear_error():
    from mmlab.stream.broker import connect

    port = free_port()
    started = time.monotonic()
    with pytest.raises(ConnectionError, match=rf"no Redis broker answers at redis://127.0.0.1:{port} after 3 attempts"):
        connect(f"redis://127.0.0.1:{port}", attempts=3, backoff=0.01)
    assert time.monotonic() - started >= 0.01 + 0.02  # it backed off between attempts


def test_redis_run_arguments_are_checked(simulated):
    from mmlab.stream.broker import run_redis_stream

    with pytest.raises(ValueError, match=r"workers must be a positive integer, got 0"):
        run_redis_stream([], CONFIG, {}, "redis://127.0.0.1:1", workers=0)
