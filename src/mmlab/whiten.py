"""Whitening: making detector noise white.

Two methods: :func:`spectral_whiten` divides the Fourier transform by the ASD
(gwpy's method, for a segment at once); :class:`ARWhitener` fits an
autoregressive model by Burg's method and applies its prediction-error filter
(the Wavelet Detection Filter's method, streaming in chunks).
"""

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


def burg_ar(data: np.ndarray, order: int) -> tuple[np.ndarray, float, np.ndarray]:
    """Fit an autoregressive model by Burg's method (maximum-entropy spectral estimation).

    The model is ``x[n] = Σ_{i=1..P} a_i x[n−i] + e[n]`` with white ``e`` of
    variance ``σ²``. Burg's recursion estimates one reflection coefficient
    per order from the forward and backward prediction errors, so the filter
    is always stable (|k| < 1). Written here because neither scipy nor numpy
    offers Burg's method (statsmodels and librosa do, but are heavy
    dependencies for twenty lines); each order costs O(N) numpy work.

    Parameters
    ----------
    data : numpy.ndarray
        Finite 1-D samples, at least ``10 * order`` of them.
    order : int
        Model order P.

    Returns
    -------
    coefficients : numpy.ndarray
        Prediction coefficients ``a_1 … a_P``; the whitening (prediction-error)
        filter is ``[1, −a_1, …, −a_P]``.
    variance : float
        Final prediction-error variance σ².
    reflection : numpy.ndarray
        Reflection coefficients ``k_1 … k_P`` (they drive a lattice filter).
    """
    data = np.asarray(data, dtype=np.float64)
    if isinstance(order, bool) or int(order) != order or order < 1:
        raise ValueError(f"order must be a positive integer, got {order!r}")
    order = int(order)
    if data.ndim != 1 or data.size < 10 * order:
        raise ValueError(
            f"Burg's method of order {order} needs at least {10 * order} samples, got {data.size}; "
            "use a longer learn stretch or a lower order"
        )
    if not np.isfinite(data).all():
        raise ValueError("the data to fit contain NaN or infinite samples")
    forward, backward = data[1:].copy(), data[:-1].copy()
    scratch = np.empty_like(forward)
    polynomial = np.zeros(order + 1)
    polynomial[0] = 1.0
    reflection = np.zeros(order)
    variance = float(np.dot(data, data) / data.size)
    for m in range(order):
        k = -2.0 * np.dot(forward, backward) / (np.dot(forward, forward) + np.dot(backward, backward))
        reflection[m] = k
        polynomial[1:m + 2] += k * polynomial[m::-1]
        variance *= 1.0 - k * k
        # Errors of order m+1, in place: f'[i] = f[i+1] + k b[i+1], b'[i] = b[i] + k f[i].
        size = forward.size - 1
        np.multiply(backward[1:], k, out=scratch[:size])
        backward[:-1] += k * forward[:-1]
        forward[1:] += scratch[:size]
        forward, backward = forward[1:], backward[:-1]
    return -polynomial[1:], variance, reflection


