"""Explorers of detector data and the WDF: ipywidgets controls wired to the gw and wdf layers.

Every explorer redraws its plotly figures in place with
:func:`mmlab.viz.live.live_figure`, and reports a selection that cannot be
shown in a status line instead of raising.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from mmlab.core.strain import Strain
from mmlab.core.validation import check_choice, check_in_range
from mmlab.gw.detectors import (
    DESIGN_PSD_OF,
    DETECTORS,
    antenna_pattern,
    get_detector,
    time_delay,
)
from mmlab.gw.filters import bandpass
from mmlab.gw.inject import add_signal, detector_signal, optimal_snr, scale_to_snr
from mmlab.gw.noise import colored_noise
from mmlab.gw.timefreq import (
    TimeFrequencyImage,
    scalogram_image,
    spectrogram,
    spectrogram_image,
)
from mmlab.gw.whiten import spectral_whiten
from mmlab.signals import (
    CCSN_FAMILIES,
    Waveform,
    binary_black_hole,
    binary_neutron_star,
    ccsn_3d_waveform,
    ccsn_family_waveform,
    random_glitch,
)
from mmlab.viz.figures import (
    spectrogram_figure,
    strain_figure,
    timefreq_image_figure,
    wavelet_stages_figure,
)
from mmlab.viz.live import live_figure
from mmlab.wdf.stages import window_stages
from mmlab.wdf.thresholding import (
    DEFAULT_WAVELETS,
    DETECTION_BLOCK_THRESHOLD,
    THRESHOLD_RULES,
)

if TYPE_CHECKING:
    import ipywidgets

__all__ = [
    "GALLERY_GPS", "GALLERY_SOURCES", "STRAIN_VIEWS", "GalleryView", "gallery_sources", "gallery_view",
    "gallery_waveform", "signal_gallery", "strain_explorer", "strain_view", "wdf_explorer",
]


#: Views of the strain offered by :func:`strain_explorer`.
STRAIN_VIEWS = ("raw", "band-passed", "whitened")


def strain_view(
    strains: Sequence[Strain], reference_gps: float, window: tuple[float, float],
    band: tuple[float, float], view: str,
) -> list[Strain]:
    """The strain shown by the explorer: conditioned over the whole series, then cropped.

    Parameters
    ----------
    strains : sequence of Strain
        Full series (filtering them whole keeps filter edges out of the window).
    reference_gps : float
        GPS time that ``window`` is relative to.
    window : tuple of float
        Seconds before/after ``reference_gps`` to show; must lie inside every series.
    band : tuple of float
        Band-pass edges in Hz (ignored for the raw view).
    view : str
        One of :data:`STRAIN_VIEWS`; "whitened" is whitened then band-passed.

    Returns
    -------
    list of Strain
        The cropped series.
    """
    if view not in STRAIN_VIEWS:
        raise ValueError(f"view must be one of {list(STRAIN_VIEWS)}, got {view!r}")
    start, end = reference_gps + window[0], reference_gps + window[1]
    if not end - start >= 0.05:
        raise ValueError(f"window {window} s is {end - start:.3g} s wide; make it at least 0.05 s")
    shown = []
    for strain in strains:
        if not strain.t0 <= start < end <= strain.t_end:
            raise ValueError(
                f"window {window} s around GPS {reference_gps} must lie inside {strain.detector}'s "
                f"data, [{strain.t0 - reference_gps:.2f}, {strain.t_end - reference_gps:.2f}] s"
            )
        if view == "whitened":
            strain = spectral_whiten(strain)
        if view != "raw":
            strain = bandpass(strain, *band)
        shown.append(strain.crop(start, end))
    return shown


def strain_explorer(strains: Sequence[Strain], reference_gps: float,
                    band: tuple[float, float] = (35.0, 350.0)) -> ipywidgets.VBox:
    """Interactive time window, band and view over detector strain, with a spectrogram.

    The figures are :class:`~mmlab.viz.live.LiveFigure` s redrawn when a
    control moves, and a status line reports selections that cannot be shown
    instead of raising.

    Parameters
    ----------
    strains : sequence of Strain
        Series of the detectors to overlay (same span).
    reference_gps : float
        GPS time at zero on the time axis (e.g. the event time).
    band : tuple of float
        Initial band-pass edges in Hz.

    Returns
    -------
    ipywidgets.VBox
        The controls above the two figures; make it the last expression of a
        cell to display it.
    """
    import ipywidgets as widgets

    earliest = max(s.t0 for s in strains) - reference_gps
    latest = min(s.t_end for s in strains) - reference_gps
    nyquist = min(s.sample_rate for s in strains) / 2
    # At most 2 s either side of the reference: over a whole 32 s file the default window would be a sliver.
    window = widgets.FloatRangeSlider(
        value=(max(earliest, -0.5), min(latest, 0.2)), min=max(earliest, -2.0), max=min(latest, 2.0), step=0.01,
        description="window [s]", continuous_update=False, layout={"width": "600px"},
    )
    band_slider = widgets.FloatRangeSlider(
        value=band, min=10.0, max=0.9 * nyquist, step=5.0, description="band [Hz]",
        continuous_update=False, layout={"width": "600px"},
    )
    view = widgets.ToggleButtons(options=STRAIN_VIEWS, value="whitened", description="view")
    status = widgets.HTML()

    def figures() -> tuple:
        shown = strain_view(strains, reference_gps, window.value, band_slider.value, view.value)
        times, frequencies, power = spectrogram(shown[0], fftlength=min(0.125, shown[0].duration / 4))
        return (
            strain_figure(shown, reference_gps, title=f"{view.value} strain",
                          ylabel="whitened strain [σ]" if view.value == "whitened" else "strain"),
            spectrogram_figure(times, frequencies, power, reference_gps, f_range=band_slider.value,
                               title=f"{shown[0].detector} spectrogram"),
        )

    strain_widget, spectrogram_widget = live_figure(figures, (window, band_slider, view), status)
    return widgets.VBox([window, band_slider, view, status, strain_widget, spectrogram_widget])


#: Sources offered by the signal gallery (3D-simulation models are added when their files are found).
GALLERY_SOURCES = (
    *(f"CCSN {family}" for family in CCSN_FAMILIES),
    "sine-Gaussian glitch", "scattered-light glitch", "blip glitch", "BBH 36+29 Msun", "BNS 1.4+1.35 Msun",
)

#: GPS time at the centre of the gallery's simulated data (GW150914's, for familiar antenna patterns).
GALLERY_GPS = 1126259462.4

#: Longest stretch shown before a signal ends, in s (a BNS inspiral is longer).
_GALLERY_SPAN = 3.0


def gallery_sources() -> list[str]:
    """The gallery's sources: :data:`GALLERY_SOURCES` plus ``"CCSN 3D <model>"`` for each 3D file found."""
    from mmlab.io.ccsn3d import find_ccsn_3d_files

    return [*GALLERY_SOURCES, *(f"CCSN 3D {model}" for model in find_ccsn_3d_files())]


