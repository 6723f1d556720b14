"""Design PSDs and coloured noise against LALSimulation; detector geometry against LAL."""

import astropy.units as u
import numpy as np
import pytest
from numpy.testing import assert_allclose

from mmlab.core.cosmology import redshift_from_distance
from mmlab.gw.detectors import DETECTORS, antenna_pattern, detector_names, get_detector, light_travel_time, time_delay
from mmlab.gw.noise import colored_noise
from mmlab.gw.psd import DESIGN_CURVES, design_psd, design_table, psd_on_grid, welch_psd

FS = 4096.0


@pytest.mark.parametrize("name", sorted(DESIGN_CURVES))
def test_design_psd_agrees_with_lalsimulation(name):
    import lal
    import lalsimulation

    delta_f, n_bins = 0.25, 8193
    series = lal.CreateREAL8FrequencySeries("psd", 0, 0.0, delta_f, lal.DimensionlessUnit, n_bins)
    getattr(lalsimulation, DESIGN_CURVES[name].lal_function)(series, 0.0)
    frequencies = np.arange(n_bins) * delta_f
    table_frequencies, _ = design_table(name)
    # Inside the table, beyond its first point (where LAL's loop starts one bin late).
    inside = (frequencies > table_frequencies[0] + delta_f) & (frequencies < min(table_frequencies[-1], frequencies[-1]))
    assert inside.sum() > 7000
    assert_allclose(design_psd(name, frequencies)[inside], series.data.data[inside], rtol=1e-10)


def test_design_psd_is_zero_outside_its_table_and_accepts_quantities():
    assert design_psd("AdV", [0.0, 5.0, 20000.0]).tolist() == [0.0, 0.0, 0.0]
    assert design_psd("aLIGO", 100 * u.Hz) == design_psd("aLIGO", 0.1 * u.kHz)
    # Advanced LIGO design: about 4e-24 /sqrt(Hz) at 100 Hz (LIGO-T1800044).
    assert 3e-24 < np.sqrt(design_psd("aLIGO", 100.0)) < 5e-24


def test_unknown_design_psd_lists_the_known_ones():
    with pytest.raises(ValueError, match=r"unknown design PSD 'aLIGO2'.*'AdV'.*'CE'.*'ET-D'.*'KAGRA'"):
        design_psd("aLIGO2", [100.0])


def test_psd_on_grid_checks_shapes_and_values():
    grid = np.linspace(0, 2048, 5)
    assert_allclose(psd_on_grid((np.array([0.0, 2048.0]), np.array([1.0, 3.0])), grid), [1, 1.5, 2, 2.5, 3])
    with pytest.raises(ValueError, match="one value per frequency"):
        psd_on_grid(np.ones(4), grid)
    with pytest.raises(ValueError, match="finite and non-negative"):
        psd_on_grid(-np.ones(5), grid)


def _band_ratios(noise, name, fftlength):
    frequencies, estimate = welch_psd(noise, fftlength=fftlength)
    band = (frequencies >= 20) & (frequencies <= 1500)
    ratio = estimate[band] / design_psd(name, frequencies[band])
    edges = np.arange(20, 1500, 10)
    band_means = [np.mean(ratio[(frequencies[band] >= a) & (frequencies[band] < a + 10)]) for a in edges]
    return np.median(ratio), np.mean(ratio), np.array(band_means)


@pytest.mark.parametrize(("name", "fftlength"), [("AdV", 4), ("aLIGO", 4), ("ET-D", 4), ("CE", 4), ("KAGRA", 16)])
def test_colored_noise_reproduces_its_design_psd(name, fftlength):
    # KAGRA's curve has a narrow suspension resonance near 31 Hz: finer Welch resolution resolves it.
    median, mean, band_means = _band_ratios(colored_noise(name, 128, FS, seed=7), name, fftlength)
    assert abs(median - 1) < 0.05
    assert abs(mean - 1) < 0.02
    assert np.all(np.abs(band_means - 1) < 0.2), np.abs(band_means - 1).max()


