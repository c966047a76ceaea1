"""Experiment files: bad ones stop `cogov sweep` with one `error: FILE: FIELD: ...` line, exit
status 2, no traceback and nothing written; good ones load with every key checked."""

import textwrap
from pathlib import Path

import pytest

from sim.cli import main
from sim.experiments.loader import load_experiment

TINY = """\
name: tiny
scenario: default
set:
  structure.compounds: 1
  steps: 5
"""

PARAMETER = """\
parameters:
  households.renter_share: {type: categorical, values: [0.2, 0.4]}
"""

# name -> (experiment text, extra files {name: text}, fragments expected in the error line)
CASES = {
    "unknown_top_level_key": (
        TINY + PARAMETER + "replicatons: 3\n",
        {},
        ["replicatons", "unknown key", "replications"],
    ),
    "unknown_scenario_key_in_parameter": (
        TINY + "parameters:\n  households.renter_shar: {type: real, low: 0.1, high: 0.2}\n",
        {},
        ["parameters[households.renter_shar]", "unknown key", "renter_share"],
    ),
    "unknown_section_in_parameter": (
        TINY + "parameters:\n  housholds.renter_share: {type: real, low: 0.1, high: 0.2}\n",
        {},
        ["parameters[housholds.renter_share]", "unknown key"],
    ),
    "parameter_names_a_section": (
        TINY + "parameters:\n  households: {type: categorical, values: [1]}\n",
        {},
        ["parameters[households]", "section"],
    ),
    "boolean_for_a_bound": (
        TINY + "parameters:\n  households.renter_share: {type: real, low: true, high: 0.2}\n",
        {},
        ["parameters[households.renter_share].low", "valid number", "True"],
    ),
    "quoted_number_for_a_count": (
        TINY + PARAMETER + "replications: '3'\n",
        {},
        ["replications", "valid integer", "'3'"],
    ),
    "parameter_without_type": (
        TINY + "parameters:\n  households.renter_share: {low: 0.1, high: 0.2}\n",
        {},
        ["parameters[households.renter_share].type", "real, integer, categorical"],
    ),
    "parameter_unknown_type": (
        TINY + "parameters:\n  households.renter_share: {type: number, low: 0.1, high: 0.2}\n",
        {},
        ["parameters[households.renter_share].type", "'number'"],
    ),
    "parameter_unknown_option": (
        TINY + "parameters:\n  households.renter_share: {type: real, low: 0.1, hi: 0.2}\n",
        {},
        ["parameters[households.renter_share].hi", "unknown key", "low, high, levels"],
    ),
    "real_range_reversed": (
        TINY + "parameters:\n  households.renter_share: {type: real, low: 0.5, high: 0.2}\n",
        {},
        ["parameters[households.renter_share]", "low must be finite and below high"],
    ),
    "value_outside_scenario_range": (
        TINY
        + "parameters:\n  households.renter_share: {type: real, low: 0.5, high: 1.5, levels: 2}\n",
        {},
        ["parameters[households.renter_share].high", "1.5", "<= 1"],
    ),
    "categorical_value_of_wrong_type": (
        TINY + "parameters:\n  structure.floors_max: {type: categorical, values: [6, many]}\n",
        {},
        ["parameters[structure.floors_max].values[1]", "many"],
    ),
    "boolean_on_a_real_field": (
        TINY + "parameters:\n  households.renter_share: {type: boolean}\n",
        {},
        ["parameters[households.renter_share].type", "boolean does not fit a float field"],
    ),
    "real_on_an_integer_field": (
        TINY + "parameters:\n  structure.floors_max: {type: real, low: 6, high: 9, levels: 2}\n",
        {},
        ["parameters[structure.floors_max].type", "int field", "integer"],
    ),
    "factorial_real_without_levels": (
        TINY + "parameters:\n  households.renter_share: {type: real, low: 0.1, high: 0.2}\n",
        {},
        ["parameters[households.renter_share].levels", "needs levels"],
    ),
    "seed_as_parameter": (
        TINY + "parameters:\n  seed: {type: integer, low: 1, high: 3}\n",
        {},
        ["parameters[seed]", "root seed"],
    ),
    "lever_and_parameter_at_once": (
        TINY
        + PARAMETER
        + "levers:\n  households.renter_share: {type: categorical, values: [0.1]}\n",
        {},
        ["levers[households.renter_share]", "also a parameter"],
    ),
    "unknown_key_in_set": (
        TINY.replace("steps: 5", "stepz: 5"),
        {},
        ["set.stepz", "unknown key"],
    ),
    "bad_value_in_set": (
        TINY.replace("steps: 5", "steps: -5"),
        {},
        ["set: steps", "-5", ">= 0"],
    ),
    "unknown_base_scenario": (
        TINY.replace("scenario: default", "scenario: nowhere"),
        {},
        ["scenario", "no such file or shipped scenario"],
    ),
    "sobol_samples_not_a_power_of_two": (
        TINY + "parameters:\n  households.renter_share: {type: real, low: 0.1, high: 0.2}\n"
        "design: {method: sobol, samples: 10}\n",
        {},
        ["design", "power of 2"],
    ),
    "design_method_unknown": (
        TINY + PARAMETER + "design: {method: grid}\n",
        {},
        ["design.method", "'grid'", "factorial, lhs, sobol, morris, csv"],
    ),
    "design_option_of_another_method": (
        TINY + PARAMETER + "design: {method: lhs, samples: 4, trajectories: 3}\n",
        {},
        ["design.trajectories", "unknown key"],
    ),
    "sampled_design_without_parameters": (
        TINY + "design: {method: lhs, samples: 4}\n",
        {},
        ["parameters", "needs parameters"],
    ),
    "replications_zero": (TINY + PARAMETER + "replications: 0\n", {}, ["replications", ">= 1"]),
    "root_seed_too_large": (TINY + PARAMETER + f"seed: {2**63}\n", {}, ["seed", "<= "]),
    "unknown_summary_metric": (
        TINY + PARAMETER + "outputs: {summary: [final.participation]}\n",
        {},
        ["outputs.summary[0]", "final.participation", "names no summary metric"],
    ),
    "unknown_series_column": (
        TINY + PARAMETER + "outputs: {timeseries: {columns: [participation]}}\n",
        {},
        ["outputs.timeseries.columns[0]", "participation", "participation_rate"],
    ),
    "value_breaks_a_cross_field_rule": (
        TINY + "parameters:\n  structure.floors_min: {type: integer, low: 6, high: 8}\n",
        {},
        ["parameters[structure.floors_min].high", "floors_min must not exceed floors_max"],
    ),
    "point_breaks_a_cross_field_rule": (
        TINY
        + "parameters:\n  structure.floors_min: {type: integer, low: 6, high: 7}\n"
        + "  structure.floors_max: {type: integer, low: 6, high: 7}\n",
        {},
        ["design point 2", "structure.floors_min=7, structure.floors_max=6", "must not exceed"],
    ),
    "csv_value_outside_declared_range": (
        TINY
        + "parameters:\n  households.renter_share: {type: real, low: 0.1, high: 0.5}\n"
        + "design: {method: csv, file: points.csv}\n",
        {"points.csv": "households.renter_share\n0.2\n0.9\n"},
        ["points.csv", "line 3: households.renter_share", "0.9", "[0.1, 0.5]"],
    ),
    "csv_columns_do_not_match": (
        TINY
        + "parameters:\n  households.renter_share: {type: real, low: 0.1, high: 0.5}\n"
        + "design: {method: csv, file: points.csv}\n",
        {"points.csv": "renter_share\n0.2\n"},
        ["points.csv", "header", "households.renter_share"],
    ),
    "steps_mapping_mixes_key_types": (
        TINY + "outputs: {timeseries: {steps: {every: 2, 3: 1}}}\n",
        {},
        ["outputs.timeseries.steps", "only `every`", "['3', 'every']"],
    ),
    "malformed_yaml": (TINY + "parameters: {a: [1,\n", {}, ["line", "malformed YAML"]),
    "top_level_is_a_list": ("- 1\n- 2\n", {}, ["file", "mapping"]),
}


