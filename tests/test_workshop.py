"""mmlab workshop prepare / check: a room's folder holds every data file, cache and model, and damage is found."""

from __future__ import annotations

import filecmp
import json

import pytest

from mmlab.lab.cli import main
from mmlab.lab.workshop import MANIFEST, ROOM_SOURCES, check_room, prepare_room
from mmlab.ml.registry import PRETRAINED_DIR


@pytest.fixture
def room(mirror, tmp_path):
    return prepare_room(tmp_path / "room")


def test_a_prepared_folder_holds_every_file_of_the_mirror_and_the_models_byte_for_byte(room, mirror):
    for source in ROOM_SOURCES:
        originals = [p for p in (mirror / source).rglob("*") if p.is_file()]
        assert originals, source
        for original in originals:
            copy = room.folder / "mirror" / source / original.relative_to(mirror / source)
            assert filecmp.cmp(original, copy, shallow=False), copy
    for model in PRETRAINED_DIR.rglob("*.keras"):
        assert filecmp.cmp(model, room.folder / "models" / model.relative_to(PRETRAINED_DIR), shallow=False)
    on_disk = [p for p in room.folder.rglob("*") if p.is_file() and p.name != MANIFEST]
    assert sorted(p.relative_to(room.folder).as_posix() for p in on_disk) == sorted(room.files)
    assert room.size_bytes == sum(p.stat().st_size for p in on_disk)
    assert check_room(room.folder) == []


def test_the_cache_travels_too_and_loaders_read_the_room(mirror, tmp_path, isolated_cache, monkeypatch):
    built = isolated_cache / "datasets" / "ccsn-test.npz"
    built.parent.mkdir()
    built.write_bytes(b"a data set the notebooks built")
    (isolated_cache / "datasets" / "ccsn-test.lock").touch()
    room = prepare_room(tmp_path / "room")
    assert (room.folder / "cache" / "datasets" / "ccsn-test.npz").read_bytes() == built.read_bytes()
    assert not (room.folder / "cache" / "datasets" / "ccsn-test.lock").exists()

    from mmlab.io.gwosc import fetch_gwosc

    monkeypatch.setenv("MMLAB_DATA_MIRROR", str(room.folder / "mirror"))
    monkeypatch.setenv("MMLAB_DATA_DIR", str(tmp_path / "participant-cache"))
    strain = fetch_gwosc("GW150914", "H1")
    assert strain.sample_rate == 4096 and strain.duration == 32


def test_check_names_damaged_and_missing_files(room, capsys):
    damaged = room.folder / "mirror" / "gwosc" / next(iter(sorted((room.folder / "mirror" / "gwosc").iterdir()))).name
    data = bytearray(damaged.read_bytes())
    data[len(data) // 2] ^= 0xFF
    damaged.write_bytes(bytes(data))
    missing = next(room.folder.joinpath("mirror", "ztf_tns").iterdir())
    missing.unlink()
    problems = check_room(room.folder)
    assert f"{damaged} is damaged (size or SHA-256 differs from {MANIFEST})" in problems
    assert f"{missing} is missing" in problems
    assert main(["workshop", "check", str(room.folder)]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and str(damaged) in error and str(missing) in error


def test_the_cli_prepares_checks_and_prints_the_size(mirror, tmp_path, capsys):
    folder = tmp_path / "usb"
    assert main(["workshop", "prepare", str(folder)]) == 0
    out = capsys.readouterr().out
    files = json.loads((folder / MANIFEST).read_text())["files"]
    mib = sum(entry["bytes"] for entry in files.values()) / 2**20
    assert f"{len(files)} files, {mib:.1f} MiB" in out and f"MMLAB_DATA_MIRROR={folder / 'mirror'}" in out
    assert main(["workshop", "check", str(folder)]) == 0
    assert main(["workshop", "prepare", str(folder)]) == 0  # a prepared folder is refreshed


@pytest.mark.parametrize(("make", "message"), [
    (lambda path: path.write_text("notes"), "is a file, not a folder"),
    (lambda path: (path.mkdir(), (path / "thesis.tex").write_text("mine")), "holds files but no workshop.json"),
])
def test_prepare_refuses_a_file_or_someone_elses_folder(mirror, tmp_path, capsys, make, message):
    target = tmp_path / "target"
    make(target)
    assert main(["workshop", "prepare", str(target)]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and message in error and str(target) in error
    assert not (target / MANIFEST).exists() if target.is_dir() else target.read_text() == "notes"


def test_an_unfinished_folder_is_not_ready(room):
    (room.folder / MANIFEST).unlink()
    unfinished = f"{room.folder} has no {MANIFEST}: it was not made by mmlab workshop prepare, or not finished"
    assert check_room(room.folder) == [unfinished]
    (room.folder / MANIFEST).write_text("{not json")
    assert "is damaged" in check_room(room.folder)[0]


def test_check_without_a_folder_looks_at_the_cache_and_the_mirror(mirror, tmp_path, monkeypatch, capsys):
    assert check_room() == []
    monkeypatch.delenv("MMLAB_DATA_MIRROR")
    problems = check_room()
    assert len(problems) == len(ROOM_SOURCES) and all("(MMLAB_DATA_MIRROR unset)" in p for p in problems)
    assert main(["workshop", "check"]) == 2
    assert "no gwosc data in the cache" in capsys.readouterr().err
    with pytest.raises(FileNotFoundError, match="no gwosc, ccsn_3d, .* in the cache"):
        prepare_room(tmp_path / "never-made")
    assert not (tmp_path / "never-made").exists()
