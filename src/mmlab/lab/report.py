"""The run report: ``report.json`` and its HTML mirror ``report.html``.

The report has the schema::

    {"profile": "quick",
     "notebooks": [{"name": "00_tour", "status": "ok" | "failed" | "interrupted", "wall_s": 12.3,
                    "peak_rss_mb": 412.0, "metrics": {"h1_l1_delay_ms": 7.2}}]}

A failed notebook also carries ``"error"`` (the exception's one-line summary).
"""

from __future__ import annotations

import html
import json
from pathlib import Path

from mmlab.core.cache import atomic_write

__all__ = ["render_html", "write_report"]


def write_report(report: dict, output_dir: Path) -> None:
    """Write ``report.json`` and ``report.html`` into ``output_dir`` (each atomically)."""
    with atomic_write(Path(output_dir) / "report.json") as handle:
        handle.write(json.dumps(report, indent=2) + "\n")
    with atomic_write(Path(output_dir) / "report.html") as handle:
        handle.write(render_html(report))


def render_html(report: dict) -> str:
    """A self-contained HTML page summarising a report, linking the executed notebooks."""
    rows = []
    for entry in report["notebooks"]:
        metrics = "<br>".join(
            f"<code>{html.escape(name)}</code> = {value:.6g}" for name, value in entry["metrics"].items()
        )
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
tr.ok td:nth-child(2) {{ color: #17702a; }} tr.failed td:nth-child(2) {{ color: #b00020; font-weight: bold; }}
</style></head><body>
<h1>mmlab run report</h1>
<p>Profile <b>{html.escape(report['profile'])}</b>: {len(report['notebooks'])} notebooks, {failed} failed.</p>
<table><tr><th>notebook</th><th>status</th><th>wall [s]</th><th>peak RSS [MB]</th><th>metrics</th></tr>
{''.join(rows)}
</table></body></html>
"""
