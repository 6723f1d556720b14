"""Bad input met by a probe of the library and the CLI: each gets one clear error naming the value (issue 17)."""

import json
from pathlib import Path

import numpy as np
import pytest

from mmlab.core.cache import DataFileError, read_manifest
from mmlab.lab.cli import main


def test_a_manifest_that_is_a_list_or_lacks_fields_is_named(isolated_cache):
    (isolated_cache / "manifest.json").write_text("[1, 2]")
    with pytest.raises(DataFileError, match="must be a JSON object of files, got a list"):
        read_manifest()
    (isolated_cache / "manifest.json").write_text(json.dumps({"gwosc/x.hdf5": {"sha256": "ab", "source": "u"}}))
    with pytest.raises(DataFileError, match=r"entry 'gwosc/x.hdf5' lacks \['bytes'\]"):
        read_manifest()


def test_cli_reports_os_errors_in_one_line(tmp_path, capsys, isolated_cache):
    afile = tmp_path / "report"
    afile.write_text("")
    assert main(["run", "00_tour", "--output", str(afile)]) == 2
    err = capsys.readouterr().err
    assert err.strip() == f"mmlab run: --output {afile} is a file, not a folder"
    (isolated_cache / "manifest.json").write_text("[]")
    assert main(["data", "list"]) == 2
    assert "cache manifest must be a JSON object" in capsys.readouterr().err


