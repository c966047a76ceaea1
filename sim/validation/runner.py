"""Running the catalogue on the sweep engine: each pattern is a sweep folder of its own.

A pattern's runs are its conditions x variants x seeds. A variant is an arm of the pattern,
or an arm with a check's falsifier applied (labelled ``ARM~CHECK``). Conditions are the
shipped scenario (condition 0, when asked for) and Latin hypercube points of the ranges
(scipy.stats.qmc, the catalogue's seed), mapped to values as sweep designs map them. Every
variant of a condition meets the same seeds (common random numbers), so arms are compared in
pairs. Runs whose scenarios are identical (a falsifier that leaves an arm as it was) share
one run id and run once.

Runs go through sim.experiments.execution (a process pool, Dask or sequential) and are
stored by sim.experiments.storage under ``OUT/runs/PATTERN/``, keyed by run id: a hash of the
resolved scenario, seed and version (as in a sweep), the statistics the run keeps, and the
source of the statistics module. Running again resumes, doing only what is missing; a run
whose statistics changed is run again. Each run keeps only the catalogue's statistics,
computed in the worker.
"""

import copy
import json
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from sim.experiments.design import from_unit, latin_hypercube
from sim.experiments.execution import execute, open_run_pool
from sim.experiments.run import OK, RunSettings, RunTask
from sim.experiments.seeds import digest, run_id, run_seed, values_id
from sim.experiments.storage import SweepStore, runs_schema, series_schema
from sim.provenance import package_version
from sim.scenario.loader import apply_override, build_scenario
from sim.scenario.schema import Scenario
from sim.validation.catalogue import Catalogue, Pattern
from sim.validation.statistics import code_sha256, measure_run

FALSIFIED = "~"  # variant label: ARM~CHECK


def falsified_label(arm: str, check_id: str) -> str:
    """The label of an arm under a check's falsifier."""
    return f"{arm}{FALSIFIED}{check_id}"


def condition_values(pattern: Pattern) -> list[dict[str, Any]]:
    """The pattern's conditions: {} for the shipped scenario, then the sampled points."""
    points: list[dict[str, Any]] = [{}] if pattern.conditions.shipped else []
    spec = pattern.conditions
    if spec.samples:
        unit = latin_hypercube(len(spec.ranges), spec.samples, spec.seed)
        columns = {
            key: from_unit(parameter, unit[:, j])
            for j, (key, parameter) in enumerate(spec.ranges.items())
        }
        points += [{key: columns[key][i] for key in spec.ranges} for i in range(spec.samples)]
    return points


def variants(pattern: Pattern) -> dict[str, dict[str, Any]]:
    """Every variant's overrides: the arms, then each check's falsified arms."""
    found = {name: dict(overrides) for name, overrides in pattern.arms.items()}
    for check in pattern.checks:
        for arm in check.arms():
            overrides = dict(pattern.arms[arm])
            if check.falsifier.arm in (None, arm):
                overrides.update(check.falsifier.set)
            found[falsified_label(arm, check.id)] = overrides
    return found


def measure_columns(pattern: Pattern) -> dict[str, tuple[str, tuple[tuple[str, Any], ...]]]:
    """Column -> (statistic, args) of every check and article figure of a pattern."""
    columns = {}
    for check in pattern.checks:
        columns[f"check.{check.id}"] = (check.statistic, tuple(sorted(check.args.items())))
    for i, figure in enumerate(pattern.figures):
        columns[f"figure.{i}"] = (figure.statistic, tuple(sorted(figure.args.items())))
    return columns


@dataclass
class PatternPlan:
    """A pattern's conditions, variants and planned runs."""

    pattern: Pattern
    base: dict[str, Any]
    conditions: list[dict[str, Any]]
    variants: dict[str, dict[str, Any]]
    design: pd.DataFrame  # one row per condition and variant
    runs: pd.DataFrame  # one row per condition, variant and replication
    version: str

    def scenario(self, condition: int, variant: str) -> Scenario:
        """The validated scenario of a condition and variant."""
        data = copy.deepcopy(self.base)
        overrides = {**self.conditions[condition], **self.variants[variant]}
        for key, value in overrides.items():
            apply_override(data, key, value, self.pattern.id)
        return build_scenario(data, self.pattern.id)

    def tasks(self, run_ids: set[str]):
        """The tasks of the given runs, in plan order (each run id once)."""
        seen: set[str] = set()
        design = self.design.set_index("point_index")
        for row in self.runs.itertuples(index=False):
            if row.run_id not in run_ids or row.run_id in seen:
                continue
            seen.add(row.run_id)
            point = design.loc[row.point_index]
            scenario = self.scenario(int(point["condition"]), str(point["variant"]))
            yield RunTask(
                run_id=row.run_id,
                point_id=row.point_id,
                replication=int(row.replication),
                seed=int(row.seed),
                scenario=scenario.model_copy(update={"seed": int(row.seed)}),
                values={
                    "pattern": self.pattern.id,
                    "condition": int(point["condition"]),
                    "variant": str(point["variant"]),
                },
            )


