"""Signal models against analytic results, the 3D-simulation files and post-Newtonian theory."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import integrate, signal
from scipy.constants import G, c

from mmlab.core.cache import DataFileError
from mmlab.io import find_ccsn_3d_files, read_ccsn_3d
from mmlab.signals import (
    CCSN_FAMILIES,
    GLITCH_KINDS,
    Waveform,
    binary_black_hole,
    binary_neutron_star,
    blip,
    ccsn_3d_waveform,
    ccsn_family_waveform,
    ccsn_phenomenological,
    compact_binary,
    random_glitch,
    sample_ccsn_parameters,
    scattered_light,
    sine_gaussian,
)
from mmlab.signals.ccsn import KPC_CM

FS = 4096.0
SOLAR_MASS_KG = 1.988409870698051e30


def peak_frequency(strain, sample_rate=FS, nperseg=None):
    frequencies, psd = signal.welch(strain, fs=sample_rate, nperseg=nperseg or min(len(strain), 4096))
    return frequencies[np.argmax(psd)]


def test_waveform_validates_and_scales():
    waveform = Waveform(np.ones(8), np.zeros(8), FS, start=-0.001, distance=100.0)
    assert not waveform.is_polarised
    assert_allclose(waveform.at_distance(200.0).hplus, 0.5)
    assert waveform.at_distance(200.0).distance == 200.0
    with pytest.raises(ValueError, match="same length|one length"):
        Waveform(np.ones(8), np.zeros(7), FS)
    with pytest.raises(ValueError, match="distance must be a finite positive number"):
        waveform.at_distance(float("nan"))
    with pytest.raises(ValueError, match="has no physical distance"):
        Waveform(np.ones(8), np.zeros(8), FS).at_distance(10.0)


def _ode_response(track, q, kick_time, duration, sample_rate=FS):
    """Unit-impulse response of h'' + (w/Q) h' + w^2 h = delta(t - kick_time), integrated by scipy."""
    from scipy.integrate import solve_ivp

    def rhs(t, state):
        omega = 2 * np.pi * track(t)
        return [state[1], -omega / q * state[1] - omega**2 * state[0]]

    times = np.arange(int(duration * sample_rate)) / sample_rate
    after = times >= kick_time
    solution = solve_ivp(rhs, (kick_time, times[-1]), [0.0, 1.0], t_eval=times[after], rtol=1e-10, atol=1e-14)
    response = np.zeros_like(times)
    response[after] = solution.y[0]
    return response


@pytest.mark.parametrize(("f0", "f1"), [(400.0, 400.0), (300.0, 900.0)])
def test_kicked_oscillator_matches_the_ode_solution(f0, f1):
    from mmlab.signals.ccsn import _kicked_oscillator, frequency_track

    q, duration = 10.0, 0.5
    times = np.arange(int(duration * FS)) / FS
    track = frequency_track(times, f0, f1, t2=0.5)
    kick_time = 64 / FS  # on the sample grid
    ours = _kicked_oscillator(track, FS, q, np.array([kick_time]), np.array([1.0]))
    reference = _ode_response(lambda t: np.interp(t, times, track), q, kick_time, duration)
    assert np.max(np.abs(ours - reference)) < 0.02 * np.max(np.abs(reference))


def test_kicked_oscillator_is_exact_for_a_constant_frequency_across_blocks():
    from mmlab.signals.ccsn import _kicked_oscillator

    # 3 s at 1000 Hz is ~19000 rad of phase: several renormalisation blocks.
    f, q, duration = 1000.0, 10.0, 3.0
    times = np.arange(int(duration * FS)) / FS
    kicks, amplitudes = np.array([100, 5000, 11000]) / FS, np.array([1.0, -0.5, 2.0])
    ours = _kicked_oscillator(np.full(times.size, f), FS, q, kicks, amplitudes)
    omega = 2 * np.pi * f
    elapsed = [np.maximum(times - t_k, 0.0) for t_k in kicks]
    expected = sum(
        a / omega * np.exp(-omega * dt / (2 * q)) * np.sin(omega * np.sqrt(1 - 1 / (4 * q * q)) * dt)
        for dt, a in zip(elapsed, amplitudes)
    )
    assert_allclose(ours, expected, atol=1e-9 * np.abs(expected).max())


