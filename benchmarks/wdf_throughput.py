"""Wavelet Detection Filter throughput on one core, against a plain per-window loop in the same run.

Prints, for one detector at 4096 Hz (simulated Advanced LIGO noise), window 1024, overlap 768,
the six default bases and AR order 1000, for both thresholding rules:
- samples per CPU-second and the real-time factor of whitening alone and of whitening + detection
  (goal: whitening + detection >= 1000x real time);
- the same for a plain loop over windows calling ``pywt.wavedec`` per window and basis (the
  per-window definition, no shared work), and the speed-up over it.

Run: ``make bench`` or ``python benchmarks/wdf_throughput.py``.
"""

from _timing import best_cpu_seconds

from mmlab.gw.noise import colored_noise
from mmlab.wdf import WaveletDetectionFilter, threshold_coefficients, window_coefficients

SAMPLE_RATE = 4096
SECONDS = 256.0
LOOP_SECONDS = 8.0


def plain_loop(wdf, whitened):
    """Every window, every basis, one ``pywt.wavedec`` call each: the obvious implementation."""
    for start in range(0, whitened.size - wdf.window + 1, wdf.step):
        segment = whitened[None, start:start + wdf.window]
        max(threshold_coefficients(window_coefficients(segment, w), wdf.rule, wdf.mode, wdf.block_threshold)[0][0]
            for w in wdf.wavelets)


def main():
    learn = colored_noise("aLIGO", 200.0, SAMPLE_RATE, seed=1, detector="H1")
    data = colored_noise("aLIGO", SECONDS, SAMPLE_RATE, seed=2, t0=1e9, detector="H1")
    short = data.crop(1e9, 1e9 + LOOP_SECONDS)
    for rule in ("dj", "block"):
        wdf = WaveletDetectionFilter(rule=rule, snr_threshold=9.0).fit(learn)
        wdf.detect(short)  # imports and index tables, outside the timing
        whitening = best_cpu_seconds(lambda: wdf.reset().whiten(data), 3)
        detection = best_cpu_seconds(lambda: wdf.reset().detect(data), 3)
        whitened = wdf.reset().whiten(short).data
        loop = best_cpu_seconds(lambda: plain_loop(wdf, whitened), 1) + whitening * LOOP_SECONDS / SECONDS
        print(
            f"rule={rule}: whitening {SECONDS / whitening:,.0f}x real time; whitening + detection "
            f"{SECONDS / detection:,.0f}x real time ({SECONDS * SAMPLE_RATE / detection / 1e6:.1f} M samples per "
            f"CPU-second; goal 1,000x); plain per-window loop {LOOP_SECONDS / loop:,.0f}x, "
            f"speed-up x{(LOOP_SECONDS / loop) and (SECONDS / detection) / (LOOP_SECONDS / loop):.0f}"
        )


if __name__ == "__main__":
    main()
