"""The Wavelet Detection Filter and what follows it: thresholding, screening, triggers, events and significance.

- :mod:`mmlab.wdf.thresholding`: per-window wavelet decomposition and the thresholding rules;
- :mod:`mmlab.wdf.screening`: the bound that skips windows which cannot trigger;
- :mod:`mmlab.wdf.filter`: :func:`detect_chunk` (explicit :class:`WDFState`) and :class:`WaveletDetectionFilter`;
- :mod:`mmlab.wdf.triggers`: trigger parameters and clustering into events;
- :mod:`mmlab.wdf.stages`: one window through the stages, for display;
- :mod:`mmlab.wdf.tracks`: the best tracks through a time–frequency map (dynamic programming);
- :mod:`mmlab.wdf.chirps`: a bank of g-mode chirps (tile power summed in a band along quadratic tracks);
- :mod:`mmlab.wdf.excess_power`: the long-transient statistics (excess power along tracks of tiles, and the chirp
  bank) in streaming blocks;
- :mod:`mmlab.wdf.events`: one event schema for every method;
- :mod:`mmlab.wdf.search`: every method on one whitened stream (:func:`search_chunk`, :class:`TransientSearch`);
- :mod:`mmlab.wdf.efficiency`: thresholds at a false-alarm rate and detection efficiency;
- :mod:`mmlab.wdf.significance`: coincidence, time slides, FAR and FAP;
- :mod:`mmlab.wdf.network`: network backgrounds, injection campaigns and candidates in data.
"""

from mmlab.wdf.filter import WaveletDetectionFilter, WDFState, detect_chunk
from mmlab.wdf.search import TransientSearch, search_chunk
from mmlab.wdf.stages import WindowStages, window_stages
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
    "THRESHOLD_RULES", "TRIGGER_COLUMNS", "TransientSearch", "WDFState", "WaveletDetectionFilter", "WindowStages",
    "cluster_triggers", "detect_chunk", "search_chunk", "threshold_coefficients", "window_coefficients",
    "window_stages",
]