def test_randomly_kicked_oscillator_has_a_resonance_of_width_f_over_q():
    waveform = ccsn_phenomenological(duration=8.0, f0=400.0, f1=400.0, t2=1.0, q=10.0, taper=0.0, seed=1)
    frequencies, psd = signal.welch(waveform.hplus, fs=FS, nperseg=1024)
    assert abs(frequencies[np.argmax(psd)] - 400.0) <= 8.0
    half_power = frequencies[psd >= psd.max() / 2]
    assert_allclose(half_power.max() - half_power.min(), 400.0 / 10.0, rtol=0.3)
    assert_allclose(waveform.hrss(), 1e-22, rtol=1e-12)


def test_ccsn_frequency_rises_along_its_track():
    waveform = ccsn_phenomenological(duration=1.0, f0=150.0, f1=1000.0, t2=1.0, seed=3)
    early, late = waveform.hplus[: int(0.2 * FS)], waveform.hplus[int(0.8 * FS):]
    # Track: f rises from 150 Hz to 150 + 850 * 0.36 = 456 Hz in the first 0.2 s, and is 966-1000 Hz
    # in the last 0.2 s.
    assert 150 <= peak_frequency(early, nperseg=512) < 470
    assert 850 < peak_frequency(late, nperseg=512) < 1100
    # The g-mode strengthens with accretion: the strain grows over the emission.
    assert np.std(waveform.hplus[int(0.6 * FS):int(0.9 * FS)]) > 2 * np.std(waveform.hplus[: int(0.3 * FS)])


def test_sasi_adds_low_frequency_power():
    def low_fraction(family):
        fractions = []
        for seed in range(4):
            waveform = ccsn_family_waveform(family, seed=seed)
            frequencies, psd = signal.welch(waveform.hplus, fs=FS, nperseg=512)
            fractions.append(psd[frequencies < 250].sum() / psd.sum())
        return np.mean(fractions)

    assert low_fraction("low_long_sasi") > 2 * low_fraction("low_short")


def test_ccsn_families_are_reproducible_and_distinct():
    assert len(CCSN_FAMILIES) >= 4
    first = ccsn_family_waveform("high_long", seed=9)
    assert np.array_equal(first.hplus, ccsn_family_waveform("high_long", seed=9).hplus)
    assert not np.array_equal(first.hplus, ccsn_family_waveform("high_long", seed=10).hplus)
    assert first.parameters["family"] == "high_long"
    short, long = sample_ccsn_parameters("low_short", 0), sample_ccsn_parameters("high_long", 0)
    assert short["duration"] < 0.35 < 0.6 < long["duration"] and short["f1"] < 700 < 1000 < long["f1"]
    with pytest.raises(ValueError, match=r"unknown CCSN family 'medium'; known families are \['low_short'"):
        ccsn_family_waveform("medium")


def _late_peak_frequency(strain: np.ndarray, sample_rate: float = 4096.0) -> float:
    """Frequency of the strongest Welch bin above 400 Hz (the g-mode, not SASI or memory) in the last 0.3 s."""
    frequencies, power = signal.welch(strain[-int(0.3 * sample_rate):], sample_rate, nperseg=512)
    band = frequencies > 400
    return float(frequencies[band][np.argmax(power[band])])


def test_rising_long_families_follow_the_3d_simulations_tracks(mirror):
    # The 3D simulations (Vartanyan et al. 2023) end with a g-mode near 1.5 kHz after 1.7-2 s of emission.
    late_3d = [_late_peak_frequency(ccsn_3d_waveform(model).hplus) for model in ("9a_x", "9b_z")]
    assert all(1300 < f < 1800 for f in late_3d)
    for family in ("rising_long", "rising_long_sasi"):
        waveforms = [ccsn_family_waveform(family, seed=k) for k in range(6)]
        durations = [w.hplus.size / 4096 for w in waveforms]
        late = [_late_peak_frequency(w.hplus) for w in waveforms]
        assert min(durations) >= 1.2 and max(durations) <= 2.5
        assert 0.8 * min(late_3d) < np.median(late) < 1.3 * max(late_3d), (family, late, late_3d)
    old = [_late_peak_frequency(ccsn_family_waveform("high_long", seed=k).hplus) for k in range(6)]
    assert np.median(old) < min(late_3d)  # what the older families missed


