"""Rates and their uncertainties: the one false-alarm convention of mmlab, and binomial intervals.

The convention, everywhere in mmlab: a candidate (a trigger, an event, a
window's anomaly score) **is an alarm when its statistic is at or above the
threshold**, ``statistic >= threshold``. :func:`far_threshold` returns a
threshold just above the ``(k+1)``-th loudest noise candidate, so that
exactly the ``k`` louder ones are alarms under that convention, and
:func:`false_alarm_rate` and :func:`alarms` count with it. (PyCBC ranks a
candidate against background "as loud or louder" in the same way.)
"""

from __future__ import annotations

import numpy as np

__all__ = ["alarms", "binomial_interval", "false_alarm_rate", "far_threshold"]

#: Seconds per hour, the unit of false-alarm rates.
HOUR = 3600.0


def alarms(statistics, threshold: float) -> np.ndarray:
    """Which candidates are alarms: ``statistics >= threshold`` (the convention above).

    Examples
    --------
    >>> alarms([5.0, 7.0, 9.0], 7.0).tolist()
    [False, True, True]
    """
    return np.asarray(statistics, dtype=np.float64) >= threshold


def far_threshold(event_snrs, live_time: float, rate_per_hour: float = 1.0, floor: float = 0.0) -> float:
    """Lowest threshold at which noise gives at most ``rate_per_hour`` alarms per hour.

    Parameters
    ----------
    event_snrs : array_like
        Statistics of the (clustered) candidates found in noise alone.
    live_time : float
        Seconds of noise analysed.
    rate_per_hour : float
        Allowed false-alarm rate.
    floor : float
        The lowest statistic at which candidates were recorded (a trigger threshold).

    Returns
    -------
    float
        Just above the ``(k+1)``-th loudest noise candidate, ``k = floor(rate × live_time)``
        alarms being allowed; ``floor`` if there are no more than ``k`` candidates.

    Raises
    ------
    ValueError
        If the noise stretch is too short to measure that rate (``k`` < 1).

    Examples
    --------
    >>> far_threshold([5.0, 9.0, 6.0, 12.0, 7.5], live_time=7200.0)  # two alarms allowed in 2 h
    7.500000000000001
    """
    allowed = int(np.floor(rate_per_hour * live_time / HOUR))
    if allowed < 1:
        raise ValueError(
            f"{live_time:g} s of noise cannot measure {rate_per_hour:g} false alarms per hour; "
            f"analyse at least {HOUR / rate_per_hour:g} s"
        )
    loudest = np.sort(np.asarray(event_snrs, dtype=np.float64))[::-1]
    if loudest.size <= allowed:
        return float(floor)
    return float(max(np.nextafter(loudest[allowed], np.inf), floor))


def false_alarm_rate(noise_statistics, threshold: float, live_time: float) -> float:
    """Alarms per hour: noise candidates at or above ``threshold`` per hour of noise analysed.

    Parameters
    ----------
    noise_statistics : array_like
        Statistics of candidates in noise alone (overlapping windows count
        separately, so one loud noise feature may count twice: conservative).
    threshold : float
        The threshold.
    live_time : float
        Seconds of noise analysed.
    """
    live_time = float(live_time)
    if not live_time > 0:
        raise ValueError(f"live_time must be a positive number of seconds, got {live_time!r}")
    return float(np.count_nonzero(alarms(noise_statistics, threshold))) * HOUR / live_time


def binomial_interval(found: int, total: int, confidence: float = 0.9) -> tuple[float, float]:
    """Clopper–Pearson interval of an efficiency ``found / total`` (:func:`scipy.stats.binomtest`).

    Returns
    -------
    low, high : float
        NaN for ``total == 0``.

    Examples
    --------
    >>> [round(v, 4) for v in binomial_interval(5, 10, 0.9)]
    [0.2224, 0.7776]
    """
    from scipy.stats import binomtest

    if total == 0:
        return float("nan"), float("nan")
    interval = binomtest(int(found), int(total)).proportion_ci(confidence_level=confidence, method="exact")
    return float(interval.low), float(interval.high)
