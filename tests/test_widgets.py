"""The strain explorer updates its figures from the controls and reports bad selections."""

import numpy as np
import pytest

from mmlab import Strain
from mmlab.viz.explorers import strain_explorer, strain_view

FS = 4096.0


@pytest.fixture
def strains():
    rng = np.random.default_rng(0)
    return [Strain(rng.normal(size=int(8 * FS)), t0=100.0, sample_rate=FS, detector=d) for d in ("H1", "L1")]


def test_view_crops_after_filtering(strains):
    shown = strain_view(strains, 104.0, (-0.5, 0.25), (35, 350), "band-passed")
    assert [s.detector for s in shown] == ["H1", "L1"]
    assert shown[0].t0 == pytest.approx(103.5) and shown[0].duration == pytest.approx(0.75)
    raw = strain_view(strains, 104.0, (-0.5, 0.25), (35, 350), "raw")
    np.testing.assert_array_equal(raw[0].data, strains[0].crop(103.5, 104.25).data)


@pytest.mark.parametrize(
    ("window", "view", "message"),
    [((-5.0, 0.0), "raw", r"must lie inside H1's data, \[-4.00, 4.00\] s"),
     ((-0.5, 0.2), "sideways", r"view must be one of \['raw', 'band-passed', 'whitened'\]")],
)
def test_view_rejects(strains, window, view, message):
    with pytest.raises(ValueError, match=message):
        strain_view(strains, 104.0, window, (35, 350), view)


def test_explorer_updates_figures_and_reports_errors(strains):
    box = strain_explorer(strains, 104.0)
    window, band, view, status, strain_figure, spectrogram_figure = box.children
    assert len(strain_figure.figure.data[0].x) == int(0.7 * FS)
    window.value = (-1.0, 1.0)
    assert len(strain_figure.figure.data[0].x) == int(2.0 * FS)
    view.value = "raw"
    np.testing.assert_allclose(strain_figure.figure.data[0].y, strains[0].crop(103.0, 105.0).data)
    band.value = (100.0, 200.0)
    assert min(spectrogram_figure.figure.data[0].y) >= 100.0 and max(spectrogram_figure.figure.data[0].y) <= 200.0
    assert status.value == ""
    band.value = (band.min, band.min)  # an empty band cannot be filtered
    view.value = "band-passed"
    assert "Cannot show this selection" in status.value and "f_low" in status.value


@pytest.mark.parametrize("source", ["CCSN low_short", "sine-Gaussian glitch", "scattered-light glitch", "blip glitch",
                                    "BBH 36+29 Msun", "BNS 1.4+1.35 Msun"])
def test_gallery_view_injects_each_source_at_the_requested_snr(source):
    from mmlab.viz.explorers import gallery_view

    view = gallery_view(source, "V1", 17.0, ra=1.0, dec=-0.3, psi=0.2, seed=3)
    assert view.snr == pytest.approx(17.0, rel=1e-6)
    assert view.image.image.shape == (64, 64)
    assert len(view.data) == len(view.signal) == len(view.whitened_data)
    assert view.data.duration <= 3.0 + 1e-9
    if source.endswith("glitch"):
        assert (view.fplus, view.fcross, view.delay) == (0.0, 0.0, 0.0)
    else:
        assert abs(view.fplus) > 0 and abs(view.delay) < 0.022


def test_gallery_lists_3d_models_and_rejects_unknown_sources(mirror):
    from mmlab.viz.explorers import gallery_sources, gallery_view

    assert "CCSN 3D 9a_x" in gallery_sources()
    with pytest.raises(ValueError, match="unknown gallery source 'CCSN 3D 25_x'|unknown 3D supernova model"):
        gallery_view("CCSN 3D 25_x", "V1", 10.0, 0.0, 0.0, 0.0, 0)
    with pytest.raises(ValueError, match="unknown detector 'X1'"):
        gallery_view("blip glitch", "X1", 10.0, 0.0, 0.0, 0.0, 0)
    with pytest.raises(ValueError, match="image_kind must be"):
        gallery_view("blip glitch", "V1", 10.0, 0.0, 0.0, 0.0, 0, image_kind="wavelet")


def test_signal_gallery_updates_its_figures():
    from mmlab.viz.explorers import signal_gallery

    box = signal_gallery(detector="H1", source="blip glitch", snr=10.0, seed=1)
    *rows, status, raw, whitened, image = box.children
    controls = {child.description: child for row in rows for child in row.children}
    assert "optimal SNR 10.0 in H1" in status.value
    before = np.array(whitened.figure.data[0].y)
    controls["SNR"].value = 30.0
    assert "optimal SNR 30.0 in H1" in status.value
    assert not np.array_equal(before, np.array(whitened.figure.data[0].y))
    controls["source"].value = "BBH 36+29 Msun"
    assert "F+ = " in status.value and "F+ = +0.00" not in status.value
    controls["image"].value = "scalogram"
    assert image.figure.layout.yaxis.type == "log"