def test_an_alert_rate_for_replayed_data_is_refused(tmp_path, capsys):
    """The alert threshold at a false-alarm rate comes from simulated design noise: not for GW150914's noise."""
    assert main(["stream", "--source", "gwosc", "--alert-far", "1", "--output", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "--alert-far sets the threshold from simulated design noise" in err and "'gwosc'" in err


def test_single_wavelet_name_and_non_finite_sky_positions():
    from mmlab.core.strain import Strain
    from mmlab.gw.inject import inject
    from mmlab.signals.glitches import sine_gaussian
    from mmlab.wdf.filter import WaveletDetectionFilter

    assert WaveletDetectionFilter(wavelets="db4").wavelets == ("db4",)
    strain = Strain(np.zeros(4096 * 4), t0=0.0, sample_rate=4096.0, detector="H1")
    with pytest.raises(ValueError, match="ra must be a finite number, got nan"):
        inject(strain, sine_gaussian(100.0, 9.0), 2.0, ra=float("nan"), dec=0.0, snr=10)


def test_binaries_with_nothing_in_band_are_refused():
    from mmlab.signals.cbc import binary_black_hole

    # f_ISCO = c^3 / (6^1.5 pi G M): 4400 Hz per solar mass; a 2e6 Msun binary rings down near 0.01 Hz.
    with pytest.raises(ValueError, match=r"rings down by about 0.00\d+ Hz .* below f_lower=20 Hz"):
        binary_black_hole(1e6, 1e6)


def test_swift_names_must_be_strings_and_errors_have_signs(tmp_path):
    from mmlab.io.swift import load_swift_xrt, read_swift_xrt

    with pytest.raises(TypeError, match="loses its leading zero"):
        load_swift_xrt(90510)
    table = {name: {str(k): v for k, v in enumerate(values)} for name, values in {
        "Time": [10.0, 20.0], "TimePos": [1.0, 1.0], "TimeNeg": [-1.0, -1.0], "Rate": [5.0, 3.0],
        "RatePos": [0.5, -0.2], "RateNeg": [-0.5, 0.2]}.items()}
    path = tmp_path / "PC" / "GRB_000000.json"
    path.parent.mkdir()
    path.write_text(json.dumps(table))
    with pytest.raises(DataFileError, match="point 1: RatePos must be >= 0 and RateNeg <= 0"):
        read_swift_xrt(path)


def test_widgets_and_configurations_refuse_out_of_range_values():
    from mmlab.studies.ccsn.datasets import DatasetConfig
    from mmlab.viz.explorers import signal_gallery

    with pytest.raises(ValueError, match=r"snr must lie in \[4.0, 60.0\], got -1"):
        signal_gallery(snr=-1)
    for changes, message in (({"noise_seconds": -1}, "noise_seconds must be"), ({"seed": -1}, "seed must be"),
                             ({"image_shape": (0, 0)}, "image_shape must be two integers")):
        with pytest.raises(ValueError, match=message):
            DatasetConfig(**changes)


def test_lines_use_webgl_only_when_they_are_long():
    import plotly.graph_objects as go

    from mmlab.core.strain import Strain
    from mmlab.viz.figures import strain_figure
    from mmlab.viz.template import WEBGL_MIN_POINTS

    short = Strain(np.zeros(4096), t0=0.0, sample_rate=4096.0, detector="H1")
    long = Strain(np.zeros(WEBGL_MIN_POINTS + 1), t0=0.0, sample_rate=4096.0, detector="L1")
    figure = strain_figure([short, long], 0.0)
    assert isinstance(figure.data[0], go.Scatter) and isinstance(figure.data[1], go.Scattergl)


def test_recorded_metrics_are_quiet_in_a_notebook(monkeypatch):
    import IPython.display

    from mmlab.core import metrics

    shown = []
    monkeypatch.setattr("IPython.get_ipython", lambda: object())
    monkeypatch.setattr(IPython.display, "display", lambda bundle, raw: shown.append(bundle))
    metrics.record("quiet_metric", 0.5)
    assert shown == [{metrics.METRIC_MIMETYPE: {"name": "quiet_metric", "value": 0.5}}]


def test_verify_reads_files_the_manifest_does_not_list(isolated_cache, gw150914_h1_file, capsys):
    folder = isolated_cache / "gwosc"
    folder.mkdir()
    (folder / gw150914_h1_file.name).write_bytes(gw150914_h1_file.read_bytes()[:300_000])  # truncated copy
    assert main(["data", "verify"]) == 1
    out = capsys.readouterr().out
    assert f"CORRUPT  gwosc/{gw150914_h1_file.name} (not in the manifest)" in out and "1 problem(s)" in out


def test_a_truncated_cache_file_falls_back_to_the_mirror(isolated_cache, gw150914_h1_file):
    from mmlab.core.cache import add_to_manifest
    from mmlab.io.gwosc import locate_gwosc

    folder = isolated_cache / "gwosc"
    folder.mkdir()
    cached = folder / gw150914_h1_file.name
    cached.write_bytes(gw150914_h1_file.read_bytes())
    add_to_manifest(cached, "https://gwosc.org/example")
    cached.write_bytes(gw150914_h1_file.read_bytes()[:300_000])  # truncated after it was recorded
    with pytest.warns(UserWarning, match="truncated or changed"):
        found = locate_gwosc("GW150914", "H1")
    assert found == gw150914_h1_file


def test_a_read_only_cache_is_refused_before_building(tmp_path, monkeypatch):
    import os

    from mmlab.core import cache
    from mmlab.studies.ccsn.datasets import Dataset, DatasetConfig

    folder = tmp_path / "ro"
    folder.mkdir()
    # Root may write anywhere, so the folder is made read-only as os.access reports it.
    monkeypatch.setattr(cache.os, "access", lambda path, mode: Path(path) != folder and os.access(path, mode))
    monkeypatch.setattr(Dataset, "build", classmethod(lambda cls, config, progress=True: pytest.fail("built")))
    with pytest.raises(PermissionError, match="is not writable; set MMLAB_DATA_DIR"):
        Dataset.load(DatasetConfig(n_per_class=3), directory=folder)


@pytest.mark.parametrize(("build", "message"), [
    ("mmlab.studies.multimodal.datasets:PopulationConfig(sample_rate=-1)", "sample_rate must be a finite positive"),
    ("mmlab.studies.multimodal.datasets:PopulationConfig(image_shape=(0, 0))", "image_shape must be an integer >= 8"),
    ("mmlab.studies.multimodal.datasets:PopulationConfig(seed=-1)", "seed must be an integer >= 0, got -1"),
    ("mmlab.studies.multimodal.datasets:PopulationConfig(mass_range=())", "mass_range must be"),
    ("mmlab.studies.representation.datasets:BNSConfig(f_lower=5000.0)", "below the Nyquist frequency"),
    ("mmlab.wdf.excess_power:ExcessPowerConfig(min_excess=float('nan'))", "min_excess must be a finite number"),
    ("mmlab.stream.pipeline:StreamConfig(max_deliveries=0)", "max_deliveries must be an integer >= 1"),
    ("mmlab.stream.pipeline:StreamConfig(alert_snr=-8)", "alert_snr must be a finite positive"),
    ("mmlab.stream.pipeline:StreamConfig(excess_power_tiles=(1 / 32, -1))", r"tile_durations must be positive seconds"),
    ("mmlab.stream.pipeline:StreamConfig(sample_rate=2048, excess_power_tiles=(0.001,))",
     r"a tile of 0.001 s is 2.048 samples at 2048 Hz"),
    ("mmlab.signals.lightcurves:ZTFCadence(limiting_mag=float('nan'))", "limiting_mag must lie in"),
])
def test_configurations_are_checked_when_built(build, message):
    import importlib

    module, expression = build.split(":")
    namespace = vars(importlib.import_module(module))
    with pytest.raises(ValueError, match=message):
        eval(expression, dict(namespace))
