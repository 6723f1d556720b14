"""Detection efficiency of a trigger generator at a false-alarm rate measured on noise (:mod:`mmlab.core.statistics` convention)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np
from tqdm.auto import tqdm

from mmlab.core.seeding import RandomState, as_generator
from mmlab.core.statistics import alarms, binomial_interval, far_threshold
from mmlab.core.strain import Strain
from mmlab.gw.detectors import random_sky
from mmlab.gw.inject import add_signal, detector_signal, scale_to_snr
from mmlab.gw.noise import noise_stream
from mmlab.signals.waveform import Waveform
from mmlab.wdf.triggers import cluster_triggers

if TYPE_CHECKING:
    from astropy.table import Table

__all__ = ["efficiency_study", "efficiency_table", "injection_campaign", "noise_events", "study_signals"]


def noise_events(
    trigger_generator, psd, duration: float, seed: RandomState = None, sample_rate: float = 4096.0,
    detector: str = "V1", chunk: float = 256.0, progress: bool = True,
) -> tuple[Table, float]:
    """Clustered events of a fitted trigger generator on simulated noise alone.

    Parameters
    ----------
    trigger_generator : WaveletDetectionFilter
        Fitted; its stream is reset first.
    psd : str or array_like
        Noise PSD (see :func:`mmlab.gw.noise.colored_noise`).
    duration : float
        Seconds of noise, generated and analysed in chunks of ``chunk`` s.

    Returns
    -------
    events : astropy.table.Table
        Clustered events (:func:`mmlab.wdf.cluster_triggers`).
    live_time : float
        Seconds actually searched (the whitener's start-up excluded).
    """
    from astropy.table import vstack

    trigger_generator.reset()
    n_chunks = int(np.ceil(duration / chunk))
    tables = [
        trigger_generator.detect(piece, flush=index == n_chunks - 1)
        for index, piece in enumerate(tqdm(noise_stream(psd, duration, chunk, sample_rate, seed, detector=detector),
                                           total=n_chunks, desc="noise", disable=not progress))
    ]
    live_time = duration - trigger_generator.startup_samples / sample_rate
    found = [t for t in tables if len(t)]
    return cluster_triggers(vstack(found, metadata_conflicts="silent") if found else tables[-1]), live_time


def injection_campaign(
    trigger_generator, psd, make_waveform: Callable[[np.random.Generator], Waveform], snrs: Sequence[float],
    n_per_snr: int, seed: RandomState = None, sample_rate: float = 4096.0, detector: str = "V1",
    spacing: float = 4.0, chunk: float = 256.0, progress: bool = True, statistic: str = "snr",
) -> Table:
    """Inject signals at given optimal SNRs into simulated noise and record what the generator finds.

    Waves are projected from random sky positions and polarisations, then
    scaled to the optimal SNR in this detector; glitches (no cross
    polarisation) are added as they are, scaled likewise. Injections are
    ``spacing`` s apart (signals must be shorter than a chunk); a signal is
    found by an event whose span ``[event_start, event_end]`` overlaps the
    signal's.

    Parameters
    ----------
    trigger_generator : WaveletDetectionFilter
        Fitted, with ``snr_threshold`` at or below every threshold to be studied.
    psd : str or array_like
        Noise PSD, also used for the SNR scaling.
    make_waveform : callable
        ``make_waveform(rng) -> Waveform``, e.g. a random sine-Gaussian.
    snrs : sequence of float
        Optimal SNRs; each gets ``n_per_snr`` injections (in random order).
    seed : int, numpy.random.Generator or None
        Drives noise, waveforms, sky positions and order.
    statistic : str
        Event column that ranks events: ``"snr"`` (loudest window) or
        ``"snr_combined"`` (see :func:`mmlab.wdf.cluster_triggers`).

    Returns
    -------
    astropy.table.Table
        One row per injection: ``gps``, ``snr`` (injected optimal SNR),
        ``found_snr`` (largest ``statistic`` of an overlapping event, 0 if none), ``name``.
    """
    from astropy.table import Table

    rng = as_generator(seed)
    injected_snrs = rng.permutation(np.repeat(np.asarray(snrs, dtype=float), n_per_snr))
    n_total = injected_snrs.size
    lead = (trigger_generator.startup_samples + trigger_generator.window) / sample_rate + spacing
    duration = lead + spacing * (n_total + 1)
    gps_times = lead + spacing * np.arange(n_total)
    rows = {"gps": gps_times, "snr": injected_snrs, "found_snr": np.zeros(n_total), "name": []}
    spans = np.zeros((n_total, 2))
    trigger_generator.reset()
    stream = noise_stream(psd, duration, chunk, sample_rate, rng, detector=detector)
    carried = None  # the previous chunk: analysed once the signals reaching back into it are added
    pending: list[Strain] = []  # signals running on past the last chunk seen
    events = []
    for piece in tqdm(stream, total=int(np.ceil(duration / chunk)), desc="injections", disable=not progress):
        new = []
        for index in np.flatnonzero((gps_times >= piece.t0) & (gps_times < piece.t_end)):
            waveform = make_waveform(rng)
            sky = {}
            if waveform.is_polarised:
                ra, dec, psi = (float(v[0]) for v in random_sky(1, rng))
                sky = {"ra": ra, "dec": dec, "psi": psi}
            signal = scale_to_snr(detector_signal(waveform, detector, gps_times[index], **sky), injected_snrs[index], psd)
            spans[index] = signal.t0, signal.t_end
            rows["name"].append(waveform.name)
            new.append(signal)
        for signal in pending + new:
            if signal.t0 < piece.t_end and signal.t_end > piece.t0:
                piece = add_signal(piece, signal)
        for signal in new:
            if carried is not None and signal.t0 < carried.t_end:
                carried = add_signal(carried, signal)
        pending = [signal for signal in pending + new if signal.t_end > piece.t_end]
        if carried is not None:
            events.append(trigger_generator.detect(carried))
        carried = piece
    events.append(trigger_generator.detect(carried, flush=True))
    from astropy.table import vstack

    found = [t for t in events if len(t)]
    clustered = cluster_triggers(vstack(found, metadata_conflicts="silent") if found else events[-1])
    starts, ends, event_snr = (np.asarray(clustered[c], dtype=float) for c in ("event_start", "event_end", statistic))
    for index, (begin, end) in enumerate(spans):
        overlapping = (starts <= end) & (ends >= begin)
        rows["found_snr"][index] = event_snr[overlapping].max() if overlapping.any() else 0.0
    return Table(rows)


def efficiency_table(campaign: Table, threshold: float, confidence: float = 0.9) -> Table:
    """Fraction of injections found at or above ``threshold``, per injected SNR, with intervals.

    Returns
    -------
    astropy.table.Table
        ``snr``, ``n``, ``found``, ``efficiency``, ``low``, ``high`` (Clopper–Pearson).
    """
    from astropy.table import Table

    snr_values = np.unique(np.asarray(campaign["snr"], dtype=float))
    rows = []
    for snr in snr_values:
        mine = np.asarray(campaign["snr"]) == snr
        found = int(np.count_nonzero(alarms(np.asarray(campaign["found_snr"])[mine], threshold)))
        low, high = binomial_interval(found, int(mine.sum()), confidence)
        rows.append((snr, int(mine.sum()), found, found / mine.sum(), low, high))
    return Table(rows=rows, names=("snr", "n", "found", "efficiency", "low", "high"))


def study_signals() -> dict[str, Callable[[np.random.Generator], Waveform]]:
    """The signal families of the WDF efficiency study, as ``name -> make_waveform(rng)``.

    - ``sine-Gaussian``: Q = 9, f0 uniform in 100–500 Hz, random phase (the
      reference measurement's population);
    - ``scattered light``: :func:`mmlab.signals.random_glitch` distribution;
    - ``CCSN phenomenological``: one of the four :data:`mmlab.signals.CCSN_FAMILIES` at random;
    - ``CCSN 3D``: one of the 3D-simulation waveforms found by
      :func:`mmlab.io.find_ccsn_3d_files`, if any.
    """
    from mmlab.io.ccsn3d import find_ccsn_3d_files
    from mmlab.signals import CCSN_FAMILIES, ccsn_3d_waveform, ccsn_family_waveform, random_glitch, sine_gaussian

    families = list(CCSN_FAMILIES)
    signals = {
        "sine-Gaussian": lambda rng: sine_gaussian(float(rng.uniform(100, 500)), 9.0, phase=float(rng.uniform(0, 2 * np.pi))),
        "scattered light": lambda rng: random_glitch("scattered_light", seed=rng),
        "CCSN phenomenological": lambda rng: ccsn_family_waveform(families[int(rng.integers(len(families)))], seed=rng),
    }
    models = sorted(find_ccsn_3d_files())
    if models:
        loaded = {model: ccsn_3d_waveform(model) for model in models}
        signals["CCSN 3D"] = lambda rng: loaded[models[int(rng.integers(len(models)))]]
    return signals


def efficiency_study(
    trigger_generator, psd, detector: str, noise_hours: float, snrs: Sequence[float], n_per_snr: int,
    signals: dict | None = None, seed: RandomState = None, rate_per_hour: float = 1.0, progress: bool = True,
    statistic: str = "snr",
) -> tuple[float, Table]:
    """Threshold for a false-alarm rate on simulated noise, then efficiency per signal family and SNR.

    Parameters
    ----------
    trigger_generator : WaveletDetectionFilter
        Fitted, with ``snr_threshold`` low enough to record events down to the
        threshold that will be found (events below it are not seen).
    psd : str or array_like
        Noise PSD (a design-curve name).
    detector : str
        Detector whose antenna pattern projects the waves.
    noise_hours : float
        Hours of noise used to set the threshold.
    snrs, n_per_snr
        Injected optimal SNRs and injections per SNR and family.
    signals : dict, optional
        ``name -> make_waveform(rng)``; default :func:`study_signals`.
    seed : int, numpy.random.Generator or None
        Drives everything.
    rate_per_hour : float
        False-alarm rate that sets the threshold.
    statistic : str
        Event column ranking events in noise and injections (``"snr"`` or ``"snr_combined"``).

    Returns
    -------
    threshold : float
        The SNR threshold giving ``rate_per_hour``.
    efficiencies : astropy.table.Table
        :func:`efficiency_table` rows with a ``signal`` column.
    """
    from astropy.table import vstack

    rng = as_generator(seed)
    events, live_time = noise_events(trigger_generator, psd, noise_hours * 3600.0, seed=rng, detector=detector,
                                     progress=progress)
    threshold = far_threshold(events[statistic], live_time, rate_per_hour, floor=trigger_generator.snr_threshold)
    tables = []
    for name, make in (signals or study_signals()).items():
        campaign = injection_campaign(trigger_generator, psd, make, snrs, n_per_snr, seed=rng, detector=detector,
                                      progress=progress, statistic=statistic)
        table = efficiency_table(campaign, threshold)
        table.add_column([name] * len(table), name="signal", index=0)
        tables.append(table)
    return threshold, vstack(tables)
