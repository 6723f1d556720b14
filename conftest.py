"""pytest set-up for the tests and the doctests of src/: loaders read the offline mirror beside the checkout."""

import os
from pathlib import Path

SHARED_DATA = Path(__file__).resolve().parent.parent / "shared" / "data"

# Point the loaders at the offline mirror (../shared/data) unless the caller chose one.
if not os.environ.get("MMLAB_DATA_MIRROR") and SHARED_DATA.is_dir():
    os.environ["MMLAB_DATA_MIRROR"] = str(SHARED_DATA)

#: The slow tests, longest first, as (marker, name prefix), from a fresh-clone CI run of 2026-12-02 (617 tests,
#: 21 min): notebook 03 in JupyterLab 218 s and under papermill 213 s, 02 203 s and 206 s, 09 189 s and 149 s,
#: 08 138 s and 121 s, the Binder build 98 s, then 05, 07, 06 and 04 about a minute each way. 00 and 01 take
#: seconds. (Earlier runs on slower machines took up to three times as long, in the same order.)
LONGEST_FIRST = (
    ("browser", "03_"), ("notebook", "03_"), ("notebook", "02_"), ("browser", "02_"), ("browser", "09_"),
    ("notebook", "09_"), ("browser", "08_"), ("notebook", "08_"), ("binder", ""), ("browser", "05_"),
    ("notebook", "05_"), ("browser", "07_"), ("notebook", "07_"), ("browser", "06_"), ("notebook", "06_"),
    ("browser", "04_"), ("notebook", "04_"), ("browser", "dashboard"),
)
MARKERS = ("binder", "notebook", "browser")


def _run_order(item) -> tuple[int, int]:
    """The slow tests first, longest first; then the other notebook and browser tests; then the rest in collection
    order."""
    marker = next((name for name in MARKERS if item.get_closest_marker(name)), None)
    if marker is None:
        return 2, 0
    name = item.callspec.params.get("name", "") if hasattr(item, "callspec") else ""
    ranks = [rank for rank, (kind, prefix) in enumerate(LONGEST_FIRST) if kind == marker and name.startswith(prefix)]
    return (0, ranks[0]) if ranks else (1, 0)


def pytest_collection_modifyitems(items) -> None:
    """Start the longest tests first.

    `make test` runs pytest-xdist with ``--maxschedchunk 1``: each worker holds one test beside the one it runs and
    takes the next from the shared queue. With the ten-minute notebooks at the front the two workers share them
    out and end together; in collection order, xdist's contiguous chunks gave all notebooks to one worker, which
    ran 46 min while the other idled after 10.
    """
    items.sort(key=_run_order)
