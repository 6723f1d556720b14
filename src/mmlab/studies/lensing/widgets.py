"""Widget of the strong-lens study: browse test cutouts, found and missed, with the network's Grad-CAM map."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from mmlab.signals.lenses import SCENE_KINDS
from mmlab.studies.lensing.plots import saliency_figure
from mmlab.viz.live import live_figure

if TYPE_CHECKING:
    import ipywidgets

__all__ = ["lens_browser"]

#: Groups of test cutouts the browser offers.
GROUPS = ("found lenses", "missed lenses", "false positives", "rejected non-lenses")


def lens_browser(images: np.ndarray, scenes: dict, scores: np.ndarray, heat: np.ndarray, threshold: float,
                 pixel_scale: float = 0.2) -> ipywidgets.VBox:
    """Pick a group (found or missed lenses, false positives, rejected non-lenses) and step through it.

    Parameters
    ----------
    images : numpy.ndarray
        ``(n, height, width, bands)`` test cutouts in units of the sky noise.
    scenes : dict
        Their scene columns.
    scores : numpy.ndarray
        P(lens) of each.
    heat : numpy.ndarray
        ``(n, height, width)`` Grad-CAM maps.
    threshold : float
        P(lens) above which a cutout is called a lens.
    pixel_scale : float

    Returns
    -------
    ipywidgets.VBox
    """
    import ipywidgets as widgets

    n = len(scores)
    if not len(images) == len(heat) == n == len(scenes["label"]):
        raise ValueError(f"give one image, scene and map per score ({n}); got {len(images)} images, "
                         f"{len(scenes['label'])} scenes and {len(heat)} maps")
    lens, called = np.asarray(scenes["label"]) == 1, np.asarray(scores) > threshold
    members = dict(zip(GROUPS, (np.flatnonzero(lens & called), np.flatnonzero(lens & ~called),
                                np.flatnonzero(~lens & called), np.flatnonzero(~lens & ~called)), strict=True))
    group = widgets.Dropdown(options=[f"{name} ({members[name].size})" for name in GROUPS], description="show",
                             layout={"width": "300px"})
    position = widgets.IntSlider(0, 0, 0, description="cutout", layout={"width": "420px"})
    status = widgets.HTML()

    def chosen() -> np.ndarray:
        return members[GROUPS[group.index]]

    def resize(_change=None) -> None:
        position.max = max(chosen().size - 1, 0)
        position.value = min(position.value, position.max)

    group.observe(resize, "value")
    resize()

    def figure():
        indices = chosen()
        if not indices.size:
            status.value = "No test cutout in this group."
            return saliency_figure(np.zeros_like(images[0]), np.zeros_like(heat[0]), None, pixel_scale)
        i = int(indices[position.value])
        kind = SCENE_KINDS[int(scenes["kind"][i])]
        theta = float(scenes["theta_e"][i]) if lens[i] else None
        status.value = (f"test cutout {i}: <b>{kind}</b>, P(lens) = {scores[i]:.3f} (threshold {threshold:.3f})"
                        + (f", θE = {theta:.2f}″, source r = {scenes['source_mag_r'][i]:.1f}" if lens[i] else ""))
        return saliency_figure(images[i], heat[i], theta, pixel_scale, f"{kind}, P(lens) {scores[i]:.2f}")

    return widgets.VBox([widgets.HBox([group, position]), status, live_figure(figure, [group, position], status)])
