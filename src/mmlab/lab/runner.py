"""Headless execution of the study notebooks: papermill parameters, nbclient execution, peak memory.

:func:`run_notebooks` executes notebooks one after another and writes the run
report (:mod:`mmlab.lab.report`).
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from mmlab.core.cache import atomic_write
from mmlab.core.profiles import check_profile
from mmlab.lab.report import run_facts, write_report

__all__ = ["NOTEBOOK_DIR", "STUDY_NOTEBOOKS", "NotebookNotFoundError", "NotebookResult", "resolve_notebooks",
           "run_notebook", "run_notebooks"]

#: The study notebooks, in the order they run: the one list the runner and the
#: tests use (a test checks that every notebook in ``notebooks/`` is on it).
STUDY_NOTEBOOKS = (
    "00_tour.ipynb",
    "01_signals_and_noise.ipynb",
    "02_wavelet_detection_filter.ipynb",
    "03_ccsn_classification.ipynb",
    "04_anomaly_autoencoder.ipynb",
    "05_multimodal_gw_grb.ipynb",
    "06_realtime_stream.ipynb",
    "07_optical_transients.ipynb",
    "08_gw_representation.ipynb",
    "09_strong_lenses.ipynb",
)

#: Folder of the study notebooks in a source checkout.
NOTEBOOK_DIR = Path(__file__).resolve().parents[3] / "notebooks"


class NotebookNotFoundError(FileNotFoundError):
    """A notebook named on the command line does not exist."""


@dataclass
class NotebookResult:
    """Outcome of executing one notebook (one entry of the report)."""

    name: str
    status: str
    wall_s: float
    peak_rss_mb: float
    metrics: dict[str, float] = field(default_factory=dict)
    error: str | None = None


def resolve_notebooks(names: Sequence[str] = (), notebook_dir: Path = NOTEBOOK_DIR) -> list[Path]:
    """Turn command-line names into notebook paths.

    Parameters
    ----------
    names : sequence of str
        Paths, or names of study notebooks with or without ``.ipynb``
        (``00_tour``); empty means every entry of :data:`STUDY_NOTEBOOKS`.
    notebook_dir : pathlib.Path
        Where study notebooks are looked up by name.

    Returns
    -------
    list of pathlib.Path

    Raises
    ------
    NotebookNotFoundError
        Naming the first argument that is neither an existing ``.ipynb`` file
        nor a notebook in ``notebook_dir``.
    """
    if not names:
        names = STUDY_NOTEBOOKS
    paths = []
    for name in names:
        candidates = [Path(name), notebook_dir / name, notebook_dir / f"{name}.ipynb"]
        found = next((p for p in candidates if p.suffix == ".ipynb" and p.is_file()), None)
        if found is None:
            raise NotebookNotFoundError(
                f"notebook {name!r} not found (looked for it as a path and in {notebook_dir})"
            )
        paths.append(found)
    return paths


def _process_peak_rss(pid: int) -> int:
    """Peak resident memory of a live process in bytes (VmHWM on Linux, else current RSS)."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    import psutil

    return psutil.Process(pid).memory_info().rss


class _PeakMemoryMonitor:
    """Samples the peak resident memory of this process's children (the kernel) in a thread."""

    def __init__(self, interval_s: float = 0.1):
        self.interval_s = interval_s
        self.peak_bytes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> None:
        import psutil

        for child in psutil.Process().children(recursive=True):
            try:
                self.peak_bytes = max(self.peak_bytes, _process_peak_rss(child.pid))
            except (OSError, psutil.Error):
                continue  # the child ended between listing and reading

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            self._sample()

    def __enter__(self) -> _PeakMemoryMonitor:
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        self._thread.join()


def _execute(notebook, path: Path, executed: Path, progress: bool, interrupt: _InterruptWatch | None = None) -> None:
    """Run every cell of a parameterised notebook in one kernel session.

    papermill injects the parameters; nbclient executes all cells inside one
    event loop. (papermill's own executor runs each cell in a separate
    ``run_sync`` call, and with ipykernel 6.31 and 7.x it intermittently
    waited forever for a reply the kernel had already sent: 3 of 8 runs of
    ``00_tour`` hung, against 0 of 10 with nbclient alone.) The notebook is
    written to ``executed`` whatever happens, showing the failing cell.
    """
    import nbformat
    from nbclient import NotebookClient
    from tqdm.auto import tqdm

    code_cells = sum(cell.cell_type == "code" for cell in notebook.cells)
    bar = tqdm(total=code_cells, desc=path.stem, unit="cell", leave=False, disable=not progress, file=sys.stderr)
    client = NotebookClient(
        notebook, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}},
        store_widget_state=False,  # widget state would repeat every live figure's data
        on_cell_executed=lambda cell, cell_index, execute_reply: bar.update(1),
    )
    if interrupt is not None:
        # nbclient replaces SIGINT handlers with its own event-loop handler while the kernel runs;
        # this one, added after it, notes the Ctrl-C and shuts the kernel down, so execute() stops.
        def watch_sigint(notebook) -> None:
            def on_sigint() -> None:
                interrupt.hit = True
                asyncio.ensure_future(client.km.shutdown_kernel(now=True))

            try:
                asyncio.get_event_loop().add_signal_handler(signal.SIGINT, on_sigint)
            except RuntimeError:  # not the main thread
                pass

        client.on_notebook_start = watch_sigint
    try:
        client.execute()
    finally:
        bar.close()
        with atomic_write(executed) as handle:
            handle.write(nbformat.writes(notebook))


