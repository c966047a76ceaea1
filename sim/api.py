"""The Python interface for notebooks and scripts (see docs/api.md); `import sim` exports it.

Scenarios are validated, frozen objects: change one with `change`, which applies dotted keys
through the same path and checks as `cogov run --set` and raises `ScenarioError` (a
`ValueError` whose message is the CLI's one line) for an unknown key or a value out of range.

    import sim
    scenario = sim.load("fee_spiral", steps=104)
    scenario = sim.change(scenario, {"mechanisms.joint_meetings.enabled": True})
    result = sim.run(scenario, seed=3)          # result.timeseries, result.disputes, ...
    model = sim.build(scenario)                 # a Mesa model: step it yourself
    while model.running:
        model.step()
"""

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim import API
from sim.scenario.loader import (
    ScenarioError as ScenarioError,  # re-exported: part of the interface
)
from sim.scenario.loader import (
    apply_override,
    build_scenario,
    load_scenario,
)
from sim.scenario.schema import Scenario

if TYPE_CHECKING:
    import pandas as pd

    from sim.experiments.sweep import SweepResult
    from sim.model import CommunityModel
    from sim.runner import RunResult

PYTHON_SOURCE = "<python>"


def change(
    scenario: Scenario, changes: Mapping[str, Any] | None = None, source: str = PYTHON_SOURCE
) -> Scenario:
    """A new scenario with dotted keys changed (`{"households.renter_share": 0.4}`), validated
    as `--set` is; `source` names the input in error messages."""
    data = scenario.model_dump(mode="json")
    for key, value in (changes or {}).items():
        apply_override(data, key, value, source)
    return build_scenario(data, source)


def load(source: str | Path, changes: Mapping[str, Any] | None = None, **fields: Any) -> Scenario:
    """A shipped scenario by name, or a YAML file, with optional changes: dotted keys in
    `changes`, top-level fields (steps, seed, ...) as keywords."""
    scenario = load_scenario(source)
    every = {**fields, **(changes or {})}
    return change(scenario, every, str(source)) if every else scenario


def build(scenario: Scenario, seed: int | None = None) -> "CommunityModel":
    """The model at week 0; `model.running` turns false at the scenario's horizon."""
    from sim.model import CommunityModel

    return CommunityModel(scenario, seed=seed)


def run(scenario: Scenario, seed: int | None = None) -> "RunResult":
    """Run the scenario to its horizon: `.timeseries` and the record tables as DataFrames
    (`.disputes`, `.meetings`, `.votes`, `.projects`, `.contributions`, `.interventions`),
    `.summary` as written to summary.json, and the finished `.model`."""
    from sim.runner import simulate

    return simulate(scenario, seed=seed)


def counterfactual(
    scenario: Scenario, changes: Mapping[str, Any], seeds: list[int] | None = None
) -> dict[str, Any]:
    """Effects of the scenario against it with `changes`, on common seeds (default: ten from
    the scenario's), as counterfactual.json holds them."""
    from sim.counterfactual import compare, counterfactual_scenario, default_counterfactual_seeds

    texts = [f"{key}={to_yaml(value)}" for key, value in changes.items()]
    other = counterfactual_scenario(scenario, texts, PYTHON_SOURCE)
    return compare(scenario, other, seeds or default_counterfactual_seeds(scenario), texts)


def sweep(
    experiment: str | Path, out: str | Path, workers: int | None = 1, resume: bool = False
) -> "SweepResult":
    """Run an experiment file (or a shipped experiment's name) into `out`, as `cogov sweep`."""
    from sim.experiments.loader import load_experiment
    from sim.experiments.sweep import run_sweep

    return run_sweep(load_experiment(experiment), Path(out), workers=workers, resume=resume)


def sweep_runs(out: str | Path) -> "pd.DataFrame":
    """The finished runs of a sweep folder: one row each, with its levers, parameters and
    summary outputs."""
    from sim.analysis.summary import load_sweep
    from sim.experiments.storage import SweepStore

    return load_sweep(SweepStore(Path(out))).ok.reset_index(drop=True)


def to_yaml(value: Any) -> str:
    """A value as the text `--set` would read back as the same value."""
    import yaml

    return yaml.safe_dump(value, default_flow_style=True).strip().removesuffix("...").strip()


__all__ = list(API)
