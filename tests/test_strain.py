import astropy.units as u
import numpy as np
import pytest
from astropy.time import Time
from numpy.testing import assert_allclose, assert_array_equal

from mmlab import Strain


def test_times_duration_and_crop():
    strain = Strain(np.arange(4096 * 4, dtype=float), t0=1000.0, sample_rate=4096, detector="H1")
    assert strain.duration == 4.0 and strain.t_end == 1004.0 and len(strain) == 16384
    assert_allclose(strain.times[[0, 4096]], [1000.0, 1001.0])
    cropped = strain.crop(1001.0, 1002.5)
    assert cropped.t0 == 1001.0 and len(cropped) == 6144
    assert_array_equal(cropped.data[:3], [4096.0, 4097.0, 4098.0])
    assert cropped.detector == "H1"


def test_units_at_the_boundary():
    gps = Time(1126259446, format="gps")
    strain = Strain(np.zeros(8), t0=gps, sample_rate=4.096 * u.kHz)
    assert strain.sample_rate == 4096.0
    assert strain.t0 == 1126259446.0


def test_data_is_read_only():
    strain = Strain(np.zeros(8), t0=0, sample_rate=8)
    with pytest.raises(ValueError):
        strain.data[0] = 1.0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"data": np.zeros((2, 4))}, "one-dimensional"),
        ({"data": np.zeros(0)}, "at least one sample"),
        ({"sample_rate": 0}, "sample_rate must be a positive number of Hz, got 0"),
        ({"sample_rate": -4096}, "got -4096"),
        ({"t0": float("nan")}, "t0 must be a finite GPS time"),
    ],
)
def test_bad_construction(kwargs, message):
    arguments = {"data": np.zeros(8), "t0": 0.0, "sample_rate": 8.0} | kwargs
    with pytest.raises(ValueError, match=message):
        Strain(**arguments)


def test_require_finite_names_the_first_gap():
    data = np.zeros(4096)
    data[2048:2100] = np.nan
    strain = Strain(data, t0=100.0, sample_rate=4096, detector="L1")
    with pytest.raises(ValueError, match=r"L1 has 52 non-finite samples .* GPS 100\.5000"):
        strain.require_finite()


def test_crop_outside_raises():
    strain = Strain(np.zeros(4096), t0=0, sample_rate=4096)
    with pytest.raises(ValueError, match="crop bounds"):
        strain.crop(0.5, 2.0)