def test_threshold_explorer_reports_rate_and_efficiency():
    from mmlab.studies.anomaly.widgets import threshold_explorer

    noise = np.linspace(0.0, 1.0, 101)  # 3600 s of noise: 10 windows above 0.905 -> 10 per hour
    box = threshold_explorer(noise, 3600.0, {"bbh": np.array([0.5, 0.95, 2.0])}, 0.905)
    slider, status, view = box.children
    assert "10 per hour" in status.value and list(view.figure.data[0].y) == pytest.approx([2 / 3])
    slider.value = 0.9  # a score equal to the threshold is an alarm (mmlab.core.statistics)
    assert "11 per hour" in status.value
    slider.value = 1.5
    assert "0 per hour" in status.value and list(view.figure.data[0].y) == pytest.approx([1 / 3])
    with pytest.raises(ValueError, match=r"threshold must lie within the scores' range \[0, 2\], got 5"):
        threshold_explorer(noise, 3600.0, {"bbh": np.array([2.0])}, 5)


def test_reconstruction_explorer_follows_the_slider():
    from mmlab.studies.anomaly.widgets import reconstruction_explorer

    windows = np.random.default_rng(1).normal(size=(9, 64))
    starts = 100.0 + 0.25 * np.arange(9)
    scores = np.arange(9.0)
    box = reconstruction_explorer(windows, np.zeros_like(windows), starts, scores, 128.0, 101.0)
    offset, status, view = box.children
    assert "window 3 of 9" in status.value and "rank <b>6</b>" in status.value  # 100.75 holds 101.0 at its centre
    offset.value = 1.0
    assert "window 8 of 9" in status.value and "rank <b>1</b>" in status.value
    assert list(view.figure.data[1].y) == [0.0] * 64 and list(view.figure.data[2].y) == pytest.approx(windows[8] ** 2)
    with pytest.raises(ValueError, match="same number"):
        reconstruction_explorer(windows, windows[:3], starts, scores, 128.0, 101.0)


def test_event_viewer_simulates_the_chosen_distance():
    from mmlab.studies.multimodal.datasets import PopulationConfig
    from mmlab.studies.multimodal.widgets import event_viewer

    config = PopulationConfig(n_events=10)
    box = event_viewer(config, distance=100.0, seed=1)
    (slider, seed_box), status, view = box.children[0].children, box.children[1], box.children[2]
    assert "d<sub>L</sub> = 100.0 Mpc, z = <b>0.0222</b>" in status.value
    loud = np.max(view.figure.data[0].z)
    slider.value = 400.0
    assert "d<sub>L</sub> = 400.0 Mpc" in status.value and np.max(view.figure.data[0].z) < loud
    with pytest.raises(ValueError, match=r"outside the population's range \[1, 500\] Mpc"):
        event_viewer(config, distance=900.0)


def test_explorer_labels_whitened_data_and_names_a_zero_width_window(strains):
    box = strain_explorer(strains, 104.0)
    window, _band, view, status, strain_figure, _spectrogram = box.children
    assert (window.min, window.max) == (-2.0, 2.0)  # 8 s of data, a slider of 4 s around the event
    assert strain_figure.figure.layout.yaxis.title.text == "whitened strain [σ]"
    view.value = "raw"
    assert strain_figure.figure.layout.yaxis.title.text == "strain"
    window.value = (0.3, 0.3)
    assert "0 s wide; make it at least 0.05 s" in status.value and "inside" not in status.value


def test_wdf_explorer_overlap_follows_the_window():
    from mmlab.viz.explorers import wdf_explorer

    rng = np.random.default_rng(1)
    whitened = Strain(rng.normal(size=int(8 * FS)), t0=100.0, sample_rate=FS, detector="H1")
    box = wdf_explorer(whitened, 104.0)
    controls = {c.description: c for row in box.children if hasattr(row, "children") for c in row.children
                if hasattr(c, "description")}
    window, overlap = controls["window [samples]"], controls["overlap [samples]"]
    assert overlap.value == 768
    window.value = 256
    assert overlap.value == 192 and overlap.max == 252
    window.value = 1024
    assert overlap.value == 768 and overlap.max == 1020


def _drawn_y(view) -> np.ndarray:
    """The first trace's y as the browser receives it: plotly's typed-array encoding in the Output's one output."""
    import base64

    (output,) = view.outputs
    y = output["data"]["application/vnd.plotly.v1+json"]["data"][0]["y"]
    return np.frombuffer(base64.b64decode(y["bdata"]), dtype=np.dtype(y["dtype"])) if isinstance(y, dict) else y


def test_live_figure_sends_each_redraw_as_widget_state_and_keeps_it_on_error():
    import ipywidgets as widgets
    import plotly.graph_objects as go

    from mmlab.viz.live import live_figure

    scale, status = widgets.FloatSlider(value=1.0, min=-1.0, max=3.0), widgets.HTML()

    def figure():
        if scale.value < 0:
            raise ValueError(f"scale must be positive, got {scale.value}")
        return go.Figure(go.Scatter(y=scale.value * np.arange(4.0)))

    view = live_figure(figure, [scale], status)
    assert isinstance(view, widgets.Output) and view.layout is not None  # ipywidgets' own layout, not the figure's
    np.testing.assert_array_equal(_drawn_y(view), [0.0, 1.0, 2.0, 3.0])
    scale.value = 2.0
    np.testing.assert_array_equal(_drawn_y(view), [0.0, 2.0, 4.0, 6.0])
    np.testing.assert_array_equal(view.figure.data[0].y, [0.0, 2.0, 4.0, 6.0])
    scale.value = -1.0
    assert "scale must be positive, got -1.0" in status.value
    np.testing.assert_array_equal(_drawn_y(view), [0.0, 2.0, 4.0, 6.0])  # the last good figure stays
    scale.value = 3.0
    assert status.value == "" and _drawn_y(view)[-1] == 9.0
