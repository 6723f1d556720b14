"""Whitening: making detector noise white.

Two methods: :func:`spectral_whiten` filters by the inverse ASD (gwpy's
method, for a segment at once); the autoregressive (AR) whitener fits a model
by Burg's method and applies its prediction-error filter (the Wavelet
Detection Filter's method, streaming in chunks).

The streaming whitener is a pure function, :func:`whiten_chunk`, of a chunk,
the fitted :class:`ARModel` and a :class:`WhiteningState`; :class:`ARWhitener`
is the thin scikit-learn-style wrapper that holds the model and the state.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import signal

from mmlab.core.state import Serialisable, check_continuity
from mmlab.core.strain import Strain
from mmlab.gw.psd import psd_on_grid, welch_psd

__all__ = [
    "ARModel", "ARWhitener", "WhiteningState", "burg_ar", "fit_ar_model", "inverse_asd_filter", "spectral_whiten",
    "whiten_chunk",
]


def inverse_asd_filter(psd, n_samples: int, sample_rate: float, fduration: float | None = 2.0) -> np.ndarray:
    """Frequency response of the whitening filter on the ``rfft`` grid of ``n_samples``.

    The inverse amplitude spectral density ``1 / sqrt(S(f) fs / 2)`` (zero
    where the PSD is zero), made a finite impulse response as gwpy's
    ``TimeSeries.whiten`` and ml4gw do: its zero-phase impulse response is
    cut to ``fduration`` seconds with a Hann window, so the filter smooths the
    PSD's finest features instead of ringing through the whole segment, and
    only ``fduration / 2`` at each end of the data is corrupted.

    Parameters
    ----------
    psd : str, array_like or tuple
        Any form accepted by :func:`mmlab.gw.psd.psd_on_grid`.
    n_samples : int
        Length of the data to whiten.
    sample_rate : float
        Samples per second, in Hz.
    fduration : float or None
        Length of the impulse response in s (gwpy's default 2 s); None keeps
        the full-length inverse ASD.

    Returns
    -------
    numpy.ndarray
        Real response per ``rfft`` bin.
    """
    frequencies = np.fft.rfftfreq(n_samples, d=1.0 / sample_rate)
    noise = psd_on_grid(psd, frequencies)
    response = np.zeros_like(noise)
    np.divide(1.0, np.sqrt(noise * sample_rate / 2), out=response, where=noise > 0)
    if fduration is None:
        return response
    taps = int(round(fduration * sample_rate / 2)) * 2
    if not 2 <= taps <= n_samples:
        raise ValueError(f"fduration must span 2 to {n_samples} samples ({n_samples / sample_rate:g} s of data), "
                         f"got {fduration!r} s = {taps} samples")
    impulse = np.fft.irfft(response, n=n_samples)
    window = signal.windows.hann(taps, sym=False)
    half = taps // 2
    impulse[:half] *= window[half:]
    impulse[n_samples - half:] *= window[:half]
    impulse[half:n_samples - half] = 0.0
    return np.fft.rfft(impulse).real


def spectral_whiten(strain: Strain, fftlength: float = 4.0, taper: float = 0.1, psd=None,
                    fduration: float | None = 2.0) -> Strain:
    """Whiten by filtering with the inverse amplitude spectral density.

    The one-sided PSD ``S(f)`` is estimated from the same data with
    :func:`mmlab.gw.psd.welch_psd` (or given); the series is tapered (Tukey
    window), filtered with :func:`inverse_asd_filter` (the inverse ASD as
    a finite impulse response of ``fduration`` s) and transformed back.
    Stationary Gaussian noise comes out with unit variance and a flat PSD of
    ``2 / fs``, as with :meth:`gwpy.timeseries.TimeSeries.whiten`.

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
        :func:`mmlab.gw.psd.psd_on_grid`). Bins where it is zero (outside a
        design curve's table) are set to zero.
    fduration : float or None
        Length of the whitening filter's impulse response in s (gwpy's
        default, 2 s); None divides by the ASD bin by bin.

    Returns
    -------
    Strain
        Whitened, dimensionless series with the same times; its first and
        last ``fduration / 2`` seconds are filter edges.
    """
    if not 0 <= taper <= 1:
        raise ValueError(f"taper must be a fraction in [0, 1], got {taper!r}")
    strain.require_finite()
    n = len(strain)
    if psd is None:
        psd = welch_psd(strain, fftlength=fftlength)
        if np.any(psd[1] <= 0):
            raise ValueError("the estimated PSD has zero or negative bins; cannot whiten this strain")
    response = inverse_asd_filter(psd, n, strain.sample_rate, fduration)
    spectrum = np.fft.rfft(strain.data * signal.windows.tukey(n, alpha=taper))
    whitened = np.fft.irfft(spectrum * response, n=n)
    return Strain(whitened, t0=strain.t0, sample_rate=strain.sample_rate, detector=strain.detector)


def burg_ar(data: np.ndarray, order: int) -> tuple[np.ndarray, float, np.ndarray]:
    """Fit an autoregressive model by Burg's method (maximum-entropy spectral estimation).

    The model is ``x[n] = Σ_{i=1..P} a_i x[n−i] + e[n]`` with white ``e`` of
    variance ``σ²``. Burg's recursion estimates one reflection coefficient
    per order from the forward and backward prediction errors, so the filter
    is always stable (|k| < 1). Written here because neither scipy nor numpy
    offers Burg's method (statsmodels and librosa do, but are heavy
    dependencies for twenty lines; the tests check this one against
    statsmodels' ``burg``); each order costs O(N) numpy work.

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


