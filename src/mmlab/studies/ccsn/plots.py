"""Figures of the CCSN classification study: one classified sample as the networks see it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from mmlab.viz.template import styled

if TYPE_CHECKING:
    import plotly.graph_objects as go

__all__ = ["sample_figure"]


def sample_figure(series: np.ndarray, image: np.ndarray, probabilities: np.ndarray, label: int,
                  class_names: Sequence[str], sample_rate: float = 4096.0) -> go.Figure:
    """A sample's whitened series, its time–frequency image and the predicted probabilities (true class in green).

    Parameters
    ----------
    series : numpy.ndarray
        ``(samples,)`` whitened strain (units of σ), centred on the trigger.
    image : numpy.ndarray
        ``(frequencies, times)`` image.
    probabilities : numpy.ndarray
        ``(n_classes,)`` predictions.
    label : int
        True class index.
    class_names : sequence of str
        Names of the classes.
    sample_rate : float
        Samples per second of the series.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    names = [str(name) for name in class_names]
    times = (np.arange(series.size) - series.size // 2) / sample_rate
    panel = make_subplots(rows=1, cols=3, column_widths=[0.45, 0.3, 0.25],
                          subplot_titles=("whitened series [σ]", "image", "probabilities"))
    panel.add_trace(go.Scatter(x=times, y=series, mode="lines", line={"width": 1}, showlegend=False), row=1, col=1)
    panel.add_trace(go.Heatmap(z=image, colorscale="Viridis", showscale=False), row=1, col=2)
    colours = ["#2ca02c" if c == label else "#1f77b4" for c in range(len(names))]
    panel.add_trace(go.Bar(x=probabilities, y=names, orientation="h", marker={"color": colours}, showlegend=False),
                    row=1, col=3)
    return styled(panel, height=330, margin={"t": 40, "b": 30})
