"""ipywidgets controls wired to mmlab's pure functions."""

from __future__ import annotations

from collections.abc import Sequence

from mmlab.filters import bandpass
from mmlab.strain import Strain
from mmlab.whiten import spectral_whiten

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
