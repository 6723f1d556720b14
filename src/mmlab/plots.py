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


def wavelet_stages_figure(stages, reference_gps: float, title: str = ""):
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
    figure.update_layout(title=title, template="plotly_white", height=560, margin={"t": 60, "b": 40})
    return figure


def events_figure(events, reference_gps: float, injections=None, title: str = ""):
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
    figure.update_layout(title=title, xaxis_title=f"time from GPS {reference_gps:.2f} [s]", yaxis_title="SNR",
                         template="plotly_white", height=360, margin={"t": 50, "b": 40})
    return figure


def efficiency_figure(efficiencies, threshold: float, title: str = ""):
    """Detection efficiency against optimal SNR per signal family, with binomial intervals.

    Parameters
    ----------
    efficiencies : astropy.table.Table
        Output of :func:`mmlab.efficiency.efficiency_study` (columns ``signal``,
        ``snr``, ``efficiency``, ``low``, ``high``).
    threshold : float
        The SNR threshold used (shown in the title).
    title : str
        Figure title prefix.

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
    figure.update_layout(
        title=f"{title} (threshold {threshold:.2f} for 1 false alarm per hour)", xaxis_title="optimal SNR",
        yaxis={"title": "efficiency", "range": [-0.02, 1.02]}, template="plotly_white", height=400,
        margin={"t": 50, "b": 40},
    )
    return figure


def history_figure(histories: dict, title: str = "Training", loss: str = "cross-entropy loss"):
    """Training and validation loss per epoch for several models (``{name: keras history dict}``)."""
    import plotly.graph_objects as go

    figure = go.Figure()
    for name, history in histories.items():
        epochs = np.arange(1, len(history["loss"]) + 1)
        figure.add_trace(go.Scatter(x=epochs, y=history["loss"], mode="lines", name=f"{name} train"))
        figure.add_trace(go.Scatter(x=epochs, y=history["val_loss"], mode="lines", name=f"{name} validation",
                                    line={"dash": "dash"}))
    figure.update_layout(title=title, xaxis_title="epoch", yaxis_title=loss, template="plotly_white",
                         height=360, margin={"t": 50, "b": 40})
    return figure


def confusion_figure(confusion: np.ndarray, class_names, title: str = ""):
    """Confusion matrix as a heat map of row-normalised fractions, with the counts written in."""
    import plotly.graph_objects as go

    confusion = np.asarray(confusion)
    fractions = confusion / np.maximum(confusion.sum(axis=1, keepdims=True), 1)
    names = [str(name) for name in class_names]
    figure = go.Figure(go.Heatmap(z=fractions, x=names, y=names, colorscale="Blues", zmin=0, zmax=1,
                                  text=confusion, texttemplate="%{text}", colorbar={"title": "fraction"}))
    figure.update_layout(title=title, xaxis_title="predicted", yaxis={"title": "true", "autorange": "reversed"},
                         template="plotly_white", height=420, margin={"t": 50, "b": 40})
    return figure


def roc_figure(curves: dict, title: str = "CCSN vs everything else"):
    """ROC curves with their AUC: ``{name: Evaluation}`` (:func:`mmlab.train.evaluate`) or
    ``{name: (false_positive, true_positive, auc)}`` (:func:`mmlab.train.roc_curve`)."""
    import plotly.graph_objects as go

    figure = go.Figure()
    for name, curve in curves.items():
        if isinstance(curve, tuple):
            false_positive, true_positive, auc = curve
        else:
            false_positive, true_positive, auc = curve.roc_false_positive, curve.roc_true_positive, curve.roc_auc
        figure.add_trace(go.Scatter(x=false_positive, y=true_positive, mode="lines", name=f"{name} (AUC {auc:.3f})"))
    figure.add_trace(go.Scatter(x=[0, 1], y=[0, 1], mode="lines", line={"dash": "dot", "color": "#999"},
                                showlegend=False))
    figure.update_layout(title=title, xaxis_title="false-positive rate", yaxis_title="true-positive rate",
                         template="plotly_white", height=380, margin={"t": 50, "b": 40})
    return figure


def accuracy_snr_figure(curves: dict, title: str = "Accuracy against injected SNR"):
    """Accuracy per SNR bin, ``{name: (centres, accuracy, counts)}`` from :func:`mmlab.train.accuracy_by_snr`."""
    import plotly.graph_objects as go

    figure = go.Figure()
    for name, (centres, accuracy, counts) in curves.items():
        figure.add_trace(go.Scatter(x=centres, y=accuracy, mode="lines+markers", name=name,
                                    text=[f"{int(n)} samples" for n in counts]))
    figure.update_layout(title=title, xaxis_title="optimal SNR", yaxis={"title": "accuracy", "range": [0, 1.02]},
                         template="plotly_white", height=360, margin={"t": 50, "b": 40})
    return figure


def reconstruction_figure(window: np.ndarray, reconstruction: np.ndarray, start: float, sample_rate: float,
                          reference_gps: float, title: str = ""):
    """One window, its autoencoder reconstruction, and the squared residual that localises an anomaly.

    Parameters
    ----------
    window, reconstruction : numpy.ndarray
        The conditioned window and the model's output, same length.
    start : float
        GPS time of the window's first sample.
    sample_rate : float
        Samples per second.
    reference_gps : float
        GPS time shown as zero.
    title : str
        Figure title.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    times = start - reference_gps + np.arange(len(window)) / sample_rate
    figure = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.65, 0.35], vertical_spacing=0.06)
    figure.add_trace(go.Scatter(x=times, y=window, mode="lines", name="input", line={"width": 1, "color": "#999"}),
                     row=1, col=1)
    figure.add_trace(go.Scatter(x=times, y=reconstruction, mode="lines", name="reconstruction",
                                line={"width": 1.5, "color": "#d62728"}), row=1, col=1)
    figure.add_trace(go.Scatter(x=times, y=np.square(np.asarray(window) - np.asarray(reconstruction)), mode="lines",
                                name="residual²", line={"width": 1, "color": "#1f77b4"}), row=2, col=1)
    figure.update_yaxes(title_text="whitened [σ]", row=1, col=1)
    figure.update_yaxes(title_text="residual²", row=2, col=1)
    figure.update_xaxes(title_text=f"time from GPS {reference_gps:.2f} [s]", row=2, col=1)
    figure.update_layout(title=title, template="plotly_white", height=420, margin={"t": 50, "b": 40})
    return figure


