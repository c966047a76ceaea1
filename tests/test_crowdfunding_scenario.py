"""Crowdfunding in the run contract: project kinds as validated data, outputs, summary block."""

import json
from pathlib import Path

import pytest

from sim.cli import main
from sim.mechanisms.crowdfunding.projects import CONTRIBUTION_COLUMNS, PROJECT_COLUMNS
from sim.mechanisms.crowdfunding.reporting import PIPELINE_REPORTERS
from sim.metrics import REPORTERS
from sim.runner import simulate
from sim.scenario.crowdfunding_params import DEFAULT_KINDS
from sim.scenario.loader import ScenarioError, load_scenario
from sim.scenario.schema import Scenario
from tests.crowdfunding_runs import ALL_KINDS, all_kinds

KIND = "      - name: lift\n        cost_min: 5\n        cost_max: 100\n"

#: Bad project kinds: scenario text, then fragments the one error line must hold.
BAD_KINDS = {
    "negative_cost": (
        "      - name: lift\n        cost_min: -5\n        cost_max: 100\n",
        ["mechanisms.crowdfunding.kinds.0.cost_min", "greater than or equal to 0", ">= 0"],
    ),
    "cost_range_reversed": (
        "      - name: lift\n        cost_min: 500\n        cost_max: 100\n",
        ["mechanisms.crowdfunding.kinds.0", "cost_min must not exceed cost_max"],
    ),
    "weights_of_the_wrong_length": (
        KIND + "        contribution_rule: stepped\n        floor_weights: [0, 1, 2]\n",
        ["kinds.0.floor_weights", "3 weights", "7 floors", "structure.floors_max"],
    ),
    "negative_weight": (
        KIND + "        floor_weights: [0, -1, 2, 3, 4, 5, 6]\n",
        ["kinds.0.floor_weights.1", "greater than or equal to 0", "a number >= 0"],
    ),
    "stepped_without_weights": (
        KIND + "        contribution_rule: stepped\n",
        ["kinds.0", "stepped shares need floor_weights"],
    ),
    "unknown_consent_rule": (
        KIND + "        consent_rule: two_thirds\n",
        ["kinds.0.consent_rule", "two_thirds", "civil_code_278_major", "unanimity"],
    ),
    "unknown_contribution_rule": (
        KIND + "        contribution_rule: by_income\n",
        ["kinds.0.contribution_rule", "by_income", "stepped", "voluntary"],
    ),
    "unknown_field": (
        KIND + "        colour: red\n",
        ["kinds.0.colour", "unknown key", "consent_rule"],
    ),
    "repeated_name": (
        KIND + KIND,
        ["mechanisms.crowdfunding", "kind names must be unique", "lift"],
    ),
}


def scenario_text(kinds: str) -> str:
    return (
        "structure:\n  compounds: 1\n  floors_max: 7\n"
        f"mechanisms:\n  crowdfunding:\n    enabled: true\n    kinds:\n{kinds}"
    )


@pytest.mark.parametrize("case", sorted(BAD_KINDS))
def test_invalid_project_kinds_are_rejected_with_one_line_and_exit_2(case, tmp_path, capsys):
    kinds, fragments = BAD_KINDS[case]
    path = tmp_path / "bad.yaml"
    path.write_text(scenario_text(kinds), encoding="utf-8")
    out = tmp_path / "out"
    status = main(["run", str(path), "--out", str(out), "--quiet"])
    err = capsys.readouterr().err.strip().splitlines()
    assert status == 2
    assert len(err) == 1 and err[0].startswith(f"error: {path}: "), err
    for fragment in fragments:
        assert fragment in err[0], (fragment, err[0])
    assert not out.exists()


def test_a_valid_kind_list_replaces_the_defaults(tmp_path):
    path = tmp_path / "good.yaml"
    path.write_text(scenario_text(KIND), encoding="utf-8")
    scenario = load_scenario(path)
    assert [k.name for k in scenario.mechanisms.crowdfunding.kinds] == ["lift"]


def test_default_kinds_are_the_seed_goods():
    names = [kind.name for kind in DEFAULT_KINDS]
    assert names == ["smart_gate", "gate_cameras", "paving_parking", "community_farm", "elevator"]
    elevator = DEFAULT_KINDS[-1]
    assert 450_000 <= elevator.cost_min <= elevator.cost_max <= 700_000
    assert elevator.subsidy == 200_000 and elevator.scope == "unit"
    assert elevator.floor_weights[0] == 0
    assert DEFAULT_KINDS[0].cost_per_household == 200


