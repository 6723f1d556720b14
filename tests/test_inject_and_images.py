"""Optimal SNR against closed forms and LALSimulation; injections; time-frequency images; the gallery."""

import numpy as np
import pytest
from numpy.testing import assert_allclose

from mmlab import Strain
from mmlab.gw.detectors import antenna_pattern, time_delay
from mmlab.gw.inject import (
    add_signal,
    detector_signal,
    inject,
    injection_set,
    network_optimal_snr,
    network_snr,
    optimal_snr,
    project,
    scale_to_snr,
)
from mmlab.gw.noise import colored_noise
from mmlab.gw.timefreq import scalogram_image, spectrogram_image
from mmlab.gw.whiten import spectral_whiten
from mmlab.signals import binary_black_hole, sine_gaussian

FS = 4096.0
GPS = 1126259462.4
WHITE_PSD = 1e-46
WHITE = (np.array([0.0, FS / 2]), np.array([WHITE_PSD, WHITE_PSD]))


@pytest.mark.parametrize(("f0", "q"), [(100.0, 4.0), (235.0, 9.0), (900.0, 30.0)])
def test_optimal_snr_of_a_sine_gaussian_in_white_noise_is_analytic(f0, q):
    amplitude = 1e-21
    tau = q / (2 * np.pi * f0)
    analytic = amplitude * np.sqrt(np.sqrt(np.pi) * tau * (1 - np.exp(-q**2)) / WHITE_PSD)
    assert_allclose(optimal_snr(sine_gaussian(f0, q, amplitude), WHITE, FS, f_low=1.0), analytic, rtol=0.01)


def test_optimal_snr_agrees_with_lalsimulation_measure_snr():
    import lal
    import lalsimulation

    strain = detector_signal(binary_black_hole(), "H1", GPS, ra=1.95, dec=-1.27, psi=0.8)
    series = lal.CreateREAL8TimeSeries("h", 0, 0.0, 1 / FS, lal.StrainUnit, len(strain))
    series.data.data = strain.data.copy()
    n_fft = 1 << int(np.ceil(np.log2(len(strain))))
    psd = lal.CreateREAL8FrequencySeries("psd", 0, 0.0, FS / n_fft, lal.DimensionlessUnit, n_fft // 2 + 1)
    lalsimulation.SimNoisePSDaLIGODesignSensitivityT1800044(psd, 20.0)
    reference = lalsimulation.MeasureSNR(series, psd, 20.0, FS / 2)
    assert_allclose(optimal_snr(strain, "aLIGO", FS, f_low=20.0), reference, rtol=0.01)


def test_optimal_snr_rejects_a_band_above_nyquist_and_a_polarised_waveform():
    with pytest.raises(ValueError, match=r"f_low=30.0 Hz is not below the Nyquist frequency 25.0 Hz"):
        optimal_snr(np.ones(64), WHITE, 50.0, f_low=30.0)
    with pytest.raises(ValueError, match="project the waveform"):
        optimal_snr(binary_black_hole(), "aLIGO", FS)


def test_project_is_the_antenna_weighted_sum():
    hplus, hcross = np.array([1.0, 2.0]), np.array([3.0, -1.0])
    fplus, fcross = antenna_pattern("L1", 0.3, 0.4, 0.5, GPS)
    assert_allclose(project(hplus, hcross, "L1", 0.3, 0.4, 0.5, GPS), fplus * hplus + fcross * hcross)


def test_detector_signal_arrives_with_the_geocentre_delay():
    waveform = binary_black_hole()
    signal = detector_signal(waveform, "V1", GPS, ra=1.0, dec=0.2, psi=0.0)
    assert_allclose(signal.t0, GPS + float(time_delay("V1", 1.0, 0.2, GPS)) + waveform.start)
    with pytest.raises(ValueError, match="has a cross polarisation"):
        detector_signal(waveform, "V1", GPS)
    with pytest.raises(ValueError, match="give both ra and dec"):
        detector_signal(waveform, "V1", GPS, ra=1.0)


def test_network_snr_is_the_root_sum_square():
    assert network_snr([3.0, 4.0]) == 5.0
    snrs = network_optimal_snr(binary_black_hole(), "HLV", GPS, 1.95, -1.27, 0.8)
    assert set(snrs) == {"H1", "L1", "V1", "network"}
    assert_allclose(snrs["network"], np.sqrt(snrs["H1"] ** 2 + snrs["L1"] ** 2 + snrs["V1"] ** 2))


def test_inject_at_snr_and_at_distance():
    noise = colored_noise("aLIGO", 16, FS, seed=2, t0=GPS - 8, detector="H1")
    waveform = binary_black_hole()
    sky = {"ra": 1.95, "dec": -1.27, "psi": 0.8}
    at_snr = inject(noise, waveform, GPS, **sky, snr=15.0, psd="aLIGO")
    assert_allclose(optimal_snr(at_snr.data - noise.data, "aLIGO", FS), 15.0, rtol=0.005)
    near = inject(noise, waveform, GPS, **sky, distance=205.0)
    far = inject(noise, waveform, GPS, **sky, distance=410.0)
    assert_allclose(optimal_snr(near.data - noise.data, "aLIGO", FS) / optimal_snr(far.data - noise.data, "aLIGO", FS),
                    2.0, rtol=1e-6)
    # Without a PSD the SNR is measured against a Welch estimate of the data itself.
    estimated = inject(noise, waveform, GPS, **sky, snr=15.0)
    assert_allclose(optimal_snr(estimated.data - noise.data, "aLIGO", FS), 15.0, rtol=0.05)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"snr": 0.0}, "snr must be a finite positive number"),
        ({"snr": -5.0}, "snr must be a finite positive number"),
        ({"snr": float("nan")}, "snr must be a finite positive number"),
        ({"distance": 0.0}, "distance must be a finite positive number"),
        ({}, "give exactly one of snr and distance"),
        ({"snr": 10.0, "distance": 100.0}, "give exactly one of snr and distance"),
    ],
)
def test_inject_rejects_bad_amplitudes(options, message):
    noise = colored_noise("aLIGO", 8, FS, seed=2, t0=GPS - 4, detector="H1")
    with pytest.raises(ValueError, match=message):
        inject(noise, binary_black_hole(), GPS, ra=1.0, dec=0.0, **options, psd="aLIGO")


