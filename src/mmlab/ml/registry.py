"""Saved and shipped models: a Keras file and a model card side by side, checked against the data on loading.

Models trained in a notebook's full profile ship with mmlab (``pretrained/<study>/<model>.keras``
beside this module, each with its card), so a workshop can classify without training.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from mmlab.core.cache import DataFileError, atomic_write
from mmlab.core.config import import_keras

if TYPE_CHECKING:
    import keras

__all__ = ["PRETRAINED_DIR", "load_model", "load_pretrained", "pretrained_models", "save_model"]

#: Trained weights shipped with mmlab (``<study>/<model>.keras`` with cards), from the full-profile notebooks.
PRETRAINED_DIR = Path(__file__).parent / "pretrained"


def save_model(model: keras.Model, directory, card: dict, name: str | None = None) -> Path:
    """Save a trained model as ``<name>.keras`` with a model card ``<name>.card.json``, atomically.

    The architecture and weights are saved, not the optimizer's state (a
    third or less of the size): the loaded model predicts at once; compile
    it again to train it further.

    Parameters
    ----------
    model : keras.Model
        The trained model.
    directory : path-like
        Folder to write into (created if missing).
    card : dict
        What a user needs to trust it: at least ``data`` (the data-set or
        window configuration, or its key), and ``classes`` (names, in output
        order) for a classifier; metrics, profile and seed are welcome. The
        input shape, parameter count and package versions are added.
    name : str, optional
        Names the files and the card's ``model`` (default: the model's ``name``).

    Returns
    -------
    pathlib.Path
        The ``.keras`` file.
    """
    from mmlab import __version__

    keras = import_keras()
    missing = {"data"} - set(card)
    if missing:
        raise ValueError(f"the model card needs {sorted(missing)}, got keys {sorted(card)}")
    name = model.name if name is None else name
    if not name or "/" in name or name != name.strip():
        raise ValueError(f"a model file name must be a non-empty name without '/', got {name!r}")
    path = Path(directory) / f"{name}.keras"
    with atomic_write(path, None) as temporary:
        # Rebuilt from its config, uncompiled: keras.models.clone_model would compile the copy again, and the
        # optimizer's moments (twice the weights, for Adam) would be saved with it.
        weights_only = model.__class__.from_config(model.get_config())
        weights_only.set_weights(model.get_weights())
        weights_only.save(temporary)
    full_card = {**card, "model": name, "input_shape": list(model.input_shape[1:]),
                 "parameters": int(model.count_params()), "mmlab": __version__, "keras": keras.__version__}
    with atomic_write(path.with_name(f"{name}.card.json")) as handle:
        handle.write(json.dumps(full_card, indent=2, sort_keys=True) + "\n")
    return path


def load_model(
    path, input_shape: Sequence[int] | None = None, classes: Sequence[str] | None = None, data: dict | None = None,
) -> tuple[keras.Model, dict]:
    """Load a model saved by :func:`save_model`, checking it fits the data it will see.

    Parameters
    ----------
    path : path-like
        The ``.keras`` file (its card must sit beside it).
    input_shape : sequence of int, optional
        Shape of one sample of the data to classify.
    classes : sequence of str, optional
        Class names the caller expects, in order.
    data : dict, optional
        Entries the card's ``data`` must have (e.g. a
        :meth:`mmlab.studies.anomaly.WindowConfig.as_card`): a model made for other
        data is refused, not silently applied.

    Returns
    -------
    model : keras.Model
    card : dict

    Raises
    ------
    FileNotFoundError
        If the model or its card is missing.
    ValueError
        If the model was trained for another input shape, other classes or other data.
    """
    path = Path(path)
    card_path = path.with_name(path.name.removesuffix(".keras") + ".card.json")
    for needed in (path, card_path):
        if not needed.is_file():
            raise FileNotFoundError(f"no {'model' if needed == path else 'model card'} at {needed}")
    try:
        card = json.loads(card_path.read_text())
        if not isinstance(card, dict) or not {"input_shape", "data"} <= set(card):
            raise KeyError("input_shape and data")
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DataFileError(f"{card_path}: the model card is not JSON ({exc})") from None
    except KeyError as exc:
        found = sorted(card) if isinstance(card, dict) else type(card).__name__
        raise DataFileError(f"{card_path}: the model card lacks {exc}; found {found}") from None
    if input_shape is not None and list(input_shape) != card["input_shape"]:
        raise ValueError(f"{path.name} takes samples of shape {tuple(card['input_shape'])}, the data have "
                         f"{tuple(input_shape)}")
    if classes is not None and list(classes) != card.get("classes"):
        raise ValueError(f"{path.name} was trained for classes {card.get('classes')}, not {list(classes)}")
    for key, wanted in (data or {}).items():
        found = card["data"].get(key) if isinstance(card["data"], dict) else None
        if found != wanted:
            raise ValueError(f"{path.name} was trained on data with {key}={found!r}; these data have {key}={wanted!r}")
    keras = import_keras()
    try:
        return keras.models.load_model(path, compile=False), card
    except (OSError, ValueError, zipfile.BadZipFile) as exc:
        raise DataFileError(f"{path}: not a readable Keras model file ({type(exc).__name__}: {exc})") from None


def pretrained_models() -> list[str]:
    """Names of the shipped models, e.g. ``["ccsn/cnn1d", "ccsn/cnn2d", "ccsn/lstm"]``."""
    return sorted(str(p.relative_to(PRETRAINED_DIR).with_suffix("")) for p in PRETRAINED_DIR.glob("*/*.keras"))


def load_pretrained(name: str, input_shape: Sequence[int] | None = None, classes: Sequence[str] | None = None,
                    data: dict | None = None) -> tuple[keras.Model, dict]:
    """Load a model shipped with mmlab (trained in a notebook's full profile) and its card.

    Parameters
    ----------
    name : str
        One of :func:`pretrained_models`, e.g. ``"ccsn/lstm"``.
    input_shape, classes, data
        Checked against the card as in :func:`load_model`.

    Returns
    -------
    model : keras.Model
    card : dict

    Examples
    --------
    >>> model, card = load_pretrained("ccsn/lstm")
    >>> round(card["binary_accuracy"], 3)
    0.973
    """
    available = pretrained_models()
    if name not in available:
        raise ValueError(f"no shipped model {name!r}; the shipped models are {available}")
    return load_model(PRETRAINED_DIR / f"{name}.keras", input_shape, classes, data)
