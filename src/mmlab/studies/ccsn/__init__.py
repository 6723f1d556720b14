"""Core-collapse supernova vs glitch classification on WDF triggers (Iess et al. 2020, 2023): the data sets.

Figures are in :mod:`mmlab.studies.ccsn.plots`, widgets in :mod:`mmlab.studies.ccsn.widgets`, the held-out-progenitor
test in :mod:`mmlab.studies.ccsn.generalisation`.
"""

from mmlab.studies.ccsn.datasets import (
    ALL_CLASSES,
    CCSN_CLASSES,
    SIGNAL_CLASSES,
    Dataset,
    DatasetConfig,
    build_dataset,
    check_classes,
    load_dataset,
    read_dataset,
    save_dataset,
)

__all__ = [
    "ALL_CLASSES", "CCSN_CLASSES", "SIGNAL_CLASSES", "Dataset", "DatasetConfig", "build_dataset", "check_classes",
    "load_dataset", "read_dataset", "save_dataset",
]
