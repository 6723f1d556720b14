"""Where chunks come from: simulated detector networks with injections (and a truth table), or replayed GWOSC files.

:class:`SimulatedSource` gives each detector continuous design noise
(:func:`mmlab.gw.noise.noise_stream`: no seams between chunks) with signals at
random times: supernovae and binary black holes seen by the whole network
(random sky, scaled to a network SNR), glitches in one detector. Its
:attr:`~SimulatedSource.truth` table says what was injected where. It can
also slip in bad chunks (a NaN chunk, a duplicate, an older chunk, a wrong
sample rate, an unknown detector) and one gap, all recorded in
:attr:`~SimulatedSource.bad`, so that a run can show each was accounted for.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from mmlab.core.parallel import spawn_seeds
from mmlab.core.strain import Strain
from mmlab.gw.detectors import DESIGN_PSD_OF, detector_names, random_sky
from mmlab.gw.inject import add_signal, detector_signal, network_snr, optimal_snr, scale_to_snr
from mmlab.gw.noise import colored_noise, noise_stream
from mmlab.stream.chunks import Chunk

if TYPE_CHECKING:
    from astropy.table import Table

__all__ = ["BAD_KINDS", "INJECTION_KINDS", "SimulatedSource", "gwosc_replay"]

#: What a simulated source injects: supernovae and BBH mergers (network), glitches (one detector).
INJECTION_KINDS = ("ccsn", "bbh", "sine_gaussian", "blip", "scattered_light")

#: Length of the colouring filter of the simulated noise, s (0.25 Hz resolution: finer than any design curve's
#: features, and four times cheaper per chunk than :func:`mmlab.gw.noise.noise_stream`'s default).
NOISE_FILTER_SECONDS = 4.0

#: Bad chunks a source can slip in, one of each.
BAD_KINDS = ("nan", "duplicate", "out_of_order", "sample_rate", "unknown_detector", "gap")


class SimulatedSource:
    """Simulated strain of a detector network, chunk by chunk, with injections and a truth table.

    Parameters
    ----------
    detectors : str or sequence of str
        Detectors or a network name (``"HLV"``); each gets its design noise.
    duration : float
        Seconds of data.
    chunk : float
        Seconds per chunk.
    sample_rate : float
        Hz.
    seed : int
        Drives noise, injections and bad chunks.
    injection_interval : float
        Mean seconds between injections (at least 8 s apart).
    kinds : sequence of str
        Kinds injected in turn (:data:`INJECTION_KINDS`).
    snr_range : tuple of float
        Optimal SNR (network SNR for waves), uniform.
    bad_chunks : bool
        Slip in one bad chunk of each of :data:`BAD_KINDS` (at fixed places past the first minute).
    """

    def __init__(self, detectors="HLV", duration: float = 600.0, chunk: float = 1.0, sample_rate: float = 4096.0,
                 seed: int = 0, injection_interval: float = 20.0, kinds: Sequence[str] = INJECTION_KINDS,
                 snr_range: tuple[float, float] = (15.0, 30.0), bad_chunks: bool = False):
        self.detectors = detector_names(detectors)
        self.duration = float(duration)
        self.chunk = float(chunk)
        self.sample_rate = float(sample_rate)
        self.seed = seed
        self.injection_interval = float(injection_interval)
        self.kinds = tuple(kinds)
        self.snr_range = tuple(snr_range)
        self.bad_chunks = bad_chunks
        unknown = [k for k in self.kinds if k not in INJECTION_KINDS]
        if unknown:
            raise ValueError(f"unknown injection kinds {unknown}; known kinds are {list(INJECTION_KINDS)}")
        noise, learn, self._injection_seed = spawn_seeds(seed, 3)
        # Children drawn once: every call of chunks() and learn() gives the same samples.
        self._noise_seeds, self._learn_seeds = noise.spawn(len(self.detectors)), learn.spawn(len(self.detectors))
        self._signals, self.truth = self._plan()

    @property
    def n_chunks(self) -> int:
        """Chunks per detector."""
        return int(np.ceil(self.duration / self.chunk))

    def learn(self, detector: str, seconds: float = 60.0) -> Strain:
        """Independent noise of a detector to fit its whitening on."""
        seed = np.random.default_rng(self._learn_seeds[self.detectors.index(detector)])
        return colored_noise(DESIGN_PSD_OF[detector], seconds, self.sample_rate, seed=seed, detector=detector)

    def _plan(self) -> tuple[dict[str, list[Strain]], Table]:
        from astropy.table import Table

        from mmlab.signals import CCSN_MIX_FAMILIES, binary_black_hole, ccsn_family_waveform, random_glitch

        rng = np.random.default_rng(self._injection_seed)
        times = []
        t = 30.0
        while t < self.duration - 10.0:
            times.append(t)
            t += max(8.0, rng.exponential(self.injection_interval))
        signals = {d: [] for d in self.detectors}
        rows = []
        for k, gps in enumerate(times):
            kind = self.kinds[k % len(self.kinds)]
            snr = float(rng.uniform(*self.snr_range))
            if kind in ("ccsn", "bbh"):
                if kind == "ccsn":
                    family = CCSN_MIX_FAMILIES[int(rng.integers(len(CCSN_MIX_FAMILIES)))]
                    waveform = ccsn_family_waveform(family, seed=rng)
                else:
                    total = rng.uniform(40, 70)
                    waveform = binary_black_hole(total / 2, total / 2, distance=500.0, f_lower=30.0,
                                                 sample_rate=self.sample_rate)
                ra, dec, psi = (float(v[0]) for v in random_sky(1, rng))
                projected = {d: detector_signal(waveform, d, gps, ra, dec, psi) for d in self.detectors}
                total_snr = network_snr(optimal_snr(s, DESIGN_PSD_OF[d], self.sample_rate) for d, s in projected.items())
                for d, s in projected.items():
                    signals[d].append(Strain(s.data * snr / total_snr, s.t0, s.sample_rate, d))
                where = ",".join(self.detectors)
            else:
                where = self.detectors[int(rng.integers(len(self.detectors)))]
                waveform = random_glitch(kind, self.sample_rate, seed=rng)
                signals[where].append(scale_to_snr(detector_signal(waveform, where, gps), snr, DESIGN_PSD_OF[where]))
                ra = dec = psi = float("nan")
            rows.append((gps, kind, waveform.name, snr, where, ra, dec, psi))
        truth = Table(rows=rows or None, names=("gps", "kind", "name", "snr", "detectors", "ra", "dec", "psi"),
                      dtype=(float, "U32", "U64", float, "U16", float, float, float))
        return signals, truth

    def chunks(self) -> Iterator[Chunk]:
        """The chunks in time order, the detectors' chunks of one stretch together (and the bad ones, if asked)."""
        streams = {d: noise_stream(DESIGN_PSD_OF[d], self.duration, self.chunk, self.sample_rate,
                                   np.random.default_rng(s), detector=d, filter_length=NOISE_FILTER_SECONDS)
                   for d, s in zip(self.detectors, self._noise_seeds)}
        bad_at = {kind: 60 + 7 * k for k, kind in enumerate(BAD_KINDS)} if self.bad_chunks else {}
        self.bad = []
        previous: dict[str, Chunk] = {}
        for sequence in range(self.n_chunks):
            for detector in self.detectors:
                piece = next(streams[detector])
                for signal in self._signals[detector]:
                    if signal.t0 < piece.t_end and signal.t_end > piece.t0:
                        piece = add_signal(piece, signal)
                chunk = Chunk(detector, sequence, piece.t0, piece.sample_rate, np.array(piece.data),
                              available=time.time())
                if detector == self.detectors[0] and sequence == bad_at.get("gap"):
                    self.bad.append(("gap", detector, sequence))
                    continue  # this chunk never arrives
                yield chunk
                if detector == self.detectors[-1]:
                    yield from self._bad(sequence, chunk, previous.get(detector), bad_at)
                previous[detector] = chunk

    def _bad(self, sequence: int, chunk: Chunk, older: Chunk | None, bad_at: dict) -> Iterator[Chunk]:
        for kind, where in bad_at.items():
            if where != sequence or kind == "gap":
                continue
            now = time.time()
            if kind == "nan":
                data = chunk.data.copy()
                data[::97] = np.nan
                bad = replace(chunk, data=data, sequence=sequence + 1000000, available=now)
            elif kind == "duplicate":
                bad = replace(chunk, available=now)
            elif kind == "out_of_order":
                bad = replace(older or chunk, available=now)
            elif kind == "sample_rate":
                bad = replace(chunk, sample_rate=chunk.sample_rate / 2, sequence=sequence + 1000000, available=now)
            else:
                bad = replace(chunk, detector="X1", available=now)
            self.bad.append((kind, bad.detector, bad.sequence))
            yield bad


