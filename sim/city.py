"""City runs: the communities of a scenario with ``city.communities`` > 1, run on workers and
merged into one run folder.

Community i (from 0) is an ordinary run, ``simulate(scenario with city.communities = 1,
seed_i)``, where seed_i is a 32-bit integer drawn from the i-th child of
``numpy.random.SeedSequence(scenario.seed)``. Each worker writes its community's time series
(with the weights the merge needs) and record tables into the hidden staging folder of the
output and returns only its summary, a few numbers (on Dask, whose workers may not share the
file system, it returns the files too and the parent writes them); the parent then merges the
files in community order, never in order of completion, so the outputs do not depend on the
backend or the number of workers. How each time-series column combines: ``sim.metrics.CITY_MERGE``.
"""

import concurrent.futures as cf
import csv
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.metrics import CITY_MERGE, CITY_WEIGHTS, SUM
from sim.pool import open_pool
from sim.provenance import provenance
from sim.runner import RECORD_TABLES, flatten_summary, series_summary, simulate, write_summary
from sim.scenario.schema import Scenario
from sim.staging import staged_folder

#: The workers' files, inside the staging folder (removed before it is renamed into place).
PARTS = ".communities"
WEIGHT_PREFIX = "weight:"


class CityRunError(RuntimeError):
    """A community that failed, said in one line."""


@dataclass(frozen=True)
class CommunityTask:
    """One community to run: its index, seed, scenario and the folder its files go to;
    with `send_files` the worker returns the files instead of writing them (a cluster whose
    workers do not share the client's file system)."""

    index: int
    seed: int
    scenario: Scenario
    folder: str
    send_files: bool = False


def community_seeds(seed: int, communities: int) -> list[int]:
    """One 32-bit seed per community, from the children of SeedSequence(seed)."""
    children = np.random.SeedSequence(seed).spawn(communities)
    return [int(child.generate_state(1, dtype=np.uint32)[0]) for child in children]


def community_scenario(scenario: Scenario) -> Scenario:
    """The scenario every community runs: the city's, with city.communities = 1."""
    city = scenario.city.model_copy(update={"communities": 1})
    return scenario.model_copy(update={"city": city})


def run_community(task: CommunityTask) -> dict[str, Any]:
    """Worker: simulate one community, write its files into `task.folder`, return its summary."""
    weights: list[dict[str, float]] = []

    def observe(model) -> None:
        weights.append({name: weight(model) for name, weight in CITY_WEIGHTS.items()})

    result = simulate(task.scenario, task.seed, observe=observe)
    series = result.timeseries.join(pd.DataFrame(weights).add_prefix(WEIGHT_PREFIX))
    files = {"series.parquet": series.to_parquet(index=False)}
    for name in RECORD_TABLES:
        files[f"{name}.csv"] = getattr(result, name).to_csv(index=False).encode("utf-8")
    outcome = {
        "summary": flatten_summary(result.summary),
        "run_time_seconds": result.summary["run_time_seconds"],
    }
    if task.send_files:
        return {**outcome, "files": files}
    write_files(task, files)
    return outcome


def write_files(task: CommunityTask, files: dict[str, bytes]) -> None:
    """A community's files into its folder."""
    folder = Path(task.folder)
    folder.mkdir()  # not its parents: a run given up meanwhile has removed them
    for name, data in files.items():
        (folder / name).write_bytes(data)


