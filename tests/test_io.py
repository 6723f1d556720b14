"""GWOSC loader: reading real files, cache → mirror → download, and bad files."""

import hashlib
import json
import shutil
from pathlib import Path

import h5py
import numpy as np
import pytest
from numpy.testing import assert_array_equal

from mmlab.core.cache import DataFileError
from mmlab.io import fetch_gwosc, locate_gwosc, read_gwosc
from mmlab.io import gwosc as io


def test_read_gwosc_matches_the_raw_hdf5(gw150914_h1_file):
    strain = read_gwosc(gw150914_h1_file)
    with h5py.File(gw150914_h1_file) as h5:
        assert_array_equal(strain.data, h5["strain/Strain"][()])
    assert strain.detector == "H1"
    assert strain.t0 == 1126259446.0
    assert strain.sample_rate == 4096.0
    assert strain.duration == 32.0
    # LIGO O1 strain is dominated by low-frequency noise of order 1e-19 to 1e-18.
    assert 1e-20 < np.std(strain.data) < 1e-17


def test_fetch_reads_the_mirror_in_place(mirror, isolated_cache):
    strains = {d: fetch_gwosc("GW150914", d) for d in ("H1", "L1")}
    assert {s.detector for s in strains.values()} == {"H1", "L1"}
    assert all(s.t0 <= io.KNOWN_EVENTS["GW150914"] < s.t_end for s in strains.values())
    assert locate_gwosc(1126259462.4, "L1").parent == mirror / "gwosc"
    assert not any(isolated_cache.rglob("*.hdf5")), "mirror files must not be copied into the cache"


def test_cache_comes_before_mirror(gw150914_h1_file, isolated_cache):
    cached = isolated_cache / "gwosc" / gw150914_h1_file.name
    cached.parent.mkdir()
    shutil.copy(gw150914_h1_file, cached)
    assert locate_gwosc("GW150914", "H1") == cached


def test_missing_mirror_folder_is_named(monkeypatch):
    monkeypatch.setenv("MMLAB_DATA_MIRROR", "/no/such/mirror")
    with pytest.raises(FileNotFoundError, match="MMLAB_DATA_MIRROR='/no/such/mirror' is not an existing folder"):
        fetch_gwosc("GW150914", "H1")


def test_offline_and_absent_names_what_was_searched(monkeypatch, isolated_cache):
    monkeypatch.delenv("MMLAB_DATA_MIRROR", raising=False)

    def offline(*args):
        raise ConnectionError("network unreachable")

    monkeypatch.setattr(io, "_gwosc_urls", offline)
    with pytest.raises(FileNotFoundError, match=r"GW150914 V1 \(32 s at 4096 Hz\) is not in .*network unreachable"):
        fetch_gwosc("GW150914", "V1")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"detector": "X1"}, r"detector must be one of \['H1', 'L1', 'V1', 'G1', 'K1'\], got 'X1'"),
        ({"duration": 60}, r"duration must be one of \[32, 4096\], got 60"),
        ({"sample_rate": 4000}, r"sample_rate must be one of \[4096, 16384\], got 4000"),
    ],
)
def test_bad_requests(kwargs, message):
    arguments = {"event_or_gps": "GW150914", "detector": "H1"} | kwargs
    with pytest.raises(ValueError, match=message):
        fetch_gwosc(**arguments)


def test_truncated_file_is_reported(gw150914_h1_file, tmp_path):
    truncated = tmp_path / gw150914_h1_file.name
    truncated.write_bytes(gw150914_h1_file.read_bytes()[:300_000])
    with pytest.raises(DataFileError, match=rf"{truncated.name}: unreadable or truncated HDF5"):
        read_gwosc(truncated)


def test_not_hdf5_and_wrong_layout(tmp_path):
    text = tmp_path / "H-H1_LOSC_4_V2-1-32.hdf5"
    text.write_text("not an HDF5 file")
    with pytest.raises(DataFileError, match="unreadable or truncated"):
        read_gwosc(text)
    other = tmp_path / "other.hdf5"
    with h5py.File(other, "w") as h5:
        h5["data"] = np.zeros(4)
    with pytest.raises(DataFileError, match=r"no 'strain/Strain' dataset.*\['data'\]"):
        read_gwosc(other)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        read_gwosc(tmp_path / "absent.hdf5")


def test_npoints_mismatch_is_reported(tmp_path):
    path = tmp_path / "short.hdf5"
    with h5py.File(path, "w") as h5:
        dataset = h5.create_dataset("strain/Strain", data=np.zeros(100))
        dataset.attrs.update({"Xstart": 0, "Xspacing": 1 / 4096, "Npoints": 4096})
    with pytest.raises(DataFileError, match="holds 100 samples but its Npoints says 4096"):
        read_gwosc(path)


def _serve_from(monkeypatch, source: Path):
    """Make the 'network' answer with a file:// URL to ``source``."""
    monkeypatch.delenv("MMLAB_DATA_MIRROR", raising=False)
    monkeypatch.setattr(io, "_gwosc_urls", lambda *args: [source.as_uri()])


def test_download_is_verified_and_recorded(monkeypatch, gw150914_h1_file, isolated_cache):
    _serve_from(monkeypatch, gw150914_h1_file)
    path = locate_gwosc("GW150914", "H1")
    assert path == isolated_cache / "gwosc" / gw150914_h1_file.name
    assert path.read_bytes() == gw150914_h1_file.read_bytes()
    manifest = json.loads((isolated_cache / "manifest.json").read_text())
    entry = manifest[f"gwosc/{path.name}"]
    assert entry["sha256"] == hashlib.sha256(gw150914_h1_file.read_bytes()).hexdigest()
    assert entry["bytes"] == gw150914_h1_file.stat().st_size
    # Found in the cache the second time: the 'network' is not asked again.
    monkeypatch.setattr(io, "_gwosc_urls", lambda *args: pytest.fail("cache was not used"))
    assert locate_gwosc("GW150914", "H1") == path


def test_interrupted_download_leaves_nothing(monkeypatch, gw150914_h1_file, isolated_cache):
    _serve_from(monkeypatch, gw150914_h1_file)

    def interrupted(url, destination):
        destination.write_bytes(gw150914_h1_file.read_bytes()[:100_000])
        raise KeyboardInterrupt

    monkeypatch.setattr(io, "_download", interrupted)
    with pytest.raises(KeyboardInterrupt):
        locate_gwosc("GW150914", "H1")
    assert list((isolated_cache / "gwosc").iterdir()) == []
    assert not (isolated_cache / "manifest.json").exists()


def test_corrupt_download_is_rejected(monkeypatch, gw150914_h1_file, isolated_cache, tmp_path):
    corrupt = tmp_path / gw150914_h1_file.name
    corrupt.write_bytes(gw150914_h1_file.read_bytes()[:500_000])
    _serve_from(monkeypatch, corrupt)
    with pytest.raises(DataFileError, match="truncated"):
        locate_gwosc("GW150914", "H1")
    assert list((isolated_cache / "gwosc").iterdir()) == []


def test_file_name_convention():
    parsed = io.GwoscFile.from_path(Path("L-L1_GWOSC_16KHZ_R1-1187008867-32.hdf5"))
    assert (parsed.detector, parsed.sample_rate, parsed.start, parsed.duration) == ("L1", 16384, 1187008867, 32)
    assert parsed.covers(1187008882.4) and not parsed.covers(1187008899.0)
    assert io.GwoscFile.from_path(Path("notes.hdf5")) is None
