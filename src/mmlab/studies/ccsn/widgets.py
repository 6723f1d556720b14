"""Widgets of the CCSN classification study: a browser of classified samples."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from mmlab.studies.ccsn.plots import sample_figure
from mmlab.viz.live import live_figure

if TYPE_CHECKING:
    import ipywidgets

__all__ = ["sample_browser"]


def sample_browser(timeseries: np.ndarray, images: np.ndarray, labels: np.ndarray, probabilities: np.ndarray,
                   class_names: Sequence[str], snr: np.ndarray | None = None,
                   sample_rate: float = 4096.0) -> ipywidgets.VBox:
    """Browse classified samples: whitened series, time–frequency image and predicted probabilities.

    Parameters
    ----------
    timeseries, images : numpy.ndarray
        ``(n, samples[, channels])`` and ``(n, frequencies, times[, channels])``; the first channel is shown.
    labels : numpy.ndarray
        True class indices.
    probabilities : numpy.ndarray
        ``(n, n_classes)`` predictions.
    class_names : sequence of str
        Names of the classes.
    snr : numpy.ndarray, optional
        Injected SNRs, shown in the status line.
    sample_rate : float
        Samples per second of the series.

    Returns
    -------
    ipywidgets.VBox
    """
    import ipywidgets as widgets

    names = [str(name) for name in class_names]
    n = len(labels)
    if not (len(timeseries) == len(images) == len(probabilities) == n) or n == 0:
        raise ValueError(f"give the same number (> 0) of series, images, labels and probabilities, got "
                         f"{len(timeseries)}, {len(images)}, {n}, {len(probabilities)}")
    first_channel = (lambda a: a[..., 0]) if np.ndim(timeseries) == 3 else (lambda a: a)
    image_channel = (lambda a: a[..., 0]) if np.ndim(images) == 4 else (lambda a: a)
    index = widgets.IntSlider(value=0, min=0, max=n - 1, description="sample", continuous_update=False)
    only_errors = widgets.Checkbox(value=False, description="only misclassified")
    status = widgets.HTML()

    def chosen() -> int:
        if only_errors.value:
            wrong = np.flatnonzero(np.argmax(probabilities, axis=1) != labels)
            if wrong.size:
                return int(wrong[min(index.value, wrong.size - 1)])
        return int(index.value)

    def figure():
        k = chosen()
        predicted = names[int(np.argmax(probabilities[k]))]
        extra = "" if snr is None else f", injected SNR {snr[k]:.1f}"
        status.value = f"sample {k}: true <b>{names[labels[k]]}</b>, predicted <b>{predicted}</b>{extra}"
        return sample_figure(first_channel(np.asarray(timeseries[k])), image_channel(np.asarray(images[k])),
                             probabilities[k], int(labels[k]), names, sample_rate)

    view = live_figure(figure, [index, only_errors], status)
    return widgets.VBox([widgets.HBox([index, only_errors]), status, view])
