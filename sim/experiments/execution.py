"""Executors and the scheduling loop: batches of runs through ``concurrent.futures``.

Three pools share one code path: a process pool ('forkserver' where available, else 'spawn',
given as the executor's `mp_context`, never as the global start method), a Dask cluster
through the distributed client's concurrent.futures executor, and a sequential executor for
debugging. The loop keeps a bounded window of batches in flight, so memory does not grow with
the number of runs, and batches millisecond runs so that overhead stays small.

When a worker dies (``BrokenProcessPool``, Dask's ``KilledWorker``) the pool is recreated and
the runs that were in flight are retried one at a time, alone, so that the run that kills its
worker is found; it is retried `max_retries` more times and then recorded as failed. A run that
raises comes back as a failed row from the worker itself. With a time limit, a process worker
that stays on one batch far past it (a run stuck inside one week) is killed the same way.
"""

import concurrent.futures as cf
import math
import time
import traceback
from collections import Counter, deque
from collections.abc import Callable, Iterator
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any

from sim.experiments import RUN_MODULES
from sim.experiments.run import FAILED, TIMEOUT, BatchOutput, RunSettings, RunTask, failed_row
from sim.pool import Pool, open_pool

#: Seconds of work a batch should hold once run times are known.
TARGET_BATCH_SECONDS = 2.0
MAX_BATCH = 1000
#: Batches in flight per worker.
WINDOW_PER_WORKER = 2
POLL_SECONDS = 0.5
#: Pool restarts, with no batch ever returned, after which the workers are deemed unable to run.
RESTARTS_WITHOUT_PROGRESS = 5


class WorkersCannotRun(RuntimeError):
    """Every worker died before returning anything (e.g. it cannot import the package)."""


def open_run_pool(
    backend: str,
    workers: int | None = None,
    scheduler: str | None = None,
    cluster_options: dict[str, Any] | None = None,
) -> Pool:
    """A pool (sim.pool) whose process workers have the run function preloaded."""
    return open_pool(backend, workers, scheduler, cluster_options, preload=RUN_MODULES)


@dataclass
class Batch:
    """Runs submitted together; `isolated` when run alone to find a worker-killing run."""

    tasks: list[RunTask]
    isolated: bool = False
    submitted: float = field(default_factory=time.monotonic)


@dataclass
class Counts:
    """What the loop did."""

    done: int = 0
    failed: int = 0
    pool_restarts: int = 0


class BatchSizer:
    """Batch sizes from measured run times: about TARGET_BATCH_SECONDS of work per batch,
    and at least WINDOW_PER_WORKER * 2 batches per worker over what remains."""

    def __init__(self, workers: int, remaining: int, fixed: int | None) -> None:
        self.workers, self.remaining, self.fixed = workers, remaining, fixed
        self.seconds, self.measured = 0.0, 0

    def observe(self, output: BatchOutput) -> None:
        """Learn from a finished batch."""
        for row in output.runs:
            self.seconds += row.get("elapsed_seconds") or 0.0
            self.measured += 1

    def next_size(self) -> int:
        """Runs in the next batch."""
        if self.fixed:
            return self.fixed
        if not self.measured:
            return 1
        per_run = max(self.seconds / self.measured, 1e-4)
        by_time = int(TARGET_BATCH_SECONDS / per_run)
        by_balance = math.ceil(self.remaining / (self.workers * WINDOW_PER_WORKER * 2))
        return max(1, min(by_time, by_balance, MAX_BATCH))


def take(unsent: deque[RunTask], source: Iterator[RunTask], size: int) -> list[RunTask]:
    """Up to `size` tasks: first those the pool refused, then new ones from the source."""
    batch = []
    while unsent and len(batch) < size:
        batch.append(unsent.popleft())
    for task in source if len(batch) < size else ():
        batch.append(task)
        if len(batch) >= size:
            break
    return batch