def test_colored_noise_from_an_estimated_psd_reproduces_it():
    target = (np.array([0.0, 10.0, 100.0, 2048.0]), np.array([0.0, 1e-44, 1e-46, 4e-46]))
    frequencies, estimate = welch_psd(colored_noise(target, 128, FS, seed=3))
    band = (frequencies >= 20) & (frequencies <= 1500)
    assert abs(np.mean(estimate[band] / psd_on_grid(target, frequencies[band])) - 1) < 0.02


def test_colored_noise_is_reproducible_from_its_seed():
    first = colored_noise("AdV", 4, FS, seed=11, t0=1e9, detector="V1")
    assert np.array_equal(first.data, colored_noise("AdV", 4, FS, seed=11).data)
    assert not np.array_equal(first.data, colored_noise("AdV", 4, FS, seed=12).data)
    assert (first.t0, first.detector, len(first)) == (1e9, "V1", 4 * 4096)
    with_units = colored_noise("AdV", 4 * u.s, 4.096 * u.kHz, seed=11)
    assert np.array_equal(with_units.data, first.data) and with_units.sample_rate == 4096.0
    generator = np.random.default_rng(5)
    assert np.array_equal(colored_noise("AdV", 4, seed=generator).data, colored_noise("AdV", 4, seed=np.random.default_rng(5)).data)


@pytest.mark.parametrize("duration", [0, -1.0, float("nan"), float("inf")])
def test_colored_noise_rejects_a_bad_duration(duration):
    with pytest.raises(ValueError, match="duration must be a finite positive number"):
        colored_noise("AdV", duration)


def test_colored_noise_rejects_a_bad_seed_and_psd():
    with pytest.raises(ValueError, match="seed must be"):
        colored_noise("AdV", 1, seed=-3)
    with pytest.raises(ValueError, match="unknown design PSD 'Virgo'"):
        colored_noise("Virgo", 1)


def _lal_detector(prefix):
    import lal

    return next(lal.CachedDetectors[i] for i in range(lal.LALNumCachedDetectors)
                if lal.CachedDetectors[i].frDetector.prefix == prefix)


@pytest.mark.parametrize("prefix", DETECTORS)
def test_antenna_pattern_and_delay_agree_with_lal_at_1000_sky_positions(prefix):
    import lal

    rng = np.random.default_rng(2026)
    n = 1000
    ra, dec = rng.uniform(0, 2 * np.pi, n), np.arcsin(rng.uniform(-1, 1, n))
    psi, gps = rng.uniform(0, np.pi, n), rng.uniform(1.0e9, 1.5e9, n)
    fplus, fcross = antenna_pattern(prefix, ra, dec, psi, gps)
    delays = time_delay(prefix, ra, dec, gps)
    detector = _lal_detector(prefix)
    reference = np.array([
        lal.ComputeDetAMResponse(detector.response, a, d, p, lal.GreenwichMeanSiderealTime(t))
        for a, d, p, t in zip(ra, dec, psi, gps)
    ])
    reference_delays = [lal.TimeDelayFromEarthCenter(detector.location, a, d, t) for a, d, t in zip(ra, dec, gps)]
    assert_allclose(fplus, reference[:, 0], atol=1e-6)
    assert_allclose(fcross, reference[:, 1], atol=1e-6)
    assert_allclose(delays, reference_delays, atol=1e-9)


def test_antenna_pattern_broadcasts_and_obeys_its_bounds():
    ra = np.linspace(0, 2 * np.pi, 50)[:, None]
    dec = np.linspace(-1.5, 1.5, 40)[None, :]
    fplus, fcross = antenna_pattern("V1", ra, dec, 0.3, 1e9)
    assert fplus.shape == fcross.shape == (50, 40)
    # For an L-shaped interferometer F+^2 + Fx^2 <= 1, reached overhead.
    assert np.all(fplus**2 + fcross**2 <= 1 + 1e-12)
    # Rotating the polarisation by pi/4 swaps the roles: F+(psi + pi/4) = -Fx(psi)... up to sign.
    fplus_rotated, _ = antenna_pattern("V1", ra, dec, 0.3 + np.pi / 4, 1e9)
    assert_allclose(np.abs(fplus_rotated), np.abs(fcross), atol=1e-12)


