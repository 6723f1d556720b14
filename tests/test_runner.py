"""The `mmlab` command and the papermill runner on small synthetic notebooks."""

import json
import subprocess
import sys

import nbformat
import pytest

from mmlab.lab.cli import main
from mmlab.lab.expectations import metric_checks
from mmlab.lab.report import render_html
from mmlab.lab.runner import resolve_notebooks, run_notebooks

REPORT_KEYS = {"name", "status", "wall_s", "peak_rss_mb", "metrics", "checks"}


def write_notebook(path, *sources):
    cells = [nbformat.v4.new_code_cell(source) for source in sources]
    cells[0].metadata["tags"] = ["parameters"]
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, path)
    return path


@pytest.fixture
def two_notebooks(tmp_path):
    good = write_notebook(
        tmp_path / "good.ipynb",
        'profile = "quick"',
        "import numpy as np, mmlab\nblock = np.ones(40 * 2**20 // 8)  # 40 MB\n"
        'mmlab.record("answer", 42)\nmmlab.record("profile_is_full", float(profile == "full"))',
    )
    bad = write_notebook(tmp_path / "bad.ipynb", 'profile = "quick"', 'raise RuntimeError("boom")')
    return good, bad


def test_report_schema_statuses_and_metrics(two_notebooks, tmp_path):
    report = run_notebooks(list(two_notebooks), profile="full", output_dir=tmp_path / "build", progress=False)
    assert report == json.loads((tmp_path / "build" / "report.json").read_text())
    assert report["profile"] == "full"
    good, bad = report["notebooks"]
    assert REPORT_KEYS <= set(good) and REPORT_KEYS <= set(bad)
    assert good["name"] == "good" and good["status"] == "ok"
    assert good["metrics"] == {"answer": 42.0, "profile_is_full": 1.0}  # the profile was injected
    assert good["checks"]["answer"] == {"value": 42.0, "unit": "", "expected": None, "pass": None}  # no range
    assert 40 < good["peak_rss_mb"] < 2000  # the kernel's peak, which held a 40 MB array
    assert good["wall_s"] > 0
    assert bad["status"] == "failed" and bad["error"] == "RuntimeError: boom"
    html = (tmp_path / "build" / "report.html").read_text()
    assert "RuntimeError: boom" in html and "answer" in html
    assert (tmp_path / "build" / "notebooks" / "good.html").is_file()


def test_report_shows_each_metric_with_its_unit_against_its_range():
    checks = metric_checks("00_tour", {"h1_l1_delay_ms": 6.9, "h1_l1_correlation": 0.2, "extra": 1.0})
    assert checks["h1_l1_delay_ms"] == {"value": 6.9, "unit": "ms", "expected": [6.5, 7.4], "pass": True}
    assert checks["h1_l1_correlation"]["pass"] is False  # GW150914's H1 and L1 are anti-correlated
    assert checks["h1_peak_offset_s"] == {"value": None, "unit": "s", "expected": [0.0, 0.02], "pass": False}
    assert checks["extra"] == {"value": 1.0, "unit": "", "expected": None, "pass": None}
    assert metric_checks("07_optical_transients", {})["aad_over_iforest_top100"]["expected"] == [1.8, None]
    # Ranges computed with numpy (binomial intervals) still give plain verdicts that report.json can hold.
    original = metric_checks("02_wavelet_detection_filter", {"efficiency_original_aligo_sine_gaussian_snr10": 0.96})
    assert original["efficiency_original_aligo_sine_gaussian_snr10"]["pass"] is True
    json.dumps(original)
    entry = {"name": "00_tour", "status": "ok", "wall_s": 1.0, "peak_rss_mb": 10.0, "metrics": {}, "checks": checks}
    page = render_html({"profile": "quick", "notebooks": [entry]})
    assert ("<span class='pass'>✓</span> <code>h1_l1_delay_ms</code> = 6.9 ms <small>(expected 6.5 to 7.4)</small>"
            in page)
    assert "<span class='fail'>✗</span> <code>h1_peak_offset_s</code> = not recorded s" in page
    assert "<code>extra</code> = 1</td>" in page  # a metric with no range: no verdict


