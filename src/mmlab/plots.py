"""Plotly figures built from mmlab results (computation lives elsewhere)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from mmlab.strain import Strain


def strain_figure(strains: Sequence[Strain], reference_gps: float, title: str = "", ylabel: str = "strain"):
    """Time series of one or more detectors against time from a reference GPS.

    Parameters
    ----------
    strains : sequence of Strain
        Series to overlay, labelled by their detector.
    reference_gps : float
        GPS time shown as zero on the x axis.
    title, ylabel : str
        Figure title and y-axis label.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    import plotly.graph_objects as go

    figure = go.Figure()
    for strain in strains:
        figure.add_trace(
            go.Scattergl(x=strain.times - reference_gps, y=strain.data, mode="lines",
                         name=strain.detector or "strain", line={"width": 1})
        )
    figure.update_layout(
        title=title, xaxis_title=f"time from GPS {reference_gps:.2f} [s]", yaxis_title=ylabel,
        template="plotly_white", height=350, margin={"t": 50, "b": 40},
    )
    return figure


def spectrogram_figure(
    times: np.ndarray, frequencies: np.ndarray, power: np.ndarray, reference_gps: float,
    f_range: tuple[float, float] = (20.0, 500.0), title: str = "",
):
    """Heat map of a spectrogram in decibels, normalised per frequency bin.

    Each frequency row is divided by its median over time, so stationary lines
    and the noise slope vanish and transients stand out (as in a whitened
    spectrogram).

    Parameters
    ----------
    times, frequencies, power
        Output of :func:`mmlab.timefreq.spectrogram`.
    reference_gps : float
        GPS time shown as zero on the x axis.
    f_range : tuple of float
        Frequencies shown, in Hz.
    title : str
        Figure title.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    import plotly.graph_objects as go

    shown = (frequencies >= f_range[0]) & (frequencies <= f_range[1])
    rows = power[shown]
    relative = 10 * np.log10(rows / np.median(rows, axis=1, keepdims=True))
    figure = go.Figure(
        go.Heatmap(x=times - reference_gps, y=frequencies[shown], z=relative, colorscale="Viridis",
                   colorbar={"title": "dB above median"}, zmin=0)
    )
    figure.update_layout(
        title=title, xaxis_title=f"time from GPS {reference_gps:.2f} [s]", yaxis_title="frequency [Hz]",
        template="plotly_white", height=350, margin={"t": 50, "b": 40},
    )
    return figure


def asd_figure(spectra: dict[str, tuple[np.ndarray, np.ndarray]], f_range: tuple[float, float] = (10.0, 2000.0), title: str = ""):
    """Amplitude spectral densities on log–log axes.

    Parameters
    ----------
    spectra : dict
        ``{label: (frequencies [Hz], one-sided PSD [1/Hz])}``, e.g. from
        :func:`mmlab.psd.welch_psd`; the square root is plotted.
    f_range : tuple of float
        Frequencies shown, in Hz.
    title : str
        Figure title.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    import plotly.graph_objects as go

    figure = go.Figure()
    for label, (frequencies, psd) in spectra.items():
        shown = (frequencies >= f_range[0]) & (frequencies <= f_range[1])
        figure.add_trace(go.Scatter(x=frequencies[shown], y=np.sqrt(psd[shown]), mode="lines", name=label, line={"width": 1}))
    figure.update_layout(
        title=title, xaxis={"title": "frequency [Hz]", "type": "log"},
        yaxis={"title": "ASD [1/√Hz]", "type": "log", "exponentformat": "power"},
        template="plotly_white", height=380, margin={"t": 50, "b": 40},
    )
    return figure


def timefreq_image_figure(image, reference_gps: float, title: str = ""):
    """Heat map of a :class:`mmlab.timefreq.TimeFrequencyImage` (what a CNN sees).

    Parameters
    ----------
    image : TimeFrequencyImage
        The normalised map.
    reference_gps : float
        GPS time shown as zero on the x axis.
    title : str
        Figure title.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    import plotly.graph_objects as go

    log_rows = bool(np.allclose(np.diff(np.log(image.frequencies)), np.log(image.frequencies[1] / image.frequencies[0])))
    figure = go.Figure(
        go.Heatmap(x=image.times - reference_gps, y=image.frequencies, z=image.image, colorscale="Viridis",
                   zmin=0, zmax=1, colorbar={"title": "normalised<br>log power"})
    )
    figure.update_layout(
        title=title, xaxis_title=f"time from GPS {reference_gps:.2f} [s]",
        yaxis={"title": "frequency [Hz]", "type": "log" if log_rows else "linear"},
        template="plotly_white", height=350, margin={"t": 50, "b": 40},
    )
    return figure


def sky_map_figure(ra: np.ndarray, dec: np.ndarray, values: np.ndarray, title: str = "", colorbar: str = ""):
    """Map of a quantity over the sky (right ascension × declination grid), e.g. an antenna pattern.

    Parameters
    ----------
    ra, dec : numpy.ndarray
        1-D grids in rad.
    values : numpy.ndarray
        Shape ``(len(dec), len(ra))``.
    title, colorbar : str
        Figure title and colour-bar label.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    import plotly.graph_objects as go

    figure = go.Figure(
        go.Heatmap(x=np.degrees(ra), y=np.degrees(dec), z=values, colorscale="Cividis", colorbar={"title": colorbar})
    )
    figure.update_layout(
        title=title, xaxis_title="right ascension [deg]", yaxis_title="declination [deg]",
        template="plotly_white", height=380, margin={"t": 50, "b": 40},
    )
    return figure
