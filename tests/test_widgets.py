"""The strain explorer updates its figures from the controls and reports bad selections."""

import numpy as np
import pytest

from mmlab import Strain
from mmlab.widgets import strain_explorer, strain_view

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
    assert len(strain_figure.data[0].x) == int(0.7 * FS)
    window.value = (-1.0, 1.0)
    assert len(strain_figure.data[0].x) == int(2.0 * FS)
    view.value = "raw"
    np.testing.assert_allclose(strain_figure.data[0].y, strains[0].crop(103.0, 105.0).data)
    band.value = (100.0, 200.0)
    assert min(spectrogram_figure.data[0].y) >= 100.0 and max(spectrogram_figure.data[0].y) <= 200.0
    assert status.value == ""
    band.value = (band.min, band.min)  # an empty band cannot be filtered
    view.value = "band-passed"
    assert "Cannot show this selection" in status.value and "f_low" in status.value
