"""Calibration files: a good file loads (observed values read from a CSV), and every mistake
is refused before anything runs, as one line naming the file, the field and what is allowed."""

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from sim.calibration.loader import load_calibration
from sim.calibration.model import ParticleModel, particle_seeds
from sim.scenario.loader import ScenarioError

ROOT = Path(__file__).resolve().parents[1]
RECORDS = "year,collection,exits\n1,0.5,0\n2,0.4,1\n3,0.3,0\n"


def calibration_data() -> dict:
    """A small valid calibration (one compound, 20 weeks)."""
    return {
        "name": "tiny",
        "scenario": "default",
        "set": {"structure.compounds": 1},
        "run": {"steps": 20},
        "targets": {
            "collection": {
                "series": {"column": "fee_collection_rate", "from_week": -8},
                "observed": {"file": "records.csv", "column": "collection", "row": -1},
                "sd": 0.05,
            },
            "participation": {"summary": "final.participation_rate", "observed": 0.3, "sd": 0.1},
            "escalated_share": {
                "summary": "final.disputes_escalated",
                "per": "final.disputes_raised",
                "observed": {"file": "records.csv", "column": "exits", "aggregate": "mean"},
                "sd": 0.2,
            },
        },
        "parameters": {
            "households.initial_trust_firm": {"prior": "uniform", "low": 0.1, "high": 0.6},
            "participation.neighbour_weight": {"prior": "normal", "mean": 0.4, "sd": 0.3},
            "fees.weight_trust": {"prior": "log_uniform", "low": 0.5, "high": 5.0},
        },
        "abc": {"population": 10, "generations": 2},
    }


def write(tmp_path: Path, data: dict) -> Path:
    (tmp_path / "records.csv").write_text(RECORDS)
    path = tmp_path / "calibration.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def error_of(tmp_path: Path, data: dict) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        load_calibration(write(tmp_path, data))
    return info.value


def test_a_valid_file_loads_with_observed_values_from_its_csv(tmp_path):
    calibration = load_calibration(write(tmp_path, calibration_data()))
    assert calibration.observed == {
        "collection": 0.3,
        "participation": 0.3,
        "escalated_share": pytest.approx(1 / 3),
    }
    assert calibration.base_scenario.steps == 20
    # a normal prior on a bounded key is truncated to the key's range (>= 0 and <= 5)
    support = calibration.ranges["participation.neighbour_weight"]
    assert (support.low, support.high) == (0.0, 5.0)


def test_unknown_key_is_named_with_the_keys_allowed(tmp_path):
    data = calibration_data()
    data["abc"]["populaton"] = 10
    error = error_of(tmp_path, data)
    assert error.field == "abc.populaton"
    assert error.problem == "unknown key"
    assert "population" in error.allowed


def test_unknown_key_inside_a_target_or_prior_is_named(tmp_path):
    data = calibration_data()
    data["targets"]["participation"]["observd"] = 0.3
    assert error_of(tmp_path, data).field == "targets[participation].observd"
    data = calibration_data()
    data["parameters"]["fees.weight_trust"]["hi"] = 3
    error = error_of(tmp_path, data)
    assert (error.field, error.problem) == ("parameters[fees.weight_trust].hi", "unknown key")


def test_prior_reaching_outside_the_schema_range_is_refused(tmp_path):
    data = calibration_data()
    data["parameters"]["households.initial_trust_firm"]["high"] = 1.5
    error = error_of(tmp_path, data)
    assert error.field == "parameters[households.initial_trust_firm].high"
    assert "outside the key's range" in error.problem
    assert error.allowed == "households.initial_trust_firm >= 0.01 and <= 0.99"


def test_truncated_normal_bounds_outside_the_schema_range_are_refused(tmp_path):
    data = calibration_data()
    data["parameters"]["fees.weight_trust"] = {
        "prior": "truncated_normal",
        "mean": 1.0,
        "sd": 1.0,
        "low": -1.0,
    }
    error = error_of(tmp_path, data)
    assert error.field == "parameters[fees.weight_trust].low"
    assert ">= 0" in error.allowed