def run_city(
    scenario: Scenario,
    out_dir: Path,
    source: str,
    backend: str = "process",
    workers: int | None = None,
    scheduler: str | None = None,
    progress: Callable[[], None] | None = None,
    formats: tuple[str, ...] = ("csv",),
) -> dict[str, Any]:
    """Run every community, merge them into `out_dir` (replaced atomically); the summary.

    The merged tables (record tables with a leading `community` column) are written in
    `formats` (sim.tables).

    `workers` defaults to the number of CPUs, at most one per community; `progress()` is
    called as each community finishes. A failed community raises CityRunError and writes
    nothing.
    """
    started = time.perf_counter()
    seeds = community_seeds(scenario.seed, scenario.city.communities)
    workers = min(workers or os.cpu_count() or 1, len(seeds))
    one = community_scenario(scenario)
    with staged_folder(Path(out_dir)) as staging:
        parts = staging / PARTS
        parts.mkdir()
        send = backend == "dask"  # a cluster's workers may not share this file system
        tasks = [
            CommunityTask(i, s, one, str(parts / f"{i:04d}"), send) for i, s in enumerate(seeds)
        ]
        outcomes = run_communities(tasks, backend, workers, scheduler, progress)
        summary = write_merged(tasks, outcomes, scenario, staging, formats)
        times = [outcome["run_time_seconds"] for outcome in outcomes]
        summary["run_time_seconds"] = {
            "build": round(sum(t["build"] for t in times), 4),
            "steps": round(sum(t["steps"] for t in times), 4),
            "wall": round(time.perf_counter() - started, 4),
        }
        shutil.rmtree(parts)
        write_summary({**summary, "provenance": run_provenance(scenario, source)}, staging)
    return summary


def run_provenance(scenario: Scenario, source: str) -> dict[str, Any]:
    """The provenance block, as for a single run."""
    from sim.scenario.loader import resolve_scenario_path

    return provenance(scenario, scenario.seed, source, resolve_scenario_path(source))


def run_communities(
    tasks: list[CommunityTask],
    backend: str,
    workers: int,
    scheduler: str | None,
    progress: Callable[[], None] | None,
) -> list[dict[str, Any]]:
    """Each task's outcome, in task order; CityRunError at the first community that fails.

    At most two communities per worker are submitted ahead, so that progress shows as they
    finish (the sequential backend runs each one at submission).
    """
    pool = open_pool(backend, workers, scheduler, preload=("sim.city",))
    outcomes: list[dict[str, Any]] = [{} for _ in tasks]
    waiting = iter(tasks)
    in_flight: dict[cf.Future, CommunityTask] = {}
    try:
        while True:
            while len(in_flight) < 2 * pool.workers and (task := next(waiting, None)):
                try:
                    in_flight[pool.submit(run_community, task)] = task
                except Exception as exc:  # a pool that broke since the last submission
                    raise CityRunError(failure(task, exc)) from exc
            if not in_flight:
                return outcomes
            done, _ = cf.wait(in_flight, return_when=cf.FIRST_COMPLETED)
            for future in sorted(done, key=lambda f: in_flight[f].index):
                task = in_flight.pop(future)
                try:
                    outcome = future.result()
                except Exception as exc:
                    raise CityRunError(failure(task, exc)) from exc
                if "files" in outcome:
                    write_files(task, outcome.pop("files"))
                outcomes[task.index] = outcome
                if progress is not None:
                    progress()
    finally:
        pool.close()


def failure(task: CommunityTask, exc: BaseException) -> str:
    """One line saying which community failed and why."""
    lines = str(exc).strip().splitlines()
    detail = f"{type(exc).__name__}: {lines[0]}" if lines else type(exc).__name__
    return f"community {task.index} (seed {task.seed}) failed: {detail}"


def write_merged(
    tasks: list[CommunityTask],
    outcomes: list[dict[str, Any]],
    scenario: Scenario,
    folder: Path,
    formats: tuple[str, ...] = ("csv",),
) -> dict[str, Any]:
    """Write the merged files of a run folder (all but summary.json); the summary."""
    from sim.report.figures import draw_figures
    from sim.tables import convert_csv, write_table

    series = merge_series(tasks)
    write_table(series, folder, "timeseries", formats)
    for name in RECORD_TABLES:
        merge_records(tasks, name, folder / f"{name}.csv")
        convert_csv(folder, name, formats)
    rows = [
        {"community": t.index, "seed": t.seed, **o["summary"]}
        for t, o in zip(tasks, outcomes, strict=True)
    ]
    write_table(pd.DataFrame(rows), folder, "communities", formats)
    draw_figures(series, folder / "figures", scenario.name, band=community_band(tasks))
    return city_summary(series, tasks, outcomes)