def execute(
    tasks: Iterator[RunTask],
    total: int,
    pool: Pool,
    settings: RunSettings,
    record: Callable[[BatchOutput], None],
    progress: Callable[[int, int], None] | None = None,
    batch_size: int | None = None,
    max_retries: int = 1,
    hard_grace_seconds: float = 30.0,
) -> Counts:
    """Run every task through the pool, recording each batch's rows as it finishes."""
    from sim.experiments.run import run_batch

    counts = Counts()
    sizer = BatchSizer(pool.workers, total, batch_size)
    window = pool.workers * WINDOW_PER_WORKER
    suspects: deque[RunTask] = deque()
    attempts: Counter[str] = Counter()
    in_flight: dict[cf.Future, Batch] = {}
    broken = killed_for_time = False
    source = iter(tasks)
    unsent: deque[RunTask] = deque()  # taken from the source, not yet accepted by the pool
    exhausted = False

    def finish(output: BatchOutput) -> None:
        record(output)
        failed = sum(row["status"] in (FAILED, TIMEOUT) for row in output.runs)
        counts.done += len(output.runs) - failed
        counts.failed += failed
        sizer.remaining -= len(output.runs)
        if progress is not None:
            progress(len(output.runs), failed)

    def submit(batch: Batch) -> bool:
        """Submit a batch; False (and the batch kept for later) if the pool is broken."""
        nonlocal broken
        batch.submitted = time.monotonic()
        try:
            in_flight[pool.submit(run_batch, batch.tasks, settings)] = batch
        except pool.lost:
            broken = True
            (suspects if batch.isolated else unsent).extendleft(reversed(batch.tasks))
            return False
        return True

    returned = 0  # batches that came back from a worker
    while True:
        if broken and not in_flight:
            if not returned and counts.pool_restarts >= RESTARTS_WITHOUT_PROGRESS:
                raise WorkersCannotRun(
                    f"worker processes died {counts.pool_restarts + 1} times without returning "
                    "a single run; try --backend sequential to see why"
                )
            pool.restart()
            counts.pool_restarts += 1
            broken = killed_for_time = False
        if not broken:
            if suspects:
                if not in_flight:
                    submit(Batch([suspects.popleft()], isolated=True))
            else:
                while len(in_flight) < window:
                    batch = take(unsent, source, sizer.next_size())
                    if not batch:
                        exhausted = True
                        break
                    if not submit(Batch(batch)):
                        break
        if not in_flight:
            if exhausted and not suspects and not unsent:
                break
            continue
        done, _ = cf.wait(in_flight, timeout=POLL_SECONDS, return_when=cf.FIRST_COMPLETED)
        if not done:
            if (
                settings.timeout_seconds
                and not broken
                and overdue(in_flight.values(), settings.timeout_seconds, hard_grace_seconds)
            ):
                killed_for_time = pool.kill_workers()
            continue
        for future in done:
            batch = in_flight.pop(future)
            try:
                output = future.result()
            except pool.lost as exc:
                broken = broken or isinstance(exc, BrokenProcessPool)
                if not batch.isolated:
                    suspects.extend(batch.tasks)
                    continue
                task = batch.tasks[0]
                attempts[task.run_id] += 1
                if attempts[task.run_id] <= max_retries:
                    suspects.appendleft(task)
                elif not returned:  # no worker has run anything yet: blame the workers
                    suspects.append(task)
                else:
                    finish(lost_output(task, exc, killed_for_time, settings.timeout_seconds))
            except Exception:  # e.g. a batch that cannot be sent
                error = traceback.format_exc()
                finish(BatchOutput([failed_row(t, FAILED, error) for t in batch.tasks], None))
            else:
                returned += 1
                sizer.observe(output)
                finish(output)
    return counts


def overdue(batches: Any, timeout: float, grace: float) -> bool:
    """Whether a batch has been in flight far past its runs' time limits."""
    now = time.monotonic()
    for batch in batches:
        queued_ahead = len(batch.tasks)  # a batch may wait behind one other batch
        if now - batch.submitted > timeout * (len(batch.tasks) + queued_ahead) + grace:
            return True
    return False


def lost_output(
    task: RunTask, exc: BaseException, killed_for_time: bool, timeout: float | None
) -> BatchOutput:
    """The row of a run whose worker died every time it ran it."""
    if killed_for_time:
        error = f"run stayed past its time limit of {timeout:g} s; its worker was killed"
        return BatchOutput([failed_row(task, TIMEOUT, error)], None)
    error = f"the worker process died while running this run: {type(exc).__name__}: {exc}"
    return BatchOutput([failed_row(task, FAILED, error)], None)
