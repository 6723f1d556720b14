"""Explicit stream state: chunked, serialised and restored streams equal one call bit for bit; gaps are reported."""

import json
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import signal

from mmlab import Strain
from mmlab.core.state import StreamGap
from mmlab.gw.inject import inject
from mmlab.gw.noise import colored_noise
from mmlab.gw.whiten import ARWhitener, WhiteningState, fit_ar_model, whiten_chunk
from mmlab.signals import blip, sine_gaussian
from mmlab.wdf import WaveletDetectionFilter, WDFState, detect_chunk

FS = 4096.0


def json_round_trip(state):
    """The state through JSON text and back, as it would cross a message broker."""
    return type(state).from_dict(json.loads(json.dumps(state.to_dict())))


def random_cuts(n_samples: int, n_chunks: int, seed: int) -> np.ndarray:
    """Chunk edges at random samples (odd sizes, not multiples of any block)."""
    cuts = np.sort(np.random.default_rng(seed).choice(np.arange(1, n_samples), n_chunks - 1, replace=False))
    return np.concatenate([[0], cuts, [n_samples]])


def chunks_of(strain: Strain, edges: np.ndarray):
    for first, last in zip(edges[:-1], edges[1:]):
        yield Strain(strain.data[first:last], t0=strain.t0 + first / strain.sample_rate,
                     sample_rate=strain.sample_rate, detector=strain.detector)


@pytest.fixture(scope="module")
def model():
    return fit_ar_model(colored_noise("AdV", 60, FS, seed=1, detector="V1"), 500)


@pytest.fixture(scope="module")
def stream():
    data = colored_noise("AdV", 40, FS, seed=2, t0=1e9, detector="V1")
    for k, (gps, snr) in enumerate([(1e9 + 10, 12.0), (1e9 + 22, 25.0), (1e9 + 31, 9.0)]):
        data = inject(data, sine_gaussian(150.0 + 120 * k, 9.0), gps, snr=snr, psd="AdV")
    return inject(data, blip(200.0), 1e9 + 27, snr=20.0, psd="AdV")


def test_whitening_is_the_prediction_error_filter(model, stream):
    """Overlap-save blocks equal a direct FIR filter (scipy's lfilter) to round-off."""
    whitened, _ = whiten_chunk(stream, model, flush=True)
    reference = signal.lfilter(model.filter, [1.0], stream.data)
    assert_allclose(whitened.data, reference, rtol=0, atol=1e-12 * np.abs(reference).max())


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_chunked_serialised_whitening_is_bit_identical(model, stream, seed):
    whole, whole_state = whiten_chunk(stream, model)
    state, pieces = None, []
    for chunk in chunks_of(stream, random_cuts(len(stream), 23, seed)):
        whitened, state = whiten_chunk(chunk, model, state)
        state = json_round_trip(state)
        if whitened is not None:
            pieces.append(whitened.data)
    assert np.array_equal(np.concatenate(pieces), whole.data)
    assert np.array_equal(state.history, whole_state.history) and state.next_gps == whole_state.next_gps


@pytest.fixture(scope="module")
def wdf():
    return WaveletDetectionFilter(ar_order=500, snr_threshold=6.0).fit(colored_noise("AdV", 60, FS, seed=3,
                                                                                      detector="V1"))


@pytest.mark.parametrize("seed", [0, 1])
def test_chunked_serialised_detection_gives_bit_identical_triggers(wdf, stream, seed):
    """A stream cut into odd chunks, its WDFState through JSON between every chunk, equals one call exactly."""
    from astropy.table import vstack

    whole, _ = detect_chunk(stream, wdf)
    assert len(whole) > 10
    state, tables = None, []
    for chunk in chunks_of(stream, random_cuts(len(stream), 31, seed)):
        triggers, state = detect_chunk(chunk, wdf, state)
        state = json_round_trip(state)
        tables.append(triggers)
    chunked = vstack([t for t in tables if len(t)])
    assert chunked.colnames == whole.colnames and len(chunked) == len(whole)
    for name in whole.colnames:
        assert np.array_equal(np.asarray(chunked[name]), np.asarray(whole[name])), name


def test_the_estimator_is_a_thin_wrapper_over_detect_chunk(wdf, stream):
    triggers, state = detect_chunk(stream, wdf)
    again = wdf.reset().detect(stream)
    assert np.array_equal(np.asarray(again["snr"]), np.asarray(triggers["snr"]))
    assert isinstance(wdf.state_, WDFState) and wdf.state_.to_dict() == state.to_dict()


def test_a_gap_is_reported_with_its_span_and_counted(wdf, stream):
    first = stream.crop(stream.t0, stream.t0 + 10)
    after_gap = stream.crop(stream.t0 + 12, stream.t0 + 20)
    _, state = detect_chunk(first, wdf)
    with pytest.warns(StreamGap, match=r"a gap of 2 s \(GPS 1000000010.000000 to 1000000012.000000 missing\)"):
        _, state = detect_chunk(after_gap, wdf, state)
    assert state.restarts == 1 and state.skip == wdf.startup_samples - min(wdf.startup_samples, len(after_gap))
    with pytest.warns(StreamGap, match="overlap or out-of-order chunk"):
        _, state = detect_chunk(first, wdf, state)
    assert state.restarts == 2
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # consecutive chunks: no warning
        detect_chunk(stream.crop(stream.t0 + 10, stream.t0 + 11), wdf, detect_chunk(first, wdf)[1])


def test_the_whitener_reports_a_gap_too(model, stream):
    whitener = ARWhitener(500).fit(colored_noise("AdV", 60, FS, seed=1, detector="V1"))
    whitener.transform(stream.crop(stream.t0, stream.t0 + 5))
    with pytest.warns(StreamGap, match="V1 whitening"):
        whitener.transform(stream.crop(stream.t0 + 6, stream.t0 + 7))
    assert whitener.state_.restarts == 1


def test_states_refuse_foreign_payloads(model):
    state = WhiteningState.fresh(model)
    with pytest.raises(ValueError, match="expected a serialised WDFState, got 'WhiteningState'"):
        WDFState.from_dict(state.to_dict())
    payload = state.to_dict()
    del payload["history"]
    with pytest.raises(ValueError, match="lacks its field 'history'"):
        WhiteningState.from_dict(payload)
    other = fit_ar_model(colored_noise("AdV", 60, FS, seed=1), 100)
    with pytest.raises(ValueError, match="belongs to a model of another order"):
        whiten_chunk(colored_noise("AdV", 1, FS, seed=2), other, state)
