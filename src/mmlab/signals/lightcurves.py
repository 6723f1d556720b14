"""Optical transients observed like ZTF: kilonovae (POSSIS), SNe Ia (SALT2) and core-collapse SNe (Vincenzi 2019).

The spectral models are sncosmo's (``sncosmo.Model`` over a SALT2, or a
``TimeSeriesSource`` built from a POSSIS or Vincenzi spectral time series), read
offline from the model files in ``sncosmo/`` and ``kilonova/`` (cache or mirror) rather
than sncosmo's downloader; the ZTF P48 g/r/i bandpasses come from the same folder.
What is added here is the survey: :class:`ZTFCadence` visits every one to three
nights with a per-band probability, a 5σ limiting magnitude drawn per visit, noise
from that limit (sky-dominated), and ZTF's alert rule (detections above 5σ, upper
limits below). Extinction in the Milky Way and the host is ignored.
"""

from __future__ import annotations

import functools
import gzip
import io
import tarfile
from dataclasses import dataclass

import numpy as np

from mmlab.core.config import search_folders
from mmlab.core.cosmology import redshift_from_distance
from mmlab.core.photometry import ZERO_POINT, LightCurve, mag_to_flux, make_light_curve
from mmlab.core.seeding import RandomState, as_generator
from mmlab.core.validation import check_in_range, check_positive
from mmlab.io.possis import load_possis_grid

__all__ = [
    "TRANSIENT_CLASSES", "ZTFCadence", "core_collapse_sources", "kilonova_sources", "observe_ztf",
    "salt2_source", "simulate_transients",
]

#: Classes :func:`simulate_transients` draws, with their absolute peak magnitude (B band, AB; mean, scatter)
#: and luminosity-distance range in Mpc. Kilonovae keep the luminosity of their POSSIS model.
TRANSIENT_CLASSES = {
    "KN": {"distance_mpc": (40.0, 200.0)},
    "SN Ia": {"peak_abs_mag": (-19.3, 0.15), "distance_mpc": (40.0, 450.0)},
    "SN CC": {"peak_abs_mag": (-17.0, 1.0), "distance_mpc": (40.0, 200.0)},
}


@dataclass(frozen=True)
class ZTFCadence:
    """How ZTF's public survey samples a transient.

    Attributes
    ----------
    gap_days : tuple of float
        Nights between visits, drawn uniformly in this range.
    band_probability : float
        Chance that a visit has a point in each of g and r.
    limiting_mag : float
        Median 5σ limiting magnitude of a visit (ZTF: 20.5).
    limiting_mag_scatter : float
        Its scatter from visit to visit, mag.
    before_days, after_days : float
        Survey coverage before and after the explosion (or merger), days.
    """

    gap_days: tuple[float, float] = (1.0, 3.0)
    band_probability: float = 0.8
    limiting_mag: float = 20.5
    limiting_mag_scatter: float = 0.3
    before_days: float = 10.0
    after_days: float = 40.0

    def __post_init__(self) -> None:
        low, high = self.gap_days
        if not 0 < low <= high:
            raise ValueError(f"gap_days must be (low, high) with 0 < low <= high, got {self.gap_days!r}")
        check_in_range("band_probability", self.band_probability, 0.0, 1.0)
        check_in_range("limiting_mag", self.limiting_mag, 10.0, 30.0)
        check_in_range("limiting_mag_scatter", self.limiting_mag_scatter, 0.0, 2.0)
        check_in_range("before_days", self.before_days, 0.0, 1000.0)
        check_positive("after_days", self.after_days, "days")


def _model_file(kind: str, name: str):
    for folder in search_folders(f"sncosmo/{kind}"):
        if (folder / name).is_file():
            return folder / name
    raise FileNotFoundError(f"no sncosmo/{kind}/{name} in the cache or the mirror (set MMLAB_DATA_MIRROR)")


@functools.lru_cache(maxsize=1)
def _register_ztf_bands() -> None:
    import sncosmo

    for band, file in (("ztfg", "P48_g.dat"), ("ztfr", "P48_R.dat"), ("ztfi", "P48_I.dat")):
        sncosmo.register(sncosmo.read_bandpass(str(_model_file("bandpasses/ztf", file)), name=band), force=True)


@functools.lru_cache(maxsize=1)
def salt2_source():
    """SALT2-4 (Betoule et al. 2014) from ``sncosmo/models/salt2/salt2-4.tar.gz``, read without unpacking."""
    import sncosmo

    with tarfile.open(_model_file("models/salt2", "salt2-4.tar.gz")) as tar:
        files = {m.name.rsplit("/", 1)[-1]: tar.extractfile(m).read().decode() for m in tar.getmembers() if m.isfile()}
    names = ("m0file", "m1file", "clfile", "cdfile", "errscalefile", "lcrv00file", "lcrv11file", "lcrv01file")
    defaults = ("salt2_template_0.dat", "salt2_template_1.dat", "salt2_color_correction.dat",
                "salt2_color_dispersion.dat", "salt2_lc_dispersion_scaling.dat", "salt2_lc_relative_variance_0.dat",
                "salt2_lc_relative_variance_1.dat", "salt2_lc_relative_covariance_01.dat")
    return sncosmo.SALT2Source(**{k: io.StringIO(files[v]) for k, v in zip(names, defaults, strict=True)},
                               name="salt2", version="2.4")


