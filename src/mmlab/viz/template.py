"""The one plotly look of mmlab: a template registered as ``"mmlab"`` and a helper that applies it.

Figures set only what is theirs (title, axis titles, height); margins, colours
and background come from the template, so every notebook looks alike.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import plotly.graph_objects as go

__all__ = ["TEMPLATE_NAME", "WEBGL_MIN_POINTS", "line_trace", "mmlab_template", "styled"]

#: Name under which the template is registered in :data:`plotly.io.templates`.
TEMPLATE_NAME = "mmlab"

#: Points above which a line is drawn with WebGL (``Scattergl``). Below it SVG (``Scatter``) is as fast, and
#: it spends none of the 16 WebGL contexts Chromium allows a page: with several notebooks open in
#: JupyterLab, WebGL figures beyond those go blank ("Too many active WebGL contexts").
WEBGL_MIN_POINTS = 20_000


def line_trace(x, y, **trace) -> go.Scatter | go.Scattergl:
    """A line trace: SVG ``Scatter`` up to :data:`WEBGL_MIN_POINTS` points, WebGL ``Scattergl`` above."""
    import plotly.graph_objects as go

    kind = go.Scattergl if len(y) > WEBGL_MIN_POINTS else go.Scatter
    return kind(x=x, y=y, mode=trace.pop("mode", "lines"), **trace)


def mmlab_template() -> go.layout.Template:
    """The mmlab template (plotly_white with compact margins), registered on first use."""
    import plotly.graph_objects as go
    import plotly.io as pio

    if TEMPLATE_NAME not in pio.templates:
        template = go.layout.Template(pio.templates["plotly_white"])
        template.layout.margin = {"t": 50, "b": 40, "l": 60, "r": 20}
        template.layout.title = {"font": {"size": 15}}
        template.layout.legend = {"bgcolor": "rgba(255,255,255,0.6)"}
        pio.templates[TEMPLATE_NAME] = template
    return pio.templates[TEMPLATE_NAME]


def styled(figure: go.Figure, title: str = "", height: int = 360, **layout) -> go.Figure:
    """Apply the mmlab template, a title and a height (and any other layout settings) to ``figure``; return it."""
    figure.update_layout(template=mmlab_template(), title=title, height=height, **layout)
    return figure
