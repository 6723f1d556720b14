"""The real-time pipeline: chunks → whitening + WDF per detector → coincidence → classifier → alerts.

:func:`run_stream` runs it in this process, moving chunks and events through
in-memory queues (nothing to install). :func:`mmlab.stream.broker.run_redis_stream`
runs the same stages over Redis Streams, with detector workers in other
processes. Either way the result is a :class:`StreamReport`: the alerts, what
was rejected and why, and the latency of every stage for every chunk.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from mmlab.core.seeding import RandomState
from mmlab.core.strain import Strain
from mmlab.core.validation import check_integer, check_positive
from mmlab.gw.coincidence import coincidence_window
from mmlab.gw.detectors import detector_names
from mmlab.stream.alerts import AlertSink, alert_record
from mmlab.stream.chunks import Chunk, ChunkError, check_chunk
from mmlab.stream.stages import (
    classify,
    detector_step,
    initial_network_state,
    network_step,
)
from mmlab.wdf.chirps import ChirpBank
from mmlab.wdf.excess_power import ExcessPowerConfig
from mmlab.wdf.filter import WaveletDetectionFilter
from mmlab.wdf.network import NetworkBackground, network_background, network_threshold
from mmlab.wdf.search import TransientSearch

if TYPE_CHECKING:
    import keras

__all__ = ["STAGES", "StreamConfig", "StreamReport", "alert_threshold", "build_searches", "load_classifier",
           "merge_chunks", "run_stream"]

#: Stages whose latency is measured, in order; ``total`` runs from "chunk available" to "alert written".
STAGES = ("detector", "network", "classifier", "alert", "total")


@dataclass(frozen=True)
class StreamConfig:
    """What the pipeline runs.

    Parameters
    ----------
    detectors : tuple of str
        Detectors (or a network name such as ``"HLV"``).
    sample_rate : float
        Hz.
    wdf_threshold : float
        WDF trigger SNR.
    excess_power : bool
        Search for long transients (supernovae) with excess-power tracks too, in blocks of
        ``excess_power_block`` s (they add that much latency).
    excess_power_block : float
        Seconds per excess-power block.
    excess_power_tiles : tuple of float
        Tile durations of the excess-power tracks, s: the 1/32 and 1/16 s the alert threshold was chosen with,
        not the offline search's default, whose 1/4 s tiles for scattered light (a glitch here) raised the noise
        alerts of an hour of H1-L1-V1 design noise from 3 to 5.
    min_excess : float
        Excess-power tracks scoring less are dropped (the statistic's own default).
    chirps : bool
        Search the excess-power blocks with a small g-mode chirp bank too (:mod:`mmlab.wdf.chirps`): 45
        templates of 0.35, 0.6 and 0.95 s (the blocks' 1 s padding must hold them; the offline search's 210
        reach 1.8 s), for about 5 % of the pipeline's throughput (the offline bank's 150 templates up to 0.95 s
        cost about 20 %). It finds the long high-frequency supernovae the tracks miss (below).
    alert_snr : float
        Candidates with a lower network SNR raise no alert. At 8.1 the pipeline raises about one false alert an
        hour: 0.90 per hour in time slides of 6 h of H1-L1-V1 design noise (1000 slides, notebook 06's full
        profile); one a day needs 9.0, and :func:`alert_threshold` sets it for any rate. Without the chirp bank
        the same slides give 1.06 per hour at 8 (one a day at 8.9), and 8 was the default.
        Notebook 06's full profile (seeds 2026 and 11, 116 supernovae at network SNR 20-30) found and called
        0.93 / 0.92 of the supernovae with the chirp bank at 8.1 (0.95 for seed 2026 with the 150-template bank),
        against 0.87 / 0.85 with the tracks alone at 8; every glitch was rejected either way. Seed 11's own
        slides give 1.14 false alerts per hour at 8.1. Before the chirp bank, ``min_excess`` 5 or 6.5, and 1/8 or 1/4 s tiles beside the
        tracks', changed nothing (0.86-0.88 called at the same noise-alert count): the misses were detections
        of the long high-frequency family, which the tracks' penalty loses.
    classifier : str
        Shipped model (:func:`mmlab.ml.registry.pretrained_models`) that classifies candidates.
    segment : int
        Whitened samples around each event's peak the classifier sees.
    max_deliveries : int
        Redis: a chunk delivered this many times without success goes to the dead letters.
    """

    detectors: tuple = ("H1", "L1", "V1")
    sample_rate: float = 4096.0
    wdf_threshold: float = 6.0
    excess_power: bool = True
    excess_power_block: float = 2.0
    excess_power_tiles: tuple = (1 / 32, 1 / 16)
    min_excess: float = 8.0
    chirps: bool = True
    alert_snr: float = 8.1
    classifier: str = "ccsn/cnn1d"
    segment: int = 2048
    max_deliveries: int = 3

    def __post_init__(self):
        object.__setattr__(self, "detectors", detector_names(self.detectors))
        for name in ("sample_rate", "wdf_threshold", "excess_power_block", "alert_snr"):
            check_positive(name, getattr(self, name))
        excess_power = self.excess_power_config()  # checks the tiles, the block and min_excess
        excess_power.check_rate(self.sample_rate)
        object.__setattr__(self, "excess_power_tiles", excess_power.tile_durations)
        check_integer("segment", self.segment, 64)
        check_integer("max_deliveries", self.max_deliveries, 1)

    def excess_power_config(self) -> ExcessPowerConfig:
        """The excess-power statistic each detector's search runs (when ``excess_power`` is set)."""
        return ExcessPowerConfig(tile_durations=self.excess_power_tiles, block=self.excess_power_block, pad=1.0,
                                 min_excess=self.min_excess,
                                 chirps=ChirpBank(durations=(0.35, 0.6, 0.95), turning_fraction=(1.1,)) if self.chirps
                                 else None)

    @property
    def window(self) -> float:
        """Coincidence window: the network's largest light travel time, s."""
        return coincidence_window(self.detectors)