def _block_length(order: int) -> int:
    """Samples whitened per FFT block: the smallest power of two above the AR order."""
    return 1 << int(order).bit_length()


@dataclass(frozen=True)
class ARModel(Serialisable):
    """A fitted autoregressive noise model: what the streaming whitener needs, and nothing else.

    Attributes
    ----------
    coefficients : numpy.ndarray
        Prediction coefficients ``a_1 … a_P``.
    sigma : float
        Square root of the final prediction-error variance: the standard
        deviation of whitened noise (the output is not rescaled, as in the WDF).
    reflection : numpy.ndarray
        Burg's reflection coefficients ``k_1 … k_P``.
    sample_rate : float
        Sample rate of the learn stretch, in Hz; data must match it.
    """

    coefficients: np.ndarray
    sigma: float
    reflection: np.ndarray
    sample_rate: float

    @property
    def order(self) -> int:
        """The AR order P."""
        return int(self.coefficients.size)

    @property
    def filter(self) -> np.ndarray:
        """The prediction-error FIR filter ``[1, −a_1, …, −a_P]``."""
        return np.concatenate([[1.0], -self.coefficients])

    @property
    def block(self) -> int:
        """Samples per whitening block (a power of two above P; FFTs are twice as long)."""
        return _block_length(self.order)

    def psd(self, frequencies) -> np.ndarray:
        """One-sided PSD of the model, ``2 σ² / (fs |A(f)|²)``, in 1/Hz."""
        frequencies = np.asarray(frequencies, dtype=np.float64)
        _, response = signal.freqz(self.filter, worN=frequencies, fs=self.sample_rate)
        return 2.0 * self.sigma**2 / (self.sample_rate * np.abs(response) ** 2)


def fit_ar_model(learn: Strain, order: int) -> ARModel:
    """Fit an :class:`ARModel` of ``order`` by Burg's method on a stretch of (mostly) noise.

    Raises
    ------
    ValueError
        If the stretch has non-finite samples or fewer than ``10 * order``.
    """
    learn.require_finite()
    if isinstance(order, bool) or int(order) != order or order < 1:
        raise ValueError(f"order must be a positive integer, got {order!r}")
    if learn.data.size < 10 * order:
        raise ValueError(
            f"the learn stretch holds {learn.data.size} samples ({learn.duration:g} s); AR order "
            f"{order} needs at least {10 * order} ({10 * order / learn.sample_rate:g} s)"
        )
    coefficients, variance, reflection = burg_ar(learn.data, int(order))
    return ARModel(coefficients, float(np.sqrt(variance)), reflection, float(learn.sample_rate))


@dataclass(frozen=True)
class WhiteningState(Serialisable):
    """Where a stream of :func:`whiten_chunk` calls stands.

    Attributes
    ----------
    history : numpy.ndarray
        The ``block`` input samples before ``pending`` (zeros at a fresh start).
    pending : numpy.ndarray
        Input samples received but not yet whitened (fewer than a block).
    start_gps : float
        GPS time of the stream's first sample; NaN when fresh.
    received : int
        Samples received since the stream started.
    next_gps : float
        GPS time of the next input sample the stream expects
        (``start_gps + received / sample_rate``); NaN when fresh.
    restarts : int
        How many times a gap, an overlap or an out-of-order chunk restarted the stream.
    """

    history: np.ndarray
    pending: np.ndarray
    start_gps: float
    received: int
    next_gps: float
    restarts: int = 0

    @classmethod
    def fresh(cls, model: ARModel, restarts: int = 0) -> WhiteningState:
        """The state of a stream that has not started: filtering against zeros."""
        return cls(np.zeros(model.block), np.zeros(0), float("nan"), 0, float("nan"), restarts)


