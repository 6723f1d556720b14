"""A long-transient statistic beside the WDF's window statistic: excess power in clusters of time–frequency tiles.

The WDF thresholds every wavelet coefficient against the noise, so a signal
whose energy spreads thinly over a long track (a core-collapse supernova's
g-mode chirp over a second, scattered-light arches) loses it before any
clustering: a 150–1400 Hz chirp at SNR 20 keeps SNR 13.6 in its best 0.25 s
window, yet no coefficient there exceeds 3σ. This statistic sums energy over
tiles instead:

1. The whitened data (unit variance) are tiled at several resolutions: Hann
   windows of ``N`` samples with 50 % overlap, so each tile's normalised energy
   ``E = |X|² / Σw²`` follows the exponential distribution of mean 1 (a
   χ²₂/2) in Gaussian noise.
2. Tiles above a low threshold ``eta`` that connect (8-neighbours) to a tile
   above ``seed_eta`` form a cluster (hysteresis, as edge detectors and
   coherent WaveBurst's core/halo pixels do): a faint stretch of a track
   stays attached to its loud parts, while noise needs a loud seed.
3. A cluster's statistic is its energy above what its tiles hold in noise:
   for a tile selected by ``E > eta``, ``E − eta`` is again exponential of
   mean 1 (the distribution is memoryless), so ``excess = Σ (E − eta − 1)``
   hardly grows with a noise cluster's size (seeding and the windows'
   overlap add a few tenths per tile), while ``Σ (E − 1)`` grows by more than
   ``eta`` per tile. A signal of matched-filter SNR ρ adds ρ²/2 of energy per
   independent tile, and Hann windows at 50 % overlap see every sample
   twice (Σ_k w²(n − kN/2) = 2 Σw² / N), so ``snr = sqrt(Σ (E − 1))``
   estimates the SNR the cluster captured.
4. Every resolution is searched; thresholds come from background
   (:func:`mmlab.core.statistics.far_threshold` on clusters of noise alone),
   per resolution, so no resolution's tail dominates.

Why not Omicron or coherent WaveBurst: Omicron's Q-tiles (Robinet et al. 2020)
are built for short, constant-Q transients and report single tiles, not
tracks; cWB's WDM clustering across resolutions (Klimenko et al. 2016) is a
network likelihood of a whole C++ pipeline. STFT tiles per resolution with
scipy and connected-component labelling (:func:`scipy.ndimage.label`) give
the excess-power part of both in a few vectorised numpy calls, fast enough to
run beside the WDF (``benchmarks/events.py``). No library offers it ready-made
(gwpy's Q-transform returns maps, not clusters), so it is written here.

Streaming: whitened samples are analysed in blocks on a fixed grid counted
from the stream's start, each block padded on both sides; a cluster belongs to
the block in whose core its first tile starts, so it is found once however the
stream is cut (the state is explicit, :class:`ExcessPowerState`).

References
----------
.. [1] W. G. Anderson, P. R. Brady, J. D. E. Creighton and É. É. Flanagan,
   "Excess power statistic for detection of burst sources of gravitational
   radiation", Phys. Rev. D 63 (2001) 042003, doi:10.1103/PhysRevD.63.042003
.. [2] S. Klimenko et al., "Method for detection and reconstruction of
   gravitational wave transients with networks of advanced detectors",
   Phys. Rev. D 93 (2016) 042004, doi:10.1103/PhysRevD.93.042004
.. [3] F. Robinet et al., "Omicron: a tool to characterize transient noise in
   gravitational-wave detectors", SoftwareX 12 (2020) 100620,
   doi:10.1016/j.softx.2020.100620
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from mmlab.core.state import Serialisable
from mmlab.core.validation import check_positive

if TYPE_CHECKING:
    from astropy.table import Table

__all__ = ["CLUSTER_COLUMNS", "ExcessPowerConfig", "ExcessPowerState", "cluster_table", "excess_power_block",
           "excess_power_chunk", "tile_energies"]

#: Columns of a cluster table, with units.
CLUSTER_COLUMNS = {
    "gps_start": "s", "gps_end": "s", "gps_peak": "s", "duration": "s", "snr": "", "excess": "",
    "freq_min": "Hz", "freq_max": "Hz", "freq_peak": "Hz", "n_tiles": "", "tile_duration": "s",
}


@dataclass(frozen=True)
class ExcessPowerConfig:
    """How whitened data are tiled, thresholded and clustered.

    Parameters
    ----------
    tile_durations : tuple of float
        Length of the Hann window of each resolution, in s (frequency
        resolution ``1 / duration``); 1/32 s suits the fastest CCSN chirps,
        1/2 s scattered-light arches.
    eta : float
        Tiles with normalised energy above this join clusters (exceeded by
        ``exp(-eta)`` of noise tiles: 13.5 % for 2).
    seed_eta : float
        A cluster must hold a tile above this (1.1 % of noise tiles for 4.5).
    band : tuple of float
        Frequencies searched, Hz.
    block : float
        Seconds of data per analysis block (latency of the streaming search).
    pad : float
        Seconds analysed on each side of a block (longer than the longest cluster).
    min_excess : float
        Clusters with less excess energy are not reported (noise clusters hold
        a few; thresholds at one false alarm per hour lie far above).
    """

    tile_durations: tuple = (1 / 32, 1 / 16, 1 / 8, 1 / 4, 1 / 2)
    eta: float = 2.0
    seed_eta: float = 4.5
    band: tuple = (20.0, 2000.0)
    block: float = 8.0
    pad: float = 2.0
    min_excess: float = 10.0

    def __post_init__(self):
        durations = tuple(float(d) for d in self.tile_durations)
        if not durations or any(not np.isfinite(d) or d <= 0 for d in durations):
            raise ValueError(f"tile_durations must be positive seconds, got {self.tile_durations!r}")
        object.__setattr__(self, "tile_durations", durations)
        check_positive("eta", self.eta)
        if not self.seed_eta >= self.eta:
            raise ValueError(f"seed_eta must be at least eta={self.eta}, got {self.seed_eta!r}")
        low, high = self.band
        if not 0 < low < high:
            raise ValueError(f"band must be (low, high) Hz with 0 < low < high, got {self.band!r}")
        object.__setattr__(self, "band", (float(low), float(high)))
        check_positive("block", self.block, "s")
        if not self.pad >= max(durations):
            raise ValueError(f"pad must be at least the longest tile ({max(durations)} s), got {self.pad!r}")

    def check_rate(self, sample_rate: float) -> None:
        """Raise a ValueError unless every tile is a whole, even number of samples and the band fits."""
        for duration in self.tile_durations:
            samples = duration * sample_rate
            if abs(samples - round(samples)) > 1e-9 or round(samples) < 8 or round(samples) % 2:
                raise ValueError(f"a tile of {duration} s is {samples:g} samples at {sample_rate:g} Hz; "
                                 "tiles must be whole, even numbers of at least 8 samples")
        if self.band[1] > sample_rate / 2:
            raise ValueError(f"band {self.band} Hz reaches above the Nyquist frequency {sample_rate / 2:g} Hz")


def tile_energies(whitened: np.ndarray, samples: int, sample_rate: float,
                  band: tuple[float, float]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Normalised energies of Hann-windowed tiles with 50 % overlap (mean 1 for unit white noise).

    Parameters
    ----------
    whitened : numpy.ndarray
        Whitened samples of unit variance.
    samples : int
        Tile length (even).
    sample_rate : float
        Hz.
    band : tuple of float
        Frequencies kept, Hz.

    Returns
    -------
    energy : numpy.ndarray
        ``(frequencies, times)`` float32.
    frequencies : numpy.ndarray
        Centre of each row, Hz.
    starts : numpy.ndarray
        First sample of each column's tile.
    """
    from scipy import signal

    step = samples // 2
    n_tiles = (whitened.size - samples) // step + 1 if whitened.size >= samples else 0
    window = signal.windows.hann(samples, sym=False)
    frequencies = np.fft.rfftfreq(samples, 1 / sample_rate)
    rows = (frequencies >= band[0]) & (frequencies <= band[1])
    starts = np.arange(n_tiles) * step
    if n_tiles == 0:
        return np.zeros((int(rows.sum()), 0), dtype=np.float32), frequencies[rows], starts
    frames = np.lib.stride_tricks.sliding_window_view(whitened, samples)[::step][:n_tiles] * window
    spectrum = np.fft.rfft(frames, axis=-1)[:, rows]
    energy = (spectrum.real**2 + spectrum.imag**2) / np.sum(window**2)
    return energy.T.astype(np.float32), frequencies[rows], starts


