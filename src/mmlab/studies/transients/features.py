"""Light-curve features from the ``light-curve`` package (Malanchev et al. 2021), per band, for the three classifiers.

- :func:`snia_features`: the early SN Ia set. Fink's early module (Leoni et al. 2022)
  fits a sigmoid ``c / (1 + exp(-a (t - b)))`` to the rising part of each band and adds
  the signal-to-noise ratio and the number of rising points. Here the fit is the
  package's Bazin function, whose ``1 + exp(-(t - t0)/τ_rise)`` denominator is that
  sigmoid (``a = 1/τ_rise``, ``b = t0``, ``c = A``) times a fall that a rising-only light
  curve leaves free (``τ_fall`` large); ``snratio`` and ``nrise`` are Fink's, written out
  here because they are two lines of numpy, with the slope in magnitude per day, the
  peak magnitude and the span of the detections. Too few points for a fit give NaN, which
  scikit-learn's random forest handles.
- :func:`kilonova_features`: seven numbers a 30-day ZTF light curve of a kilonova
  differs in (fading in magnitudes per day, duration, colour, fading below the limit).
- :func:`variability_features`: magnitude-free statistics of the flux for anomaly
  detection on PLAsTiCC, named with the family they belong to.
"""

from __future__ import annotations

import functools

import numpy as np

from mmlab.core.photometry import ZERO_POINT, LightCurve, LightCurveError

__all__ = [
    "KILONOVA_FEATURES", "SNIA_FEATURES", "feature_matrix", "kilonova_features", "snia_feature_matrix", "snia_features",
    "variability_features", "variability_names",
]

_SNIA_BANDS = ("ztfg", "ztfr")
_SNIA_PER_BAND = ("amplitude", "std", "bazin_amplitude", "bazin_baseline", "bazin_t0", "bazin_rise", "bazin_fall",
                  "bazin_chi2", "snratio", "nrise", "mag_slope", "peak_mag", "duration")

#: Names of :func:`snia_features`' columns.
SNIA_FEATURES = tuple(f"{band[-1]}_{name}" for band in _SNIA_BANDS for name in _SNIA_PER_BAND) + ("color_gr",)

#: Names of :func:`kilonova_features`' columns.
KILONOVA_FEATURES = ("g_fade_rate", "r_fade_rate", "fade_rate", "g_duration", "r_duration", "color_gr",
                     "limits_after_peak")


@functools.lru_cache(maxsize=1)
def _snia_extractor():
    import light_curve as lc

    return lc.Extractor(lc.Amplitude(), lc.StandardDeviation(), lc.BazinFit("lmsder"))


@functools.lru_cache(maxsize=1)
def _slope_extractor():
    import light_curve as lc

    return lc.LinearFit()


@functools.lru_cache(maxsize=1)
def _fade_extractor():
    import light_curve as lc

    return lc.Extractor(lc.LinearFit(), lc.Duration())


def _check(curve: LightCurve, minimum: int) -> LightCurve:
    detections = curve.detections
    if len(detections) < minimum:
        raise LightCurveError(f"{curve.object_id}: features need at least {minimum} detections, got {len(detections)}")
    return detections


def snia_features(curve: LightCurve) -> np.ndarray:
    """The :data:`SNIA_FEATURES` of one (early-window) ZTF light curve (:func:`snia_feature_matrix` of one).

    Raises
    ------
    LightCurveError
        If it has fewer than 2 detections.
    """
    _check(curve, 2)
    return snia_feature_matrix([curve])[0][0]


def snia_feature_matrix(curves) -> tuple[np.ndarray, np.ndarray]:
    """:data:`SNIA_FEATURES` of many light curves, the fits batched through the package's ``many`` (no Python loop).

    Returns
    -------
    matrix : numpy.ndarray
        ``(n_kept, n_features)``.
    kept : numpy.ndarray
        Indices of the light curves with at least 2 detections (the others are skipped: the caller counts them).
    """
    if len(curves) == 0:
        return np.empty((0, len(SNIA_FEATURES))), np.empty(0, dtype=int)
    sizes = np.array([len(c) for c in curves])
    owner = np.repeat(np.arange(len(curves)), sizes)
    time, band, flux, flux_err, limit = (np.concatenate([getattr(c, f) for c in curves])
                                         for f in ("time", "band", "flux", "flux_err", "upper_limit"))
    kept = np.flatnonzero(np.bincount(owner[~limit], minlength=len(curves)) >= 2)
    row_of = np.full(len(curves), -1)
    row_of[kept] = np.arange(kept.size)
    matrix = np.full((kept.size, len(SNIA_FEATURES)), np.nan)
    mean_mag = np.full((kept.size, len(_SNIA_BANDS)), np.nan)
    width = len(_SNIA_PER_BAND)
    for b, name in enumerate(_SNIA_BANDS):
        points = ~limit & (band == name)
        counts = np.bincount(owner[points], minlength=len(curves))
        points &= counts[owner] >= 2
        if not points.any():
            continue
        objects = np.flatnonzero(counts >= 2)
        n = counts[objects]
        starts = np.r_[0, np.cumsum(n)[:-1]]
        t, f = time[points], np.maximum(flux[points], 1e-9)
        e = np.maximum(flux_err[points], 1e-3)
        m = ZERO_POINT - 2.5 * np.log10(f)
        cuts = starts[1:]
        series = list(zip(np.split(t, cuts), np.split(f, cuts), np.split(e, cuts), strict=True))
        fitted = _snia_extractor().many(series, sorted=True, check=False, fill_value=np.nan, n_jobs=1)
        mag_series = list(zip(np.split(t, cuts), np.split(m, cuts), np.split(1.0857 * e / f, cuts), strict=True))
        slopes = _slope_extractor().many(mag_series, sorted=True, check=False, fill_value=np.nan, n_jobs=1)[:, 0]
        segment = np.repeat(np.arange(objects.size), n)
        brightest = np.flatnonzero(f == np.maximum.reduceat(f, starts)[segment])
        _, first = np.unique(segment[brightest], return_index=True)
        fitted[:, 4] -= t[starts]
        rows = row_of[objects]
        matrix[rows, b * width:(b + 1) * width] = np.column_stack([
            fitted, np.add.reduceat(f / e, starts) / n, brightest[first] - starts + 1, slopes,
            np.minimum.reduceat(m, starts), t[starts + n - 1] - t[starts],
        ])
        mean_mag[rows, b] = np.add.reduceat(m, starts) / n
    matrix[:, -1] = mean_mag[:, 0] - mean_mag[:, 1]
    return matrix, kept


