"""A light container for a uniformly sampled strain time series."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Strain"]


def _to_hz(sample_rate) -> float:
    """Return a sample rate in Hz from a number or an astropy frequency Quantity."""
    if hasattr(sample_rate, "unit"):
        import astropy.units as u

        sample_rate = sample_rate.to_value(u.Hz)
    return float(sample_rate)


def _to_gps(t0) -> float:
    """Return a GPS time in seconds from a number or an astropy Time/Quantity."""
    if hasattr(t0, "gps"):
        return float(t0.gps)
    if hasattr(t0, "unit"):
        import astropy.units as u

        return float(t0.to_value(u.s))
    return float(t0)


@dataclass(frozen=True, eq=False)
class Strain:
    """Strain samples with their GPS start time, sample rate and detector.

    Parameters
    ----------
    data : array_like
        One-dimensional strain samples (dimensionless). NaN marks samples the
        source flagged as missing (GWOSC files do this in data gaps); call
        :meth:`require_finite` before computing on them.
    t0 : float, astropy.time.Time or astropy.units.Quantity
        GPS time of the first sample, in seconds.
    sample_rate : float or astropy.units.Quantity
        Samples per second, in Hz.
    detector : str, optional
        Detector prefix such as ``"H1"``; None for a synthetic series.

    Examples
    --------
    >>> import numpy as np
    >>> s = Strain(np.zeros(4096), t0=1126259446, sample_rate=4096, detector="H1")
    >>> s.duration
    1.0
    """

    data: np.ndarray
    t0: float
    sample_rate: float
    detector: str | None = None

    def __post_init__(self):
        data = np.asarray(self.data, dtype=np.float64)
        if data.ndim != 1:
            raise ValueError(f"strain data must be one-dimensional, got shape {data.shape}")
        if data.size == 0:
            raise ValueError("strain data must hold at least one sample, got an empty array")
        sample_rate = _to_hz(self.sample_rate)
        if not np.isfinite(sample_rate) or sample_rate <= 0:
            raise ValueError(f"sample_rate must be a positive number of Hz, got {self.sample_rate!r}")
        t0 = _to_gps(self.t0)
        if not np.isfinite(t0):
            raise ValueError(f"t0 must be a finite GPS time in seconds, got {self.t0!r}")
        data.setflags(write=False)
        object.__setattr__(self, "data", data)
        object.__setattr__(self, "sample_rate", sample_rate)
        object.__setattr__(self, "t0", t0)

    def __len__(self) -> int:
        return self.data.size

    def __repr__(self) -> str:
        return (
            f"Strain(detector={self.detector!r}, t0={self.t0!r}, "
            f"sample_rate={self.sample_rate!r}, duration={self.duration!r})"
        )

    @property
    def dt(self) -> float:
        """Sample spacing in seconds."""
        return 1.0 / self.sample_rate

    @property
    def duration(self) -> float:
        """Span covered by the samples, in seconds (``len / sample_rate``)."""
        return self.data.size / self.sample_rate

    @property
    def t_end(self) -> float:
        """GPS time just after the last sample (``t0 + duration``)."""
        return self.t0 + self.duration

    @property
    def times(self) -> np.ndarray:
        """GPS time of every sample, in seconds."""
        return self.t0 + np.arange(self.data.size) / self.sample_rate

    def require_finite(self) -> Strain:
        """Return self if every sample is finite, else raise naming the first bad sample.

        Raises
        ------
        ValueError
            If any sample is NaN or infinite (a data gap in GWOSC files).
        """
        bad = ~np.isfinite(self.data)
        if bad.any():
            first = int(np.argmax(bad))
            raise ValueError(
                f"{self.detector or 'strain'} has {int(bad.sum())} non-finite samples "
                f"(NaN marks a data gap); the first is at GPS {self.t0 + first / self.sample_rate:.4f}. "
                "Crop to a gap-free stretch with Strain.crop before processing"
            )
        return self

    def crop(self, start: float, end: float) -> Strain:
        """Return the samples with GPS ``start <= t < end``.

        Parameters
        ----------
        start, end : float
            GPS bounds in seconds; both must lie within ``[t0, t_end]``.

        Returns
        -------
        Strain
            A new container sharing no memory with this one.
        """
        start, end = _to_gps(start), _to_gps(end)
        if not (self.t0 <= start < end <= self.t_end + 0.5 * self.dt):
            raise ValueError(
                f"crop bounds must satisfy {self.t0} <= start < end <= {self.t_end}, "
                f"got start={start}, end={end}"
            )
        first = int(round((start - self.t0) * self.sample_rate))
        last = int(round((end - self.t0) * self.sample_rate))
        return Strain(
            self.data[first:last].copy(),
            t0=self.t0 + first / self.sample_rate,
            sample_rate=self.sample_rate,
            detector=self.detector,
        )