def score_figure(curves: dict, reference_gps: float, title: str = "Anomaly score along the data"):
    """Scores of consecutive windows against time, each divided by its median.

    ``curves`` is ``{name: (window_centres_gps, scores)}``.
    """
    import plotly.graph_objects as go

    figure = go.Figure()
    for name, (centres, scores) in curves.items():
        scores = np.asarray(scores)
        figure.add_trace(go.Scatter(x=np.asarray(centres) - reference_gps, y=scores / np.median(scores),
                                    mode="lines", name=name))
    figure.update_layout(title=title, xaxis_title=f"window centre from GPS {reference_gps:.2f} [s]",
                         yaxis_title="score / median score", template="plotly_white", height=340,
                         margin={"t": 50, "b": 40})
    return figure


def auc_snr_figure(table, title: str = "Area under the ROC curve against SNR"):
    """AUC against optimal SNR per injected kind and method (:func:`mmlab.anomaly.detection_table`)."""
    import plotly.graph_objects as go

    figure = go.Figure()
    dashes = {}
    for kind in dict.fromkeys(table["kind"]):
        for method in dict.fromkeys(table["method"]):
            rows = table[(table["kind"] == kind) & (table["method"] == method)]
            dash = dashes.setdefault(str(method), ["solid", "dash", "dot"][len(dashes) % 3])
            figure.add_trace(go.Scatter(x=np.asarray(rows["snr"]), y=np.asarray(rows["auc"]), mode="lines+markers",
                                        name=f"{kind}, {method}", line={"dash": dash}))
    figure.update_layout(title=title, xaxis_title="optimal SNR", yaxis={"title": "AUC", "range": [0.45, 1.01]},
                         template="plotly_white", height=380, margin={"t": 50, "b": 40})
    return figure