def test_a_kind_setting_can_be_overridden_by_its_name():
    scenario = load_scenario(
        "default",
        [
            "mechanisms.crowdfunding.kinds.elevator.subsidy=150000",
            "mechanisms.crowdfunding.kinds.0.cost_per_household=250",
        ],
    )
    kinds = {k.name: k for k in scenario.mechanisms.crowdfunding.kinds}
    assert kinds["elevator"].subsidy == 150_000
    assert kinds["smart_gate"].cost_per_household == 250
    assert kinds["gate_cameras"] == DEFAULT_KINDS[1]


def test_overriding_a_kind_that_does_not_exist_names_the_kinds_there_are():
    with pytest.raises(ScenarioError) as caught:
        load_scenario("elevator_retrofit", ["mechanisms.crowdfunding.kinds.lift.subsidy=1"])
    assert caught.value.field == "mechanisms.crowdfunding.kinds.lift"
    assert "elevator" in caught.value.allowed


def test_weights_are_checked_against_the_structure_only_when_crowdfunding_is_on():
    load_scenario("default", ["structure.floors_max=9"])
    with pytest.raises(ScenarioError, match="floor_weights"):
        load_scenario("default", ["structure.floors_max=9", "mechanisms.crowdfunding.enabled=true"])


def test_pipeline_columns_are_in_the_time_series():
    for name in ("funds_raised", "projects_completed", "elevators_built", *PIPELINE_REPORTERS):
        assert name in REPORTERS, name


def test_the_run_writes_projects_contributions_and_a_crowdfunding_summary(tmp_path):
    out = tmp_path / "elevators"
    args = ["run", "elevator_retrofit", "--steps", "120", "--out", str(out), "--quiet"]
    assert main(args) == 0
    projects = (out / "projects.csv").read_text(encoding="utf-8").splitlines()
    assert projects[0].split(",") == list(PROJECT_COLUMNS)
    assert len(projects) > 5
    contributions = (out / "contributions.csv").read_text(encoding="utf-8").splitlines()
    assert contributions[0].split(",") == list(CONTRIBUTION_COLUMNS)
    votes = (out / "votes.csv").read_text(encoding="utf-8").splitlines()
    assert "project_id" in votes[0] and len(votes) > 5
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    block = summary["crowdfunding"]
    elevator = block["by_kind"]["elevator"]
    assert elevator["applied"] == len(projects) - 1
    assert set(block) >= {"by_kind", "approval_by_rule", "elevator_by_floor", "all_kinds"}
    assert "civil_code_278_major" in block["approval_by_rule"]
    for key in ("success_rate", "median_weeks_to_target", "free_rider_share"):
        assert key in elevator
    assert summary["final"]["projects_proposed"] == elevator["applied"]


def test_without_crowdfunding_the_outputs_are_empty_and_there_is_no_summary_block(tmp_path):
    out = tmp_path / "plain"
    assert (
        main(
            [
                "run",
                "default",
                "--steps",
                "4",
                "--set",
                "structure.compounds=2",
                "--out",
                str(out),
                "--quiet",
            ]
        )
        == 0
    )
    assert (out / "projects.csv").read_text(encoding="utf-8").strip() == ",".join(PROJECT_COLUMNS)
    assert (out / "contributions.csv").exists()
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert "crowdfunding" not in summary
    assert summary["final"]["funds_raised"] == 0 and summary["final"]["elevators_built"] == 0


def test_the_same_seed_gives_the_same_projects_and_contributions():
    first = all_kinds(2)
    second = simulate(load_scenario("default", [*ALL_KINDS, "seed=2"]))
    assert first.projects.equals(second.projects)
    assert first.contributions.equals(second.contributions)


def test_shipped_elevator_scenario_validates():
    scenario = load_scenario(Path("scenarios") / "elevator_retrofit.yaml")
    assert scenario.mechanisms.crowdfunding.enabled
    assert [k.name for k in scenario.mechanisms.crowdfunding.kinds] == ["elevator"]


def test_the_resolved_scenario_with_its_kinds_loads_back_unchanged():
    """summary.json's resolved scenario (a JSON dump) reproduces the kinds exactly."""
    scenario = load_scenario(
        "elevator_retrofit", ["mechanisms.crowdfunding.kinds.elevator.redesign=true"]
    )
    again = Scenario.model_validate(json.loads(json.dumps(scenario.model_dump(mode="json"))))
    assert again == scenario