def test_cli_exit_status_follows_failures(two_notebooks, tmp_path, capsys):
    good, bad = two_notebooks
    assert main(["run", str(good), "--output", str(tmp_path / "ok")]) == 0
    assert main(["run", str(good), str(bad), "--output", str(tmp_path / "ko")]) == 1
    assert "failed notebooks: bad" in capsys.readouterr().err


def test_missing_notebook_is_a_one_line_error_with_status_2(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "mmlab.lab.cli", "run", "nope.ipynb", "--output", str(tmp_path)],
        capture_output=True, text=True,
    )
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "nope.ipynb" in result.stderr and "not found" in result.stderr
    assert not (tmp_path / "report.json").exists()


def test_unknown_profile_lists_the_valid_ones(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["run", "--profile", "huge"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "invalid choice: 'huge'" in err and "quick" in err and "full" in err
    with pytest.raises(ValueError, match=r"profile must be one of \['quick', 'full'\], got 'huge'"):
        run_notebooks([], profile="huge")


def test_study_notebooks_resolve_by_name():
    assert [p.name for p in resolve_notebooks(["00_tour"])] == ["00_tour.ipynb"]


def test_data_commands(gw150914_h1_file, monkeypatch, isolated_cache, capsys):
    from mmlab.io import gwosc as io

    monkeypatch.delenv("MMLAB_DATA_MIRROR", raising=False)
    monkeypatch.setattr(io, "_gwosc_urls", lambda *args: [gw150914_h1_file.as_uri()])
    assert main(["data", "fetch", "GW150914", "--detectors", "H1"]) == 0
    assert main(["data", "list"]) == 0
    assert main(["data", "verify"]) == 0
    out = capsys.readouterr().out
    assert "gwosc/H-H1_LOSC_4_V2-1126259446-32.hdf5" in out and "0 problem(s)" in out
    cached = isolated_cache / "gwosc" / gw150914_h1_file.name
    cached.chmod(0o644)
    with open(cached, "r+b") as handle:  # flip bytes in the strain data
        handle.seek(600_000)
        handle.write(b"\x00" * 16)
    assert main(["data", "verify"]) == 1
    assert "CHANGED" in capsys.readouterr().out
    cached.unlink()
    assert main(["data", "verify"]) == 1
    assert "MISSING" in capsys.readouterr().out


def test_data_fetch_bad_detector_exits_2(capsys):
    assert main(["data", "fetch", "GW150914", "--detectors", "Q1"]) == 2
    assert "detector must be one of" in capsys.readouterr().err


def test_ctrl_c_stops_the_run_marks_the_notebook_and_writes_the_report(tmp_path):
    import signal
    import time

    started = tmp_path / "started"
    slow = write_notebook(tmp_path / "slow.ipynb", 'profile = "quick"',
                          f"import time\nopen({str(started)!r}, 'w').close()\ntime.sleep(120)")
    never = write_notebook(tmp_path / "never.ipynb", 'profile = "quick"', "1 + 1")
    run = subprocess.Popen([sys.executable, "-m", "mmlab.lab.cli", "run", str(slow), str(never), "--output",
                            str(tmp_path / "out")], stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not started.exists() and time.monotonic() < deadline and run.poll() is None:
        time.sleep(0.2)
    assert started.exists(), "the slow cell never started"
    run.send_signal(signal.SIGINT)
    _, err = run.communicate(timeout=120)
    assert run.returncode == 130, err
    assert "mmlab run: interrupted; 0 notebook(s) done" in err and "Traceback" not in err
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert [(e["name"], e["status"]) for e in report["notebooks"]] == [("slow", "interrupted")]


def test_report_says_which_code_ran_where_and_when(two_notebooks, tmp_path):
    import datetime
    import os

    good, _ = two_notebooks
    report = run_notebooks([good], output_dir=tmp_path / "out", progress=False)
    facts = report["run"]
    git = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, cwd=os.path.dirname(__file__))
    assert facts["git_commit"] == (git.stdout.strip() or None)
    assert facts["mmlab_version"] == __import__("importlib.metadata").metadata.version("mmlab")
    ran = datetime.datetime.strptime(facts["date"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
    assert abs((datetime.datetime.now(datetime.timezone.utc) - ran).total_seconds()) < 600
    assert f"{os.cpu_count()} CPUs" in facts["machine"]
    page = (tmp_path / "out" / "report.html").read_text()
    assert facts["date"] in page and "git commit" in page
