"""Figures of the strong-lens study: colour cutouts (Lupton et al. 2004 via astropy), galleries, Grad-CAM overlays."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from mmlab.signals.lenses import SCENE_KINDS
from mmlab.viz.template import styled

if TYPE_CHECKING:
    import plotly.graph_objects as go

__all__ = ["colour_image", "lens_gallery_figure", "saliency_figure"]


def colour_image(image: np.ndarray, bands: Sequence[str] = ("u", "g", "r", "i"), stretch: float = 30.0,
                 q: float = 8.0) -> np.ndarray:
    """An 8-bit RGB picture of a cutout: i, r, g as red, green, blue through astropy's ``make_lupton_rgb``.

    Parameters
    ----------
    image : numpy.ndarray
        ``(height, width, bands)`` in units of the sky noise.
    bands : sequence of str
        The names of the channels, to find i, r and g.
    stretch, q
        The asinh stretch's linear range and softening (astropy's parameters).

    Returns
    -------
    numpy.ndarray
        ``(height, width, 3)`` uint8.
    """
    from astropy.visualization import make_lupton_rgb

    image = np.asarray(image, dtype=float)
    if image.ndim != 3 or image.shape[-1] != len(bands):
        raise ValueError(f"image must be (height, width, {len(bands)}) for bands {tuple(bands)}, got {image.shape}")
    missing = [band for band in ("i", "r", "g") if band not in bands]
    if missing:
        raise ValueError(f"a colour picture needs the g, r and i bands; {missing} not in {tuple(bands)}")
    red, green, blue = (image[..., list(bands).index(band)] for band in ("i", "r", "g"))
    # astropy divides the stretched intensity by the intensity everywhere and then sets the pixels of zero intensity
    # (sky at ``minimum`` in every band) to black: the 0/0 it warns about is discarded.
    with np.errstate(invalid="ignore", divide="ignore"):
        return make_lupton_rgb(red, green, blue, minimum=0.0, stretch=stretch, Q=q)


def lens_gallery_figure(images: np.ndarray, scenes: dict, indices: Sequence[int], scores: np.ndarray | None = None,
                        columns: int = 6, pixel_scale: float = 0.2, title: str = "") -> go.Figure:
    """A grid of colour cutouts with their kind, Einstein radius and (optionally) the network's score.

    Parameters
    ----------
    images : numpy.ndarray
        ``(n, height, width, bands)`` in units of the sky noise.
    scenes : dict
        Scene columns (``kind``, ``theta_e``).
    indices : sequence of int
        Which cutouts, in order.
    scores : numpy.ndarray, optional
        P(lens) of every cutout.
    columns : int
    pixel_scale : float
        Arcsec per pixel (for the axes).
    title : str
    """
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    indices = list(indices)
    rows = -(-len(indices) // columns)
    names = []
    for i in indices:
        name = f"{SCENE_KINDS[int(scenes['kind'][i])]}"
        if scenes["kind"][i] == 0:
            name += f" θE={scenes['theta_e'][i]:.1f}″"
        if scores is not None:
            name += f" p={scores[i]:.2f}"
        names.append(name)
    figure = make_subplots(rows=rows, cols=columns, subplot_titles=names, horizontal_spacing=0.01,
                           vertical_spacing=0.06)
    for k, i in enumerate(indices):
        figure.add_trace(go.Image(z=colour_image(images[i]), dx=pixel_scale, dy=pixel_scale,
                                  hovertemplate="%{x:.1f}″, %{y:.1f}″<extra></extra>"),
                         row=k // columns + 1, col=k % columns + 1)
    figure.update_xaxes(showticklabels=False)
    figure.update_yaxes(showticklabels=False, autorange="reversed")
    figure.update_annotations(font_size=10)
    return styled(figure, title, height=170 * rows + 60)


def saliency_figure(image: np.ndarray, heat: np.ndarray, theta_e: float | None, pixel_scale: float = 0.2,
                    title: str = "") -> go.Figure:
    """The colour cutout beside its Grad-CAM map, with the Einstein radius drawn on both (for a lens)."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    size = image.shape[0] * pixel_scale
    figure = make_subplots(rows=1, cols=2, subplot_titles=["g, r, i", "Grad-CAM (P(lens))"],
                           horizontal_spacing=0.08)
    figure.add_trace(go.Image(z=colour_image(image), dx=pixel_scale, dy=pixel_scale), row=1, col=1)
    figure.add_trace(go.Heatmap(z=heat, dx=pixel_scale, dy=pixel_scale, colorscale="Inferno", zmin=0, zmax=1,
                                colorbar={"title": "heat", "len": 0.9}), row=1, col=2)
    if theta_e is not None:
        centre = (image.shape[0] - 1) / 2 * pixel_scale
        for col in (1, 2):
            figure.add_shape(type="circle", x0=centre - theta_e, x1=centre + theta_e, y0=centre - theta_e,
                             y1=centre + theta_e, line={"color": "#17becf", "dash": "dot"}, row=1, col=col)
    figure.update_xaxes(title="arcsec", range=[0, size])
    figure.update_yaxes(range=[size, 0], scaleanchor="x", row=1, col=1)
    figure.update_yaxes(range=[size, 0], scaleanchor="x2", row=1, col=2)
    return styled(figure, title, height=380)
