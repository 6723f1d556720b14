"""The pipeline over Redis Streams: an importer, detector workers in other processes, a coordinator.

- The importer publishes every detector's chunks to its own stream
  (``<prefix>:chunks:<detector>``, ``XADD`` with ``MAXLEN`` trimming), holding
  back while the workers lag by more than ``max_lag`` chunks; a chunk from an
  unknown detector goes straight to the dead letters.
- A worker owns a detector through a lease (``SET NX PX``, renewed), reads its
  chunks in a consumer group (``XREADGROUP``), and first takes over what a
  dead worker left pending (``XAUTOCLAIM``). It commits each batch in one
  transaction that also checks it still holds the lease (``WATCH``): the
  detector's state (:func:`mmlab.core.state.to_bytes`), the events, the
  acknowledgements (``XACK``). A worker killed at any moment leaves either a
  committed batch or none, and its successor continues from the committed
  state: every chunk is processed once.
- Malformed messages, bad chunks and chunks delivered ``max_deliveries``
  times go to ``<prefix>:dead`` with their reason.
- The coordinator reads the events, runs the coincidence, classifier and
  alert stages (:mod:`mmlab.stream.stages`) and skips an event message it has
  already seen, so alerts are written once.

No broker logic is written here beyond these Redis commands; a Kafka transport
would implement the same few calls (publish to a topic per detector, consume
in a group, commit offsets with the state).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from mmlab.core.state import from_bytes, to_bytes
from mmlab.stream.alerts import AlertSink
from mmlab.stream.chunks import Chunk, ChunkError, check_chunk, decode_chunk, encode_chunk
from mmlab.stream.pipeline import (
    StreamConfig,
    StreamReport,
    _alert,
    _all_reported,
    build_searches,
    load_classifier,
    merge_chunks,
)
from mmlab.stream.stages import DetectorState, detector_step, initial_network_state, network_step

if TYPE_CHECKING:
    import redis

__all__ = ["connect", "run_redis_stream"]

#: Stream entries kept per detector (approximate trimming; the importer's back-pressure keeps far fewer).
MAXLEN = 20000

#: Milliseconds a detector lease lasts unless renewed.
LEASE_MS = 1500


def connect(url: str, attempts: int = 5, backoff: float = 0.2) -> redis.Redis:
    """A client of the Redis server at ``url``, retrying with exponential back-off.

    Raises
    ------
    ConnectionError
        Naming the address and the last error, after ``attempts`` tries.
    """
    import redis

    last = None
    for attempt in range(int(attempts)):
        try:
            client = redis.Redis.from_url(url)
            client.ping()
            return client
        except (redis.ConnectionError, redis.TimeoutError, ValueError) as exc:
            last = exc
            time.sleep(backoff * 2**attempt)
    raise ConnectionError(f"no Redis broker answers at {url} after {attempts} attempts ({last}); start one "
                          "(redis-server --port 6379) or use --broker memory")


def _keys(prefix: str, detector: str | None = None) -> dict[str, str]:
    return {"chunks": f"{prefix}:chunks:{detector}", "state": f"{prefix}:state:{detector}",
            "lease": f"{prefix}:lease:{detector}", "done": f"{prefix}:done:{detector}", "events": f"{prefix}:events",
            "dead": f"{prefix}:dead", "stop": f"{prefix}:stop", "group": f"{prefix}-workers"}


def _dead_letter(client, prefix: str, detector: str, sequence: int, reason: str, pipe=None) -> None:
    target = pipe if pipe is not None else client
    target.xadd(_keys(prefix)["dead"], {"detector": detector, "sequence": str(sequence), "reason": reason})


def _publish(client, prefix: str, chunks: Iterable[Chunk], config: StreamConfig, max_lag: int,
             published: dict[str, int]) -> None:
    """The importer: every chunk to its detector's stream (or the dead letters), with back-pressure.

    ``published`` counts each detector's chunks sent so far (read by the coordinator for the lag).
    """
    for chunk in chunks:
        if chunk.detector not in config.detectors:
            _dead_letter(client, prefix, chunk.detector, chunk.sequence, f"chunk {chunk.sequence} comes from "
                         f"detector {chunk.detector!r}; the pipeline runs {list(config.detectors)}")
            continue
        keys = _keys(prefix, chunk.detector)
        while published[chunk.detector] - int(client.get(keys["done"]) or 0) > max_lag:
            time.sleep(0.002)
        chunk = replace(chunk, available=time.time())  # available when it reaches the broker
        client.xadd(keys["chunks"], {"chunk": encode_chunk(chunk)}, maxlen=MAXLEN, approximate=True)
        published[chunk.detector] += 1
    for detector in config.detectors:
        client.xadd(_keys(prefix, detector)["chunks"], {"end": b"1"}, maxlen=MAXLEN, approximate=True)


def _worker(url: str, prefix: str, config: StreamConfig, learn: dict[str, np.ndarray], name: str,
            batch: int, share: int) -> None:
    """A detector worker: lease detectors, claim and read their chunks, commit state, events and acks together.

    It takes a free lease while it holds fewer than ``share``, or one that has stayed free for a while (its
    owner died and nobody else took it).
    """
    import redis

    from mmlab.core.strain import Strain

    client = connect(url)
    searches = build_searches(lambda d: Strain(learn[d], 0.0, config.sample_rate, d), config)
    states: dict[str, DetectorState | None] = {}
    free_for = {detector: 0 for detector in config.detectors}
    client.set(f"{prefix}:ready:{name}", b"1")
    while not client.exists(_keys(prefix)["stop"]):
        busy = False
        for index, detector in enumerate(config.detectors):
            keys = _keys(prefix, detector)
            owner = client.get(keys["lease"])
            free_for[detector] = free_for[detector] + 1 if owner is None else 0
            mine = owner == name.encode()
            held = sum(client.get(_keys(prefix, d)["lease"]) == name.encode() for d in config.detectors)
            wanted = owner is None and (held < share or free_for[detector] > 20)
            if wanted and client.set(keys["lease"], name, nx=True, px=LEASE_MS):
                stored = client.get(keys["state"])  # a new lease: continue from the committed state
                states[detector] = from_bytes(DetectorState, stored) if stored else None
            elif mine:
                client.pexpire(keys["lease"], LEASE_MS)
            else:
                continue
            messages = []
            _, claimed, _ = client.xautoclaim(keys["chunks"], keys["group"], name, min_idle_time=LEASE_MS,
                                              start_id="0-0", count=batch)
            messages += claimed
            if not messages:
                read = client.xreadgroup(keys["group"], name, {keys["chunks"]: ">"}, count=batch, block=20)
                messages += [m for _, entries in read for m in entries]
            if messages:
                busy = True
                try:
                    _commit(client, prefix, detector, index, messages, searches[detector], states, config, name)
                except redis.WatchError:
                    states.pop(detector, None)  # lost the lease meanwhile: another worker goes on
        if not busy:
            time.sleep(0.005)


def _commit(client, prefix: str, detector: str, index: int, messages: list, search, states: dict,
            config: StreamConfig, name: str) -> None:
    """Process a batch of one detector's messages and commit state, events and acks in one transaction."""
    keys = _keys(prefix, detector)
    state = states.get(detector)
    good, ids, dead, ended, duplicates = [], [], [], False, 0
    for message_id, fields in messages:
        ids.append(message_id)
        if b"end" in fields:
            ended = True
            continue
        delivered = client.xpending_range(keys["chunks"], keys["group"], message_id, message_id, 1)
        if delivered and delivered[0]["times_delivered"] > config.max_deliveries:
            dead.append((-1, f"delivered {delivered[0]['times_delivered']} times without being processed"))
            continue
        if b"chunk" not in fields:
            dead.append((-1, "message without a chunk field"))
            continue
        try:
            chunk = decode_chunk(fields[b"chunk"])
        except ChunkError as exc:
            dead.append((-1, str(exc)))
            continue
        try:
            check_chunk(chunk, config.detectors, config.sample_rate)
        except ChunkError as exc:
            dead.append((chunk.sequence, str(exc)))
            continue
        last = good[-1].sequence if good else (-1 if state is None else state.last_sequence)
        if chunk.sequence <= last:
            duplicates += 1
            dead.append((chunk.sequence, f"already processed: chunk {chunk.sequence} of {detector} after chunk {last}"))
            continue
        good.append(chunk)
    payload = None
    if good:
        runs, run = [], [good[0]]
        for chunk in good[1:]:
            contiguous = chunk.sequence == run[-1].sequence + 1 and abs(chunk.gps_start - run[-1].gps_end) < 1e-6
            if contiguous:
                run.append(chunk)
            else:
                runs.append(run)
                run = [chunk]
        runs.append(run)
        events, segments, reported, restarts = [], [], -np.inf, 0
        start = time.perf_counter()
        for run in runs:
            previous = state
            found, cut, reported, state = detector_step(merge_chunks(run), search, state, index, config.segment)
            restarts += 0 if previous is None else state.search.restarts - previous.search.restarts
            events.append(found)
            segments.append(cut)
        payload = {"detector": str(index), "sequence": str(good[-1].sequence), "reported": repr(reported),
                   "available": repr(min(c.available for c in good)), "count": str(len(good)),
                   "seconds": repr(sum(c.data.size / c.sample_rate for c in good)), "restarts": str(restarts),
                   "duplicates": str(duplicates), "latency": repr(time.perf_counter() - start),
                   "events": np.concatenate(events).astype("<f8").tobytes(),
                   "segments": np.concatenate(segments).astype("<f4").tobytes()}
    with client.pipeline() as pipe:
        pipe.watch(keys["lease"])
        if pipe.get(keys["lease"]) != name.encode():
            pipe.unwatch()
            states.pop(detector, None)
            return
        pipe.multi()
        if payload is not None:
            pipe.set(keys["state"], to_bytes(state))
            pipe.xadd(keys["events"], payload)
            pipe.incrby(keys["done"], len(good))
        for sequence, reason in dead:
            _dead_letter(client, prefix, detector, sequence, reason, pipe)
        if ended:
            pipe.xadd(keys["events"], {"detector": str(index), "end": b"1"})
        pipe.xack(keys["chunks"], keys["group"], *ids)
        pipe.execute()
    states[detector] = state


