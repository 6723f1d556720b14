"""Figures of machine-learning results shared by the studies: training histories, confusion matrices, ROC curves,
active-learning curves."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from mmlab.viz.template import styled

if TYPE_CHECKING:
    import plotly.graph_objects as go

__all__ = ["accuracy_snr_figure", "confusion_figure", "history_figure", "learning_curves_figure", "roc_figure"]


def history_figure(histories: dict, title: str = "Training", loss: str = "cross-entropy loss") -> go.Figure:
    """Training and validation loss per epoch for several models (``{name: keras history dict}``)."""
    import plotly.graph_objects as go

    figure = go.Figure()
    for name, history in histories.items():
        epochs = np.arange(1, len(history["loss"]) + 1)
        figure.add_trace(go.Scatter(x=epochs, y=history["loss"], mode="lines", name=f"{name} train"))
        figure.add_trace(go.Scatter(x=epochs, y=history["val_loss"], mode="lines", name=f"{name} validation",
                                    line={"dash": "dash"}))
    return styled(figure, title=title, xaxis_title="epoch", yaxis_title=loss,
                         height=360)


def confusion_figure(confusion: np.ndarray, class_names, title: str = "") -> go.Figure:
    """Confusion matrix as a heat map of row-normalised fractions, with the counts written in."""
    import plotly.graph_objects as go

    confusion = np.asarray(confusion)
    fractions = confusion / np.maximum(confusion.sum(axis=1, keepdims=True), 1)
    names = [str(name) for name in class_names]
    figure = go.Figure(go.Heatmap(z=fractions, x=names, y=names, colorscale="Blues", zmin=0, zmax=1,
                                  text=confusion, texttemplate="%{text}", colorbar={"title": "fraction"}))
    return styled(figure, title=title, xaxis_title="predicted", yaxis={"title": "true", "autorange": "reversed"},
                         height=420)


def roc_figure(curves: dict, title: str = "CCSN vs everything else") -> go.Figure:
    """ROC curves with their AUC: ``{name: Evaluation}`` (:func:`mmlab.ml.evaluation.evaluate`) or
    ``{name: (false_positive, true_positive, auc)}`` (:func:`mmlab.ml.evaluation.roc_curve`)."""
    import plotly.graph_objects as go

    figure = go.Figure()
    for name, curve in curves.items():
        if isinstance(curve, tuple):
            false_positive, true_positive, auc = curve
        else:
            false_positive, true_positive, auc = curve.roc_false_positive, curve.roc_true_positive, curve.roc_auc
        figure.add_trace(go.Scatter(x=false_positive, y=true_positive, mode="lines", name=f"{name} (AUC {auc:.3f})"))
    figure.add_trace(go.Scatter(x=[0, 1], y=[0, 1], mode="lines", line={"dash": "dot", "color": "#999"},
                                showlegend=False))
    return styled(figure, title=title, xaxis_title="false-positive rate", yaxis_title="true-positive rate",
                         height=380)


def accuracy_snr_figure(curves: dict, title: str = "Accuracy against injected SNR", x_title: str = "optimal SNR",
                        y_title: str = "accuracy") -> go.Figure:
    """Accuracy per SNR bin, ``{name: (centres, accuracy, counts)}`` from :func:`mmlab.ml.evaluation.accuracy_by_snr`
    (or any fraction per bin: a true-positive rate against trigger SNR, with the axis titles to say so), or
    ``(centres, fraction, counts, low, high)`` from :func:`mmlab.ml.evaluation.fraction_by_snr`, drawn with error
    bars; a name containing "rejected" is dashed."""
    import plotly.graph_objects as go

    figure = go.Figure()
    for name, (centres, accuracy, counts, *interval) in curves.items():
        error = None
        if interval:
            low, high = interval
            error = {"type": "data", "symmetric": False, "array": high - accuracy, "arrayminus": accuracy - low}
        figure.add_trace(go.Scatter(x=centres, y=accuracy, mode="lines+markers", name=name, error_y=error,
                                    line={"dash": "dash" if "rejected" in name else "solid"},
                                    text=[f"{int(n)} samples" for n in counts]))
    return styled(figure, title=title, xaxis_title=x_title, yaxis={"title": y_title, "range": [0, 1.02]},
                         height=360)


def learning_curves_figure(curves: dict, metric: str, reference: float | None = None,
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
