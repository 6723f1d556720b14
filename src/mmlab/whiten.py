"""Whitening: rescaling strain so that its noise is white with unit variance."""

from __future__ import annotations

import numpy as np
from scipy import signal

from mmlab.psd import welch_psd
from mmlab.strain import Strain


def spectral_whiten(strain: Strain, fftlength: float = 4.0, taper: float = 0.1) -> Strain:
    """Whiten by dividing the Fourier transform by the amplitude spectral density.

    The one-sided PSD ``S(f)`` is estimated from the same data with
    :func:`mmlab.psd.welch_psd` and interpolated to the FFT grid; the series is
    tapered (Tukey window), transformed, divided by ``sqrt(S(f) * fs / 2)`` and
    transformed back. Stationary Gaussian noise comes out with unit variance and
    a flat PSD of ``2 / fs``, as with :meth:`gwpy.timeseries.TimeSeries.whiten`.

    Parameters
    ----------
    strain : Strain
        Finite strain samples, at least ``fftlength`` long.
    fftlength : float
        Welch segment length in seconds.
    taper : float
        Fraction of the series tapered at both ends, in ``[0, 1]``.

    Returns
    -------
    Strain
        Whitened, dimensionless series with the same times.
    """
    if not 0 <= taper <= 1:
        raise ValueError(f"taper must be a fraction in [0, 1], got {taper!r}")
    frequencies, psd = welch_psd(strain, fftlength=fftlength)
    n = len(strain)
    fft_frequencies = np.fft.rfftfreq(n, d=strain.dt)
    psd_on_grid = np.interp(fft_frequencies, frequencies, psd)
    if np.any(psd_on_grid <= 0):
        raise ValueError("the estimated PSD has zero or negative bins; cannot whiten this strain")
    spectrum = np.fft.rfft(strain.data * signal.windows.tukey(n, alpha=taper))
    whitened = np.fft.irfft(spectrum / np.sqrt(psd_on_grid * strain.sample_rate / 2), n=n)
    return Strain(whitened, t0=strain.t0, sample_rate=strain.sample_rate, detector=strain.detector)
