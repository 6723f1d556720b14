"""Strong gravitational lenses in ground-based cutouts: simulated data sets, measures, figures, a browser.

Data sets in :mod:`~mmlab.studies.lensing.datasets` (scenes of :mod:`mmlab.signals.lenses`),
recall at zero false positives, Grad-CAM heat in the Einstein annulus and active learning in
:mod:`~mmlab.studies.lensing.evaluation`; figures in ``plots``, the test-cutout browser in ``widgets``.
The networks are :mod:`mmlab.ml.images`'.
"""

from mmlab.studies.lensing.datasets import (
    LensConfig,
    LensDataset,
    load_lens_dataset,
    stretch,
)
from mmlab.studies.lensing.evaluation import (
    annulus_fraction,
    label_fraction_to_reach,
    lens_active_learning,
    tpr_at_zero_fp,
)

__all__ = [
    "LensConfig", "LensDataset", "annulus_fraction", "label_fraction_to_reach", "lens_active_learning",
    "load_lens_dataset", "stretch", "tpr_at_zero_fp",
]
