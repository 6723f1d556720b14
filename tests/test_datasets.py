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


def test_a_network_data_set_holds_coincident_triggers_and_local_glitches(tmp_path):
    config = DatasetConfig(detectors="ET", classes=("noise", "ccsn_low_short", "blip"), n_per_class=4, seed=6)
    dataset = build_dataset(config, progress=False)
    assert config.detectors == ("E1", "E2", "E3")
    assert dataset.timeseries.shape == (12, 2048, 3) and dataset.images.shape == (12, 64, 64, 3)
    assert dataset.trigger_snr.shape == (12, 3) and np.all(dataset.trigger_snr[:, 0] > 0)
    # The same source in the three arms, cut around E1's trigger: where another arm sees it loudly, the two
    # whitened series line up (the arms are 33 microseconds of light apart), so they correlate best at lag 0.
    from scipy.signal import correlate

    loud = np.argwhere((dataset.labels[:, None] == 1) & (dataset.trigger_snr[:, 1:] >= 10))  # (sample, arm - 1)
    lags = [np.argmax(np.abs(correlate(dataset.timeseries[k, :, 0], dataset.timeseries[k, :, arm + 1]))) - 2047
            for k, arm in loud]
    assert lags and np.median(np.abs(lags)) <= 2
    # A blip is a disturbance of E1 alone: E2 and E3 hold noise, as quiet as the noise class's.
    blips, noise = dataset.labels == 2, dataset.labels == 0
    assert np.all(dataset.trigger_snr[blips, 0] >= 8)
    assert np.abs(dataset.timeseries[blips, :, 1:]).max() < 1.5 * np.abs(dataset.timeseries[noise, :, 1:]).max()


@pytest.fixture(scope="module")
def with_3d(tmp_path_factory):
    """Phenomenological, 3D and glitch triggers (the 3D files from the mirror)."""
    from mmlab.io import find_ccsn_3d_files

    if not find_ccsn_3d_files():
        pytest.skip("no 3D supernova files: set MMLAB_DATA_MIRROR or put shared/data beside the checkout")
    config = DatasetConfig(classes=("noise", "ccsn_low_short", "ccsn_3d", "blip"), n_per_class=12, seed=11)
    return load_dataset(config, tmp_path_factory.mktemp("with_3d"), progress=False)


def test_3d_samples_name_their_model_and_progenitor(with_3d):
    from mmlab.io import find_ccsn_3d_files

    dataset = with_3d
    assert dataset.config.ccsn_3d_models == tuple(sorted(find_ccsn_3d_files()))
    is_3d = np.array(dataset.class_names)[dataset.labels] == "ccsn_3d"
    assert np.all(dataset.source[~is_3d] == -1) and np.all(dataset.source[is_3d] >= 0)
    assert set(dataset.ccsn_3d_model[~is_3d]) == {""}
    assert set(dataset.ccsn_3d_model[is_3d]) <= set(dataset.config.ccsn_3d_models)
    assert {name.split("_")[0] for name in dataset.ccsn_3d_model[is_3d]} == set(dataset.progenitor[is_3d])
    with pytest.raises(ValueError, match="unknown 3D supernova model 'nope'"):
        build_dataset(DatasetConfig(classes=("noise", "ccsn_3d"), n_per_class=3, ccsn_3d_models=("nope",)),
                      progress=False)
    with pytest.raises(ValueError, match=r"ccsn_3d_models \('9a_x',\) given, but the classes .* have no 'ccsn_3d'"):
        DatasetConfig(classes=("noise", "ccsn_low_short"), ccsn_3d_models=("9a_x",))


def test_leaving_a_progenitor_out_trains_without_it_and_thresholds_at_the_rate(with_3d):
    import mmlab
    from mmlab.ml.models import build_cnn1d
    from mmlab.studies.ccsn.generalisation import (
        evaluate_held_out,
        leave_one_out_training_sets,
        train_held_out_classifier,
    )

    dataset = with_3d
    progenitors = sorted(set(dataset.progenitor) - {""})
    sets = leave_one_out_training_sets(dataset)
    assert list(sets) == ["4 families", *(f"without {p}" for p in progenitors)]
    held_out = progenitors[0]
    training = sets[f"without {held_out}"]
    chosen = training.mask(dataset)
    assert not chosen[dataset.progenitor == held_out].any()
    names = np.array(dataset.class_names)[dataset.labels]
    assert chosen[names != "ccsn_3d"].all() and chosen[(names == "ccsn_3d") & (dataset.progenitor != held_out)].all()
    assert not sets["4 families"].mask(dataset)[names == "ccsn_3d"].any()

    mmlab.seed_everything(3)
    classifier = train_held_out_classifier(dataset, training, build_cnn1d, false_positive_rate=0.25, epochs=2)
    negatives = (dataset.subset == 1) & (dataset.is_ccsn == 0)
    for name, called in classifier.calls(dataset.timeseries[negatives]).items():
        assert called.mean() <= 0.25, name
    results = evaluate_held_out(classifier, dataset, [held_out], min_trigger_snr=8.0)
    loud = (dataset.progenitor == held_out) & (dataset.trigger_snr[:, 0] >= 8)
    for score in ("binary head", "summed classes"):
        result = results[held_out, score]
        assert result.n_positive == loud.sum() and result.n_negative == ((dataset.subset == 2) & (dataset.is_ccsn == 0)).sum()
        low, high = result.true_positive_interval
        assert low <= result.true_positive_rate <= high
    with pytest.raises(ValueError, match="was trained on"):
        evaluate_held_out(classifier, dataset, progenitors)
