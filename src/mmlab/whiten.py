"""Whitening: rescaling strain so that its noise is white with unit variance."""

from __future__ import annotations

import numpy as np
from scipy import signal

from mmlab.psd import psd_on_grid, welch_psd
from mmlab.strain import Strain


def spectral_whiten(strain: Strain, fftlength: float = 4.0, taper: float = 0.1, psd=None) -> Strain:
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
    psd : str, array_like or tuple, optional
        A known PSD instead of the estimate (a design-curve name for
        simulated noise, or ``(frequencies, psd)``; see
        :func:`mmlab.psd.psd_on_grid`). Bins where it is zero (outside a
        design curve's table) are set to zero.

    Returns
    -------
    Strain
        Whitened, dimensionless series with the same times.
    """
    if not 0 <= taper <= 1:
        raise ValueError(f"taper must be a fraction in [0, 1], got {taper!r}")
    strain.require_finite()
    n = len(strain)
    fft_frequencies = np.fft.rfftfreq(n, d=strain.dt)
    if psd is None:
        noise = psd_on_grid(welch_psd(strain, fftlength=fftlength), fft_frequencies)
        if np.any(noise <= 0):
            raise ValueError("the estimated PSD has zero or negative bins; cannot whiten this strain")
    else:
        noise = psd_on_grid(psd, fft_frequencies)
    spectrum = np.fft.rfft(strain.data * signal.windows.tukey(n, alpha=taper))
    inverse_asd = np.zeros_like(noise)
    np.divide(1.0, np.sqrt(noise * strain.sample_rate / 2), out=inverse_asd, where=noise > 0)
    whitened = np.fft.irfft(spectrum * inverse_asd, n=n)
    return Strain(whitened, t0=strain.t0, sample_rate=strain.sample_rate, detector=strain.detector)
