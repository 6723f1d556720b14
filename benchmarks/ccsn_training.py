"""CCSN-vs-glitch classification throughput on this machine: data set, training, inference.

Prints samples per second for building a single-detector data set (Advanced Virgo, every class,
WDF triggers), training each network (1D CNN, 2D CNN, LSTM; samples per second over the epochs
run), and inference per trigger, against the time the data set takes to build in the same run.

Run: ``make bench`` or ``python benchmarks/ccsn_training.py``.
"""

import tempfile
import time

import numpy as np

import mmlab
from mmlab.ml.models import build_cnn1d, build_cnn2d, build_lstm
from mmlab.ml.training import fit, predict
from mmlab.studies.ccsn.datasets import DatasetConfig, build_dataset

N_PER_CLASS = 40
EPOCHS = 5


def main():
    mmlab.seed_everything(0)
    config = DatasetConfig(classes=("noise", "ccsn_low_short", "ccsn_high_long", "ccsn_low_long_sasi",
                                    "ccsn_high_short_sasi", "sine_gaussian", "scattered_light", "blip"),
                           n_per_class=N_PER_CLASS, seed=0)
    start = time.process_time()
    dataset = build_dataset(config, progress=False)
    building = time.process_time() - start
    n = dataset.labels.size
    print(f"data set: {n / building:.1f} samples per CPU-second ({n} samples, {building:.1f} s; includes fitting "
          "the WDF's AR(1000) once)")
    train, validation = dataset.part("train"), dataset.part("validation")
    for name, build, key in (("cnn1d", build_cnn1d, "timeseries"), ("cnn2d", build_cnn2d, "images"),
                             ("lstm", build_lstm, "timeseries")):
        model = build(train[key].shape[1:], len(config.classes))
        start = time.perf_counter()
        history = fit(model, train[key], train["labels"], validation[key], validation["labels"], epochs=EPOCHS,
                      patience=EPOCHS, verbose=0)
        elapsed = time.perf_counter() - start
        seen = len(history["loss"]) * len(train["labels"])
        predict(model, train[key][:8])
        start = time.perf_counter()
        predict(model, np.repeat(train[key], 4, axis=0))
        per_trigger = (time.perf_counter() - start) / (4 * len(train["labels"]))
        print(f"{name}: training {seen / elapsed:,.0f} samples/s (wall, 2 cores), inference "
              f"{per_trigger * 1e6:.0f} µs per trigger ({model.count_params():,} parameters)")


if __name__ == "__main__":
    with tempfile.TemporaryDirectory():
        main()
