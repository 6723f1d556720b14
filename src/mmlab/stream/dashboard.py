"""The live board of a stream run: strain, trigger SNRs, alerts, latencies and counters, redrawn as chunks flow.

:class:`StreamBoard` is a set of :class:`~mmlab.viz.live.LiveFigure` s and ipywidgets;
pass its :meth:`~StreamBoard.update` as ``on_chunk`` to
:func:`mmlab.stream.pipeline.run_stream` and it redraws every ``every``
chunks (in a notebook, or served by Voila: ``make dashboard``).
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

import numpy as np

from mmlab.stream.chunks import Chunk
from mmlab.stream.pipeline import STAGES, StreamReport
from mmlab.viz.live import LiveFigure
from mmlab.viz.template import styled

if TYPE_CHECKING:
    import ipywidgets
    import plotly.graph_objects as go

__all__ = ["StreamBoard", "counters_html"]

#: Samples of each detector's latest chunk drawn (decimated from the chunk).
STRAIN_POINTS = 512

#: Points of each stage's cumulative latency distribution drawn (its quantiles).
LATENCY_POINTS = 200


def counters_html(report: StreamReport, lag: int = 0) -> str:
    """One line of the run's counters: chunks, rejections, alerts, speed and latency."""
    return (f"chunks processed <b>{report.processed}</b> · rejected <b>{len(report.rejected)}</b> "
            f"(duplicates {report.duplicates}) · restarts {report.restarts} · alerts <b>{len(report.sink.alerts)}</b>"
            f" · real-time factor <b>{report.data_seconds / max(report.n_detectors, 1) / max(report.wall_seconds, 1e-9):.0f}×</b>"
            f" · detector stage p50 {report.percentile('detector', 50) * 1e3:.1f} ms"
            + (f" · alert latency p50 {report.percentile('total', 50):.3f} s, p99 {report.percentile('total', 99):.3f} s"
               if report.latency["total"] else " · no alert yet")
            + f" · lag {lag} chunks")


class StreamBoard:
    """Live figures of a stream run.

    Parameters
    ----------
    detectors : sequence of str
        The pipeline's detectors, in its order.
    every : int
        Redraw every ``every`` chunks.
    """

    def __init__(self, detectors, every: int = 30):
        import ipywidgets as widgets

        self.detectors = tuple(detectors)
        self.every = max(1, int(every))
        self._calls = 0
        self._latest: dict[str, Chunk] = {}  # the latest chunk of each detector
        half = {"flex": "1 1 0%", "min_width": "0"}  # side by side, each half the board's width
        self.strain = LiveFigure(self._strain_figure(), layout=half)
        self.triggers = LiveFigure(self._triggers_figure(np.zeros((0, 3))), layout=half)
        self.latency = LiveFigure(self._latency_figure({stage: [] for stage in STAGES}))
        self.counters = widgets.HTML()
        self.alerts = widgets.HTML()

    def _strain_figure(self) -> go.Figure:
        import plotly.graph_objects as go

        traces = []
        for detector in self.detectors:
            chunk = self._latest.get(detector)
            times, values = (chunk.gps_start + np.arange(chunk.data.size) / chunk.sample_rate, chunk.data) \
                if chunk is not None else (np.zeros(0), np.zeros(0))
            step = max(1, values.size // STRAIN_POINTS)
            traces.append(go.Scatter(x=times[::step], y=values[::step], mode="lines", name=detector,
                                     line={"width": 1}))
        return styled(go.Figure(traces), title="latest chunk of each detector", height=260,
                      xaxis_title="GPS [s]", yaxis_title="strain")

    def _triggers_figure(self, events: np.ndarray) -> go.Figure:
        import plotly.graph_objects as go

        traces = []
        for k, detector in enumerate(self.detectors):
            mine = events[events[:, 0] == k]
            traces.append(go.Scatter(x=mine[:, 1], y=mine[:, 2], mode="markers", name=detector))
        return styled(go.Figure(traces), title="events (SNR) per detector", height=260,
                      xaxis_title="GPS [s]", yaxis_title="SNR")

    def _latency_figure(self, latency: dict) -> go.Figure:
        """The cumulative distribution of each stage's latency (read p50 and p99 off it), on a log time axis."""
        import plotly.graph_objects as go

        traces = []
        for stage in STAGES:
            values = np.maximum(np.asarray(latency[stage], dtype=float), 1e-6)
            fractions = np.linspace(0.0, 1.0, min(values.size, LATENCY_POINTS))
            steps = np.quantile(values, fractions, method="inverted_cdf") if values.size else values
            traces.append(go.Scatter(x=steps, y=fractions, mode="lines", name=stage, line_shape="hv"))
        return styled(go.Figure(traces), title="latency per stage (cumulative)", height=260,
                      xaxis={"title": "seconds", "type": "log"}, yaxis={"title": "fraction ≤ latency", "range": [0, 1]})

    def widget(self) -> ipywidgets.VBox:
        """The board, to display (the last expression of a cell)."""
        import ipywidgets as widgets

        return widgets.VBox([self.counters, widgets.HBox([self.strain, self.triggers]), self.latency, self.alerts])

    def update(self, report: StreamReport, chunk: Chunk | None = None, force: bool = False, lag: int = 0) -> None:
        """Redraw from the report (every ``every`` calls, or now with ``force``); ``lag``: chunks queued."""
        if chunk is not None and chunk.detector in self.detectors:
            self._latest[chunk.detector] = chunk
        self._calls += 1
        if not force and self._calls % self.every:
            return
        self.strain.show(self._strain_figure())
        self.triggers.show(self._triggers_figure(np.array(report.events[-5000:]).reshape(-1, 3)))
        self.latency.show(self._latency_figure(report.latency))
        self.counters.value = counters_html(report, lag)
        rows = sorted(report.sink.alerts.values(), key=lambda a: -a["gps_time"])[:12]
        self.alerts.value = "<table><tr><th>GPS</th><th>detectors</th><th>network SNR</th><th>P(CCSN)</th>" + \
            "<th>top class</th><th>latency [s]</th></tr>" + "".join(
                f"<tr><td>{a['gps_time']:.3f}</td><td>{html.escape(','.join(a['detectors']))}</td>"
                f"<td>{a['network_snr']:.1f}</td><td>{a['p_astrophysical_ccsn']:.2f}</td>"
                f"<td>{html.escape(max(a['classification'], key=a['classification'].get))}</td>"
                f"<td>{a['latency'].get('total', float('nan')):.3f}</td></tr>" for a in rows) + "</table>"
