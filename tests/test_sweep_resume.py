"""Resume: a sweep killed at any moment (even `kill -9`) keeps every stored run, and
`--resume` finishes it with exactly the runs of an uninterrupted sweep, none twice."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import psutil  # a dependency of dask.distributed
import pyarrow.parquet as pq
import pytest

from sim.experiments.loader import load_experiment
from sim.experiments.run import FAULTS_ENV
from sim.experiments.storage import RUNS_PART, SERIES_PART, SweepStore
from sim.experiments.sweep import run_sweep
from tests.sweep_outputs import stored

ROOT = Path(__file__).resolve().parents[1]
EXPERIMENT = """\
name: resumable
scenario: default
set:
  structure.compounds: 1
  steps: 10
parameters:
  households.renter_share: {type: categorical, values: [0.2, 0.3, 0.4, 0.5]}
  mechanisms.party_mobilisation.enabled: {type: boolean}
replications: 5
seed: 9
outputs:
  summary: ["final.*"]
  timeseries: {steps: [0, 10], columns: [participation_rate]}
"""
TOTAL = 4 * 2 * 5


def rows_in_parts(out: Path, file: str) -> int:
    """Rows over every finished part (repeats included)."""
    return sum(pq.read_metadata(p / file).num_rows for p in SweepStore(out).part_folders())


@pytest.fixture(scope="module")
def experiment_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("exp") / "resumable.yaml"
    path.write_text(EXPERIMENT)
    return path


@pytest.fixture(scope="module")
def uninterrupted(experiment_file, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("whole") / "sweep"
    run_sweep(load_experiment(experiment_file), out, backend="sequential")
    return out


def test_kill_9_then_resume_equals_an_uninterrupted_sweep(experiment_file, uninterrupted, tmp_path):
    out = tmp_path / "killed"
    command = [sys.executable, "-m", "sim.cli", "sweep", str(experiment_file), "--out", str(out)]
    command += ["--workers", "2", "--batch-size", "1", "--quiet"]
    # Each run sleeps 50 ms (testing hook) so that the sweep is still going when it is killed.
    env = {**os.environ, FAULTS_ENV: json.dumps({"delay": 0.05})}
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    parts = out / "parts"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if parts.is_dir() and sum(not p.name.startswith(".") for p in parts.iterdir()) >= 6:
            break
        time.sleep(0.01)
    helpers = psutil.Process(process.pid).children(recursive=True)  # fork server, workers
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    _, alive = psutil.wait_procs(helpers, timeout=15)
    assert not alive, "worker processes outlived the killed sweep"
    stored_before = SweepStore(out).stored_status()
    assert 6 <= len(stored_before) < TOTAL, "the sweep was not killed halfway"
    assert SweepStore(out).read_manifest()["status"] == "running"

    result = run_sweep(load_experiment(experiment_file), out, backend="sequential", resume=True)
    assert result.skipped == len(stored_before)
    assert result.done == TOTAL - len(stored_before)
    runs, series = stored(out)
    want_runs, want_series = stored(uninterrupted)
    pd.testing.assert_frame_equal(runs, want_runs)
    pd.testing.assert_frame_equal(series, want_series)
    # No run stored twice, nothing half-written left behind.
    assert rows_in_parts(out, RUNS_PART) == TOTAL
    assert rows_in_parts(out, SERIES_PART) == TOTAL * 2
    assert not [p for p in parts.iterdir() if p.name.startswith(".")]
    manifest = SweepStore(out).read_manifest()
    assert [s["status"] for s in manifest["sessions"]] == ["interrupted", "complete"]
    assert manifest["counts"]["done"] == TOTAL and manifest["status"] == "complete"


def test_resume_of_a_finished_sweep_runs_nothing(experiment_file, tmp_path):
    out = tmp_path / "done"
    experiment = load_experiment(experiment_file)
    run_sweep(experiment, out, backend="sequential")
    parts = SweepStore(out).part_folders()
    again = run_sweep(experiment, out, backend="sequential", resume=True)
    assert (again.done, again.failed, again.skipped) == (0, 0, TOTAL)
    assert SweepStore(out).part_folders() == parts


def test_resume_with_more_replications_runs_only_the_new_ones(
    experiment_file, uninterrupted, tmp_path
):
    out = tmp_path / "grow"
    small = tmp_path / "resumable.yaml"
    small.write_text(EXPERIMENT.replace("replications: 5", "replications: 2"))
    run_sweep(load_experiment(small), out, backend="sequential")
    grown = run_sweep(load_experiment(experiment_file), out, backend="sequential", resume=True)
    assert (grown.skipped, grown.done) == (4 * 2 * 2, 4 * 2 * 3)
    pd.testing.assert_frame_equal(stored(out)[0], stored(uninterrupted)[0])


def test_failed_runs_are_kept_on_resume_and_rerun_with_retry_failed(
    experiment_file, uninterrupted, tmp_path, monkeypatch
):
    out = tmp_path / "retry"
    experiment = load_experiment(experiment_file)
    monkeypatch.setenv(FAULTS_ENV, json.dumps({"raise": {"households.renter_share": 0.3}}))
    first = run_sweep(experiment, out, backend="sequential")
    assert first.failed == 10
    monkeypatch.delenv(FAULTS_ENV)
    again = run_sweep(experiment, out, backend="sequential", resume=True)
    assert (again.done, again.skipped) == (0, TOTAL)
    retried = run_sweep(experiment, out, backend="sequential", resume=True, retry_failed=True)
    assert (retried.done, retried.failed) == (10, 0)
    runs, series = stored(out)
    pd.testing.assert_frame_equal(runs, stored(uninterrupted)[0])
    pd.testing.assert_frame_equal(series, stored(uninterrupted)[1])


def test_a_second_sweep_into_a_folder_in_use_is_refused(experiment_file, tmp_path):
    from sim.scenario.loader import ScenarioError

    out = tmp_path / "busy"
    store = SweepStore(out)
    with store.locked(), pytest.raises(ScenarioError, match="another sweep is writing"):
        run_sweep(load_experiment(experiment_file), out, backend="sequential", resume=True)
