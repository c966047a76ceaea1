"""The run plan: design points crossed with policies and replications, each run with its
scenario, seed and id.

Every point's scenario is built and validated here, before anything is written, so a value
that the Scenario schema refuses (or a cross-field rule it breaks) stops the sweep at once.
"""

import copy
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import reduce
from typing import Any

import pandas as pd

from sim.experiments.design import Samples, policies, uncertainty_samples
from sim.experiments.run import RunTask
from sim.experiments.seeds import run_id, run_seed, values_id
from sim.experiments.spec import Experiment
from sim.provenance import package_version
from sim.scenario.loader import ScenarioError, apply_override, build_scenario
from sim.scenario.schema import Scenario

UNIT_PREFIX = "u."
NO_POLICY = "base"
ALL_OFF = "all off"


@dataclass
class Plan:
    """Design points (one row each) and planned runs (one row per point and replication)."""

    experiment: Experiment
    design: pd.DataFrame
    runs: pd.DataFrame
    version: str

    @property
    def keys(self) -> list[str]:
        """Dotted keys of the levers then the parameters."""
        return list(self.experiment.all_parameters())

    def unique_runs(self) -> pd.DataFrame:
        """Planned runs without repeats (identical points share their runs), in plan order."""
        return self.runs.drop_duplicates("run_id")

    def tasks(self, run_ids: Iterable[str]) -> Iterator[RunTask]:
        """The tasks of the given runs, built lazily in plan order."""
        wanted = set(run_ids)
        todo = self.unique_runs()
        todo = todo[todo["run_id"].isin(wanted)]
        points = self.design.set_index("point_index")
        builder = ScenarioBuilder(self.experiment)
        index, scenario, values = None, None, {}
        for row in todo.itertuples(index=False):
            if index != row.point_index:
                index = row.point_index
                values = {key: native(points.at[index, key]) for key in self.keys}
                scenario = builder.build(values, index)
            yield RunTask(
                run_id=row.run_id,
                point_id=row.point_id,
                replication=int(row.replication),
                seed=int(row.seed),
                scenario=scenario.model_copy(update={"seed": int(row.seed)}),
                values=values,
            )


class ScenarioBuilder:
    """Scenarios of design points: the base, the point's values, validated."""

    def __init__(self, experiment: Experiment) -> None:
        self.experiment = experiment

    def build(self, values: dict[str, Any], index: int) -> Scenario:
        """The validated scenario of one point."""
        data = copy.deepcopy(self.experiment.base)
        file = self.experiment.file
        for key, value in values.items():
            apply_override(data, key, value, file)
        try:
            return build_scenario(data, file)
        except ScenarioError as exc:
            point = ", ".join(f"{k}={v!r}" for k, v in values.items())
            raise ScenarioError(
                file, f"design point {index} ({point}): {exc.field}", exc.problem, exc.allowed
            ) from None


def resolved_value(scenario: Scenario, key: str) -> Any:
    """A scenario's value at a dotted key (after validation and coercion)."""
    return reduce(getattr, key.split("."), scenario)


def native(value: Any) -> Any:
    """A numpy scalar as the plain Python value."""
    return value.item() if hasattr(value, "item") else value


def policy_label(values: dict[str, Any]) -> str:
    """A short readable name of a policy: the boolean levers that are on, by name (without
    their section and a trailing ``.enabled``), then the other levers as ``name=value``;
    ``all off`` when every lever is a boolean that is off."""
    if not values:
        return NO_POLICY
    parts = []
    for key, value in values.items():
        name = key.split(".", 1)[-1].removesuffix(".enabled")
        if isinstance(value, bool):
            if value:
                parts.append(name)
        else:
            parts.append(f"{name}={value}")
    return " + ".join(parts) if parts else ALL_OFF


def make_plan(experiment: Experiment, samples: Samples | None = None) -> Plan:
    """Build and validate every point's scenario, and derive every run's seed and id (over
    the design's `samples`, drawn here unless given)."""
    spec = experiment.spec
    samples = samples if samples is not None else uncertainty_samples(experiment)
    levers, parameters = list(spec.levers), list(spec.parameters)
    builder = ScenarioBuilder(experiment)
    version = package_version()
    design_rows, run_rows = [], []
    for policy_index, policy in enumerate(policies(experiment)):
        for sample_index, sample in enumerate(samples.values):
            index = len(design_rows)
            scenario = builder.build({**policy, **sample}, index)
            resolved = {key: resolved_value(scenario, key) for key in levers + parameters}
            lever_values = {key: resolved[key] for key in levers}
            sample_values = {key: resolved[key] for key in parameters}
            point_id = values_id(resolved)
            sample_id = values_id(sample_values)
            row = {
                "point_index": index,
                "point_id": point_id,
                "policy_index": policy_index,
                "policy_id": values_id(lever_values),
                "policy": policy_label(lever_values),
                "sample_index": sample_index,
                "sample_id": sample_id,
                **resolved,
            }
            if samples.unit is not None:
                for j, key in enumerate(parameters):
                    row[UNIT_PREFIX + key] = float(samples.unit[sample_index, j])
            design_rows.append(row)
            dump = scenario.model_dump(mode="json")
            seed_key = sample_id if spec.common_random_numbers else point_id
            for replication in range(spec.replications):
                seed = run_seed(spec.seed, seed_key, replication)
                dump["seed"] = seed
                run_rows.append(
                    {
                        "run_id": run_id(dump, seed, version),
                        "point_index": index,
                        "point_id": point_id,
                        "replication": replication,
                        "seed": seed,
                    }
                )
    design = pd.DataFrame(design_rows)
    runs = pd.DataFrame(run_rows)
    return Plan(experiment, design, runs, version)
