"""Anomaly detection in strain with a convolutional autoencoder (Morawski et al. 2021): windows and scores.

Figures are in :mod:`mmlab.studies.anomaly.plots`, widgets in :mod:`mmlab.studies.anomaly.widgets`.
"""

from mmlab.studies.anomaly.scores import (
    anomaly_scores,
    check_windows,
    detection_table,
    excess_power,
    rank_of_time,
    reconstruct,
)
from mmlab.studies.anomaly.windows import (
    BBH_TOTAL_MASS,
    INJECTION_KINDS,
    InjectionWindows,
    WindowConfig,
    condition,
    injection_windows,
    random_bbh,
    simulated_noise_windows,
    sliding_windows,
)

__all__ = [
    "BBH_TOTAL_MASS", "INJECTION_KINDS", "InjectionWindows", "WindowConfig", "anomaly_scores", "check_windows",
    "condition", "detection_table", "excess_power", "injection_windows", "random_bbh", "rank_of_time", "reconstruct",
    "simulated_noise_windows", "sliding_windows",
]
