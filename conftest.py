"""pytest set-up for the tests and the doctests of src/: loaders read the offline mirror beside the checkout."""

import os
from pathlib import Path

SHARED_DATA = Path(__file__).resolve().parent.parent / "shared" / "data"

# Point the loaders at the offline mirror (../shared/data) unless the caller chose one.
if not os.environ.get("MMLAB_DATA_MIRROR") and SHARED_DATA.is_dir():
    os.environ["MMLAB_DATA_MIRROR"] = str(SHARED_DATA)

#: The slow tests, longest first, as (marker, name prefix): fresh-clone CI runs and runs here, 2026-12-02. Notebook 03
#: takes 11 min under papermill, 02 6-10, 08 and 09 about 7, the Binder build 4-5; in JupyterLab (its own empty
#: cache) 03 4 min, 02 3, 09 and 08 2; then 05 and 04 about 3 min under papermill, 07 and 06 under 3, and about a
#: minute each in the browser. 00 and 01 take seconds.
LONGEST_FIRST = (
    ("notebook", "03_"), ("notebook", "02_"), ("notebook", "08_"), ("notebook", "09_"), ("binder", ""),
    ("browser", "03_"), ("browser", "02_"), ("notebook", "05_"), ("notebook", "04_"), ("notebook", "07_"),
    ("notebook", "06_"), ("browser", "09_"), ("browser", "08_"), ("browser", "05_"), ("browser", "04_"),
    ("browser", "06_"), ("browser", "dashboard"), ("browser", "07_"),
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
