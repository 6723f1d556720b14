"""The unit that flows through the real-time pipeline: a chunk of one detector's strain, and its wire format.

A chunk carries its detector, GPS start, sample rate, a data-quality flag, a
per-detector sequence number (the source's chunk id) and the time it became
available. On a message broker it travels as a small JSON header followed by
the float64 samples (:func:`encode_chunk`, :func:`decode_chunk`): no pickle,
so a malformed message is detected and named, never executed.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

import numpy as np

from mmlab.core.strain import Strain

__all__ = ["GOOD", "Chunk", "ChunkError", "check_chunk", "decode_chunk", "encode_chunk"]

#: Data-quality flag of a chunk fit for analysis (anything else is set aside with its reason).
GOOD = 0


class ChunkError(ValueError):
    """A chunk or message the pipeline cannot process; the message says why (it goes to the dead letters)."""


@dataclass(frozen=True, eq=False)
class Chunk:
    """One detector's strain for a stretch of time.

    Attributes
    ----------
    detector : str
        Detector prefix, e.g. ``"H1"``.
    sequence : int
        The source's chunk number for this detector (0, 1, 2, ...).
    gps_start : float
        GPS time of the first sample, s.
    sample_rate : float
        Hz.
    data : numpy.ndarray
        The samples.
    quality : int
        :data:`GOOD`, or a nonzero data-quality flag.
    available : float
        Wall-clock time (``time.time()``) when the chunk became available, for latencies.
    """

    detector: str
    sequence: int
    gps_start: float
    sample_rate: float
    data: np.ndarray
    quality: int = GOOD
    available: float = 0.0

    @property
    def gps_end(self) -> float:
        """GPS time just after the last sample."""
        return self.gps_start + self.data.size / self.sample_rate

    def strain(self) -> Strain:
        """The samples as a :class:`~mmlab.core.strain.Strain`."""
        return Strain(self.data, t0=self.gps_start, sample_rate=self.sample_rate, detector=self.detector)


def check_chunk(chunk: Chunk, detectors, sample_rate: float) -> Chunk:
    """Return ``chunk`` if the pipeline can analyse it, else raise :class:`ChunkError` naming what is wrong.

    Parameters
    ----------
    chunk : Chunk
        The chunk.
    detectors : sequence of str
        The detectors the pipeline runs.
    sample_rate : float
        The rate its stages were fitted at, Hz.
    """
    if chunk.detector not in detectors:
        raise ChunkError(f"chunk {chunk.sequence} comes from detector {chunk.detector!r}; the pipeline runs "
                         f"{list(detectors)}")
    if chunk.sample_rate != sample_rate:
        raise ChunkError(f"{chunk.detector} chunk {chunk.sequence} is sampled at {chunk.sample_rate:g} Hz, the "
                         f"pipeline at {sample_rate:g} Hz")
    if chunk.quality != GOOD:
        raise ChunkError(f"{chunk.detector} chunk {chunk.sequence} has data-quality flag {chunk.quality}")
    data = np.asarray(chunk.data)
    if data.ndim != 1 or data.size == 0:
        raise ChunkError(f"{chunk.detector} chunk {chunk.sequence} holds no 1-D samples (shape {data.shape})")
    bad = ~np.isfinite(data)
    if bad.any():
        raise ChunkError(f"{chunk.detector} chunk {chunk.sequence} (GPS {chunk.gps_start:.3f}) has "
                         f"{int(bad.sum())} NaN or infinite samples")
    return chunk


def encode_chunk(chunk: Chunk) -> bytes:
    """The chunk as bytes: a JSON header line, then the float64 samples (little-endian)."""
    header = {"detector": chunk.detector, "sequence": int(chunk.sequence), "gps_start": float(chunk.gps_start),
              "sample_rate": float(chunk.sample_rate), "quality": int(chunk.quality),
              "available": float(chunk.available), "samples": int(np.asarray(chunk.data).size)}
    return json.dumps(header).encode() + b"\n" + np.asarray(chunk.data, dtype="<f8").tobytes()


def decode_chunk(message: bytes) -> Chunk:
    """The chunk :func:`encode_chunk` wrote; :class:`ChunkError` naming the problem for anything else."""
    try:
        head, _, body = bytes(message).partition(b"\n")
        header = json.loads(head)
        expected = int(header["samples"]) * 8
        if len(body) != expected:
            raise ChunkError(f"message announces {header['samples']} samples but holds {len(body)} bytes of data")
        chunk = Chunk(str(header["detector"]), int(header["sequence"]), float(header["gps_start"]),
                      float(header["sample_rate"]), np.frombuffer(body, dtype="<f8").copy(), int(header["quality"]),
                      float(header["available"]))
    except ChunkError:
        raise
    except (ValueError, KeyError, TypeError) as exc:
        raise ChunkError(f"malformed chunk message ({type(exc).__name__}: {exc})") from None
    if not math.isfinite(chunk.gps_start) or not chunk.sample_rate > 0:
        raise ChunkError(f"malformed chunk message: GPS {chunk.gps_start}, sample rate {chunk.sample_rate}")
    return chunk
