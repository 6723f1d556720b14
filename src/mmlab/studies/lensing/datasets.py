"""Cutouts of the strong-lens study: lenses and look-alikes in KiDS-like u, g, r, i, with their parameters.

Scenes come from :func:`mmlab.signals.lenses.draw_scenes` and are observed with
:func:`mmlab.signals.lens_images.render_scenes`; the data set is cached with
:class:`mmlab.core.cache.CachedDataset` (the same configuration rebuilds the same
bytes). Images are stored in units of each band's sky noise; :func:`stretch` gives
the networks their input, an asinh stretch (Lupton et al. 2004) that keeps faint
arcs and bright galaxy cores within a few units.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np

from mmlab.core.cache import CachedDataset
from mmlab.core.seeding import as_generator
from mmlab.core.validation import check_integer, check_positive
from mmlab.signals.lens_images import render_scenes
from mmlab.signals.lenses import SCENE_COLUMNS, LensPopulation, LensSurvey, draw_scenes

__all__ = ["FLOAT16_LIMIT", "LensConfig", "LensDataset", "load_lens_dataset", "stretch"]

#: Pixels are clipped to this many sky σ before being stored as float16 (whose largest number is 65504); the
#: brightest galaxy cores of the default population reach about a thousand.
FLOAT16_LIMIT = 6.0e4


@dataclass(frozen=True)
class LensConfig:
    """A lens data set: how many cutouts of each subset, drawn and observed how.

    Attributes
    ----------
    n_train, n_validation, n_test : int
        Cutouts per subset (half of them lenses by default).
    survey : LensSurvey
    population : LensPopulation
    seed : int
    """

    n_train: int = 2000
    n_validation: int = 400
    n_test: int = 1000
    survey: LensSurvey = field(default_factory=LensSurvey)
    population: LensPopulation = field(default_factory=LensPopulation)
    seed: int = 2026

    def __post_init__(self) -> None:
        for name in ("n_train", "n_validation", "n_test"):
            check_integer(name, getattr(self, name), 1)
        check_integer("seed", self.seed)

    @property
    def n_total(self) -> int:
        """Cutouts in all subsets."""
        return self.n_train + self.n_validation + self.n_test


@dataclass(frozen=True)
class LensDataset(CachedDataset):
    """Cutouts, their scene parameters and the split.

    Attributes
    ----------
    config : LensConfig
    images : numpy.ndarray
        ``(n, n_pixels, n_pixels, n_bands)`` in units of each band's sky noise, stored as float16 (a relative
        precision of 5e-4, far below the noise; half the memory and disk of float32).
    scenes : dict
        :data:`mmlab.signals.lenses.SCENE_COLUMNS` arrays (``label`` 1 for lenses, ``theta_e`` in arcsec).
    subset : numpy.ndarray
        0 train, 1 validation, 2 test.
    """

    config: LensConfig
    images: np.ndarray
    scenes: dict
    subset: np.ndarray

    kind: ClassVar[str] = "lenses"
    format_version: ClassVar[int] = 1
    packages: ClassVar[tuple[str, ...]] = ("numpy", "scipy", "lenstronomy")

    @property
    def label(self) -> np.ndarray:
        """1 for a lens, 0 otherwise."""
        return self.scenes["label"]

    @classmethod
    def build(cls, config: LensConfig, progress: bool = True) -> LensDataset:
        """Draw and observe the scenes of ``config``: train, validation and test in that order."""
        rng = as_generator(config.seed)
        scenes = draw_scenes(config.n_total, config.population, rng)
        images = render_scenes(scenes, config.survey, rng, progress=progress)
        images = np.clip(images, -FLOAT16_LIMIT, FLOAT16_LIMIT, out=images).astype(np.float16)
        subset = np.repeat([0, 1, 2], [config.n_train, config.n_validation, config.n_test])
        return cls(config, images, scenes, subset)

    def to_arrays(self) -> dict[str, np.ndarray]:
        """Images, split and every scene column."""
        return {"images": self.images, "subset": self.subset, **self.scenes}

    @classmethod
    def from_arrays(cls, config: LensConfig, arrays: dict[str, np.ndarray]) -> LensDataset:
        """The data set from its stored arrays."""
        return cls(config, arrays["images"], {name: arrays[name] for name in SCENE_COLUMNS}, arrays["subset"])


def load_lens_dataset(config: LensConfig = LensConfig(), progress: bool = True) -> LensDataset:
    """The data set of ``config``, from the cache or simulated (and cached)."""
    return LensDataset.load(config, progress=progress)


def stretch(images: np.ndarray, softening: float = 3.0, dtype: type = np.float32) -> np.ndarray:
    """Network input: ``asinh(images / softening)`` (linear within a few σ of the sky, logarithmic above).

    Parameters
    ----------
    images : numpy.ndarray
        Cutouts in units of the sky noise (any float type).
    softening : float
        Where the stretch turns from linear to logarithmic, in sky σ.
    dtype : numpy dtype
        Of the result: float16 halves the memory of a large set (the networks cast each batch to float32).

    Returns
    -------
    numpy.ndarray
    """
    check_positive("softening", softening)
    images = np.asarray(images)
    if images.ndim != 4:
        raise ValueError(f"images must be (n, height, width, bands), got shape {images.shape}")
    if not np.all(np.isfinite(images)):
        bad = np.argwhere(~np.isfinite(images))[0]
        raise ValueError(f"images hold non-finite pixels (first at image {bad[0]}, pixel {tuple(bad[1:3])}, "
                         f"band {bad[3]})")
    return np.arcsinh(images.astype(np.float32) / np.float32(softening)).astype(dtype, copy=False)
