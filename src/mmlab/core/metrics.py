"""Recording a notebook's key numbers so that the runner's report and the tests see them.

:func:`record` displays the number as a cell output carrying only the MIME type
:data:`METRIC_MIMETYPE`, which nothing renders (a notebook shows its numbers in its own
words and tables; the run report lists every metric); the runner reads
those outputs back from the executed notebook with :func:`read_metrics`. The
metric therefore travels inside the notebook itself, however it was executed.
"""

from __future__ import annotations

import math
import numbers
import re

__all__ = ["METRIC_MIMETYPE", "read_metrics", "record", "recorded"]

#: MIME type of the display output that carries one recorded metric.
METRIC_MIMETYPE = "application/vnd.mmlab.metric+json"

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")

#: Metrics recorded in this process, in order (readable outside a notebook too).
_recorded: dict[str, float] = {}


def record(name: str, value: float) -> None:
    """Record a named number for the run report.

    Parameters
    ----------
    name : str
        Metric name, an identifier such as ``"binary_accuracy_cnn1d"``.
    value : float
        A finite real number (numpy scalars and 0-d arrays are accepted).

    Raises
    ------
    ValueError
        If ``name`` is not an identifier or ``value`` is not a finite number.
    """
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError(f"metric name must be an identifier like 'accuracy_cnn1d', got {name!r}")
    if hasattr(value, "item") and getattr(value, "ndim", 0) == 0:
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"metric {name!r} must be a real number, got {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"metric {name!r} must be finite, got {value}")
    _recorded[name] = value
    _display(name, value)


def recorded() -> dict[str, float]:
    """Metrics recorded in this process so far."""
    return dict(_recorded)


def _display(name: str, value: float) -> None:
    """Emit the metric as a display output when running inside IPython."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    if get_ipython() is None:
        return
    from IPython.display import display

    # Only the metric's own MIME type: JupyterLab and nbconvert have no renderer for it, so the
    # notebook stays quiet (the number is in the run report), while read_metrics finds it.
    display({METRIC_MIMETYPE: {"name": name, "value": value}}, raw=True)


def read_metrics(notebook) -> dict[str, float]:
    """Collect the metrics recorded in an executed notebook.

    Parameters
    ----------
    notebook : nbformat.NotebookNode
        An executed notebook.

    Returns
    -------
    dict
        ``{name: value}``; a name recorded twice keeps its last value.
    """
    metrics = {}
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            payload = output.get("data", {}).get(METRIC_MIMETYPE)
            if payload is not None:
                metrics[payload["name"]] = float(payload["value"])
    return metrics