@dataclass
class StreamReport:
    """What a run did.

    Attributes
    ----------
    sink : AlertSink
        The alerts, once each.
    processed : int
        Chunks analysed.
    rejected : list of tuple
        ``(detector, sequence, reason)`` of every chunk set aside (the dead letters).
    duplicates : int
        Chunks recognised as already processed (duplicates, chunks out of order).
    restarts : int
        Stream restarts of all detectors (gaps).
    singles : int
        Single-detector groups of events released without a coincidence.
    latency : dict
        Seconds per stage (:data:`STAGES`), one entry per chunk (``total``: per alert).
    data_seconds : float
        Seconds of strain analysed (all detectors: divide by their number for time covered).
    wall_seconds : float
        Wall time of the run.
    n_detectors : int
        Detectors of the network.
    events : list of tuple
        ``(detector index, GPS peak, SNR)`` of every detector event (what the dashboard draws).
    started : float
        ``time.perf_counter()`` when the run began.
    """

    sink: AlertSink = field(default_factory=AlertSink)
    processed: int = 0
    rejected: list = field(default_factory=list)
    duplicates: int = 0
    restarts: int = 0
    singles: int = 0
    latency: dict = field(default_factory=lambda: {name: [] for name in STAGES})
    data_seconds: float = 0.0
    wall_seconds: float = 0.0
    n_detectors: int = 1
    events: list = field(default_factory=list)
    started: float = 0.0

    @property
    def realtime_factor(self) -> float:
        """Seconds of network data (every detector) analysed per wall-clock second."""
        return self.data_seconds / self.n_detectors / self.wall_seconds if self.wall_seconds else 0.0

    def percentile(self, stage: str, q: float) -> float:
        """Latency percentile of a stage, s (NaN without entries)."""
        values = self.latency[stage]
        return float(np.percentile(values, q)) if values else float("nan")


def build_searches(learn: Callable[[str], Strain], config: StreamConfig) -> dict[str, TransientSearch]:
    """A fitted WDF search per detector (whitening learnt on ``learn(detector)``), as the pipeline runs them."""
    excess_power = config.excess_power_config() if config.excess_power else None
    return {detector: TransientSearch(WaveletDetectionFilter(snr_threshold=config.wdf_threshold),
                                      excess_power=excess_power).fit(learn(detector)) for detector in config.detectors}


