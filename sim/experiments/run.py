"""The per-run function, executed in the workers: simulate, keep the requested outputs.

A run that raises is returned as a row with status ``failed`` and its traceback; a run that
goes past the time limit (checked after every week) is returned with status ``timeout``.

Testing hook: ``COGOV_SWEEP_FAULTS`` holds JSON such as
``{"raise": {"households.renter_share": 0.3}, "exit": {...}, "hang": {...}, "delay": 0.05}``.
The sweep reads it once, in the parent, and hands it to the run function, which raises, ends
its worker process with ``os._exit``, sleeps without end, or sleeps `delay` seconds before
each run when a run's parameter values include all the given ones. Scenarios cannot set it;
it exists to test that failures and dead workers neither stop nor hang a sweep.
"""

import json
import os
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sim.scenario.schema import Scenario

FAULTS_ENV = "COGOV_SWEEP_FAULTS"
FAULT_EXIT_STATUS = 70
OK, FAILED, TIMEOUT = "ok", "failed", "timeout"
#: Columns that every stored run row carries before parameters and metrics.
RUN_COLUMNS = ("run_id", "point_id", "replication", "seed", "status", "error", "elapsed_seconds")
SERIES_COLUMNS = ("run_id", "point_id", "replication", "seed", "step")


@dataclass(frozen=True)
class RunTask:
    """One run to do: its ids, seed, resolved scenario and parameter values."""

    run_id: str
    point_id: str
    replication: int
    seed: int
    scenario: Scenario
    values: dict[str, Any]


@dataclass(frozen=True)
class RunSettings:
    """What every run keeps, its time limit, and the testing faults (if any)."""

    summary: tuple[str, ...]
    series_steps: Any  # "all", "none", a tuple of steps, or an int: every k-th step
    series_columns: tuple[str, ...]
    timeout_seconds: float | None = None
    faults: dict[str, Any] | None = None
    #: A picklable function of the finished run (sim.runner.RunResult) giving more named
    #: numbers to keep beside the summary metrics (their names must be in `summary`).
    measures: Callable[[Any], dict[str, float]] | None = None


@dataclass
class BatchOutput:
    """The rows of a batch of runs: one per run, and the kept time-series rows."""

    runs: list[dict[str, Any]]
    series: dict[str, np.ndarray] | None  # column -> values, over the batch's ok runs


class RunTimeout(Exception):
    """A run went past its time limit."""


class InjectedFault(RuntimeError):
    """A failure asked for through the testing hook."""


def faults_from_environment() -> dict[str, Any] | None:
    """The testing faults in $COGOV_SWEEP_FAULTS, if set (see the module docstring)."""
    text = os.environ.get(FAULTS_ENV)
    if not text:
        return None
    try:
        faults = json.loads(text)
    except json.JSONDecodeError:
        faults = None
    if not isinstance(faults, dict):
        from sim.scenario.loader import ScenarioError

        raise ScenarioError(FAULTS_ENV, "value", "not a JSON object", 'e.g. {"delay": 0.05}')
    return faults


def matches(values: dict[str, Any], wanted: dict[str, Any] | None) -> bool:
    """Whether a run's values include every wanted value."""
    return bool(wanted) and all(values.get(k) == v for k, v in wanted.items())


def apply_faults(faults: dict[str, Any] | None, task: RunTask) -> None:
    """Act out the testing faults that match this run."""
    if not faults:
        return
    if faults.get("delay"):
        time.sleep(float(faults["delay"]))
    if matches(task.values, faults.get("raise")):
        raise InjectedFault(f"fault injected through {FAULTS_ENV} for {task.values}")
    if matches(task.values, faults.get("exit")):
        os._exit(FAULT_EXIT_STATUS)
    if matches(task.values, faults.get("hang")):
        while True:
            time.sleep(1)


def deadline(seconds: float | None):
    """A per-week progress callback that raises RunTimeout once `seconds` have passed."""
    if seconds is None:
        return None
    end = time.perf_counter() + seconds

    def check() -> None:
        if time.perf_counter() > end:
            raise RunTimeout(f"run exceeded its time limit of {seconds:g} s")

    return check


def keep_steps(series: pd.DataFrame, steps: Any) -> pd.DataFrame:
    """The rows of the requested steps."""
    if steps == "all":
        return series
    if steps == "none":
        return series.iloc[0:0]
    if isinstance(steps, int):
        last = series["step"].max()
        return series[(series["step"] % steps == 0) | (series["step"] == last)]
    return series[series["step"].isin(steps)]


def base_row(task: RunTask) -> dict[str, Any]:
    """The identifying columns and parameter values of a run's row."""
    return {
        "run_id": task.run_id,
        "point_id": task.point_id,
        "replication": task.replication,
        "seed": task.seed,
        **task.values,
    }


def failed_row(task: RunTask, status: str, error: str, elapsed: float = 0.0) -> dict[str, Any]:
    """The row of a run that did not finish."""
    return {**base_row(task), "status": status, "error": error, "elapsed_seconds": elapsed}


def run_one(
    task: RunTask, settings: RunSettings
) -> tuple[dict[str, Any], dict[str, np.ndarray] | None]:
    """Simulate one run; its row and its kept time-series columns (None when it failed)."""
    from sim.runner import flatten_summary, simulate  # the model: in the workers only

    started = time.perf_counter()
    try:
        apply_faults(settings.faults, task)
        result = simulate(task.scenario, task.seed, progress=deadline(settings.timeout_seconds))
    except RunTimeout as exc:
        return failed_row(task, TIMEOUT, str(exc), time.perf_counter() - started), None
    except Exception:
        error = traceback.format_exc()
        return failed_row(task, FAILED, error, time.perf_counter() - started), None
    metrics = flatten_summary(result.summary)
    if settings.measures is not None:
        try:
            metrics.update(settings.measures(result))
        except Exception:
            error = traceback.format_exc()
            return failed_row(task, FAILED, error, time.perf_counter() - started), None
    elapsed = time.perf_counter() - started
    row = {
        **base_row(task),
        "status": OK,
        "error": None,
        "elapsed_seconds": elapsed,
        **{name: metrics.get(name) for name in settings.summary},
    }
    kept = keep_steps(result.timeseries, settings.series_steps)
    columns = {column: kept[column].to_numpy() for column in ("step", *settings.series_columns)}
    return row, columns


def run_batch(tasks: list[RunTask], settings: RunSettings) -> BatchOutput:
    """Run a batch of tasks in order; failures become rows, never exceptions."""
    rows, kept = [], []
    for task in tasks:
        row, columns = run_one(task, settings)
        rows.append(row)
        if columns is not None and len(columns["step"]):
            kept.append((task, columns))
    if not kept:
        return BatchOutput(rows, None)
    lengths = [len(columns["step"]) for _, columns in kept]
    series = {
        name: np.repeat([getattr(task, name) for task, _ in kept], lengths)
        for name in SERIES_COLUMNS[:-1]
    }
    for name in kept[0][1]:
        series[name] = np.concatenate([columns[name] for _, columns in kept])
    return BatchOutput(rows, series)