def write(tmp_path: Path, text: str, extra: dict[str, str]) -> Path:
    """The experiment file (and its companions) in tmp_path."""
    for name, content in extra.items():
        (tmp_path / name).write_text(content)
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    return path


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_experiment_file_is_one_line_with_exit_status_2_and_writes_nothing(
    name, tmp_path, capsys
):
    text, extra, fragments = CASES[name]
    path = write(tmp_path, text, extra)
    out = tmp_path / "out"
    status = main(["sweep", str(path), "--out", str(out), "--backend", "sequential", "--quiet"])
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert status == 2
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("error: ")
    assert "Traceback" not in captured.err
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    assert not out.exists()


def test_missing_experiment_file_is_one_line(tmp_path, capsys):
    status = main(["sweep", str(tmp_path / "absent.yaml"), "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert status == 2
    assert err.startswith("error: ") and "absent.yaml" in err and err.count("\n") == 1


def test_folder_holding_a_sweep_needs_resume(tmp_path, capsys):
    path = write(tmp_path, TINY + PARAMETER, {})
    out = tmp_path / "out"
    args = ["sweep", str(path), "--out", str(out), "--backend", "sequential", "--quiet"]
    assert main(args) == 0
    capsys.readouterr()
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "already holds a sweep" in err and "--resume" in err


def test_folder_of_other_files_is_refused(tmp_path, capsys):
    path = write(tmp_path, TINY + PARAMETER, {})
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    assert main(["sweep", str(path), "--out", str(out), "--backend", "sequential"]) == 2
    assert "holds other files" in capsys.readouterr().err
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]


def test_good_file_resolves_every_kind_of_parameter(tmp_path):
    text = TINY + textwrap.dedent(
        """\
        levers:
          mechanisms.party_mobilisation.enabled: {type: boolean}
          mechanisms.joint_meetings.form: {type: categorical, values: [three_party, five_party]}
        parameters:
          households.renter_share: {type: real, low: 0.1, high: 0.5}
          structure.floors_max: {type: integer, low: 7, high: 9}
          trust.gain: {type: distribution, distribution: norm, args: {loc: 0.03, scale: 0.01}, low: 0}
        design: {method: lhs, samples: 5, seed: 3}
        replications: 2
        outputs:
          summary: ["final.*", last_year.participation_rate_last_year_mean]
          timeseries: {steps: [0, 5], columns: [participation_rate]}
        """
    )
    experiment = load_experiment(write(tmp_path, text, {}))
    assert experiment.name == "tiny"
    assert list(experiment.all_parameters())[:2] == [
        "mechanisms.party_mobilisation.enabled",
        "mechanisms.joint_meetings.form",
    ]
    assert "final.participation_rate" in experiment.summary
    assert "last_year.participation_rate_last_year_mean" in experiment.summary
    assert not any(s.startswith("community.") for s in experiment.summary)
    assert experiment.series_columns == ["participation_rate"]
    assert experiment.base_scenario.structure.compounds == 1


def test_distribution_whose_tail_leaves_the_scenario_range_needs_truncation(tmp_path, capsys):
    text = TINY + (
        "parameters:\n  trust.gain: {type: distribution, distribution: norm, "
        "args: {loc: 0.01, scale: 0.02}, levels: 3}\n"
    )
    path = write(tmp_path, text, {})
    assert main(["sweep", str(path), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "parameters[trust.gain].low" in err and ">= 0" in err


def test_a_lever_that_enables_an_unbuilt_mechanism_is_refused(tmp_path, capsys, monkeypatch):
    """Every mechanism is built today; the guard is checked by pretending points are not."""
    from sim.mechanisms import BUILT_MECHANISMS
    from sim.scenario import loader

    monkeypatch.setattr(loader, "BUILT_MECHANISMS", BUILT_MECHANISMS - {"points"})
    key = "mechanisms.points.enabled"
    path = write(tmp_path, TINY + f"levers:\n  {key}: {{type: boolean}}\n", {})
    assert main(["sweep", str(path), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert f"levers[{key}]" in err and "not built yet" in err
