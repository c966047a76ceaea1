"""The one translator of validation errors (sim.scenario.errors), through the four loaders:
each bad input gives one line naming the file, the field as written and what is allowed."""

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from sim.calibration.loader import load_calibration
from sim.experiments.loader import load_experiment
from sim.scenario.errors import ScenarioError
from sim.scenario.loader import load_scenario
from sim.validation.catalogue import load_catalogue

DROP = object()  # a change that removes the key

EXPERIMENT = {
    "scenario": "default",
    "parameters": {"households.renter_share": {"type": "real", "low": 0.1, "high": 0.2}},
    "design": {"method": "lhs", "samples": 4},
}
CALIBRATION = {
    "scenario": "default",
    "targets": {
        "collection": {
            "summary": "final.participation_rate",
            "observed": {"file": "records.csv", "column": "collection", "row": -1},
            "sd": 0.05,
        },
        "participation": {"summary": "final.participation_rate", "observed": 0.3, "sd": 0.1},
    },
    "parameters": {"households.initial_trust_firm": {"prior": "uniform", "low": 0.1, "high": 0.6}},
}
CATALOGUE = {
    "patterns": [
        {
            "id": "fee_trap",
            "number": 1,
            "title": "a trap",
            "scenario": "default",
            "arms": {"trap": {}},
            "conditions": {
                "ranges": {
                    "households.initial_trust_firm": {"type": "real", "low": 0.1, "high": 0.2}
                }
            },
            "checks": [
                {
                    "id": "trap_collection",
                    "claim": "collection stays low",
                    "statistic": "billed_collection",
                    "arm": "trap",
                    "expect": {"max": 0.3},
                    "falsifier": {"set": {"steps": 5}, "why": "none"},
                    "source": {"key": "S0", "figure": "30%"},
                }
            ],
        }
    ]
}
LOADERS: dict[str, tuple[dict[str, Any], Callable[[Path], Any]]] = {
    "scenario": ({}, load_scenario),
    "experiment": (EXPERIMENT, load_experiment),
    "calibration": (CALIBRATION, load_calibration),
    "catalogue": (CATALOGUE, load_catalogue),
}
RANGE = ("patterns", 0, "conditions", "ranges", "households.initial_trust_firm")
CHECK = ("patterns", 0, "checks", 0)

