"""Executors: results that do not depend on the executor or the worker count, and failures
(a run that raises, a worker that dies, a run past its time limit) that neither stop nor hang
a sweep. Faults come from the documented testing hook $COGOV_SWEEP_FAULTS."""

import concurrent.futures as cf
import json
import os
import subprocess
import sys
import threading
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pandas as pd
import pytest

from sim.experiments.execution import Pool, WorkersCannotRun, execute
from sim.experiments.loader import load_experiment
from sim.experiments.plan import make_plan
from sim.experiments.run import FAULTS_ENV, RunSettings
from sim.experiments.storage import SweepStore
from sim.experiments.sweep import run_sweep
from tests.sweep_outputs import stored

ROOT = Path(__file__).resolve().parents[1]
EXPERIMENT = """\
name: executors
scenario: default
set:
  structure.compounds: 1
  steps: 10
parameters:
  households.renter_share: {type: categorical, values: [0.2, 0.3, 0.4]}
  mechanisms.party_mobilisation.enabled: {type: boolean}
replications: 3
seed: 5
outputs:
  summary: ["final.*"]
  timeseries: {steps: {every: 5}, columns: [participation_rate, trust_committee]}
"""


@pytest.fixture(scope="module")
def experiment_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("exp") / "executors.yaml"
    path.write_text(EXPERIMENT)
    return path


@pytest.fixture(scope="module")
def sequential(experiment_file, tmp_path_factory) -> Path:
    """The reference: the experiment run sequentially in this process."""
    out = tmp_path_factory.mktemp("seq") / "sweep"
    result = run_sweep(load_experiment(experiment_file), out, backend="sequential")
    assert result.done == 18 and result.failed == 0
    return out


def test_one_and_two_worker_sweeps_store_identical_results(experiment_file, sequential, tmp_path):
    experiment = load_experiment(experiment_file)
    for workers in (1, 2):
        out = tmp_path / f"w{workers}"
        result = run_sweep(experiment, out, backend="process", workers=workers)
        assert (result.done, result.failed) == (18, 0)
        runs, series = stored(out)
        reference_runs, reference_series = stored(sequential)
        pd.testing.assert_frame_equal(runs, reference_runs)
        pd.testing.assert_frame_equal(series, reference_series)
        assert len(series) == 18 * 3  # steps 0, 5 and 10 of every run
    csv = [SweepStore(tmp_path / f"w{w}").export_csv() for w in (1, 2)]
    for one, two in zip(*csv, strict=True):
        assert one.read_bytes() == two.read_bytes()


def test_rows_carry_ids_seed_and_parameter_values(sequential):
    runs, series = stored(sequential)
    assert runs["run_id"].is_unique and runs["run_id"].is_monotonic_increasing
    assert {"point_id", "replication", "seed", "households.renter_share"} <= set(runs.columns)
    assert runs["status"].eq("ok").all() and runs["error"].isna().all()
    assert sorted(runs["replication"].unique()) == [0, 1, 2]
    assert set(series["run_id"]) == set(runs["run_id"])
    assert list(series.columns[:5]) == ["run_id", "point_id", "replication", "seed", "step"]


def test_dask_local_cluster_gives_the_same_results(experiment_file, sequential, tmp_path):
    pytest.importorskip("distributed")
    out = tmp_path / "dask"
    result = run_sweep(
        load_experiment(experiment_file),
        out,
        backend="dask",
        cluster_options={"processes": False, "n_workers": 1, "threads_per_worker": 2},
    )
    assert (result.done, result.failed) == (18, 0)
    for got, want in zip(stored(out), stored(sequential), strict=True):
        pd.testing.assert_frame_equal(got, want)
    assert SweepStore(out).read_manifest()["sessions"][-1]["backend"] == "dask"