def test_early_burst_family_is_loudest_where_the_3d_simulations_are(mirror):
    def rms(waveform, start, end):
        times = waveform.start + np.arange(waveform.hplus.size) / waveform.sample_rate
        return np.sqrt(np.mean(waveform.hplus[(times >= start) & (times < end)] ** 2))

    # Vartanyan et al. 2023's 9a and 9b: quiet for ~50 ms after bounce, loudest 50-250 ms after it.
    for model in ("9a_x", "9b_y"):
        simulated = ccsn_3d_waveform(model)
        assert rms(simulated, 0.05, 0.25) > 10 * rms(simulated, 0.0, 0.05)
    for k in range(5):
        burst = ccsn_family_waveform("early_burst", seed=k)
        peak = burst.parameters["burst_peak"]
        assert 0.06 <= peak <= 0.15
        assert rms(burst, peak - 0.03, peak + 0.03) > 2 * rms(burst, 0.0, 0.02)
        assert rms(burst, peak - 0.03, peak + 0.03) > 4 * rms(burst, peak + 0.2, peak + 0.3)
    with pytest.raises(ValueError, match=r"burst_peak must lie in \[0.0, 0.5\], got 0.8"):
        ccsn_phenomenological(duration=0.5, f0=100, f1=500, t2=0.3, burst_peak=0.8)


def test_ccsn_rejects_unphysical_parameters():
    with pytest.raises(ValueError, match="duration must be a finite positive number"):
        ccsn_phenomenological(duration=0.0, f0=100, f1=500, t2=0.3)
    with pytest.raises(ValueError, match=r"f1 must lie in \[0.0, 1024.0\]"):
        ccsn_phenomenological(duration=0.5, f0=100, f1=1500, t2=0.3, sample_rate=2048)


def test_3d_waveform_is_resampled_and_scaled_to_distance(mirror):
    models = find_ccsn_3d_files()
    assert {"9a_x", "9b_z"} <= set(models)
    times, hplus_cm, hcross_cm = read_ccsn_3d(models["9a_x"])
    assert np.ptp(np.diff(times)) > 0  # the file is non-uniformly sampled
    at_10 = ccsn_3d_waveform("9a_x", distance=10.0)
    at_20 = ccsn_3d_waveform(models["9a_x"], distance=20.0)
    assert at_10.sample_rate == FS and at_10.distance == 0.01
    assert_allclose(at_10.start, times[0])
    assert_allclose(at_20.hplus, at_10.hplus / 2)
    # Root-sum-square strain from the file's own samples (trapezoid on the non-uniform grid):
    # the resampled, band-limited waveform keeps it (to the taper and the content above 2 kHz).
    direct = np.sqrt(integrate.trapezoid(hplus_cm**2 + hcross_cm**2, times)) / (10 * KPC_CM)
    assert_allclose(at_10.hrss(), direct, rtol=0.02)


def test_3d_waveform_of_an_unknown_model_lists_the_available_ones(mirror):
    with pytest.raises(ValueError, match=r"unknown 3D supernova model '25_x'; available: \['9a_x'"):
        ccsn_3d_waveform("25_x")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("0.01 1e-3 2e-3\n0.02 1e-3\n", r"bad\.txt, line 2: expected 3 columns \(t, h\+\*D, hx\*D\), got 2"),
        ("0.01 1e-3 2e-3\n0.02 x 1\n", r"line 2: not three numbers"),
        ("0.02 1e-3 2e-3\n0.01 1e-3 1e-3\n", r"time does not increase after sample 1"),
        ("0.01 1e-3 2e-3\n", r"holds 1 samples"),
        ("0.01 1e-3 2e-3\n0.02 nan 1\n", r"sample 2 is not finite"),
    ],
)
def test_bad_3d_waveform_files_name_file_and_line(tmp_path, content, message):
    path = tmp_path / "bad.txt"
    path.write_text(content)
    with pytest.raises(DataFileError, match=message):
        ccsn_3d_waveform(path)