def _cluster_pixels(energy: np.ndarray, config: ExcessPowerConfig) -> tuple[np.ndarray, np.ndarray, int]:
    """The tiles of the seeded hysteresis clusters: their flat indices, their cluster numbers (0, 1, ...), and the count."""
    from scipy import ndimage

    labels, count = ndimage.label(energy > config.eta, structure=np.ones((3, 3), dtype=bool))
    if count == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), 0
    seeded = np.unique(labels[energy > config.seed_eta])
    seeded = seeded[seeded > 0]
    number = np.full(count + 1, -1, dtype=np.int64)
    number[seeded] = np.arange(seeded.size)
    flat = labels.ravel()
    pixels = np.flatnonzero(number[flat] >= 0)
    return pixels, number[flat[pixels]], int(seeded.size)


def excess_power_block(whitened: np.ndarray, sample_rate: float, first_gps: float, config: ExcessPowerConfig,
                       core: tuple[float, float] | None = None) -> dict[str, np.ndarray]:
    """Clusters of excess power in whitened samples, at every resolution of ``config``.

    Parameters
    ----------
    whitened : numpy.ndarray
        Unit-variance whitened samples.
    sample_rate : float
        Hz.
    first_gps : float
        GPS time of the first sample.
    config : ExcessPowerConfig
        Tiling and thresholds.
    core : tuple of float, optional
        Keep only clusters whose first tile starts in ``[core[0], core[1])`` (GPS).

    Returns
    -------
    dict
        Arrays of :data:`CLUSTER_COLUMNS`, one entry per cluster, in time order.
    """
    columns: dict[str, list] = {name: [] for name in CLUSTER_COLUMNS}
    for duration in config.tile_durations:
        samples = int(round(duration * sample_rate))
        energy, frequencies, starts = tile_energies(whitened, samples, sample_rate, config.band)
        pixels, cluster, count = _cluster_pixels(energy, config)
        if count == 0:
            continue
        rows, cols = np.divmod(pixels, energy.shape[1])
        values = energy.ravel()[pixels].astype(np.float64)
        # Group the tiles by cluster, loudest first within each (for the peak).
        order = np.lexsort((-values, cluster))
        rows, cols, values, cluster = rows[order], cols[order], values[order], cluster[order]
        first = np.flatnonzero(np.r_[True, cluster[1:] != cluster[:-1]])
        energy_sum, tiles = np.add.reduceat(values, first), np.diff(np.r_[first, cluster.size])
        first_col, last_col = np.minimum.reduceat(cols, first), np.maximum.reduceat(cols, first)
        low_row, high_row = np.minimum.reduceat(rows, first), np.maximum.reduceat(rows, first)
        gps_start = first_gps + starts[first_col] / sample_rate
        gps_end = first_gps + (starts[last_col] + samples) / sample_rate
        excess = energy_sum - (config.eta + 1) * tiles
        keep = excess >= config.min_excess
        if core is not None:
            keep &= (gps_start >= core[0]) & (gps_start < core[1])
        half_bin = sample_rate / samples / 2
        found = {
            "gps_start": gps_start, "gps_end": gps_end,
            "gps_peak": first_gps + (starts[cols[first]] + samples / 2) / sample_rate,
            "duration": gps_end - gps_start, "snr": np.sqrt(np.maximum(energy_sum - tiles, 0.0)),
            "excess": excess,
            "freq_min": np.maximum(frequencies[low_row] - half_bin, 0.0), "freq_max": frequencies[high_row] + half_bin,
            "freq_peak": frequencies[rows[first]], "n_tiles": tiles, "tile_duration": np.full(count, duration),
        }
        for name, array in found.items():
            columns[name].append(np.asarray(array, dtype=float)[keep])
    arrays = {name: np.concatenate(parts) if parts else np.zeros(0) for name, parts in columns.items()}
    order = np.lexsort((arrays["tile_duration"], arrays["gps_start"]))
    return {name: array[order] for name, array in arrays.items()}


