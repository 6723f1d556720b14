"""Band-pass, PSD, whitening, spectrogram and delay estimation against analytic results."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import signal

from mmlab import Strain
from mmlab.gw.coincidence import cross_correlation_delay
from mmlab.gw.filters import bandpass
from mmlab.gw.psd import welch_psd
from mmlab.gw.timefreq import spectrogram
from mmlab.gw.whiten import spectral_whiten

FS = 4096.0


def white_noise(seconds, sigma=1.0, seed=0):
    return Strain(np.random.default_rng(seed).normal(0, sigma, int(seconds * FS)), t0=0.0, sample_rate=FS)


def test_welch_psd_of_white_noise_is_two_sigma_squared_over_fs():
    sigma = 3e-21
    frequencies, psd = welch_psd(white_noise(64, sigma), fftlength=2)
    band = (frequencies > 20) & (frequencies < 1500)
    assert_allclose(np.mean(psd[band]), 2 * sigma**2 / FS, rtol=0.02)


def test_bandpass_passes_the_band_and_keeps_phase():
    t = np.arange(int(8 * FS)) / FS
    inside = np.sin(2 * np.pi * 100 * t)
    strain = Strain(inside + np.sin(2 * np.pi * 8 * t) + np.sin(2 * np.pi * 60 * t), t0=0, sample_rate=FS)
    filtered = bandpass(strain, 35, 350, notches=(60,)).data[int(FS) : -int(FS)]
    # Zero phase: the 100 Hz tone comes out sample for sample, the 8 Hz and 60 Hz ones are gone.
    assert_allclose(filtered, inside[int(FS) : -int(FS)], atol=0.02)


@pytest.mark.parametrize(("f_low", "f_high"), [(0, 100), (300, 200), (20, 2048), (-5, 100)])
def test_bandpass_rejects_a_bad_band(f_low, f_high):
    with pytest.raises(ValueError, match="Nyquist = 2048 Hz"):
        bandpass(white_noise(1), f_low, f_high)


def test_bandpass_rejects_a_notch_above_nyquist():
    with pytest.raises(ValueError, match=r"each notch must lie in \(0, Nyquist = 2048\) Hz, got 3000"):
        bandpass(white_noise(1), 35, 350, notches=(60, 3000))


def test_nan_strain_is_rejected():
    data = np.zeros(int(4 * FS))
    data[10] = np.nan
    with pytest.raises(ValueError, match="non-finite samples"):
        welch_psd(Strain(data, t0=0, sample_rate=FS))


def test_spectral_whitening_flattens_coloured_noise():
    # Coloured noise: white noise through a low-pass, the shape LIGO's noise has below 100 Hz.
    sos = signal.butter(4, 100, fs=FS, output="sos")
    rng = np.random.default_rng(1)
    coloured = signal.sosfilt(sos, rng.normal(size=int(256 * FS))) + 1e-3 * rng.normal(size=int(256 * FS))
    whitened = spectral_whiten(Strain(coloured * 1e-21, t0=0, sample_rate=FS))
    inner = Strain(whitened.data[int(16 * FS) : -int(16 * FS)], t0=0, sample_rate=FS)
    assert_allclose(np.std(inner.data), 1.0, rtol=0.03)
    frequencies, psd = welch_psd(inner, fftlength=2)
    band = (frequencies > 20) & (frequencies < 1500)
    ratio = psd[band] / (2 / FS)
    assert_allclose(np.median(ratio), 1.0, atol=0.03)
    for start in range(20, 1500, 20):  # every 20 Hz band within 10 % of flat
        chunk = ratio[(frequencies[band] >= start) & (frequencies[band] < start + 20)]
        assert abs(np.mean(chunk) - 1) < 0.1, start


def test_whitening_filter_is_truncated_to_fduration():
    """As gwpy's whiten: the inverse-ASD impulse response lasts fduration; outside it an impulse leaves nothing."""
    impulse = np.zeros(int(32 * FS))
    impulse[int(16 * FS)] = 1.0
    response = spectral_whiten(Strain(impulse, t0=0, sample_rate=FS), taper=0.0, psd="aLIGO", fduration=2.0).data
    outside = np.abs(np.arange(impulse.size) - int(16 * FS)) > FS  # more than 1 s from the impulse
    assert np.max(np.abs(response[outside])) < 1e-12 * np.max(np.abs(response))
    full = spectral_whiten(Strain(impulse, t0=0, sample_rate=FS), taper=0.0, psd="aLIGO", fduration=None).data
    assert np.max(np.abs(full[outside])) > 1e-6 * np.max(np.abs(full))  # the untruncated filter rings on
    with pytest.raises(ValueError, match=r"fduration must span 2 to 4096 samples \(1 s of data\), got 2.0 s"):
        spectral_whiten(white_noise(1), psd="aLIGO", fduration=2.0)


def test_spectrogram_finds_a_tone():
    t = np.arange(int(4 * FS)) / FS
    times, frequencies, power = spectrogram(Strain(np.sin(2 * np.pi * 200 * t), t0=10, sample_rate=FS), fftlength=0.25)
    assert_allclose(frequencies[np.argmax(power.mean(axis=1))], 200.0)
    assert 10 < times[0] < times[-1] < 14


def sine_gaussian(t, t_peak, f0=150.0, q=9.0):
    tau = q / (2 * np.pi * f0)
    return np.exp(-((t - t_peak) ** 2) / (2 * tau**2)) * np.sin(2 * np.pi * f0 * (t - t_peak))


def test_delay_of_an_inverted_shifted_transient():
    t = np.arange(int(0.5 * FS)) / FS
    delay = 3.3e-3  # not a whole number of samples
    first = Strain(-sine_gaussian(t, 0.25 + delay) + 0.05 * np.random.default_rng(2).normal(size=t.size), 0, FS)
    second = Strain(sine_gaussian(t, 0.25), 0, FS)
    measured, correlation = cross_correlation_delay(first, second, max_delay=0.010)
    assert_allclose(measured, delay, atol=0.05e-3)
    assert correlation < -0.9


def test_delay_input_checks():
    with pytest.raises(ValueError, match="share sample rate and length"):
        cross_correlation_delay(white_noise(1), white_noise(2))
