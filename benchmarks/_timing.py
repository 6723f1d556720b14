"""Timing helper shared by the benchmark scripts (not a benchmark itself)."""

import time


def best_cpu_seconds(function, repeats=10):
    """Smallest CPU time of ``repeats`` calls of ``function`` (robust to a busy machine)."""
    times = []
    for _ in range(repeats):
        start = time.process_time()
        function()
        times.append(time.process_time() - start)
    return min(times)
