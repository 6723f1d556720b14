"""Figures of the representation study: one sample seen five ways, and efficiency against SNR."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from mmlab.studies.representation.representations import BAND
from mmlab.viz.template import line_trace, styled

if TYPE_CHECKING:
    import plotly.graph_objects as go

__all__ = ["efficiency_snr_figure", "representations_figure"]


def representations_figure(views: dict[str, np.ndarray], index: int, sample_rate: float, title: str = "") -> go.Figure:
    """Sample ``index`` in every representation: the two time series, the |FFT| and the two images.

    Parameters
    ----------
    views : dict
        ``{name: (n, ..., 1) array}`` from :func:`mmlab.studies.representation.represent`.
    index : int
        Which sample.
    sample_rate : float
        Hz of the time series.
    title : str

    Returns
    -------
    plotly.graph_objects.Figure
    """
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    names = list(views)
    figure = make_subplots(rows=2, cols=3, subplot_titles=names, horizontal_spacing=0.07, vertical_spacing=0.14)
    for k, name in enumerate(names):
        row, col = k // 3 + 1, k % 3 + 1
        view = views[name][index][..., 0]
        if view.ndim == 1 and name.startswith("timeseries"):
            figure.add_trace(line_trace(np.arange(view.size) / sample_rate, view, line={"width": 1}, name=name,
                                        showlegend=False), row=row, col=col)
            figure.update_xaxes(title_text="time [s]", row=row, col=col)
        elif view.ndim == 1:
            frequencies = np.linspace(*BAND, view.size)
            figure.add_trace(line_trace(frequencies, view, line={"width": 1}, name=name, showlegend=False),
                             row=row, col=col)
            figure.update_xaxes(title_text="frequency [Hz]", type="log", row=row, col=col)
        else:
            figure.add_trace(go.Heatmap(z=view, colorscale="Viridis", showscale=False, name=name), row=row, col=col)
            figure.update_xaxes(title_text="time bin", row=row, col=col)
            figure.update_yaxes(title_text="frequency row", row=row, col=col)
    return styled(figure, title=title, height=560)


def efficiency_snr_figure(curves: dict[str, dict], title: str = "Efficiency at FAP 1e-3") -> go.Figure:
    """Efficiency against injected SNR with its interval, one line per detector.

    Parameters
    ----------
    curves : dict
        ``{name: efficiency_by_snr(...)}``.
    title : str

    Returns
    -------
    plotly.graph_objects.Figure
    """
    import plotly.graph_objects as go

    figure = go.Figure()
    for name, curve in curves.items():
        figure.add_trace(go.Scatter(
            x=curve["snr"], y=curve["efficiency"], mode="lines+markers", name=name,
            error_y={"type": "data", "symmetric": False, "array": curve["high"] - curve["efficiency"],
                     "arrayminus": curve["efficiency"] - curve["low"]}))
    return styled(figure, title=title, xaxis_title="optimal SNR in the window", yaxis_title="true-positive rate",
                  yaxis_range=[0, 1.05], height=380)
