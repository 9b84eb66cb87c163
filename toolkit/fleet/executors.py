"""The executors a fleet evaluation runs on, all behind `concurrent.futures.Executor`.

- ``threads``: a thread pool in this process (the default; the engine and the evaluation
  release the GIL often enough, and nothing is pickled).
- ``processes``: a process pool on this machine (spawned, so no thread state is forked).
- ``dask``: Dask ``distributed``. Without an address, an in-process ``LocalCluster`` of worker
  processes on 127.0.0.1; with ``tcp://host:8786``, that cluster's scheduler. The workers must
  see the projects at the same paths (a shared filesystem) and have the toolkit installed.
"""

from __future__ import annotations

import importlib
import logging
import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

from toolkit.errors import UsageError

__all__ = ["EXECUTORS", "default_workers", "open_executor"]

EXECUTORS = ("threads", "processes", "dask")
CONNECT_TIMEOUT_S = 20.0
"""How long to keep trying to reach a Dask scheduler before giving up."""


def default_workers() -> int:
    """Workers when none is asked for: the CPUs this process may use, at least 2."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on every platform
        cpus = os.cpu_count() or 1
    return max(2, cpus)


@contextmanager
def open_executor(
    kind: str = "threads", *, workers: int | None = None, scheduler: str | None = None
) -> Iterator[Executor]:
    """Open an executor; shut it (and any cluster it started) down on exit.

    Args:
        kind: ``threads``, ``processes`` or ``dask``.
        workers: Threads, processes or LocalCluster workers (default: `default_workers`).
            Ignored for a Dask scheduler address: the cluster has its own workers.
        scheduler: A Dask scheduler address (``tcp://host:8786``); implies ``dask``.

    Raises:
        UsageError: an unknown kind, a bad worker count, Dask not installed, or a scheduler
            that cannot be reached.
    """
    if scheduler is not None and kind != "dask":
        raise UsageError(f"--scheduler needs --executor dask (got --executor {kind})")
    if kind not in EXECUTORS:
        raise UsageError(f"--executor must be one of {', '.join(EXECUTORS)}, got {kind!r}")
    if workers is not None and workers < 1:
        raise UsageError(f"--workers must be at least 1, got {workers}")
    count = workers or default_workers()
    if kind == "threads":
        with ThreadPoolExecutor(max_workers=count, thread_name_prefix="fleet") as pool:
            yield pool
    elif kind == "processes":
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=count, mp_context=context) as pool:
            yield pool
    else:
        with _dask_executor(count, scheduler) as pool:
            yield pool


@contextmanager
def _dask_executor(workers: int, scheduler: str | None) -> Iterator[Executor]:
    try:
        # Through importlib: distributed's API is only partly typed, and it is optional.
        distributed: Any = importlib.import_module("distributed")
    except ImportError as exc:
        raise UsageError(
            "--executor dask needs Dask distributed, which is not installed: "
            "pip install 'industry-agent-toolkit[fleet]' (or 'dask[distributed]')"
        ) from exc
    cluster: Any = None
    if scheduler is None:
        cluster = distributed.LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            # Worker shutdown chatter (a nanny killing a slow-to-exit worker) is not news.
            silence_logs=logging.ERROR,
        )
        target: Any = cluster
    else:
        target = scheduler
    try:
        client = distributed.Client(target, timeout=f"{CONNECT_TIMEOUT_S}s")
    except (OSError, TimeoutError) as exc:
        if cluster is not None:
            cluster.close()
        raise UsageError(
            f"cannot reach the Dask scheduler at {scheduler} ({exc}); "
            "start it with `dask scheduler` or check the address"
        ) from exc
    try:
        yield client.get_executor(pure=False)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
