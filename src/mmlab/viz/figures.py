"""Figures shared across notebooks: strain, spectra, spectrograms, sky maps, and the WDF's windows, events and efficiency.

Plotly is imported only when a figure is made; every figure takes the mmlab
template (:mod:`mmlab.viz.template`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from mmlab.core.strain import Strain
from mmlab.viz.template import line_trace, styled

if TYPE_CHECKING:
    import plotly.graph_objects as go

__all__ = [
    "asd_figure", "background_figure", "efficiency_figure", "events_figure", "sky_map_figure", "spectrogram_figure", "strain_figure",
    "timefreq_image_figure", "wavelet_stages_figure",
]


def strain_figure(strains: Sequence[Strain], reference_gps: float, title: str = "", ylabel: str = "strain") -> go.Figure:
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
            line_trace(strain.times - reference_gps, strain.data, name=strain.detector or "strain", line={"width": 1})
        )
    return styled(
        figure, title=title, xaxis_title=f"time from GPS {reference_gps:.2f} [s]", yaxis_title=ylabel,
        height=350,
    )


def spectrogram_figure(
    times: np.ndarray, frequencies: np.ndarray, power: np.ndarray, reference_gps: float,
    f_range: tuple[float, float] = (20.0, 500.0), title: str = "",
) -> go.Figure:
    """Heat map of a spectrogram in decibels, normalised per frequency bin.

    Each frequency row is divided by its median over time, so stationary lines
    and the noise slope vanish and transients stand out (as in a whitened
    spectrogram).

    Parameters
    ----------
    times, frequencies, power
        Output of :func:`mmlab.gw.timefreq.spectrogram`.
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
    return styled(
        figure, title=title, xaxis_title=f"time from GPS {reference_gps:.2f} [s]", yaxis_title="frequency [Hz]",
        height=350,
    )


def asd_figure(spectra: dict[str, tuple[np.ndarray, np.ndarray]], f_range: tuple[float, float] = (10.0, 2000.0), title: str = "") -> go.Figure:
    """Amplitude spectral densities on log–log axes.

    Parameters
    ----------
    spectra : dict
        ``{label: (frequencies [Hz], one-sided PSD [1/Hz])}``, e.g. from
        :func:`mmlab.gw.psd.welch_psd`; the square root is plotted.
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
    return styled(
        figure, title=title, xaxis={"title": "frequency [Hz]", "type": "log"},
        yaxis={"title": "ASD [1/√Hz]", "type": "log", "exponentformat": "power"},
        height=380,
    )


def timefreq_image_figure(image, reference_gps: float, title: str = "") -> go.Figure:
    """Heat map of a :class:`mmlab.gw.timefreq.TimeFrequencyImage` (what a CNN sees).

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
    return styled(
        figure, title=title, xaxis_title=f"time from GPS {reference_gps:.2f} [s]",
        yaxis={"title": "frequency [Hz]", "type": "log" if log_rows else "linear"},
        height=350,
    )


def sky_map_figure(ra: np.ndarray, dec: np.ndarray, values: np.ndarray, title: str = "", colorbar: str = "") -> go.Figure:
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
    return styled(
        figure, title=title, xaxis_title="right ascension [deg]", yaxis_title="declination [deg]",
        height=380,
    )


def wavelet_stages_figure(stages, reference_gps: float, title: str = "") -> go.Figure:
    """The WDF's stages for one window: whitened data with the rebuilt transient, and the coefficients.

    Parameters
    ----------
    stages : mmlab.wdf.WindowStages
        Output of :func:`mmlab.wdf.window_stages`.
    reference_gps : float
        GPS time shown as zero.
    title : str
        Figure title.

    Returns
    -------
    plotly.graph_objects.Figure
        Top: whitened samples and the reconstruction from the kept coefficients.
        Bottom: every coefficient at its time and level (finest at the top),
        marker area ∝ |c|, kept ones in colour, removed ones grey.
    """
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    times = stages.times - reference_gps
    figure = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08, row_heights=[0.45, 0.55],
                           subplot_titles=("whitened window and rebuilt transient", "wavelet coefficients by level"))
    figure.add_trace(go.Scatter(x=times, y=stages.whitened, name="whitened", line={"width": 1, "color": "#9aa5b1"}),
                     row=1, col=1)
    figure.add_trace(go.Scatter(x=times, y=stages.reconstruction, name=f"rebuilt (SNR {stages.snr:.1f})",
                                line={"width": 1.5, "color": "#d62728"}), row=1, col=1)
    depth = len(stages.coefficients) - 1
    largest = max(float(np.max(np.abs(c))) for c in stages.coefficients) or 1.0
    for kept_part, colour, label in ((False, "#c8ccd2", "removed"), (True, "#1f77b4", "kept")):
        xs, ys, sizes = [], [], []
        for index, (values, kept) in enumerate(zip(stages.coefficients, stages.kept)):
            level = depth if index == 0 else depth - index + 1  # cA_J, cD_J, …, cD_1
            spacing = times.size / values.size
            chosen = (kept != 0) if kept_part else (kept == 0)
            positions = np.flatnonzero(chosen)
            xs.append(times[0] + (positions + 0.5) * spacing * (times[1] - times[0]))
            ys.append(np.full(positions.size, level if index else depth + 1))
            sizes.append(4 + 26 * np.abs(values[positions]) / largest)
        figure.add_trace(go.Scatter(x=np.concatenate(xs), y=np.concatenate(ys), mode="markers", name=label,
                                    marker={"size": np.concatenate(sizes), "color": colour, "line": {"width": 0}}),
                         row=2, col=1)
    figure.update_yaxes(title_text="σ", row=1, col=1)
    figure.update_yaxes(title_text="level (1 = finest; top = approximation)", autorange="reversed", row=2, col=1)
    figure.update_xaxes(title_text=f"time from GPS {reference_gps:.2f} [s]", row=2, col=1)
    return styled(figure, title=title, height=560, margin={"t": 60, "b": 40})


