"""The Wavelet Detection Filter (WDF): a wavelet event-trigger generator for whitened strain.

After E. Cuoco's WDF (the algorithm as published and documented, reimplemented
with PyWavelets; no code of the GPL original is used). The strain is whitened
by an autoregressive prediction-error filter (:class:`mmlab.whiten.ARWhitener`)
and divided by the prediction-error σ; sliding windows of N samples are then
decomposed to full depth in several orthonormal wavelet bases
(``mode="periodization"``, so Parseval holds), the coefficients are
thresholded, and a window's SNR is ``sqrt(Σ c²)`` over the kept coefficients
(≈ the matched-filter SNR of what they reconstruct). The best basis wins; a
window above ``snr_threshold`` is a trigger.

Speed without changing results
------------------------------
Overlapping windows share most of their wavelet coefficients: with a step that
is a multiple of ``2^j``, a window's level-``j`` coefficients equal those of
the whole chunk's transform at an offset, except a few near the window's ends
(where periodization wraps). So each chunk is transformed once per basis, the
few boundary coefficients of every window are computed from small index
tables, and per-window sums come from cumulative sums. This gives an upper
bound on every window's SNR; only windows whose bound reaches the threshold
are decomposed in full, exactly as the per-window definition says (the tests
compare the two on noise with injections).
"""

from __future__ import annotations

import functools
import math
import warnings
from dataclasses import dataclass

import numpy as np

from mmlab.strain import Strain
from mmlab.whiten import ARWhitener

#: Orthonormal bases tried in every window by default (Haar, Daubechies, Symlets, Coiflets).
DEFAULT_WAVELETS = ("haar", "db2", "db4", "sym4", "coif1", "db6")

#: Thresholding rules: Donoho–Johnstone universal threshold, or block thresholding.
THRESHOLD_RULES = ("dj", "block")

#: How kept coefficients are treated: kept as they are, or shrunk by the threshold.
THRESHOLD_MODES = ("hard", "soft")

#: Median of |z| for a standard normal z: σ = median(|c|) / 0.6745 (MAD estimator).
MAD_SCALE = 0.6744897501960817

#: Block-thresholding constant λ* of Cai (1999), the root of λ − ln λ = 3 (optimal for denoising).
BLOCK_LAMBDA = 4.505241495792883

#: Default block threshold of :class:`WaveletDetectionFilter`, tuned for detection: at one false
#: alarm per hour on design-curve Gaussian noise it finds more sine-Gaussians, CCSN, blips and
#: scattered-light glitches at every SNR than λ* (``benchmarks/wdf_efficiency.py`` compares them).
DETECTION_BLOCK_THRESHOLD = 7.0

#: Screening uses a lower bound ``SCREEN_FRACTION * 0.6745`` on median(|c|) of whitened noise.
SCREEN_FRACTION = 0.9


def check_wavelet(name: str):
    """The :class:`pywt.Wavelet` called ``name`` if it is orthogonal, else raise listing valid names."""
    import pywt

    valid = [w for w in pywt.wavelist(kind="discrete") if pywt.Wavelet(w).orthogonal]
    if name not in valid:
        raise ValueError(f"wavelet must be an orthogonal PyWavelets wavelet such as {valid[:8]} ..., got {name!r}")
    return pywt.Wavelet(name)


def window_coefficients(windows: np.ndarray, wavelet: str) -> list[np.ndarray]:
    """Full-depth periodized DWT of each window (the WDF's per-window definition).

    Parameters
    ----------
    windows : numpy.ndarray
        ``(n_windows, N)`` whitened samples, N a power of two.
    wavelet : str
        An orthogonal PyWavelets wavelet.

    Returns
    -------
    list of numpy.ndarray
        ``[cA_J, cD_J, …, cD_1]`` (PyWavelets order), each ``(n_windows, size)``,
        ``J = log2 N``; together N coefficients per window.
    """
    import pywt

    n = windows.shape[-1]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # full depth: PyWavelets warns of boundary effects
        return pywt.wavedec(windows, wavelet, mode="periodization", level=int(math.log2(n)), axis=-1)


