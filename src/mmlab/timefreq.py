"""Time–frequency representations of strain."""

from __future__ import annotations

import numpy as np
from scipy import signal

from mmlab.strain import Strain


def spectrogram(
    strain: Strain, fftlength: float = 0.25, overlap: float | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Short-time power spectral density.

    Parameters
    ----------
    strain : Strain
        Finite strain samples.
    fftlength : float
        Segment length in seconds (frequency resolution ``1/fftlength`` Hz).
    overlap : float, optional
        Overlap of segments in seconds; default 90 % of ``fftlength``.

    Returns
    -------
    times : numpy.ndarray
        GPS times of the segment centres, in s.
    frequencies : numpy.ndarray
        Frequencies in Hz.
    power : numpy.ndarray
        One-sided PSD of each segment, shape ``(frequencies, times)``, in 1/Hz.
    """
    strain.require_finite()
    nperseg = int(round(fftlength * strain.sample_rate))
    if not 8 <= nperseg <= len(strain):
        raise ValueError(
            f"fftlength must span 8 to {len(strain)} samples ({strain.duration} s), "
            f"got {fftlength!r} s = {nperseg} samples"
        )
    noverlap = int(0.9 * nperseg) if overlap is None else int(round(overlap * strain.sample_rate))
    if not 0 <= noverlap < nperseg:
        raise ValueError(f"overlap must lie in [0, fftlength={fftlength}) s, got {overlap!r}")
    frequencies, times, power = signal.spectrogram(
        strain.data, fs=strain.sample_rate, window="hann", nperseg=nperseg,
        noverlap=noverlap, scaling="density", mode="psd",
    )
    return strain.t0 + times, frequencies, power