def run_redis_stream(chunks: Iterable[Chunk], config: StreamConfig, learn: dict[str, np.ndarray], url: str,
                     workers: int = 2, batch: int = 8, max_lag: int = 64, prefix: str | None = None,
                     kill_worker_after: int | None = None, timeout: float = 600.0,
                     sink: AlertSink | None = None,
                     on_progress: Callable[[StreamReport, int], None] | None = None) -> StreamReport:
    """The pipeline with detector workers in ``workers`` processes, chunks and events over Redis Streams.

    Parameters
    ----------
    chunks : iterable of Chunk
        The source.
    config : StreamConfig
        As for :func:`mmlab.stream.pipeline.run_stream`.
    learn : dict
        ``{detector: samples}`` the workers fit their whitening on (the same fits in every worker).
    url : str
        The Redis server, e.g. ``"redis://127.0.0.1:6379"``.
    workers : int
        Worker processes.
    batch : int
        Chunks a worker reads and processes at a time, at most.
    max_lag : int
        Chunks the importer lets a detector's workers fall behind.
    prefix : str, optional
        Key prefix of this run (default: unique).
    kill_worker_after : int, optional
        Kill the first worker with SIGKILL after this many event messages (a test that no chunk is lost
        or doubled).
    timeout : float
        Seconds to wait for the workers to finish.
    sink : AlertSink, optional
        Where alerts go (a new one by default).
    on_progress : callable, optional
        ``on_progress(report, lag)`` after every event message, ``lag`` the chunks published and not yet
        processed (a progress line, a dashboard).

    Returns
    -------
    StreamReport
        With the dead letters as ``rejected``.
    """
    for name, value in (("workers", workers), ("batch", batch), ("max_lag", max_lag)):
        if isinstance(value, bool) or int(value) != value or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    client = connect(url)
    prefix = prefix or f"mmlab:{os.getpid()}:{time.time_ns()}"
    for detector in config.detectors:
        keys = _keys(prefix, detector)
        client.xgroup_create(keys["chunks"], keys["group"], id="0", mkstream=True)
    context = multiprocessing.get_context("spawn")
    share = -(-len(config.detectors) // int(workers))
    processes = [context.Process(target=_worker, args=(url, prefix, config, learn, f"worker-{k}", batch, share),
                                 daemon=True) for k in range(int(workers))]
    for process in processes:
        process.start()
    model, classes, positive = load_classifier(config)
    report = StreamReport(sink=sink or AlertSink(), n_detectors=len(config.detectors))
    while sum(bool(client.exists(f"{prefix}:ready:worker-{k}")) for k in range(int(workers))) < int(workers):
        if any(not p.is_alive() for p in processes):
            raise RuntimeError("a stream worker died while starting; see its output above")
        time.sleep(0.05)
    start = time.perf_counter()
    published = {d: 0 for d in config.detectors}
    importer = threading.Thread(target=_publish, args=(client, prefix, chunks, config, max_lag, published),
                                daemon=True)
    importer.start()
    network = initial_network_state(len(config.detectors), config.segment)
    seen = {index: -1 for index in range(len(config.detectors))}
    ended, last_id, messages = set(), "0-0", 0
    deadline = time.monotonic() + timeout
    while len(ended) < len(config.detectors):
        if time.monotonic() > deadline:
            raise TimeoutError(f"the workers did not finish within {timeout:g} s ({len(ended)} of "
                               f"{len(config.detectors)} detectors ended)")
        read = client.xread({_keys(prefix)["events"]: last_id}, count=64, block=100)
        for _, entries in read:
            for message_id, fields in entries:
                last_id = message_id
                index = int(fields[b"detector"])
                if b"end" in fields:
                    ended.add(index)
                    continue
                sequence = int(fields[b"sequence"])
                if sequence <= seen[index]:
                    continue  # an event message already seen: alerts are written once
                seen[index] = sequence
                messages += 1
                if kill_worker_after is not None and messages == kill_worker_after:
                    os.kill(processes[0].pid, signal.SIGKILL)
                events = np.frombuffer(fields[b"events"], dtype="<f8").reshape(-1, 6)
                segments = np.frombuffer(fields[b"segments"], dtype="<f4").reshape(-1, config.segment)
                report.processed += int(fields[b"count"])
                report.data_seconds += float(fields[b"seconds"])
                report.restarts += int(fields[b"restarts"])
                report.duplicates += int(fields[b"duplicates"])
                report.latency["detector"].append(float(fields[b"latency"]))
                t1 = time.perf_counter()
                candidates, singles, network = network_step(events, segments, index, float(fields[b"reported"]),
                                                            config.window, network)
                report.latency["network"].append(time.perf_counter() - t1)
                report.singles += singles
                report.events.extend((index, float(e[2]), float(e[3])) for e in events)
                _alert(candidates, config, report, model, classes, positive, float(fields[b"available"]))
                if on_progress is not None:
                    report.wall_seconds = time.perf_counter() - start
                    on_progress(report, sum(published.values()) - report.processed - report.duplicates)
    candidates, singles, network = network_step(np.zeros((0, 6)), np.zeros((0, config.segment), np.float32), 0,
                                                np.inf, config.window, _all_reported(network))
    report.singles += singles
    _alert(candidates, config, report, model, classes, positive, time.time())
    report.wall_seconds = time.perf_counter() - start
    client.set(_keys(prefix)["stop"], b"1")
    for process in processes:
        process.join(timeout=10)
        if process.is_alive():
            process.kill()
    for _, fields in client.xrange(_keys(prefix)["dead"]):
        report.rejected.append((fields[b"detector"].decode(), int(fields[b"sequence"]), fields[b"reason"].decode()))
    client.delete(*client.scan_iter(f"{prefix}:*"))  # the run's streams, states and leases: nothing left behind
    return report

