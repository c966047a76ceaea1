"""Pools of workers for many runs at once: local processes, a Dask cluster, or this process.

Sweeps (sim.experiments.execution), city runs (sim.city) and the pattern catalogue submit their
runs through one of these pools, as ``concurrent.futures`` executors. A local process pool uses
'forkserver' where available, else 'spawn', given as the executor's `mp_context`, never as the
global start method; its workers end themselves if the process that started them dies. A pool
can be recreated after a worker dies (`restart`), and its workers killed (`kill_workers`).
"""

import concurrent.futures as cf
import importlib
import multiprocessing
import os
import sys
import threading
import time
import warnings
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from sim.scenario.loader import ScenarioError

BACKENDS = ("process", "dask", "sequential")


class SequentialExecutor(cf.Executor):
    """Runs each call at submission, in this process (for debugging)."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> cf.Future:
        future: cf.Future = cf.Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # handed to the caller through the future
            future.set_exception(exc)
        return future


def process_context(
    preload: tuple[str, ...] = (), workers: int = 2
) -> multiprocessing.context.BaseContext:
    """A 'forkserver' context that preloads the modules the workers run (Linux, more than one
    worker), else 'spawn' (a fork server for one worker would be one more process holding the
    same modules)."""
    forkserver = "forkserver" in multiprocessing.get_all_start_methods()
    if forkserver and sys.platform != "darwin" and workers > 1:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(list(preload))
        return context
    return multiprocessing.get_context("spawn")


class Pool:
    """An executor that can be recreated after a worker dies."""

    lost: tuple[type[BaseException], ...] = ()
    workers: int = 1

    def submit(self, fn: Callable[..., Any], *args: Any) -> cf.Future:
        """Submit a call."""
        return self.executor.submit(fn, *args)

    def restart(self) -> None:
        """Make the pool usable again after a worker died."""

    def kill_workers(self) -> bool:
        """Kill the worker processes (for a run stuck past its time limit); False if unable."""
        return False

    def close(self) -> None:
        """Release the workers."""
        self.executor.shutdown(wait=False, cancel_futures=True)


class SequentialPool(Pool):
    """Everything in this process, one run after another."""

    def __init__(self) -> None:
        self.executor = SequentialExecutor()


class ProcessPool(Pool):
    """A local process pool that is replaced when one of its workers dies."""

    lost = (BrokenProcessPool,)

    def __init__(self, workers: int, preload: tuple[str, ...] = ()) -> None:
        self.workers = workers
        self.preload = preload
        self.context = process_context(preload, workers)
        self.executor = self.make()

    def make(self) -> cf.ProcessPoolExecutor:
        """A fresh executor whose workers end themselves if this process dies. Without a fork
        server to preload for them, its first call imports the `preload` modules, so that a
        worker loads them while this process goes on."""
        executor = cf.ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=self.context,
            initializer=watch_parent,
            initargs=(os.getpid(),),
        )
        if self.preload and self.context.get_start_method() != "forkserver":
            executor.submit(import_modules, self.preload)
        return executor

    def restart(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)
        self.executor = self.make()

    def close(self) -> None:
        """Release the workers, killing any still busy (an interrupted sweep)."""
        self.kill_workers()  # before shutdown, which forgets the worker processes
        self.executor.shutdown(wait=False, cancel_futures=True)

    def kill_workers(self) -> bool:
        kill = getattr(self.executor, "kill_workers", None)  # Python >= 3.14
        if kill is not None:
            kill()
            return True
        processes = getattr(self.executor, "_processes", None) or {}
        for process in list(processes.values()):
            process.kill()
        return bool(processes)


class DaskPool(Pool):
    """A Dask cluster: a new LocalCluster, or an existing one at a scheduler address."""

    def __init__(
        self, workers: int, scheduler: str | None, cluster_options: dict[str, Any] | None
    ) -> None:
        try:
            from distributed import Client, LocalCluster
            from distributed.scheduler import KilledWorker
        except ImportError:
            raise ScenarioError(
                "--backend", "dask", "dask.distributed is not installed", "pip install distributed"
            ) from None
        self.lost = (KilledWorker,)
        self.cluster = None
        try:
            if scheduler:
                self.client = Client(scheduler, timeout="20s")
            else:
                options = {
                    "n_workers": workers,
                    "threads_per_worker": 1,
                    "processes": True,
                    "dashboard_address": None,
                    **(cluster_options or {}),
                }
                self.cluster = LocalCluster(**options)
                self.client = Client(self.cluster)
        except OSError as exc:
            raise ScenarioError(
                "--scheduler", str(scheduler), f"cannot connect: {exc}", "tcp://HOST:PORT"
            ) from None
        self.workers = max(1, sum(self.client.nthreads().values()))
        self.executor = self.client.get_executor(pure=False)

    def close(self) -> None:
        self.executor.shutdown(wait=False)
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def open_pool(
    backend: str,
    workers: int | None = None,
    scheduler: str | None = None,
    cluster_options: dict[str, Any] | None = None,
    preload: tuple[str, ...] = (),
) -> Pool:
    """The pool for a backend; `workers` defaults to the number of CPUs; `preload` names the
    modules a local process pool's fork server imports once for all its workers."""
    workers = workers or os.cpu_count() or 1
    if scheduler and backend != "dask":
        raise ScenarioError("--scheduler", scheduler, "needs --backend dask", "--backend dask")
    if backend == "process":
        return ProcessPool(workers, preload)
    if backend == "dask":
        return DaskPool(workers, scheduler, cluster_options)
    if backend == "sequential":
        return SequentialPool()
    raise ScenarioError("--backend", backend, "unknown backend", ", ".join(BACKENDS))


class Apart(cf.ProcessPoolExecutor):
    """A process of its own for a call or two, ended with the executor: whatever libraries the
    calls load stay out of this process and out of any pool's workers. The process is a fork
    of this one where that is safe (Linux, no Python thread but this one when created), so
    that it imports only what the calls add; else a fresh interpreter."""

    def __init__(self) -> None:
        fork = sys.platform == "linux" and threading.active_count() == 1
        super().__init__(
            max_workers=1, mp_context=multiprocessing.get_context("fork" if fork else "spawn")
        )

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> cf.Future:
        with warnings.catch_warnings():
            # Python warns of any other thread; those left are native (a BLAS library's
            # pool, which makes itself safe to fork), none of them Python's.
            warnings.filterwarnings(
                "ignore", "This process .* is multi-threaded", DeprecationWarning
            )
            return super().submit(fn, *args, **kwargs)


def import_modules(names: tuple[str, ...]) -> None:
    """Import the modules `names` (a worker's first call, where no fork server preloads)."""
    for name in names:
        importlib.import_module(name)


def watch_parent(pid: int, interval: float = 1.0) -> None:
    """Worker initializer: end this worker once the process `pid` that started it is gone.

    A process pool's workers otherwise outlive a sweep or city run killed with SIGKILL, blocked on a queue
    whose writing end they hold themselves (and keep their fork server alive with them).
    """

    def watch() -> None:
        while True:
            time.sleep(interval)
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                os._exit(1)
            except PermissionError:  # the pid now belongs to another user's process
                os._exit(1)

    threading.Thread(target=watch, name="watch-parent", daemon=True).start()