def alert_threshold(searches: dict[str, TransientSearch], config: StreamConfig, far_per_day: float = 1.0,
                    hours: float = 1.0, n_slides: int = 1000, seed: RandomState = None, scheduler: Any = None,
                    progress: bool = False) -> tuple[float, NetworkBackground]:
    """The network SNR at which the pipeline raises ``far_per_day`` false alerts a day, from time slides.

    Each detector's search (as the stream runs it: :func:`build_searches`) goes through ``hours`` of its
    own design noise; every event it reports takes part in the coincidences, as in :func:`network_step`,
    and the detectors are slid against each other ``n_slides`` times
    (:func:`mmlab.wdf.network.network_background` with ``single_rate=None``). The threshold is the least
    network SNR whose false-alarm rate is at most ``far_per_day``: pass it as ``StreamConfig(alert_snr=...)``.
    The background must be at least ``1 / far_per_day`` long (``hours × n_slides`` hours): a day for one
    false alert a day.

    Returns
    -------
    threshold : float
        Network SNR.
    background : NetworkBackground
        The slides (its :meth:`~mmlab.wdf.network.NetworkBackground.far` gives the false-alarm rate, per
        second, of any network SNR: of ``config.alert_snr``, say).
    """
    check_positive("far_per_day", far_per_day)
    check_positive("hours", hours)
    if set(searches) != set(config.detectors):
        raise ValueError(f"searches are for {sorted(searches)}, the configuration's detectors are "
                         f"{list(config.detectors)}")
    background = network_background({d: searches[d] for d in config.detectors}, hours, n_slides, seed=seed,
                                    sample_rate=config.sample_rate, single_rate=None, scheduler=scheduler,
                                    progress=progress)
    # The rate over an hour as a false-alarm probability: 1 − exp(−FAR × 1 h).
    return network_threshold(background, fap=-np.expm1(-far_per_day / 24.0), observation_time=3600.0), background


def load_classifier(config: StreamConfig) -> tuple[keras.Model, list[str], set[str]]:
    """The shipped classifier, its class names and the supernova classes among them."""
    from mmlab.ml.registry import load_pretrained

    model, card = load_pretrained(config.classifier, input_shape=(config.segment, 1))
    classes = list(card["classes"])
    return model, classes, {name for name in classes if name.startswith("ccsn")}


def merge_chunks(chunks: list[Chunk]) -> Chunk:
    """Consecutive chunks of one detector as one (the last sequence number, the earliest availability)."""
    if len(chunks) == 1:
        return chunks[0]
    first, last = chunks[0], chunks[-1]
    return Chunk(first.detector, last.sequence, first.gps_start, first.sample_rate,
                 np.concatenate([c.data for c in chunks]), first.quality, min(c.available for c in chunks))


def run_stream(chunks: Iterable[Chunk], searches: dict[str, TransientSearch], config: StreamConfig,
               sink: AlertSink | None = None, on_chunk: Callable[[StreamReport, Chunk], None] | None = None,
               classifier: tuple[keras.Model, list[str], set[str]] | None = None, batch: int = 1) -> StreamReport:
    """Run every stage in this process on a sequence of chunks.

    Parameters
    ----------
    chunks : iterable of Chunk
        The source, in arrival order.
    searches : dict
        ``{detector: fitted TransientSearch}`` (:func:`build_searches`).
    config : StreamConfig
        Detectors, classifier, thresholds.
    sink : AlertSink, optional
        Where alerts go (a new one by default).
    on_chunk : callable, optional
        ``on_chunk(report, chunk)`` after every chunk (a dashboard's update, a progress line).
    classifier : tuple, optional
        ``(model, classes, positive)`` already loaded (:func:`load_classifier`).
    batch : int
        Analyse a detector's chunks ``batch`` at a time (consecutive ones merged): the WDF's cost per call
        is spread over more data, at the price of up to ``batch − 1`` chunks of waiting.

    Returns
    -------
    StreamReport
    """
    model, classes, positive = classifier or load_classifier(config)
    report = StreamReport(sink=sink or AlertSink(), n_detectors=len(config.detectors))
    if isinstance(batch, bool) or int(batch) != batch or batch < 1:
        raise ValueError(f"batch must be a positive number of chunks, got {batch!r}")
    states = {detector: None for detector in config.detectors}
    buffers: dict[str, list[Chunk]] = {detector: [] for detector in config.detectors}
    network = initial_network_state(len(config.detectors), config.segment)
    start = report.started = time.perf_counter()
    for chunk in chunks:
        chunk = replace(chunk, available=time.time())  # available when the pipeline can take it
        try:
            check_chunk(chunk, config.detectors, config.sample_rate)
        except ChunkError as exc:
            report.rejected.append((chunk.detector, chunk.sequence, str(exc)))
            continue
        state, waiting = states[chunk.detector], buffers[chunk.detector]
        last = waiting[-1].sequence if waiting else (-1 if state is None else state.last_sequence)
        if chunk.sequence <= last:
            report.duplicates += 1
            report.rejected.append((chunk.detector, chunk.sequence,
                                    f"already processed: chunk {chunk.sequence} of {chunk.detector} after chunk {last}"))
            continue
        if waiting and (chunk.sequence != last + 1 or abs(chunk.gps_start - waiting[-1].gps_end) > 0.5 / chunk.sample_rate):
            network = _flush(waiting, searches, config, states, network, report, model, classes, positive, on_chunk)
        waiting.append(chunk)
        if len(waiting) >= batch:
            network = _flush(waiting, searches, config, states, network, report, model, classes, positive, on_chunk)
    for waiting in buffers.values():
        if waiting:
            network = _flush(waiting, searches, config, states, network, report, model, classes, positive, on_chunk)
    candidates, singles, network = network_step(np.zeros((0, 6)), np.zeros((0, config.segment), np.float32), 0,
                                                np.inf, config.window, _all_reported(network))
    report.singles += singles
    _alert(candidates, config, report, model, classes, positive, time.time())
    report.wall_seconds = time.perf_counter() - start
    return report


