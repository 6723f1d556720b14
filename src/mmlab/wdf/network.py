"""A network search on simulated data: per-detector searches, coincidence, time-slide background, efficiency.

Each detector (H1, L1, V1, or the ET triangle) runs its own
:class:`~mmlab.wdf.search.TransientSearch` on its own design noise; events
above a per-detector selection (a single-detector false-alarm rate measured on
the same noise) form coincident candidates (:mod:`mmlab.wdf.significance`),
ranked by network SNR against time slides of noise-only segments. Segments
are independent, each with its own seed, and run serially or over Dask with
the same numbers (:func:`mmlab.core.parallel.parallel_map`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from mmlab.core.parallel import parallel_map, spawn_seeds
from mmlab.core.seeding import RandomState
from mmlab.core.strain import Strain
from mmlab.gw.coincidence import coincidence_window
from mmlab.gw.detectors import DESIGN_PSD_OF, random_sky
from mmlab.gw.inject import add_signal, detector_signal, network_snr, optimal_snr
from mmlab.gw.noise import noise_stream
from mmlab.signals.waveform import Waveform
from mmlab.wdf.efficiency import _search_stream, method_thresholds
from mmlab.wdf.search import TransientSearch
from mmlab.wdf.significance import (
    coincident_candidates,
    false_alarm_rate,
    time_slide_background,
)

if TYPE_CHECKING:
    from astropy.table import Table

__all__ = ["NetworkBackground", "data_candidates", "network_background", "network_injection_campaign",
           "network_threshold"]

#: Seconds of noise per independent network background segment (1000 slides of 2 s events fit in it for 3 detectors).
SEGMENT = 7200.0


def _noise_streams(seed: np.random.SeedSequence, searches: dict[str, TransientSearch], duration: float,
                   chunk: float, sample_rate: float) -> dict[str, list]:
    """Independent design noise of every detector on one time axis (GPS 0 onwards), in chunks."""
    seeds = seed.spawn(len(searches))
    return {detector: list(noise_stream(DESIGN_PSD_OF[detector], duration, chunk, sample_rate,
                                        np.random.default_rng(s), detector=detector))
            for s, detector in zip(seeds, searches)}


def _background_segment(item, searches: dict[str, TransientSearch], chunk: float, sample_rate: float,
                        n_slides: int, single_rate: float) -> dict:
    seed, duration = item
    startup = max(search.startup_samples for search in searches.values()) / sample_rate
    streams = _noise_streams(seed, searches, duration + startup, chunk, sample_rate)
    events = {detector: _search_stream(searches[detector], chunks) for detector, chunks in streams.items()}
    selection = None if single_rate is None else {
        detector: method_thresholds(events[detector], duration, single_rate, searches[detector].floors(),
                                    searches[detector].methods) for detector in events}
    window = coincidence_window(list(searches))
    span = (startup, startup + duration)
    statistics, background_time = time_slide_background(events, span, window, n_slides, selection=selection)
    zero_lag = coincident_candidates(events, window, selection)
    return {"statistics": statistics, "background_time": background_time, "live_time": duration,
            "zero_lag": np.asarray(zero_lag["network_snr"], dtype=float), "selection": selection}


class NetworkBackground:
    """Time-slide background of a network search on simulated noise.

    Attributes
    ----------
    statistics : numpy.ndarray
        Network SNR of every accidental coincidence of every slide.
    background_time : float
        Slides × live time, s.
    live_time : float
        Seconds of (unshifted) noise searched.
    zero_lag : numpy.ndarray
        Network SNRs of the unshifted noise's candidates (false alarms: they should look like the background).
    selection : dict or None
        Per detector, the least statistic per method of events taking part (from the first segment); None when
        every event took part.
    """

    def __init__(self, statistics: np.ndarray, background_time: float, live_time: float, zero_lag: np.ndarray,
                 selection: dict):
        self.statistics = statistics
        self.background_time = background_time
        self.live_time = live_time
        self.zero_lag = zero_lag
        self.selection = selection

    def far(self, statistic) -> np.ndarray:
        """False-alarm rate of a network SNR, per second (:func:`mmlab.wdf.significance.false_alarm_rate`)."""
        return false_alarm_rate(statistic, self.statistics, self.background_time)


def network_background(searches: dict[str, TransientSearch], hours: float, n_slides: int = 1000,
                       seed: RandomState = None, chunk: float = 256.0, sample_rate: float = 4096.0,
                       single_rate: float | None = 30.0, scheduler: Any = None,
                       progress: bool = False) -> NetworkBackground:
    """Time slides of every detector's events on ``hours`` of independent design noise (in 1 h segments).

    Parameters
    ----------
    searches : dict
        ``{detector: fitted TransientSearch}``, each for its detector's design noise.
    hours : float
        Hours of noise (every detector), cut into segments of :data:`SEGMENT` s.
    n_slides : int
        Slides per segment (each segment is a ring of its own).
    seed : int, numpy.random.Generator or None
        Drives every segment.
    single_rate : float or None
        Single-detector false alarms per hour (per detector, all methods) of the events taking part; None lets
        every event the searches report take part (as the real-time pipeline's coincidence does).
    scheduler
        Where the segments run (:func:`mmlab.core.parallel.parallel_map`).

    Returns
    -------
    NetworkBackground
    """
    duration = float(hours) * 3600.0
    n_segments = max(1, int(np.ceil(duration / SEGMENT)))
    items = list(zip(spawn_seeds(seed, n_segments), np.full(n_segments, duration / n_segments)))
    work = functools.partial(_background_segment, searches=searches, chunk=chunk, sample_rate=sample_rate,
                             n_slides=n_slides, single_rate=single_rate)
    parts = parallel_map(work, items, scheduler, progress, "background")
    return NetworkBackground(np.concatenate([p["statistics"] for p in parts]),
                             float(sum(p["background_time"] for p in parts)), float(sum(p["live_time"] for p in parts)),
                             np.concatenate([p["zero_lag"] for p in parts]), parts[0]["selection"])


def network_threshold(background: NetworkBackground, fap: float, observation_time: float = 3600.0) -> float:
    """The least network SNR whose false-alarm probability over ``observation_time`` s is at most ``fap``.

    Raises
    ------
    ValueError
        If the background is too short to measure that rate (it needs ``background_time × FAR ≥ 1``).
    """
    if not 0 < fap < 1:
        raise ValueError(f"fap must be a probability in (0, 1), got {fap!r}")
    far = -np.log1p(-fap) / observation_time
    allowed = far * background.background_time - 1  # (louder + 1) / T <= FAR
    if allowed < 0:
        raise ValueError(f"a background of {background.background_time:.3g} s cannot measure FAP {fap:g} over "
                         f"{observation_time:g} s (FAR {far:.3g} Hz): it needs at least {1 / far:.3g} s; "
                         "add slides or hours")
    loudest = np.sort(background.statistics)[::-1]
    index = int(np.floor(allowed * (1 + 1e-12) + 1e-12))  # a rate given as a probability comes back a hair low
    return float(np.nextafter(loudest[index], np.inf)) if index < loudest.size else 0.0


def _injection_segment(item, searches: dict[str, TransientSearch], make_waveform, chunk: float, sample_rate: float,
                       spacing: float, selection: dict) -> dict[str, list]:
    seed, snrs = item
    source_seed, noise_seed = seed.spawn(2)
    rng = np.random.default_rng(source_seed)
    detectors = list(searches)
    startup = max(search.startup_samples for search in searches.values()) / sample_rate
    lead = startup + 2 * spacing
    duration = lead + spacing * (len(snrs) + 1)
    gps_times = lead + spacing * np.arange(len(snrs))
    injected = []
    for gps, target in zip(gps_times, snrs):
        waveform = make_waveform(rng)
        ra, dec, psi = (float(v[0]) for v in random_sky(1, rng))
        signals = {d: detector_signal(waveform, d, gps, ra, dec, psi) for d in detectors}
        network = network_snr(optimal_snr(signals[d], DESIGN_PSD_OF[d], sample_rate) for d in detectors)
        injected.append(({d: Strain(s.data * (target / network), s.t0, s.sample_rate, s.detector)
                          for d, s in signals.items()}, waveform.name))
    streams = _noise_streams(noise_seed, searches, duration, chunk, sample_rate)
    events = {}
    for detector, chunks in streams.items():
        with_signals = []
        for piece in chunks:
            for signals, _ in injected:
                signal = signals[detector]
                if signal.t0 < piece.t_end and signal.t_end > piece.t0:
                    piece = add_signal(piece, signal)
            with_signals.append(piece)
        events[detector] = _search_stream(searches[detector], with_signals)
    candidates = coincident_candidates(events, coincidence_window(detectors), selection)
    start, end = (np.asarray(candidates[c], dtype=float) for c in ("gps_start", "gps_end"))
    statistic = np.asarray(candidates["network_snr"], dtype=float)
    found = []
    for signals, _ in injected:
        begin, finish = min(s.t0 for s in signals.values()), max(s.t_end for s in signals.values())
        overlapping = (start <= finish) & (end >= begin)
        found.append(float(statistic[overlapping].max()) if overlapping.any() else -np.inf)
    return {"gps": list(gps_times), "snr": list(snrs), "name": [name for _, name in injected], "found_network": found}


def network_injection_campaign(searches: dict[str, TransientSearch], make_waveform: Callable[[np.random.Generator],
                               Waveform], network_snrs: Sequence[float], n_per_snr: int, selection: dict,
                               seed: RandomState = None, spacing: float = 4.0, chunk: float = 256.0,
                               sample_rate: float = 4096.0, scheduler: Any = None, per_segment: int = 50,
                               progress: bool = False) -> Table:
    """Inject one source into every detector (random sky, fixed network SNR) and record the loudest candidate on it.

    Parameters
    ----------
    searches : dict
        ``{detector: fitted TransientSearch}``.
    make_waveform : callable
        ``make_waveform(rng) -> Waveform`` (picklable for Dask), e.g. from :func:`mmlab.wdf.efficiency.study_signals`.
    network_snrs : sequence of float
        Optimal network SNRs; each gets ``n_per_snr`` injections (random order).
    n_per_snr : int
        Injections per SNR.
    selection : dict
        Per detector, the least statistic per method of events taking part (:attr:`NetworkBackground.selection`).
    seed : int, numpy.random.Generator or None
        Drives noise, waveforms, sky and order.
    scheduler
        Where the segments run.

    Returns
    -------
    astropy.table.Table
        ``gps``, ``snr`` (network), ``name``, ``found_network`` (largest network SNR of an overlapping
        candidate, −inf if none); :func:`mmlab.wdf.efficiency.efficiency_table` with ``{"network": threshold}``.
    """
    from astropy.table import Table

    order_seed, *segment_seeds = spawn_seeds(seed, 1 + int(np.ceil(len(network_snrs) * n_per_snr / per_segment)))
    snrs = np.random.default_rng(order_seed).permutation(np.repeat(np.asarray(network_snrs, dtype=float), n_per_snr))
    work = functools.partial(_injection_segment, searches=searches, make_waveform=make_waveform, chunk=chunk,
                             sample_rate=sample_rate, spacing=spacing, selection=selection)
    results = parallel_map(work, list(zip(segment_seeds, np.array_split(snrs, len(segment_seeds)))), scheduler,
                           progress, "network injections")
    return Table({name: np.concatenate([np.asarray(r[name]) for r in results]) for name in results[0]})


def data_candidates(strains: dict[str, Strain], searches: dict[str, TransientSearch], n_slides: int | None = None,
                    slide: float | None = None, remove_loudest: bool = True) -> tuple[Table, NetworkBackground]:
    """Network candidates in a stretch of real (or any) data, each with its FAR and FAP from time slides of it.

    Every detector's search runs over its whole strain (events after the
    start-up transient); coincident events form candidates; the background
    comes from shifting the detectors against each other on the common span,
    as many slides as fit (or ``n_slides``). With little data the background
    is short and the FAR is only bounded: a candidate louder than every slide
    gets ``FAR = 1 / (slides × span)``, which the FAP inherits.

    Parameters
    ----------
    strains : dict
        ``{detector: Strain}`` covering a common span.
    searches : dict
        ``{detector: fitted TransientSearch}``.
    n_slides : int, optional
        Slides (default: the most that fit in the span).
    slide : float, optional
        Shift unit, s (default: the longest event plus the coincidence window).
    remove_loudest : bool
        Leave the events of the loudest candidate out of the background (hierarchical removal, as PyCBC
        does): a real signal in one detector, slid against the other's noise, would otherwise make the
        background of its own candidate.

    Returns
    -------
    candidates : astropy.table.Table
        :func:`mmlab.wdf.significance.coincident_candidates` with ``far`` (1/s) and ``fap`` (over the span).
    background : NetworkBackground
    """
    from mmlab.wdf.significance import event_arrays

    if set(strains) != set(searches):
        raise ValueError(f"give a search for every detector: strains of {sorted(strains)}, searches of "
                         f"{sorted(searches)}")
    events = {d: _search_stream(searches[d], [strains[d]]) for d in strains}
    start = max(s.t0 + searches[d].startup_samples / s.sample_rate for d, s in strains.items())
    end = min(s.t_end for s in strains.values())
    if not end > start:
        raise ValueError(f"the detectors' data share no time after their start-up: {start:.3f} to {end:.3f} GPS")
    window = coincidence_window(list(strains))
    arrays = event_arrays(events)
    longest = max((float(np.max(a["gps_end"] - a["gps_start"])) for a in arrays.values() if a["gps_start"].size),
                  default=0.0)
    slide = longest + window if slide is None else float(slide)
    most = int(np.ceil((end - start) / ((len(strains) - 1) * slide))) - 1
    n_slides = most if n_slides is None else int(n_slides)
    if n_slides < 1:
        raise ValueError(f"{end - start:.3g} s of common data holds no slide of {slide:.3g} s")
    candidates = coincident_candidates(events, window)
    background_events = events
    if remove_loudest and len(candidates):
        loudest = candidates[0]
        background_events = {d: e[(np.asarray(e["gps_end"], dtype=float) < float(loudest["gps_start"]) - window)
                                  | (np.asarray(e["gps_start"], dtype=float) > float(loudest["gps_end"]) + window)]
                             for d, e in events.items()}
    statistics, background_time = time_slide_background(background_events, (start, end), window, n_slides, slide)
    far = false_alarm_rate(np.asarray(candidates["network_snr"], dtype=float), statistics, background_time)
    candidates["far"] = far
    candidates["fap"] = -np.expm1(-far * (end - start))
    candidates.meta.update({"n_slides": n_slides, "slide": slide, "live_time": end - start,
                            "background_time": background_time, "loudest_removed": bool(remove_loudest)})
    return candidates, NetworkBackground(statistics, background_time, end - start,
                                         np.asarray(candidates["network_snr"], dtype=float), {})
