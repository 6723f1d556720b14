"""The Wavelet Detection Filter (WDF): a wavelet event-trigger generator for whitened strain.

After E. Cuoco's WDF (the algorithm as published and documented, reimplemented
with PyWavelets; no code of the GPL original is used). The strain is whitened
by an autoregressive prediction-error filter (:func:`mmlab.gw.whiten_chunk`)
and divided by the prediction-error σ; sliding windows of N samples are then
decomposed to full depth in several orthonormal wavelet bases and thresholded
(:mod:`mmlab.wdf.thresholding`); a window's SNR is ``sqrt(Σ c²)`` over the
kept coefficients. The best basis wins; a window above ``snr_threshold`` is a
trigger. Screening (:mod:`mmlab.wdf.screening`) skips the windows that
cannot reach the threshold, without changing any result.

:func:`detect_chunk` is the pure streaming function, ``(chunk, filter,
state) -> (triggers, state)`` with an explicit :class:`WDFState`;
:class:`WaveletDetectionFilter` holds the configuration, the fitted whitening
model and the state of its own stream.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from mmlab.core.state import Serialisable, check_continuity
from mmlab.core.strain import Strain
from mmlab.core.tables import table_with_units
from mmlab.gw.whiten import ARWhitener, WhiteningState, whiten_chunk
from mmlab.wdf.screening import screen_windows
from mmlab.wdf.thresholding import (
    DEFAULT_WAVELETS,
    DETECTION_BLOCK_THRESHOLD,
    THRESHOLD_MODES,
    THRESHOLD_RULES,
    check_wavelet,
    threshold_coefficients,
    window_coefficients,
)
from mmlab.wdf.triggers import TRIGGER_COLUMNS, empty_trigger_columns, trigger_parameters

if TYPE_CHECKING:
    from astropy.table import Table

__all__ = ["PIECE_SECONDS", "WDFState", "WaveletDetectionFilter", "conditioned_detection",
           "conditioned_trigger_columns", "detect_chunk"]

#: Length of the pieces :func:`detect_chunk` cuts long inputs into, in s (keeps the working set in cache).
PIECE_SECONDS = 64.0

#: Below this many windows in a piece, every window is decomposed in full instead of screened first (the
#: result is the same: screening only skips windows that cannot reach the threshold).
SCREEN_MIN_WINDOWS = 64

#: Order of the Butterworth high-pass applied to the whitened data.
HIGHPASS_ORDER = 8


@dataclass(frozen=True)
class WDFState(Serialisable):
    """Where a stream of :func:`detect_chunk` calls stands (JSON-serialisable with ``to_dict``).

    Attributes
    ----------
    whitening : WhiteningState
        The AR whitener's state.
    highpass : numpy.ndarray
        ``(sections, 2)`` state of the high-pass on the whitened data (``(0, 2)`` without one).
    buffer : numpy.ndarray
        Whitened samples (units of σ) not yet covered by a window step.
    buffer_start : int
        Index of ``buffer[0]`` in the stream, in samples from its first one.
    skip : int
        Start-up samples still to skip.
    restarts : int
        How many times a gap, an overlap or an out-of-order chunk restarted the stream.
    """

    whitening: WhiteningState
    highpass: np.ndarray
    buffer: np.ndarray
    buffer_start: int
    skip: int
    restarts: int = 0


@functools.lru_cache(maxsize=16)
def _highpass_sections(f_low: float, sample_rate: float) -> np.ndarray:
    from scipy import signal

    nyquist = sample_rate / 2
    if not 0 < f_low < nyquist:
        raise ValueError(f"f_low must lie in (0, {nyquist}) Hz for this sample rate, got {f_low!r}")
    sections = signal.butter(HIGHPASS_ORDER, f_low, btype="highpass", fs=sample_rate, output="sos")
    sections.setflags(write=False)
    return sections


class WaveletDetectionFilter:
    """Wavelet Detection Filter: AR whitening, then wavelet-thresholded sliding windows.

    Configuration only in ``__init__``; :meth:`fit` learns the whitening
    filter; :meth:`detect` turns strain into a table of triggers and may be
    called on consecutive chunks of one stream (the triggers are bit-identical
    to one call on the whole): it is :func:`detect_chunk` with the state kept
    in :attr:`state_`.

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
        only); see :func:`mmlab.wdf.thresholding.threshold_coefficients`.
    block_threshold : float
        λ of the block rule (:data:`~mmlab.wdf.thresholding.DETECTION_BLOCK_THRESHOLD`;
        Cai's λ* = :data:`~mmlab.wdf.thresholding.BLOCK_LAMBDA` reproduces the original WDF).
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
        The fitted whitening filter (its ``model_`` is what :func:`detect_chunk` uses).
    ar_coefficients_, sigma_ : numpy.ndarray, float
        Its prediction coefficients and prediction-error σ.
    state_ : WDFState
        Where the stream of :meth:`detect` calls stands.
    """

    def __init__(
        self, window: int = 1024, overlap: int = 768, wavelets=DEFAULT_WAVELETS, snr_threshold: float = 10.0,
        rule: str = "block", mode: str = "hard", block_threshold: float = DETECTION_BLOCK_THRESHOLD,
        ar_order: int = 1000, f_low: float | None = 20.0, store_waveforms: bool = False,
    ):
        self.window = window
        self.overlap = overlap
        self.wavelets = (wavelets,) if isinstance(wavelets, str) else tuple(wavelets)
        self.snr_threshold = snr_threshold
        self.rule = rule
        self.mode = mode
        self.block_threshold = block_threshold
        self.ar_order = ar_order
        self.f_low = f_low
        self.store_waveforms = store_waveforms

    def check_configuration(self) -> None:
        """Raise a ValueError naming the first parameter out of range (and the valid ones)."""
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
        """Fit the whitening AR model on a stretch of noise and start a new stream; returns self."""
        self.check_configuration()
        self.whitener_ = ARWhitener(self.ar_order).fit(learn)
        self.ar_coefficients_ = self.whitener_.ar_coefficients_
        self.sigma_ = self.whitener_.sigma_
        if self.f_low is not None:
            _highpass_sections(float(self.f_low), self.whitener_.sample_rate_)
        return self.reset()

    def check_fitted(self) -> None:
        """Raise a RuntimeError unless :meth:`fit` has run."""
        if not hasattr(self, "whitener_"):
            raise RuntimeError("this WaveletDetectionFilter is not fitted yet: call fit(learn_strain) first")

    def initial_state(self, restarts: int = 0) -> WDFState:
        """The state of a stream that has not started (``restarts`` carried over from a broken one)."""
        self.check_fitted()
        sections = 0 if self.f_low is None else len(_highpass_sections(float(self.f_low), self.whitener_.sample_rate_))
        highpass = np.zeros((sections, 2))
        return WDFState(whitening=WhiteningState.fresh(self.whitener_.model_), highpass=highpass,
                        buffer=np.zeros(0), buffer_start=0, skip=self.startup_samples, restarts=restarts)

    def reset(self) -> WaveletDetectionFilter:
        """Start a new stream: the next :meth:`detect` call does not continue the previous one."""
        self.state_ = self.initial_state()
        return self

    def _highpass_settling(self) -> int:
        """Samples the high-pass needs to forget its start (ten periods of ``f_low``)."""
        return 0 if self.f_low is None else int(np.ceil(10.0 / self.f_low * self.whitener_.sample_rate_))

    @property
    def startup_samples(self) -> int:
        """Samples at the start of a stream that :meth:`detect` skips (filter transients)."""
        self.check_fitted()
        return int(self.ar_order) + self._highpass_settling()

    def whiten(self, strain: Strain) -> Strain:
        """Whitened (and high-passed) strain in units of σ, as a fresh stream of :meth:`detect` sees it.

        The whole segment is whitened (its last incomplete block too); the
        detection stream's state is not touched. The first
        :attr:`startup_samples` samples are start-up transients.
        """
        self.check_fitted()
        whitened, _ = whiten_chunk(strain, self.whitener_.model_, None, flush=True)
        data = _high_passed(whitened.data / self.sigma_, self, self.initial_state().highpass)[0]
        return Strain(data, t0=whitened.t0, sample_rate=whitened.sample_rate, detector=whitened.detector)

    def detect(self, strain: Strain, flush: bool = False) -> Table:
        """Triggers in a chunk of strain (a whole segment, or the next chunk of a stream).

        Parameters
        ----------
        strain : Strain
            Finite samples; normally starting where the previous chunk ended
            (else :class:`~mmlab.core.state.StreamGap` is warned and the stream restarts).
        flush : bool
            The chunk ends a segment: whiten and search its last incomplete
            whitening block too (see :func:`detect_chunk`).

        Returns
        -------
        astropy.table.Table
            One row per trigger (window above threshold), columns
            :data:`~mmlab.wdf.triggers.TRIGGER_COLUMNS` (GPS times in s,
            frequencies in Hz, SNRs in units of the noise σ), sorted by ``gps_start``.
        """
        self.check_fitted()
        triggers, self.state_ = detect_chunk(strain, self, self.state_, flush)
        return triggers


def _high_passed(data: np.ndarray, wdf: WaveletDetectionFilter, state: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The whitened samples (units of σ) high-passed with the carried filter state."""
    if wdf.f_low is None:
        return data, state
    from scipy import signal

    sections = np.array(_highpass_sections(float(wdf.f_low), wdf.whitener_.sample_rate_))  # scipy wants it writable
    return signal.sosfilt(sections, data, zi=state)


def detect_chunk(chunk: Strain, wdf: WaveletDetectionFilter, state: WDFState | None = None,
                 flush: bool = False) -> tuple[Table, WDFState]:
    """Triggers in the next chunk of a stream: the WDF as a pure function of (chunk, filter, state).

    Whitening (:func:`mmlab.gw.whiten_chunk`), the high-pass and the windows
    all continue from ``state``; GPS times are counted in samples from the
    stream's start. However a stream is cut into chunks, and whether or not
    the state is serialised (``state.to_dict()``, JSON) and restored between
    them, the triggers are bit-identical to one call on the whole stream.

    Parameters
    ----------
    chunk : Strain
        Finite samples at the rate of the filter's learn stretch.
    wdf : WaveletDetectionFilter
        A fitted filter (configuration and whitening model; it is not modified).
    state : WDFState, optional
        The previous call's state; None starts a stream.
    flush : bool
        The chunk ends a segment: its last incomplete whitening block is
        whitened and searched too (a later chunk still continues the stream,
        exact but off the bit-identical block grid).

    Returns
    -------
    triggers : astropy.table.Table
        As :meth:`WaveletDetectionFilter.detect`.
    state : WDFState
        To pass to the next call.

    Warns
    -----
    StreamGap
        If the chunk does not start where the stream expected; the stream
        restarts (start-up transient skipped again; the whitened samples
        waiting for a window, fewer than a window, are dropped) and
        ``state.restarts`` counts it.
    """
    triggers, state, _ = conditioned_detection(chunk, wdf, state, flush)
    return triggers, state


def conditioned_detection(chunk: Strain, wdf: WaveletDetectionFilter, state: WDFState | None = None,
                          flush: bool = False) -> tuple[Table, WDFState, list[tuple[np.ndarray, int]]]:
    """:func:`detect_chunk`, also returning the conditioned samples it produced (for other statistics on them).

    Returns
    -------
    triggers, state
        As :func:`detect_chunk`.
    conditioned : list of (numpy.ndarray, int)
        The new whitened, high-passed samples (units of σ) past the start-up
        transient, and the stream index of each piece's first sample.
    """
    columns, state, conditioned = conditioned_trigger_columns(chunk, wdf, state, flush)
    return _trigger_table(wdf, chunk, columns), state, conditioned


def conditioned_trigger_columns(chunk: Strain, wdf: WaveletDetectionFilter, state: WDFState | None = None,
                                flush: bool = False) -> tuple[dict[str, np.ndarray], WDFState,
                                                              list[tuple[np.ndarray, int]]]:
    """:func:`conditioned_detection` with the triggers as plain columns (numpy arrays), not an astropy table.

    The streaming search calls this once a chunk: a table costs about a millisecond to build, which is
    a tenth of the search of a second of data.

    Returns
    -------
    triggers : dict
        The columns of :data:`~mmlab.wdf.triggers.TRIGGER_COLUMNS` (values in their units), and
        ``waveform`` if the filter stores waveforms.
    state, conditioned
        As :func:`conditioned_detection`.
    """
    wdf.check_fitted()
    wdf.check_configuration()
    chunk.require_finite()
    state = wdf.initial_state() if state is None else state
    what = f"{chunk.detector or 'strain'} WDF ({state.whitening.pending.size + state.buffer.size} samples dropped)"
    if not check_continuity(state.whitening.next_gps, chunk.t0, chunk.sample_rate, what):
        state = wdf.initial_state(state.restarts + 1)
    piece = int(PIECE_SECONDS * chunk.sample_rate)
    found, conditioned = [], []
    for first in range(0, len(chunk), piece):
        part = Strain(chunk.data[first:first + piece], t0=chunk.t0 + first / chunk.sample_rate,
                      sample_rate=chunk.sample_rate, detector=chunk.detector)
        columns, state, new = _detect_piece(part, wdf, state, flush and first + piece >= len(chunk))
        if columns is not None:
            found.append(columns)
        if new[0].size:
            conditioned.append(new)
    if not found:
        return empty_trigger_columns(wdf.store_waveforms, int(wdf.window)), state, conditioned
    triggers = found[0] if len(found) == 1 else {name: np.concatenate([part[name] for part in found])
                                                 for name in found[0]}
    return triggers, state, conditioned


def _detect_piece(part: Strain, wdf: WaveletDetectionFilter, state: WDFState,
                  flush: bool) -> tuple[dict[str, np.ndarray] | None, WDFState, tuple[np.ndarray, int]]:
    """:func:`detect_chunk` on one piece that continues the stream: its trigger columns (None: no trigger),
    the state, and the conditioned samples it added."""
    whitened, whitening = whiten_chunk(part, wdf.whitener_.model_, state.whitening, flush)
    if whitened is None:
        return None, WDFState(whitening, state.highpass, state.buffer, state.buffer_start,
                                                    state.skip, state.restarts), (np.zeros(0), 0)
    data, highpass = _high_passed(whitened.data / wdf.sigma_, wdf, state.highpass)
    skip = min(state.skip, data.size)  # the buffer fills only once the start-up transient is skipped
    new, new_start = data[skip:], state.buffer_start + skip + state.buffer.size
    buffer, buffer_start = np.concatenate([state.buffer, new]), state.buffer_start + skip
    window, step = int(wdf.window), wdf.step
    n_windows = 0 if buffer.size < window else (buffer.size - window) // step + 1
    stream_gps = whitening.start_gps
    columns = _trigger_columns(buffer, n_windows, wdf, part.sample_rate, stream_gps, buffer_start)
    consumed = n_windows * step
    return columns, WDFState(whitening, highpass, buffer[consumed:].copy(), buffer_start + consumed,
                           state.skip - skip, state.restarts), (new, new_start)


def _trigger_table(wdf: WaveletDetectionFilter, chunk: Strain, columns: dict[str, np.ndarray]) -> Table:
    """Trigger columns as a table with units and the filter's configuration in its metadata."""
    return table_with_units(columns, TRIGGER_COLUMNS, meta={
        "detector": chunk.detector, "sample_rate": float(chunk.sample_rate), "window": int(wdf.window),
        "overlap": int(wdf.overlap), "rule": wdf.rule, "mode": wdf.mode, "block_threshold": float(wdf.block_threshold),
        "snr_threshold": float(wdf.snr_threshold)})


def _trigger_columns(buffer: np.ndarray, n_windows: int, wdf: WaveletDetectionFilter, sample_rate: float,
                     stream_gps: float, buffer_start: int) -> dict[str, np.ndarray] | None:
    """Screen the buffer's windows, decompose the candidates in full; the columns of those above threshold."""
    if n_windows == 0:
        return None
    window, step = int(wdf.window), wdf.step
    starts = np.arange(n_windows) * step
    if n_windows < SCREEN_MIN_WINDOWS:  # a few windows: screening would cost more than it saves
        candidates = np.ones(n_windows, dtype=bool)
    else:
        padded = np.pad(buffer, (0, (-buffer.size) % window))
        candidates = np.zeros(n_windows, dtype=bool)
        bound = wdf.snr_threshold**2 * (1 - 1e-9)
        for wavelet in wdf.wavelets:
            counts, energies = screen_windows(padded, starts, window, step, wavelet, wdf.rule, wdf.block_threshold)
            candidates |= (counts < window // 2 + 1) | (energies >= bound)
    chosen = np.flatnonzero(candidates)
    if chosen.size == 0:
        return None
    windows = buffer[starts[chosen, None] + np.arange(window)]
    best_snr = np.full(chosen.size, -1.0)
    best_basis = np.zeros(chosen.size, dtype=int)
    best_kept: list[np.ndarray] | None = None
    for index, wavelet in enumerate(wdf.wavelets):
        snr, kept = threshold_coefficients(window_coefficients(windows, wavelet), wdf.rule, wdf.mode,
                                           wdf.block_threshold)
        better = snr > best_snr
        best_snr = np.where(better, snr, best_snr)
        best_basis = np.where(better, index, best_basis)
        if best_kept is None:
            best_kept = [np.zeros_like(level) for level in kept]
        for level, new in zip(best_kept, kept):
            level[better] = new[better]
    triggered = best_snr >= wdf.snr_threshold
    if not triggered.any():
        return None
    # Reconstruct in each trigger's own basis (levels of different bases have the same sizes).
    rows = np.flatnonzero(triggered)
    parameters = {}
    for index in np.unique(best_basis[rows]):
        mine = rows[best_basis[rows] == index]
        found = trigger_parameters([level[mine] for level in best_kept], wdf.wavelets[index], sample_rate)
        for name, values in found.items():
            parameters.setdefault(name, np.zeros((rows.size,) + values.shape[1:]))
            parameters[name][np.searchsorted(rows, mine)] = values
    # GPS from whole samples counted from the stream's start: the same numbers however the stream is cut.
    gps_start = stream_gps + (buffer_start + starts[chosen[rows]]) / sample_rate
    columns = {
        "gps_start": gps_start, "gps_peak": gps_start + parameters["peak_offset"],
        "duration": parameters["duration"], "snr": best_snr[rows],
        **{name: parameters[name] for name in ("snr_mean", "snr_peak", "freq_min", "freq_mean", "freq_max", "freq_peak")},
        "wavelet": np.array([wdf.wavelets[i] for i in best_basis[rows]]),
    }
    if wdf.store_waveforms:
        columns["waveform"] = parameters["waveform"]
    return columns