def test_delays_are_bounded_by_the_light_travel_time():
    rng = np.random.default_rng(1)
    ra, dec = rng.uniform(0, 2 * np.pi, 20000), np.arcsin(rng.uniform(-1, 1, 20000))
    difference = time_delay("H1", ra, dec, 1e9) - time_delay("L1", ra, dec, 1e9)
    travel = light_travel_time("H1", "L1")
    assert 0.01000 < travel < 0.01002  # 10.01 ms between the LIGO sites
    assert np.max(np.abs(difference)) <= travel
    assert np.max(np.abs(difference)) > 0.99 * travel


def test_einstein_telescope_is_a_triangle_of_three_interferometers():
    assert detector_names("ET") == ("E1", "E2", "E3")
    assert detector_names(["H1", "ET"]) == ("H1", "E1", "E2", "E3")
    vertices = [get_detector(name).location for name in detector_names("ET")]
    sides = [np.linalg.norm(vertices[i] - vertices[(i + 1) % 3]) for i in range(3)]
    assert_allclose(sides, 10e3, rtol=0.01)  # 10 km arms
    # The three responses sum to zero for a closed triangle (null stream).
    fplus = sum(antenna_pattern(name, 1.0, 0.3, 0.2, 1e9)[0] for name in detector_names("ET"))
    assert abs(fplus) < 1e-6


def test_unknown_detector_lists_the_known_ones():
    with pytest.raises(ValueError, match=r"unknown detector 'X1'; known detectors are \['H1', 'L1', 'V1', 'K1', 'E1'"):
        antenna_pattern("X1", 0, 0, 0, 1e9)
    with pytest.raises(ValueError, match="'ET' is a network of"):
        get_detector("ET")
    with pytest.raises(ValueError, match="dec must lie in"):
        time_delay("H1", 0.0, 2.0, 1e9)


def test_redshift_from_distance_matches_astropy():
    from astropy.cosmology import Planck18, z_at_value

    for distance in (1.0, 40.0, 440.0, 5000.0):
        expected = z_at_value(Planck18.luminosity_distance, distance * u.Mpc).value
        assert_allclose(redshift_from_distance(distance), expected, rtol=1e-5)
    with pytest.raises(ValueError, match="luminosity distance must lie in"):
        redshift_from_distance(-1.0)


def test_noise_stream_is_continuous_stationary_and_independent_of_chunking():
    from mmlab import Strain
    from mmlab.gw.noise import noise_stream

    whole = np.concatenate([piece.data for piece in noise_stream("AdV", 64, chunk=64, seed=5)])
    pieces = list(noise_stream("AdV", 64, chunk=7.3, seed=5, t0=100.0, detector="V1"))
    assert_allclose(np.concatenate([p.data for p in pieces]), whole, rtol=0, atol=1e-12 * np.abs(whole).max())
    assert pieces[1].t0 == pytest.approx(100.0 + 7.3, abs=1 / FS) and pieces[0].detector == "V1"
    median, mean, band_means = _band_ratios(Strain(whole, 0.0, FS), "AdV", 4)
    assert abs(median - 1) < 0.05 and abs(mean - 1) < 0.03
    assert np.all(np.abs(band_means - 1) < 0.2)
    # No seam: the sample-to-sample differences at chunk boundaries look like those elsewhere.
    seams = np.cumsum([len(p) for p in pieces])[:-1]
    jumps = np.abs(np.diff(whole))
    assert np.max(jumps[seams - 1]) < 5 * np.std(jumps)