def test_sine_gaussian_has_its_analytic_hrss_and_frequency():
    f0, q, amplitude = 235.0, 9.0, 2e-21
    waveform = sine_gaussian(f0, q, amplitude)
    tau = q / (2 * np.pi * f0)
    assert_allclose(waveform.hrss(), amplitude * np.sqrt(np.sqrt(np.pi) * tau / 2 * (1 - np.exp(-q**2))), rtol=1e-6)
    assert waveform.start == -(len(waveform) // 2) / FS
    assert abs(peak_frequency(np.pad(waveform.hplus, 4096), nperseg=8192) - f0) < 1.0
    with pytest.raises(ValueError, match="f0 must lie in"):
        sine_gaussian(3000.0, 9.0)


def test_blip_is_short_symmetric_and_zero_mean():
    waveform = blip(peak_frequency=150.0)
    assert_allclose(waveform.hplus, waveform.hplus[::-1], atol=1e-35)
    assert abs(waveform.hplus.sum()) < 1e-3 * np.abs(waveform.hplus).sum()
    spectrum = np.abs(np.fft.rfft(waveform.hplus, n=1 << 16))
    assert abs(np.fft.rfftfreq(1 << 16, 1 / FS)[np.argmax(spectrum)] - 150.0) < 2.0
    assert waveform.duration < 0.02


def test_scattered_light_arches_peak_at_f_peak():
    waveform = scattered_light(f_peak=40.0, period=1.0, n_arches=2, n_harmonics=1)
    assert waveform.duration == 2.0
    # The instantaneous frequency lingers near the arch top, so the spectrum peaks just below f_peak.
    assert 34.0 < peak_frequency(waveform.hplus, nperseg=8192) <= 40.5
    with pytest.raises(ValueError, match="n_harmonics \\* f_peak must lie in"):
        scattered_light(f_peak=600.0, period=1.0, n_harmonics=4)


@pytest.mark.parametrize("kind", GLITCH_KINDS)
def test_random_glitches_are_reproducible_single_detector_transients(kind):
    glitch = random_glitch(kind, seed=4)
    assert not glitch.is_polarised
    assert glitch.start < 0 < glitch.start + glitch.duration
    assert np.array_equal(glitch.hplus, random_glitch(kind, seed=4).hplus)
    with pytest.raises(ValueError, match="unknown glitch kind 'koi_fish'"):
        random_glitch("koi_fish")


def test_bbh_amplitude_is_inverse_to_distance_and_redshifted():
    near = binary_black_hole(distance=100.0, source_frame=False)
    far = binary_black_hole(distance=200.0, source_frame=False)
    assert_allclose(np.abs(near.hplus).max() / np.abs(far.hplus).max(), 2.0, rtol=1e-6)
    # Source-frame masses at 410 Mpc are the detector-frame masses divided by 1 + z.
    source = binary_black_hole(36.0, 29.0, 410.0)
    redshift = source.parameters["redshift"]
    assert 0.08 < redshift < 0.095  # GW150914: z = 0.09
    detector = compact_binary(36.0 * (1 + redshift), 29.0 * (1 + redshift), 410.0, source_frame=False)
    assert_allclose(source.hplus, detector.hplus)
    peak = np.argmax(np.hypot(source.hplus, source.hcross))
    assert abs(source.times[peak]) < 0.01  # merger at time 0
    # Face-on GW150914 would peak near 2e-21 (observed ~1e-21 after antenna pattern and inclination).
    assert 1e-21 < np.abs(source.hplus).max() < 3e-21


def test_bns_frequency_follows_the_newtonian_chirp():
    # Face-on (inclination 0): h+ + i hx is circular, its phase rate is the GW frequency.
    waveform = binary_neutron_star(1.4, 1.35, 40.0, inclination=0.0, f_lower=30.0)
    redshift = waveform.parameters["redshift"]
    m1, m2 = 1.4 * (1 + redshift), 1.35 * (1 + redshift)
    chirp_mass = (m1 * m2) ** 0.6 / (m1 + m2) ** 0.2 * SOLAR_MASS_KG
    phase = np.unwrap(np.angle(waveform.hplus + 1j * waveform.hcross))
    frequency = np.abs(np.gradient(phase, 1 / FS)) / (2 * np.pi)
    for f in (40.0, 60.0, 100.0):
        tau = 5 / 256 * (np.pi * f) ** (-8 / 3) * (G * chirp_mass / c**3) ** (-5 / 3)
        measured = np.median(frequency[np.abs(waveform.times + tau) < 0.05])
        assert_allclose(measured, f, rtol=0.03)


def test_compact_binary_rejects_bad_input():
    with pytest.raises(ValueError, match="distance must be a finite positive number Mpc"):
        binary_black_hole(distance=0.0)
    with pytest.raises(ValueError, match="unknown LALSimulation approximant 'IMRPhenomZ'"):
        compact_binary(30, 30, 100, approximant="IMRPhenomZ")
    with pytest.raises(ValueError, match="below the Nyquist frequency"):
        compact_binary(30, 30, 100, f_lower=30, sample_rate=50)
