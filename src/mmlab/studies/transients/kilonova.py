"""Kilonovae among supernovae in 30-day ZTF light curves (after Biswas et al. 2023), simulated with sncosmo."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mmlab.core.photometry import LightCurve
from mmlab.core.seeding import RandomState, as_generator
from mmlab.signals.lightcurves import ZTFCadence, simulate_transients
from mmlab.studies.transients.features import feature_matrix, kilonova_features

__all__ = [
    "KN_WINDOW_DAYS", "MIN_DETECTIONS", "PCA_GRID_DAYS", "PcaBasis", "kilonova_sample", "pca_basis", "pca_features",
    "precision_recall_at",
]

#: Length of the light curves classified, days after the first detection.
KN_WINDOW_DAYS = 30.0

#: Detections an object needs to be classified (fewer: counted as not classifiable).
MIN_DETECTIONS = 3


def kilonova_sample(counts: dict, cadence: ZTFCadence | None = None,
                    seed: RandomState = 0) -> tuple[np.ndarray, np.ndarray, list[LightCurve], dict]:
    """Features of simulated transients that ZTF detects at least :data:`MIN_DETECTIONS` times in 30 days.

    Parameters
    ----------
    counts : dict
        Objects simulated per class (``{"KN": ..., "SN Ia": ..., "SN CC": ...}``).
    cadence : ZTFCadence, optional
    seed : int or numpy.random.Generator

    Returns
    -------
    features : numpy.ndarray
        :data:`~mmlab.studies.transients.features.KILONOVA_FEATURES` of the kept objects.
    is_kilonova : numpy.ndarray of bool
    curves : list of LightCurve
        The kept objects, cut to :data:`KN_WINDOW_DAYS`.
    detected : dict
        Class → ``(kept, simulated)``: how many of each class ZTF would have classified.
    """
    simulated = simulate_transients(counts, cadence, as_generator(seed))
    kept = [c.early(KN_WINDOW_DAYS) for c in simulated if c.meta["n_detections"] > 0]
    kept = [c for c in kept if len(c.detections) >= MIN_DETECTIONS]
    features, rows = feature_matrix(kept, kilonova_features)
    kept = [kept[i] for i in rows]
    detected = {name: (sum(c.meta["class_name"] == name for c in kept), int(n)) for name, n in counts.items()}
    return features, np.array([c.meta["class_name"] == "KN" for c in kept]), kept, detected


def precision_recall_at(is_kilonova, probability, recall: float = 0.7) -> tuple[float, float, float]:
    """Precision at the highest threshold that reaches a recall (:func:`sklearn.metrics.precision_recall_curve`).

    Returns
    -------
    precision, recall, threshold : float
    """
    from sklearn.metrics import precision_recall_curve

    precision, achieved, thresholds = precision_recall_curve(np.asarray(is_kilonova, bool), probability)
    ok = np.flatnonzero(achieved[:-1] >= recall)
    best = ok[np.argmax(precision[ok])]
    return float(precision[best]), float(achieved[best]), float(thresholds[best])


#: Days from the brightest point on which the PCA basis is tabulated.
PCA_GRID_DAYS = np.arange(-10.0, 30.5, 1.0)

_PCA_BANDS = ("ztfg", "ztfr")


@dataclass(frozen=True)
class PcaBasis:
    """Principal components of peak-normalised kilonova light curves on :data:`PCA_GRID_DAYS` (Biswas et al. 2023).

    Attributes
    ----------
    components : numpy.ndarray
        ``(n_components, n_grid)``.
    """

    components: np.ndarray


def _normalised(curve, band):
    time, flux, _ = curve.band_points(band)
    if time.size == 0:
        return time, flux
    peak = int(np.argmax(flux))
    return time - time[peak], flux / flux[peak]


def pca_basis(curves, n_components: int = 3) -> PcaBasis:
    """Fit the basis to kilonova light curves (both bands pooled), interpolated on :data:`PCA_GRID_DAYS`.

    Outside a light curve's detections the normalised flux is taken as 0, as a kilonova
    below the limit is. The components are those of the uncentred curves
    (:class:`sklearn.decomposition.TruncatedSVD`), so that their combinations are light
    curves themselves and the coefficients fit a light curve without a mean term.
    """
    from sklearn.decomposition import TruncatedSVD

    rows = []
    for curve in curves:
        for band in _PCA_BANDS:
            time, flux = _normalised(curve, band)
            if time.size >= 2:
                rows.append(np.interp(PCA_GRID_DAYS, time, flux, left=0.0, right=0.0))
    if len(rows) < n_components:
        raise ValueError(f"need at least {n_components} band light curves with 2+ detections, got {len(rows)}")
    return PcaBasis(TruncatedSVD(n_components, random_state=0).fit(np.array(rows)).components_)


def pca_features(curve, basis: PcaBasis) -> np.ndarray:
    """Biswas et al.'s features per band: the basis coefficients (least squares), the fit residual and the peak flux.

    Returns
    -------
    numpy.ndarray
        ``(n_components + 2) * 2`` numbers, g then r; NaN for a band with no detection.
    """
    values = []
    n = basis.components.shape[0]
    for band in _PCA_BANDS:
        time, flux = _normalised(curve, band)
        if time.size == 0:
            values += [np.nan] * (n + 2)
            continue
        design = np.stack([np.interp(time, PCA_GRID_DAYS, c) for c in basis.components], axis=1)
        coefficients, *_ = np.linalg.lstsq(design, flux, rcond=None)
        residual = float(np.sqrt(np.mean((design @ coefficients - flux) ** 2)))
        values += [*coefficients, residual, float(curve.band_points(band)[1].max())]
    return np.asarray(values, dtype=float)