def run_notebook(path: Path, profile: str, output_dir: Path, progress: bool = True) -> NotebookResult:
    """Execute one notebook in a profile.

    Parameters
    ----------
    path : pathlib.Path
        The notebook; it runs with its own folder as working directory.
    profile : str
        Injected by papermill as the ``profile`` parameter.
    output_dir : pathlib.Path
        The executed notebook is written to ``output_dir/notebooks/<name>.ipynb``
        (also when it fails, showing the failing cell) and rendered beside it as HTML.
    progress : bool
        Show a progress bar over the notebook's code cells.

    Returns
    -------
    NotebookResult
    """
    import nbformat
    import papermill
    from nbclient.exceptions import CellExecutionError

    from mmlab.core.metrics import read_metrics

    check_profile(profile)
    executed = output_dir / "notebooks" / path.name
    executed.parent.mkdir(parents=True, exist_ok=True)
    status, error = "ok", None
    # Figures carry their HTML too (plotly.js embedded once), so the exported page shows them.
    os.environ.setdefault("PLOTLY_RENDERER", "plotly_mimetype+notebook")
    start = time.perf_counter()
    with _PeakMemoryMonitor() as memory, _InterruptWatch() as interrupt:
        try:
            notebook = papermill.execute_notebook(
                str(path), None, parameters={"profile": profile}, prepare_only=True, progress_bar=False
            )
            _execute(notebook, path, executed, progress, interrupt)
        except KeyboardInterrupt:
            pass  # recorded below
        except CellExecutionError as exc:
            status, error = "failed", f"{exc.ename}: {exc.evalue}"
        except Exception as exc:  # kernel died, unreadable notebook, ...
            status, error = "failed", f"{type(exc).__name__}: {exc}"
    if interrupt.hit:
        # Ctrl-C reaches the kernel too, whose cell then fails: the cause is the interruption, not that cell.
        status, error = "interrupted", "interrupted by Ctrl-C"
    wall_s = time.perf_counter() - start
    metrics = {}
    if executed.is_file():
        notebook = nbformat.read(executed, as_version=4)
        metrics = read_metrics(notebook)
        _export_html(notebook, executed.with_suffix(".html"))
    return NotebookResult(
        name=path.stem, status=status, wall_s=round(wall_s, 3),
        peak_rss_mb=round(memory.peak_bytes / 2**20, 1), metrics=metrics, error=error,
    )


def run_notebooks(
    notebooks: Sequence[Path], profile: str = "quick", output_dir: Path = Path("build"), progress: bool = True
) -> dict:
    """Execute notebooks one after another and write the report.

    Parameters
    ----------
    notebooks : sequence of pathlib.Path
        Notebooks to run (see :func:`resolve_notebooks`).
    profile : str
        One of :data:`mmlab.core.profiles.PROFILES`.
    output_dir : pathlib.Path
        Receives ``notebooks/``, ``report.json`` and ``report.html``.
    progress : bool
        Show progress bars (notebooks done / total, and cells of the current one).

    Returns
    -------
    dict
        The report (see :mod:`mmlab.lab.report`).
    """
    from tqdm.auto import tqdm

    check_profile(profile)
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    results = []
    bar = tqdm(notebooks, desc="notebooks", unit="nb", disable=not progress, file=sys.stderr)
    for path in bar:
        bar.set_postfix_str(path.stem)
        result = run_notebook(Path(path), profile, output_dir, progress=progress)
        results.append(result)
        bar.write(
            f"{result.name}: {result.status} in {result.wall_s:.1f} s, peak {result.peak_rss_mb:.0f} MB"
            + (f" - {result.error}" if result.error else ""),
            file=sys.stderr,
        )
        if result.status == "interrupted":
            break
    report = {"profile": profile, "run": run_facts(), "notebooks": [_entry(r) for r in results]}
    write_report(report, output_dir)
    return report


class _InterruptWatch:
    """Notes a Ctrl-C (SIGINT) while a notebook runs, and lets it interrupt as usual (main thread only)."""

    def __enter__(self) -> _InterruptWatch:
        self.hit, self._previous = False, None
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def _handle(self, signum, frame) -> None:
        self.hit = True
        raise KeyboardInterrupt

    def __exit__(self, *exc_info) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)


def _export_html(notebook, path: Path) -> None:
    """Render an executed notebook as a standalone HTML page (figures included, metric outputs left out)."""
    import copy

    from nbconvert import HTMLExporter

    from mmlab.core.metrics import METRIC_MIMETYPE

    page = copy.deepcopy(notebook)
    for cell in page.cells:
        if "outputs" in cell:
            cell.outputs = [o for o in cell.outputs if set(o.get("data", {})) != {METRIC_MIMETYPE}]
    body, _ = HTMLExporter().from_notebook_node(page)
    with atomic_write(path) as handle:
        handle.write(body)


def _entry(result: NotebookResult) -> dict:
    entry = asdict(result)
    if entry["error"] is None:
        del entry["error"]
    from mmlab.lab.expectations import metric_checks

    entry["checks"] = metric_checks(result.name, result.metrics)
    return entry