def events_figure(events, reference_gps: float, injections=None, title: str = "") -> go.Figure:
    """Clustered events: SNR against time, coloured by peak frequency, with injection times marked.

    Parameters
    ----------
    events : astropy.table.Table
        Output of :func:`mmlab.wdf.cluster_triggers`.
    reference_gps : float
        GPS time shown as zero.
    injections : array_like, optional
        GPS times of injected signals (vertical dotted lines).
    title : str
        Figure title.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    import plotly.graph_objects as go

    figure = go.Figure(go.Scatter(
        x=np.asarray(events["gps_peak"]) - reference_gps, y=np.asarray(events["snr"]), mode="markers",
        marker={"color": np.asarray(events["freq_peak"]), "colorscale": "Viridis", "size": 8,
                "colorbar": {"title": "peak freq. [Hz]"}},
        text=[f"{w}, {n} windows" for w, n in zip(events["wavelet"], events["n_triggers"])], name="events",
    ))
    for gps in ([] if injections is None else injections):
        figure.add_vline(x=float(gps) - reference_gps, line={"dash": "dot", "color": "#d62728", "width": 1})
    return styled(figure, title=title, xaxis_title=f"time from GPS {reference_gps:.2f} [s]", yaxis_title="SNR",
                         height=360)


def efficiency_figure(efficiencies, threshold: float | dict, title: str = "", rate: str = "1 false alarm per hour",
                      xaxis: str = "optimal SNR") -> go.Figure:
    """Detection efficiency against optimal SNR per signal family, with binomial intervals.

    Parameters
    ----------
    efficiencies : astropy.table.Table
        Output of :func:`mmlab.wdf.efficiency.efficiency_study` (columns ``signal``,
        ``snr``, ``efficiency``, ``low``, ``high``).
    threshold : float or dict
        The threshold used, or ``{method: threshold}`` (shown in the title).
    title : str
        Figure title prefix.
    rate : str
        What the thresholds are set for (shown in the title).
    xaxis : str
        Title of the SNR axis.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    import plotly.graph_objects as go

    figure = go.Figure()
    for name in dict.fromkeys(efficiencies["signal"]):
        rows = efficiencies[efficiencies["signal"] == name]
        efficiency = np.asarray(rows["efficiency"])
        figure.add_trace(go.Scatter(
            x=np.asarray(rows["snr"]), y=efficiency, mode="lines+markers", name=str(name),
            error_y={"type": "data", "symmetric": False, "array": np.asarray(rows["high"]) - efficiency,
                     "arrayminus": efficiency - np.asarray(rows["low"])},
        ))
    thresholds = threshold if isinstance(threshold, dict) else {"threshold": threshold}
    shown = ", ".join(f"{name} {value:.2f}" for name, value in thresholds.items())
    return styled(
        figure, title=f"{title} ({shown} for {rate})", xaxis_title=xaxis,
        yaxis={"title": "efficiency", "range": [-0.02, 1.02]}, height=400,
    )


def background_figure(background: np.ndarray, background_time: float, zero_lag: np.ndarray | None = None,
                      live_time: float | None = None, candidates: dict | None = None,
                      title: str = "Time-slide background") -> go.Figure:
    """Cumulative false-alarm rate against network statistic: time slides, the unshifted noise and candidates.

    Parameters
    ----------
    background : numpy.ndarray
        Statistics of the time-slide coincidences.
    background_time : float
        Slides × live time, s.
    zero_lag : numpy.ndarray, optional
        Statistics of the unshifted coincidences of noise (should follow the background).
    live_time : float, optional
        Seconds of unshifted data (for the zero-lag rate).
    candidates : dict, optional
        ``{label: statistic}`` marked as vertical lines (e.g. a detection candidate).
    title : str
        Figure title.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    import plotly.graph_objects as go

    figure = go.Figure()
    ordered = np.sort(np.asarray(background, dtype=float))[::-1]
    hours = background_time / 3600.0
    figure.add_trace(go.Scatter(x=ordered, y=np.arange(1, ordered.size + 1) / hours, mode="lines",
                                line={"shape": "hv"}, name=f"time slides ({hours:,.0f} h)"))
    if zero_lag is not None and live_time:
        unshifted = np.sort(np.asarray(zero_lag, dtype=float))[::-1]
        figure.add_trace(go.Scatter(x=unshifted, y=np.arange(1, unshifted.size + 1) / (live_time / 3600.0),
                                    mode="markers", name=f"unshifted noise ({live_time / 3600:.1f} h)"))
    for label, value in (candidates or {}).items():
        figure.add_vline(x=float(value), line={"dash": "dot", "color": "#d62728"}, annotation_text=label)
    return styled(figure, title=title, xaxis_title="network SNR", yaxis={"title": "rate ≥ statistic [1/h]",
                                                                       "type": "log"}, height=380)