@dataclass(frozen=True)
class ExcessPowerState(Serialisable):
    """Where a stream of :func:`excess_power_chunk` calls stands.

    Attributes
    ----------
    buffer : numpy.ndarray
        Whitened samples from ``pad`` before the next block's core (or the stream's start) onwards.
    buffer_start : int
        Index of ``buffer[0]`` in the stream, in samples from its first one.
    next_block : int
        Number of the next block to analyse (its core starts at ``next_block × block`` samples).
    stream_gps : float
        GPS time of the stream's first sample; NaN before the first call.
    """

    buffer: np.ndarray = field(default_factory=lambda: np.zeros(0))
    buffer_start: int = 0
    next_block: int = 0
    stream_gps: float = float("nan")


def excess_power_chunk(whitened: np.ndarray, sample_rate: float, stream_gps: float, config: ExcessPowerConfig,
                       state: ExcessPowerState | None = None,
                       flush: bool = False) -> tuple[dict[str, np.ndarray], ExcessPowerState]:
    """Clusters in the next whitened samples of a stream, block by block on a fixed grid.

    Block ``k``'s core spans samples ``[k B, (k + 1) B)`` of the stream; it is
    analysed with ``pad`` seconds of data on each side (fewer at the stream's
    start), and keeps the clusters whose first tile starts in its core. A
    block is analysed once its right padding has arrived, so every cluster is
    found once and from the same samples however the stream is cut.

    Parameters
    ----------
    whitened : numpy.ndarray
        Unit-variance samples continuing the stream.
    sample_rate : float
        Hz.
    stream_gps : float
        GPS time of the stream's first sample (used on the first call).
    config : ExcessPowerConfig
        Tiling, thresholds, block and padding.
    state : ExcessPowerState, optional
        The previous call's state; None starts a stream.
    flush : bool
        The stream ends: analyse the blocks left, with the padding there is.

    Returns
    -------
    clusters : dict
        Arrays of :data:`CLUSTER_COLUMNS` for the blocks this call completed, in time order.
    state : ExcessPowerState
    """
    config.check_rate(sample_rate)
    if state is None or np.isnan(state.stream_gps):  # a stream that has not started
        state = ExcessPowerState(np.zeros(0), 0, 0, float(stream_gps))
    block, pad = int(round(config.block * sample_rate)), int(round(config.pad * sample_rate))
    buffer, buffer_start, k = np.concatenate([state.buffer, whitened]), state.buffer_start, state.next_block
    end = buffer_start + buffer.size
    found = []
    while end >= (k + 1) * block + pad or (flush and end > k * block):
        core_start, core_end = k * block, min((k + 1) * block, end)
        first, last = max(core_start - pad, 0), min(core_end + pad, end)
        segment = buffer[first - buffer_start:last - buffer_start]
        found.append(excess_power_block(segment, sample_rate, state.stream_gps + first / sample_rate, config,
                                        core=(state.stream_gps + core_start / sample_rate,
                                              state.stream_gps + core_end / sample_rate)))
        k += 1
        keep_from = max(k * block - pad, 0)
        if keep_from > buffer_start:
            buffer, buffer_start = buffer[keep_from - buffer_start:], keep_from
    merged = {name: np.concatenate([f[name] for f in found]) if found else np.zeros(0) for name in CLUSTER_COLUMNS}
    return merged, ExcessPowerState(buffer.copy(), int(buffer_start), int(k), state.stream_gps)


def cluster_table(clusters: dict[str, np.ndarray], meta: dict | None = None) -> Table:
    """The clusters as an astropy Table with units (:data:`CLUSTER_COLUMNS`)."""
    from astropy.table import Table

    table = Table({name: np.asarray(clusters[name], dtype=float) for name in CLUSTER_COLUMNS}, meta=meta or {})
    for name, unit in CLUSTER_COLUMNS.items():
        if unit:
            table[name].unit = unit
    return table
