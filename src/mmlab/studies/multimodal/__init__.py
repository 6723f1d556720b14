"""Multimodal GW + GRB afterglow redshift regression (Cuoco, Patricelli, Iess, Morawski 2021): data and evaluation.

Figures are in :mod:`mmlab.studies.multimodal.plots`, widgets in :mod:`mmlab.studies.multimodal.widgets`.
"""

from mmlab.studies.multimodal.datasets import (
    POPULATION_COLUMNS,
    MultimodalDataset,
    PopulationConfig,
    build_multimodal_dataset,
    distance_limits,
    draw_distances,
    draw_population,
    grb_light_curve,
    gw_map,
    gw_map_frequencies,
    gw_response,
    load_multimodal_dataset,
)
from mmlab.studies.multimodal.evaluation import interval_coverage, redshift_scatter, sigma_scale

__all__ = [
    "POPULATION_COLUMNS", "MultimodalDataset", "PopulationConfig", "build_multimodal_dataset", "distance_limits",
    "draw_distances", "draw_population", "grb_light_curve", "gw_map", "gw_map_frequencies", "gw_response",
    "interval_coverage", "load_multimodal_dataset", "redshift_scatter", "sigma_scale",
]
