"""The shipped experiment files load, plan the sizes their comments promise, and their runs
work (checked on a couple of runs cut down to a few weeks)."""

from dataclasses import replace
from pathlib import Path

import pytest

from sim.experiments.loader import load_experiment
from sim.experiments.plan import make_plan
from sim.experiments.run import OK, RunSettings, run_batch

EXPERIMENTS = Path(__file__).resolve().parents[1] / "experiments"
#: file -> (design points, planned runs)
SIZES = {
    "sensitivity.yaml": (640, 1280),
    "screening.yaml": (180, 360),
    "mechanisms_factorial.yaml": (64, 1280),
    "meetings_vs_points.yaml": (72, 720),
}


#: Not an experiment file: the pattern catalogue (tests/test_pattern_catalogue.py).
CATALOGUE = "patterns.yaml"


def test_every_shipped_experiment_is_listed_here():
    found = sorted(p.name for p in EXPERIMENTS.glob("*.yaml") if p.name != CATALOGUE)
    assert found == sorted(SIZES)


@pytest.mark.parametrize("name", sorted(SIZES))
def test_shipped_experiment_plans_the_promised_runs(name):
    experiment = load_experiment(EXPERIMENTS / name)
    plan = make_plan(experiment)
    points, runs = SIZES[name]
    assert (len(plan.design), len(plan.runs)) == (points, runs)
    assert experiment.spec.description
    tasks = list(plan.tasks(plan.runs["run_id"].head(2)))
    cut = [replace(t, scenario=t.scenario.model_copy(update={"steps": 3})) for t in tasks]
    settings = RunSettings(
        summary=tuple(experiment.summary),
        series_steps="all",
        series_columns=tuple(experiment.series_columns),
    )
    output = run_batch(cut, settings)
    assert [row["status"] for row in output.runs] == [OK, OK], output.runs[0].get("error")
    assert set(experiment.summary) <= set(output.runs[0])


def test_factorial_compares_policies_under_common_random_numbers():
    plan = make_plan(load_experiment(EXPERIMENTS / "mechanisms_factorial.yaml"))
    merged = plan.runs.merge(plan.design, on=["point_index", "point_id"])
    assert merged["policy"].nunique() == 32
    assert (merged.groupby(["sample_id", "replication"])["seed"].nunique() == 1).all()
