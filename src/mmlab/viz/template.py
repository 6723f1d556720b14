"""The one plotly look of mmlab: a template registered as ``"mmlab"`` and a helper that applies it.

Figures set only what is theirs (title, axis titles, height); margins, colours
and background come from the template, so every notebook looks alike.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import plotly.graph_objects as go

__all__ = ["TEMPLATE_NAME", "mmlab_template", "styled"]

#: Name under which the template is registered in :data:`plotly.io.templates`.
TEMPLATE_NAME = "mmlab"


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