def gallery_waveform(source: str, seed: int, sample_rate: float = 4096.0) -> Waveform:
    """The :class:`~mmlab.signals.Waveform` of a gallery source (random ones drawn from ``seed``)."""
    if source.startswith("CCSN 3D "):
        return _ccsn_3d_cached(source.removeprefix("CCSN 3D "), sample_rate)
    if source.startswith("CCSN "):
        return ccsn_family_waveform(source.removeprefix("CCSN "), sample_rate=sample_rate, seed=seed)
    if source.endswith(" glitch"):
        kind = source.removesuffix(" glitch").lower().replace("-", "_").replace(" ", "_")
        return random_glitch(kind, sample_rate, seed)
    if source.startswith("BBH"):
        return binary_black_hole(sample_rate=sample_rate)
    if source.startswith("BNS"):
        return binary_neutron_star(f_lower=60.0, sample_rate=sample_rate)
    raise ValueError(f"unknown gallery source {source!r}; known sources are {gallery_sources()}")


@functools.lru_cache(maxsize=8)
def _ccsn_3d_cached(model: str, sample_rate: float) -> Waveform:
    return ccsn_3d_waveform(model, sample_rate=sample_rate)


@dataclass(frozen=True)
class GalleryView:
    """Everything the gallery shows for one choice of controls.

    Attributes
    ----------
    data, signal : Strain
        Simulated noise plus the injected signal, and the signal alone, cropped to the view.
    whitened_data, whitened_signal : Strain
        The same, whitened with the detector's design PSD.
    image : TimeFrequencyImage
        Time–frequency image of the whitened data.
    snr : float
        Optimal SNR of the injected signal.
    fplus, fcross, delay : float
        Antenna pattern and arrival delay from the geocentre (0 for glitches).
    """

    data: Strain
    signal: Strain
    whitened_data: Strain
    whitened_signal: Strain
    image: TimeFrequencyImage
    snr: float
    fplus: float
    fcross: float
    delay: float


