"""Binder and Colab as a participant meets them: Binder's two files build an environment that runs the tour, and the
tour's first cell installs mmlab on Colab only."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
TOUR = ROOT / "notebooks" / "00_tour.ipynb"


def binder_environment() -> tuple[str, list[str]]:
    """The Python version and the pip list of binder/environment.yml."""
    dependencies = yaml.safe_load((ROOT / "binder" / "environment.yml").read_text())["dependencies"]
    python = next(d for d in dependencies if isinstance(d, str) and d.startswith("python="))
    return python.removeprefix("python="), next(d["pip"] for d in dependencies if isinstance(d, dict))


@pytest.mark.binder
def test_binder_files_build_an_environment_that_runs_the_tour(tmp_path):
    """As repo2docker does, with a venv in place of conda: the pip list of binder/environment.yml into a fresh
    environment, then binder/postBuild from the repository root, then the tour executed in that environment."""
    python, requirements = binder_environment()
    assert f"{sys.version_info.major}.{sys.version_info.minor}" == python, "run with the Python Binder pins"
    venv = tmp_path / "binder-env"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    try:
        run_tour_in(venv, requirements, tmp_path)
    finally:
        shutil.rmtree(venv)  # 3 GB, TensorFlow mostly


def run_tour_in(venv: Path, requirements: list[str], tmp_path: Path) -> None:
    """Binder's steps in ``venv``, then the tour, checked."""
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env |= {"PATH": f"{venv / 'bin'}{os.pathsep}{env['PATH']}", "VIRTUAL_ENV": str(venv)}
    subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", *requirements], env=env,
                   check=True)
    subprocess.run(["bash", "binder/postBuild"], cwd=ROOT, env=env, check=True)
    output = tmp_path / "build"
    run = subprocess.run([str(venv / "bin" / "mmlab"), "run", "00_tour", "--output", str(output)], env=env,
                         capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    (notebook,) = json.loads((output / "report.json").read_text())["notebooks"]
    assert notebook["status"] == "ok"
    # Abbott et al. 2016: L1 saw GW150914 6.9 +0.5/-0.4 ms before H1.
    assert 6.5 <= notebook["metrics"]["h1_l1_delay_ms"] <= 7.4


def colab_cell() -> str:
    cells = [c for c in json.loads(TOUR.read_text())["cells"] if c["cell_type"] == "code"]
    assert "colab-install" in cells[0]["metadata"]["tags"], "the tour's first code cell installs mmlab on Colab"
    return "".join(cells[0]["source"])


@pytest.mark.parametrize("on_colab", [True, False])
def test_the_tour_installs_mmlab_on_colab_only(on_colab, monkeypatch):
    calls = []
    monkeypatch.setattr(subprocess, "run", lambda args, check: calls.append(args))
    if on_colab:
        monkeypatch.setitem(sys.modules, "google.colab", type(sys)("google.colab"))
    else:
        monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    namespace = {}
    exec(colab_cell(), namespace)  # noqa: S102 - the notebook's own cell, with pip replaced
    if not on_colab:
        assert calls == []
        return
    (args,) = calls
    assert args[:4] == [sys.executable, "-m", "pip", "install"]
    # From the repository and branch the README's Binder badge builds.
    assert "mybinder.org/v2/gh/mmlab/mmlab/main" in (ROOT / "README.md").read_text()
    assert args[-1] == "mmlab @ git+https://github.com/mmlab/mmlab@main"