def make_plan(catalogue: Catalogue, pattern: Pattern, seeds: int | None = None) -> PatternPlan:
    """Every run of a pattern, with its seed and id (seeds overrides the catalogue's count)."""
    base = catalogue.bases[pattern.id]
    conditions = condition_values(pattern)
    found = variants(pattern)
    replications = seeds or pattern.seeds
    version = package_version()
    kept = {"statistics": measure_columns(pattern), "code": code_sha256()}
    plan = PatternPlan(pattern, base, conditions, found, pd.DataFrame(), pd.DataFrame(), version)
    design_rows, run_rows = [], []
    for c, values in enumerate(conditions):
        seed_key = values_id({"condition": c, **values})
        for variant in found:
            scenario = plan.scenario(c, variant)
            point_id = values_id({"condition": c, "variant": variant, **values})
            index = len(design_rows)
            design_rows.append(
                {"point_index": index, "point_id": point_id, "condition": c, "variant": variant}
                | {key: json.dumps(value) for key, value in values.items()}
            )
            dump = scenario.model_dump(mode="json")
            for replication in range(replications):
                seed = run_seed(pattern.seed, seed_key, replication)
                dump["seed"] = seed
                run_rows.append(
                    {
                        "run_id": digest({"run": run_id(dump, seed, version), "keeps": kept}),
                        "point_index": index,
                        "point_id": point_id,
                        "replication": replication,
                        "seed": seed,
                    }
                )
    plan.design = pd.DataFrame(design_rows)
    plan.runs = pd.DataFrame(run_rows)
    return plan


def settings_for(pattern: Pattern) -> RunSettings:
    """What each run of the pattern keeps: its statistics, no time series."""
    columns = measure_columns(pattern)
    requests = tuple((column, name, args) for column, (name, args) in columns.items())
    return RunSettings(
        summary=tuple(columns),
        series_steps="none",
        series_columns=(),
        measures=partial(measure_run, requests=requests),
    )


@dataclass
class PatternRuns:
    """A pattern's plan and the stored statistics of its runs (one row per planned run)."""

    plan: PatternPlan
    values: pd.DataFrame  # condition, variant, replication, seed, run_id, status, check.*, figure.*
    ran: int  # runs done in this session


def store_of(out: Path, pattern: Pattern) -> SweepStore:
    """The sweep folder of a pattern."""
    return SweepStore(Path(out) / "runs" / pattern.id)


def to_do(store: SweepStore, plan: PatternPlan) -> set[str]:
    """Planned run ids not stored as finished (failed runs are run again)."""
    stored = store.stored_status()
    return {r for r in plan.runs["run_id"] if stored.get(r) != OK}


def run_catalogue(
    catalogue: Catalogue,
    out: Path,
    *,
    only: list[str] | None = None,
    seeds: int | None = None,
    backend: str = "process",
    workers: int | None = None,
    scheduler: str | None = None,
) -> list[PatternRuns]:
    """Run the missing runs of the chosen patterns into OUT/runs/ and read their statistics."""
    patterns = [p for p in catalogue.patterns if not only or p.id in only]
    plans = [make_plan(catalogue, p, seeds) for p in patterns]
    stores = [store_of(out, p) for p in patterns]
    for store in stores:
        store.check_target(resume=True)
    needed = any(to_do(store, plan) for store, plan in zip(stores, plans, strict=True))
    pool = open_run_pool(backend, workers, scheduler) if needed else None
    results = []
    try:
        for plan, store in zip(plans, stores, strict=True):
            ran = run_pattern(plan, store, catalogue, pool)
            results.append(PatternRuns(plan, read_values(plan, store), ran))
    finally:
        if pool is not None:
            pool.close()
    return results


def run_pattern(plan: PatternPlan, store: SweepStore, catalogue: Catalogue, pool: Any) -> int:
    """Run a pattern's missing runs into its folder; the number run."""
    pattern = plan.pattern
    settings = settings_for(pattern)
    values = {"pattern": pattern.id, "condition": 0, "variant": ""}
    run_table = runs_schema(values, {column: "float" for column in settings.summary})
    series_table = series_schema({})
    with store.locked():
        todo = to_do(store, plan)
        text = yaml.safe_dump(pattern.model_dump(mode="json"), sort_keys=False, allow_unicode=True)
        store.write_plan(plan.design, plan.runs, text)
        counts = None
        if todo:
            counts = execute(
                plan.tasks(todo),
                len(todo),
                pool,
                settings,
                lambda output: store.write_batch(output, run_table, series_table),
            )
        stored = store.stored_status()
        planned = set(plan.runs["run_id"])
        store.write_manifest(
            {
                "pattern": pattern.id,
                "catalogue": {"file": catalogue.file, "sha256": catalogue.sha256},
                "version": plan.version,
                "counts": {
                    "planned": len(planned),
                    "done": sum(stored.get(r) == OK for r in planned),
                    "failed": sum(r in stored and stored[r] != OK for r in planned),
                },
            }
        )
    return counts.done + counts.failed if counts else 0


def read_values(plan: PatternPlan, store: SweepStore) -> pd.DataFrame:
    """Every planned run with its condition, variant and stored statistics (NaN if missing)."""
    columns = list(measure_columns(plan.pattern))
    stored = store.read_runs(["run_id", "status", *columns])
    runs = plan.runs.merge(
        plan.design[["point_index", "condition", "variant"]], on="point_index", how="left"
    )
    frame = runs.merge(stored, on="run_id", how="left")
    for column in columns:
        if column not in frame:
            frame[column] = np.nan
        frame[column] = frame[column].astype(float)
    frame["status"] = frame["status"].fillna("missing")
    keep = ["condition", "variant", "replication", "seed", "run_id", "status", *columns]
    return frame[keep].sort_values(["condition", "variant", "replication"]).reset_index(drop=True)
