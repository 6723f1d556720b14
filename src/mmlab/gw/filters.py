"""Zero-phase conditioning filters for strain: band-pass and line notches."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import signal

from mmlab.core.strain import Strain

__all__ = ["bandpass"]


def _check_band(f_low: float, f_high: float, sample_rate: float) -> None:
    nyquist = sample_rate / 2
    if not 0 < f_low < f_high < nyquist:
        raise ValueError(
            f"band must satisfy 0 < f_low < f_high < Nyquist = {nyquist:g} Hz, "
            f"got f_low={f_low!r}, f_high={f_high!r}"
        )


def bandpass(
    strain: Strain,
    f_low: float,
    f_high: float,
    order: int = 8,
    notches: Sequence[float] = (),
    notch_q: float = 30.0,
) -> Strain:
    """Band-pass (and optionally notch) a strain series with zero phase.

    A Butterworth band-pass in second-order sections, applied forward and
    backward (:func:`scipy.signal.sosfiltfilt`) so the filtered signal keeps
    its timing; each notch is an IIR notch at a power-line harmonic.

    Parameters
    ----------
    strain : Strain
        Finite strain samples.
    f_low, f_high : float
        Band edges in Hz, ``0 < f_low < f_high < sample_rate / 2``.
    order : int
        Butterworth order of the band-pass (doubled by the forward-backward pass).
    notches : sequence of float
        Frequencies in Hz to remove (e.g. ``(60, 120, 180)`` for LIGO mains).
    notch_q : float
        Quality factor of each notch (width ``f / notch_q``).

    Returns
    -------
    Strain
        The filtered series, same times.
    """
    strain.require_finite()
    _check_band(f_low, f_high, strain.sample_rate)
    if not isinstance(order, (int, np.integer)) or order < 1:
        raise ValueError(f"order must be a positive integer, got {order!r}")
    sos = signal.butter(order, [f_low, f_high], btype="bandpass", fs=strain.sample_rate, output="sos")
    for frequency in notches:
        if not 0 < frequency < strain.sample_rate / 2:
            raise ValueError(
                f"each notch must lie in (0, Nyquist = {strain.sample_rate / 2:g}) Hz, got {frequency!r}"
            )
        b, a = signal.iirnotch(frequency, notch_q, fs=strain.sample_rate)
        sos = np.vstack([sos, signal.tf2sos(b, a)])
    filtered = signal.sosfiltfilt(sos, strain.data)
    return Strain(filtered, t0=strain.t0, sample_rate=strain.sample_rate, detector=strain.detector)
