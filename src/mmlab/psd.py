"""Power spectral densities estimated from data."""

from __future__ import annotations

import numpy as np
from scipy import signal

from mmlab.strain import Strain


def welch_psd(
    strain: Strain, fftlength: float = 4.0, overlap: float | None = None, window: str = "hann"
) -> tuple[np.ndarray, np.ndarray]:
    """One-sided PSD by Welch's method with a median average (robust to glitches).

    Parameters
    ----------
    strain : Strain
        Finite strain samples.
    fftlength : float
        Segment length in seconds; the frequency resolution is ``1/fftlength`` Hz.
    overlap : float, optional
        Overlap of segments in seconds; default half of ``fftlength``.
    window : str
        A :func:`scipy.signal.get_window` name.

    Returns
    -------
    frequencies : numpy.ndarray
        Frequencies in Hz, from 0 to Nyquist.
    psd : numpy.ndarray
        One-sided PSD in 1/Hz (strain²/Hz).

    Notes
    -----
    The median of periodograms of Gaussian noise underestimates their mean;
    :func:`scipy.signal.welch` with ``average="median"`` corrects that bias, so
    the estimate is unbiased for stationary Gaussian noise.
    """
    strain.require_finite()
    if not fftlength > 0:
        raise ValueError(f"fftlength must be a positive number of seconds, got {fftlength!r}")
    nperseg = int(round(fftlength * strain.sample_rate))
    if nperseg > len(strain):
        raise ValueError(
            f"fftlength={fftlength} s needs {nperseg} samples but the strain holds only "
            f"{len(strain)} ({strain.duration} s)"
        )
    noverlap = nperseg // 2 if overlap is None else int(round(overlap * strain.sample_rate))
    if not 0 <= noverlap < nperseg:
        raise ValueError(f"overlap must lie in [0, fftlength={fftlength}) s, got {overlap!r}")
    return signal.welch(
        strain.data, fs=strain.sample_rate, window=window, nperseg=nperseg,
        noverlap=noverlap, average="median",
    )