def test_a_glitch_cannot_be_injected_at_a_distance():
    noise = colored_noise("AdV", 4, FS, seed=1, t0=0.0, detector="V1")
    with pytest.raises(ValueError, match="no physical distance"):
        inject(noise, sine_gaussian(200, 9), 2.0, distance=1.0)


def test_add_signal_shifts_by_a_fraction_of_a_sample():
    data = Strain(np.zeros(4096), t0=0.0, sample_rate=FS)
    pulse = sine_gaussian(300.0, 9.0, amplitude=1.0)
    offset = 0.37 / FS
    shifted = add_signal(data, Strain(pulse.hplus, t0=1.0 + pulse.start + offset, sample_rate=FS))
    times = data.times
    expected = np.exp(-((times - 1.0 - offset) ** 2) / (2 * (9.0 / (2 * np.pi * 300.0)) ** 2)) * np.sin(
        2 * np.pi * 300.0 * (times - 1.0 - offset))
    assert_allclose(shifted.data, expected, atol=1e-6)
    with pytest.raises(ValueError, match="does not overlap the data"):
        add_signal(data, Strain(pulse.hplus, t0=5.0, sample_rate=FS))
    with pytest.raises(ValueError, match="differs from the data's 4096.0 Hz"):
        add_signal(data, Strain(pulse.hplus, t0=0.5, sample_rate=2048.0))


def test_scale_to_snr_scales_linearly():
    signal = Strain(sine_gaussian(200.0, 9.0).hplus, t0=0.0, sample_rate=FS)
    assert_allclose(optimal_snr(scale_to_snr(signal, 12.0, "AdV"), "AdV", FS), 12.0)


def test_injection_sets_are_reproducible_isotropic_and_spaced():
    table = injection_set(5000, (1e9, 1e9 + 5e5), seed=3, snr_range=(8, 40), min_separation=50.0)
    assert table.colnames == ["gps", "ra", "dec", "psi", "snr"]
    again = injection_set(5000, (1e9, 1e9 + 5e5), seed=3, snr_range=(8, 40), min_separation=50.0)
    assert all(np.array_equal(table[name], again[name]) for name in table.colnames)
    assert np.min(np.diff(table["gps"])) >= 50.0
    # Isotropic: sin(dec) uniform on [-1, 1] (mean 0, variance 1/3).
    assert abs(np.mean(np.sin(table["dec"]))) < 0.03 and abs(np.var(np.sin(table["dec"])) - 1 / 3) < 0.02
    assert 8 <= table["snr"].min() and table["snr"].max() <= 40
    with pytest.raises(ValueError, match="do not fit in"):
        injection_set(10, (0, 100), min_separation=20.0)


@pytest.mark.parametrize("make_image", [spectrogram_image, scalogram_image])
def test_time_frequency_images_locate_an_injection(make_image):
    noise = colored_noise("AdV", 8, FS, seed=5, t0=0.0, detector="V1")
    data = inject(noise, sine_gaussian(300.0, 9.0), 4.0, snr=40.0, psd="AdV")
    whitened = spectral_whiten(data, psd="AdV").crop(3.5, 4.5)
    image = make_image(whitened, shape=(48, 40), f_range=(20.0, 1000.0))
    assert image.image.shape == (48, 40) and image.image.dtype == np.float32
    assert image.image.min() == 0.0 and image.image.max() == 1.0
    row, column = np.unravel_index(np.argmax(image.image), image.image.shape)
    assert abs(image.frequencies[row] - 300.0) < 40.0
    assert abs(image.times[column] - 4.0) < 0.05


def test_time_frequency_images_reject_bad_requests():
    strain = Strain(np.random.default_rng(0).normal(size=4096), t0=0.0, sample_rate=FS)
    with pytest.raises(ValueError, match="f_range must satisfy"):
        spectrogram_image(strain, f_range=(20.0, 3000.0))
    with pytest.raises(ValueError, match="shape must be two integers"):
        scalogram_image(strain, shape=(64,))
    with pytest.raises(ValueError, match="continuous PyWavelets wavelet"):
        scalogram_image(strain, wavelet="db4")
