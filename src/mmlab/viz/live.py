"""The live-figure helper every widget uses: plotly ``FigureWidget`` s redrawn in place from their controls."""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import ipywidgets
    import plotly.graph_objects as go

__all__ = ["error_html", "live_figure"]


def error_html(exc: Exception) -> str:
    """A status line saying why a selection cannot be shown."""
    return f"<span style='color:#b00020'>Cannot show this selection: {html.escape(str(exc))}</span>"


def live_figure(make_figure: Callable[[], go.Figure | tuple[go.Figure, ...]], controls: Sequence[ipywidgets.Widget],
                status: ipywidgets.HTML | None = None) -> go.FigureWidget | tuple[go.FigureWidget, ...]:
    """``FigureWidget`` s of ``make_figure()`` whose traces and layout are redrawn when a control's value changes.

    Only the new trace data and layout travel to the browser (the template
    does not). ``make_figure`` may set ``status`` itself; a ValueError it
    raises is shown in ``status`` (when given) instead of breaking the widget.

    Parameters
    ----------
    make_figure : callable
        Builds the figure (or a tuple of figures) from the controls' current values.
    controls : sequence of ipywidgets.Widget
        Controls whose ``value`` changes trigger a redraw.
    status : ipywidgets.HTML, optional
        Where errors are reported (cleared before each redraw).

    Returns
    -------
    plotly.graph_objects.FigureWidget or tuple of them
        As many as ``make_figure`` returns.
    """
    import plotly.graph_objects as go

    first = make_figure()
    several = isinstance(first, tuple)
    views = tuple(go.FigureWidget(figure) for figure in (first if several else (first,)))
    for view in views:
        # Refit to the page when the window or JupyterLab's panels resize. A FigureWidget inside a box first draws
        # 700 px wide whatever its container (plotly.py issues 4027 and 5208, open); a resize fills the width.
        view._config = dict(view._config, autosizable=True, responsive=True)

    def update(_=None) -> None:
        if status is not None:
            status.value = ""
        try:
            fresh = make_figure()
        except ValueError as exc:
            if status is None:
                raise
            status.value = error_html(exc)
            return
        for view, figure in zip(views, fresh if several else (fresh,)):
            layout = figure.layout.to_plotly_json()
            layout.pop("template", None)
            with view.batch_update():
                for trace, new in zip(view.data, figure.data):
                    trace.update(new.to_plotly_json())
                view.layout.update(layout)

    for control in controls:
        control.observe(update, names="value")
    return views if several else views[0]
