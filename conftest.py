"""pytest set-up for the tests and the doctests of src/: loaders read the offline mirror beside the checkout."""

import os
from pathlib import Path

SHARED_DATA = Path(__file__).resolve().parent.parent / "shared" / "data"

# Point the loaders at the offline mirror (../shared/data) unless the caller chose one.
if not os.environ.get("MMLAB_DATA_MIRROR") and SHARED_DATA.is_dir():
    os.environ["MMLAB_DATA_MIRROR"] = str(SHARED_DATA)

#: The slow tests by run time, longest first (fresh-clone CI runs, 2026-12-02): notebook 03 11 min, 02 6-10 min, 08
#: and 09 about 7 min, the Binder build 4-5 min, 05 and 04 about 3 min, 07 and 06 under 3 min; 00 and 01 seconds.
LONGEST_FIRST = ("03_", "02_", "08_", "09_", "binder", "05_", "04_", "07_", "06_")


def _run_order(item) -> tuple[int, int]:
    """Notebooks and the Binder build first (longest first), then the browser tests, then the rest in collection
    order."""
    if item.get_closest_marker("binder") or item.get_closest_marker("notebook"):
        name = "binder" if item.get_closest_marker("binder") else item.callspec.params["name"]
        ranks = [rank for rank, prefix in enumerate(LONGEST_FIRST) if name.startswith(prefix)]
        return 0, ranks[0] if ranks else len(LONGEST_FIRST)
    if item.get_closest_marker("browser"):
        return 1, 0
    return 2, 0


def pytest_collection_modifyitems(items) -> None:
    """Start the longest tests first.

    `make test` runs pytest-xdist with ``--maxschedchunk 1``: each worker holds one test beside the one it runs and
    takes the next from the shared queue. With the ten-minute notebooks at the front the two workers share them
    out and end together; in collection order, xdist's contiguous chunks gave all notebooks to one worker, which
    ran 46 min while the other idled after 10.
    """
    items.sort(key=_run_order)
