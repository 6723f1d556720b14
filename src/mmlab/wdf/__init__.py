"""The Wavelet Detection Filter and what follows it: thresholding, screening, the filter, triggers, efficiency.

- :mod:`mmlab.wdf.thresholding`: per-window wavelet decomposition and the thresholding rules;
- :mod:`mmlab.wdf.screening`: the bound that skips windows which cannot trigger;
- :mod:`mmlab.wdf.filter`: :func:`detect_chunk` (explicit :class:`WDFState`) and :class:`WaveletDetectionFilter`;
- :mod:`mmlab.wdf.triggers`: trigger parameters and clustering into events;
- :mod:`mmlab.wdf.efficiency`: thresholds at a false-alarm rate and detection efficiency.
"""

from mmlab.wdf.filter import WaveletDetectionFilter, WDFState, WindowStages, detect_chunk, window_stages
from mmlab.wdf.thresholding import (
    BLOCK_LAMBDA,
    DEFAULT_WAVELETS,
    DETECTION_BLOCK_THRESHOLD,
    MAD_SCALE,
    THRESHOLD_MODES,
    THRESHOLD_RULES,
    threshold_coefficients,
    window_coefficients,
)
from mmlab.wdf.triggers import TRIGGER_COLUMNS, cluster_triggers

__all__ = [
    "BLOCK_LAMBDA", "DEFAULT_WAVELETS", "DETECTION_BLOCK_THRESHOLD", "MAD_SCALE", "THRESHOLD_MODES",
    "THRESHOLD_RULES", "TRIGGER_COLUMNS", "WDFState", "WaveletDetectionFilter", "WindowStages", "cluster_triggers",
    "detect_chunk", "threshold_coefficients", "window_coefficients", "window_stages",
]
