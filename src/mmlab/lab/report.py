"""The run report: ``report.json`` and its HTML mirror ``report.html``.

The report has the schema::

    {"profile": "quick",
     "run": {"mmlab_version": "0.1.0", "git_commit": "6531934…" | null, "date": "2026-12-01T15:49:28Z",
             "machine": "host, Linux x86_64, 2 CPUs, 24.0 GiB", "python": "3.11.7"},
     "notebooks": [{"name": "00_tour", "status": "ok" | "failed" | "interrupted", "wall_s": 12.3,
                    "peak_rss_mb": 412.0, "metrics": {"h1_l1_delay_ms": 7.2},
                    "checks": {"h1_l1_delay_ms": {"value": 7.2, "unit": "ms", "expected": [6.5, 7.4],
                                                  "pass": true}}}]}

A failed notebook also carries ``"error"`` (the exception's one-line summary). ``checks`` holds each metric
against its quick-profile range (:mod:`mmlab.lab.expectations`); a full-profile run is shown against the same
ranges, which its larger samples should meet too.
"""

from __future__ import annotations

import html
import json
import os
from pathlib import Path

from mmlab.core.cache import atomic_write

__all__ = ["render_html", "run_facts", "write_report"]


def run_facts(source_dir: Path | None = None) -> dict:
    """What a reader needs to place a run: mmlab's version, the git commit, the date (UTC) and the machine.

    Parameters
    ----------
    source_dir : pathlib.Path, optional
        A folder of the checkout (default: this package's); the commit is ``None`` outside git.
    """
    import datetime
    import platform
    import subprocess
    from importlib.metadata import PackageNotFoundError, version

    import psutil

    try:
        mmlab_version = version("mmlab")
    except PackageNotFoundError:
        mmlab_version = "unknown"
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=source_dir or Path(__file__).parent,
                                capture_output=True, text=True, timeout=10, check=True).stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        commit = None
    memory = psutil.virtual_memory().total / 2**30
    return {
        "mmlab_version": mmlab_version, "git_commit": commit,
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": f"{platform.node()}, {platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, "
                   f"{memory:.1f} GiB",
        "python": platform.python_version(),
    }


def write_report(report: dict, output_dir: Path) -> None:
    """Write ``report.json`` and ``report.html`` into ``output_dir`` (each atomically)."""
    with atomic_write(Path(output_dir) / "report.json") as handle:
        handle.write(json.dumps(report, indent=2) + "\n")
    with atomic_write(Path(output_dir) / "report.html") as handle:
        handle.write(render_html(report))


def _facts_html(facts: dict) -> str:
    if not facts:
        return ""
    items = "".join(f"<li>{html.escape(k.replace('_', ' '))}: <code>{html.escape(str(v))}</code></li>"
                    for k, v in facts.items())
    return f"<ul>{items}</ul>"


def _check_html(name: str, check: dict) -> str:
    """One metric: its value and unit, and where it has one its quick-profile range, passed or failed."""
    value = "not recorded" if check["value"] is None else f"{check['value']:.6g}"
    text = f"<code>{html.escape(name)}</code> = {value} {html.escape(check.get('unit') or '')}".rstrip()
    if check.get("expected") is None:
        return text
    low, high = (("−∞", "∞")[i] if bound is None else f"{bound:.6g}" for i, bound in enumerate(check["expected"]))
    verdict = "<span class='pass'>✓</span>" if check["pass"] else "<span class='fail'>✗</span>"
    return f"{verdict} {text} <small>(expected {low} to {high})</small>"


def render_html(report: dict) -> str:
    """A self-contained HTML page summarising a report, linking the executed notebooks."""
    rows = []
    for entry in report["notebooks"]:
        checks = entry.get("checks") or {name: {"value": value} for name, value in entry["metrics"].items()}
        metrics = "<br>".join(_check_html(name, check) for name, check in checks.items())
        error = f"<br><small>{html.escape(entry['error'])}</small>" if entry.get("error") else ""
        rows.append(
            f"<tr class='{entry['status']}'><td><a href='notebooks/{html.escape(entry['name'])}.html'>"
            f"{html.escape(entry['name'])}</a></td><td>{entry['status']}{error}</td>"
            f"<td>{entry['wall_s']:.1f}</td><td>{entry['peak_rss_mb']:.0f}</td><td>{metrics}</td></tr>"
        )
    failed = sum(entry["status"] != "ok" for entry in report["notebooks"])
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>mmlab run report</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em; }}
table {{ border-collapse: collapse; }} td, th {{ border: 1px solid #ccc; padding: 0.4em 0.8em; vertical-align: top; }}
.pass {{ color: #17702a; }} .fail {{ color: #b00020; font-weight: bold; }}
tr.ok td:nth-child(2) {{ color: #17702a; }} tr.failed td:nth-child(2) {{ color: #b00020; font-weight: bold; }}
</style></head><body>
<h1>mmlab run report</h1>
<p>Profile <b>{html.escape(report['profile'])}</b>: {len(report['notebooks'])} notebooks, {failed} failed.</p>
{_facts_html(report.get("run") or dict())}
<table><tr><th>notebook</th><th>status</th><th>wall [s]</th><th>peak RSS [MB]</th><th>metrics (✓/✗: within the
quick profile's expected range or not)</th></tr>
{''.join(rows)}
</table></body></html>
"""