def _check_rate(strain: Strain, model: ARModel) -> None:
    if strain.sample_rate != model.sample_rate:
        raise ValueError(
            f"strain sample_rate={strain.sample_rate} Hz differs from the learn stretch's {model.sample_rate} Hz"
        )


def whiten_chunk(chunk: Strain, model: ARModel, state: WhiteningState | None = None,
                 flush: bool = False) -> tuple[Strain | None, WhiteningState]:
    """Whiten the next chunk of a stream with an AR model's prediction-error filter.

    The filter runs by overlap-save FFT convolution on a fixed grid of blocks
    of ``model.block`` samples counted from the start of the stream, each
    block transformed with the ``block`` samples before it. A block is
    whitened once all its samples have arrived, so every output sample is
    computed from the same numbers however the stream is cut into chunks:
    chunked, serialised and restored, the output is bit-identical to one
    call. The price is latency: up to a block of samples waits in the state
    (none when chunks are whole blocks, e.g. 1 s at 4096 Hz).

    Parameters
    ----------
    chunk : Strain
        Finite samples at the model's rate, normally starting where the
        previous chunk ended.
    model : ARModel
        The fitted model (:func:`fit_ar_model`).
    state : WhiteningState, optional
        The state returned by the previous call; None starts a stream
        (filtering against zeros: the first ``order`` outputs are a transient).
    flush : bool
        Also whiten the samples of an incomplete last block (the end of a
        segment). The stream may continue afterwards, exact but no longer on
        the bit-identical block grid.

    Returns
    -------
    whitened : Strain or None
        Whitened samples (standard deviation ``model.sigma``) from the first
        sample not whitened before; None if the chunk completed no block.
    state : WhiteningState
        To pass to the next call.

    Warns
    -----
    StreamGap
        If the chunk does not start where the stream expected: the stream
        restarts (its pending samples, fewer than a block, are dropped and
        counted in the warning) and ``state.restarts`` grows by one.
    """
    chunk.require_finite()
    _check_rate(chunk, model)
    state = WhiteningState.fresh(model) if state is None else state
    if not check_continuity(state.next_gps, chunk.t0, chunk.sample_rate,
                            f"{chunk.detector or 'strain'} whitening ({state.pending.size} pending samples dropped)"):
        state = WhiteningState.fresh(model, state.restarts + 1)
    block = model.block
    if state.history.size != block:
        raise ValueError(f"the whitening state holds {state.history.size} history samples, the model's block is "
                         f"{block}: it belongs to a model of another order")
    samples = np.concatenate([state.pending, chunk.data])
    extended = np.concatenate([state.history, samples])
    n_blocks = samples.size // block
    response = np.fft.rfft(model.filter, n=2 * block)
    parts = []
    if n_blocks:
        segments = np.lib.stride_tricks.sliding_window_view(extended[:(n_blocks + 1) * block], 2 * block)[::block]
        parts.append(np.fft.irfft(np.fft.rfft(segments, axis=-1) * response, n=2 * block, axis=-1)[:, block:].ravel())
    done = n_blocks * block
    if flush and samples.size > done:
        remaining = samples.size - done
        segment = np.zeros(2 * block)
        segment[:block + remaining] = extended[done:done + block + remaining]
        parts.append(np.fft.irfft(np.fft.rfft(segment) * response, n=2 * block)[block:block + remaining])
        done = samples.size
    # Times from whole samples counted from the stream's start: the same however the stream is cut.
    start_gps = chunk.t0 if np.isnan(state.start_gps) else state.start_gps
    received = state.received + len(chunk)
    new_state = WhiteningState(history=extended[done:done + block].copy(), pending=samples[done:].copy(),
                               start_gps=start_gps, received=received,
                               next_gps=start_gps + received / chunk.sample_rate, restarts=state.restarts)
    if not parts:
        return None, new_state
    first_gps = start_gps + (state.received - state.pending.size) / chunk.sample_rate
    return Strain(np.concatenate(parts), t0=first_gps, sample_rate=chunk.sample_rate, detector=chunk.detector), new_state


