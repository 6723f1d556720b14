"""Network candidates from single-detector events: coincidence, time-slide background, FAR and FAP.

Kept apart from filtering, as in PyCBC's ``events/coinc.py`` and
``events/significance.py``:

- :func:`coincident_candidates`: events of different detectors whose extents,
  widened by the network's light travel time, overlap form a candidate; its
  ranking statistic is the network SNR ``sqrt(Σ_d snr_d²)`` over the
  detectors that take part (each detector's loudest event in it, by
  :func:`ranking_snr`);
- :func:`time_slide_background`: the same on data whose detectors are shifted
  against each other by multiples of a slide longer than any event (circularly
  on the analysed span), so no astrophysical coincidence survives;
- :func:`false_alarm_rate`: ``FAR = (N_background(≥ x) + 1) / (slides × T)``
  (one more than counted: an unbiased, never-zero estimate, as wdflow's), and
  :func:`false_alarm_probability`: ``FAP = 1 − exp(−FAR · T_obs)``.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

import numpy as np

from mmlab.core.parallel import parallel_map
from mmlab.core.tables import table_with_units
from mmlab.wdf.events import check_events

if TYPE_CHECKING:
    from astropy.table import Table

__all__ = ["CANDIDATE_COLUMNS", "coincident_candidates", "event_arrays", "false_alarm_probability",
           "false_alarm_rate", "ranking_snr", "time_slide_background"]

#: Columns of a candidate table, with units (None: text); plus ``snr_<detector>`` per detector.
CANDIDATE_COLUMNS = {"gps_start": "s", "gps_end": "s", "gps_peak": "s", "detectors": None, "n_detectors": "",
                     "network_snr": ""}


def event_arrays(events_by_detector: dict[str, Table], selection: dict[str, float] | None = None
                 ) -> dict[str, dict[str, np.ndarray]]:
    """The columns coincidence needs (start, end, peak, snr), per detector, optionally above per-method statistics.

    Parameters
    ----------
    events_by_detector : dict
        ``{detector: event table}`` (:mod:`mmlab.wdf.events` schema).
    selection : dict, optional
        ``{method: least statistic}``, or ``{detector: {method: least statistic}}``: events below it take no
        part (keeps coincidences between loud events).

    Raises
    ------
    ValueError
        If fewer than two detectors are given or a table lacks event columns.
    """
    if len(events_by_detector) < 2:
        raise ValueError(f"coincidence needs events of at least two detectors, got {sorted(events_by_detector)}")
    arrays = {}
    for detector, events in events_by_detector.items():
        check_events(events, f"{detector} events")
        keep = np.ones(len(events), dtype=bool)
        chosen = selection.get(detector, {}) if selection and detector in selection else selection
        if chosen:
            method, statistic = np.asarray(events["method"]), np.asarray(events["statistic"], dtype=float)
            keep = np.zeros(len(events), dtype=bool)
            for name, least in chosen.items():
                keep |= (method == name) & (statistic >= least)
        arrays[detector] = {name: np.asarray(events[name], dtype=float)[keep]
                            for name in ("gps_start", "gps_end", "gps_peak")}
        arrays[detector]["snr"] = ranking_snr(events)[keep]
    return arrays


def ranking_snr(events: Table) -> np.ndarray:
    """Each event's SNR as the network statistic uses it, on one scale for both methods.

    The WDF's window SNR as it is; for an excess-power track ``sqrt(max(excess, 0))``, from its score above
    the penalty noise tiles pay (the track's ``snr`` column counts every tile's energy, noise included, so long
    noise tracks would rank high; see :mod:`mmlab.wdf.excess_power`); for a chirp template its significance, a
    standard normal deviate (:mod:`mmlab.wdf.chirps`).
    """
    method = np.asarray(events["method"])
    snr, statistic = np.asarray(events["snr"], dtype=float), np.asarray(events["statistic"], dtype=float)
    snr = np.where(method == "chirp", statistic, snr)
    return np.where(method == "excess_power", np.sqrt(np.maximum(statistic, 0.0)), snr)


def _groups(arrays: dict[str, dict[str, np.ndarray]], window: float, shifts: dict[str, float] | None = None,
            span: tuple[float, float] | None = None):
    """Group events of all detectors whose widened extents overlap (one sort, vectorised)."""
    detectors = list(arrays)
    starts, ends, peaks, snrs, owner = [], [], [], [], []
    for k, detector in enumerate(detectors):
        columns = arrays[detector]
        shift = 0.0 if shifts is None else shifts.get(detector, 0.0)
        start, end, peak = columns["gps_start"] + shift, columns["gps_end"] + shift, columns["gps_peak"] + shift
        if span is not None and shift:  # circular on the analysed span
            length = span[1] - span[0]
            wrapped = np.floor((start - span[0]) / length) * length
            start, end, peak = start - wrapped, end - wrapped, peak - wrapped
        starts.append(start - window / 2)
        ends.append(end + window / 2)
        peaks.append(peak)
        snrs.append(columns["snr"])
        owner.append(np.full(start.size, k))
    start, end, peak, snr, owner = (np.concatenate(parts) for parts in (starts, ends, peaks, snrs, owner))
    order = np.argsort(start, kind="stable")
    start, end, peak, snr, owner = start[order], end[order], peak[order], snr[order], owner[order]
    new = np.ones(start.size, dtype=bool)
    new[1:] = start[1:] > np.maximum.accumulate(end)[:-1]
    group = np.cumsum(new) - 1
    n_groups = int(group[-1]) + 1 if group.size else 0
    best = np.zeros((len(detectors), n_groups))
    for k in range(len(detectors)):
        mine = owner == k
        np.maximum.at(best[k], group[mine], snr[mine])
    return detectors, start, end, peak, snr, group, n_groups, best


def coincident_candidates(events_by_detector: dict[str, Table], window: float,
                          selection: dict[str, float] | None = None, min_detectors: int = 2) -> Table:
    """Candidates: events of at least ``min_detectors`` detectors within ``window`` s of each other.

    Parameters
    ----------
    events_by_detector : dict
        ``{detector: event table}`` on one time axis.
    window : float
        Largest arrival-time difference, s (:func:`mmlab.gw.coincidence.coincidence_window`).
    selection : dict, optional
        ``{method: least statistic}`` of events taking part (see :func:`event_arrays`).
    min_detectors : int
        Detectors a candidate needs.

    Returns
    -------
    astropy.table.Table
        :data:`CANDIDATE_COLUMNS` and ``snr_<detector>`` (0 where a detector has no event), loudest first.
    """
    if not np.isfinite(window) or window < 0:
        raise ValueError(f"window must be a non-negative number of seconds, got {window!r}")
    arrays = event_arrays(events_by_detector, selection)
    detectors, start, end, peak, snr, group, n_groups, best = _groups(arrays, window)
    taking_part = (best > 0).sum(axis=0)
    keep = taking_part >= min_detectors
    network = np.sqrt((best**2).sum(axis=0))
    first = np.full(n_groups, np.inf)
    last = np.full(n_groups, -np.inf)
    np.minimum.at(first, group, start + window / 2)
    np.maximum.at(last, group, end - window / 2)
    loudest = np.full(n_groups, -1)
    order = np.lexsort((-snr, group))
    firsts = np.flatnonzero(np.r_[True, group[order][1:] != group[order][:-1]]) if group.size else np.zeros(0, int)
    loudest[group[order][firsts]] = order[firsts]
    rows = np.flatnonzero(keep)
    table = table_with_units({
        "gps_start": first[rows], "gps_end": last[rows], "gps_peak": peak[loudest[rows]] if rows.size else np.zeros(0),
        "detectors": [",".join(d for k, d in enumerate(detectors) if best[k, g] > 0) for g in rows],
        "n_detectors": taking_part[rows], "network_snr": network[rows],
        **{f"snr_{d}": best[k, rows] for k, d in enumerate(detectors)},
    }, CANDIDATE_COLUMNS, meta={"window": float(window), "detectors": detectors})
    table.sort("network_snr", reverse=True)
    return table


def _slides(slide_numbers: np.ndarray, arrays, window: float, slide: float, span: tuple[float, float],
            min_detectors: int) -> np.ndarray:
    """Network statistics of the coincidences of the given slides (detector k shifted by k × n × slide)."""
    statistics = []
    detectors = list(arrays)
    for number in slide_numbers:
        shifts = {d: k * number * slide for k, d in enumerate(detectors)}
        _, _, _, _, _, _, n_groups, best = _groups(arrays, window, shifts, span)
        keep = (best > 0).sum(axis=0) >= min_detectors
        statistics.append(np.sqrt((best[:, keep] ** 2).sum(axis=0)))
    return np.concatenate(statistics) if statistics else np.zeros(0)


def time_slide_background(events_by_detector: dict[str, Table], span: tuple[float, float], window: float,
                          n_slides: int = 1000, slide: float | None = None, selection: dict[str, float] | None = None,
                          min_detectors: int = 2, scheduler: Any = None, batches: int = 8) -> tuple[np.ndarray, float]:
    """Network statistics of accidental coincidences: detectors shifted against each other, circularly.

    Parameters
    ----------
    events_by_detector : dict
        ``{detector: event table}`` of one analysed span.
    span : tuple of float
        GPS start and end of the analysed data (the ring the shifts wrap on).
    window : float
        Coincidence window, s.
    n_slides : int
        Number of slides; detector ``k`` is shifted by ``k × n × slide`` in slide ``n`` (1, …, ``n_slides``).
    slide : float, optional
        Shift unit, s; default the longest event plus the window (no event meets its own shifted copy).
    selection : dict, optional
        As for :func:`coincident_candidates`.
    min_detectors : int
        Detectors a background coincidence needs.
    scheduler
        Where the slides run (:func:`mmlab.core.parallel.parallel_map`); the result is the same.
    batches : int
        Pieces the slides are cut into.

    Returns
    -------
    statistics : numpy.ndarray
        Network SNR of every background coincidence, all slides together.
    live_time : float
        ``n_slides × span``, the background's duration in s.

    Raises
    ------
    ValueError
        If the slides do not fit in the span (``(detectors − 1) × n_slides × slide`` must stay below it, so no
        shift comes round to zero), or the span or the numbers are invalid.
    """
    start, end = (float(t) for t in span)
    if not end > start:
        raise ValueError(f"span must be (start, end) GPS with end > start, got {span!r}")
    if isinstance(n_slides, bool) or int(n_slides) != n_slides or n_slides < 1:
        raise ValueError(f"n_slides must be a positive integer, got {n_slides!r}")
    arrays = event_arrays(events_by_detector, selection)
    longest = max((float(np.max(a["gps_end"] - a["gps_start"])) for a in arrays.values() if a["gps_start"].size),
                  default=0.0)
    slide = longest + window if slide is None else float(slide)
    if not slide > longest:
        raise ValueError(f"slide must exceed the longest event ({longest:.3f} s), got {slide!r}")
    largest_shift = (len(arrays) - 1) * int(n_slides) * slide
    if largest_shift >= end - start:
        raise ValueError(f"{int(n_slides)} slides of {slide:g} s shift the last detector by {largest_shift:g} s, "
                         f"more than the {end - start:g} s of data: use fewer slides or a longer span")
    numbers = np.array_split(np.arange(1, int(n_slides) + 1), max(1, min(int(batches), int(n_slides))))
    work = functools.partial(_slides, arrays=arrays, window=window, slide=slide, span=(start, end),
                             min_detectors=min_detectors)
    parts = parallel_map(work, numbers, scheduler)
    return np.concatenate(parts), int(n_slides) * (end - start)


def false_alarm_rate(statistic, background: np.ndarray, background_time: float) -> np.ndarray:
    """``(N(background ≥ statistic) + 1) / background_time``, per second, for each statistic.

    Examples
    --------
    >>> false_alarm_rate([5.0, 9.0], np.array([4.0, 6.0, 8.0]), 100.0).tolist()
    [0.03, 0.01]
    """
    background = np.sort(np.asarray(background, dtype=float))
    statistic = np.asarray(statistic, dtype=float)
    louder = background.size - np.searchsorted(background, statistic, side="left")
    return (louder + 1) / float(background_time)


def false_alarm_probability(far, observation_time: float) -> np.ndarray:
    """Probability of at least one noise candidate this loud in ``observation_time`` s: ``1 − exp(−FAR T)``."""
    return -np.expm1(-np.asarray(far, dtype=float) * float(observation_time))
