"""Mapping independent pieces of work over Dask, or serially: the same results either way.

Campaigns (injections, noise backgrounds, time slides) are cut into pieces
that each carry their own seed, so a piece's result does not depend on where
or in which order it runs. :func:`parallel_map` runs them in this process, on
a :class:`dask.distributed.LocalCluster` started for the call, or on any
running Dask scheduler by its address; no scheduler or queue is written here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

__all__ = ["SCHEDULERS", "parallel_map", "spawn_seeds"]

#: What ``scheduler`` may be besides a scheduler address or a ``dask.distributed.Client``.
SCHEDULERS = (None, "serial", "local")


def spawn_seeds(seed: int | np.random.Generator | np.random.SeedSequence | None,
                n: int) -> list[np.random.SeedSequence]:
    """``n`` independent seeds for the pieces of a campaign, derived from one seed, generator or seed sequence.

    Examples
    --------
    >>> [s.generate_state(1)[0] for s in spawn_seeds(7, 2)] == [s.generate_state(1)[0] for s in spawn_seeds(7, 2)]
    True
    """
    if isinstance(seed, np.random.SeedSequence):
        return seed.spawn(int(n))
    if isinstance(seed, np.random.Generator):
        seed = int(seed.integers(2**63))
    return np.random.SeedSequence(seed).spawn(int(n))


def parallel_map(function: Callable[[Any], Any], items: Sequence[Any], scheduler: Any = None,
                 progress: bool = False, description: str = "pieces") -> list[Any]:
    """``[function(item) for item in items]``, in this process or on Dask.

    Parameters
    ----------
    function : callable
        A picklable function of one item (a module-level function or a
        :func:`functools.partial` of one).
    items : sequence
        The pieces of work.
    scheduler : None, "serial", "local", str or dask.distributed.Client
        None or ``"serial"``: a plain loop here. ``"local"``: a
        :class:`~dask.distributed.LocalCluster` (one single-threaded worker
        process per core) started and closed for this call. A string such as
        ``"tcp://10.0.0.5:8786"``: the Dask scheduler at that address. A
        ``Client``: used as it is.
    progress : bool
        Show a progress bar (serial runs).
    description : str
        Label of the progress bar.

    Returns
    -------
    list
        The results, in the order of ``items``.
    """
    items = list(items)
    if scheduler in (None, "serial"):
        from tqdm.auto import tqdm

        return [function(item) for item in tqdm(items, desc=description, disable=not progress)]
    from distributed import Client, LocalCluster

    if isinstance(scheduler, Client):
        return scheduler.gather(scheduler.map(function, items, pure=False))
    if scheduler == "local":
        import os

        with LocalCluster(n_workers=os.cpu_count() or 1, threads_per_worker=1, processes=True,
                          dashboard_address=None) as cluster, Client(cluster) as client:
            return client.gather(client.map(function, items, pure=False))
    if isinstance(scheduler, str) and "://" in scheduler:
        with Client(scheduler) as client:
            return client.gather(client.map(function, items, pure=False))
    raise ValueError(f"scheduler must be one of {list(SCHEDULERS)}, a scheduler address such as "
                     f"'tcp://127.0.0.1:8786' or a dask.distributed.Client, got {scheduler!r}")
