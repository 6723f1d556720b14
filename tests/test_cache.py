"""The one atomic_write, the locked manifest, the cached-data-set base and the false-alarm convention."""

import json
import multiprocessing
import os
import stat
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pytest

from mmlab.core.cache import CachedDataset, DataFileError, add_to_manifest, atomic_write, read_manifest
from mmlab.core.statistics import alarms, false_alarm_rate, far_threshold


def test_atomic_write_publishes_complete_files_with_normal_permissions(tmp_path):
    target = tmp_path / "out" / "table.txt"
    with atomic_write(target) as handle:
        handle.write("complete")
        assert not target.exists()  # nothing under the final name while writing
    assert target.read_text() == "complete"
    assert stat.S_IMODE(target.stat().st_mode) == 0o644 & ~_umask()
    assert [p.name for p in target.parent.iterdir()] == ["table.txt"]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_atomic_write_leaves_the_old_file_and_no_temporary_on_failure(tmp_path):
    target = tmp_path / "model.keras"
    target.write_text("old")
    with pytest.raises(RuntimeError, match="interrupted"):
        with atomic_write(target, mode=None) as temporary:
            assert temporary.suffix == ".keras" and temporary.parent == tmp_path
            temporary.write_text("half")
            raise RuntimeError("interrupted")
    assert target.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["model.keras"]
    with pytest.raises(ValueError, match=r"mode must be 'w', 'wb' or None \(yield a path\), got 'a'"):
        with atomic_write(target, mode="a"):
            pass


def _record(folder: str, index: int) -> None:
    os.environ["MMLAB_DATA_DIR"] = folder
    path = os.path.join(folder, f"file{index}.bin")
    with open(path, "wb") as handle:
        handle.write(bytes([index]) * 1000)
    for _ in range(5):
        add_to_manifest(path, f"test {index}")


def test_concurrent_manifest_updates_lose_nothing(isolated_cache):
    """Eight processes add their files to the manifest at once: the lock keeps every entry."""
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_record, args=(str(isolated_cache), k)) for k in range(8)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
        assert worker.exitcode == 0
    manifest = read_manifest()
    assert sorted(manifest) == sorted(f"file{k}.bin" for k in range(8))
    assert manifest["file3.bin"]["bytes"] == 1000 and manifest["file3.bin"]["source"] == "test 3"


@dataclass(frozen=True)
class ToyConfig:
    n: int = 30
    seed: int = 0


@dataclass(frozen=True, eq=False)
class ToyDataset(CachedDataset):
    config: ToyConfig
    values: np.ndarray
    subset: np.ndarray

    kind: ClassVar[str] = "toy"
    builds: ClassVar[list] = []

    @classmethod
    def build(cls, config, progress=True):
        cls.builds.append(config)
        rng = np.random.default_rng(config.seed)
        return cls(config, rng.normal(size=config.n), np.arange(config.n) % 3)

    def to_arrays(self):
        return {"values": self.values, "subset": self.subset}

    @classmethod
    def from_arrays(cls, config, arrays):
        return cls(config, arrays["values"], arrays["subset"])


def test_cached_data_sets_build_once_verify_and_rebuild_on_damage(tmp_path):
    ToyDataset.builds.clear()
    config = ToyConfig()
    first = ToyDataset.load(config, tmp_path)
    again = ToyDataset.load(config, tmp_path)
    assert len(ToyDataset.builds) == 1 and np.array_equal(first.values, again.values)
    assert np.array_equal(again.part("validation")["values"], first.values[1::3])
    arrays, manifest = ToyDataset.paths(config, tmp_path)
    assert json.loads(manifest.read_text())["key"] == ToyDataset.key(config) != ToyDataset.key(ToyConfig(seed=1))
    arrays.write_bytes(arrays.read_bytes()[:-10])
    with pytest.raises(DataFileError, match="does not match the manifest"):
        ToyDataset.read(config, tmp_path)
    with pytest.warns(UserWarning, match="rebuilding the data set"):
        rebuilt = ToyDataset.load(config, tmp_path)
    assert len(ToyDataset.builds) == 2 and np.array_equal(rebuilt.values, first.values)
    with pytest.raises(ValueError, match=r"subset must be one of \['train', 'validation', 'test'\], got 'dev'"):
        rebuilt.part("dev")


def test_one_false_alarm_convention():
    """A statistic equal to the threshold is an alarm; far_threshold leaves exactly k louder noise events."""
    noise = np.array([5.0, 9.0, 6.0, 12.0, 7.5])
    threshold = far_threshold(noise, live_time=7200.0, rate_per_hour=1.0)  # two alarms allowed in two hours
    assert 7.5 < threshold < 9.0 and np.count_nonzero(alarms(noise, threshold)) == 2
    assert alarms(noise, 9.0).tolist() == [False, True, False, True, False]
    assert false_alarm_rate(noise, 9.0, 3600.0) == 2.0 and false_alarm_rate(noise, 9.5, 1800.0) == 2.0
    tied = far_threshold([12.0, 9.0, 9.0, 5.0], live_time=7200.0)  # a tie at the cut: fewer alarms, never more
    assert np.count_nonzero(alarms([12.0, 9.0, 9.0, 5.0], tied)) == 1
