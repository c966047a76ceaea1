"""Counterfactual runs on common random numbers (`cogov run --counterfactual`)."""

import json

import pytest

from sim.cli import main
from sim.counterfactual import compare, counterfactual_scenario, parse_seeds
from sim.scenario.loader import ScenarioError, load_scenario


def test_counterfactual_of_a_scheduled_scheme_drops_it_from_the_timeline():
    factual = load_scenario("time_bank")
    other = counterfactual_scenario(factual, ["mechanisms.points.enabled=false"], "time_bank")
    assert other.interventions == []
    assert other.mechanisms.points.enabled is False
    assert factual.interventions  # the factual scenario is untouched


def test_a_change_that_changes_nothing_has_exactly_zero_effect_on_common_seeds():
    """Common random numbers: identical settings on the same seed give identical runs."""
    factual = load_scenario("default", ["structure.compounds=3", "steps=30"])
    same = counterfactual_scenario(factual, ["fees.intercept=0.7"], "default")
    report = compare(factual, same, [1, 2], ["fees.intercept=0.7"])
    for effect in report["effects"].values():
        assert effect["mean"] == 0.0 and effect["ci95_low"] == effect["ci95_high"] == 0.0


def test_counterfactual_run_writes_effects_with_intervals(tmp_path, capsys):
    out = tmp_path / "run"
    status = main(
        [
            "run",
            "time_bank",
            "--set",
            "structure.compounds=2",
            "--quiet",
            "--out",
            str(out),
            "--counterfactual",
            "mechanisms.points.enabled=false",
            "--seeds",
            "1-3",
        ]
    )
    assert status == 0
    report = json.loads((out / "counterfactual.json").read_text())
    assert report["seeds"] == [1, 2, 3] and len(report["per_seed"]) == 3
    volunteering = report["effects"]["volunteer_rate"]
    assert volunteering["ci95_low"] <= volunteering["mean"] <= volunteering["ci95_high"]
    assert volunteering["mean"] > 0  # points raise volunteering while they run
    assert "participation effect" in capsys.readouterr().out


@pytest.mark.parametrize("text", ["", "a-b", "3,x", "-1"])
def test_bad_seed_lists_are_refused(text):
    with pytest.raises(ScenarioError):
        parse_seeds(text)


def test_seed_ranges_and_lists_are_read():
    assert parse_seeds("1-3,7") == [1, 2, 3, 7]
