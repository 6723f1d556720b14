"""ipywidgets controls wired to mmlab's pure functions."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from mmlab.detectors import DESIGN_PSD_OF, DETECTORS, antenna_pattern, get_detector, time_delay
from mmlab.filters import bandpass
from mmlab.inject import add_signal, detector_signal, optimal_snr, scale_to_snr
from mmlab.noise import colored_noise
from mmlab.signals import (
    CCSN_FAMILIES,
    binary_black_hole,
    binary_neutron_star,
    ccsn_3d_waveform,
    ccsn_family_waveform,
    random_glitch,
)
from mmlab.strain import Strain
from mmlab.timefreq import TimeFrequencyImage, scalogram_image, spectrogram_image
from mmlab.whiten import spectral_whiten

def _live_figure(make_figure, controls):
    """A FigureWidget of ``make_figure()`` whose traces are redrawn from it whenever a control's value changes."""
    import plotly.graph_objects as go

    view = go.FigureWidget(make_figure())

    def update(_=None):
        fresh = make_figure()
        with view.batch_update():
            for trace, new in zip(view.data, fresh.data):
                trace.update(new.to_plotly_json())

    for control in controls:
        control.observe(update, names="value")
    return view


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


def strain_explorer(strains: Sequence[Strain], reference_gps: float, band: tuple[float, float] = (35.0, 350.0)):
    """Interactive time window, band and view over detector strain, with a spectrogram.

    The figures are plotly ``FigureWidget`` s updated in place (only the new
    trace data travels to the browser), and a status line reports selections
    that cannot be shown instead of raising.

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
    import plotly.graph_objects as go

    from mmlab.plots import spectrogram_figure, strain_figure
    from mmlab.timefreq import spectrogram

    earliest = max(s.t0 for s in strains) - reference_gps
    latest = min(s.t_end for s in strains) - reference_gps
    nyquist = min(s.sample_rate for s in strains) / 2
    window = widgets.FloatRangeSlider(
        value=(max(earliest, -0.5), min(latest, 0.2)), min=earliest, max=latest, step=0.01,
        description="window [s]", continuous_update=False, layout={"width": "600px"},
    )
    band_slider = widgets.FloatRangeSlider(
        value=band, min=10.0, max=0.9 * nyquist, step=5.0, description="band [Hz]",
        continuous_update=False, layout={"width": "600px"},
    )
    view = widgets.ToggleButtons(options=STRAIN_VIEWS, value="whitened", description="view")
    status = widgets.HTML()

    def figures():
        shown = strain_view(strains, reference_gps, window.value, band_slider.value, view.value)
        times, frequencies, power = spectrogram(shown[0], fftlength=min(0.125, shown[0].duration / 4))
        return (
            strain_figure(shown, reference_gps, title=f"{view.value} strain"),
            spectrogram_figure(times, frequencies, power, reference_gps, f_range=band_slider.value,
                               title=f"{shown[0].detector} spectrogram"),
        )

    strain_widget, spectrogram_widget = (go.FigureWidget(figure) for figure in figures())

    def update(_=None):
        try:
            new_strain, new_spectrogram = figures()
        except ValueError as exc:
            status.value = f"<span style='color:#b00020'>Cannot show this selection: {exc}</span>"
            return
        status.value = ""
        for widget, figure in ((strain_widget, new_strain), (spectrogram_widget, new_spectrogram)):
            with widget.batch_update():
                for trace, new in zip(widget.data, figure.data):
                    trace.update(new.to_plotly_json())
                widget.layout.title = figure.layout.title

    for control in (window, band_slider, view):
        control.observe(update, names="value")
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
    from mmlab.io import find_ccsn_3d_files

    return [*GALLERY_SOURCES, *(f"CCSN 3D {model}" for model in find_ccsn_3d_files())]


def gallery_waveform(source: str, seed: int, sample_rate: float = 4096.0):
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
def _ccsn_3d_cached(model: str, sample_rate: float):
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


def signal_gallery(detector: str = "V1", source: str = "CCSN low_short", snr: float = 20.0, seed: int = 0):
    """Controls for detector, source, SNR and sky position over strain, whitened strain and image.

    Every change re-simulates with :func:`gallery_view` and updates three
    plotly ``FigureWidget`` s in place; a status line shows the SNR, antenna
    pattern and delay, or why a selection cannot be shown.

    Returns
    -------
    ipywidgets.VBox
        Make it the last expression of a cell to display it.
    """
    import ipywidgets as widgets
    import plotly.graph_objects as go

    from mmlab.plots import strain_figure, timefreq_image_figure

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

    def figures():
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

    panels = [go.FigureWidget(figure) for figure in figures()]

    def update(_=None):
        try:
            new_figures = figures()
        except ValueError as exc:
            status.value = f"<span style='color:#b00020'>Cannot show this selection: {exc}</span>"
            return
        for panel, figure in zip(panels, new_figures):
            with panel.batch_update():
                for trace, new in zip(panel.data, figure.data):
                    trace.update(new.to_plotly_json())
                panel.layout.update(figure.layout.to_plotly_json())

    for control in controls.values():
        control.observe(update, names="value")
    rows = [widgets.HBox(list(controls.values())[i:i + 3]) for i in range(0, len(controls), 3)]
    return widgets.VBox([*rows, status, *panels])


def wdf_explorer(whitened: Strain, reference_gps: float, snr_threshold: float = 7.0):
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
    import plotly.graph_objects as go

    from mmlab.plots import wavelet_stages_figure
    from mmlab.wdf import DEFAULT_WAVELETS, DETECTION_BLOCK_THRESHOLD, THRESHOLD_RULES, window_stages

    style = {"description_width": "110px"}
    controls = {
        "window": widgets.Dropdown(options=[256, 512, 1024, 2048], value=1024, description="window [samples]", style=style),
        "overlap": widgets.IntSlider(value=768, min=0, max=1020, step=4, description="overlap [samples]", style=style),
        "start": widgets.FloatSlider(value=-0.2, min=-2.0, max=2.0, step=0.01, description="start [s]", style=style),
        "wavelet": widgets.Dropdown(options=list(dict.fromkeys((*DEFAULT_WAVELETS, "db8", "sym8", "coif3"))),
                                    value="sym4", description="wavelet", style=style),
        "rule": widgets.ToggleButtons(options=THRESHOLD_RULES, value="block", description="rule", style=style),
        "block_threshold": widgets.FloatSlider(value=DETECTION_BLOCK_THRESHOLD, min=2.0, max=12.0, step=0.25,
                                               description="block λ", style=style),
        "snr_threshold": widgets.FloatSlider(value=snr_threshold, min=3.0, max=20.0, step=0.25,
                                             description="SNR threshold", style=style),
    }
    for control in controls.values():
        control.continuous_update = False
    status = widgets.HTML()

    def current_stages():
        values = {name: control.value for name, control in controls.items()}
        window = int(values["window"])
        controls["overlap"].max = window - 4
        step = (window - min(values["overlap"], window - 4)) / whitened.sample_rate
        # Snap the start onto the window grid of this overlap.
        start = whitened.t0 + np.round((reference_gps + values["start"] - whitened.t0) / step) * step
        stages = window_stages(whitened, start, window, values["wavelet"], values["rule"], "hard",
                               values["block_threshold"])
        verdict = "a trigger" if stages.snr >= values["snr_threshold"] else "below threshold"
        status.value = (f"window at {start - reference_gps:+.3f} s, {window / whitened.sample_rate * 1e3:.0f} ms; "
                        f"{values['wavelet']} SNR <b>{stages.snr:.2f}</b>: {verdict}; "
                        f"{sum(int(np.count_nonzero(k)) for k in stages.kept)} of {window} coefficients kept")
        return stages

    panel = go.FigureWidget(wavelet_stages_figure(current_stages(), reference_gps))

    def update(_=None):
        try:
            figure = wavelet_stages_figure(current_stages(), reference_gps)
        except ValueError as exc:
            status.value = f"<span style='color:#b00020'>Cannot show this selection: {exc}</span>"
            return
        with panel.batch_update():
            for trace, new in zip(panel.data, figure.data):
                trace.update(new.to_plotly_json())

    for control in controls.values():
        control.observe(update, names="value")
    names = list(controls)
    rows = [widgets.HBox([controls[n] for n in names[i:i + 3]]) for i in range(0, len(names), 3)]
    return widgets.VBox([*rows, status, panel])


def sample_browser(timeseries: np.ndarray, images: np.ndarray, labels: np.ndarray, probabilities: np.ndarray,
                   class_names, snr: np.ndarray | None = None, sample_rate: float = 4096.0):
    """Browse classified samples: whitened series, time–frequency image and predicted probabilities.

    Parameters
    ----------
    timeseries, images : numpy.ndarray
        ``(n, samples[, channels])`` and ``(n, frequencies, times[, channels])``; the first channel is shown.
    labels : numpy.ndarray
        True class indices.
    probabilities : numpy.ndarray
        ``(n, n_classes)`` predictions.
    class_names : sequence of str
        Names of the classes.
    snr : numpy.ndarray, optional
        Injected SNRs, shown in the status line.
    sample_rate : float
        Samples per second of the series.

    Returns
    -------
    ipywidgets.VBox
    """
    import ipywidgets as widgets
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    names = [str(name) for name in class_names]
    n = len(labels)
    if not (len(timeseries) == len(images) == len(probabilities) == n) or n == 0:
        raise ValueError(f"give the same number (> 0) of series, images, labels and probabilities, got "
                         f"{len(timeseries)}, {len(images)}, {n}, {len(probabilities)}")
    first_channel = (lambda a: a[..., 0]) if np.ndim(timeseries) == 3 else (lambda a: a)
    image_channel = (lambda a: a[..., 0]) if np.ndim(images) == 4 else (lambda a: a)
    index = widgets.IntSlider(value=0, min=0, max=n - 1, description="sample", continuous_update=False)
    only_errors = widgets.Checkbox(value=False, description="only misclassified")
    status = widgets.HTML()

    def chosen() -> int:
        if only_errors.value:
            wrong = np.flatnonzero(np.argmax(probabilities, axis=1) != labels)
            if wrong.size:
                return int(wrong[min(index.value, wrong.size - 1)])
        return int(index.value)

    def figure(k: int):
        series = first_channel(np.asarray(timeseries[k]))
        times = (np.arange(series.size) - series.size // 2) / sample_rate
        panel = make_subplots(rows=1, cols=3, column_widths=[0.45, 0.3, 0.25],
                              subplot_titles=("whitened series [σ]", "image", "probabilities"))
        panel.add_trace(go.Scatter(x=times, y=series, mode="lines", line={"width": 1}, showlegend=False), row=1, col=1)
        panel.add_trace(go.Heatmap(z=image_channel(np.asarray(images[k])), colorscale="Viridis", showscale=False),
                        row=1, col=2)
        colours = ["#2ca02c" if c == labels[k] else "#1f77b4" for c in range(len(names))]
        panel.add_trace(go.Bar(x=probabilities[k], y=names, orientation="h", marker={"color": colours},
                               showlegend=False), row=1, col=3)
        panel.update_layout(template="plotly_white", height=330, margin={"t": 40, "b": 30})
        predicted = names[int(np.argmax(probabilities[k]))]
        extra = "" if snr is None else f", injected SNR {snr[k]:.1f}"
        status.value = f"sample {k}: true <b>{names[labels[k]]}</b>, predicted <b>{predicted}</b>{extra}"
        return panel

    view = _live_figure(lambda: figure(chosen()), [index, only_errors])
    return widgets.VBox([widgets.HBox([index, only_errors]), status, view])


def reconstruction_explorer(windows: np.ndarray, reconstructions: np.ndarray, starts: np.ndarray, scores: np.ndarray,
                            sample_rate: float, reference_gps: float):
    """Slide along the strain: each window, the autoencoder's reconstruction and the residual.

    Parameters
    ----------
    windows, reconstructions : numpy.ndarray
        ``(n, samples)`` conditioned windows and the model's outputs
        (:func:`mmlab.anomaly.reconstruct`).
    starts : numpy.ndarray
        GPS start of each window.
    scores : numpy.ndarray
        Anomaly score of each window (shown with its rank).
    sample_rate : float
        Samples per second of the windows.
    reference_gps : float
        GPS time shown as zero; the slider starts on the window holding it.

    Returns
    -------
    ipywidgets.VBox
    """
    import ipywidgets as widgets

    from mmlab.plots import reconstruction_figure

    n = len(windows)
    if not (len(reconstructions) == len(starts) == len(scores) == n) or n == 0:
        raise ValueError(f"give the same number (> 0) of windows, reconstructions, starts and scores, got "
                         f"{n}, {len(reconstructions)}, {len(starts)}, {len(scores)}")
    starts, scores = np.asarray(starts, dtype=float), np.asarray(scores, dtype=float)
    duration = windows.shape[1] / sample_rate
    ranks = np.empty(n, dtype=int)
    ranks[np.argsort(-scores, kind="stable")] = np.arange(1, n + 1)
    first_view = float(np.clip(reference_gps - duration / 2, starts[0], starts[-1]) - reference_gps)
    offset = widgets.FloatSlider(value=first_view,
                                 min=float(starts[0] - reference_gps), max=float(starts[-1] - reference_gps),
                                 step=float(starts[1] - starts[0]) if n > 1 else 0.1,
                                 description="window start [s]", continuous_update=False, readout_format=".3f",
                                 style={"description_width": "110px"}, layout={"width": "600px"})
    status = widgets.HTML()

    def figure():
        k = int(np.argmin(np.abs(starts - (reference_gps + offset.value))))
        status.value = (f"window {k} of {n}: score <b>{scores[k]:.3f}</b> ({scores[k] / np.median(scores):.2f} × "
                        f"median), rank <b>{ranks[k]}</b>")
        return reconstruction_figure(windows[k], reconstructions[k], starts[k], sample_rate, reference_gps)

    return widgets.VBox([offset, status, _live_figure(figure, [offset])])


def threshold_explorer(noise_scores: np.ndarray, live_time: float, signal_scores: dict, threshold: float):
    """Move the anomaly threshold and see the false-alarm rate and the efficiency per signal change.

    Parameters
    ----------
    noise_scores : numpy.ndarray
        Scores of held-out noise windows.
    live_time : float
        Seconds of noise they cover.
    signal_scores : dict
        ``{label: scores of injection windows}``.
    threshold : float
        Initial threshold (e.g. the one for the chosen false-alarm rate);
        the slider spans the noise scores' range to the loudest signal.

    Returns
    -------
    ipywidgets.VBox
    """
    import ipywidgets as widgets
    import plotly.graph_objects as go

    from mmlab.anomaly import false_alarm_rate

    noise_scores = np.asarray(noise_scores, dtype=float)
    labels = list(signal_scores)
    low = float(np.min(noise_scores))
    high = float(max(np.max(noise_scores), *(np.max(s) for s in signal_scores.values())))
    if not low <= threshold <= high:
        raise ValueError(f"threshold must lie within the scores' range [{low:.4g}, {high:.4g}], got {threshold!r}")
    slider = widgets.FloatSlider(value=threshold, min=low, max=high, step=(high - low) / 500, readout_format=".4f",
                                 description="threshold", continuous_update=False, layout={"width": "600px"})
    status = widgets.HTML()

    def efficiencies(value):
        status.value = (f"false alarms: <b>{false_alarm_rate(noise_scores, value, live_time):.3g} per hour</b> "
                        f"({np.count_nonzero(noise_scores > value)} of {noise_scores.size} noise windows)")
        return [float(np.mean(np.asarray(signal_scores[label]) > value)) for label in labels]

    view = go.FigureWidget(go.Bar(x=labels, y=efficiencies(threshold)))
    view.update_layout(yaxis={"title": "efficiency", "range": [0, 1.02]}, template="plotly_white", height=320,
                       margin={"t": 30, "b": 40})
    slider.observe(lambda change: view.data[0].update(y=efficiencies(change["new"])), names="value")
    return widgets.VBox([slider, status, view])


def event_viewer(config, distance: float = 100.0, seed: int = 0):
    """Simulate one BNS event of a population at a chosen distance and see both modalities.

    Parameters
    ----------
    config : mmlab.multimodal.PopulationConfig
        The population (its distance range bounds the slider).
    distance : float
        Initial luminosity distance, Mpc (inside the population's range).
    seed : int
        Seed of the other parameters (masses, sky, afterglow) and of the noise.

    Returns
    -------
    ipywidgets.VBox
    """
    import dataclasses

    import ipywidgets as widgets

    from mmlab.cosmology import redshift_from_distance
    from mmlab.multimodal import draw_population, distance_limits, gw_map, gw_map_frequencies, grb_light_curve
    from mmlab.plots import multimodal_event_figure

    config.check_distance(distance)
    low, high = distance_limits(config)
    slider = widgets.FloatLogSlider(value=distance, base=10, min=np.log10(max(low, 1e-3)), max=np.log10(high),
                                    step=0.01, description="distance [Mpc]", continuous_update=False,
                                    style={"description_width": "110px"})
    seed_box = widgets.BoundedIntText(value=seed, min=0, max=2**31 - 1, description="seed")
    status = widgets.HTML()

    def figure():
        drawn = draw_population(dataclasses.replace(config, n_events=10), seed_box.value)
        event = {name: values[0] for name, values in drawn.items()}
        event["distance"] = config.check_distance(float(np.clip(slider.value, low, high)))
        event["redshift"] = float(redshift_from_distance(event["distance"]))
        rng = np.random.default_rng(seed_box.value)
        status.value = (f"d<sub>L</sub> = {event['distance']:.1f} Mpc, z = <b>{event['redshift']:.4f}</b>; masses "
                        f"{event['mass1']:.2f} + {event['mass2']:.2f} M☉; E<sub>iso</sub> = {event['e_iso']:.2e} erg, "
                        f"n<sub>0</sub> = {event['n0']:.2e} cm⁻³, seen {np.degrees(event['theta_obs']):.1f}° off axis")
        return multimodal_event_figure(gw_map(event, config, rng), gw_map_frequencies(config),
                                       grb_light_curve(event, config, rng), config.bins.centres, config.gw_seconds)

    return widgets.VBox([widgets.HBox([slider, seed_box]), status, _live_figure(figure, [slider, seed_box])])
