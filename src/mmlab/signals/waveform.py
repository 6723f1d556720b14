"""The container every signal generator returns: two polarisations on a uniform grid."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from mmlab.core.validation import check_positive

__all__ = ["Waveform"]


@dataclass(frozen=True, eq=False)
class Waveform:
    """Plus and cross polarisations of a gravitational wave (or a glitch), sampled uniformly.

    Parameters
    ----------
    hplus, hcross : array_like
        Dimensionless strain of the two polarisations, same length. A glitch
        (noise in one detector, not a wave) has ``hcross`` all zero.
    sample_rate : float
        Samples per second, in Hz.
    start : float
        Time of the first sample relative to the signal's reference time, in s
        (merger for compact binaries, core bounce for supernovae, the centre of
        a glitch). Injecting at GPS ``t`` puts the reference time at ``t``.
    distance : float, optional
        Luminosity distance in Mpc at which these amplitudes hold, for signals
        with a physical scale; None for those normalised otherwise.
    name : str
        Short description, e.g. ``"IMRPhenomD 36+29 Msun"``.
    parameters : dict
        The parameters that generated it (for data-set manifests).
    """

    hplus: np.ndarray
    hcross: np.ndarray
    sample_rate: float
    start: float = 0.0
    distance: float | None = None
    name: str = ""
    parameters: dict = field(default_factory=dict)

    def __post_init__(self):
        hplus = np.array(self.hplus, dtype=np.float64)
        hcross = np.array(self.hcross, dtype=np.float64)
        if hplus.ndim != 1 or hplus.shape != hcross.shape or hplus.size == 0:
            raise ValueError(
                f"hplus and hcross must be non-empty 1-D arrays of one length, got shapes {hplus.shape} and {hcross.shape}"
            )
        if not (np.isfinite(hplus).all() and np.isfinite(hcross).all()):
            raise ValueError(f"waveform {self.name or ''} has non-finite samples")
        hplus.setflags(write=False)
        hcross.setflags(write=False)
        object.__setattr__(self, "hplus", hplus)
        object.__setattr__(self, "hcross", hcross)
        object.__setattr__(self, "sample_rate", check_positive("sample_rate", self.sample_rate, "Hz"))
        if self.distance is not None:
            object.__setattr__(self, "distance", check_positive("distance", self.distance, "Mpc"))

    def __len__(self) -> int:
        return self.hplus.size

    def __repr__(self) -> str:
        return (f"Waveform({self.name!r}, sample_rate={self.sample_rate!r}, start={self.start:.4f}, "
                f"duration={self.duration!r}, distance={self.distance!r})")

    @property
    def duration(self) -> float:
        """Length in seconds."""
        return self.hplus.size / self.sample_rate

    @property
    def times(self) -> np.ndarray:
        """Time of each sample relative to the reference time, in s."""
        return self.start + np.arange(self.hplus.size) / self.sample_rate

    @property
    def is_polarised(self) -> bool:
        """True if the cross polarisation is not identically zero."""
        return bool(np.any(self.hcross))

    def hrss(self) -> float:
        """Root-sum-square strain sqrt(∫ (h+² + h×²) dt), in 1/√Hz."""
        return float(np.sqrt(np.sum(self.hplus**2 + self.hcross**2) / self.sample_rate))

    def scaled(self, factor: float) -> Waveform:
        """The same waveform with both polarisations multiplied by ``factor`` (distance divided by it)."""
        factor = check_positive("factor", factor)
        distance = None if self.distance is None else self.distance / factor
        return replace(self, hplus=self.hplus * factor, hcross=self.hcross * factor, distance=distance)

    def at_distance(self, distance) -> Waveform:
        """The same source seen from ``distance`` Mpc (amplitude ∝ 1/distance).

        Raises
        ------
        ValueError
            If the waveform has no physical distance (a glitch, a normalised model).
        """
        distance = check_positive("distance", distance, "Mpc")
        if self.distance is None:
            raise ValueError(
                f"waveform {self.name!r} has no physical distance; scale it to an SNR instead"
            )
        return self.scaled(self.distance / distance)
