"""Optical-transient throughput on one core: feature extraction and one 300-query active-learning run.

Prints light curves featured per CPU-second with the study's ``snia_feature_matrix`` (the
``light-curve`` package's Rust Bazin fit, batched) against the same Bazin function fitted by
:func:`scipy.optimize.curve_fit` on the same light curves in the same run (the
baseline a hand-written pipeline would use), and the wall time of one active-learning
run of 300 single queries from 10 seed labels (uncertainty sampling) with its per-refit cost,
for the notebook's 100-tree forest on one and two cores and a 30-tree forest. Goals (issue 16): >= 5,000 light curves/s;
one run < 60 s.

Run: ``make bench`` or ``python benchmarks/transients.py`` (needs ``MMLAB_DATA_MIRROR``).
"""

import time
import warnings

import numpy as np
from _timing import best_cpu_seconds

from mmlab.io.ztf import load_ztf_tns
from mmlab.ml.active import run_active_learning
from mmlab.studies.transients import random_forest, snia_feature_matrix, snia_metrics


def bazin(t, a, b, t0, rise, fall):
    with np.errstate(all="ignore"):
        return a * np.exp(-(t - t0) / fall) / (1 + np.exp(-(t - t0) / rise)) + b


def scipy_bazin(curves):
    from scipy.optimize import OptimizeWarning, curve_fit

    warnings.simplefilter("ignore", OptimizeWarning)
    for curve in curves:
        for band in ("ztfg", "ztfr"):
            t, f, e = curve.band_points(band)
            if t.size >= 6:
                try:
                    curve_fit(bazin, t, f, p0=[f.max(), 0.0, t[np.argmax(f)], 3.0, 20.0], sigma=e, maxfev=2000)
                except RuntimeError:
                    pass


def main():
    curves, _ = load_ztf_tns()
    early = [c.early(30.0) for c in curves if len(c.detections)]
    ours = best_cpu_seconds(lambda: snia_feature_matrix(early), repeats=3)
    baseline = best_cpu_seconds(lambda: scipy_bazin(early), repeats=1)
    print(f"features: {len(early) / ours:,.0f} light curves/s (goal >= 5,000); scipy curve_fit Bazin alone: "
          f"{len(early) / baseline:,.0f}/s; ratio {baseline / ours:.1f}x")

    features, kept = snia_feature_matrix(early)
    labels = np.array([early[i].meta["is_snia"] for i in kept]).astype(int)
    order = np.random.default_rng(0).permutation(len(kept))
    pool, test = order[: len(order) // 2], order[len(order) // 2:]
    for trees, cores in ((100, 1), (100, 2), (30, 1)):
        start = time.perf_counter()
        run = run_active_learning(features[pool], labels[pool], features[test], labels[test], "uncertainty",
                                  lambda t=trees, c=cores: random_forest(t, 0, c),
                                  lambda y, p: snia_metrics(y, p[:, 1]), n_seed=10, n_queries=300, batch_size=1,
                                  evaluate_every=10, seed=1)
        wall = time.perf_counter() - start
        print(f"active learning, {trees} trees on {cores} core(s): 300 queries in {wall:.1f} s (goal < 60 s), "
              f"{1000 * wall / 301:.0f} ms per refit; FoM {run.metrics['fom'][0]:.3f} -> {run.metrics['fom'][-1]:.3f}")


if __name__ == "__main__":
    main()
