"""Core-collapse supernova gravitational waves: a phenomenological model and 3D simulations.

The phenomenological model follows Astone et al. 2018 (PRD 98 122002): the
g-mode of the proto-neutron star is a damped oscillator

    ḧ + (ω/Q) ḣ + ω² h = a(t),   ω = 2π f(t),

driven by a train of stochastic kicks ``a(t)`` whose amplitudes grow with time,
while its frequency rises along a quadratic track from ``f0`` at bounce towards
``f1``. No library implements it, so it is written here. The response to each
kick is the oscillator's Green's function in the slowly-varying (WKB) limit,

    g(t; t_k) = sin(√(1 − 1/4Q²) Δφ) · exp(−Δφ / 2Q) / √(ω(t_k) ω(t)),   Δφ = φ(t) − φ(t_k),

with ``φ = ∫ω dt`` (the 1/√ω factor is the adiabatic invariant of a slowly
tuned oscillator), and the signal is their sum: exact for a constant
frequency, within a per cent of an ODE solution for the tracks used here
(the tests check both). The sum factorises into a cumulative sum, so a
signal costs O(samples) whatever the number of kicks.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import interpolate, signal

from mmlab.core.seeding import RandomState, as_generator
from mmlab.core.validation import check_in_range, check_positive
from mmlab.signals.waveform import Waveform

__all__ = [
    "CCSNFamily", "CCSN_FAMILIES", "CCSN_MIX_FAMILIES", "KPC_CM", "ccsn_3d_waveform", "ccsn_family_waveform", "ccsn_phenomenological",
    "check_ccsn_family", "frequency_track", "sample_ccsn_parameters",
]

#: One kiloparsec in cm (the unit of distance of the 3D-simulation files' ``h·D``).
KPC_CM = 3.0856775814913673e21


@dataclass(frozen=True)
class CCSNFamily:
    """Ranges of the phenomenological model's parameters that mimic one kind of 3D simulation.

    Every parameter is drawn uniformly from its ``(low, high)`` range by
    :func:`sample_ccsn_parameters`; ``turning_fraction`` places the track's
    turning point ``t2`` at that fraction of the duration (> 1: still rising
    at the end). ``sasi_amplitude`` of (0, 0) means no SASI component;
    ``burst_peak`` of (0, 0) the growing envelope of :func:`ccsn_phenomenological`.
    """

    description: str
    duration: tuple[float, float]
    f0: tuple[float, float]
    f1: tuple[float, float]
    turning_fraction: tuple[float, float]
    q: tuple[float, float] = (8.0, 12.0)
    sasi_amplitude: tuple[float, float] = (0.0, 0.0)
    sasi_frequency: tuple[float, float] = (100.0, 200.0)
    burst_peak: tuple[float, float] = (0.0, 0.0)


#: Named families of phenomenological CCSN signals. They differ in peak
#: frequency (the g-mode reaches ~600 Hz in low-mass, slowly contracting cores
#: and >1 kHz in massive ones), duration (short explosions vs long accretion)
#: and a low-frequency standing-accretion-shock-instability (SASI) component.
CCSN_FAMILIES = {
    "low_short": CCSNFamily(
        "g-mode rising to 500-700 Hz in 0.15-0.35 s, no SASI (low-mass progenitor, early explosion)",
        duration=(0.15, 0.35), f0=(80.0, 120.0), f1=(500.0, 700.0), turning_fraction=(1.0, 1.5),
    ),
    "high_long": CCSNFamily(
        "g-mode rising to 1000-1400 Hz over 0.6-1.0 s, no SASI (massive progenitor, long accretion)",
        duration=(0.6, 1.0), f0=(150.0, 250.0), f1=(1000.0, 1400.0), turning_fraction=(0.8, 1.2),
    ),
    "low_long_sasi": CCSNFamily(
        "g-mode rising to 600-800 Hz over 0.5-0.8 s, with SASI at 100-200 Hz",
        duration=(0.5, 0.8), f0=(100.0, 150.0), f1=(600.0, 800.0), turning_fraction=(1.0, 1.4),
        sasi_amplitude=(0.6, 1.2),
    ),
    "high_short_sasi": CCSNFamily(
        "g-mode rising to 900-1300 Hz in 0.2-0.4 s, with SASI at 100-200 Hz",
        duration=(0.2, 0.4), f0=(150.0, 250.0), f1=(900.0, 1300.0), turning_fraction=(0.8, 1.2),
        sasi_amplitude=(0.6, 1.2),
    ),
    "rising_long": CCSNFamily(
        "g-mode rising to 1400-2000 Hz over 1.2-2.5 s, no SASI (the tracks of 3D simulations of 9-10 M☉ cores, "
        "Vartanyan et al. 2023: 400 Hz at 0.3 s to 1.6 kHz at 1.8 s)",
        duration=(1.2, 2.5), f0=(100.0, 300.0), f1=(1400.0, 2000.0), turning_fraction=(1.0, 1.6),
    ),
    "rising_long_sasi": CCSNFamily(
        "g-mode rising to 1400-2000 Hz over 1.2-2.5 s, with a weak SASI branch at 80-250 Hz",
        duration=(1.2, 2.5), f0=(100.0, 300.0), f1=(1400.0, 2000.0), turning_fraction=(1.0, 1.6),
        sasi_amplitude=(0.3, 1.0), sasi_frequency=(80.0, 250.0),
    ),
    "early_burst": CCSNFamily(
        "quiet for tens of ms, loudest 60-150 ms after bounce, then fading: prompt convection and the young g-mode "
        "at 100-250 -> 500-900 Hz with a low Q, as in 3D simulations of 9-10 M☉ cores (Vartanyan et al. 2023), "
        "whose strain is 10-50 times stronger 50-250 ms after bounce than in the later g-mode",
        duration=(0.3, 0.6), f0=(100.0, 250.0), f1=(500.0, 900.0), turning_fraction=(1.0, 1.5), q=(3.0, 8.0),
        burst_peak=(0.06, 0.15),
    ),
}

#: The four families of the WDF efficiency benchmark's "CCSN phenomenological" mix (issue 4), which the
#: published comparisons with the original WDF use; the two ``rising_long`` families came later (issue 14).
CCSN_MIX_FAMILIES = ("low_short", "high_long", "low_long_sasi", "high_short_sasi")


def check_ccsn_family(family: str) -> CCSNFamily:
    """Return the named :class:`CCSNFamily`, else raise listing the known names."""
    if family not in CCSN_FAMILIES:
        raise ValueError(f"unknown CCSN family {family!r}; known families are {list(CCSN_FAMILIES)}")
    return CCSN_FAMILIES[family]


def frequency_track(times: np.ndarray, f0: float, f1: float, t2: float) -> np.ndarray:
    """Quadratic g-mode frequency track: ``f0`` at ``t = 0``, rising to its turning point ``(t2, f1)``.

    ``f(t) = f1 − (f1 − f0) (1 − t/t2)²`` for ``t <= t2`` and ``f1`` after it.
    """
    rising = np.clip(times / t2, 0.0, 1.0)
    return f1 - (f1 - f0) * (1.0 - rising) ** 2


def _kicked_oscillator(
    frequency: np.ndarray, sample_rate: float, q: float, kick_times: np.ndarray, kick_amplitudes: np.ndarray,
) -> np.ndarray:
    """Sum of WKB Green's functions of a damped oscillator with frequency ``frequency[t]`` (Hz).

    The Green's function factorises, ``sin(cΔφ) e^{−Δφ/2Q} = Im e^{λφ(t)} e^{−λφ_k}``
    with ``λ = i c − 1/2Q``, so the sum over kicks is a cumulative sum, O(samples):
    ``h(t) = Im[e^{λφ(t)} Σ_{t_k ≤ t} a_k e^{−λφ_k} / √ω_k] / √ω(t)``. The
    exponentials are renormalised in blocks of bounded phase to stay finite.
    """
    n_samples = frequency.size
    omega = 2 * np.pi * frequency
    phase = np.concatenate([[0.0], np.cumsum(omega[:-1] / sample_rate)])
    kick_index = np.minimum((kick_times * sample_rate).astype(np.int64), n_samples - 1)
    weights = np.bincount(kick_index, weights=kick_amplitudes, minlength=n_samples) / np.sqrt(omega)
    rate = 1j * np.sqrt(1 - 1 / (4 * q * q)) - 1 / (2 * q)
    # e^{|Re λ| Δφ} stays below e^{200} within a block.
    block_phase = 200.0 * 2 * q
    response = np.empty(n_samples, dtype=np.complex128)
    carry, first = 0j, 0
    while first < n_samples:
        last = int(np.searchsorted(phase, phase[first] + block_phase, side="right"))
        relative = phase[first:last] - phase[first]
        summed = carry + np.cumsum(weights[first:last] * np.exp(-rate * relative))
        response[first:last] = np.exp(rate * relative) * summed
        if last < n_samples:
            carry = response[last - 1] * np.exp(rate * (phase[last] - phase[last - 1]))
        first = last
    return response.imag / np.sqrt(omega)


def ccsn_phenomenological(
    duration: float, f0: float, f1: float, t2: float, q: float = 10.0,
    kick_rate: float = 2000.0, sasi_amplitude: float = 0.0, sasi_frequency: float = 150.0,
    hrss: float = 1e-22, taper: float = 0.05, sample_rate: float = 4096.0, seed: RandomState = None,
    burst_peak: float = 0.0,
) -> Waveform:
    """A phenomenological core-collapse supernova signal (Astone et al. 2018).

    Parameters
    ----------
    duration : float
        Length of the emission after bounce, in s.
    f0, f1 : float
        g-mode frequency at bounce and at the turning point, in Hz; ``f1`` must
        be below the Nyquist frequency.
    t2 : float
        Time of the track's turning point, in s (beyond ``duration``: the
        frequency still rises when the emission ends).
    q : float
        Quality factor of the oscillator (≈ 10 in the paper).
    kick_rate : float
        Mean number of kicks per second (uniformly random times). Their
        amplitudes are Gaussian, scaled by ``ω^{3/2}`` (the rms response of a
        kicked oscillator goes as ``ω^{−3/2}``) and by an envelope growing
        linearly from 0.2 to 1, so the strain's rms grows over the emission
        as in 3D simulations, where the g-mode strengthens with accretion.
    sasi_amplitude : float
        Amplitude of a low-frequency SASI oscillator (same kicks model, constant
        ``sasi_frequency``, active in the second half of the emission) relative
        to the g-mode; 0 for none.
    sasi_frequency : float
        SASI frequency in Hz.
    hrss : float
        Root-sum-square strain of the result, ``sqrt(∫ h+² + h×² dt)``; the
        model has no intrinsic distance, so inject it at an SNR.
    taper : float
        Length in s of the half-Hann taper that ends the emission.
    sample_rate : float
        Samples per second, in Hz.
    seed : int, numpy.random.Generator or None
        Drives the kicks; the two polarisations get independent kick trains.
    burst_peak : float
        If positive, the kick amplitudes follow ``(t/τ)³ exp(−t/τ)`` with
        ``τ = burst_peak / 3`` (an early convective burst: quiet at bounce,
        loudest at ``burst_peak``, then fading) instead of growing over the
        emission; in s.

    Returns
    -------
    Waveform
        Bounce at time 0 (``start = 0``), no physical distance.
    """
    duration = check_positive("duration", duration, "s")
    sample_rate = check_positive("sample_rate", sample_rate, "Hz")
    for name, value in (("f0", f0), ("f1", f1), ("t2", t2), ("q", q), ("kick_rate", kick_rate), ("hrss", hrss)):
        check_positive(name, value)
    check_in_range("f1", f1, 0.0, sample_rate / 2)
    check_in_range("q", q, 0.5, 1e3)
    check_in_range("taper", taper, 0.0, duration)
    check_in_range("burst_peak", burst_peak, 0.0, duration)
    rng = as_generator(seed)
    n_samples = max(2, int(round(duration * sample_rate)))
    times = np.arange(n_samples) / sample_rate
    gmode = frequency_track(times, f0, f1, t2)
    sasi_track = np.full(n_samples, float(sasi_frequency))

    def polarisation() -> np.ndarray:
        n_kicks = max(1, rng.poisson(kick_rate * duration))
        kick_times = np.sort(rng.uniform(0.0, duration, n_kicks))
        if burst_peak > 0:
            scaled = kick_times / (burst_peak / 3)
            growth = scaled**3 * np.exp(3 - scaled) / 27  # 1 at the peak
        else:
            growth = 0.2 + 0.8 * kick_times / duration
        omega = 2 * np.pi * np.interp(kick_times, times, gmode)
        strengths = rng.standard_normal(n_kicks) * growth * omega**1.5
        strain = _kicked_oscillator(gmode, sample_rate, q, kick_times, strengths)
        if sasi_amplitude > 0:
            late = kick_times[kick_times >= duration / 2]
            sasi = _kicked_oscillator(sasi_track, sample_rate, q, late, rng.standard_normal(late.size))
            scale = np.std(strain) / max(np.std(sasi), np.finfo(float).tiny)
            strain = strain + sasi_amplitude * scale * sasi
        return strain

    hplus, hcross = polarisation(), polarisation()
    n_taper = int(round(taper * sample_rate))
    if n_taper > 1:
        window = np.hanning(2 * n_taper)[n_taper:]
        hplus[-n_taper:] *= window
        hcross[-n_taper:] *= window
    norm = np.sqrt(np.sum(hplus**2 + hcross**2) / sample_rate)
    parameters = dict(duration=duration, f0=f0, f1=f1, t2=t2, q=q, kick_rate=kick_rate,
                      sasi_amplitude=sasi_amplitude, sasi_frequency=sasi_frequency, hrss=hrss, burst_peak=burst_peak)
    return Waveform(hplus * hrss / norm, hcross * hrss / norm, sample_rate, start=0.0,
                    name=f"CCSN g-mode {f0:.0f}->{f1:.0f} Hz, {duration:.2f} s", parameters=parameters)


def sample_ccsn_parameters(family: str, seed: RandomState = None) -> dict:
    """Draw the parameters of one signal of a named family (uniform within its ranges).

    Parameters
    ----------
    family : str
        A key of :data:`CCSN_FAMILIES`.
    seed : int, numpy.random.Generator or None
        Random input.

    Returns
    -------
    dict
        Keyword arguments for :func:`ccsn_phenomenological` (without ``seed``).
    """
    ranges = check_ccsn_family(family)
    rng = as_generator(seed)
    draw = {name: float(rng.uniform(*getattr(ranges, name)))
            for name in ("duration", "f0", "f1", "turning_fraction", "q", "sasi_amplitude", "sasi_frequency")}
    # Drawn only for bursting families, so the growing families keep their random streams.
    draw["burst_peak"] = float(rng.uniform(*ranges.burst_peak)) if ranges.burst_peak[1] > 0 else 0.0
    draw["t2"] = draw.pop("turning_fraction") * draw["duration"]
    return draw


def ccsn_family_waveform(family: str, sample_rate: float = 4096.0, hrss: float = 1e-22, seed: RandomState = None) -> Waveform:
    """One random phenomenological signal of a named family (parameters and kicks from ``seed``)."""
    rng = as_generator(seed)
    parameters = sample_ccsn_parameters(family, rng)
    waveform = ccsn_phenomenological(**parameters, hrss=hrss, sample_rate=sample_rate, seed=rng)
    return Waveform(waveform.hplus, waveform.hcross, sample_rate, start=0.0, name=f"CCSN {family}",
                    parameters={"family": family, **waveform.parameters})


def ccsn_3d_waveform(
    model_or_path: str | Path, distance: float = 10.0, sample_rate: float = 4096.0, taper: float = 0.02,
) -> Waveform:
    """A 3D-simulation supernova waveform at a distance, on a uniform grid.

    The file's non-uniform samples are interpolated with a cubic spline onto a
    grid an integer factor finer than ``sample_rate`` (at least as fine as the
    file's median step), then decimated with an anti-aliasing polyphase filter
    (:func:`scipy.signal.resample_poly`), so content above the new Nyquist
    frequency does not alias. Both ends are tapered (half-Hann, ``taper`` s)
    because the simulations stop at non-zero strain.

    Parameters
    ----------
    model_or_path : str or path-like
        A model name from :func:`mmlab.io.find_ccsn_3d_files` (``"9a_x"``:
        progenitor 9a seen along x) or the path of a file.
    distance : float or astropy.units.Quantity
        Source distance in kpc (Galactic supernovae: 1–20 kpc).
    sample_rate : float
        Output samples per second, in Hz.
    taper : float
        Taper length at each end, in s.

    Returns
    -------
    Waveform
        Bounce at time 0; ``distance`` set (in Mpc), so it can be rescaled with
        :meth:`Waveform.at_distance`.
    """
    from mmlab.io import find_ccsn_3d_files, read_ccsn_3d

    distance_kpc = check_positive("distance", distance, "kpc")
    sample_rate = check_positive("sample_rate", sample_rate, "Hz")
    path = Path(model_or_path)
    if not path.suffix:
        models = find_ccsn_3d_files()
        if str(model_or_path) not in models:
            raise ValueError(
                f"unknown 3D supernova model {model_or_path!r}; available: {sorted(models) or 'none'} "
                "(put <model>_strains_<axis>.txt files in <data_dir>/ccsn_3d or set MMLAB_DATA_MIRROR)"
            )
        path = models[str(model_or_path)]
    times, hplus_cm, hcross_cm = read_ccsn_3d(path)
    factor = max(2, int(np.ceil(1.0 / (np.median(np.diff(times)) * sample_rate))))
    fine_times = np.arange(times[0], times[-1], 1.0 / (factor * sample_rate))
    polarisations = []
    for column in (hplus_cm, hcross_cm):
        fine = interpolate.CubicSpline(times, column)(fine_times)
        strain = signal.resample_poly(fine, up=1, down=factor) / (distance_kpc * KPC_CM)
        n_taper = min(int(round(taper * sample_rate)), strain.size // 2)
        if n_taper > 1:
            window = np.hanning(2 * n_taper)
            strain[:n_taper] *= window[:n_taper]
            strain[-n_taper:] *= window[n_taper:]
        polarisations.append(strain)
    return Waveform(
        *polarisations, sample_rate, start=float(times[0]), distance=distance_kpc / 1000.0,
        name=f"3D CCSN {path.stem.replace('_strains', '')}",
        parameters={"file": path.name, "distance_kpc": distance_kpc},
    )
