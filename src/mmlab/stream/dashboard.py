"""The live board of a stream run: strain, trigger SNRs, alerts, latencies and counters, redrawn as chunks flow.

:class:`StreamBoard` is a set of plotly ``FigureWidget`` s and ipywidgets;
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
from mmlab.viz.template import styled

if TYPE_CHECKING:
    import ipywidgets

__all__ = ["StreamBoard", "counters_html"]

#: Samples of each detector's latest chunk drawn (decimated from the chunk).
STRAIN_POINTS = 512


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
        import plotly.graph_objects as go

        self.detectors = tuple(detectors)
        self.every = max(1, int(every))
        self._calls = 0
        self.strain = go.FigureWidget(styled(go.Figure([go.Scatter(x=[], y=[], mode="lines", name=d,
                                                                    line={"width": 1}) for d in self.detectors]),
                                             title="latest chunk of each detector", height=260,
                                             xaxis_title="GPS [s]", yaxis_title="strain"))
        self.triggers = go.FigureWidget(styled(go.Figure([go.Scatter(x=[], y=[], mode="markers", name=d)
                                                          for d in self.detectors]),
                                               title="events (SNR) per detector", height=260,
                                               xaxis_title="GPS [s]", yaxis_title="SNR"))
        self.latency = go.FigureWidget(styled(go.Figure([go.Histogram(x=[], name=s, opacity=0.6) for s in STAGES]),
                                              title="latency per stage", height=260, barmode="overlay",
                                              xaxis={"title": "seconds", "type": "log"}))
        self.counters = widgets.HTML()
        self.alerts = widgets.HTML()

    def widget(self) -> ipywidgets.VBox:
        """The board, to display (the last expression of a cell)."""
        import ipywidgets as widgets

        return widgets.VBox([self.counters, widgets.HBox([self.strain, self.triggers]), self.latency, self.alerts])

    def update(self, report: StreamReport, chunk: Chunk | None = None, force: bool = False, lag: int = 0) -> None:
        """Redraw from the report (every ``every`` calls, or now with ``force``); ``lag``: chunks queued."""
        self._calls += 1
        if not force and self._calls % self.every:
            return
        if chunk is not None and chunk.detector in self.detectors:
            trace = self.strain.data[self.detectors.index(chunk.detector)]
            step = max(1, chunk.data.size // STRAIN_POINTS)
            trace.x = chunk.gps_start + np.arange(0, chunk.data.size, step) / chunk.sample_rate
            trace.y = chunk.data[::step]
        events = np.array(report.events[-5000:]) if report.events else np.zeros((0, 3))
        with self.triggers.batch_update():
            for k, trace in enumerate(self.triggers.data):
                mine = events[events[:, 0] == k] if events.size else events
                trace.x, trace.y = mine[:, 1], mine[:, 2]
        with self.latency.batch_update():
            for stage, trace in zip(STAGES, self.latency.data):
                trace.x = np.maximum(np.asarray(report.latency[stage][-5000:]), 1e-6)
        self.counters.value = counters_html(report, lag)
        rows = sorted(report.sink.alerts.values(), key=lambda a: -a["gps_time"])[:12]
        self.alerts.value = "<table><tr><th>GPS</th><th>detectors</th><th>network SNR</th><th>P(CCSN)</th>" + \
            "<th>top class</th><th>latency [s]</th></tr>" + "".join(
                f"<tr><td>{a['gps_time']:.3f}</td><td>{html.escape(','.join(a['detectors']))}</td>"
                f"<td>{a['network_snr']:.1f}</td><td>{a['p_astrophysical_ccsn']:.2f}</td>"
                f"<td>{html.escape(max(a['classification'], key=a['classification'].get))}</td>"
                f"<td>{a['latency'].get('total', float('nan')):.3f}</td></tr>" for a in rows) + "</table>"
