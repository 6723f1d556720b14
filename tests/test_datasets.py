"""Data sets of WDF triggers: content, labels, determinism, caching and its checks."""

import hashlib

import numpy as np
import pytest

from mmlab.core.cache import DataFileError
from mmlab.studies.ccsn.datasets import DatasetConfig, build_dataset, load_dataset, read_dataset, save_dataset

SMALL = DatasetConfig(classes=("noise", "ccsn_high_long", "sine_gaussian", "blip"), n_per_class=4, seed=3)


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    directory = tmp_path_factory.mktemp("datasets")
    return load_dataset(SMALL, directory, progress=False), directory


def test_samples_are_centred_triggers_with_labels(small):
    dataset, _ = small
    n = 4 * 4
    assert dataset.timeseries.shape == (n, 2048, 1) and dataset.timeseries.dtype == np.float32
    assert dataset.images.shape == (n, 64, 64, 1) and dataset.images.min() >= 0 and dataset.images.max() <= 1
    assert np.array_equal(np.bincount(dataset.labels), [4, 4, 4, 4])
    assert list(dataset.is_ccsn) == [int(name == "ccsn_high_long") for name in np.array(dataset.class_names)[dataset.labels]]
    signal = dataset.labels > 0
    assert np.all((dataset.snr[signal] >= 8) & (dataset.snr[signal] <= 40)) and np.all(dataset.snr[~signal] == 0)
    # Loud short transients peak at the centre of their cut (the trigger's peak time).
    loud = (np.array(dataset.class_names)[dataset.labels] == "sine_gaussian") & (dataset.snr > 15)
    peaks = np.argmax(np.abs(dataset.timeseries[loud, :, 0]), axis=1)
    assert np.all(np.abs(peaks - 1024) < 100)
    for name in ("train", "validation", "test"):
        assert set(dataset.part(name)["labels"]) == {0, 1, 2, 3}


def test_the_same_seed_rebuilds_the_same_bytes(small, tmp_path):
    dataset, directory = small
    cached = next(directory.glob("*.npz"))
    rebuilt = save_dataset(build_dataset(SMALL, progress=False), tmp_path)
    assert hashlib.sha256(cached.read_bytes()).digest() == hashlib.sha256(rebuilt.read_bytes()).digest()


def test_cache_is_reused_and_checked(small):
    dataset, directory = small
    again = read_dataset(SMALL, directory)
    assert np.array_equal(again.images, dataset.images)
    other = DatasetConfig(classes=SMALL.classes, n_per_class=4, seed=4)
    with pytest.raises(FileNotFoundError, match="no cached data set"):
        read_dataset(other, directory)


def test_a_damaged_cache_is_reported_and_rebuilt(tmp_path):
    config = DatasetConfig(classes=("noise", "blip"), n_per_class=3, seed=5)
    path = save_dataset(build_dataset(config, progress=False), tmp_path)
    data = bytearray(path.read_bytes())
    data[-40] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(DataFileError, match="does not match the manifest"):
        read_dataset(config, tmp_path)
    with pytest.warns(UserWarning, match="rebuilding the data set"):
        rebuilt = load_dataset(config, tmp_path, progress=False)
    assert read_dataset(config, tmp_path).labels.size == rebuilt.labels.size == 6


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"classes": ("noise", "ccsn_4d")}, r"unknown class names \['ccsn_4d'\]"),
        ({"classes": ("noise",)}, "at least two distinct classes"),
        ({"detectors": ("X1",)}, "unknown detector 'X1'"),
        ({"snr_range": (10.0, 5.0)}, "snr_range must be"),
        ({"split": (0.5, 0.5, 0.5)}, "split must be three positive fractions"),
        ({"n_per_class": 1}, "n_per_class must be an integer of at least 3"),
    ],
)
def test_bad_configurations_are_named(options, message):
    with pytest.raises(ValueError, match=message):
        DatasetConfig(**options)


def test_a_network_data_set_holds_coincident_triggers(tmp_path):
    config = DatasetConfig(detectors="ET", classes=("noise", "sine_gaussian"), n_per_class=3, seed=6)
    dataset = build_dataset(config, progress=False)
    assert config.detectors == ("E1", "E2", "E3")
    assert dataset.timeseries.shape == (6, 2048, 3) and dataset.images.shape == (6, 64, 64, 3)
    assert dataset.trigger_snr.shape == (6, 3) and np.all(dataset.trigger_snr[:, 0] > 0)
    # The same source in the three arms, cut around E1's trigger: where an arm sees it loudly, its
    # whitened peak sits at the centre too (the arms are 33 microseconds of light apart).
    peaks = np.argmax(np.abs(dataset.timeseries), axis=1)
    loud = (dataset.labels[:, None] == 1) & (dataset.trigger_snr >= 10)
    assert loud.any() and np.median(np.abs(peaks[loud] - 1024)) < 60