def multimodal_event_figure(gw_map: np.ndarray, frequencies: np.ndarray, light_curve: np.ndarray,
                            bin_centres: np.ndarray, gw_seconds: float, title: str = ""):
    """One event seen twice: the GW map (log10 power over white noise) and the XRT light curve.

    Parameters
    ----------
    gw_map : numpy.ndarray
        ``(frequencies, times)`` from :func:`mmlab.multimodal.gw_map`.
    frequencies : numpy.ndarray
        Frequency of each map row, Hz.
    light_curve : numpy.ndarray
        ``(bins, 2)`` log10 rate and error (:func:`mmlab.signals.grb.light_curve_features`).
    bin_centres : numpy.ndarray
        Time of each bin, s after the burst.
    gw_seconds : float
        Length of the map, ending 0.25 s after the merger.
    title : str
        Figure title.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    figure = make_subplots(rows=1, cols=2, column_widths=[0.55, 0.45],
                           subplot_titles=("GW map: log10 power / noise", "X-ray afterglow (Swift-XRT-like)"))
    times = np.linspace(-gw_seconds + 0.25, 0.25, gw_map.shape[1])
    figure.add_trace(go.Heatmap(z=gw_map, x=times, y=frequencies, colorscale="Viridis",
                                colorbar={"x": 0.5, "len": 0.9}), row=1, col=1)
    rate, error = 10 ** light_curve[:, 0], 10 ** light_curve[:, 1]
    figure.add_trace(go.Scatter(x=bin_centres, y=rate, mode="markers", error_y={"type": "data", "array": error},
                                name="count rate", showlegend=False), row=1, col=2)
    figure.update_yaxes(type="log", title_text="frequency [Hz]", row=1, col=1)
    figure.update_xaxes(title_text="time from merger [s]", row=1, col=1)
    figure.update_xaxes(type="log", title_text="time since burst [s]", row=1, col=2)
    figure.update_yaxes(type="log", title_text="counts/s (0.3–10 keV)", row=1, col=2)
    figure.update_layout(title=title, template="plotly_white", height=380, margin={"t": 60, "b": 40})
    return figure


def redshift_figure(predictions: dict, title: str = "Predicted against true redshift (test set)"):
    """Predicted vs true redshift, and ``Δz / (1 + z)`` against z, per model.

    ``predictions`` is ``{name: (z_true, z_predicted, sigma)}`` (``sigma`` the
    MC-dropout standard deviation, drawn as error bars).
    """
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    figure = make_subplots(rows=1, cols=2, subplot_titles=("predicted vs true", "Δz / (1 + z) against z"))
    high = max(float(np.max(true)) for true, _, _ in predictions.values())
    for k, (name, (true, predicted, sigma)) in enumerate(predictions.items()):
        colour = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728"][k % 4]
        figure.add_trace(go.Scatter(x=true, y=predicted, mode="markers", name=name, marker={"size": 4, "color": colour},
                                    error_y={"type": "data", "array": sigma, "thickness": 0.5}), row=1, col=1)
        figure.add_trace(go.Scatter(x=true, y=(np.asarray(predicted) - true) / (1 + np.asarray(true)), mode="markers",
                                    marker={"size": 4, "color": colour}, showlegend=False), row=1, col=2)
    figure.add_trace(go.Scatter(x=[0, high], y=[0, high], mode="lines", line={"dash": "dot", "color": "#999"},
                                showlegend=False), row=1, col=1)
    figure.update_xaxes(title_text="true z")
    figure.update_yaxes(title_text="predicted z", row=1, col=1)
    figure.update_yaxes(title_text="Δz / (1 + z)", row=1, col=2)
    figure.update_layout(title=title, template="plotly_white", height=420, margin={"t": 60, "b": 40})
    return figure


def coverage_figure(levels, coverages: dict, title: str = "Calibration of the MC-dropout uncertainty"):
    """Observed fraction inside each predicted interval against its probability (the diagonal is calibrated)."""
    import plotly.graph_objects as go

    figure = go.Figure()
    for name, observed in coverages.items():
        figure.add_trace(go.Scatter(x=levels, y=observed, mode="lines+markers", name=name))
    figure.add_trace(go.Scatter(x=[0, 1], y=[0, 1], mode="lines", line={"dash": "dot", "color": "#999"},
                                showlegend=False))
    figure.update_layout(title=title, xaxis_title="interval probability", yaxis_title="fraction of test events inside",
                         template="plotly_white", height=360, margin={"t": 50, "b": 40})
    return figure


def light_curve_fit_figure(light_curve, model_times: np.ndarray, model_rates: np.ndarray, title: str = ""):
    """A measured XRT light curve (:class:`mmlab.io.XRTLightCurve`, by mode) with a model curve."""
    import plotly.graph_objects as go

    figure = go.Figure()
    for mode in dict.fromkeys(light_curve.mode):
        keep = light_curve.mode == mode
        figure.add_trace(go.Scatter(
            x=light_curve.time[keep], y=light_curve.rate[keep], mode="markers", name=f"XRT {mode}",
            error_x={"type": "data", "symmetric": False, "array": (light_curve.time_high - light_curve.time)[keep],
                     "arrayminus": (light_curve.time - light_curve.time_low)[keep], "thickness": 0.5},
            error_y={"type": "data", "array": light_curve.rate_error[keep], "thickness": 0.5}))
    figure.add_trace(go.Scatter(x=model_times, y=model_rates, mode="lines", name="afterglowpy model"))
    figure.update_layout(title=title, xaxis={"type": "log", "title": "time since trigger [s]"},
                         yaxis={"type": "log", "title": "count rate, 0.3–10 keV [counts/s]"},
                         template="plotly_white", height=380, margin={"t": 50, "b": 40})
    return figure
