"""Figures and widgets shared across notebooks: one plotly template, shared figures, the live-figure helper.

Only ``plots`` and ``widgets`` modules (and the stream dashboard) import this layer.

- :mod:`mmlab.viz.template`: the ``"mmlab"`` plotly template;
- :mod:`mmlab.viz.live`: :func:`~mmlab.viz.live.live_figure`, figures redrawn from controls;
- :mod:`mmlab.viz.figures`: strain, spectra, spectrograms, sky maps, WDF windows, events, efficiency;
- :mod:`mmlab.viz.learning`: training histories, confusion matrices, ROC curves, accuracy against SNR;
- :mod:`mmlab.viz.explorers`: explorers of strain, simulated signals and the WDF.
"""

__all__: list[str] = []
