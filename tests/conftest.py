"""Shared fixtures: an isolated cache per test and the offline data mirror (set up by the root conftest.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path_factory, monkeypatch) -> Path:
    """Every test gets an empty cache folder, so none sees another's downloads."""
    cache = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("MMLAB_DATA_DIR", str(cache))
    return cache


@pytest.fixture
def mirror() -> Path:
    """The offline mirror of real data (../shared/data); skip where it is absent."""
    configured = os.environ.get("MMLAB_DATA_MIRROR")
    if not configured or not Path(configured).is_dir():
        pytest.skip("no offline data mirror: set MMLAB_DATA_MIRROR or put shared/data beside the checkout")
    return Path(configured)


@pytest.fixture
def gw150914_h1_file(mirror) -> Path:
    return mirror / "gwosc" / "H-H1_LOSC_4_V2-1126259446-32.hdf5"
