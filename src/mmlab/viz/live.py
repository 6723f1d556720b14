"""Live figures: plotly figures shown as static plots in an ``ipywidgets.Output`` and redrawn from controls.

Why not plotly's ``FigureWidget`` (measured in JupyterLab 4.6 with plotly 7.1
in headless Chromium, issue 17): its view draws 700 px wide whatever its
container and refits only on a window resize (plotly.py issues 4027 and
5208, open), and a board redrawn during a long cell (the stream) stayed at
its empty first draw on a busy machine (most likely its updates, sent while
its 5 MB JavaScript bundle loaded, were lost: not verified). A
:class:`LiveFigure` is an
``Output`` widget whose one output is the figure's plotly bundle. That
output is part of the widget's model state, so every view (a late one, a
second tab, Voila, a reloaded page) draws the latest figure, at the width of
the page, with JupyterLab's own plotly renderer.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import ipywidgets

if TYPE_CHECKING:
    import plotly.graph_objects as go

__all__ = ["LiveFigure", "error_html", "live_figure"]


def error_html(exc: Exception) -> str:
    """A status line saying why a selection cannot be shown."""
    return f"<span style='color:#b00020'>Cannot show this selection: {html.escape(str(exc))}</span>"


class LiveFigure(ipywidgets.Output):
    """One plotly figure in an ``ipywidgets.Output``, replaced whole by :meth:`show`.

    Parameters
    ----------
    figure : plotly.graph_objects.Figure
        The first figure drawn.
    **kwargs
        Passed to ``ipywidgets.Output`` (``layout``, for instance).

    Attributes
    ----------
    figure : plotly.graph_objects.Figure
        The figure drawn now.
    """

    def __init__(self, figure: go.Figure, **kwargs):
        super().__init__(**kwargs)
        self.show(figure)

    def show(self, figure: go.Figure) -> None:
        """Draw ``figure`` in place of the current one."""
        import plotly.io as pio

        bundle = pio.renderers["plotly_mimetype"].to_mimebundle(figure.to_dict())
        self.figure = figure
        self.outputs = ({"output_type": "display_data", "data": bundle, "metadata": {}},)


def live_figure(make_figure: Callable[[], go.Figure | tuple[go.Figure, ...]], controls: Sequence[ipywidgets.Widget],
                status: ipywidgets.HTML | None = None) -> LiveFigure | tuple[LiveFigure, ...]:
    """:class:`LiveFigure` s of ``make_figure()``, redrawn when a control's value changes.

    ``make_figure`` may set ``status`` itself; a ValueError it raises is
    shown in ``status`` (when given) instead of breaking the widget, and the
    figures stay as they were.

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
    LiveFigure or tuple of LiveFigure
        As many as ``make_figure`` returns.
    """
    first = make_figure()
    several = isinstance(first, tuple)
    views = tuple(LiveFigure(figure) for figure in (first if several else (first,)))

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
            view.show(figure)

    for control in controls:
        control.observe(update, names="value")
    return views if several else views[0]
