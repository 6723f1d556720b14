"""A bank of g-mode chirps: tile power summed in a band along quadratic frequency tracks.

The excess-power tracks (:mod:`mmlab.wdf.excess_power`) make a track pay a
penalty per tile, so a chirp whose power is spread thinly (a core-collapse
supernova's g-mode rising from ~200 Hz to over 1 kHz in a second, at SNR 15
a few units of SNR² per 1/32 s tile) is found only where noise happens to
lift its tiles. When the shape of the track is known in advance, summing
every tile of a band around it without any penalty is the stronger test:
the sum ``S`` of ``n`` tile energies is a (correlated) χ² whose mean and
variance are known, so a chirp holding ``ρ²`` of SNR² stands
``≈ ρ² / sqrt(var S)`` above noise, wherever its power lies along the band.
This is the idea of STAMP's seedless clustering (Thrane & Coughlin 2013,
2014), which sums power along families of Bézier curves; here the family is
the g-mode's own quadratic track (:func:`mmlab.signals.frequency_track`,
Astone et al. 2018, the form 3D simulations follow),

    f(t) = f1 − (f1 − f0) (1 − t/t2)²,

on a small grid of start and turning-point frequencies and durations that
spans the tracks of 3D simulations (g-modes from 100–300 Hz at bounce to
0.5–2 kHz, 0.2–2 s long). A band of half-width ``f / quality`` (the width of
a kicked oscillator of quality ``Q``) widened by half the frequency the track
sweeps in one tile follows the track. No library offers this search, so it
is written here: on cumulative sums over frequency a band's energy is two
look-ups, and the templates of one length are summed together, a few numpy
calls per time column (about 12 ms per 16 s block for the default 210
templates, tried at every other column).

Significance: with 50 %-overlapping Hann tiles, the energies of neighbouring
rows and columns are correlated (for circular Gaussian noise
``cov(E_a, E_b) = |ρ_ab|²``, ρ the correlation of the two Fourier
coefficients, computed from the window), so ``var S`` is summed exactly over
the template's pairs of tiles; ``S`` is then treated as a gamma variable of
that mean and variance and mapped to a standard normal deviate by the
Wilson–Hilferty transform. That puts short and long templates on one scale
before the best one is taken; the search's threshold still comes from its
own background.

References
----------
.. [1] E. Thrane and M. Coughlin, "Searching for gravitational-wave
   transients with a qualitative signal model: seedless clustering
   strategies", Phys. Rev. D 88 (2013) 083010, doi:10.1103/PhysRevD.88.083010
.. [2] P. Astone et al., "New method to observe gravitational waves emitted
   by core collapse supernovae", Phys. Rev. D 98 (2018) 122002,
   doi:10.1103/PhysRevD.98.122002
.. [3] E. B. Wilson and M. M. Hilferty, "The distribution of chi-square",
   PNAS 17 (1931) 684, doi:10.1073/pnas.17.12.684
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

__all__ = ["ChirpBank", "ChirpTemplates", "chirp_events", "chirp_significance", "chirp_templates",
           "tile_correlations"]


@dataclass(frozen=True)
class ChirpBank:
    """The grid of quadratic g-mode tracks whose band power the chirp statistic sums.

    Parameters
    ----------
    f0 : tuple of float
        Frequencies at the track's start, Hz.
    f1 : tuple of float
        Frequencies at the turning point, Hz.
    durations : tuple of float
        Track lengths, s (no longer than the excess-power blocks' padding).
    turning_fraction : tuple of float
        Turning points ``t2`` as fractions of the duration (1: the track rises until it ends, more: it is still
        rising then).
    quality : float
        The band's half-width is ``f / quality`` (at least 1.5 rows), plus half the frequency the track sweeps
        within one tile.
    min_significance : float
        Events below this significance (standard normal deviates) are not reported.
    stride : int
        Templates start at every ``stride``-th tile column: with half-overlapping tiles, 2 puts every start
        within a quarter tile of one tried, for half the cost.
    """

    f0: tuple = (100.0, 180.0, 260.0)
    f1: tuple = (600.0, 800.0, 1050.0, 1350.0, 1700.0)
    durations: tuple = (0.25, 0.35, 0.5, 0.7, 0.95, 1.3, 1.8)
    turning_fraction: tuple = (0.9, 1.3)
    quality: float = 7.0
    min_significance: float = 4.5
    stride: int = 2

    def __post_init__(self):
        for name in ("f0", "f1", "durations", "turning_fraction"):
            values = tuple(float(v) for v in np.atleast_1d(getattr(self, name)))
            if not values or any(not np.isfinite(v) or v <= 0 for v in values):
                raise ValueError(f"{name} must be positive numbers, got {getattr(self, name)!r}")
            object.__setattr__(self, name, values)
        if max(self.f0) >= min(self.f1):
            raise ValueError(f"every start frequency f0 {self.f0} Hz must lie below every turning frequency "
                             f"f1 {self.f1} Hz: the tracks rise")
        if not (np.isfinite(self.quality) and self.quality > 0):
            raise ValueError(f"quality must be a positive number, got {self.quality!r}")
        if isinstance(self.stride, bool) or not isinstance(self.stride, (int, np.integer)) or self.stride < 1:
            raise ValueError(f"stride must be a whole number of columns >= 1, got {self.stride!r}")
        if not np.isfinite(self.min_significance):
            raise ValueError(f"min_significance must be a finite number, got {self.min_significance!r}")

    def tracks(self) -> list[tuple[float, float, float, float]]:
        """Every ``(f0, f1, duration, t2)`` of the grid."""
        return [(f0, f1, duration, fraction * duration) for f0 in self.f0 for f1 in self.f1
                for duration in self.durations for fraction in self.turning_fraction]


@dataclass(frozen=True)
class ChirpTemplates:
    """A bank laid on one tiling: each template's band of rows per time column, and its noise moments.

    Attributes
    ----------
    low, high : list of numpy.ndarray
        Per template, the first row of its band and one past the last, per column.
    mean, variance : numpy.ndarray
        Per template, the mean and variance of its band's summed energy in Gaussian noise.
    tracks : list of tuple
        Per template, ``(f0, f1, duration, t2)``.
    """

    low: list
    high: list
    mean: np.ndarray
    variance: np.ndarray
    tracks: list


def tile_correlations(samples: int, max_rows: int = 4) -> np.ndarray:
    """``|ρ|²`` between the Fourier coefficients of Hann tiles of ``samples`` at 50 % overlap, for white noise.

    Returns
    -------
    numpy.ndarray
        ``(2, 2 max_rows + 1)``: row 0 for tiles of the same column, row 1 for neighbouring columns; column
        ``max_rows + d`` for a frequency offset of ``d`` rows (the energy covariance of the two tiles).
    """
    from scipy import signal

    window = signal.windows.hann(samples, sym=False)
    norm = np.sum(window**2)
    n = np.arange(samples)
    out = np.zeros((2, 2 * max_rows + 1))
    for lag in (0, 1):
        product = window * np.r_[np.zeros(lag * samples // 2), window[:samples - lag * samples // 2]]
        for d in range(-max_rows, max_rows + 1):
            out[lag, max_rows + d] = abs(np.sum(product * np.exp(-2j * np.pi * d * n / samples))) ** 2 / norm**2
    return out


def _pairs(low_a, high_a, low_b, high_b, offset):
    """Number of row pairs ``(r, r')`` with ``r − r' = offset``, r in ``[low_a, high_a)``, r' in ``[low_b, high_b)``."""
    return np.maximum(np.minimum(high_a, high_b + offset) - np.maximum(low_a, low_b + offset), 0)


def chirp_templates(bank: ChirpBank, frequencies: np.ndarray, samples: int, sample_rate: float) -> ChirpTemplates:
    """Lay a bank's tracks on the rows (``frequencies``, Hz) and columns of Hann tiles of ``samples`` at 50 % overlap.

    A template starts at the centre of its first tile; its band holds the rows within ``f / quality``
    (at least 1.5 rows) plus half the frequency swept in a tile of the track.
    """
    step = samples / 2 / sample_rate
    row_width = sample_rate / samples
    covariance = tile_correlations(samples)
    reach = (covariance.shape[1] - 1) // 2
    low, high, means, variances, tracks = [], [], [], [], []
    for f0, f1, duration, t2 in bank.tracks():
        times = np.arange(max(int(round(duration / step)), 1)) * step + step
        rising = 1.0 - np.clip(times / t2, 0.0, 1.0)
        frequency = f1 - (f1 - f0) * rising**2
        sweep = 2 * (f1 - f0) / t2 * rising * samples / sample_rate
        half = np.maximum(1.5 * row_width, frequency / bank.quality + sweep / 2)
        lo = np.searchsorted(frequencies, frequency - half).astype(np.int64)
        hi = np.searchsorted(frequencies, frequency + half, side="right").astype(np.int64)
        if np.sum(hi - lo) == 0:
            continue  # the track lies outside the searched band
        variance = 0.0
        for d in range(-reach, reach + 1):
            variance += covariance[0, reach + d] * np.sum(_pairs(lo, hi, lo, hi, d))
            variance += 2 * covariance[1, reach + d] * np.sum(_pairs(lo[:-1], hi[:-1], lo[1:], hi[1:], d))
        low.append(lo)
        high.append(hi)
        means.append(float(np.sum(hi - lo)))
        variances.append(float(variance))
        tracks.append((f0, f1, duration, t2))
    return ChirpTemplates(low, high, np.array(means), np.array(variances), tracks)


def chirp_significance(energy: np.ndarray, templates: ChirpTemplates, stride: int = 1,
                       ends: tuple[int, int] | None = None) -> dict[str, np.ndarray]:
    """For every start column, the best template's significance: its band's summed energy as a normal deviate.

    Parameters
    ----------
    energy : numpy.ndarray
        ``(..., rows, columns)`` normalised tile energies (:func:`mmlab.wdf.excess_power.tile_energies`).
    templates : ChirpTemplates
        Laid on the same rows and tile length.
    stride : int
        Templates start at every ``stride``-th column.
    ends : tuple of int, optional
        Try only templates whose last column lies in ``[ends[0], ends[1])`` (a streaming block's core: the
        others are the neighbouring blocks' to report, and skipping them saves most of the work on short
        blocks).

    Returns
    -------
    dict
        ``start``, the start columns tried; per start (after the leading axes of ``energy``): ``significance``
        (−inf where no template fits before the end), ``template`` (the best one's index) and ``excess``
        (``S − mean``, the SNR² its band holds above noise).
    """
    *batch, rows, columns = energy.shape
    starts = np.arange(0, columns, int(stride))
    cumulative = np.zeros((rows + 1, *batch, columns), dtype=np.float32)
    np.cumsum(np.moveaxis(energy, -2, 0), axis=0, out=cumulative[1:])
    best = np.full((*batch, starts.size), -np.inf)
    which = np.zeros((*batch, starts.size), dtype=np.int64)
    excess = np.zeros((*batch, starts.size))
    lengths = np.array([band.size for band in templates.low])
    first_end, end_limit = (0, columns) if ends is None else (max(int(ends[0]), 0), min(int(ends[1]), columns))
    for length in np.unique(lengths):  # templates of one length are summed in the same numpy calls
        # Start indices i (column i * stride) whose template fits and ends in [first_end, end_limit).
        first = -(-max(first_end - length + 1, 0) // stride)
        last = (end_limit - length) // stride  # inclusive; negative when none fits
        if last < first:
            continue
        tried = slice(first, last + 1)
        group = np.flatnonzero(lengths == length)
        low = np.stack([templates.low[k] for k in group])
        high = np.stack([templates.high[k] for k in group])
        total = np.zeros((group.size, *batch, last + 1 - first), dtype=np.float32)
        for j in range(int(length)):
            columns_j = slice(j + first * stride, j + last * stride + 1, stride)
            total += cumulative[high[:, j], ..., columns_j]
            total -= cumulative[low[:, j], ..., columns_j]
        mean = templates.mean[group].reshape((-1,) + (1,) * (len(batch) + 1))
        shape = mean**2 / templates.variance[group].reshape(mean.shape)
        # Wilson–Hilferty: (S / mean)^(1/3) of a gamma variable is nearly normal.
        z = (np.cbrt(np.maximum(total, 0.0) / mean) - (1 - 1 / (9 * shape))) * np.sqrt(9 * shape)
        top = z.argmax(axis=0)
        z_top = np.take_along_axis(z, top[None], axis=0)[0]
        better = z_top > best[..., tried]
        best[..., tried][better] = z_top[better]
        which[..., tried][better] = group[top][better]
        excess[..., tried][better] = (np.take_along_axis(total, top[None], axis=0)[0]
                                      - templates.mean[group][top])[better]
    return {"start": starts, "significance": best, "template": which, "excess": excess}


def chirp_events(tiles: tuple, samples: int, sample_rate: float, first_gps, bank: ChirpBank,
                 cores) -> list[dict[str, np.ndarray]]:
    """Per stretch, the chirp bank's events: peaks of the best template's significance, kept where they end in
    the core (the cluster columns of :func:`mmlab.wdf.excess_power.excess_power_blocks`; ``excess`` is the
    significance, ``template`` the template's index).

    Only templates ending in a core are tried: an event is the best template among those that end in the
    block's core, and the block whose core holds a template's end is the one that reports it.

    ``tiles`` is :func:`mmlab.wdf.excess_power.tile_energies`' result for tiles of ``samples`` of stretches
    starting at ``first_gps``; ``cores`` holds each stretch's ``(start, end)`` GPS, or None.
    """
    from scipy.signal import find_peaks

    energies, frequencies, starts = tiles
    templates = _templates(bank, tuple(frequencies.tolist()), samples, float(sample_rate))
    ends = None  # the last columns whose tile ends in some stretch's core: templates ending elsewhere are skipped
    if all(core is not None for core in cores):
        tile_ends = (starts + samples) / sample_rate
        in_core = np.zeros(starts.size, dtype=bool)
        for gps, core in zip(first_gps, cores):
            in_core |= (gps + tile_ends >= core[0]) & (gps + tile_ends < core[1])
        inside = np.flatnonzero(in_core)
        ends = (int(inside[0]), int(inside[-1]) + 1) if inside.size else (0, 0)
    best = chirp_significance(energies, templates, bank.stride, ends)
    half_bin = sample_rate / samples / 2
    lengths = np.array([band.size for band in templates.low])
    low = np.array([band.min() for band in templates.low])
    high = np.array([band.max() - 1 for band in templates.high])
    last = np.array([(band_low[-1] + band_high[-1] - 1) // 2 for band_low, band_high in zip(templates.low,
                                                                                            templates.high)])
    out = []
    for k in range(energies.shape[0]):
        significance = best["significance"][k]
        peaks, _ = find_peaks(np.r_[-np.inf, significance, -np.inf], height=bank.min_significance,
                              prominence=1.0)
        peaks = peaks - 1
        template, first = best["template"][k][peaks], best["start"][peaks]
        gps_start = first_gps[k] + starts[first] / sample_rate
        gps_end = first_gps[k] + (starts[first + lengths[template] - 1] + samples) / sample_rate
        if cores[k] is not None:
            inside = (gps_end >= cores[k][0]) & (gps_end < cores[k][1])
            peaks, template, gps_start, gps_end = peaks[inside], template[inside], gps_start[inside], gps_end[inside]
        out.append({
            "gps_start": gps_start, "gps_end": gps_end, "gps_peak": gps_end - samples / 2 / sample_rate,
            "duration": gps_end - gps_start, "snr": np.sqrt(np.maximum(best["excess"][k][peaks], 0.0)),
            "excess": best["significance"][k][peaks],
            "freq_min": np.maximum(frequencies[low[template]] - half_bin, 0.0),
            "freq_max": frequencies[high[template]] + half_bin, "freq_peak": frequencies[last[template]],
            "n_tiles": templates.mean[template], "tile_duration": np.full(peaks.size, samples / sample_rate),
            "template": template.astype(float),
        })
    return out


@functools.lru_cache(maxsize=16)
def _templates(bank: ChirpBank, frequencies: tuple, samples: int, sample_rate: float) -> ChirpTemplates:
    """:func:`chirp_templates`, cached (a stream lays its bank once)."""
    return chirp_templates(bank, np.asarray(frequencies), samples, sample_rate)
