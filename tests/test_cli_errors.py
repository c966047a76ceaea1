"""Bad input to `cogov`: exit status 2, one `error: FILE: FIELD: ...` line, nothing written."""

import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

import sim.scenario.loader
from sim.cli import main
from tools.fuzz import alias_bomb, factorial_experiment, nested


@dataclass
class Case:
    """One kind of bad input: scenario file text (or none), CLI arguments, expected fragments."""

    args: list[str]
    text: str | None = None  # written to bad.yaml when given; "{file}" in args names it
    fragments: list[str] = field(default_factory=list)  # "{file}" is the scenario file


CASES = {
    "missing_scenario_name": Case(
        ["run", "no_such_scenario"], fragments=["no_such_scenario", "scenario"]
    ),
    "missing_scenario_file": Case(["run", "{dir}/absent.yaml"], fragments=["absent.yaml"]),
    "malformed_yaml": Case(
        ["run", "{file}"], "name: x\nsteps: [1,\n  structure: {\n", ["{file}", "line", "YAML"]
    ),
    "unknown_top_level_key": Case(
        ["run", "{file}"], "name: x\nbogus_key: 1\n", ["{file}", "bogus_key", "unknown key"]
    ),
    "unknown_nested_key": Case(
        ["run", "{file}"],
        "structure:\n  compuonds: 3\n",
        ["{file}", "structure.compuonds", "unknown key", "compounds"],
    ),
    "value_out_of_range": Case(
        ["run", "{file}"],
        "households:\n  renter_share: 1.5\n",
        ["{file}", "households.renter_share", "1.5", ">= 0", "<= 1"],
    ),
    "wrong_type": Case(
        ["run", "{file}"], "steps: many\n", ["{file}", "steps", "integer", "many", "int"]
    ),
    "nested_section_not_a_mapping": Case(
        ["run", "{file}"], "structure: 5\n", ["{file}", "structure"]
    ),
    "inconsistent_ranges": Case(
        ["run", "{file}"],
        "structure:\n  floors_min: 9\n  floors_max: 6\n",
        ["{file}", "structure", "floors_min", "floors_max"],
    ),
    "top_level_is_a_list": Case(["run", "{file}"], "- 1\n- 2\n", ["{file}", "file", "mapping"]),
    "set_unknown_key": Case(
        ["run", "default", "--set", "structure.nope=1"],
        fragments=["default.yaml", "structure.nope"],
    ),
    "set_unknown_top_level_key": Case(
        ["run", "default", "--set", "nope=1"], fragments=["default.yaml", "nope", "unknown"]
    ),
    "set_without_equals": Case(
        ["run", "default", "--set", "structure.compounds"],
        fragments=["--set", "structure.compounds", "dotted.key=value"],
    ),
    "set_out_of_range": Case(
        ["run", "default", "--set", "structure.compounds=0"],
        fragments=["default.yaml", "structure.compounds", ">= 1"],
    ),
    "mechanism_not_built_in_file": Case(
        ["run", "{file}"],
        "mechanisms:\n  crowdfunding:\n    enabled: true\n",
        ["{file}", "mechanisms.crowdfunding.enabled", "not built"],
    ),
    "mechanism_not_built_by_set": Case(
        ["run", "default", "--set", "mechanisms.points.enabled=true"],
        fragments=["default.yaml", "mechanisms.points.enabled", "not built"],
    ),
    "negative_steps": Case(
        ["run", "default", "--steps", "-1"], fragments=["default.yaml", "steps", "-1", ">= 0"]
    ),
    "non_integer_seed": Case(
        ["run", "default", "--seed", "abc"], fragments=["default.yaml", "seed", "abc"]
    ),
    "validate_bad_file": Case(
        ["validate", "{file}"], "households:\n  renter_share: 1.5\n", ["{file}", "renter_share"]
    ),
    "yaml_lists_nested_too_deep": Case(
        ["run", "{file}"], "steps: " + nested("[", "]") + "\n", ["{file}", "line 1", "100 deep"]
    ),
    "yaml_mappings_nested_too_deep": Case(
        ["run", "{file}"], "steps: " + nested("{a: ", "}") + "\n", ["{file}", "100 deep"]
    ),
    "yaml_alias_bomb": Case(
        ["run", "{file}"], f"description: {alias_bomb()}\n", ["{file}", "aliases", "100,000"]
    ),
    "yaml_alias_bomb_in_set": Case(
        ["run", "default", "--set", f"description={alias_bomb()}"],
        fragments=["--set", "description", "aliases"],
    ),
    "yaml_recursive_alias": Case(
        ["run", "{file}"], "description: &a [1, *a]\n", ["{file}", "alias *a"]
    ),
    "yaml_list_as_key": Case(
        ["run", "{file}"], "? [a, b]\n: 1\n", ["{file}", "line 1", "key is a list"]
    ),
    "yaml_mapping_as_nested_key": Case(
        ["run", "{file}"], "structure:\n  ? {a: 1}\n  : 1\n", ["{file}", "line 2", "key"]
    ),
    "boolean_steps": Case(["run", "{file}"], "steps: true\n", ["{file}", "steps", "boolean"]),
    "boolean_share": Case(
        ["run", "{file}"], "households:\n  renter_share: false\n", ["renter_share", "boolean"]
    ),
    "structure_over_the_household_limit": Case(
        ["run", "{file}"],
        "structure: {compounds: 5000, buildings_per_compound_max: 200, "
        "units_per_building_max: 20, floors_max: 60, households_per_floor: 8}\n",
        ["{file}", "structure", "9,600,000,000", "at most 2,000,000"],
    ),
    "intervention_unknown_nested_key": Case(
        ["run", "{file}"],
        "interventions:\n  - at_week: 1\n    set: {mechanisms: {pionts: {enabled: true}}}\n",
        ["{file}", "interventions[0].set.mechanisms.pionts", "unknown key"],
    ),
    "intervention_empty_nested_set": Case(
        ["run", "{file}"],
        "interventions:\n  - at_week: 1\n    set: {mechanisms: {}}\n",
        ["{file}", "interventions.0.set", "empty"],
    ),
    "intervention_key_nested_and_dotted": Case(
        ["run", "{file}"],
        "interventions:\n  - at_week: 1\n    set: {mechanisms.joint_meetings.enabled: true, "
        "mechanisms: {joint_meetings: {enabled: false}}}\n",
        ["{file}", "mechanisms.joint_meetings.enabled is given twice"],
    ),
    "counterfactual_not_key_value": Case(
        ["run", "default", "--counterfactual", "bogus"], fragments=["--counterfactual", "bogus"]
    ),
    "counterfactual_unknown_key": Case(
        ["run", "default", "--counterfactual", "mechanisms.nope=1"],
        fragments=["--counterfactual mechanisms.nope", "unknown key"],
    ),
    "seeds_reversed": Case(
        ["run", "default", "--counterfactual", "mechanisms.joint_meetings.enabled=true"]
        + ["--seeds", "5-1"],
        fragments=["--seeds", "5-1"],
    ),
    "seeds_not_numbers": Case(
        ["run", "default", "--counterfactual", "mechanisms.joint_meetings.enabled=true"]
        + ["--seeds", "abc"],
        fragments=["--seeds", "abc"],
    ),
    "seeds_without_counterfactual": Case(
        ["run", "default", "--seeds", "1-3"], fragments=["--seeds", "--counterfactual"]
    ),
    "experiment_alias_bomb": Case(
        ["sweep", "{file}", "--out", "{dir}/out"],
        f"scenario: default\ndescription: {alias_bomb()}\n",
        ["{file}", "line 2", "aliases"],
    ),
    "experiment_factorial_too_large": Case(
        ["sweep", "{file}", "--out", "{dir}/out"],
        factorial_experiment(scenario="default"),
        ["{file}", "design", "1000 x 1000", "at most 10,000,000"],
    ),
    "experiment_levers_cross_too_large": Case(
        ["sweep", "{file}", "--out", "{dir}/out"],
        factorial_experiment(parameters=2, scenario="default").replace("parameters:", "levers:")
        + "design: {method: lhs, samples: 100}\nparameters:\n"
        "  participation.noise: {type: real, low: 0.1, high: 0.2}\n",
        ["{file}", "levers", "100,000,000 design points", "100 x 1000 x 1000"],
    ),
    "experiment_every_zero": Case(
        ["sweep", "{file}", "--out", "{dir}/out"],
        "scenario: default\noutputs: {timeseries: {steps: {every: 0}}}\n",
        ["{file}", "outputs.timeseries.steps", "every must be an integer >= 1, got 0"],
    ),
}