def gwosc_replay(event: str = "GW150914", detectors: Sequence[str] = ("H1", "L1"), loops: int = 3,
                 chunk: float = 1.0) -> Iterator[Chunk]:
    """Replay the GWOSC files of an event in chunks, looped with time shifts so GPS keeps increasing.

    Loop ``k`` moves the file by ``k`` file lengths plus ``k`` chunks: one
    chunk is missing between loops, so the pipeline sees a gap and restarts
    its whitening there, as it would at the end of a science segment (joining
    the end of the file to its start would be a step in the data, which the
    whitening turns into a loud coincident glitch).
    """
    from mmlab.io.gwosc import fetch_gwosc

    strains = {d: fetch_gwosc(event, d) for d in detectors}
    length = min(len(s) for s in strains.values())
    per_chunk = round(chunk * next(iter(strains.values())).sample_rate)
    sequence = 0
    for loop in range(int(loops)):
        for first in range(0, length - per_chunk + 1, per_chunk):
            for detector, strain in strains.items():
                shift = loop * (length + per_chunk) + first
                yield Chunk(detector, sequence, strain.t0 + shift / strain.sample_rate, strain.sample_rate,
                            np.array(strain.data[first:first + per_chunk]), available=time.time())
            sequence += 1
        sequence += 1  # the chunk between loops that never arrives