# name -> (loader, the change {path: value}, field, fragment of the problem, of what is allowed)
CASES = {
    "scenario_unknown_top_level_key": (
        "scenario",
        {("bogus",): 1},
        "bogus",
        "unknown key",
        "known: name, description, steps",
    ),
    "scenario_unknown_nested_key": (
        "scenario",
        {("structure",): {"compuonds": 3}},
        "structure.compuonds",
        "unknown key",
        "known: from_file, compounds,",
    ),
    "scenario_value_out_of_range_with_unit": (
        "scenario",
        {("households",): {"renter_share": 1.5}},
        "households.renter_share",
        "got 1.5",
        "a number >= 0 and <= 1, in share",
    ),
    "scenario_wrong_type": (
        "scenario",
        {("steps",): "many"},
        "steps",
        "got 'many'",
        "an integer >= 0 and <= 5200, in weeks",
    ),
    "scenario_boolean_for_a_number": (
        "scenario",
        {("steps",): True},
        "steps",
        "a boolean is not a number",
        "an integer >= 0",
    ),
    "scenario_bad_choice": (
        "scenario",
        {("mechanisms",): {"voluntary_fund": {"scope": "street"}}},
        "mechanisms.voluntary_fund.scope",
        "got 'street'",
        "'building' or 'compound'",
    ),
    "scenario_bad_list_item_named_as_a_set_key": (
        "scenario",
        {
            ("mechanisms",): {
                "crowdfunding": {"kinds": [{"name": "lift", "floor_weights": [1, -2]}]}
            }
        },
        "mechanisms.crowdfunding.kinds.0.floor_weights.1",
        "got -2",
        "a number >= 0",
    ),
    "scenario_missing_required_key": (
        "scenario",
        {("interventions",): [{"at_week": 3}]},
        "interventions.0.set",
        "Field required",
        "required, a mapping",
    ),
    "scenario_section_not_a_mapping": (
        "scenario",
        {("structure",): 5},
        "structure",
        "got 5",
        "a mapping (Structure)",
    ),
    "experiment_unknown_key_in_a_parameter": (
        "experiment",
        {("parameters", "households.renter_share", "hi"): 0.3},
        "parameters[households.renter_share].hi",
        "unknown key",
        "known: type, low, high, levels",
    ),
    "experiment_unknown_design_method": (
        "experiment",
        {("design", "method"): "grid"},
        "design.method",
        "got 'grid'",
        "one of: factorial, lhs, sobol, morris, csv",
    ),
    "experiment_missing_key_of_a_design": (
        "experiment",
        {("design", "samples"): DROP},
        "design.samples",
        "Field required",
        "required, an integer >= 1 and <= 10000000",
    ),
    "experiment_wrong_type": (
        "experiment",
        {("replications",): "many"},
        "replications",
        "got 'many'",
        "an integer >= 1 and <= 100000",
    ),
    "experiment_bad_list_item_behind_a_union": (
        "experiment",
        {("outputs",): {"timeseries": {"steps": [1, -2]}}},
        "outputs.timeseries.steps[1]",
        "got -2",
        "an integer >= 0",
    ),
    "experiment_value_that_fits_no_form_of_a_union": (
        "experiment",
        {("outputs",): {"timeseries": {"steps": "some"}}},
        "outputs.timeseries.steps",
        "fits none of the allowed forms, got 'some'",
        "all, none, a list of steps >= 0, or {every: K}",
    ),
    "experiment_categorical_value_of_no_scalar_type": (
        "experiment",
        {("parameters", "households.renter_share"): {"type": "categorical", "values": [1, {}]}},
        "parameters[households.renter_share].values[1]",
        "fits none of the allowed forms",
        "true or false, an integer, a number or a string",
    ),
    "experiment_parameter_not_a_mapping": (
        "experiment",
        {("parameters", "households.renter_share"): 5},
        "parameters[households.renter_share]",
        "got 5",
        "a mapping with type: 'real', 'integer'",
    ),
    "experiment_key_that_is_not_a_string": (
        "experiment",
        {("set",): {1: 2}},
        "set[1]",
        "the key: Input should be a valid string, got 1",
        "a string",
    ),
    "calibration_unknown_key_in_a_csv_observation": (
        "calibration",
        {("targets", "collection", "observed", "colum"): "x"},
        "targets[collection].observed.colum",
        "unknown key",
        "known: file, column, row, aggregate",
    ),
    "calibration_observed_value_of_neither_form": (
        "calibration",
        {("targets", "participation", "observed"): "abc"},
        "targets[participation].observed",
        "got 'abc'",
        "a number or a mapping (CsvObservation)",
    ),
    "calibration_unknown_prior": (
        "calibration",
        {("parameters", "households.initial_trust_firm", "prior"): "beta"},
        "parameters[households.initial_trust_firm].prior",
        "got 'beta'",
        "one of: uniform, log_uniform, normal, truncated_normal",
    ),
    "calibration_value_out_of_range_with_its_description": (
        "calibration",
        {("abc",): {"population": 1}},
        "abc.population",
        "got 1",
        "an integer >= 2 and <= 1000000; accepted particles per generation",
    ),
    "calibration_bad_choice": (
        "calibration",
        {("abc",): {"distance": "manhattan"}},
        "abc.distance",
        "got 'manhattan'",
        "'adaptive' or 'fixed'",
    ),
    "calibration_missing_required_key": (
        "calibration",
        {("targets", "participation", "observed"): DROP},
        "targets[participation].observed",
        "Field required",
        "required, a number or a mapping (CsvObservation)",
    ),
    "catalogue_unknown_key_in_a_check_named_by_id": (
        "catalogue",
        {(*CHECK, "expect", "maxx"): 1},
        "patterns[fee_trap].checks[trap_collection].expect.maxx",
        "unknown key",
        "known: min, max, tolerance",
    ),
    "catalogue_unknown_range_type": (
        "catalogue",
        {(*RANGE, "type"): "number"},
        "patterns[fee_trap].conditions.ranges[households.initial_trust_firm].type",
        "got 'number'",
        "one of: real, integer, categorical, boolean",
    ),
    "catalogue_pattern_not_a_mapping_named_by_index": (
        "catalogue",
        {("patterns",): [5]},
        "patterns[0]",
        "got 5",
        "a mapping (Pattern)",
    ),
    "catalogue_value_out_of_range": (
        "catalogue",
        {("patterns", 0, "seeds"): 0},
        "patterns[fee_trap].seeds",
        "got 0",
        "an integer >= 1 and <= 10000",
    ),
    "catalogue_missing_required_key": (
        "catalogue",
        {(*CHECK, "claim"): DROP},
        "patterns[fee_trap].checks[trap_collection].claim",
        "Field required",
        "required, a string of at least 1 character",
    ),
    "catalogue_empty_list": (
        "catalogue",
        {("patterns",): []},
        "patterns",
        "at least 1 item",
        "a list of at least 1 entry, each entry a mapping (Pattern)",
    ),
}


def changed(data: dict[str, Any], changes: dict[tuple, Any]) -> dict[str, Any]:
    """A copy of `data` with each path set to its value (or removed)."""
    data = copy.deepcopy(data)
    for path, value in changes.items():
        node = data
        for part in path[:-1]:
            node = node.setdefault(part, {}) if isinstance(node, dict) else node[part]
        if value is DROP:
            del node[path[-1]]
        else:
            node[path[-1]] = value
    return data


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input_names_file_field_and_what_is_allowed(name, tmp_path):
    loader, changes, field, problem, allowed = CASES[name]
    base, load = LOADERS[loader]
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(changed(base, changes), sort_keys=False), encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load(path)
    error = info.value
    assert (error.file, error.field) == (str(path), field), str(error)
    assert problem in error.problem, str(error)
    assert allowed in error.allowed, str(error)
    assert str(error) == f"{path}: {field}: {error.problem} ({error.allowed})"
    assert "\n" not in str(error)


@pytest.mark.parametrize("loader", list(LOADERS))
def test_each_base_file_of_the_table_is_valid_up_to_the_scenario_checks(loader, tmp_path):
    """The table's errors come from its changes, not from a broken base file."""
    base, load = LOADERS[loader]
    (tmp_path / "records.csv").write_text("collection\n0.5\n", encoding="utf-8")
    path = tmp_path / "good.yaml"
    path.write_text(yaml.safe_dump(base, sort_keys=False), encoding="utf-8")
    load(path)