def prepare(case: Case, tmp_path: Path) -> tuple[list[str], list[str], Path]:
    """Write the case's file; return its argv, the expected fragments and the --out folder."""
    scenario_file = tmp_path / "bad.yaml"
    if case.text is not None:
        scenario_file.write_text(case.text, encoding="utf-8")
    out = tmp_path / "out"

    def fill(text: str) -> str:
        return text.replace("{file}", str(scenario_file)).replace("{dir}", str(tmp_path))

    argv = [fill(a) for a in case.args]
    if argv[0] == "run":
        argv += ["--out", str(out), "--quiet"]
    return argv, [fill(f) for f in case.fragments], out


def assert_one_error_line(stderr: str, fragments: list[str]) -> None:
    assert "Traceback" not in stderr
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("error: "), stderr
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])


@pytest.fixture
def crowdfunding_and_points_not_built(monkeypatch):
    """Pretend two mechanisms are unbuilt so the refusal path stays tested as mechanisms land."""
    built = sim.scenario.loader.BUILT_MECHANISMS - {"crowdfunding", "points"}
    monkeypatch.setattr(sim.scenario.loader, "BUILT_MECHANISMS", built)


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input_exits_2_with_one_error_line_naming_file_and_field_and_writes_nothing(
    name, tmp_path, capsys, crowdfunding_and_points_not_built
):
    argv, fragments, out = prepare(CASES[name], tmp_path)
    status = main(argv)
    captured = capsys.readouterr()
    assert status == 2
    assert_one_error_line(captured.err, fragments)
    assert captured.out == ""
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_error_line_has_file_field_problem_and_allowed_parts(tmp_path, capsys):
    argv, _, _ = prepare(CASES["value_out_of_range"], tmp_path)
    main(argv)
    line = capsys.readouterr().err.strip()
    file, field_, rest = line.removeprefix("error: ").split(": ", 2)
    assert file == str(tmp_path / "bad.yaml")
    assert field_ == "households.renter_share"
    assert rest.endswith("(a number >= 0 and <= 1, in share)")


