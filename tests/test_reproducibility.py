"""The run contract: same scenario and seed, same bytes; outputs carry their provenance."""

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sim.cli import main
from sim.runner import simulate
from sim.scenario.loader import load_scenario

RUN = ["run", "default", "--steps", "40", "--set", "structure.compounds=4", "--quiet"]
DATA_FILES = ("timeseries.csv", "disputes.csv")
FIGURES = ("participation", "fee_collection", "trust", "disputes")


def cogov_command() -> str:
    """The installed `cogov` script of the interpreter running the tests."""
    local = Path(sys.executable).with_name("cogov")
    found = str(local) if local.exists() else shutil.which("cogov")
    if found is None:
        pytest.skip("the cogov command is not installed")
    return found


def run_in_fresh_process(args: list[str], hash_seed: str) -> subprocess.CompletedProcess:
    """`cogov ARGS` in a new interpreter with its own hash seed."""
    env = {**os.environ, "PYTHONHASHSEED": hash_seed, "MPLBACKEND": "Agg"}
    return subprocess.run(
        [cogov_command(), *args], capture_output=True, text=True, env=env, timeout=180, check=False
    )


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Three CLI runs: seed 5 twice and seed 6 once."""
    base = tmp_path_factory.mktemp("runs")
    outs = {}
    for label, seed in (("a", 5), ("b", 5), ("c", 6)):
        outs[label] = base / label
        assert main([*RUN, "--seed", str(seed), "--out", str(outs[label])]) == 0
    return outs


@pytest.mark.parametrize("name", DATA_FILES)
def test_two_runs_with_the_same_seed_write_byte_identical_files(runs, name):
    first, second = (runs["a"] / name).read_bytes(), (runs["b"] / name).read_bytes()
    assert len(first) > 0
    assert first == second


def test_a_different_seed_writes_different_timeseries_and_disputes(runs):
    for name in DATA_FILES:
        assert (runs["a"] / name).read_bytes() != (runs["c"] / name).read_bytes(), name


def test_a_run_in_a_fresh_process_writes_the_same_bytes(runs, tmp_path):
    out = tmp_path / "fresh"
    completed = run_in_fresh_process([*RUN, "--seed", "5", "--out", str(out)], "123")
    assert completed.returncode == 0, completed.stderr
    for name in DATA_FILES:
        assert (out / name).read_bytes() == (runs["a"] / name).read_bytes(), name


def test_timeseries_has_one_row_per_step_from_step_zero(runs):
    frame = pd.read_csv(runs["a"] / "timeseries.csv")
    assert frame["step"].tolist() == list(range(41))


def test_summary_records_provenance_and_the_resolved_scenario(runs):
    summary = json.loads((runs["a"] / "summary.json").read_text(encoding="utf-8"))
    provenance = summary["provenance"]
    assert provenance["seed"] == 5
    for key in ("package_version", "python", "mesa"):
        assert isinstance(provenance[key], str) and provenance[key], key
    assert provenance["mesa"] == "3.5.1"
    assert provenance["python"] == sys.version.split()[0]
    scenario = provenance["scenario"]
    assert scenario["seed"] == 5 and scenario["steps"] == 40
    assert scenario["structure"]["compounds"] == 4
    assert scenario["name"] == "default"
    assert scenario["mechanisms"]["party_mobilisation"]["enabled"] is True
    assert "default" in provenance["scenario_source"]
    assert summary["community"]["compounds"] == 4
    assert set(summary["final"]) >= {"participation_rate", "disputes_raised", "firm_exits"}


def test_resolved_scenario_in_summary_reproduces_the_run(runs, tmp_path):
    summary = json.loads((runs["a"] / "summary.json").read_text(encoding="utf-8"))
    path = tmp_path / "resolved.json"
    path.write_text(json.dumps(summary["provenance"]["scenario"]), encoding="utf-8")
    result = simulate(load_scenario(path))
    expected = pd.read_csv(runs["a"] / "timeseries.csv")
    again = pd.read_csv(io.StringIO(result.timeseries.to_csv(index=False)))
    pd.testing.assert_frame_equal(again, expected, check_exact=False, rtol=1e-9)


def test_figures_folder_holds_the_four_standard_figures_as_png_and_svg(runs):
    folder = runs["a"] / "figures"
    names = sorted(p.name for p in folder.iterdir())
    assert names == sorted(f"{name}.{fmt}" for name in FIGURES for fmt in ("png", "svg"))
    for name in FIGURES:
        assert (folder / f"{name}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert b"<svg" in (folder / f"{name}.svg").read_bytes()[:500]


def test_run_leaves_no_staging_folders_behind(runs):
    leftovers = [p.name for p in runs["a"].parent.iterdir() if p.name.startswith(".")]
    assert leftovers == []


def test_rerun_into_an_existing_folder_replaces_its_contents(runs, tmp_path):
    out = tmp_path / "again"
    out.mkdir()
    (out / "stale.txt").write_text("old", encoding="utf-8")
    assert main([*RUN, "--seed", "5", "--out", str(out)]) == 0
    assert not (out / "stale.txt").exists()
    assert (out / "timeseries.csv").read_bytes() == (runs["a"] / "timeseries.csv").read_bytes()


def test_simulate_is_a_pure_function_of_scenario_and_seed(small_scenario):
    first, second = simulate(small_scenario, seed=9), simulate(small_scenario, seed=9)
    pd.testing.assert_frame_equal(first.timeseries, second.timeseries, check_exact=True)
    pd.testing.assert_frame_equal(first.disputes, second.disputes, check_exact=True)