class ARWhitener:
    """Whitening by an autoregressive model's prediction-error filter (the WDF's first stage).

    A thin scikit-learn-style wrapper over :func:`fit_ar_model` and
    :func:`whiten_chunk`: configuration in ``__init__``, :meth:`fit` learns
    the model from a stretch of noise, :meth:`transform` filters data and
    carries the stream's :class:`WhiteningState` between calls.

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
    model_ : ARModel
        The fitted model.
    ar_coefficients_ : numpy.ndarray
        Prediction coefficients ``a_1 … a_P``.
    sigma_ : float
        Standard deviation of whitened noise.
    reflection_coefficients_ : numpy.ndarray
        Burg's reflection coefficients.
    sample_rate_ : float
        Sample rate of the learn stretch, in Hz; data must match it.
    state_ : WhiteningState or None
        Where the stream of :meth:`transform` calls stands (None: not started).
    """

    def __init__(self, order: int = 1000):
        self.order = order

    def fit(self, learn: Strain) -> ARWhitener:
        """Fit the AR model on a stretch of (mostly) noise and start a new stream; returns self."""
        self.model_ = fit_ar_model(learn, self.order)
        self.ar_coefficients_ = self.model_.coefficients
        self.sigma_ = self.model_.sigma
        self.reflection_coefficients_ = self.model_.reflection
        self.sample_rate_ = self.model_.sample_rate
        self.state_: WhiteningState | None = None
        return self

    @property
    def filter_(self) -> np.ndarray:
        """The prediction-error FIR filter ``[1, −a_1, …, −a_P]``."""
        self._check_fitted()
        return self.model_.filter

    def _check_fitted(self) -> None:
        if not hasattr(self, "model_"):
            raise RuntimeError("this ARWhitener is not fitted yet: call fit(learn_strain) first")

    def reset(self) -> ARWhitener:
        """Forget the stream, so the next :meth:`transform` starts a new one."""
        self._check_fitted()
        self.state_ = None
        return self

    def transform(self, strain: Strain) -> Strain:
        """Prediction error of ``strain``: white noise of standard deviation ``sigma_``, same samples.

        Calls on consecutive chunks continue the filter (exactly, to
        round-off; :func:`whiten_chunk` without ``flush`` is bit-identical);
        a chunk that does not follow the last one warns with
        :class:`~mmlab.core.state.StreamGap` and starts afresh. The first P
        samples of a fresh stream are filtered against zeros (a transient:
        skip them).
        """
        self._check_fitted()
        whitened, self.state_ = whiten_chunk(strain, self.model_, self.state_, flush=True)
        return whitened

    def double_whiten(self, strain: Strain) -> Strain:
        """Zero-phase whitening of a whole segment: a causal and a time-reversed half-whitening pass.

        The output has the same flat PSD and standard deviation ``sigma_`` as
        :meth:`transform` but no phase shift (transients keep their shape and
        timing). The first and last 2P samples are edge transients.
        """
        self._check_fitted()
        strain.require_finite()
        _check_rate(strain, self.model_)
        half = self._half_filter()
        forward = signal.oaconvolve(strain.data, half)[: len(strain)]
        both = signal.oaconvolve(forward[::-1], half)[: len(strain)][::-1]
        return Strain(both, t0=strain.t0, sample_rate=strain.sample_rate, detector=strain.detector)

    def _half_filter(self) -> np.ndarray:
        """FIR ``B`` (order 2P) with ``|B|⁴ S_AR = σ²``: each pass whitens half of the AR model's spectrum."""
        from scipy.linalg import solve_toeplitz

        if getattr(self, "_half_for", None) is not self.model_:
            order = self.model_.order
            n_fft = 16 * (order + 1)
            model = self.sigma_**2 / np.abs(np.fft.rfft(self.filter_, n=n_fft)) ** 2  # σ²/|A|², per sample
            autocorrelation = np.fft.irfft(np.sqrt(model), n=n_fft)[: 2 * order + 1]
            coefficients = solve_toeplitz(autocorrelation[:-1], autocorrelation[1:])
            half = np.concatenate([[1.0], -coefficients])
            # Scale so that two passes leave white noise of variance σ² (as one pass of A does).
            response = np.abs(np.fft.rfft(half, n=n_fft)) ** 4 * model
            self._half, self._half_for = half * (self.sigma_**2 / np.mean(response)) ** 0.25, self.model_
        return self._half

    def psd(self, frequencies) -> np.ndarray:
        """One-sided PSD of the fitted AR model, ``2 σ² / (fs |A(f)|²)``, in 1/Hz."""
        self._check_fitted()
        return self.model_.psd(frequencies)
