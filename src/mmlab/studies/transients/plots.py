"""Figures of the optical-transient study: light curves and anomalies found (learning curves: :mod:`mmlab.viz.learning`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from mmlab.core.photometry import LightCurve
from mmlab.viz.template import styled

if TYPE_CHECKING:
    import plotly.graph_objects as go

__all__ = ["anomaly_discovery_figure", "light_curve_figure"]

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


def anomaly_discovery_figure(found: dict, title: str = "Anomalies found by an expert") -> go.Figure:
    """Cumulative true anomalies against objects inspected, one line per model."""
    import plotly.graph_objects as go

    figure = go.Figure()
    for name, counts in found.items():
        figure.add_trace(go.Scatter(x=np.arange(1, len(counts) + 1), y=counts, name=name))
    figure.update_xaxes(title="objects inspected")
    figure.update_yaxes(title="true anomalies")
    return styled(figure, title)