def _flush(waiting: list[Chunk], searches, config, states, network, report, model, classes, positive, on_chunk):
    """Process a detector's waiting chunks as one, and empty the list."""
    chunk, count = merge_chunks(waiting), len(waiting)
    waiting.clear()
    network, restarts = _process(chunk, searches, config, states, network, report, model, classes, positive,
                                 count)
    report.restarts += restarts
    if on_chunk is not None:
        report.wall_seconds = time.perf_counter() - report.started
        on_chunk(report, chunk)
    return network


def _all_reported(network):
    """The network state with every detector reported to the end (the stream is over)."""
    return replace(network, reported=np.full(network.reported.size, np.inf))


def _process(chunk: Chunk, searches, config: StreamConfig, states: dict, network, report: StreamReport, model,
             classes, positive, count: int = 1) -> tuple:
    """One good chunk through the detector, network, classifier and alert stages (latencies recorded)."""
    index = config.detectors.index(chunk.detector)
    previous = states[chunk.detector]
    t0 = time.perf_counter()
    events, segments, reported, state = detector_step(chunk, searches[chunk.detector], previous, index,
                                                      config.segment)
    t1 = time.perf_counter()
    candidates, singles, network = network_step(events, segments, index, reported, config.window, network)
    t2 = time.perf_counter()
    states[chunk.detector] = state
    report.events.extend((index, float(e[2]), float(e[3])) for e in events)
    report.processed += count
    report.singles += singles
    report.data_seconds += chunk.data.size / chunk.sample_rate
    report.latency["detector"].append(t1 - t0)
    report.latency["network"].append(t2 - t1)
    _alert(candidates, config, report, model, classes, positive, chunk.available)
    restarts = 0 if previous is None else state.search.restarts - previous.search.restarts
    return network, restarts


def _alert(candidates: list, config: StreamConfig, report: StreamReport, model, classes, positive,
           available: float) -> None:
    t2 = time.perf_counter()
    candidates = [c for c in candidates if c["network_snr"] >= config.alert_snr]
    classify(candidates, model, classes, positive)
    t3 = time.perf_counter()
    for candidate in candidates:
        latency = {"detector": report.latency["detector"][-1] if report.latency["detector"] else 0.0,
                   "network": report.latency["network"][-1] if report.latency["network"] else 0.0,
                   "classifier": t3 - t2}
        alert = alert_record(candidate, config.detectors, config.classifier, latency)
        alert["latency"]["total"] = time.time() - available
        report.sink.add(alert)
        report.latency["total"].append(alert["latency"]["total"])
    t4 = time.perf_counter()
    report.latency["classifier"].append(t3 - t2)
    report.latency["alert"].append(t4 - t3)