@pytest.mark.parametrize("workers", ["1", "2"])  # spawned workers; a fork server's workers
def test_a_run_that_raises_and_a_worker_that_dies_neither_stop_nor_hang_the_sweep(
    experiment_file, tmp_path, workers
):
    faults = {
        "raise": {"households.renter_share": 0.3},
        "exit": {"households.renter_share": 0.4, "mechanisms.party_mobilisation.enabled": True},
    }
    out = tmp_path / "faults"
    done = subprocess.run(
        [sys.executable, "-m", "sim.cli", "sweep", str(experiment_file), "--out", str(out)]
        + ["--workers", workers, "--max-retries", "0", "--quiet"],
        cwd=ROOT,
        env={**os.environ, FAULTS_ENV: json.dumps(faults)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "18 runs planned: 9 done, 9 failed" in done.stdout
    runs = SweepStore(out).read_runs()
    assert len(runs) == 18
    raised = runs[runs["households.renter_share"] == 0.3]
    assert raised["status"].eq("failed").all() and len(raised) == 6
    assert raised["error"].str.contains("InjectedFault").all()
    assert raised["error"].str.contains("Traceback").all()
    died = runs[
        (runs["households.renter_share"] == 0.4) & runs["mechanisms.party_mobilisation.enabled"]
    ]
    assert died["status"].eq("failed").all() and len(died) == 3
    assert died["error"].str.contains("worker process died").all()
    assert runs["status"].eq("ok").sum() == 9
    manifest = SweepStore(out).read_manifest()
    assert manifest["counts"]["failed"] == 9 and manifest["status"] == "complete"
    assert manifest["sessions"][-1]["pool_restarts"] >= 1


def test_runs_past_the_time_limit_are_recorded_as_timeouts(tmp_path):
    path = tmp_path / "slow.yaml"
    path.write_text(
        EXPERIMENT.replace(
            "parameters:\n", "parameters:\n  steps: {type: categorical, values: [5, 5000]}\n"
        ).replace("replications: 3", "replications: 1")
    )
    result = run_sweep(load_experiment(path), tmp_path / "out", backend="sequential", timeout=1.0)
    runs = SweepStore(tmp_path / "out").read_runs()
    slow = runs[runs["steps"] == 5000]
    assert slow["status"].eq("timeout").all() and len(slow) == 6
    assert slow["error"].str.contains("time limit of 1 s").all()
    assert runs[runs["steps"] == 5]["status"].eq("ok").all()
    assert (result.done, result.failed) == (6, 6)


def test_a_worker_stuck_inside_a_week_is_killed_and_the_sweep_finishes(tmp_path, monkeypatch):
    stuck_point = {"households.renter_share": 0.4, "mechanisms.party_mobilisation.enabled": True}
    monkeypatch.setenv(FAULTS_ENV, json.dumps({"hang": stuck_point}))
    path = tmp_path / "stuck.yaml"
    path.write_text(EXPERIMENT.replace("replications: 3", "replications: 1"))
    experiment = load_experiment(path)
    outcome = {}

    def sweep() -> None:
        outcome["result"] = run_sweep(
            experiment,
            tmp_path / "out",
            backend="process",
            workers=2,
            timeout=0.5,
            max_retries=0,
            hard_grace_seconds=1.0,
        )

    worker = threading.Thread(target=sweep, daemon=True)
    worker.start()
    worker.join(timeout=120)
    assert not worker.is_alive(), "the sweep hung"
    result = outcome["result"]
    assert (result.done, result.failed) == (5, 1)
    runs = SweepStore(tmp_path / "out").read_runs()
    stuck = runs[runs["status"] != "ok"]
    assert stuck["status"].eq("timeout").all()
    assert stuck["error"].str.contains("worker was killed").all()


class DeadPool(Pool):
    """A pool whose workers always die before returning anything."""

    lost = (BrokenProcessPool,)

    def submit(self, fn, *args):
        future = cf.Future()
        future.set_exception(BrokenProcessPool("a child process terminated abruptly"))
        return future

    def close(self) -> None:
        pass


def test_workers_that_cannot_run_anything_stop_the_sweep_without_recording_failures(
    experiment_file,
):
    plan = make_plan(load_experiment(experiment_file))
    recorded = []
    with pytest.raises(WorkersCannotRun, match="without returning a single run"):
        execute(
            plan.tasks(plan.runs["run_id"]),
            len(plan.runs),
            DeadPool(),
            RunSettings(summary=(), series_steps="none", series_columns=()),
            recorded.append,
        )
    assert recorded == []


def test_text_and_boolean_values_are_stored_with_their_types(tmp_path):
    path = tmp_path / "typed.yaml"
    path.write_text(
        EXPERIMENT.replace(
            "parameters:\n  households.renter_share: {type: categorical, values: [0.2, 0.3, 0.4]}\n",
            "levers:\n  mechanisms.joint_meetings.form: "
            "{type: categorical, values: [three_party, five_party]}\nparameters:\n",
        )
        .replace("replications: 3", "replications: 1")
        .replace("{steps: {every: 5}", "{steps: none")
    )
    run_sweep(load_experiment(path), tmp_path / "out", backend="sequential")
    runs, series = stored(tmp_path / "out")
    assert sorted(runs["mechanisms.joint_meetings.form"]) == ["five_party", "five_party"] + [
        "three_party",
        "three_party",
    ]
    assert runs["mechanisms.party_mobilisation.enabled"].dtype == bool
    assert series.empty