def threshold_coefficients(
    coefficients: list[np.ndarray], rule: str = "dj", mode: str = "hard", block_threshold: float = BLOCK_LAMBDA,
):
    """Threshold each window's coefficients and measure its SNR.

    ``σ_w = median(|c|)/0.6745`` over all N coefficients of the window.
    ``"dj"``: keep ``|c| > λ = σ_w sqrt(2 ln N)`` (Donoho–Johnstone universal
    threshold); ``"soft"`` mode also shrinks them by λ. ``"block"``: every
    level is cut into blocks of ``round(ln N)`` coefficients, a block is kept
    whole if its energy exceeds ``λ* · length · σ_w²`` (Cai 1999).

    Parameters
    ----------
    coefficients : list of numpy.ndarray
        Output of :func:`window_coefficients` (data in units of the noise σ).
    rule, mode : str
        One of :data:`THRESHOLD_RULES` and :data:`THRESHOLD_MODES`.
    block_threshold : float
        λ of the block rule.

    Returns
    -------
    snr : numpy.ndarray
        ``sqrt(Σ kept²)`` per window.
    kept : list of numpy.ndarray
        The coefficients after thresholding (zeros where removed), same layout.
    """
    if rule not in THRESHOLD_RULES:
        raise ValueError(f"rule must be one of {list(THRESHOLD_RULES)}, got {rule!r}")
    if mode not in THRESHOLD_MODES:
        raise ValueError(f"mode must be one of {list(THRESHOLD_MODES)}, got {mode!r}")
    flat = np.concatenate(coefficients, axis=-1)
    n = flat.shape[-1]
    sigma_w = np.median(np.abs(flat), axis=-1, keepdims=True) / MAD_SCALE
    if rule == "dj":
        threshold = sigma_w * np.sqrt(2 * np.log(n))
        keep = np.abs(flat) > threshold
        if mode == "soft":
            kept_flat = np.sign(flat) * np.maximum(np.abs(flat) - threshold, 0.0)
        else:
            kept_flat = np.where(keep, flat, 0.0)
    else:
        block = max(1, int(round(np.log(n))))
        kept_levels = []
        for level in coefficients:
            size = level.shape[-1]
            starts = np.arange(0, size, block)
            energy = np.add.reduceat(level**2, starts, axis=-1)
            lengths = np.diff(np.append(starts, size))
            keep_blocks = energy > block_threshold * lengths * sigma_w**2
            kept_levels.append(np.where(np.repeat(keep_blocks, lengths, axis=-1), level, 0.0))
        kept_flat = np.concatenate(kept_levels, axis=-1)
        if mode == "soft":
            raise ValueError("block thresholding keeps whole blocks: use mode='hard'")
    snr = np.sqrt(np.sum(kept_flat**2, axis=-1))
    sizes = np.cumsum([c.shape[-1] for c in coefficients])[:-1]
    return snr, np.split(kept_flat, sizes, axis=-1)


@dataclass(frozen=True)
class _SharedLevel:
    """Index tables for one shared level of a basis' cascade (see :func:`_shared_plan`)."""

    affected: np.ndarray  # output positions that differ from the chunk transform's
    interior: tuple[int, int]  # the other outputs, a contiguous range [start, stop)
    gather: np.ndarray  # (len(affected), taps): columns of the source matrix per stencil tap
    interior_inputs: np.ndarray  # input positions read from the chunk transform
    lowpass: np.ndarray  # (len(affected), taps) weights
    highpass: np.ndarray


@dataclass(frozen=True)
class _SharedPlan:
    levels: tuple[_SharedLevel, ...]
    depth: int  # total number of levels, log2 N


