"""Putting signals into detector data: projection, optimal SNR, injection, random injection sets.

A :class:`~mmlab.signals.Waveform` becomes a detector's strain by
:func:`detector_signal` (antenna pattern and arrival-time delay at a sky
position; glitches go in as they are), is scaled by :func:`scale_to_snr` or to a
distance, and added to data by :func:`add_signal`; :func:`inject` does the three.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from mmlab.core.seeding import RandomState, as_generator
from mmlab.core.strain import Strain
from mmlab.core.validation import check_positive
from mmlab.gw.detectors import DESIGN_PSD_OF, antenna_pattern, detector_names, random_sky, time_delay
from mmlab.gw.psd import psd_on_grid, welch_psd
from mmlab.signals.waveform import Waveform

if TYPE_CHECKING:
    from astropy.table import Table

__all__ = [
    "add_signal", "detector_signal", "inject", "injection_set", "network_optimal_snr", "network_snr", "optimal_snr",
    "project", "scale_to_snr",
]


def project(hplus, hcross, detector: str, ra: float, dec: float, psi: float, gps: float) -> np.ndarray:
    """Detector response ``F+ h+ + F× h×`` to a wave from a sky position.

    The antenna pattern is evaluated once, at ``gps`` (the Earth turns by
    0.004° per second: negligible for signals shorter than minutes).

    Parameters
    ----------
    hplus, hcross : array_like
        Polarisations (strain), same length.
    detector : str
        One of :data:`mmlab.gw.detectors.DETECTORS`.
    ra, dec, psi : float
        Right ascension, declination and polarisation angle, in rad.
    gps : float
        GPS time of arrival at the geocentre.

    Returns
    -------
    numpy.ndarray
        Strain seen by the detector.
    """
    fplus, fcross = antenna_pattern(detector, ra, dec, psi, gps)
    return float(fplus) * np.asarray(hplus, dtype=np.float64) + float(fcross) * np.asarray(hcross, dtype=np.float64)


def detector_signal(
    waveform: Waveform, detector: str, gps: float, ra: float | None = None, dec: float | None = None,
    psi: float = 0.0,
) -> Strain:
    """The strain a waveform produces in a detector, on GPS time.

    Parameters
    ----------
    waveform : Waveform
        The signal; its reference time (time 0) arrives at the geocentre at ``gps``.
    detector : str
        Detector prefix.
    gps : float
        GPS time of the reference time at the geocentre.
    ra, dec : float, optional
        Sky position in rad. Without them the waveform is taken as already in
        the detector frame (a glitch): ``hplus`` is used as is, with no delay.
    psi : float
        Polarisation angle in rad.

    Returns
    -------
    Strain
        Starting at ``gps + delay + waveform.start`` (not necessarily on the
        data's sample grid: :func:`add_signal` shifts it by the fraction).

    Raises
    ------
    ValueError
        If only one of ``ra``/``dec`` is given, or the waveform has a cross
        polarisation but no sky position.
    """
    if (ra is None) != (dec is None):
        raise ValueError(f"give both ra and dec, or neither (a glitch); got ra={ra!r}, dec={dec!r}")
    if ra is None:
        if waveform.is_polarised:
            raise ValueError(
                f"waveform {waveform.name!r} has a cross polarisation: give ra, dec (and psi) to project it "
                "onto the detector"
            )
        data, delay = waveform.hplus, 0.0
    else:
        data = project(waveform.hplus, waveform.hcross, detector, ra, dec, psi, gps)
        delay = float(time_delay(detector, ra, dec, gps))
    return Strain(data, t0=gps + delay + waveform.start, sample_rate=waveform.sample_rate, detector=detector)


def _check_band(sample_rate: float, f_low: float) -> None:
    if f_low >= sample_rate / 2:
        raise ValueError(
            f"f_low={f_low} Hz is not below the Nyquist frequency {sample_rate / 2} Hz of sample_rate={sample_rate} Hz"
        )


def optimal_snr(waveform, psd, sample_rate: float, f_low: float = 20.0, f_high: float | None = None) -> float:
    """Optimal (matched-filter) SNR ``sqrt(<h|h>)`` of a detector signal in noise of a given PSD.

    ``<h|h> = 4 ∫ |h̃(f)|² / S(f) df`` over ``f_low ≤ f ≤ f_high``, with
    ``h̃ = Δt · rfft(h)``; the signal is zero-padded to at least 1 s (and a
    power of two) so the PSD is sampled finely. Bins where the PSD is zero
    (outside a design curve's table) are left out.

    Parameters
    ----------
    waveform : array_like, Strain or Waveform
        Detector strain; a :class:`Waveform` only if it is a glitch (no cross
        polarisation): project a wave first with :func:`detector_signal`.
    psd : str, array_like or tuple
        Noise PSD, any form accepted by :func:`mmlab.gw.psd.psd_on_grid`.
    sample_rate : float
        Samples per second of ``waveform``, in Hz.
    f_low, f_high : float
        Integration band in Hz; ``f_high`` defaults to the Nyquist frequency.

    Returns
    -------
    float
        The optimal SNR.
    """
    if isinstance(waveform, Waveform):
        if waveform.is_polarised:
            raise ValueError("optimal_snr needs detector strain: project the waveform with detector_signal first")
        waveform = waveform.hplus
    data = np.asarray(getattr(waveform, "data", waveform), dtype=np.float64)
    sample_rate = check_positive("sample_rate", sample_rate, "Hz")
    f_low = check_positive("f_low", f_low, "Hz")
    _check_band(sample_rate, f_low)
    f_high = sample_rate / 2 if f_high is None else check_positive("f_high", f_high, "Hz")
    if data.ndim != 1 or not np.isfinite(data).all():
        raise ValueError("the signal must be a finite 1-D array")
    n_fft = 1 << int(np.ceil(np.log2(max(data.size, sample_rate))))
    frequencies = np.fft.rfftfreq(n_fft, d=1.0 / sample_rate)
    spectrum = np.fft.rfft(data, n=n_fft) / sample_rate
    noise = psd_on_grid(psd, frequencies)
    band = (frequencies >= f_low) & (frequencies <= f_high) & (noise > 0)
    delta_f = sample_rate / n_fft
    return float(np.sqrt(4.0 * delta_f * np.sum(np.abs(spectrum[band]) ** 2 / noise[band])))


def network_snr(snrs) -> float:
    """Network SNR: the root-sum-square of the detectors' SNRs."""
    return float(np.sqrt(np.sum(np.square(np.asarray(list(snrs), dtype=np.float64)))))


def network_optimal_snr(
    waveform: Waveform, detectors, gps: float, ra: float, dec: float, psi: float = 0.0,
    psds: dict | None = None, f_low: float = 20.0,
) -> dict[str, float]:
    """Optimal SNR of a wave in every detector of a network, and the network SNR.

    Parameters
    ----------
    waveform : Waveform
        The wave.
    detectors : str or sequence of str
        Detectors or a network name (``"HLV"``, ``"ET"``).
    gps, ra, dec, psi : float
        Arrival time at the geocentre and sky position (rad).
    psds : dict, optional
        PSD per detector; default each detector's design curve
        (:data:`mmlab.gw.detectors.DESIGN_PSD_OF`).
    f_low : float
        Lower frequency of the integrals, in Hz.

    Returns
    -------
    dict
        ``{detector: snr, ..., "network": snr}``.
    """
    psds = psds or {}
    snrs = {
        name: optimal_snr(detector_signal(waveform, name, gps, ra, dec, psi), psds.get(name, DESIGN_PSD_OF[name]),
                          waveform.sample_rate, f_low)
        for name in detector_names(detectors)
    }
    snrs["network"] = network_snr(snrs.values())
    return snrs


def scale_to_snr(signal: Strain, snr: float, psd, f_low: float = 20.0) -> Strain:
    """The detector signal multiplied so that its optimal SNR is ``snr``.

    Raises
    ------
    ValueError
        If ``snr`` is not a finite positive number, or the signal has no power
        in the band.
    """
    snr = check_positive("snr", snr)
    current = optimal_snr(signal, psd, signal.sample_rate, f_low)
    if current == 0:
        raise ValueError(f"the signal has no power above f_low={f_low} Hz; it cannot be scaled to an SNR")
    return Strain(signal.data * (snr / current), t0=signal.t0, sample_rate=signal.sample_rate, detector=signal.detector)


def add_signal(strain: Strain, signal: Strain) -> Strain:
    """Data plus a signal, the signal shifted onto the data's sample grid.

    The signal is moved by the sub-sample offset between the two grids with a
    Fourier phase shift (exact for band-limited signals); the parts of it
    outside the data are dropped.

    Raises
    ------
    ValueError
        If the sample rates differ or the signal does not overlap the data.
    """
    if signal.sample_rate != strain.sample_rate:
        raise ValueError(
            f"signal sample_rate={signal.sample_rate} Hz differs from the data's {strain.sample_rate} Hz; "
            "generate the waveform at the data's rate"
        )
    offset = (signal.t0 - strain.t0) * strain.sample_rate
    first = int(np.floor(offset))
    fraction = offset - first
    pad = 16
    padded = np.concatenate([signal.data, np.zeros(pad)])
    if fraction > 1e-9:
        frequencies = np.fft.rfftfreq(padded.size)
        padded = np.fft.irfft(np.fft.rfft(padded) * np.exp(-2j * np.pi * frequencies * fraction), n=padded.size)
    start, stop = max(first, 0), min(first + padded.size, len(strain))
    if start >= stop:
        raise ValueError(
            f"the signal (GPS {signal.t0:.3f} to {signal.t_end:.3f}) does not overlap the data "
            f"(GPS {strain.t0:.3f} to {strain.t_end:.3f})"
        )
    combined = strain.data.copy()
    combined[start:stop] += padded[start - first:stop - first]
    return Strain(combined, t0=strain.t0, sample_rate=strain.sample_rate, detector=strain.detector)


def inject(
    strain: Strain, waveform: Waveform, gps: float, ra: float | None = None, dec: float | None = None,
    psi: float = 0.0, snr: float | None = None, distance: float | None = None, psd=None, f_low: float = 20.0,
) -> Strain:
    """Inject a waveform into detector data at a given SNR or distance.

    Parameters
    ----------
    strain : Strain
        Data with its detector set (the antenna pattern is that detector's).
    waveform : Waveform
        The signal, at the data's sample rate.
    gps : float
        GPS time of the waveform's reference time at the geocentre.
    ra, dec, psi : float, optional
        Sky position and polarisation in rad; omit ``ra``/``dec`` for a glitch.
    snr : float, optional
        Optimal SNR wanted in this detector. Exactly one of ``snr`` and ``distance``.
    distance : float, optional
        Luminosity distance in Mpc (the waveform must have one).
    psd : str, array_like or tuple, optional
        PSD for the SNR; default a median Welch estimate from ``strain``
        itself, with segments of at most 4 s and at least 16 of them (right
        for real and simulated data alike, to a few per cent; pass the design
        curve's name for the exact design SNR).
    f_low : float
        Lower frequency of the SNR integral, in Hz.

    Returns
    -------
    Strain
        ``strain`` plus the signal.
    """
    if (snr is None) == (distance is None):
        raise ValueError(f"give exactly one of snr and distance, got snr={snr!r}, distance={distance!r}")
    for name, value in (("gps", gps), ("ra", ra), ("dec", dec), ("psi", psi)):
        if value is not None and not np.isfinite(value):
            raise ValueError(f"{name} must be a finite number, got {value!r}")
    if strain.detector is None and ra is not None:
        raise ValueError("the strain has no detector set; projection needs one (e.g. Strain(..., detector='V1'))")
    if distance is not None:
        waveform = waveform.at_distance(distance)
    signal = detector_signal(waveform, strain.detector, gps, ra, dec, psi)
    if snr is not None:
        if psd is None:
            # At least ~30 averaged segments: with fewer, 1/S of a noisy estimate is biased high.
            psd = welch_psd(strain, fftlength=min(4.0, strain.duration / 16))
        signal = scale_to_snr(signal, snr, psd, f_low)
    return add_signal(strain, signal)


def injection_set(
    n: int, gps_range: tuple[float, float], seed: RandomState = None,
    snr_range: tuple[float, float] | None = None, min_separation: float = 0.0,
) -> Table:
    """A reproducible set of random injection times, sky positions and SNRs.

    Parameters
    ----------
    n : int
        Number of injections.
    gps_range : tuple of float
        GPS interval the times are drawn from (uniform).
    seed : int, numpy.random.Generator or None
        The same seed gives the same table.
    snr_range : tuple of float, optional
        If given, an ``snr`` column uniform in this range.
    min_separation : float
        Minimum spacing between injection times, in s: the times are the
        midpoints of ``n`` equal slots, jittered within each slot.

    Returns
    -------
    astropy.table.Table
        Columns ``gps``, ``ra``, ``dec``, ``psi`` (rad) and optionally ``snr``,
        sorted by time.
    """
    from astropy.table import Table

    if int(n) != n or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    start, end = (float(t) for t in gps_range)
    if not end > start:
        raise ValueError(f"gps_range must be (start, end) with end > start, got {gps_range!r}")
    slot = (end - start) / n
    if min_separation > slot:
        raise ValueError(f"{n} injections {min_separation} s apart do not fit in {end - start} s")
    rng = as_generator(seed)
    jitter = rng.uniform(0, slot - min_separation, n) + min_separation / 2
    table = Table({"gps": start + slot * np.arange(n) + jitter})
    table["ra"], table["dec"], table["psi"] = random_sky(n, rng)
    if snr_range is not None:
        low, high = (check_positive("snr", value) for value in snr_range)
        table["snr"] = rng.uniform(low, high, n)
    for column, unit in (("ra", "rad"), ("dec", "rad"), ("psi", "rad"), ("gps", "s")):
        table[column].unit = unit
    return table
