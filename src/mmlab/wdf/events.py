"""Candidate events: one table schema for the WDF's clustered triggers and the excess-power tracks.

Every search stage of mmlab reports events in this schema
(:data:`EVENT_COLUMNS`), so that coincidence, time slides, efficiency and the
trigger files (:func:`mmlab.io.write_triggers`, ECSV or HDF5, written
atomically) treat them alike:

- ``detector``, ``method`` (``"wdf"``, ``"excess_power"`` for tracks or ``"chirp"`` for the g-mode chirp bank);
- ``gps_start``, ``gps_end``: the event's extent (GPS s); ``gps_peak``: its loudest moment;
- ``duration`` (s), ``freq_min``, ``freq_max``, ``freq_peak`` (Hz);
- ``snr``: an estimate of the matched-filter SNR the event holds (the WDF's
  loudest window; ``sqrt(Σ(E − 1))`` along a track);
- ``statistic``: what ranks the method's events against its own background
  (the WDF's ``snr`` or ``snr_combined``; a track's score, ``excess``; a chirp template's significance).

Statistics of different methods are not on one scale: each is compared with
its own method's background (:mod:`mmlab.wdf.efficiency`, :mod:`mmlab.wdf.significance`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from mmlab.core.tables import table_with_units

if TYPE_CHECKING:
    from astropy.table import Table

__all__ = ["EVENT_COLUMNS", "METHODS", "check_events", "empty_event_columns", "empty_events", "event_table",
           "events_from_clusters", "events_from_wdf", "merge_event_columns", "merge_events", "track_event_columns",
           "wdf_event_columns"]

#: Columns of an event table, with units (None: text).
EVENT_COLUMNS = {
    "detector": None, "method": None, "gps_start": "s", "gps_end": "s", "gps_peak": "s", "duration": "s",
    "snr": "", "statistic": "", "freq_min": "Hz", "freq_max": "Hz", "freq_peak": "Hz",
}

#: Search methods an event can come from.
METHODS = ("wdf", "excess_power", "chirp")


def event_table(columns: dict[str, np.ndarray], meta: dict | None = None) -> Table:
    """Event columns (:data:`EVENT_COLUMNS`, numpy arrays) as an event table with units."""
    return table_with_units({name: columns[name] for name in EVENT_COLUMNS}, EVENT_COLUMNS, meta)


def empty_events(meta: dict | None = None) -> Table:
    """An event table without rows."""
    return event_table(empty_event_columns(), meta)


def empty_event_columns() -> dict[str, np.ndarray]:
    """The columns of an event table without rows."""
    return {name: np.zeros(0, dtype=str if unit is None else float) for name, unit in EVENT_COLUMNS.items()}


def events_from_wdf(events: Table, detector: str | None = None, statistic: str = "snr") -> Table:
    """WDF events (:func:`mmlab.wdf.cluster_triggers`) in the event schema.

    Parameters
    ----------
    events : astropy.table.Table
        Clustered WDF triggers (with ``event_start``, ``event_end``).
    detector : str, optional
        Default: the table's ``meta["detector"]``.
    statistic : str
        The WDF column that ranks: ``"snr"`` (loudest window) or ``"snr_combined"``.
    """
    detector = detector or events.meta.get("detector") or ""
    return event_table(wdf_event_columns(events, detector, statistic),
                       {"detector": detector, "sample_rate": events.meta.get("sample_rate")})


def wdf_event_columns(events, detector: str, statistic: str = "snr") -> dict[str, np.ndarray]:
    """:func:`events_from_wdf` as columns: ``events`` is a table or a dict of clustered trigger columns."""
    if statistic not in ("snr", "snr_combined"):
        raise ValueError(f"statistic must be 'snr' or 'snr_combined' for WDF events, got {statistic!r}")
    n = len(events["event_start"])
    start, end = (np.asarray(events[name], dtype=float) for name in ("event_start", "event_end"))
    return {
        "detector": np.full(n, detector), "method": np.full(n, "wdf"), "gps_start": start, "gps_end": end,
        "gps_peak": np.asarray(events["gps_peak"], dtype=float), "duration": end - start,
        "snr": np.asarray(events["snr"], dtype=float), "statistic": np.asarray(events[statistic], dtype=float),
        **{name: np.asarray(events[name], dtype=float) for name in ("freq_min", "freq_max", "freq_peak")},
    }


def events_from_clusters(clusters: dict[str, np.ndarray], detector: str, sample_rate: float) -> Table:
    """Excess-power tracks and chirps (:mod:`mmlab.wdf.excess_power`) in the event schema (``statistic`` = ``excess``).

    Rows with a chirp template (``template`` >= 0) are the ``chirp`` method's, the others (and all rows of
    clusters without a ``template`` column) ``excess_power``'s.
    """
    return event_table(track_event_columns(clusters, detector), {"detector": detector,
                                                                  "sample_rate": float(sample_rate)})


def track_event_columns(clusters: dict[str, np.ndarray], detector: str) -> dict[str, np.ndarray]:
    """:func:`events_from_clusters` as columns."""
    n = len(clusters["gps_start"])
    return {
        "detector": np.full(n, detector),
        "method": np.where(np.asarray(clusters.get("template", np.full(n, -1.0)), dtype=float) >= 0, "chirp",
                           "excess_power"),
        **{name: np.asarray(clusters[name], dtype=float) for name in
           ("gps_start", "gps_end", "gps_peak", "duration", "snr", "freq_min", "freq_max", "freq_peak")},
        "statistic": np.asarray(clusters["excess"], dtype=float),
    }


def merge_event_columns(parts: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """Event columns of one detector (any methods) as one set of columns in the order of :func:`merge_events`."""
    if not parts:
        return empty_event_columns()
    merged = {name: np.concatenate([part[name] for part in parts]) for name in EVENT_COLUMNS}
    order = _event_order(merged)
    return {name: values[order] for name, values in merged.items()}


def _event_order(columns) -> np.ndarray:
    """Rows sorted by start, then method, duration, lowest frequency and statistic (ties broken the same way)."""
    keys = ("statistic", "freq_min", "duration", "method", "gps_start")  # the last key sorts first
    return np.lexsort([np.asarray(columns[name]) for name in keys])


def check_events(events: Table, what: str = "events") -> Table:
    """Return ``events`` if it has every column of :data:`EVENT_COLUMNS` and one sample rate, else raise naming them."""
    missing = [name for name in EVENT_COLUMNS if name not in events.colnames]
    if missing:
        raise ValueError(f"{what} lack the event columns {missing}; event tables have {list(EVENT_COLUMNS)}")
    methods = set(np.asarray(events["method"]).tolist()) - set(METHODS)
    if methods:
        raise ValueError(f"{what} hold unknown methods {sorted(methods)}; known methods are {list(METHODS)}")
    return events


def merge_events(tables: list[Table]) -> Table:
    """Event tables of one detector (any methods) as one table sorted by start time.

    Raises
    ------
    ValueError
        If a table lacks event columns, or the tables mix detectors or sample rates.
    """
    from astropy.table import vstack

    tables = [check_events(table, f"event table {k}") for k, table in enumerate(tables)]
    detectors = {str(d) for table in tables for d in np.unique(np.asarray(table["detector"]))}
    rates = {table.meta.get("sample_rate") for table in tables if len(table)} - {None}
    if len(detectors) > 1:
        raise ValueError(f"merge_events takes the events of one detector, got {sorted(detectors)}")
    if len(rates) > 1:
        raise ValueError(f"the event tables come from different sample rates {sorted(rates)} Hz")
    found = [table for table in tables if len(table)]
    if not found:
        return empty_events(tables[0].meta if tables else None)
    merged = vstack(found, metadata_conflicts="silent")
    return merged[_event_order(merged)]
