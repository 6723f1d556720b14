"""The dependency lists agree, and the README's commands are the ones CI and Binder use."""

import re
from pathlib import Path

import tomllib
import yaml

ROOT = Path(__file__).resolve().parents[1]


def pyproject():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def pip_list(environment_file):
    environment = yaml.safe_load((ROOT / environment_file).read_text())
    pip_entries = next(d["pip"] for d in environment["dependencies"] if isinstance(d, dict))
    return [entry for entry in pip_entries if not entry.startswith("-e")]


def test_environment_files_repeat_pyproject_dependencies():
    dependencies = pyproject()["project"]["dependencies"]
    assert pip_list("environment.yml") == dependencies
    assert pip_list("binder/environment.yml") == dependencies


def test_required_dependencies_are_declared():
    names = {re.split(r"[<>=;! ]", d)[0].lower() for d in pyproject()["project"]["dependencies"]}
    required = {"numpy", "scipy", "pywavelets", "keras", "tensorflow-cpu", "plotly", "ipywidgets",
                "astropy", "papermill", "jupyterlab", "h5py", "tqdm", "lalsuite", "gwosc"}
    assert required <= names


def test_binder_installs_mmlab():
    post_build = (ROOT / "binder" / "postBuild").read_text()
    assert "pip install" in post_build and "-e ." in post_build
    assert (ROOT / "binder" / "postBuild").stat().st_mode & 0o111


def test_readme_commands_exist_in_makefile_and_ci():
    readme = (ROOT / "README.md").read_text()
    makefile = (ROOT / "Makefile").read_text()
    for command in ("make run", "make test", "make lab"):
        assert command in readme
        assert re.search(rf"^{command.split()[1]}:", makefile, re.MULTILINE)
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    assert pyproject()["project"]["scripts"]["mmlab"] == "mmlab.lab.cli:main"
