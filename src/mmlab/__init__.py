"""mmlab: machine learning for multi-messenger astrophysics, in Jupyter.

Importing mmlab is light and silent: it fixes the Keras backend (TensorFlow)
and TensorFlow's log level for later, and loads neither Keras nor TensorFlow.
"""

from mmlab.config import configure_environment

configure_environment()

from mmlab.metrics import record  # noqa: E402
from mmlab.seeding import seed_everything  # noqa: E402
from mmlab.strain import Strain  # noqa: E402

__version__ = "0.1.0"

__all__ = ["Strain", "record", "seed_everything", "__version__"]
