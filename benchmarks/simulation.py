"""Simulation throughput: coloured noise and injections, against baselines measured in the same run.

Prints:
- seconds of 4096 Hz coloured noise (Advanced Virgo design) generated per CPU-second in 64 s
  segments by ``colored_noise``, against LALSimulation's ``SimNoise`` on the same PSD and
  against the floor of the method (drawing the Gaussian numbers plus one inverse FFT);
  goal: >= 5000 s per CPU-second;
- injections per CPU-second (project + delay + scale to SNR + add) of a BBH and of a
  phenomenological CCSN into 64 s segments, and waveforms generated per CPU-second.

Run: ``make bench`` or ``python benchmarks/simulation.py``.
"""

import numpy as np
from _timing import best_cpu_seconds

from mmlab.gw.inject import inject
from mmlab.gw.noise import colored_noise
from mmlab.signals import binary_black_hole, ccsn_family_waveform

SAMPLE_RATE = 4096
SEGMENT = 64.0


def lal_noise():
    """A callable generating one segment with LALSimulation's SimNoise, set up outside the timing."""
    import lal
    import lalsimulation

    n_samples = int(SEGMENT * SAMPLE_RATE)
    series = lal.CreateREAL8TimeSeries("noise", 0, 0.0, 1.0 / SAMPLE_RATE, lal.StrainUnit, n_samples)
    psd = lal.CreateREAL8FrequencySeries("psd", 0, 0.0, 1.0 / SEGMENT, lal.DimensionlessUnit, n_samples // 2 + 1)
    lalsimulation.SimNoisePSDAdVDesignSensitivityP1200087(psd, 10.0)
    rng = lal.gsl_rng("ranlux", 1)
    return lambda: lalsimulation.SimNoise(series, 0, psd, rng)


def main():
    n_samples = int(SEGMENT * SAMPLE_RATE)
    rng = np.random.default_rng(0)
    colored_noise("AdV", SEGMENT, SAMPLE_RATE, seed=0)  # fill the cache of the PSD on this grid
    ours = best_cpu_seconds(lambda: colored_noise("AdV", SEGMENT, SAMPLE_RATE, seed=rng))
    floor = best_cpu_seconds(lambda: np.fft.irfft(rng.standard_normal(n_samples + 2).view(np.complex128), n=n_samples))
    lal = best_cpu_seconds(lal_noise(), repeats=5)
    print(
        f"coloured noise, {SEGMENT:g} s segments at {SAMPLE_RATE} Hz: {SEGMENT / ours:,.0f} s per CPU-second "
        f"(goal 5,000); LALSimulation SimNoise {SEGMENT / lal:,.0f} s per CPU-second (ours x{lal / ours:.1f}); "
        f"floor (Gaussian draws + inverse FFT) {SEGMENT / floor:,.0f} (ours at {floor / ours:.0%} of it)"
    )

    noise = colored_noise("AdV", SEGMENT, SAMPLE_RATE, seed=1, t0=1e9, detector="V1")
    bbh, ccsn = binary_black_hole(), ccsn_family_waveform("high_long", seed=1)
    for name, waveform, sky in (("BBH", bbh, {"ra": 1.0, "dec": 0.2, "psi": 0.3}), ("CCSN", ccsn, {"ra": 1.0, "dec": 0.2})):
        cost = best_cpu_seconds(lambda: inject(noise, waveform, 1e9 + 32, **sky, snr=20.0, psd="AdV"))
        print(f"inject a {name} ({waveform.duration:.1f} s) into {SEGMENT:g} s at SNR 20: {1 / cost:,.0f} per CPU-second")
    for name, make in (("IMRPhenomD BBH", binary_black_hole), ("phenomenological CCSN", lambda: ccsn_family_waveform("high_long", seed=2))):
        print(f"generate a {name}: {1 / best_cpu_seconds(make):,.0f} per CPU-second")


if __name__ == "__main__":
    main()
