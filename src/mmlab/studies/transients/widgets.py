"""Widget of the optical-transient study: you are the oracle of an active learner."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from mmlab.core.photometry import LightCurve
from mmlab.ml.active import ActiveLearner
from mmlab.studies.transients.classification import snia_metrics
from mmlab.studies.transients.plots import light_curve_figure
from mmlab.viz.live import live_figure

if TYPE_CHECKING:
    import ipywidgets

__all__ = ["oracle_widget"]


def oracle_widget(learner: ActiveLearner, curves: Sequence[LightCurve], test, test_labels) -> ipywidgets.VBox:
    """Show the light curve the learner asks about; your answer (SN Ia or not) refits it and updates its test FoM.

    Parameters
    ----------
    learner : ActiveLearner
        With seed labels already given (classes 0 = not Ia, 1 = SN Ia); it is refitted in place.
    curves : sequence of LightCurve
        The pool's light curves, in the order of ``learner.pool``.
    test, test_labels : array_like
        Held-out features and labels the figure of merit is measured on.

    Returns
    -------
    ipywidgets.VBox
    """
    import ipywidgets as widgets

    if len(curves) != learner.pool.shape[0]:
        raise ValueError(f"give one light curve per pool object ({learner.pool.shape[0]}), got {len(curves)}")
    learner.fit()
    asked = widgets.IntText(value=int(learner.query(1)[0]), layout={"display": "none"})
    buttons = [widgets.Button(description=text, layout={"width": "130px"}) for text in ("SN Ia", "not SN Ia", "skip")]
    status = widgets.HTML()

    def figure():
        k = asked.value
        fom = snia_metrics(test_labels, learner.predict_proba(test)[:, 1])["fom"]
        p = learner.predict_proba(learner.pool[[k]])[0, 1]
        status.value = (f"{len(learner.labelled)} labels so far, test FoM <b>{fom:.3f}</b>. The learner asks about "
                        f"object {k}, P(SN Ia) = {p:.2f} (TNS says: {curves[k].meta.get('tns_type', '?')}, "
                        "peek only after answering)")
        return light_curve_figure(curves[k], f"Is {curves[k].object_id} a SN Ia?")

    def answer(label):
        def click(_button) -> None:
            if label is not None:
                learner.teach(asked.value, label)
                learner.fit()
            skipped = np.setdiff1d(learner.query(2), [asked.value])
            asked.value = int(skipped[0]) if label is None and skipped.size else int(learner.query(1)[0])
        return click

    for button, label in zip(buttons, (1, 0, None), strict=True):
        button.on_click(answer(label))
    return widgets.VBox([widgets.HBox(buttons), status, live_figure(figure, [asked], status)])
