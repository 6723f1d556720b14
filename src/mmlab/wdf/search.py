"""One detector's transient search: the WDF's windows and the excess-power tracks on the same whitened stream.

:func:`search_chunk` is the pure streaming function, ``(chunk, search, state)
-> (events, state)``: it whitens once (:func:`mmlab.wdf.filter.conditioned_trigger_columns`),
runs the WDF windows and the excess-power blocks on the same conditioned
samples, clusters the WDF triggers into events (keeping the triggers of an
event that may still grow in the state), and returns both methods' events in
the schema of :mod:`mmlab.wdf.events`. :class:`TransientSearch` holds the
configuration, the fitted whitening and its own stream's :class:`SearchState`.
Inside, triggers and events stay numpy columns; the table is built once, at
the end (:func:`conditioned_search`, which the real-time pipeline calls, builds none).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from mmlab.core.state import Serialisable
from mmlab.core.strain import Strain
from mmlab.wdf.events import (
    event_table,
    merge_event_columns,
    track_event_columns,
    wdf_event_columns,
)
from mmlab.wdf.excess_power import (
    ExcessPowerConfig,
    ExcessPowerState,
    excess_power_chunk,
)
from mmlab.wdf.filter import WaveletDetectionFilter, WDFState, conditioned_trigger_columns
from mmlab.wdf.triggers import TRIGGER_COLUMNS, cluster_trigger_columns

if TYPE_CHECKING:
    from astropy.table import Table

__all__ = ["SearchState", "TransientSearch", "conditioned_search", "search_chunk"]

#: Numeric trigger columns carried in the state while their event may still grow.
_PENDING_COLUMNS = tuple(name for name, unit in TRIGGER_COLUMNS.items() if unit is not None)


@dataclass(frozen=True)
class SearchState(Serialisable):
    """Where a stream of :func:`search_chunk` calls stands.

    Attributes
    ----------
    wdf : WDFState
        The WDF's state (whitening, high-pass, window buffer).
    excess_power : ExcessPowerState
        The excess-power blocks' state.
    pending : numpy.ndarray
        ``(n, columns)`` WDF triggers of the event still open at the end of the analysed windows.
    pending_wavelets : numpy.ndarray
        Their bases.
    restarts : int
        Stream restarts (gaps, overlaps), as counted by the WDF.
    """

    wdf: WDFState
    excess_power: ExcessPowerState
    pending: np.ndarray
    pending_wavelets: np.ndarray
    restarts: int = 0


class TransientSearch:
    """The WDF and the excess-power statistic on one detector's stream, reported as one event table.

    Parameters
    ----------
    wdf : WaveletDetectionFilter, optional
        The window search (default: :class:`WaveletDetectionFilter` with ``snr_threshold=5``, low so that
        backgrounds can be measured).
    excess_power : ExcessPowerConfig or None
        The long-transient statistic; None searches with the WDF alone.
    wdf_statistic : str
        Ranking of WDF events: ``"snr"`` (loudest window) or ``"snr_combined"``.
    max_gap : float
        Largest gap between the windows of one WDF event, s (:func:`mmlab.wdf.cluster_triggers`).

    Attributes
    ----------
    state_ : SearchState
        Where the stream of :meth:`detect` calls stands.
    """

    def __init__(self, wdf: WaveletDetectionFilter | None = None,
                 excess_power: ExcessPowerConfig | None = ExcessPowerConfig(), wdf_statistic: str = "snr",
                 max_gap: float = 0.0):
        self.wdf = WaveletDetectionFilter(snr_threshold=5.0) if wdf is None else wdf
        self.excess_power = excess_power
        self.wdf_statistic = wdf_statistic
        self.max_gap = max_gap

    @property
    def methods(self) -> tuple[str, ...]:
        """The methods whose events this search reports."""
        if self.excess_power is None:
            return ("wdf",)
        return ("wdf", "excess_power") + (() if self.excess_power.chirps is None else ("chirp",))

    def floors(self) -> dict[str, float]:
        """The lowest statistic each method records (its thresholds cannot go below)."""
        floors = {"wdf": float(self.wdf.snr_threshold)}
        if self.excess_power is not None:
            floors["excess_power"] = float(self.excess_power.min_excess)
            if self.excess_power.chirps is not None:
                floors["chirp"] = float(self.excess_power.chirps.min_significance)
        return floors

    def fit(self, learn: Strain) -> TransientSearch:
        """Fit the whitening on a stretch of noise and start a new stream; returns self."""
        if self.wdf_statistic not in ("snr", "snr_combined"):
            raise ValueError(f"wdf_statistic must be 'snr' or 'snr_combined', got {self.wdf_statistic!r}")
        self.wdf.fit(learn)
        if self.excess_power is not None:
            self.excess_power.check_rate(learn.sample_rate)
        return self.reset()

    @property
    def startup_samples(self) -> int:
        """Samples at the start of a stream that are not searched (filter transients)."""
        return self.wdf.startup_samples

    def initial_state(self, restarts: int = 0) -> SearchState:
        """The state of a stream that has not started."""
        return SearchState(self.wdf.initial_state(restarts), ExcessPowerState(), np.zeros((0, len(_PENDING_COLUMNS))),
                           np.zeros(0, dtype="<U16"), restarts)

    def reset(self) -> TransientSearch:
        """Start a new stream: the next :meth:`detect` call does not continue the previous one."""
        self.state_ = self.initial_state()
        return self

    def detect(self, strain: Strain, flush: bool = False) -> Table:
        """Events in the next chunk of the stream (:func:`search_chunk` with :attr:`state_`)."""
        events, self.state_ = search_chunk(strain, self, self.state_, flush)
        return events


def search_chunk(chunk: Strain, search: TransientSearch, state: SearchState | None = None,
                 flush: bool = False) -> tuple[Table, SearchState]:
    """Events of both methods in the next chunk of a stream: a pure function of (chunk, search, state).

    Parameters
    ----------
    chunk : Strain
        The next chunk (a gap or an overlap warns :class:`~mmlab.core.state.StreamGap` and restarts the stream).
    search : TransientSearch
        A fitted search (not modified).
    state : SearchState, optional
        The previous call's state; None starts a stream.
    flush : bool
        The chunk ends a segment: everything still waiting is searched and reported.

    Returns
    -------
    events : astropy.table.Table
        Events that can no longer grow, in the schema of :mod:`mmlab.wdf.events`, sorted by start.
    state : SearchState
    """
    events, state, _ = conditioned_search(chunk, search, state, flush)
    return event_table(events, {"detector": chunk.detector or "", "sample_rate": float(chunk.sample_rate)}), state


def conditioned_search(chunk: Strain, search: TransientSearch, state: SearchState | None = None,
                       flush: bool = False) -> tuple[dict[str, np.ndarray], SearchState, list[tuple[np.ndarray, int]]]:
    """:func:`search_chunk` with the events as plain columns, and the conditioned samples it produced.

    The real-time pipeline calls this once a chunk and cuts a classifier's input from the conditioned
    samples; its events stay numpy columns all the way (astropy tables cost about a millisecond each, a
    tenth of the search of a second of data).

    Returns
    -------
    events : dict
        The columns of :data:`~mmlab.wdf.events.EVENT_COLUMNS` (numpy arrays, values in their units): the
        rows of :func:`search_chunk`'s table, in its order.
    state : SearchState
        As :func:`search_chunk`.
    conditioned : list of (numpy.ndarray, int)
        New whitened, high-passed samples (units of σ) past the start-up transient, with the stream index of
        each piece's first sample (GPS ``state.wdf.whitening.start_gps + index / sample_rate``).
    """
    state = search.initial_state() if state is None else state
    triggers, wdf_state, conditioned = conditioned_trigger_columns(chunk, search.wdf, state.wdf, flush)
    if wdf_state.restarts != state.wdf.restarts:  # the WDF restarted the stream: so does everything else
        state = search.initial_state(wdf_state.restarts)
    sample_rate = chunk.sample_rate
    stream_gps = wdf_state.whitening.start_gps
    detector = chunk.detector or ""
    parts = []
    excess_state = state.excess_power
    if search.excess_power is not None:
        clusters = []
        for samples, _ in conditioned:  # contiguous, from the first sample past the start-up transient
            found, excess_state = excess_power_chunk(
                samples, sample_rate, stream_gps + search.startup_samples / sample_rate, search.excess_power,
                excess_state)
            clusters.append(found)
        if flush:
            found, excess_state = excess_power_chunk(np.zeros(0), sample_rate, stream_gps, search.excess_power,
                                                     excess_state, flush=True)
            clusters.append(found)
        merged = {name: np.concatenate([c[name] for c in clusters]) for name in clusters[0]} if clusters else {}
        if merged and merged["gps_start"].size:
            parts.append(track_event_columns(merged, detector))
    open_values, open_wavelets = np.zeros((0, len(_PENDING_COLUMNS))), np.zeros(0, dtype="<U16")
    n_triggers = triggers["gps_start"].size
    if n_triggers or state.pending.size:
        everything = {name: np.concatenate([state.pending[:, k], triggers[name]])
                      for k, name in enumerate(_PENDING_COLUMNS)}
        everything["wavelet"] = np.concatenate([state.pending_wavelets.astype(str), triggers["wavelet"]])
        window = int(search.wdf.window) / sample_rate
        events = cluster_trigger_columns(everything, window, search.wdf.step / sample_rate, max_gap=search.max_gap)
        next_window = stream_gps + wdf_state.buffer_start / sample_rate
        still_open = np.zeros(len(events["event_end"]), dtype=bool) if flush else \
            events["event_end"] + search.max_gap >= next_window
        if still_open.any():
            first_open = float(np.min(events["event_start"][still_open]))
            keep = everything["gps_start"] >= first_open
            open_values = np.column_stack([everything[name][keep] for name in _PENDING_COLUMNS])
            open_wavelets = everything["wavelet"][keep].astype("<U16")
        if not still_open.all():
            closed = {name: values[~still_open] for name, values in events.items()}
            parts.append(wdf_event_columns(closed, detector, search.wdf_statistic))
    return (merge_event_columns(parts), SearchState(wdf_state, excess_state, open_values, open_wavelets,
                                                    wdf_state.restarts), conditioned)
