"""Widgets of the anomaly-detection study: slide along the reconstructions, move the threshold."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from mmlab.core.statistics import alarms, false_alarm_rate
from mmlab.studies.anomaly.plots import reconstruction_figure
from mmlab.viz.live import live_figure
from mmlab.viz.template import styled

if TYPE_CHECKING:
    import ipywidgets

__all__ = ["reconstruction_explorer", "threshold_explorer"]


def reconstruction_explorer(windows: np.ndarray, reconstructions: np.ndarray, starts: np.ndarray, scores: np.ndarray,
                            sample_rate: float, reference_gps: float) -> ipywidgets.VBox:
    """Slide along the strain: each window, the autoencoder's reconstruction and the residual.

    Parameters
    ----------
    windows, reconstructions : numpy.ndarray
        ``(n, samples)`` conditioned windows and the model's outputs
        (:func:`mmlab.studies.anomaly.reconstruct`).
    starts : numpy.ndarray
        GPS start of each window.
    scores : numpy.ndarray
        Anomaly score of each window (shown with its rank).
    sample_rate : float
        Samples per second of the windows.
    reference_gps : float
        GPS time shown as zero; the slider starts on the window holding it.

    Returns
    -------
    ipywidgets.VBox
    """
    import ipywidgets as widgets

    n = len(windows)
    if not (len(reconstructions) == len(starts) == len(scores) == n) or n == 0:
        raise ValueError(f"give the same number (> 0) of windows, reconstructions, starts and scores, got "
                         f"{n}, {len(reconstructions)}, {len(starts)}, {len(scores)}")
    starts, scores = np.asarray(starts, dtype=float), np.asarray(scores, dtype=float)
    duration = windows.shape[1] / sample_rate
    ranks = np.empty(n, dtype=int)
    ranks[np.argsort(-scores, kind="stable")] = np.arange(1, n + 1)
    first_view = float(np.clip(reference_gps - duration / 2, starts[0], starts[-1]) - reference_gps)
    offset = widgets.FloatSlider(value=first_view,
                                 min=float(starts[0] - reference_gps), max=float(starts[-1] - reference_gps),
                                 step=float(starts[1] - starts[0]) if n > 1 else 0.1,
                                 description="window start [s]", continuous_update=False, readout_format=".3f",
                                 style={"description_width": "110px"}, layout={"width": "600px"})
    status = widgets.HTML()

    def figure():
        k = int(np.argmin(np.abs(starts - (reference_gps + offset.value))))
        status.value = (f"window {k} of {n}: score <b>{scores[k]:.3f}</b> ({scores[k] / np.median(scores):.2f} × "
                        f"median), rank <b>{ranks[k]}</b>")
        return reconstruction_figure(windows[k], reconstructions[k], starts[k], sample_rate, reference_gps)

    return widgets.VBox([offset, status, live_figure(figure, [offset], status)])


def threshold_explorer(noise_scores: np.ndarray, live_time: float, signal_scores: dict,
                       threshold: float) -> ipywidgets.VBox:
    """Move the anomaly threshold and see the false-alarm rate and the efficiency per signal change.

    Parameters
    ----------
    noise_scores : numpy.ndarray
        Scores of held-out noise windows.
    live_time : float
        Seconds of noise they cover.
    signal_scores : dict
        ``{label: scores of injection windows}``.
    threshold : float
        Initial threshold (e.g. the one for the chosen false-alarm rate);
        the slider spans the noise scores' range to the loudest signal.

    Returns
    -------
    ipywidgets.VBox
    """
    import ipywidgets as widgets
    import plotly.graph_objects as go

    noise_scores = np.asarray(noise_scores, dtype=float)
    labels = list(signal_scores)
    low = float(np.min(noise_scores))
    high = float(max(np.max(noise_scores), *(np.max(s) for s in signal_scores.values())))
    if not low <= threshold <= high:
        raise ValueError(f"threshold must lie within the scores' range [{low:.4g}, {high:.4g}], got {threshold!r}")
    slider = widgets.FloatSlider(value=threshold, min=low, max=high, step=(high - low) / 500, readout_format=".4f",
                                 description="threshold", continuous_update=False, layout={"width": "600px"})
    status = widgets.HTML()

    def figure() -> go.Figure:
        value = slider.value
        status.value = (f"false alarms: <b>{false_alarm_rate(noise_scores, value, live_time):.3g} per hour</b> "
                        f"({np.count_nonzero(alarms(noise_scores, value))} of {noise_scores.size} noise windows)")
        efficiencies = [float(np.mean(alarms(signal_scores[label], value))) for label in labels]
        return styled(go.Figure(go.Bar(x=labels, y=efficiencies)), height=320, yaxis={"title": "efficiency",
                                                                                      "range": [0, 1.02]},
                      margin={"t": 30, "b": 40})

    return widgets.VBox([slider, status, live_figure(figure, [slider], status)])