def _mean_color(detections: LightCurve) -> float:
    mags = {band: detections.mag[(detections.band == band)] for band in _SNIA_BANDS}
    if min(m.size for m in mags.values()) == 0:
        return np.nan
    return float(np.nanmean(mags["ztfg"]) - np.nanmean(mags["ztfr"]))


def kilonova_features(curve: LightCurve) -> np.ndarray:
    """The :data:`KILONOVA_FEATURES` of one ZTF light curve of at most 30 days.

    Fade rates are the slopes of a weighted straight line in magnitude after the brightest
    point (mag/day), durations the span of the detections (days), ``limits_after_peak``
    the fraction of the visits after the brightest detection that are upper limits.

    Raises
    ------
    LightCurveError
        If it has fewer than 2 detections.
    """
    detections = _check(curve, 2)
    peak_time = detections.time[int(np.argmax(detections.flux))]
    values = []
    for band in (None, *_SNIA_BANDS):
        keep = np.ones(len(detections), bool) if band is None else detections.band == band
        keep &= detections.time >= peak_time
        time, mag = detections.time[keep], detections.mag[keep]
        err = 1.0857 * detections.flux_err[keep] / detections.flux[keep]
        if time.size >= 3:
            slope, _, _, duration = _fade_extractor()(time, mag, np.maximum(err, 1e-3), sorted=True, check=False)
        elif time.size == 2:
            slope, duration = (mag[1] - mag[0]) / (time[1] - time[0]), time[1] - time[0]
        else:
            slope, duration = np.nan, 0.0
        values.append((slope, duration))
    after = curve.time > peak_time
    limits = float(np.mean(curve.upper_limit[after])) if after.any() else np.nan
    return np.array([values[1][0], values[2][0], values[0][0], values[1][1], values[2][1],
                     _mean_color(detections), limits])


_VARIABILITY = {
    "amplitude": ("amplitude", "percent_amplitude", "std_over_mean"),
    "shape": ("skew", "kurtosis", "beyond_1std", "stetson_k"),
    "timescale": ("eta_e", "maximum_slope", "linear_trend"),
}


def variability_names(bands) -> tuple[str, ...]:
    """Column names of :func:`variability_features` for these bands: ``<band>_<family>:<feature>``."""
    return tuple(f"{band}_{family}:{name}" for band in bands for family, names in _VARIABILITY.items()
                 for name in names)


@functools.lru_cache(maxsize=1)
def _variability_extractor():
    import light_curve as lc

    return lc.Extractor(lc.Amplitude(), lc.PercentAmplitude(), lc.StandardDeviation(), lc.Mean(), lc.Skew(),
                        lc.Kurtosis(), lc.BeyondNStd(1.0), lc.StetsonK(), lc.EtaE(), lc.MaximumSlope(),
                        lc.LinearTrend())


def variability_features(curve: LightCurve, bands) -> np.ndarray:
    """Flux variability of each band (PLAsTiCC's forced photometry), amplitudes scaled by the band's maximum |flux|.

    Returns
    -------
    numpy.ndarray
        :func:`variability_names` columns; NaN for a band with fewer than 4 points.
    """
    values = []
    for band in bands:
        keep = curve.band == band
        time, flux, err = curve.time[keep], curve.flux[keep], curve.flux_err[keep]
        if time.size < 4:
            values += [np.nan] * sum(len(v) for v in _VARIABILITY.values())
            continue
        scale = max(float(np.max(np.abs(flux))), 1e-9)
        amp, pamp, std, mean, skew, kurt, beyond, stetson, eta, slope, trend, *_ = _variability_extractor()(
            time, flux / scale, np.maximum(err / scale, 1e-6), sorted=True, check=False, fill_value=np.nan)
        values += [amp, pamp, std / max(abs(mean), 1e-3), skew, kurt, beyond, stetson, np.log10(eta + 1e-9),
                   np.log10(slope + 1e-9), trend]
    return np.asarray(values, dtype=float)


def feature_matrix(curves, features, **kwargs) -> tuple[np.ndarray, np.ndarray]:
    """Features of many light curves; those that raise :class:`LightCurveError` are skipped and returned.

    Parameters
    ----------
    curves : sequence of LightCurve
    features : callable
        One of this module's feature functions.
    **kwargs
        Passed to ``features``.

    Returns
    -------
    matrix : numpy.ndarray
        ``(n_kept, n_features)``.
    kept : numpy.ndarray
        Indices into ``curves`` of the rows (the others were too short: the caller counts them).
    """
    rows, kept = [], []
    for i, curve in enumerate(curves):
        try:
            rows.append(features(curve, **kwargs))
        except LightCurveError:
            continue
        kept.append(i)
    return (np.vstack(rows) if rows else np.empty((0, 0))), np.asarray(kept, dtype=int)
