"""Detection efficiency of a search at a false-alarm rate measured on noise (:mod:`mmlab.core.statistics` convention).

A search reports events of one or more methods (:mod:`mmlab.wdf.events`);
each method is ranked against its own noise background, and with ``m``
methods each gets ``rate / m`` of the allowed false alarms (a trials factor),
so the search as a whole has at most ``rate`` false alarms per hour. An
injection is found when an event of some method overlaps it at or above that
method's threshold.

Noise backgrounds and injection campaigns are cut into independent segments,
each with its own seed (:func:`mmlab.core.parallel.spawn_seeds`), and mapped
with :func:`mmlab.core.parallel.parallel_map`: serially here, or over Dask,
with the same numbers.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from mmlab.core.parallel import parallel_map, spawn_seeds
from mmlab.core.seeding import RandomState
from mmlab.core.statistics import alarms, binomial_interval, far_threshold
from mmlab.gw.detectors import random_sky
from mmlab.gw.inject import add_signal, detector_signal, scale_to_snr
from mmlab.gw.noise import noise_stream
from mmlab.signals.waveform import Waveform
from mmlab.wdf.events import check_events, merge_events
from mmlab.wdf.filter import WaveletDetectionFilter
from mmlab.wdf.search import TransientSearch, search_chunk

if TYPE_CHECKING:
    from astropy.table import Table

__all__ = ["as_search", "efficiency_study", "efficiency_table", "injection_campaign", "method_thresholds",
           "noise_events", "study_signals"]

#: Seconds of noise per independent background segment.
NOISE_SEGMENT = 3600.0

#: Injections per independent campaign segment.
INJECTIONS_PER_SEGMENT = 50


def as_search(searcher: TransientSearch | WaveletDetectionFilter, statistic: str = "snr") -> TransientSearch:
    """A :class:`TransientSearch`: the search itself, or a fitted WDF alone wrapped as one (``statistic`` ranks)."""
    if isinstance(searcher, TransientSearch):
        return searcher
    if isinstance(searcher, WaveletDetectionFilter):
        searcher.check_fitted()
        search = TransientSearch(searcher, excess_power=None, wdf_statistic=statistic)
        return search.reset()
    raise ValueError(f"expected a TransientSearch or a fitted WaveletDetectionFilter, got {type(searcher).__name__}")


def _search_stream(search: TransientSearch, chunks) -> Table:
    """Every event of one stream of chunks (a fresh stream; the last chunk flushes)."""
    state, tables = None, []
    chunks = list(chunks)
    for k, chunk in enumerate(chunks):
        events, state = search_chunk(chunk, search, state, flush=k == len(chunks) - 1)
        tables.append(events)
    return merge_events(tables)


def _noise_segment(seed: np.random.SeedSequence, search: TransientSearch, psd, duration: float, sample_rate: float,
                   detector: str, chunk: float) -> tuple[Table, float]:
    """Events in ``duration`` searched seconds of fresh noise (the start-up transient is simulated on top)."""
    simulated = duration + search.startup_samples / sample_rate
    stream = noise_stream(psd, simulated, chunk, sample_rate, np.random.default_rng(seed), detector=detector)
    return _search_stream(search, stream), duration


def noise_events(searcher, psd, duration: float, seed: RandomState = None, sample_rate: float = 4096.0,
                 detector: str = "V1", chunk: float = 256.0, progress: bool = True, scheduler: Any = None,
                 statistic: str = "snr") -> tuple[Table, float]:
    """Events of a fitted search on simulated noise alone, in independent segments of :data:`NOISE_SEGMENT` s.

    Parameters
    ----------
    searcher : TransientSearch or WaveletDetectionFilter
        Fitted (a WDF alone is wrapped by :func:`as_search`, ranked by ``statistic``).
    psd : str or array_like
        Noise PSD (see :func:`mmlab.gw.noise.colored_noise`).
    duration : float
        Seconds of noise searched (each segment's start-up transient is simulated on top).
    seed : int, numpy.random.Generator or None
        Drives every segment's noise.
    scheduler
        Where the segments run (:func:`mmlab.core.parallel.parallel_map`).

    Returns
    -------
    events : astropy.table.Table
        Every event (:mod:`mmlab.wdf.events` schema).
    live_time : float
        Seconds searched (``duration``).
    """
    search = as_search(searcher, statistic)
    n_segments = max(1, int(np.ceil(duration / NOISE_SEGMENT)))
    lengths = np.full(n_segments, duration / n_segments)
    work = functools.partial(_noise_segment_of, search=search, psd=psd, sample_rate=sample_rate, detector=detector,
                             chunk=chunk)
    results = parallel_map(work, list(zip(spawn_seeds(seed, n_segments), lengths)), scheduler, progress, "noise")
    return merge_events([events for events, _ in results]), float(sum(live for _, live in results))


def _noise_segment_of(item, **options) -> tuple[Table, float]:
    seed, length = item
    return _noise_segment(seed, duration=float(length), **options)


def method_thresholds(events: Table, live_time: float, rate_per_hour: float = 1.0,
                      floors: dict[str, float] | None = None, methods: Sequence[str] | None = None) -> dict[str, float]:
    """Each method's threshold for ``rate_per_hour / len(methods)`` false alarms per hour on noise events.

    Parameters
    ----------
    events : astropy.table.Table
        Events of noise alone (:func:`noise_events`).
    live_time : float
        Seconds of noise searched.
    rate_per_hour : float
        False alarms per hour allowed to the whole search.
    floors : dict, optional
        The lowest statistic each method records.
    methods : sequence of str, optional
        The search's methods (default: those present in ``events``).
    """
    check_events(events, "noise events")
    methods = sorted(set(np.asarray(events["method"]).tolist())) if methods is None else list(methods)
    floors = floors or {}
    statistic, method = np.asarray(events["statistic"], dtype=float), np.asarray(events["method"])
    return {name: far_threshold(statistic[method == name], live_time, rate_per_hour / len(methods),
                                floor=floors.get(name, -np.inf)) for name in methods}


def _campaign_segment(item, search: TransientSearch, psd, make_waveform, sample_rate: float, detector: str,
                      spacing: float, chunk: float) -> dict[str, list]:
    """Inject one segment's signals (``spacing`` s apart) into fresh noise and record what the search finds."""
    seed, snrs = item
    rng = np.random.default_rng(seed)
    lead = (search.startup_samples + int(search.wdf.window)) / sample_rate + spacing
    duration = lead + spacing * (len(snrs) + 1)
    gps_times = lead + spacing * np.arange(len(snrs))
    signals = []
    for gps, snr in zip(gps_times, snrs):
        waveform = make_waveform(rng)
        sky = {}
        if waveform.is_polarised:
            ra, dec, psi = (float(v[0]) for v in random_sky(1, rng))
            sky = {"ra": ra, "dec": dec, "psi": psi}
        signals.append((scale_to_snr(detector_signal(waveform, detector, gps, **sky), snr, psd), waveform.name))
    chunks = []
    for piece in noise_stream(psd, duration, chunk, sample_rate, rng, detector=detector):
        for signal, _ in signals:
            if signal.t0 < piece.t_end and signal.t_end > piece.t0:
                piece = add_signal(piece, signal)
        chunks.append(piece)
    events = _search_stream(search, chunks)
    start, end = (np.asarray(events[name], dtype=float) for name in ("gps_start", "gps_end"))
    statistic, method = np.asarray(events["statistic"], dtype=float), np.asarray(events["method"])
    rows: dict[str, list] = {"gps": list(gps_times), "snr": list(snrs), "name": [name for _, name in signals],
                             **{f"found_{m}": [] for m in search.methods}}
    for signal, _ in signals:
        overlapping = (start <= signal.t_end) & (end >= signal.t0)
        for m in search.methods:
            mine = overlapping & (method == m)
            rows[f"found_{m}"].append(float(statistic[mine].max()) if mine.any() else -np.inf)
    return rows


def injection_campaign(
    searcher, psd, make_waveform: Callable[[np.random.Generator], Waveform], snrs: Sequence[float],
    n_per_snr: int, seed: RandomState = None, sample_rate: float = 4096.0, detector: str = "V1",
    spacing: float = 4.0, chunk: float = 256.0, progress: bool = True, statistic: str = "snr",
    scheduler: Any = None,
) -> Table:
    """Inject signals at given optimal SNRs into simulated noise and record what each method of the search finds.

    Waves are projected from random sky positions and polarisations, then
    scaled to the optimal SNR in this detector; glitches (no cross
    polarisation) are added as they are, scaled likewise. Injections are
    ``spacing`` s apart (signals must be shorter), in independent segments of
    :data:`INJECTIONS_PER_SEGMENT` with fresh noise each; an injection is
    found by an event whose extent overlaps the signal's.

    Parameters
    ----------
    searcher : TransientSearch or WaveletDetectionFilter
        Fitted, recording events down to the thresholds that will be studied.
    psd : str or array_like
        Noise PSD, also used for the SNR scaling.
    make_waveform : callable
        ``make_waveform(rng) -> Waveform``, e.g. a random sine-Gaussian (picklable to run on Dask).
    snrs : sequence of float
        Optimal SNRs; each gets ``n_per_snr`` injections (in random order).
    seed : int, numpy.random.Generator or None
        Drives noise, waveforms, sky positions and order.
    statistic : str
        How a WDF alone ranks its events (:func:`as_search`).
    scheduler
        Where the segments run (:func:`mmlab.core.parallel.parallel_map`).

    Returns
    -------
    astropy.table.Table
        One row per injection: ``gps`` (s into its segment), ``snr`` (injected optimal SNR), ``name``, and
        ``found_<method>``: the largest statistic of an overlapping event of that method (−inf if none).
    """
    from astropy.table import Table

    search = as_search(searcher, statistic)
    order_seed, *segment_seeds = spawn_seeds(seed, 1 + int(np.ceil(len(snrs) * n_per_snr / INJECTIONS_PER_SEGMENT)))
    injected = np.random.default_rng(order_seed).permutation(np.repeat(np.asarray(snrs, dtype=float), n_per_snr))
    pieces = np.array_split(injected, len(segment_seeds))
    work = functools.partial(_campaign_segment, search=search, psd=psd, make_waveform=make_waveform,
                             sample_rate=sample_rate, detector=detector, spacing=spacing, chunk=chunk)
    results = parallel_map(work, list(zip(segment_seeds, pieces)), scheduler, progress, "injections")
    return Table({name: np.concatenate([np.asarray(r[name]) for r in results]) for name in results[0]})


def efficiency_table(campaign: Table, thresholds: dict[str, float], confidence: float = 0.9) -> Table:
    """Fraction of injections found (some method at or above its threshold), per injected SNR, with intervals.

    Returns
    -------
    astropy.table.Table
        ``snr``, ``n``, ``found``, ``efficiency``, ``low``, ``high`` (Clopper–Pearson at ``confidence``).
    """
    from astropy.table import Table

    missing = [m for m in thresholds if f"found_{m}" not in campaign.colnames]
    if missing:
        raise ValueError(f"the campaign has no found_<method> column for {missing}; it has {campaign.colnames}")
    found_any = np.zeros(len(campaign), dtype=bool)
    for method, threshold in thresholds.items():
        found_any |= alarms(np.asarray(campaign[f"found_{method}"]), threshold)
    snr = np.asarray(campaign["snr"], dtype=float)
    rows = []
    for value in np.unique(snr):
        mine = snr == value
        found = int(np.count_nonzero(found_any[mine]))
        low, high = binomial_interval(found, int(mine.sum()), confidence)
        rows.append((value, int(mine.sum()), found, found / mine.sum(), low, high))
    return Table(rows=rows, names=("snr", "n", "found", "efficiency", "low", "high"))


def _sine_gaussian(rng: np.random.Generator) -> Waveform:
    from mmlab.signals import sine_gaussian

    return sine_gaussian(float(rng.uniform(100, 500)), 9.0, phase=float(rng.uniform(0, 2 * np.pi)))


def _scattered_light(rng: np.random.Generator) -> Waveform:
    from mmlab.signals import random_glitch

    return random_glitch("scattered_light", seed=rng)


def _ccsn_family(rng: np.random.Generator, families: tuple[str, ...] | None = None) -> Waveform:
    from mmlab.signals import CCSN_MIX_FAMILIES, ccsn_family_waveform

    families = CCSN_MIX_FAMILIES if families is None else families
    return ccsn_family_waveform(families[int(rng.integers(len(families)))], seed=rng)


def _ccsn_3d(rng: np.random.Generator, models: tuple[str, ...]) -> Waveform:
    return _cached_3d(models[int(rng.integers(len(models)))])


@functools.lru_cache(maxsize=32)
def _cached_3d(model: str) -> Waveform:
    from mmlab.signals import ccsn_3d_waveform

    return ccsn_3d_waveform(model)


def study_signals(families: Sequence[str] = ("sine-Gaussian", "scattered light", "CCSN phenomenological",
                                              "CCSN 3D")) -> dict[str, Callable[[np.random.Generator], Waveform]]:
    """Signal families of the efficiency studies, as picklable ``name -> make_waveform(rng)``.

    - ``sine-Gaussian``: Q = 9, f0 uniform in 100–500 Hz, random phase (the
      reference measurement's population);
    - ``scattered light``: :func:`mmlab.signals.random_glitch` distribution;
    - ``CCSN phenomenological``: one of the four :data:`mmlab.signals.CCSN_MIX_FAMILIES` at random (the "mix");
    - ``CCSN high_long`` (and any ``CCSN <family>``): that family alone;
    - ``CCSN 3D``: one of the 3D-simulation waveforms found by
      :func:`mmlab.io.find_ccsn_3d_files`, if any (left out otherwise).
    """
    from mmlab.io.ccsn3d import find_ccsn_3d_files
    from mmlab.signals import CCSN_FAMILIES

    signals = {}
    for name in families:
        if name == "sine-Gaussian":
            signals[name] = _sine_gaussian
        elif name == "scattered light":
            signals[name] = _scattered_light
        elif name == "CCSN phenomenological":
            signals[name] = _ccsn_family
        elif name == "CCSN 3D":
            models = tuple(sorted(find_ccsn_3d_files()))
            if models:
                signals[name] = functools.partial(_ccsn_3d, models=models)
        elif name.startswith("CCSN ") and name.removeprefix("CCSN ") in CCSN_FAMILIES:
            signals[name] = functools.partial(_ccsn_family, families=(name.removeprefix("CCSN "),))
        else:
            raise ValueError(f"unknown signal family {name!r}; known: sine-Gaussian, scattered light, "
                             f"CCSN phenomenological, CCSN 3D, {', '.join(f'CCSN {f}' for f in CCSN_FAMILIES)}")
    return signals


def efficiency_study(
    searcher, psd, detector: str, noise_hours: float, snrs: Sequence[float], n_per_snr: int,
    signals: dict | None = None, seed: RandomState = None, rate_per_hour: float = 1.0, progress: bool = True,
    statistic: str = "snr", scheduler: Any = None,
) -> tuple[dict[str, float], Table]:
    """Thresholds for a false-alarm rate on simulated noise, then efficiency per signal family and SNR.

    Parameters
    ----------
    searcher : TransientSearch or WaveletDetectionFilter
        Fitted, recording events down to the thresholds that will be found.
    psd : str or array_like
        Noise PSD (a design-curve name).
    detector : str
        Detector whose antenna pattern projects the waves.
    noise_hours : float
        Hours of noise used to set the thresholds.
    snrs, n_per_snr
        Injected optimal SNRs and injections per SNR and family.
    signals : dict, optional
        ``name -> make_waveform(rng)``; default :func:`study_signals`.
    seed : int, numpy.random.Generator or None
        Drives everything.
    rate_per_hour : float
        False-alarm rate of the whole search that sets the thresholds.
    statistic : str
        How a WDF alone ranks its events (``"snr"`` or ``"snr_combined"``).
    scheduler
        Where the pieces run (:func:`mmlab.core.parallel.parallel_map`).

    Returns
    -------
    thresholds : dict
        ``{method: threshold}`` giving ``rate_per_hour`` for the search.
    efficiencies : astropy.table.Table
        :func:`efficiency_table` rows with a ``signal`` column.
    """
    from astropy.table import vstack

    search = as_search(searcher, statistic)
    noise_seed, *family_seeds = spawn_seeds(seed, 1 + len(signals or study_signals()))
    events, live_time = noise_events(search, psd, noise_hours * 3600.0, seed=noise_seed, detector=detector,
                                     progress=progress, scheduler=scheduler)
    thresholds = method_thresholds(events, live_time, rate_per_hour, search.floors(), search.methods)
    tables = []
    for family_seed, (name, make) in zip(family_seeds, (signals or study_signals()).items()):
        campaign = injection_campaign(search, psd, make, snrs, n_per_snr, seed=family_seed, detector=detector,
                                      progress=progress, scheduler=scheduler)
        table = efficiency_table(campaign, thresholds)
        table.add_column([name] * len(table), name="signal", index=0)
        tables.append(table)
    return thresholds, vstack(tables)
