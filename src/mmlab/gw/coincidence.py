"""Comparing the same transient as seen by several detectors: arrival-time windows and delays."""

from __future__ import annotations

import itertools

import numpy as np
from scipy import signal

from mmlab.core.strain import Strain
from mmlab.gw.detectors import detector_names, light_travel_time

__all__ = ["coincidence_window", "cross_correlation_delay"]


def coincidence_window(detectors) -> float:
    """The largest light travel time between any two detectors of a network, in s.

    A wave reaches two detectors at most this far apart, so events of one
    source in different detectors lie within it of each other (plus their
    own extents).

    Examples
    --------
    >>> round(coincidence_window("HL") * 1e3, 2)  # H1-L1, ms
    10.01
    """
    names = detector_names(detectors)
    if len(names) < 2:
        raise ValueError(f"a coincidence needs at least two detectors, got {list(names)}")
    return max(light_travel_time(a, b) for a, b in itertools.combinations(names, 2))


def cross_correlation_delay(first: Strain, second: Strain, max_delay: float = 0.010) -> tuple[float, float]:
    """Arrival-time difference of a common signal from the normalised cross-correlation.

    The lag of the largest *absolute* correlation within ``±max_delay`` wins,
    so a signal seen with opposite sign (as GW150914 in H1 and L1, whose arms
    are rotated by about 90°) is found too; a parabola through the peak and its
    neighbours refines the lag below one sample.

    Parameters
    ----------
    first, second : Strain
        Equal-length, equal-rate series, already whitened and band-passed.
    max_delay : float
        Largest delay searched, in seconds (10 ms is the H1–L1 light travel time).

    Returns
    -------
    delay : float
        Seconds by which ``first`` lags ``second`` (positive: ``second`` saw it first).
    correlation : float
        Normalised correlation at that lag, in ``[-1, 1]``; its sign tells
        whether the two see the signal with the same or opposite sign.
    """
    for series in (first, second):
        series.require_finite()
    if first.sample_rate != second.sample_rate or len(first) != len(second):
        raise ValueError(
            "first and second must share sample rate and length, got "
            f"{first.sample_rate} Hz × {len(first)} and {second.sample_rate} Hz × {len(second)}"
        )
    max_lag = int(round(max_delay * first.sample_rate))
    if not 1 <= max_lag < len(first) // 2:
        raise ValueError(
            f"max_delay must span 1 to {len(first) // 2 - 1} samples, got {max_delay!r} s = {max_lag} samples"
        )
    a = first.data - first.data.mean()
    b = second.data - second.data.mean()
    full = signal.correlate(a, b, mode="full") / np.sqrt(np.dot(a, a) * np.dot(b, b))
    lags = signal.correlation_lags(a.size, b.size, mode="full")
    inside = np.abs(lags) <= max_lag
    correlation, lags = full[inside], lags[inside]
    peak = int(np.argmax(np.abs(correlation)))
    offset = 0.0
    if 0 < peak < correlation.size - 1:
        left, centre, right = np.abs(correlation[peak - 1 : peak + 2])
        curvature = left - 2 * centre + right
        if curvature < 0:
            offset = 0.5 * (left - right) / curvature
    return float((lags[peak] + offset) / first.sample_rate), float(correlation[peak])