def gallery_view(
    source: str, detector: str, snr: float, ra: float, dec: float, psi: float, seed: int,
    image_kind: str = "spectrogram", duration: float = 16.0, sample_rate: float = 4096.0,
) -> GalleryView:
    """Simulate a detector's design noise with one source injected at an SNR, and look at it.

    The signal's reference time (merger, bounce, glitch centre) is put at
    :data:`GALLERY_GPS` in the middle of ``duration`` s of noise; waves are
    projected from ``(ra, dec, psi)`` (rad), glitches are not.

    Returns
    -------
    GalleryView
    """
    if image_kind not in ("spectrogram", "scalogram"):
        raise ValueError(f"image_kind must be 'spectrogram' or 'scalogram', got {image_kind!r}")
    psd = DESIGN_PSD_OF[get_detector(detector).prefix]
    waveform = gallery_waveform(source, seed, sample_rate)
    sky = {} if source.endswith(" glitch") else {"ra": ra, "dec": dec, "psi": psi}
    noise = colored_noise(psd, duration, sample_rate, seed=seed, t0=GALLERY_GPS - duration / 2, detector=detector)
    signal = scale_to_snr(detector_signal(waveform, detector, GALLERY_GPS, **sky), snr, psd)
    data = add_signal(noise, signal)
    signal_on_grid = add_signal(Strain(np.zeros(len(noise)), noise.t0, sample_rate, detector), signal)
    end = min(GALLERY_GPS + waveform.start + waveform.duration + 0.25, data.t_end - 1)
    start = max(GALLERY_GPS + waveform.start - 0.25, end - _GALLERY_SPAN, data.t0 + 1)
    whitened_data, whitened_signal = (spectral_whiten(s, psd=psd).crop(start, end) for s in (data, signal_on_grid))
    imager = spectrogram_image if image_kind == "spectrogram" else scalogram_image
    fplus, fcross = antenna_pattern(detector, ra, dec, psi, GALLERY_GPS) if sky else (0.0, 0.0)
    return GalleryView(
        data=data.crop(start, end), signal=signal_on_grid.crop(start, end), whitened_data=whitened_data,
        whitened_signal=whitened_signal, image=imager(whitened_data, f_range=(20.0, min(2000.0, sample_rate / 2))),
        snr=optimal_snr(signal, psd, sample_rate), fplus=float(fplus), fcross=float(fcross),
        delay=float(time_delay(detector, ra, dec, GALLERY_GPS)) if sky else 0.0,
    )


def signal_gallery(detector: str = "V1", source: str = "CCSN low_short", snr: float = 20.0,
                   seed: int = 0) -> ipywidgets.VBox:
    """Controls for detector, source, SNR and sky position over strain, whitened strain and image.

    Every change re-simulates with :func:`gallery_view` and redraws three
    :class:`~mmlab.viz.live.LiveFigure` s; a status line shows the SNR, antenna
    pattern and delay, or why a selection cannot be shown.

    Returns
    -------
    ipywidgets.VBox
        Make it the last expression of a cell to display it.
    """
    import ipywidgets as widgets

    check_choice("detector", detector, DETECTORS)
    check_choice("source", source, gallery_sources())
    check_in_range("snr", snr, 4.0, 60.0)
    if isinstance(seed, bool) or int(seed) != seed or not 0 <= seed < 2**31:
        raise ValueError(f"seed must be an integer in [0, 2**31), got {seed!r}")
    style = {"description_width": "90px"}
    controls = {
        "detector": widgets.Dropdown(options=DETECTORS, value=detector, description="detector", style=style),
        "source": widgets.Dropdown(options=gallery_sources(), value=source, description="source", style=style),
        "snr": widgets.FloatSlider(value=snr, min=4.0, max=60.0, step=1.0, description="SNR", style=style),
        "ra": widgets.FloatSlider(value=90.0, min=0.0, max=360.0, step=5.0, description="RA [deg]", style=style),
        "dec": widgets.FloatSlider(value=-30.0, min=-90.0, max=90.0, step=5.0, description="dec [deg]", style=style),
        "psi": widgets.FloatSlider(value=0.0, min=0.0, max=180.0, step=5.0, description="psi [deg]", style=style),
        "seed": widgets.BoundedIntText(value=seed, min=0, max=2**31 - 1, description="seed", style=style),
        "image_kind": widgets.ToggleButtons(options=("spectrogram", "scalogram"), description="image", style=style),
    }
    for control in controls.values():
        control.continuous_update = False
    status = widgets.HTML()

    def figures() -> tuple:
        values = {name: control.value for name, control in controls.items()}
        view = gallery_view(
            values["source"], values["detector"], values["snr"], np.radians(values["ra"]),
            np.radians(values["dec"]), np.radians(values["psi"]), values["seed"], values["image_kind"],
        )
        status.value = (
            f"optimal SNR {view.snr:.1f} in {values['detector']} · F+ = {view.fplus:+.2f}, "
            f"F× = {view.fcross:+.2f} · delay from geocentre {1e3 * view.delay:+.2f} ms"
        )
        raw = strain_figure([view.data, view.signal], GALLERY_GPS, title="strain: noise + signal, and the signal")
        whitened = strain_figure([view.whitened_data, view.whitened_signal], GALLERY_GPS,
                                 title="whitened strain", ylabel="whitened strain [σ]")
        for figure in (raw, whitened):
            figure.data[0].name, figure.data[1].name = "data", "signal"
        return raw, whitened, timefreq_image_figure(view.image, GALLERY_GPS, title=f"{values['image_kind']} image")

    panels = live_figure(figures, tuple(controls.values()), status)
    rows = [widgets.HBox(list(controls.values())[i:i + 3]) for i in range(0, len(controls), 3)]
    return widgets.VBox([*rows, status, *panels])