@functools.lru_cache(maxsize=64)
def _shared_plan(wavelet: str, window: int, step: int) -> _SharedPlan:
    """Which coefficients of a window equal the chunk transform's, level by level.

    A level's stencil (input offsets and weights of each output) is read off
    PyWavelets' own transform of unit vectors, so the tables follow its
    conventions exactly. Levels are shared while ``2^j`` divides the step and
    the level is long enough for interior coefficients to exist.
    """
    import pywt

    filter_length = pywt.Wavelet(wavelet).dec_len
    depth = int(math.log2(window))
    affected_inputs = np.zeros(0, dtype=np.int64)
    levels = []
    size = window
    for j in range(1, depth + 1):
        if step % (2**j) or size // 2 < 2 * filter_length:
            break
        identity = np.eye(size)
        lowpass_matrix, highpass_matrix = pywt.dwt(identity, wavelet, mode="periodization", axis=-1)
        # lowpass_matrix[i, k]: weight of input i in output k.
        middle = size // 4
        offsets = np.flatnonzero((lowpass_matrix[:, middle] != 0) | (highpass_matrix[:, middle] != 0)) - 2 * middle
        outputs = np.arange(size // 2)
        raw = 2 * outputs[:, None] + offsets[None, :]
        inputs = np.mod(raw, size)
        wraps = np.any(raw != inputs, axis=1)
        touches = np.isin(inputs, affected_inputs).any(axis=1)
        affected = np.flatnonzero(wraps | touches)
        interior = np.setdiff1d(outputs, affected)
        if interior.size == 0 or interior[-1] - interior[0] + 1 != interior.size:
            break
        stencil = inputs[affected]
        interior_inputs = np.setdiff1d(np.unique(stencil), affected_inputs)
        # Source matrix per window: [affected values of the previous level | interior inputs].
        column = {int(p): c for c, p in enumerate(affected_inputs)}
        column.update({int(p): len(affected_inputs) + c for c, p in enumerate(interior_inputs)})
        gather = np.vectorize(column.__getitem__)(stencil) if stencil.size else stencil
        levels.append(_SharedLevel(
            affected=affected, interior=(int(interior[0]), int(interior[-1]) + 1), gather=gather,
            interior_inputs=interior_inputs,
            lowpass=lowpass_matrix[stencil, affected[:, None]], highpass=highpass_matrix[stencil, affected[:, None]],
        ))
        affected_inputs = affected
        size //= 2
    return _SharedPlan(tuple(levels), depth)


def _cumulative(values: np.ndarray, dtype) -> np.ndarray:
    """Running sum with a leading zero, ``out[i] = values[:i].sum()`` (one pass, no extra copy)."""
    out = np.empty(values.size + 1, dtype=dtype)
    out[0] = 0
    np.cumsum(values, dtype=dtype, out=out[1:])
    return out


def _block_edges(size: int, block: int) -> tuple[np.ndarray, np.ndarray]:
    """Start and stop of the thresholding blocks of a level of ``size`` coefficients."""
    starts = np.arange(0, size, block)
    return starts, np.minimum(starts + block, size)


def screen_windows(
    chunk: np.ndarray, starts: np.ndarray, window: int, step: int, wavelet: str, rule: str = "dj",
    block_threshold: float = BLOCK_LAMBDA,
) -> tuple[np.ndarray, np.ndarray]:
    """Statistics bounding each window's SNR, from one transform of the whole chunk.

    With ``σ_lo = SCREEN_FRACTION`` (whitened noise has σ = 1): if at least
    N/2 + 1 coefficients have ``|c| >= σ_lo · 0.6745``, the window's median
    gives ``σ_w >= σ_lo``, so every coefficient (``"dj"``) or block
    (``"block"``) the rule keeps passes the lower cut made with ``σ_lo``, and
    the energy passing that cut bounds SNR².

    Parameters
    ----------
    chunk : numpy.ndarray
        Whitened samples in units of σ; windows start at ``starts`` (multiples
        of ``step``), and its length is a multiple of every shared level's ``2^j``.
    starts : numpy.ndarray
        Start index of each window in ``chunk``.
    window, step : int
        Window length N and step between windows, in samples.
    wavelet : str
        The basis.
    rule : str
        ``"dj"`` or ``"block"`` (see :func:`threshold_coefficients`).
    block_threshold : float
        λ of the block rule.

    Returns
    -------
    count_above_median_bound : numpy.ndarray
        Per window, the number of coefficients with ``|c| >= σ_lo · 0.6745``.
    energy_bound : numpy.ndarray
        Per window, the energy passing the rule's cut made with ``σ_lo``.
    """
    import pywt

    plan = _shared_plan(wavelet, window, step)
    median_bound_sq = (SCREEN_FRACTION * MAD_SCALE) ** 2
    threshold_bound_sq = SCREEN_FRACTION**2 * 2 * np.log(window)
    block = max(1, int(round(np.log(window))))
    # A block of n coefficients passes when its energy exceeds λ* n σ_lo² (a hair lower, for round-off).
    block_cut = block_threshold * SCREEN_FRACTION**2 * (1 - 1e-9)

    def explicit_bounds(levels: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """Count and energy bound over explicitly known coefficient arrays (whole levels)."""
        count = sum((level * level >= median_bound_sq).sum(axis=-1) for level in levels)
        if rule == "dj":
            energy = sum(np.where(level * level > threshold_bound_sq, level * level, 0.0).sum(axis=-1) for level in levels)
        else:
            energy = 0.0
            for level in levels:
                first, stop = _block_edges(level.shape[-1], block)
                energies = np.add.reduceat(level * level, first, axis=-1)
                energy = energy + np.where(energies > block_cut * (stop - first), energies, 0.0).sum(axis=-1)
        return count, energy

    counts = np.zeros(starts.size, dtype=np.int64)
    energies = np.zeros(starts.size)
    approximation = chunk
    previous_affected = np.zeros((starts.size, 0))
    for j, level in enumerate(plan.levels, start=1):
        offset_in = starts // 2 ** (j - 1)
        offsets = starts // 2**j
        next_approximation, detail = pywt.dwt(approximation, wavelet, mode="periodization")
        squared = detail * detail
        # Affected coefficients, computed per window from the previous level's values.
        source = np.concatenate([previous_affected, approximation[offset_in[:, None] + level.interior_inputs]], axis=1)
        gathered = source[:, level.gather]
        affected_detail = np.einsum("wkt,kt->wk", gathered, level.highpass)
        previous_affected = np.einsum("wkt,kt->wk", gathered, level.lowpass)
        # Interior coefficients: sums over ranges of the chunk's level, from running sums.
        first, stop = level.interior
        cumulative_count = _cumulative(squared >= median_bound_sq, np.int32)
        counts += cumulative_count[offsets + stop] - cumulative_count[offsets + first]
        counts += (affected_detail**2 >= median_bound_sq).sum(axis=-1)
        if rule == "dj":
            cumulative_energy = _cumulative(np.where(squared > threshold_bound_sq, squared, 0.0), np.float64)
            energies += cumulative_energy[offsets + stop] - cumulative_energy[offsets + first]
            energies += np.where(affected_detail**2 > threshold_bound_sq, affected_detail**2, 0.0).sum(axis=-1)
        else:
            # Block energies from the chunk's cumulative energy, corrected where the window differs.
            cumulative = _cumulative(squared, np.float64)
            block_first, block_stop = _block_edges(window // 2**j, block)
            block_energy = cumulative[offsets[:, None] + block_stop] - cumulative[offsets[:, None] + block_first]
            correction = affected_detail**2 - squared[offsets[:, None] + level.affected]
            block_energy += correction @ (level.affected[:, None] // block == np.arange(block_first.size)[None, :])
            energies += np.where(block_energy > block_cut * (block_stop - block_first), block_energy, 0.0).sum(axis=-1)
        approximation = next_approximation
    # Deeper levels: assemble each window's approximation and decompose it explicitly.
    shared = len(plan.levels)
    size = window // 2**shared
    if shared:
        offsets = starts // 2**shared
        assembled = approximation[offsets[:, None] + np.arange(size)]
        assembled[:, plan.levels[-1].affected] = previous_affected
    else:
        assembled = chunk[starts[:, None] + np.arange(window)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        deeper = pywt.wavedec(assembled, wavelet, mode="periodization", level=plan.depth - shared, axis=-1)
    count, energy = explicit_bounds(deeper)
    return counts + count, energies + energy


#: Length of the pieces :meth:`WaveletDetectionFilter.detect` cuts long inputs into, in s.
PIECE_SECONDS = 64.0

#: Columns of a trigger table, with units.
TRIGGER_COLUMNS = {
    "gps_start": "s", "gps_peak": "s", "duration": "s", "snr": "", "snr_mean": "", "snr_peak": "",
    "freq_min": "Hz", "freq_mean": "Hz", "freq_max": "Hz", "freq_peak": "Hz", "wavelet": None,
}


def trigger_parameters(kept: list[np.ndarray], wavelet: str, sample_rate: float) -> dict[str, np.ndarray]:
    """Time, duration, amplitude and frequency of the transients rebuilt from kept coefficients.

    For each window the kept coefficients are inverted to a waveform ``x``
    (in units of σ): ``peak`` is the sample of max |x|, ``duration`` the span
    where ``|x| >= 0.1 max|x|``, ``snr_mean = rms(x)``, ``snr_peak = max|x|``;
    frequencies come from ``|FFT(x)|``: the peak bin, and the lowest,
    magnitude-weighted mean and highest frequency of the bins with at least
    10 % of the peak magnitude.

    Returns
    -------
    dict
        Arrays ``peak_offset`` (s from the window start), ``duration``,
        ``snr_mean``, ``snr_peak``, ``freq_min``, ``freq_mean``, ``freq_max``,
        ``freq_peak``, and ``waveform`` (the reconstructions).
    """
    import pywt

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        waveform = pywt.waverec(kept, wavelet, mode="periodization", axis=-1)
    magnitude = np.abs(waveform)
    peak = magnitude.max(axis=-1, keepdims=True)
    above = magnitude >= 0.1 * peak
    n = waveform.shape[-1]
    first, last = np.argmax(above, axis=-1), n - 1 - np.argmax(above[:, ::-1], axis=-1)
    spectrum = np.abs(np.fft.rfft(waveform, axis=-1))
    frequencies = np.fft.rfftfreq(n, d=1.0 / sample_rate)
    band = spectrum >= 0.1 * spectrum.max(axis=-1, keepdims=True)
    weights = np.where(band, spectrum, 0.0)
    return {
        "peak_offset": np.argmax(magnitude, axis=-1) / sample_rate,
        "duration": (last - first + 1) / sample_rate,
        "snr_mean": np.sqrt(np.mean(waveform**2, axis=-1)),
        "snr_peak": peak[:, 0],
        "freq_min": np.where(band, frequencies, np.inf).min(axis=-1),
        "freq_mean": (weights * frequencies).sum(axis=-1) / np.maximum(weights.sum(axis=-1), np.finfo(float).tiny),
        "freq_max": np.where(band, frequencies, -np.inf).max(axis=-1),
        "freq_peak": frequencies[np.argmax(spectrum, axis=-1)],
        "waveform": waveform,
    }


def empty_trigger_table(store_waveforms: bool = False, window: int = 0):
    """A trigger table with no rows and the columns of :data:`TRIGGER_COLUMNS`."""
    from astropy.table import Table

    table = Table()
    for name, unit in TRIGGER_COLUMNS.items():
        table[name] = np.zeros(0, dtype=str if unit is None else float)
        if unit:
            table[name].unit = unit
    if store_waveforms:
        table["waveform"] = np.zeros((0, window))
    return table


class WaveletDetectionFilter:
    """Wavelet Detection Filter: AR whitening, then wavelet-thresholded sliding windows.

    Configuration only in ``__init__``; :meth:`fit` learns the whitening
    filter, :meth:`detect` turns strain into a table of triggers and may be
    called on consecutive chunks of one stream (the result is the same as one
    call on the whole).

    Parameters
    ----------
    window : int
        Window length N in samples, a power of two (1024 at 4096 Hz: 0.25 s).
    overlap : int
        Samples shared by consecutive windows, ``0 <= overlap < window``.
    wavelets : sequence of str
        Orthonormal bases to try in every window (the largest SNR wins).
    snr_threshold : float
        A window whose SNR reaches this is a trigger.
    rule, mode : str
        Thresholding rule (``"block"``, the newest WDF's; ``"dj"``:
        Donoho–Johnstone) and mode (``"hard"``/``"soft"``, Donoho–Johnstone
        only); see :func:`threshold_coefficients`.
    block_threshold : float
        λ of the block rule (:data:`DETECTION_BLOCK_THRESHOLD`; Cai's λ* =
        :data:`BLOCK_LAMBDA` reproduces the original WDF).
    ar_order : int
        Order of the whitening AR model.
    f_low : float or None
        The whitened data are high-passed at this frequency (Hz; order-8
        Butterworth, state carried across chunks), the band where optimal SNRs
        are counted: below it an AR model of a design curve whitens poorly and
        leaves excess noise in the deepest levels. None: no high-pass.
    store_waveforms : bool
        Add a ``waveform`` column with each trigger's reconstruction (units of σ).

    Attributes
    ----------
    whitener_ : ARWhitener
        The fitted whitening filter.
    ar_coefficients_, sigma_ : numpy.ndarray, float
        Its prediction coefficients and prediction-error σ.
    """

    def __init__(
        self, window: int = 1024, overlap: int = 768, wavelets=DEFAULT_WAVELETS, snr_threshold: float = 10.0,
        rule: str = "block", mode: str = "hard", block_threshold: float = DETECTION_BLOCK_THRESHOLD,
        ar_order: int = 1000, f_low: float | None = 20.0, store_waveforms: bool = False,
    ):
        self.window = window
        self.overlap = overlap
        self.wavelets = tuple(wavelets)
        self.snr_threshold = snr_threshold
        self.rule = rule
        self.mode = mode
        self.block_threshold = block_threshold
        self.ar_order = ar_order
        self.f_low = f_low
        self.store_waveforms = store_waveforms

    def _check_configuration(self) -> None:
        window, overlap = self.window, self.overlap
        if isinstance(window, bool) or int(window) != window or window < 8 or window & (window - 1):
            raise ValueError(f"window must be a power of two of at least 8 samples, got {window!r}")
        if isinstance(overlap, bool) or int(overlap) != overlap or not 0 <= overlap < window:
            raise ValueError(f"overlap must be an integer in [0, window={window}), got {overlap!r}")
        if not self.wavelets:
            raise ValueError("give at least one wavelet")
        for name in self.wavelets:
            check_wavelet(name)
        if self.rule not in THRESHOLD_RULES:
            raise ValueError(f"rule must be one of {list(THRESHOLD_RULES)}, got {self.rule!r}")
        if self.mode not in THRESHOLD_MODES:
            raise ValueError(f"mode must be one of {list(THRESHOLD_MODES)}, got {self.mode!r}")
        if self.rule == "block" and self.mode == "soft":
            raise ValueError("block thresholding keeps whole blocks: use mode='hard'")
        for name in ("snr_threshold", "block_threshold"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not np.isfinite(value) or value <= 0:
                raise ValueError(f"{name} must be a finite positive number, got {value!r}")

    @property
    def step(self) -> int:
        """Samples between the starts of consecutive windows."""
        return int(self.window) - int(self.overlap)

    def fit(self, learn: Strain) -> WaveletDetectionFilter:
        """Fit the whitening AR model on a stretch of noise and reset the stream; returns self."""
        self._check_configuration()
        self.whitener_ = ARWhitener(self.ar_order).fit(learn)
        self.ar_coefficients_ = self.whitener_.ar_coefficients_
        self.sigma_ = self.whitener_.sigma_
        self.reset()
        return self

    def reset(self) -> WaveletDetectionFilter:
        """Start a new stream: the next :meth:`detect` call does not continue the previous one."""
        self._check_fitted()
        self.whitener_.reset()
        self._buffer = np.zeros(0)
        self._buffer_t0: float | None = None
        self._skip = self.startup_samples
        self._highpass_state = None
        return self

    def _check_fitted(self) -> None:
        if not hasattr(self, "whitener_"):
            raise RuntimeError("this WaveletDetectionFilter is not fitted yet: call fit(learn_strain) first")

    def _highpass_settling(self) -> int:
        """Samples the high-pass needs to forget its start (ten periods of ``f_low``)."""
        return 0 if self.f_low is None else int(np.ceil(10.0 / self.f_low * self.whitener_.sample_rate_))

    @property
    def startup_samples(self) -> int:
        """Samples at the start of a stream that :meth:`detect` skips (filter transients)."""
        self._check_fitted()
        return int(self.ar_order) + self._highpass_settling()

    def whiten(self, strain: Strain) -> Strain:
        """Whitened (and high-passed) strain in units of σ, continuing the stream like :meth:`detect`.

        The first ``ar_order`` samples plus ten periods of ``f_low`` after
        :meth:`fit` or :meth:`reset` are start-up transients; :meth:`detect`
        skips them.
        """
        from scipy import signal

        self._check_fitted()
        whitened = self.whitener_.transform(strain)
        data = whitened.data / self.sigma_
        if self.f_low is not None:
            nyquist = strain.sample_rate / 2
            if not 0 < self.f_low < nyquist:
                raise ValueError(f"f_low must lie in (0, {nyquist}) Hz for this sample rate, got {self.f_low!r}")
            sos = signal.butter(8, self.f_low, btype="highpass", fs=strain.sample_rate, output="sos")
            if self._highpass_state is None:
                self._highpass_state = np.zeros((sos.shape[0], 2))
            data, self._highpass_state = signal.sosfilt(sos, data, zi=self._highpass_state)
        return Strain(data, t0=whitened.t0, sample_rate=whitened.sample_rate, detector=whitened.detector)

    def detect(self, strain: Strain):
        """Triggers in a chunk of strain (a whole segment, or the next chunk of a stream).

        Long inputs are processed in pieces of :data:`PIECE_SECONDS` (the
        stream state makes that invisible in the result; it keeps the working
        set in cache).

        Returns
        -------
        astropy.table.Table
            One row per trigger (window above threshold), columns
            :data:`TRIGGER_COLUMNS` (GPS times in s, frequencies in Hz, SNRs in
            units of the noise σ), sorted by ``gps_start``.
        """
        from astropy.table import vstack

        self._check_fitted()
        strain.require_finite()
        edges = np.arange(0, len(strain), int(PIECE_SECONDS * strain.sample_rate))
        pieces = [self._detect_piece(Strain(strain.data[a:a + int(PIECE_SECONDS * strain.sample_rate)],
                                            t0=strain.t0 + a / strain.sample_rate, sample_rate=strain.sample_rate,
                                            detector=strain.detector)) for a in edges]
        found = [table for table in pieces if len(table)]
        return vstack(found, metadata_conflicts="silent") if found else pieces[-1]

    def _detect_piece(self, strain: Strain):
        """:meth:`detect` on one piece."""
        self._check_configuration()
        continues = self._buffer_t0 is not None and abs(self._buffer_t0 + self._buffer.size / strain.sample_rate
                                                        - strain.t0) < 0.5 / strain.sample_rate
        if not continues and self._buffer_t0 is not None:
            self.reset()
        whitened = self.whiten(strain).data
        if self._buffer_t0 is None:
            self._buffer_t0 = strain.t0
        buffer = np.concatenate([self._buffer, whitened])
        skip = min(self._skip, buffer.size)
        buffer, self._buffer_t0, self._skip = buffer[skip:], self._buffer_t0 + skip / strain.sample_rate, self._skip - skip
        window, step = int(self.window), self.step
        n_windows = 0 if buffer.size < window else (buffer.size - window) // step + 1
        table = self._triggers(buffer, n_windows, strain.sample_rate, strain.detector)
        consumed = n_windows * step
        self._buffer = buffer[consumed:].copy()
        self._buffer_t0 += consumed / strain.sample_rate
        return table

    def _triggers(self, buffer: np.ndarray, n_windows: int, sample_rate: float, detector: str | None):
        table = empty_trigger_table(self.store_waveforms, int(self.window))
        table.meta.update({"detector": detector, "sample_rate": float(sample_rate),
                           "window": int(self.window), "overlap": int(self.overlap),
                           "rule": self.rule, "mode": self.mode, "block_threshold": float(self.block_threshold),
                           "snr_threshold": float(self.snr_threshold)})
        if n_windows == 0:
            return table
        window, step = int(self.window), self.step
        starts = np.arange(n_windows) * step
        padded = np.pad(buffer, (0, (-buffer.size) % window))
        candidates = np.zeros(n_windows, dtype=bool)
        bound = self.snr_threshold**2 * (1 - 1e-9)
        for wavelet in self.wavelets:
            counts, energies = screen_windows(padded, starts, window, step, wavelet, self.rule, self.block_threshold)
            candidates |= (counts < window // 2 + 1) | (energies >= bound)
        chosen = np.flatnonzero(candidates)
        if chosen.size == 0:
            return table
        windows = buffer[starts[chosen, None] + np.arange(window)]
        best_snr = np.full(chosen.size, -1.0)
        best_basis = np.zeros(chosen.size, dtype=int)
        best_kept: list[np.ndarray] | None = None
        for index, wavelet in enumerate(self.wavelets):
            snr, kept = threshold_coefficients(window_coefficients(windows, wavelet), self.rule, self.mode,
                                               self.block_threshold)
            better = snr > best_snr
            best_snr = np.where(better, snr, best_snr)
            best_basis = np.where(better, index, best_basis)
            if best_kept is None:
                best_kept = [np.zeros_like(level) for level in kept]
            for level, new in zip(best_kept, kept):
                level[better] = new[better]
        triggered = best_snr >= self.snr_threshold
        if not triggered.any():
            return table
        # Reconstruct in each trigger's own basis (levels of different bases have the same sizes).
        rows = np.flatnonzero(triggered)
        parameters = {}
        for index in np.unique(best_basis[rows]):
            mine = rows[best_basis[rows] == index]
            found = trigger_parameters([level[mine] for level in best_kept], self.wavelets[index], sample_rate)
            for name, values in found.items():
                parameters.setdefault(name, np.zeros((rows.size,) + values.shape[1:]))
                parameters[name][np.searchsorted(rows, mine)] = values
        gps_start = self._buffer_t0 + starts[chosen[rows]] / sample_rate
        columns = {
            "gps_start": gps_start, "gps_peak": gps_start + parameters["peak_offset"],
            "duration": parameters["duration"], "snr": best_snr[rows],
            **{name: parameters[name] for name in ("snr_mean", "snr_peak", "freq_min", "freq_mean", "freq_max", "freq_peak")},
            "wavelet": np.array([self.wavelets[i] for i in best_basis[rows]]),
        }
        if self.store_waveforms:
            columns["waveform"] = parameters["waveform"]
        from astropy.table import Table

        found = Table(columns, meta=table.meta)
        for name, unit in TRIGGER_COLUMNS.items():
            if unit:
                found[name].unit = unit
        return found


def cluster_triggers(triggers, max_gap: float = 0.0, max_freq_jump: float | None = None):
    """Merge triggers from overlapping windows into events.

    Triggers are taken in time order; one joins the current event if its window
    starts no later than ``max_gap`` s after the end of the event's windows so
    far and, with ``max_freq_jump`` set, if its peak frequency differs from the
    previous trigger's by at most that fraction. An event keeps the parameters
    of its loudest trigger (time, SNR, frequencies, basis) and adds
    ``n_triggers``, ``event_start``, ``event_end`` (GPS s), the mean SNR of
    its triggers ``event_snr_mean``, and ``snr_combined``: the root-sum-square
    SNR of the best set of its non-overlapping windows, which grows with the
    length of a long signal (scattered light, supernovae) where one window's
    SNR does not.

    Parameters
    ----------
    triggers : astropy.table.Table
        Output of :meth:`WaveletDetectionFilter.detect` (its ``meta`` gives the
        window length and sample rate).
    max_gap : float
        Largest gap between windows of one event, in s.
    max_freq_jump : float, optional
        Largest relative jump of ``freq_peak`` between consecutive triggers.

    Returns
    -------
    astropy.table.Table
        One row per event, in time order.
    """
    if not np.isfinite(max_gap) or max_gap < 0:
        raise ValueError(f"max_gap must be a non-negative number of seconds, got {max_gap!r}")
    if max_freq_jump is not None and not max_freq_jump > 0:
        raise ValueError(f"max_freq_jump must be a positive fraction or None, got {max_freq_jump!r}")
    table = triggers.copy()
    table.sort("gps_start")
    extra = {"snr_combined": np.zeros(0), "n_triggers": np.zeros(0, dtype=int), "event_start": np.zeros(0),
             "event_end": np.zeros(0), "event_snr_mean": np.zeros(0)}
    if len(table) == 0:
        events = table.copy()
        for name, values in extra.items():
            events[name] = values
        return events
    span = table.meta["window"] / table.meta["sample_rate"]
    starts = np.asarray(table["gps_start"], dtype=float)
    ends = starts + span
    new = np.zeros(len(table), dtype=bool)
    new[0] = True
    new[1:] = starts[1:] > np.maximum.accumulate(ends)[:-1] + max_gap
    if max_freq_jump is not None:
        frequency = np.asarray(table["freq_peak"], dtype=float)
        new[1:] |= np.abs(np.diff(frequency)) > max_freq_jump * np.maximum(frequency[:-1], np.finfo(float).tiny)
    event = np.cumsum(new) - 1
    first = np.flatnonzero(new)
    snr = np.asarray(table["snr"], dtype=float)
    loudest = np.lexsort((-snr, event))[first]  # within each event, sorted by decreasing SNR
    events = table[loudest]
    # Disjoint windows of an event (start indices congruent modulo window/step) add their SNR² like
    # independent stretches of one signal; the best of those sets measures a long signal's total SNR.
    step = (table.meta["window"] - table.meta.get("overlap", 0)) / table.meta["sample_rate"]
    per_set = max(1, int(round(span / step)))
    index = np.rint((starts - starts[first][event]) / step).astype(np.int64) % per_set
    combined = np.zeros((first.size, per_set))
    np.add.at(combined, (event, index), snr**2)
    events["snr_combined"] = np.sqrt(combined.max(axis=1))
    events["n_triggers"] = np.diff(np.append(first, len(table)))
    events["event_start"] = starts[first]
    events["event_end"] = np.maximum.reduceat(ends, first)
    events["event_snr_mean"] = np.add.reduceat(snr, first) / events["n_triggers"]
    for name in ("event_start", "event_end"):
        events[name].unit = "s"
    return events


@dataclass(frozen=True)
class WindowStages:
    """One window through the WDF's stages, for display (see :func:`window_stages`).

    Attributes
    ----------
    times : numpy.ndarray
        GPS time of each sample of the window.
    whitened : numpy.ndarray
        The whitened samples (units of σ).
    coefficients, kept : list of numpy.ndarray
        Wavelet coefficients per level (PyWavelets order) before and after thresholding.
    reconstruction : numpy.ndarray
        The transient rebuilt from the kept coefficients.
    snr : float
        The window's SNR in this basis.
    """

    times: np.ndarray
    whitened: np.ndarray
    coefficients: list
    kept: list
    reconstruction: np.ndarray
    snr: float


def window_stages(
    whitened: Strain, start: float, window: int, wavelet: str, rule: str = "block", mode: str = "hard",
    block_threshold: float = DETECTION_BLOCK_THRESHOLD,
) -> WindowStages:
    """Decompose, threshold and rebuild one window of whitened strain (what the WDF does to each).

    Parameters
    ----------
    whitened : Strain
        Whitened strain in units of σ (:meth:`WaveletDetectionFilter.whiten`).
    start : float
        GPS time of the window's first sample (rounded to a sample).
    window : int
        Window length in samples (a power of two).
    wavelet, rule, mode, block_threshold
        As for :class:`WaveletDetectionFilter`.

    Returns
    -------
    WindowStages
    """
    import pywt

    check_wavelet(wavelet)
    if isinstance(window, bool) or int(window) != window or window < 8 or window & (window - 1):
        raise ValueError(f"window must be a power of two of at least 8 samples, got {window!r}")
    first = int(round((start - whitened.t0) * whitened.sample_rate))
    if not 0 <= first <= len(whitened) - window:
        raise ValueError(
            f"a window of {window} samples starting at GPS {start} does not fit in the strain "
            f"(GPS {whitened.t0} to {whitened.t_end})"
        )
    samples = whitened.data[None, first:first + window]
    coefficients = window_coefficients(samples, wavelet)
    snr, kept = threshold_coefficients(coefficients, rule, mode, block_threshold)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        reconstruction = pywt.waverec(kept, wavelet, mode="periodization", axis=-1)[0]
    return WindowStages(
        times=whitened.t0 + (first + np.arange(window)) / whitened.sample_rate, whitened=samples[0],
        coefficients=[c[0] for c in coefficients], kept=[k[0] for k in kept], reconstruction=reconstruction,
        snr=float(snr[0]),
    )
