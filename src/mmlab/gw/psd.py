"""Power spectral densities: published detector design curves and estimates from data."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
from scipy import signal

from mmlab.core.strain import Strain

__all__ = [
    "DESIGN_CURVES", "DesignCurve", "check_design_curve", "design_psd", "design_table", "psd_on_grid", "welch_psd",
]


def welch_psd(
    strain: Strain, fftlength: float = 4.0, overlap: float | None = None, window: str = "hann"
) -> tuple[np.ndarray, np.ndarray]:
    """One-sided PSD by Welch's method with a median average (robust to glitches).

    Parameters
    ----------
    strain : Strain
        Finite strain samples.
    fftlength : float
        Segment length in seconds; the frequency resolution is ``1/fftlength`` Hz.
    overlap : float, optional
        Overlap of segments in seconds; default half of ``fftlength``.
    window : str
        A :func:`scipy.signal.get_window` name.

    Returns
    -------
    frequencies : numpy.ndarray
        Frequencies in Hz, from 0 to Nyquist.
    psd : numpy.ndarray
        One-sided PSD in 1/Hz (strain²/Hz).

    Notes
    -----
    The median of periodograms of Gaussian noise underestimates their mean;
    :func:`scipy.signal.welch` with ``average="median"`` corrects that bias, so
    the estimate is unbiased for stationary Gaussian noise.
    """
    strain.require_finite()
    if not fftlength > 0:
        raise ValueError(f"fftlength must be a positive number of seconds, got {fftlength!r}")
    nperseg = int(round(fftlength * strain.sample_rate))
    if nperseg > len(strain):
        raise ValueError(
            f"fftlength={fftlength} s needs {nperseg} samples but the strain holds only "
            f"{len(strain)} ({strain.duration} s)"
        )
    noverlap = nperseg // 2 if overlap is None else int(round(overlap * strain.sample_rate))
    if not 0 <= noverlap < nperseg:
        raise ValueError(f"overlap must lie in [0, fftlength={fftlength}) s, got {overlap!r}")
    return signal.welch(
        strain.data, fs=strain.sample_rate, window=window, nperseg=nperseg,
        noverlap=noverlap, average="median",
    )


@dataclass(frozen=True)
class DesignCurve:
    """A published detector design sensitivity, as tabulated in LALSimulation.

    Attributes
    ----------
    file : str
        Amplitude spectral density table (frequency in Hz, ASD in 1/√Hz)
        shipped with LALSuite, found with :func:`lal.FileResolvePath`.
    document : str
        LIGO/Virgo document that publishes the curve.
    lal_function : str
        The :mod:`lalsimulation` function that reads the same table.
    description : str
        What the curve is.
    """

    file: str
    document: str
    lal_function: str
    description: str


#: Design curves known to :func:`design_psd`, by the name used throughout mmlab.
DESIGN_CURVES = {
    "aLIGO": DesignCurve(
        "LIGO-T1800044-v5-aLIGO_DESIGN.txt", "LIGO-T1800044-v5",
        "SimNoisePSDaLIGODesignSensitivityT1800044",
        "Advanced LIGO design sensitivity (2018 update, BNS range ≈ 173 Mpc)",
    ),
    "AdV": DesignCurve(
        "LIGO-P1200087-v18-AdV_DESIGN.txt", "LIGO-P1200087-v18",
        "SimNoisePSDAdVDesignSensitivityP1200087",
        "Advanced Virgo design sensitivity (Living Reviews in Relativity 21 3)",
    ),
    "ET-D": DesignCurve(
        "LIGO-P1600143-v18-ET_D.txt", "LIGO-P1600143-v18",
        "SimNoisePSDEinsteinTelescopeP1600143",
        "Einstein Telescope, ET-D configuration, one interferometer of the triangle",
    ),
    "KAGRA": DesignCurve(
        "LIGO-T1600593-v1-KAGRA_Design.txt", "LIGO-T1600593-v1",
        "SimNoisePSDKAGRADesignSensitivityT1600593",
        "KAGRA design sensitivity",
    ),
    "CE": DesignCurve(
        "LIGO-P1600143-v18-CE.txt", "LIGO-P1600143-v18",
        "SimNoisePSDCosmicExplorerP1600143",
        "Cosmic Explorer, 40 km baseline (Abbott et al. 2017, CQG 34 044001)",
    ),
}


def check_design_curve(name: str) -> DesignCurve:
    """Return the :class:`DesignCurve` called ``name``, else raise listing the known ones."""
    if name not in DESIGN_CURVES:
        raise ValueError(f"unknown design PSD {name!r}; known ones are {sorted(DESIGN_CURVES)}")
    return DESIGN_CURVES[name]


@functools.lru_cache(maxsize=None)
def design_table(name: str) -> tuple[np.ndarray, np.ndarray]:
    """Frequencies (Hz) and amplitude spectral density (1/√Hz) of a published design curve.

    Parameters
    ----------
    name : str
        A key of :data:`DESIGN_CURVES`.

    Returns
    -------
    frequencies, asd : numpy.ndarray
        The table as published, read-only.
    """
    import lal

    curve = check_design_curve(name)
    path = lal.FileResolvePath(curve.file)
    if path is None:
        raise FileNotFoundError(
            f"LALSuite's data file {curve.file} for the {name} design PSD was not found; "
            "reinstall lalsuite (pip install --force-reinstall lalsuite)"
        )
    table = np.loadtxt(path, comments="#")
    frequencies, asd = table[:, 0].copy(), table[:, 1].copy()
    frequencies.setflags(write=False)
    asd.setflags(write=False)
    return frequencies, asd


def design_psd(name: str, frequencies) -> np.ndarray:
    """One-sided design PSD of a detector, in 1/Hz, at the given frequencies.

    The published amplitude table is interpolated linearly in frequency and
    logarithmically in amplitude, exactly as :func:`lalsimulation.SimNoisePSDFromFile`
    does, so the values agree with LALSimulation's functions; it is reimplemented
    only because LALSimulation evaluates the curve on a uniform grid from 0 Hz,
    while callers here need arbitrary frequencies (and vectorised, cached reads).

    Parameters
    ----------
    name : str
        ``"aLIGO"``, ``"AdV"``, ``"ET-D"``, ``"KAGRA"`` or ``"CE"`` (see
        :data:`DESIGN_CURVES` for the documents they come from).
    frequencies : array_like or astropy.units.Quantity
        Frequencies in Hz, any shape.

    Returns
    -------
    numpy.ndarray
        PSD in 1/Hz, same shape as ``frequencies``. Zero outside the tabulated
        band (e.g. below 5–10 Hz, at DC), the LALSuite convention for "no data":
        noise generation puts no power there and SNR integrals skip it.

    Examples
    --------
    >>> round(float(design_psd("aLIGO", 100.0)) ** 0.5 / 1e-24, 2)  # the ASD at 100 Hz, LIGO-T1800044
    4.08
    """
    if hasattr(frequencies, "unit"):
        import astropy.units as u

        frequencies = frequencies.to_value(u.Hz)
    frequencies = np.asarray(frequencies, dtype=np.float64)
    if np.isnan(frequencies).any():
        raise ValueError("frequencies must not contain NaN")
    table_frequencies, asd = design_table(name)
    log_asd = np.interp(frequencies, table_frequencies, np.log(asd))
    inside = (frequencies >= table_frequencies[0]) & (frequencies <= table_frequencies[-1])
    return np.where(inside, np.exp(2.0 * log_asd), 0.0)


def psd_on_grid(psd, frequencies: np.ndarray) -> np.ndarray:
    """A PSD given in any of mmlab's accepted forms, evaluated on a frequency grid.

    Parameters
    ----------
    psd : str, array_like or tuple
        A design-curve name (see :func:`design_psd`); an array already sampled
        at ``frequencies``; or a pair ``(psd_frequencies, psd_values)`` such as
        the output of :func:`welch_psd`, interpolated linearly (zero outside it).
    frequencies : numpy.ndarray
        Target frequencies in Hz.

    Returns
    -------
    numpy.ndarray
        One-sided PSD in 1/Hz at ``frequencies``.
    """
    if isinstance(psd, str):
        return design_psd(psd, frequencies)
    if isinstance(psd, tuple) and len(psd) == 2:
        psd_frequencies, values = (np.asarray(part, dtype=np.float64) for part in psd)
        if psd_frequencies.shape != values.shape or psd_frequencies.ndim != 1:
            raise ValueError(
                "a (frequencies, psd) pair needs two 1-D arrays of one length, got shapes "
                f"{psd_frequencies.shape} and {values.shape}"
            )
        values = np.interp(frequencies, psd_frequencies, values, left=0.0, right=0.0)
    else:
        values = np.asarray(psd, dtype=np.float64)
        if values.shape != np.shape(frequencies):
            raise ValueError(
                f"a PSD array must have one value per frequency ({np.shape(frequencies)}), "
                f"got shape {values.shape}; pass (frequencies, psd) to interpolate"
            )
    if not np.isfinite(values).all() or (values < 0).any():
        raise ValueError("a PSD must be finite and non-negative at every frequency")
    return values
