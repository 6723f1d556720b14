"""mmlab: machine learning for multi-messenger astrophysics, in Jupyter.

Importing mmlab is light and silent: it fixes the Keras backend (TensorFlow)
and TensorFlow's log level for later, and loads neither Keras nor TensorFlow.

The package is layered; a module imports only from its own layer or those
below it (``lint-imports`` checks it): :mod:`mmlab.core` → :mod:`mmlab.io` →
:mod:`mmlab.signals` → :mod:`mmlab.gw` → :mod:`mmlab.wdf` → :mod:`mmlab.ml`
→ :mod:`mmlab.viz` → :mod:`mmlab.studies` → :mod:`mmlab.lab`.
"""

from mmlab.core.config import configure_environment

configure_environment()

from mmlab.core.metrics import record  # noqa: E402
from mmlab.core.seeding import seed_everything  # noqa: E402
from mmlab.core.strain import Strain  # noqa: E402

__version__ = "0.1.0"

__all__ = ["Strain", "__version__", "record", "seed_everything"]