def test_installed_command_reports_bad_input_in_one_line_without_traceback(tmp_path):
    command = Path(sys.executable).with_name("cogov")
    executable = str(command) if command.exists() else shutil.which("cogov")
    if executable is None:
        pytest.skip("the cogov command is not installed")
    argv, fragments, out = prepare(CASES["unknown_nested_key"], tmp_path)
    completed = subprocess.run(
        [executable, *argv], capture_output=True, text=True, timeout=60, check=False
    )
    assert completed.returncode == 2
    assert_one_error_line(completed.stderr, fragments)
    assert completed.stdout == ""
    assert not out.exists()


def test_validate_accepts_every_shipped_scenario(capsys):
    from sim.scenario.loader import shipped_scenarios

    names = list(shipped_scenarios())
    assert names
    assert main(["validate", *names]) == 0
    assert capsys.readouterr().out.count(": ok") == len(names)


@pytest.mark.parametrize(
    "name", ["", ".", "../escaped", "{tmp}/elsewhere"], ids=["empty", "dot", "parent", "absolute"]
)
def test_scenario_name_that_is_not_a_plain_folder_name_never_touches_other_results(
    name, tmp_path, monkeypatch, capsys
):
    """Without --out a run writes to results/<name>; a name such as "" or "." must not make
    that the results folder itself (replacing every earlier run), nor lead outside it."""
    monkeypatch.chdir(tmp_path)
    earlier = tmp_path / "results" / "earlier_run" / "timeseries.csv"
    earlier.parent.mkdir(parents=True)
    earlier.write_text("kept\n", encoding="utf-8")
    name = name.replace("{tmp}", str(tmp_path))
    status = main(
        ["run", "default", "--steps", "1", "--quiet"]
        + ["--set", "structure.compounds=1", "--set", f"name={name}"]
    )
    captured = capsys.readouterr()
    assert earlier.exists(), "an earlier run in results/ was deleted"
    assert earlier.read_text(encoding="utf-8") == "kept\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results"]
    if status != 0:
        assert status == 2
        assert_one_error_line(captured.err, ["name"])


def exit_status(argv: list[str]) -> int:
    """Status of `main`, whether it returns or exits."""
    try:
        return main(argv)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 1


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["run"], "scenario"),
        (["run", "default", "--steps"], "--steps"),
        (["run", "default", "--no-such-option"], "--no-such-option"),
    ],
    ids=["scenario_omitted", "option_without_value", "unknown_option"],
)
def test_command_line_usage_errors_are_also_one_error_line_with_status_2(
    argv, fragment, tmp_path, capsys
):
    out = tmp_path / "out"
    status = exit_status([*argv, "--out", str(out)] if len(argv) > 2 else argv)
    captured = capsys.readouterr()
    assert status == 2
    assert_one_error_line(captured.err, [fragment])
    assert not out.exists()
