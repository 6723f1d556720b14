"""Figures of the multimodal GW + GRB study: one event seen twice, redshifts, calibration, the GRB 090510 fit."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from mmlab.viz.template import styled

if TYPE_CHECKING:
    import plotly.graph_objects as go

__all__ = ["coverage_figure", "light_curve_fit_figure", "multimodal_event_figure", "redshift_figure"]


def multimodal_event_figure(gw_map: np.ndarray, frequencies: np.ndarray, light_curve: np.ndarray,
                            bin_centres: np.ndarray, gw_seconds: float, title: str = "") -> go.Figure:
    """One event seen twice: the GW map (log10 power over white noise) and the XRT light curve.

    Parameters
    ----------
    gw_map : numpy.ndarray
        ``(frequencies, times)`` from :func:`mmlab.studies.multimodal.gw_map`.
    frequencies : numpy.ndarray
        Frequency of each map row, Hz.
    light_curve : numpy.ndarray
        ``(bins, 2)`` log10 rate and error (:func:`mmlab.signals.grb.light_curve_features`).
    bin_centres : numpy.ndarray
        Time of each bin, s after the burst.
    gw_seconds : float
        Length of the map, ending 0.25 s after the merger.
    title : str
        Figure title.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    # The gap between the panels holds the heat map's colour bar and the afterglow's axis labels apart.
    figure = make_subplots(rows=1, cols=2, column_widths=[0.55, 0.45], horizontal_spacing=0.22,
                           subplot_titles=("GW map: log10 power / noise", "X-ray afterglow (Swift-XRT-like)"))
    times = np.linspace(-gw_seconds + 0.25, 0.25, gw_map.shape[1])
    map_right = figure.layout.xaxis.domain[1]
    figure.add_trace(go.Heatmap(z=gw_map, x=times, y=frequencies, colorscale="Viridis",
                                colorbar={"x": map_right + 0.01, "xanchor": "left", "thickness": 12, "len": 0.9}),
                     row=1, col=1)
    rate, error = 10 ** light_curve[:, 0], 10 ** light_curve[:, 1]
    figure.add_trace(go.Scatter(x=bin_centres, y=rate, mode="markers", error_y={"type": "data", "array": error},
                                name="count rate", showlegend=False), row=1, col=2)
    figure.update_yaxes(type="log", title_text="frequency [Hz]", row=1, col=1)
    figure.update_xaxes(title_text="time from merger [s]", row=1, col=1)
    figure.update_xaxes(type="log", title_text="time since burst [s]", row=1, col=2)
    figure.update_yaxes(type="log", title_text="counts/s (0.3–10 keV)", row=1, col=2)
    return styled(figure, title=title, height=380, margin={"t": 60, "b": 40})


def redshift_figure(predictions: dict, title: str = "Predicted against true redshift (test set)") -> go.Figure:
    """Predicted vs true redshift, and ``Δz / (1 + z)`` against z, per model.

    ``predictions`` is ``{name: (z_true, z_predicted, sigma)}`` (``sigma`` the
    MC-dropout standard deviation, drawn as error bars).
    """
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    figure = make_subplots(rows=1, cols=2, subplot_titles=("predicted vs true", "Δz / (1 + z) against z"))
    high = max(float(np.max(true)) for true, _, _ in predictions.values())
    for k, (name, (true, predicted, sigma)) in enumerate(predictions.items()):
        colour = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728"][k % 4]
        figure.add_trace(go.Scatter(x=true, y=predicted, mode="markers", name=name, marker={"size": 4, "color": colour},
                                    error_y={"type": "data", "array": sigma, "thickness": 0.5}), row=1, col=1)
        figure.add_trace(go.Scatter(x=true, y=(np.asarray(predicted) - true) / (1 + np.asarray(true)), mode="markers",
                                    marker={"size": 4, "color": colour}, showlegend=False), row=1, col=2)
    figure.add_trace(go.Scatter(x=[0, high], y=[0, high], mode="lines", line={"dash": "dot", "color": "#999"},
                                showlegend=False), row=1, col=1)
    figure.update_xaxes(title_text="true z")
    figure.update_yaxes(title_text="predicted z", row=1, col=1)
    figure.update_yaxes(title_text="Δz / (1 + z)", row=1, col=2)
    return styled(figure, title=title, height=420, margin={"t": 60, "b": 40})


def coverage_figure(levels, coverages: dict, title: str = "Calibration of the MC-dropout uncertainty") -> go.Figure:
    """Observed fraction inside each predicted interval against its probability (the diagonal is calibrated)."""
    import plotly.graph_objects as go

    figure = go.Figure()
    for name, observed in coverages.items():
        figure.add_trace(go.Scatter(x=levels, y=observed, mode="lines+markers", name=name))
    figure.add_trace(go.Scatter(x=[0, 1], y=[0, 1], mode="lines", line={"dash": "dot", "color": "#999"},
                                showlegend=False))
    return styled(figure, title=title, xaxis_title="interval probability", yaxis_title="fraction of test events inside",
                         height=360)


def light_curve_fit_figure(light_curve, model_times: np.ndarray, model_rates: np.ndarray, title: str = "") -> go.Figure:
    """A measured XRT light curve (:class:`mmlab.io.swift.XRTLightCurve`, by mode) with a model curve."""
    import plotly.graph_objects as go

    figure = go.Figure()
    for mode in dict.fromkeys(light_curve.mode):
        keep = light_curve.mode == mode
        figure.add_trace(go.Scatter(
            x=light_curve.time[keep], y=light_curve.rate[keep], mode="markers", name=f"XRT {mode}",
            error_x={"type": "data", "symmetric": False, "array": (light_curve.time_high - light_curve.time)[keep],
                     "arrayminus": (light_curve.time - light_curve.time_low)[keep], "thickness": 0.5},
            error_y={"type": "data", "array": light_curve.rate_error[keep], "thickness": 0.5}))
    figure.add_trace(go.Scatter(x=model_times, y=model_rates, mode="lines", name="afterglowpy model"))
    return styled(figure, title=title, xaxis={"type": "log", "title": "time since trigger [s]"},
                         yaxis={"type": "log", "title": "count rate, 0.3–10 keV [counts/s]"},
                         height=380)