#: Quantiles over communities drawn as the band around a city's lines.
BAND_QUANTILES = (0.05, 0.95)
MIN_BAND_COMMUNITIES = 3


def community_band(tasks: list[CommunityTask]):
    """The 5% and 95% quantiles over communities, per step, of every figure's column
    (None with fewer than MIN_BAND_COMMUNITIES communities)."""
    from sim.report.figures import Band, figure_columns

    if len(tasks) < MIN_BAND_COMMUNITIES:
        return None
    columns = figure_columns()
    stacks = [pd.read_parquet(Path(t.folder) / "series.parquet", columns=columns) for t in tasks]
    values = np.stack([frame.to_numpy(dtype=np.float64) for frame in stacks])
    low, high = np.quantile(values, BAND_QUANTILES, axis=0)
    low_pct, high_pct = (round(100 * q) for q in BAND_QUANTILES)
    return Band(
        pd.DataFrame(low, columns=columns),
        pd.DataFrame(high, columns=columns),
        f"{low_pct}-{high_pct}% of the {len(tasks)} communities; lines: the city's weighted means",
    )


def merge_series(tasks: list[CommunityTask]) -> pd.DataFrame:
    """The city's time series: each column summed or weight-averaged over the communities.

    Communities are added in order, one at a time, so memory holds one community's series
    and the running totals.
    """
    columns: list[str] = []
    totals: dict[str, np.ndarray] = {}
    weights: dict[str, np.ndarray] = {}
    for task in tasks:
        frame = pd.read_parquet(Path(task.folder) / "series.parquet")
        if not columns:
            columns = [c for c in frame.columns if not c.startswith(WEIGHT_PREFIX)]
        for column in columns:
            if column == "step":
                totals[column] = frame[column].to_numpy()
                continue
            rule = CITY_MERGE[column]
            values = frame[column].to_numpy()
            if rule != SUM:
                weight = frame[WEIGHT_PREFIX + rule].to_numpy(dtype=np.float64)
                values = weight * values
                weights[column] = weights[column] + weight if column in weights else weight
            totals[column] = totals[column] + values if column in totals else values.copy()
    merged = {}
    for column in columns:
        value = totals[column]
        if column in weights:
            total = weights[column]
            value = np.divide(value, total, out=np.zeros_like(value), where=total > 0)
        merged[column] = value
    return pd.DataFrame(merged)


def merge_records(tasks: list[CommunityTask], name: str, path: Path) -> None:
    """Concatenate the communities' CSV files of a record table, in community order, with a
    leading `community` column (streamed: one row in memory at a time)."""
    header: list[str] | None = None
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\n")
        for task in tasks:
            with (Path(task.folder) / f"{name}.csv").open(newline="", encoding="utf-8") as fh:
                reader = csv.reader(fh)
                first = next(reader)
                if header is None:
                    header = first
                    writer.writerow(["community", *header])
                elif first != header:
                    raise CityRunError(f"community {task.index}: {name}.csv has other columns")
                for row in reader:
                    writer.writerow([task.index, *row])


def city_summary(
    series: pd.DataFrame, tasks: list[CommunityTask], outcomes: list[dict[str, Any]]
) -> dict[str, Any]:
    """summary.json of a city run, without run times and provenance: `final` and `last_year`
    of the merged series, `community` summed over the communities, and `city`."""
    totals: dict[str, int | float] = {}
    for outcome in outcomes:
        for key, value in outcome["summary"].items():
            group, _, name = key.partition(".")
            if group == "community":
                totals[name] = totals.get(name, 0) + value
    return {
        **series_summary(series),
        "community": totals,
        "city": {
            "communities": len(tasks),
            "households": totals["households"],
            "seeds": [task.seed for task in tasks],
        },
    }
