"""Figures of the anomaly-detection study: reconstructions, scores along the data, AUC against SNR."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from mmlab.viz.template import styled

if TYPE_CHECKING:
    import plotly.graph_objects as go

__all__ = ["auc_snr_figure", "reconstruction_figure", "score_figure"]


def reconstruction_figure(window: np.ndarray, reconstruction: np.ndarray, start: float, sample_rate: float,
                          reference_gps: float, title: str = "") -> go.Figure:
    """One window, its autoencoder reconstruction, and the squared residual that localises an anomaly.

    Parameters
    ----------
    window, reconstruction : numpy.ndarray
        The conditioned window and the model's output, same length.
    start : float
        GPS time of the window's first sample.
    sample_rate : float
        Samples per second.
    reference_gps : float
        GPS time shown as zero.
    title : str
        Figure title.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    times = start - reference_gps + np.arange(len(window)) / sample_rate
    figure = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.65, 0.35], vertical_spacing=0.06)
    figure.add_trace(go.Scatter(x=times, y=window, mode="lines", name="input", line={"width": 1, "color": "#999"}),
                     row=1, col=1)
    figure.add_trace(go.Scatter(x=times, y=reconstruction, mode="lines", name="reconstruction",
                                line={"width": 1.5, "color": "#d62728"}), row=1, col=1)
    figure.add_trace(go.Scatter(x=times, y=np.square(np.asarray(window) - np.asarray(reconstruction)), mode="lines",
                                name="residual²", line={"width": 1, "color": "#1f77b4"}), row=2, col=1)
    figure.update_yaxes(title_text="whitened [σ]", row=1, col=1)
    figure.update_yaxes(title_text="residual²", row=2, col=1)
    figure.update_xaxes(title_text=f"time from GPS {reference_gps:.2f} [s]", row=2, col=1)
    return styled(figure, title=title, height=420)


def score_figure(curves: dict, reference_gps: float, title: str = "Anomaly score along the data") -> go.Figure:
    """Scores of consecutive windows against time, each divided by its median.

    ``curves`` is ``{name: (window_centres_gps, scores)}``.
    """
    import plotly.graph_objects as go

    figure = go.Figure()
    for name, (centres, scores) in curves.items():
        scores = np.asarray(scores)
        figure.add_trace(go.Scatter(x=np.asarray(centres) - reference_gps, y=scores / np.median(scores),
                                    mode="lines", name=name))
    return styled(figure, title=title, xaxis_title=f"window centre from GPS {reference_gps:.2f} [s]",
                         yaxis_title="score / median score", height=340)


def auc_snr_figure(table, title: str = "Area under the ROC curve against SNR") -> go.Figure:
    """AUC against optimal SNR per injected kind and method (:func:`mmlab.studies.anomaly.detection_table`)."""
    import plotly.graph_objects as go

    figure = go.Figure()
    dashes = {}
    for kind in dict.fromkeys(table["kind"]):
        for method in dict.fromkeys(table["method"]):
            rows = table[(table["kind"] == kind) & (table["method"] == method)]
            dash = dashes.setdefault(str(method), ["solid", "dash", "dot"][len(dashes) % 3])
            figure.add_trace(go.Scatter(x=np.asarray(rows["snr"]), y=np.asarray(rows["auc"]), mode="lines+markers",
                                        name=f"{kind}, {method}", line={"dash": dash}))
    return styled(figure, title=title, xaxis_title="optimal SNR", yaxis={"title": "AUC", "range": [0.45, 1.01]},
                         height=380)
