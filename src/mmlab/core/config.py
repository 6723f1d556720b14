"""Process-wide configuration: the Keras backend, TensorFlow's logging, data folders.

Importing this module sets environment variables only; it imports no heavy
library. Keras and TensorFlow read these variables when *they* are imported,
which mmlab defers until a model is built.

Environment variables
---------------------
MMLAB_DATA_DIR
    The local cache for downloads and generated data sets. Default: the
    ``data/`` folder of the source checkout when mmlab runs from one, else
    ``~/.cache/mmlab``.
MMLAB_DATA_MIRROR
    An offline mirror folder searched after the cache and before the network
    (tests and CI point it at ``../shared/data``). Unset or empty: no mirror.
"""

from __future__ import annotations

import contextlib
import os
import types
import warnings
from collections.abc import Iterator
from pathlib import Path

__all__ = [
    "KERAS_BACKEND", "MALLOC_ARENAS", "TF_CPP_MIN_LOG_LEVEL", "configure_environment", "data_dir", "import_keras",
    "mirror_dir", "release_memory", "search_folders", "silenced_stderr",
]

#: glibc malloc arenas allowed once TensorFlow starts (its default is eight per core, one per busy thread). TF's
#: worker threads otherwise scatter freed memory over many arenas that are never returned to the system: measured
#: here, eight refits of a small CNN grew a process from 950 to 1,380 MB; with 2 arenas, ``clear_session`` and
#: :func:`release_memory`, from 890 to 970 MB.
MALLOC_ARENAS = 2

#: Keras backend mmlab is built and measured on (fastest on CPU here).
KERAS_BACKEND = "tensorflow"

#: TensorFlow C++ log level that keeps INFO and WARNING lines out of notebooks.
TF_CPP_MIN_LOG_LEVEL = "3"

#: The checkout root when mmlab is imported from its source tree (editable install).
_CHECKOUT_ROOT = Path(__file__).resolve().parents[3]


def configure_environment() -> None:
    """Fix the Keras backend and quieten TensorFlow before either is imported.

    An explicit ``KERAS_BACKEND`` already in the environment is overridden: the
    models, benchmarks and published figures of mmlab assume TensorFlow.
    ``TF_CPP_MIN_LOG_LEVEL`` is set only where the user has not chosen a level.
    LALSuite's notice that it redirects its C output into Jupyter (which it
    prints as a warning on first import in a notebook) is silenced; the
    redirection itself stays on, so LAL's error messages still reach the cell.
    """
    os.environ["KERAS_BACKEND"] = KERAS_BACKEND
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", TF_CPP_MIN_LOG_LEVEL)
    warnings.filterwarnings("ignore", message="Wswiglal-redir-stdio")


@contextlib.contextmanager
def silenced_stderr() -> Iterator[None]:
    """Redirect file descriptor 2 to ``/dev/null`` for the duration of the block.

    TensorFlow's C++ runtime writes start-up lines (CUDA probes, oneDNN notices)
    straight to fd 2, below Python's ``sys.stderr``, so only a descriptor-level
    redirect keeps them out of notebook outputs. Python exceptions raised in the
    block still propagate normally.
    """
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def import_keras() -> types.ModuleType:
    """Import and return :mod:`keras` with the TensorFlow backend and no stderr noise.

    Returns
    -------
    module
        The :mod:`keras` package.
    """
    import logging

    configure_environment()
    _libc_call("mallopt", -8, MALLOC_ARENAS)  # M_ARENA_MAX, before TensorFlow starts its threads
    with silenced_stderr():
        import keras
        import tensorflow  # noqa: F401  (initialise the runtime while silenced)
    # TensorFlow's Python warnings ("triggered tf.function retracing" when a notebook predicts with
    # several models) go to the "tensorflow" logger and into notebook outputs; errors still show.
    logging.getLogger("tensorflow").setLevel(logging.ERROR)
    from mmlab.core.seeding import seed_keras

    seed_keras()
    return keras


def _libc_call(name: str, *arguments: int) -> None:
    """Call a glibc function where there is one (Linux); elsewhere do nothing."""
    import ctypes
    import ctypes.util

    library = ctypes.util.find_library("c")
    function = getattr(ctypes.CDLL(library), name, None) if library else None
    if function is not None:
        function(*arguments)


def release_memory() -> None:
    """Forget Keras's global state (old models' graphs) and hand freed heap memory back to the system.

    For loops that build many networks (active learning); models still referenced keep working.
    """
    import gc

    import_keras().backend.clear_session()
    gc.collect()
    _libc_call("malloc_trim", 0)


def data_dir() -> Path:
    """Return the local cache folder (created if missing).

    Returns
    -------
    pathlib.Path
        ``$MMLAB_DATA_DIR`` if set, else the checkout's ``data/`` folder when
        mmlab runs from its source tree, else ``~/.cache/mmlab``.
    """
    configured = os.environ.get("MMLAB_DATA_DIR", "").strip()
    if configured:
        path = Path(configured).expanduser()
    elif (_CHECKOUT_ROOT / "pyproject.toml").is_file() and (_CHECKOUT_ROOT / "data").is_dir():
        path = _CHECKOUT_ROOT / "data"
    else:
        path = Path.home() / ".cache" / "mmlab"
    path.mkdir(parents=True, exist_ok=True)
    return path


def mirror_dir() -> Path | None:
    """Return the offline mirror folder named by ``MMLAB_DATA_MIRROR``, if any.

    Returns
    -------
    pathlib.Path or None
        The mirror folder, or None when the variable is unset or empty.

    Raises
    ------
    FileNotFoundError
        If the variable names a folder that does not exist.
    """
    configured = os.environ.get("MMLAB_DATA_MIRROR", "").strip()
    if not configured:
        return None
    path = Path(configured).expanduser()
    if not path.is_dir():
        raise FileNotFoundError(
            f"MMLAB_DATA_MIRROR={configured!r} is not an existing folder; "
            "point it at a mirror of the data (for example ../shared/data) or unset it"
        )
    return path


def search_folders(kind: str) -> list[Path]:
    """Where the loaders look for files of one source, in order: the cache's folder, then the mirror's.

    Parameters
    ----------
    kind : str
        The source's folder name (``"gwosc"``, ``"ccsn_3d"``, ``"swift_xrt/PC"``).

    Returns
    -------
    list of pathlib.Path
        ``<data_dir>/<kind>`` and, when a mirror is set, ``<mirror>/<kind>``
        (folders that may not exist).
    """
    folders = [data_dir() / kind]
    mirror = mirror_dir()
    if mirror is not None:
        folders.append(mirror / kind)
    return folders
