"""Anomaly-detection throughput on one core: conditioning, autoencoder scoring, training per epoch.

Prints windows scored per second by the autoencoder (0.5 s windows at 1024 Hz, the notebook's
configuration) against the excess-power baseline on the same windows in the same run, seconds of
4096 Hz strain conditioned per CPU-second, and the training time per epoch for 10 000 windows.
TensorFlow is held to one thread so the figures are per core.

Run: ``make bench`` or ``python benchmarks/anomaly.py``.
"""

import time

from _timing import best_cpu_seconds

import mmlab
from mmlab.gw.noise import colored_noise
from mmlab.studies.anomaly.scores import anomaly_scores, excess_power
from mmlab.studies.anomaly.windows import WindowConfig, condition, simulated_noise_windows

N_WINDOWS = 10_000


def main():
    from mmlab.core.config import import_keras

    import_keras()  # quietly, before TensorFlow runs anything
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(1)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    from mmlab.ml.models import build_autoencoder
    from mmlab.ml.training import fit_autoencoder

    mmlab.seed_everything(0)
    config = WindowConfig()
    strain = colored_noise("aLIGO", 64.0, 4096.0, seed=0, detector="H1")
    conditioning = best_cpu_seconds(lambda: condition(strain, config, psd="aLIGO"), repeats=5)
    print(f"conditioning: {strain.duration / conditioning:,.0f} s of 4096 Hz strain per CPU-second "
          "(whiten, band-pass, resample)")
    stride = config.duration / 4
    windows = simulated_noise_windows("aLIGO", 1.1 * N_WINDOWS * stride, config, stride=stride, seed=1)[:N_WINDOWS]
    model = build_autoencoder(config.samples)
    anomaly_scores(model, windows[:512])  # build the graph before timing
    start = time.perf_counter()
    anomaly_scores(model, windows)
    autoencoder = len(windows) / (time.perf_counter() - start)
    baseline = len(windows) / best_cpu_seconds(lambda: excess_power(windows), repeats=5)
    print(f"scoring: autoencoder {autoencoder:,.0f} windows/s ({autoencoder * config.duration:,.0f}× real time), "
          f"excess power {baseline:,.0f} windows/s; ratio {baseline / autoencoder:,.0f}")
    history_start = time.perf_counter()
    history = fit_autoencoder(model, windows, windows[:1000], epochs=3, patience=3, verbose=0)
    per_epoch = (time.perf_counter() - history_start) / len(history["loss"])
    print(f"training: {per_epoch:.1f} s per epoch of {len(windows):,} windows on one core "
          f"({model.count_params():,} parameters, batch 64)")


if __name__ == "__main__":
    main()