@functools.lru_cache(maxsize=1)
def core_collapse_sources() -> tuple:
    """The 18 Vincenzi et al. (2019) core-collapse templates (II, IIn, IIb, Ib, Ic, Ic-BL) as sncosmo sources."""
    import sncosmo

    folder = next(f for f in search_folders("sncosmo/models/vincenzi") if any(f.glob("*.SED.gz")))
    sources = []
    for path in sorted(folder.glob("V19_*.SED.gz")):
        with gzip.open(path, "rt") as text:
            phase, wave, flux = sncosmo.read_griddata_ascii(text)
        sources.append(sncosmo.TimeSeriesSource(phase, wave, flux, zero_before=True,
                                                name=path.name.split("_")[1]))
    return tuple(sources)


@functools.lru_cache(maxsize=1)
def kilonova_sources() -> tuple:
    """The POSSIS BNS grid (Bulla 2019) as sncosmo sources at 10 pc, named by their ejecta masses."""
    import sncosmo

    return tuple(
        sncosmo.TimeSeriesSource(m.phase, m.wavelength, m.flux, zero_before=True,
                                 name=f"possis-dyn{m.dynamical_ejecta}-wind{m.wind_ejecta}-phi{m.opening_angle:g}")
        for m in load_possis_grid()
    )


def observe_ztf(model, object_id: str, cadence: ZTFCadence, rng: np.random.Generator, meta: dict) -> LightCurve:
    """Observe an sncosmo model (``t0`` = 0, the explosion or merger) with ZTF's cadence and alert rule.

    Returns
    -------
    LightCurve
        Times in days from ``t0`` (MJD 0 = the explosion), detections at ≥ 5σ and upper limits
        at the visit's limiting flux; ``meta`` holds ``n_detections``.
    """
    _register_ztf_bands()
    start = -cadence.before_days + rng.uniform(0, cadence.gap_days[1])
    gaps = rng.uniform(*cadence.gap_days, int((cadence.before_days + cadence.after_days) / cadence.gap_days[0]) + 2)
    nights = start + np.concatenate([[0.0], np.cumsum(gaps)])
    nights = nights[nights <= cadence.after_days]
    times, bands = [], []
    for band, offset in (("ztfg", 0.0), ("ztfr", 0.04)):
        taken = rng.random(nights.size) < cadence.band_probability
        times.append(nights[taken] + offset)
        bands += [band] * int(taken.sum())
    time, band = np.concatenate(times), np.array(bands)
    true_flux = model.bandflux(band, time, zp=ZERO_POINT, zpsys="ab")
    limit = cadence.limiting_mag + cadence.limiting_mag_scatter * rng.standard_normal(time.size)
    sigma = mag_to_flux(limit) / 5.0
    flux = true_flux + sigma * rng.standard_normal(time.size)
    detected = flux >= 5.0 * sigma
    flux = np.where(detected, flux, 5.0 * sigma)
    return make_light_curve(object_id, time, band, flux, sigma, upper_limit=~detected,
                            meta={**meta, "n_detections": int(detected.sum())})


def simulate_transients(counts: dict, cadence: ZTFCadence | None = None, seed: RandomState = None) -> list[LightCurve]:
    """ZTF-like light curves of kilonovae and supernovae, uniform in volume over each class's distance range.

    Parameters
    ----------
    counts : dict
        Number of objects per class of :data:`TRANSIENT_CLASSES`, e.g. ``{"KN": 300, "SN Ia": 300}``.
    cadence : ZTFCadence, optional
        The survey (default :class:`ZTFCadence()`).
    seed : int or numpy.random.Generator, optional

    Returns
    -------
    list of LightCurve
        ``meta`` holds ``class_name``, ``model`` (the source's name), ``distance_mpc``, ``z`` and
        ``n_detections``. Objects never detected are kept (with ``n_detections = 0``): the caller
        decides, and counts, what it drops.
    """
    import sncosmo

    unknown = sorted(set(counts) - set(TRANSIENT_CLASSES))
    if unknown:
        raise ValueError(f"unknown transient class {unknown[0]!r}; choose from {list(TRANSIENT_CLASSES)}")
    cadence = cadence or ZTFCadence()
    rng = as_generator(seed)
    curves = []
    for class_name, count in counts.items():
        low, high = TRANSIENT_CLASSES[class_name]["distance_mpc"]
        distances = (low**3 + (high**3 - low**3) * rng.random(int(count))) ** (1 / 3)
        for i, distance in enumerate(distances):
            z = float(redshift_from_distance(distance))
            if class_name == "KN":
                source = kilonova_sources()[rng.integers(len(kilonova_sources()))]
                model = sncosmo.Model(source)
                model.set(z=z, t0=0.0, amplitude=(1e-5 / distance) ** 2)
            else:
                mean, scatter = TRANSIENT_CLASSES[class_name]["peak_abs_mag"]
                if class_name == "SN Ia":
                    model = sncosmo.Model(salt2_source())
                    model.set(x1=rng.normal(0, 1), c=rng.normal(0, 0.1))
                else:
                    model = sncosmo.Model(core_collapse_sources()[rng.integers(len(core_collapse_sources()))])
                model.set(z=z, t0=-model.source.minphase() * (1 + z))
                model.set_source_peakabsmag(rng.normal(mean, scatter), "bessellb", "ab", cosmo=_cosmology())
            curves.append(observe_ztf(model, f"sim-{class_name.replace(' ', '')}-{i:05d}", cadence, rng,
                                      {"class_name": class_name, "model": model.source.name,
                                       "distance_mpc": float(distance), "z": z}))
    return curves


@functools.lru_cache(maxsize=1)
def _cosmology():
    from astropy.cosmology import Planck18

    return Planck18
