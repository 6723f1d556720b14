"""Widget of the representation study: pick a sample, see it in every representation with each detector's score."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from mmlab.studies.representation.datasets import BNSSamples
from mmlab.studies.representation.plots import representations_figure
from mmlab.viz.live import live_figure

if TYPE_CHECKING:
    import ipywidgets

__all__ = ["sample_explorer"]


def sample_explorer(samples: BNSSamples, views: dict[str, np.ndarray], scores: dict[str, np.ndarray],
                    thresholds: dict[str, float]) -> ipywidgets.VBox:
    """Step through samples (all, signals only or noise only) and compare what each detector made of them.

    Parameters
    ----------
    samples : BNSSamples
        The samples shown (their labels, SNRs and masses are listed).
    views : dict
        ``{representation: array}`` of those samples.
    scores : dict
        ``{detector: score per sample}`` (networks and the matched filter).
    thresholds : dict
        ``{detector: threshold}`` at the chosen false-alarm probability; scores above it are marked found.

    Returns
    -------
    ipywidgets.VBox
    """
    import ipywidgets as widgets

    n = len(samples)
    if any(len(v) != n for v in views.values()) or any(len(s) != n for s in scores.values()):
        raise ValueError(f"give every view and score for the {n} samples")
    if set(scores) - set(thresholds):
        raise ValueError(f"no threshold for {sorted(set(scores) - set(thresholds))}")
    which = widgets.ToggleButtons(options=["signals", "noise", "all"], value="signals", description="show")
    position = widgets.IntSlider(value=0, min=0, max=n - 1, description="sample", continuous_update=False,
                                 layout={"width": "500px"})
    status = widgets.HTML()

    def chosen() -> np.ndarray:
        return {"signals": np.flatnonzero(samples.label == 1), "noise": np.flatnonzero(samples.label == 0),
                "all": np.arange(n)}[which.value]

    def figure():
        pool = chosen()
        if pool.size == 0:
            raise ValueError(f"there are no {which.value} samples")
        position.max = pool.size - 1
        k = int(pool[min(position.value, pool.size - 1)])
        what = (f"BNS {samples.mass1[k]:.2f}+{samples.mass2[k]:.2f} M☉, SNR {samples.snr[k]:.1f}, merger at "
                f"{samples.merger[k]:.2f} s" if samples.label[k] else "noise only")
        marks = ", ".join(f"{name} <b>{scores[name][k]:.3g}</b>{' ✔' if scores[name][k] > thresholds[name] else ''}"
                          for name in scores)
        status.value = f"sample {k}: {what}<br>{marks} (✔: above the threshold)"
        return representations_figure(views, k, samples.config.sample_rate)

    return widgets.VBox([widgets.HBox([which, position]), status, live_figure(figure, [which, position], status)])
