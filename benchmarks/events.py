"""Events and significance: throughput of the combined search and cost of time slides, on one core.

Prints, for simulated Advanced LIGO noise at 4096 Hz (window 1024, overlap 768, six bases, AR 1000, WDF
threshold 9 as in ``wdf_throughput.py``):
- the real-time factor of whitening + WDF alone, and of whitening + WDF + the excess-power statistic
  (tracks on 1/32, 1/16 and 1/4 s tiles, and the g-mode chirp bank), measured in the same run (goals: >= 1000x
  and >= 300x), and of the search without the chirp bank;
- the CPU time of 1000 time slides of one day of three-detector events at 100 events per hour
  per detector (goal: <= 1 s), against a plain per-slide Python loop over event pairs.

Run: ``make bench`` or ``python benchmarks/events.py``.
"""

import time

import numpy as np
from _timing import best_cpu_seconds

from mmlab.gw.noise import colored_noise
from mmlab.wdf import WaveletDetectionFilter
from mmlab.wdf.events import events_from_clusters
from mmlab.wdf.excess_power import ExcessPowerConfig
from mmlab.wdf.search import TransientSearch, search_chunk
from mmlab.wdf.significance import time_slide_background

SAMPLE_RATE = 4096
SECONDS = 128.0


def throughput():
    learn = colored_noise("aLIGO", 200.0, SAMPLE_RATE, seed=1, detector="H1")
    data = colored_noise("aLIGO", SECONDS, SAMPLE_RATE, seed=2, t0=1e9, detector="H1")
    wdf_only = TransientSearch(WaveletDetectionFilter(snr_threshold=9.0), excess_power=None).fit(learn)
    both = TransientSearch(WaveletDetectionFilter(snr_threshold=9.0)).fit(learn)
    tracks = TransientSearch(WaveletDetectionFilter(snr_threshold=9.0), ExcessPowerConfig(chirps=None)).fit(learn)
    for search in (wdf_only, both, tracks):
        search_chunk(data.crop(1e9, 1e9 + 16), search, flush=True)  # imports, index tables, the chirp bank
    alone = best_cpu_seconds(lambda: search_chunk(data, wdf_only, flush=True), 3)
    combined = best_cpu_seconds(lambda: search_chunk(data, both, flush=True), 3)
    no_chirps = best_cpu_seconds(lambda: search_chunk(data, tracks, flush=True), 3)
    print(f"whitening + WDF {SECONDS / alone:,.0f}x real time (goal 1,000x); whitening + WDF + excess power "
          f"{SECONDS / combined:,.0f}x (goal 300x); the long statistic costs x{combined / alone:.1f} the WDF; "
          f"without the chirp bank {SECONDS / no_chirps:,.0f}x")


def day_of_events(detector, rng, per_hour=100):
    n = int(24 * per_hour)
    start = np.sort(rng.uniform(0, 86400.0, n))
    duration = rng.uniform(0.01, 0.5, n)
    zeros = np.zeros(n)
    return events_from_clusters({"gps_start": start, "gps_end": start + duration, "gps_peak": start + duration / 2,
                                 "duration": duration, "snr": rng.uniform(5, 10, n), "excess": rng.uniform(25, 100, n),
                                 "freq_min": zeros, "freq_max": zeros, "freq_peak": zeros}, detector, SAMPLE_RATE)


def plain_slides(events, n_slides, slide, window):
    """The obvious loop: every slide, every pair of detectors, every pair of events."""
    h1, l1 = (np.asarray(events[d]["gps_start"]) for d in ("H1", "L1"))
    count = 0
    for n in range(1, n_slides + 1):
        shifted = np.sort((l1 + n * slide) % 86400.0)
        for start in h1:
            count += np.count_nonzero(np.abs(shifted - start) < 0.5 + window)
    return count


def time_slides():
    rng = np.random.default_rng(3)
    events = {d: day_of_events(d, rng) for d in ("H1", "L1", "V1")}
    start = time.process_time()
    statistics, background_time = time_slide_background(events, (0.0, 86400.0), 0.027, n_slides=1000)
    cpu = time.process_time() - start
    two = {d: events[d] for d in ("H1", "L1")}
    loop_start = time.process_time()
    plain_slides(two, 20, 0.527, 0.01)
    loop = (time.process_time() - loop_start) * 1000 / 20
    print(f"1000 time slides of one day of H1+L1+V1 events (2,400 per detector): {cpu:.2f} s CPU (goal <= 1 s), "
          f"{statistics.size:,} background coincidences, {background_time / 3.156e7:.1f} years of background; "
          f"a per-slide loop over event pairs of two detectors: {loop:.0f} s per 1000 slides (x{loop / cpu:.0f})")


if __name__ == "__main__":
    throughput()
    time_slides()
