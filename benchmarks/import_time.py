"""How long ``import mmlab`` takes in a fresh interpreter, against a bare interpreter start in the same run.

Prints the best of REPEATS wall times for ``python -c pass`` (the baseline), ``import mmlab`` and
``import mmlab.gw, mmlab.wdf`` (the signal-processing layers), and which heavy frameworks the plain
import loaded (goal: ``import mmlab`` under 0.5 s beyond the interpreter, loading neither Keras nor TensorFlow).

Run: ``make bench`` or ``python benchmarks/import_time.py``.
"""

import subprocess
import sys
import time

REPEATS = 5
HEAVY = ("keras", "tensorflow", "torch", "jax", "plotly", "astropy", "papermill")


def best_wall_seconds(code: str) -> float:
    """Best of REPEATS fresh interpreters running ``code``."""
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        times.append(time.perf_counter() - start)
    return min(times)


def main():
    bare = best_wall_seconds("pass")
    plain = best_wall_seconds("import mmlab")
    layers = best_wall_seconds("import mmlab.gw, mmlab.wdf")
    probe = f"import sys, mmlab; print(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    loaded = subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True, text=True).stdout.strip()
    print(f"interpreter start {bare:.3f} s; import mmlab {plain - bare:.3f} s beyond it (x{plain / bare:.1f} the bare "
          f"start; goal < 0.5 s); import mmlab.gw, mmlab.wdf {layers - bare:.3f} s; heavy modules loaded by "
          f"import mmlab: {loaded}")


if __name__ == "__main__":
    main()