def wdf_explorer(whitened: Strain, reference_gps: float, snr_threshold: float = 7.0) -> ipywidgets.VBox:
    """Step one window through the WDF: choose window, overlap, wavelet and thresholding.

    The window start moves on the grid the overlap defines (steps of
    ``window − overlap`` samples from the start of ``whitened``); the figure
    shows the whitened window, the transient rebuilt from the kept
    coefficients, and every coefficient by level; the status line says whether
    the window would be a trigger.

    Parameters
    ----------
    whitened : Strain
        Whitened strain in units of σ (:meth:`mmlab.wdf.WaveletDetectionFilter.whiten`).
    reference_gps : float
        GPS time shown as zero (e.g. an injection).
    snr_threshold : float
        Initial trigger threshold.

    Returns
    -------
    ipywidgets.VBox
    """
    import ipywidgets as widgets

    style = {"description_width": "130px"}
    controls = {
        "window": widgets.Dropdown(options=[256, 512, 1024, 2048], value=1024, description="window [samples]", style=style),
        "overlap": widgets.IntSlider(value=768, min=0, max=1020, step=4, description="overlap [samples]", style=style),
        "start": widgets.FloatSlider(value=-0.2, min=-2.0, max=2.0, step=0.01, description="start [s]", style=style),
        "wavelet": widgets.Dropdown(options=list(dict.fromkeys((*DEFAULT_WAVELETS, "db8", "sym8", "coif3"))),
                                    value="sym4", description="wavelet", style=style),
        "rule": widgets.ToggleButtons(options=tuple(THRESHOLD_RULES), value="block", description="rule", style=style),
        "block_threshold": widgets.FloatSlider(value=DETECTION_BLOCK_THRESHOLD, min=2.0, max=12.0, step=0.25,
                                               description="block λ", style=style),
        "snr_threshold": widgets.FloatSlider(value=snr_threshold, min=3.0, max=20.0, step=0.25,
                                             description="SNR threshold", style=style),
    }
    for control in controls.values():
        control.continuous_update = False
    status = widgets.HTML()

    def keep_overlap_fraction(change) -> None:
        # The same fraction of the new window: a 256-sample window clamps 768 to 252, and growing
        # the window again must not leave it there.
        fraction = controls["overlap"].value / change["old"]
        controls["overlap"].max = change["new"] - 4
        controls["overlap"].value = min(int(round(fraction * change["new"] / 4)) * 4, change["new"] - 4)

    controls["window"].observe(keep_overlap_fraction, names="value")

    def figure():
        values = {name: control.value for name, control in controls.items()}
        window = int(values["window"])
        step = (window - min(values["overlap"], window - 4)) / whitened.sample_rate
        # Snap the start onto the window grid of this overlap.
        start = whitened.t0 + np.round((reference_gps + values["start"] - whitened.t0) / step) * step
        stages = window_stages(whitened, start, window, values["wavelet"], values["rule"], "hard",
                               values["block_threshold"])
        verdict = "a trigger" if stages.snr >= values["snr_threshold"] else "below threshold"
        status.value = (f"window at {start - reference_gps:+.3f} s, {window / whitened.sample_rate * 1e3:.0f} ms; "
                        f"{values['wavelet']} SNR <b>{stages.snr:.2f}</b>: {verdict}; "
                        f"{sum(int(np.count_nonzero(k)) for k in stages.kept)} of {window} coefficients kept")
        return wavelet_stages_figure(stages, reference_gps)

    panel = live_figure(figure, tuple(controls.values()), status)
    names = list(controls)
    rows = [widgets.HBox([controls[n] for n in names[i:i + 3]]) for i in range(0, len(names), 3)]
    return widgets.VBox([*rows, status, panel])
