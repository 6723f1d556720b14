"""WDF triggers: the columns of a trigger table, the parameters of a trigger, and clustering into events."""

from __future__ import annotations

import copy
import warnings
from typing import TYPE_CHECKING

import numpy as np

from mmlab.core.tables import table_with_units

if TYPE_CHECKING:
    from astropy.table import Table

__all__ = ["TRIGGER_COLUMNS", "cluster_trigger_columns", "cluster_triggers", "empty_trigger_columns",
           "empty_trigger_table", "trigger_parameters"]


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


def empty_trigger_table(store_waveforms: bool = False, window: int = 0) -> Table:
    """A trigger table with no rows and the columns of :data:`TRIGGER_COLUMNS`."""
    return table_with_units(empty_trigger_columns(store_waveforms, window), TRIGGER_COLUMNS)


def empty_trigger_columns(store_waveforms: bool = False, window: int = 0) -> dict[str, np.ndarray]:
    """The columns of :func:`empty_trigger_table` as numpy arrays."""
    columns = {name: np.zeros(0, dtype=str if unit is None else float) for name, unit in TRIGGER_COLUMNS.items()}
    if store_waveforms:
        columns["waveform"] = np.zeros((0, window))
    return columns


def cluster_triggers(triggers: Table, max_gap: float = 0.0, max_freq_jump: float | None = None) -> Table:
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
    from astropy.table import Table

    meta = triggers.meta
    window = step = 1.0  # no triggers: the windows' length does not matter
    if len(triggers):
        window = meta["window"] / meta["sample_rate"]
        step = (meta["window"] - meta.get("overlap", 0)) / meta["sample_rate"]
    columns = {name: np.asarray(triggers[name]) for name in triggers.colnames}
    events = Table(cluster_trigger_columns(columns, window, step, max_gap, max_freq_jump), meta=copy.deepcopy(meta))
    for name in triggers.colnames:
        events[name].unit = triggers[name].unit
    for name in ("event_start", "event_end"):
        events[name].unit = "s"
    return events


def cluster_trigger_columns(triggers: dict[str, np.ndarray], window: float, step: float, max_gap: float = 0.0,
                            max_freq_jump: float | None = None) -> dict[str, np.ndarray]:
    """:func:`cluster_triggers` on plain columns (one array per trigger column), without an astropy table.

    The streaming search clusters a chunk's triggers with it: an astropy table costs about a
    millisecond to build, as long as the clustering itself.

    Parameters
    ----------
    triggers : dict
        Trigger columns (:data:`TRIGGER_COLUMNS`, and any others, such as ``waveform``), equal lengths.
    window, step : float
        The windows' length and the step between them, s.
    max_gap, max_freq_jump
        As :func:`cluster_triggers` (not checked here).

    Returns
    -------
    dict
        The event columns of :func:`cluster_triggers`, one row per event, in time order.
    """
    order = np.argsort(np.asarray(triggers["gps_start"]))
    table = {name: np.asarray(values)[order] for name, values in triggers.items()}
    n = order.size
    if n == 0:
        return {**table, "snr_combined": np.zeros(0), "n_triggers": np.zeros(0, dtype=int),
                "event_start": np.zeros(0), "event_end": np.zeros(0), "event_snr_mean": np.zeros(0)}
    starts = np.asarray(table["gps_start"], dtype=float)
    ends = starts + window
    new = np.zeros(n, dtype=bool)
    new[0] = True
    new[1:] = starts[1:] > np.maximum.accumulate(ends)[:-1] + max_gap
    if max_freq_jump is not None:
        frequency = np.asarray(table["freq_peak"], dtype=float)
        new[1:] |= np.abs(np.diff(frequency)) > max_freq_jump * np.maximum(frequency[:-1], np.finfo(float).tiny)
    event = np.cumsum(new) - 1
    first = np.flatnonzero(new)
    snr = np.asarray(table["snr"], dtype=float)
    loudest = np.lexsort((-snr, event))[first]  # within each event, sorted by decreasing SNR
    events = {name: values[loudest] for name, values in table.items()}
    # Disjoint windows of an event (start indices congruent modulo window/step) add their SNR² like
    # independent stretches of one signal; the best of those sets measures a long signal's total SNR.
    per_set = max(1, int(round(window / step)))
    index = np.rint((starts - starts[first][event]) / step).astype(np.int64) % per_set
    combined = np.zeros((first.size, per_set))
    np.add.at(combined, (event, index), snr**2)
    events["snr_combined"] = np.sqrt(combined.max(axis=1))
    events["n_triggers"] = np.diff(np.append(first, n))
    events["event_start"] = starts[first]
    events["event_end"] = np.maximum.reduceat(ends, first)
    events["event_snr_mean"] = np.add.reduceat(snr, first) / events["n_triggers"]
    return events
