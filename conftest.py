"""pytest set-up for the tests and the doctests of src/: loaders read the offline mirror beside the checkout."""

import os
from pathlib import Path

SHARED_DATA = Path(__file__).resolve().parent.parent / "shared" / "data"

# Point the loaders at the offline mirror (../shared/data) unless the caller chose one.
if not os.environ.get("MMLAB_DATA_MIRROR") and SHARED_DATA.is_dir():
    os.environ["MMLAB_DATA_MIRROR"] = str(SHARED_DATA)