def test_unknown_parameter_key_is_refused(tmp_path):
    data = calibration_data()
    data["parameters"]["participation.base_logit"] = {"prior": "uniform", "low": 0, "high": 1}
    error = error_of(tmp_path, data)
    assert error.field == "parameters[participation.base_logit]"
    assert "unknown key" in error.problem
    assert "neighbour_weight" in error.allowed


def test_integer_keys_and_sections_cannot_be_calibrated(tmp_path):
    data = calibration_data()
    data["parameters"]["disputes.bilateral_weeks"] = {"prior": "uniform", "low": 1, "high": 4}
    assert "int key cannot be calibrated" in error_of(tmp_path, data).problem
    data = calibration_data()
    data["parameters"]["fees"] = {"prior": "uniform", "low": 1, "high": 4}
    assert "names a section" in error_of(tmp_path, data).problem


def test_missing_csv_column_is_refused_with_the_columns_there(tmp_path):
    data = calibration_data()
    data["targets"]["collection"]["observed"]["column"] = "fee_collection"
    error = error_of(tmp_path, data)
    assert error.field == "targets[collection].observed.column"
    assert "no column 'fee_collection'" in error.problem
    assert error.allowed == "columns: year, collection, exits"


def test_missing_csv_file_and_row_are_refused(tmp_path):
    data = calibration_data()
    data["targets"]["collection"]["observed"]["file"] = "nowhere.csv"
    assert error_of(tmp_path, data).field == "targets[collection].observed.file"
    data = calibration_data()
    data["targets"]["collection"]["observed"]["row"] = 3
    error = error_of(tmp_path, data)
    assert (error.field, error.allowed) == ("targets[collection].observed.row", "3 rows")


def test_unknown_statistics_are_refused(tmp_path):
    data = calibration_data()
    data["targets"]["participation"]["summary"] = "final.participation"
    error = error_of(tmp_path, data)
    assert error.field == "targets[participation].summary"
    assert "final.participation_rate" in error.allowed
    data = calibration_data()
    data["targets"]["collection"]["series"]["column"] = "collection"
    assert error_of(tmp_path, data).field == "targets[collection].series.column"


def test_unknown_prior_and_target_without_statistic_are_refused(tmp_path):
    data = calibration_data()
    data["parameters"]["fees.weight_trust"]["prior"] = "beta"
    error = error_of(tmp_path, data)
    assert error.field == "parameters[fees.weight_trust].prior"
    assert "uniform" in error.allowed
    data = calibration_data()
    del data["targets"]["participation"]["summary"]
    assert "exactly one of summary and series" in error_of(tmp_path, data).problem


def test_a_particle_out_of_the_schema_range_never_reaches_the_model(tmp_path):
    model = ParticleModel(load_calibration(write(tmp_path, calibration_data())))
    values = {
        "households.initial_trust_firm": 1.2,
        "participation.neighbour_weight": 0.4,
        "fees.weight_trust": 1.0,
    }
    with pytest.raises(ScenarioError, match="households.initial_trust_firm"):
        model(values)


def test_particle_seeds_depend_on_the_values_and_the_root_only():
    assert particle_seeds(1, [0.5, 2.0], 3) == particle_seeds(1, [0.5, 2.0], 3)
    assert particle_seeds(1, [0.5, 2.0], 1) != particle_seeds(2, [0.5, 2.0], 1)
    assert particle_seeds(1, [0.5, 2.0], 1) != particle_seeds(1, [0.5, 2.0000001], 1)
    assert len(set(particle_seeds(1, [0.5], 5))) == 5


def test_cli_prints_one_error_line_and_exits_2(tmp_path):
    data = calibration_data()
    data["parameters"]["households.initial_trust_firm"]["low"] = -0.5
    path = write(tmp_path, data)
    done = subprocess.run(
        [sys.executable, "-m", "sim.cli", "calibrate", str(path), "--out", str(tmp_path / "o")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"error: {path}: parameters[households.initial_trust_firm].low:")


def test_shipped_calibration_loads():
    calibration = load_calibration(ROOT / "experiments" / "calibration" / "fee_spiral.yaml")
    assert calibration.observed["collection_last_year"] == pytest.approx(0.22)
    assert set(calibration.priors) <= set(calibration.ranges)
