import random

import nbformat
import numpy as np
import pytest

import mmlab
from mmlab.core.metrics import METRIC_MIMETYPE, read_metrics, recorded


def test_record_remembers_floats():
    mmlab.record("accuracy_test", np.float32(0.5))
    mmlab.record("count_test", np.array(3))
    assert recorded()["accuracy_test"] == 0.5 and recorded()["count_test"] == 3.0
    assert type(recorded()["count_test"]) is float


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("bad name", 1.0, "identifier"),
        ("x", float("nan"), "must be finite"),
        ("x", "0.9", "must be a real number"),
        ("x", True, "must be a real number"),
        ("x", [1.0, 2.0], "must be a real number"),
    ],
)
def test_record_rejects(name, value, message):
    with pytest.raises(ValueError, match=message):
        mmlab.record(name, value)


def test_read_metrics_from_outputs():
    cell = nbformat.v4.new_code_cell("...")
    cell.outputs = [
        nbformat.v4.new_output("display_data", data={METRIC_MIMETYPE: {"name": "auc", "value": 0.9}, "text/plain": "auc"}),
        nbformat.v4.new_output("stream", text="noise"),
        nbformat.v4.new_output("display_data", data={METRIC_MIMETYPE: {"name": "auc", "value": 0.95}}),
    ]
    notebook = nbformat.v4.new_notebook(cells=[cell])
    assert read_metrics(notebook) == {"auc": 0.95}


def test_seed_everything_repeats_python_and_numpy():
    rng = mmlab.seed_everything(42)
    first = (random.random(), np.random.random(), rng.normal())
    rng = mmlab.seed_everything(42)
    assert (random.random(), np.random.random(), rng.normal()) == first


@pytest.mark.parametrize("seed", [-1, 2**32, 1.5, "7", True])
def test_seed_everything_rejects(seed):
    with pytest.raises(ValueError, match="seed must be an integer"):
        mmlab.seed_everything(seed)


def test_seed_everything_seeds_keras():
    from mmlab.core.config import import_keras

    mmlab.seed_everything(7)
    keras = import_keras()  # seeds Keras on first import
    first = keras.ops.convert_to_numpy(keras.random.normal((4,)))
    mmlab.seed_everything(7)  # Keras already loaded: seeded immediately
    again = keras.ops.convert_to_numpy(keras.random.normal((4,)))
    np.testing.assert_array_equal(first, again)
    assert keras.backend.backend() == "tensorflow"