class ARWhitener:
    """Whitening by an autoregressive model's prediction-error filter (the WDF's first stage).

    Follows scikit-learn's conventions: configuration in ``__init__``,
    :meth:`fit` learns the model from a stretch of noise, :meth:`transform`
    filters data. The filter ``[1, −a_1, …, −a_P]`` is applied by FFT
    convolution with the last P input samples carried between calls, so
    consecutive chunks give exactly the samples of one long call.

    Parameters
    ----------
    order : int
        AR order P (the WDF uses several hundred to a few thousand).

    Notes
    -----
    :meth:`double_whiten` is the zero-phase variant of the legacy WDF runs: a
    causal pass and a time-reversed pass, each with a "half" whitening filter
    ``B`` whose power response is the square root of the AR model's inverse
    spectrum (``|B|⁴ ∝ 1/S``), an AR filter of order 2P found by
    Levinson–Durbin (:func:`scipy.linalg.solve_toeplitz`) on the
    autocorrelation of ``√S``. Applying ``A`` twice instead would square the whitening. It
    needs the whole segment (the reverse pass runs back from its end), so it
    does not stream.

    Attributes
    ----------
    ar_coefficients_ : numpy.ndarray
        Prediction coefficients ``a_1 … a_P``.
    sigma_ : float
        Square root of the final prediction-error variance: the standard
        deviation of whitened noise (the output is not rescaled, as in the WDF).
    reflection_coefficients_ : numpy.ndarray
        Burg's reflection coefficients.
    sample_rate_ : float
        Sample rate of the learn stretch, in Hz; data must match it.
    """

    def __init__(self, order: int = 1000):
        self.order = order

    def fit(self, learn: Strain) -> ARWhitener:
        """Fit the AR model on a stretch of (mostly) noise; returns self."""
        learn.require_finite()
        if learn.data.size < 10 * self.order:
            raise ValueError(
                f"the learn stretch holds {learn.data.size} samples ({learn.duration:g} s); AR order "
                f"{self.order} needs at least {10 * self.order} ({10 * self.order / learn.sample_rate:g} s)"
            )
        self.ar_coefficients_, variance, self.reflection_coefficients_ = burg_ar(learn.data, self.order)
        self.sigma_ = float(np.sqrt(variance))
        self.sample_rate_ = learn.sample_rate
        self._half = None
        self._history: np.ndarray | None = None
        self._next_t0: float | None = None
        return self

    @property
    def filter_(self) -> np.ndarray:
        """The prediction-error FIR filter ``[1, −a_1, …, −a_P]``."""
        self._check_fitted()
        return np.concatenate([[1.0], -self.ar_coefficients_])

    def _check_fitted(self) -> None:
        if not hasattr(self, "ar_coefficients_"):
            raise RuntimeError("this ARWhitener is not fitted yet: call fit(learn_strain) first")

    def reset(self) -> ARWhitener:
        """Forget the carried samples, so the next :meth:`transform` starts a new stream."""
        self._check_fitted()
        self._history, self._next_t0 = None, None
        return self

    def transform(self, strain: Strain) -> Strain:
        """Prediction error of ``strain``: white noise of standard deviation ``sigma_``.

        Calls on consecutive chunks (each starting where the last ended)
        continue the filter; a chunk that does not follow the last one starts
        afresh. The first P samples of a fresh stream are filtered against
        zeros (a transient: skip them).
        """
        self._check_fitted()
        strain.require_finite()
        if strain.sample_rate != self.sample_rate_:
            raise ValueError(
                f"strain sample_rate={strain.sample_rate} Hz differs from the learn stretch's {self.sample_rate_} Hz"
            )
        follows = self._next_t0 is not None and abs(strain.t0 - self._next_t0) < 0.5 / strain.sample_rate
        history = self._history if follows else np.zeros(self.order)
        extended = np.concatenate([history, strain.data])
        whitened = signal.oaconvolve(extended, self.filter_, mode="valid")
        self._history = extended[-self.order:]
        self._next_t0 = strain.t_end
        return Strain(whitened, t0=strain.t0, sample_rate=strain.sample_rate, detector=strain.detector)

    def double_whiten(self, strain: Strain) -> Strain:
        """Zero-phase whitening of a whole segment: a causal and a time-reversed half-whitening pass.

        The output has the same flat PSD and standard deviation ``sigma_`` as
        :meth:`transform` but no phase shift (transients keep their shape and
        timing). The first and last 2P samples are edge transients.
        """
        self._check_fitted()
        strain.require_finite()
        if strain.sample_rate != self.sample_rate_:
            raise ValueError(
                f"strain sample_rate={strain.sample_rate} Hz differs from the learn stretch's {self.sample_rate_} Hz"
            )
        half = self._half_filter()
        forward = signal.oaconvolve(strain.data, half)[: len(strain)]
        both = signal.oaconvolve(forward[::-1], half)[: len(strain)][::-1]
        return Strain(both, t0=strain.t0, sample_rate=strain.sample_rate, detector=strain.detector)

    def _half_filter(self) -> np.ndarray:
        """FIR ``B`` (order 2P) with ``|B|⁴ S_AR = σ²``: each pass whitens half of the AR model's spectrum."""
        from scipy.linalg import solve_toeplitz

        if getattr(self, "_half", None) is None:
            n_fft = 16 * (self.order + 1)
            model = self.sigma_**2 / np.abs(np.fft.rfft(self.filter_, n=n_fft)) ** 2  # σ²/|A|², per sample
            autocorrelation = np.fft.irfft(np.sqrt(model), n=n_fft)[: 2 * self.order + 1]
            coefficients = solve_toeplitz(autocorrelation[:-1], autocorrelation[1:])
            half = np.concatenate([[1.0], -coefficients])
            # Scale so that two passes leave white noise of variance σ² (as one pass of A does).
            response = np.abs(np.fft.rfft(half, n=n_fft)) ** 4 * model
            self._half = half * (self.sigma_**2 / np.mean(response)) ** 0.25
        return self._half

    def psd(self, frequencies) -> np.ndarray:
        """One-sided PSD of the fitted AR model, ``2 σ² / (fs |A(f)|²)``, in 1/Hz."""
        self._check_fitted()
        frequencies = np.asarray(frequencies, dtype=np.float64)
        _, response = signal.freqz(self.filter_, worN=frequencies, fs=self.sample_rate_)
        return 2.0 * self.sigma_**2 / (self.sample_rate_ * np.abs(response) ** 2)
