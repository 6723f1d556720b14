"""Loading and conditioning real strain: throughput, against baselines measured in the same run.

Prints, for the GW150914 H1 file (32 s at 4096 Hz, from the cache or MMLAB_DATA_MIRROR):
- read_gwosc time against a bare h5py read of the same dataset (the cost of validation);
- seconds of strain whitened and band-passed per CPU-second, against scipy's Welch
  estimate alone (the floor any spectral whitening pays).

Run: ``make bench`` or ``python benchmarks/strain_io.py``.
"""

import h5py
import numpy as np
from _timing import best_cpu_seconds
from scipy import signal

from mmlab.gw.filters import bandpass
from mmlab.gw.whiten import spectral_whiten
from mmlab.io import locate_gwosc, read_gwosc


def main():
    path = locate_gwosc("GW150914", "H1")
    strain = read_gwosc(path)

    def bare_h5py():
        with h5py.File(path, "r") as h5:
            return np.asarray(h5["strain/Strain"][()])

    bare = best_cpu_seconds(bare_h5py, 20)
    ours = best_cpu_seconds(lambda: read_gwosc(path), 20)
    print(f"read {path.name}: read_gwosc {ours * 1e3:.2f} ms, bare h5py {bare * 1e3:.2f} ms, ratio {ours / bare:.2f}")

    welch = best_cpu_seconds(lambda: signal.welch(strain.data, fs=strain.sample_rate, nperseg=4 * 4096, average="median"), 5)
    conditioned = best_cpu_seconds(lambda: bandpass(spectral_whiten(strain), 35, 350), 5)
    print(
        f"whiten + band-pass: {strain.duration / conditioned:.0f} s of strain per CPU-second "
        f"({conditioned * 1e3:.1f} ms for {strain.duration:g} s); "
        f"Welch PSD alone {welch * 1e3:.1f} ms, ratio {conditioned / welch:.1f}"
    )


if __name__ == "__main__":
    main()
