"""Figures of the optical-transient study: light curves, learning curves with bands, anomalies found."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from mmlab.core.photometry import LightCurve
from mmlab.viz.template import styled

if TYPE_CHECKING:
    import plotly.graph_objects as go

__all__ = ["anomaly_discovery_figure", "learning_curves_figure", "light_curve_figure"]

_BAND_COLOURS = {"ztfg": "#2ca02c", "ztfr": "#d62728", "ztfi": "#8c564b", "lsstu": "#9467bd", "lsstg": "#2ca02c",
                 "lsstr": "#d62728", "lssti": "#8c564b", "lsstz": "#7f7f7f", "lssty": "#17becf"}


def light_curve_figure(curve: LightCurve, title: str = "") -> go.Figure:
    """Magnitudes with error bars per band, upper limits as open triangles, days since the first detection."""
    import plotly.graph_objects as go

    figure = go.Figure()
    detected = curve.time[~curve.upper_limit]
    start = detected[0] if detected.size else curve.time[0]
    for band in sorted(set(curve.band)):
        for limits in (False, True):
            keep = (curve.band == band) & (curve.upper_limit == limits)
            if not keep.any():
                continue
            mag = curve.mag[keep]
            error = 1.0857 * curve.flux_err[keep] / np.abs(curve.flux[keep])
            figure.add_trace(go.Scatter(
                x=curve.time[keep] - start, y=mag, mode="markers", name=f"{band}{' limit' if limits else ''}",
                marker={"color": _BAND_COLOURS.get(band), "symbol": "triangle-down-open" if limits else "circle"},
                error_y=None if limits else {"type": "data", "array": error, "visible": True},
            ))
    figure.update_yaxes(autorange="reversed", title="AB magnitude")
    figure.update_xaxes(title="days since first detection")
    return styled(figure, title or curve.object_id)


def learning_curves_figure(curves: dict, metric: str = "fom", reference: float | None = None,
                           title: str = "Active learning") -> go.Figure:
    """Median and 16–84 % band of a metric against the number of labels, one colour per strategy.

    Parameters
    ----------
    curves : dict
        Strategy → list of :class:`~mmlab.ml.active.LearningCurve`.
    metric : str
    reference : float, optional
        A horizontal line (the all-labels value).
    title : str
    """
    import plotly.colors
    import plotly.graph_objects as go

    figure = go.Figure()
    palette = plotly.colors.qualitative.Plotly
    for k, (strategy, runs) in enumerate(curves.items()):
        values = np.stack([run.metrics[metric] for run in runs])
        labels = runs[0].n_labels
        low, mid, high = np.percentile(values, [16, 50, 84], axis=0)
        colour = palette[k % len(palette)]
        figure.add_trace(go.Scatter(x=np.r_[labels, labels[::-1]], y=np.r_[high, low[::-1]], fill="toself",
                                    line={"width": 0}, fillcolor=colour, opacity=0.2, showlegend=False,
                                    hoverinfo="skip"))
        figure.add_trace(go.Scatter(x=labels, y=mid, name=f"{strategy} ({len(runs)} runs)", line={"color": colour}))
    if reference is not None:
        figure.add_hline(y=reference, line_dash="dash", annotation_text="all labels")
    figure.update_xaxes(title="labelled objects")
    figure.update_yaxes(title=metric)
    return styled(figure, title)


def anomaly_discovery_figure(found: dict, title: str = "Anomalies found by an expert") -> go.Figure:
    """Cumulative true anomalies against objects inspected, one line per model."""
    import plotly.graph_objects as go

    figure = go.Figure()
    for name, counts in found.items():
        figure.add_trace(go.Scatter(x=np.arange(1, len(counts) + 1), y=counts, name=name))
    figure.update_xaxes(title="objects inspected")
    figure.update_yaxes(title="true anomalies")
    return styled(figure, title)
