"""Resume: a calibration killed with SIGKILL after its first generation is in the history keeps
that generation, and `--resume` continues the same ABC run to its last generation and writes
every output; the calibrated scenario it writes is one that `cogov run` accepts."""

import dataclasses
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
GENERATIONS = 4
CALIBRATION = {
    "name": "resumable",
    "scenario": "default",
    "set": {"structure.compounds": 1, "structure.share_without_firm": 0.0},
    "run": {"steps": 20},
    "targets": {
        "collection": {
            "series": {"column": "fee_collection_rate", "from_week": -8},
            "observed": 0.6,
            "sd": 0.05,
        },
        "participation": {"summary": "final.participation_rate", "observed": 0.5, "sd": 0.1},
    },
    "parameters": {
        "households.initial_trust_firm": {"prior": "uniform", "low": 0.1, "high": 0.8},
        "participation.neighbour_weight": {"prior": "uniform", "low": 0.0, "high": 1.5},
    },
    "abc": {"population": 20, "generations": GENERATIONS, "seed": 3},
    "outputs": {"predictive_draws": 10},
}


def command(path: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "sim.cli", "calibrate", str(path), "--out", str(out), *extra]


def environment() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


def stored_generations(out: Path) -> list[tuple[int, int]]:
    """(t, simulations) of every generation in the history (none if it is not there yet)."""
    db = out / "history.db"
    if not db.is_file():
        return []
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as connection:
            rows = connection.execute(
                "select t, nr_samples from populations where t >= 0 order by t"
            ).fetchall()
    except sqlite3.OperationalError:  # tables not made yet, or locked for a moment
        return []
    return [(int(t), int(n)) for t, n in rows]


def first_generation(out: Path) -> pd.DataFrame:
    """The particles of generation 0, as stored."""
    import pyabc

    history = pyabc.History(f"sqlite:///{out / 'history.db'}")
    frame, weights = history.get_distribution(m=0, t=0)
    return frame.assign(weight=weights).reset_index(drop=True)


def test_killed_calibration_resumes_from_its_last_generation(tmp_path):
    path = tmp_path / "calibration.yaml"
    path.write_text(yaml.safe_dump(CALIBRATION, sort_keys=False))
    out = tmp_path / "out"
    process = subprocess.Popen(
        command(path, out),
        cwd=ROOT,
        env=environment(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while not stored_generations(out) and time.monotonic() < deadline:
        assert process.poll() is None, "the calibration ended before it could be killed"
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    before = stored_generations(out)
    assert 1 <= len(before) < GENERATIONS
    kept = first_generation(out)

    # a new run into the same folder is refused; --resume goes on
    refused = subprocess.run(
        command(path, out), cwd=ROOT, env=environment(), capture_output=True, text=True
    )
    assert refused.returncode == 2
    assert "--resume" in refused.stderr
    done = subprocess.run(
        command(path, out, "--resume"),
        cwd=ROOT,
        env=environment(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    after = stored_generations(out)
    assert [t for t, _ in after] == list(range(GENERATIONS))
    assert after[: len(before)] == before
    pd.testing.assert_frame_equal(first_generation(out), kept)
    with sqlite3.connect(out / "history.db") as connection:
        assert connection.execute("select count(*) from abc_smc").fetchone() == (1,)
    progress = [line for line in done.stdout.splitlines() if line.startswith("generation ")]
    assert len(progress) == GENERATIONS - len(before)

    summary = json.loads((out / "summary.json").read_text())
    assert len(summary["generations"]) == GENERATIONS
    posterior = pd.read_parquet(out / "posterior.parquet")
    assert posterior["weight"].sum() == pytest.approx(1.0)
    assert list(posterior.columns) == [*CALIBRATION["parameters"], "weight"]
    for name in ("posterior_marginals", "posterior_pairs", "predictive_check"):
        assert (out / "figures" / f"{name}.png").is_file()
        assert (out / "figures" / f"{name}.svg").is_file()
    check = pd.read_csv(out / "predictive_check.csv")
    assert list(check["target"]) == list(CALIBRATION["targets"])

    scenario = out / "calibrated_scenario.yaml"
    run = subprocess.run(
        [sys.executable, "-m", "sim.cli", "run", str(scenario), "--out", str(tmp_path / "run")],
        cwd=ROOT,
        env=environment(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    calibrated = yaml.safe_load(scenario.read_text())
    means = {p["parameter"]: p["mean"] for p in summary["parameters"]}
    assert calibrated["households"]["initial_trust_firm"] == means["households.initial_trust_firm"]
    assert "sha256" in scenario.read_text().splitlines()[1]

    # a resume of a finished run has nothing left to do
    again = subprocess.run(
        command(path, out, "--resume", "--quiet"),
        cwd=ROOT,
        env=environment(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert again.returncode == 0, again.stderr
    assert stored_generations(out) == after


def test_resume_refuses_a_changed_file(tmp_path):
    path = tmp_path / "calibration.yaml"
    path.write_text(yaml.safe_dump(CALIBRATION, sort_keys=False))
    out = tmp_path / "out"
    out.mkdir()
    (out / "history.db").write_bytes(b"")
    (out / "calibration.yaml").write_text("name: other\n")
    done = subprocess.run(
        command(path, out, "--resume"), cwd=ROOT, env=environment(), capture_output=True, text=True
    )
    assert done.returncode == 2
    assert "has changed since the run" in done.stderr


def test_dask_backend_runs_a_calibration(tmp_path):
    small = {
        **CALIBRATION,
        "abc": {"population": 6, "generations": 2, "seed": 3},
        "outputs": {"predictive_draws": 3},
    }
    path = tmp_path / "calibration.yaml"
    path.write_text(yaml.safe_dump(small, sort_keys=False))
    done = subprocess.run(
        command(path, tmp_path / "out", "--backend", "dask", "--workers", "1"),
        cwd=ROOT,
        env=environment(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert [t for t, _ in stored_generations(tmp_path / "out")] == [0, 1]
    assert len(pd.read_csv(tmp_path / "out" / "posterior.csv")) == 6


def test_one_worker_calibration_is_reproducible(tmp_path):
    from sim.calibration.loader import load_calibration
    from sim.calibration.outputs import posterior
    from sim.calibration.run import calibrate

    small = {**CALIBRATION, "abc": {"population": 8, "generations": 2, "seed": 11}}
    path = tmp_path / "calibration.yaml"
    path.write_text(yaml.safe_dump(small, sort_keys=False))
    calibration = load_calibration(path)
    keys = list(calibration.priors)
    first, second = (
        posterior(calibrate(calibration, tmp_path / name, report=None), keys) for name in ("a", "b")
    )
    pd.testing.assert_frame_equal(first, second)
    spec = calibration.spec
    reseeded = spec.model_copy(update={"abc": spec.abc.model_copy(update={"seed": 12})})
    other = dataclasses.replace(calibration, spec=reseeded)
    third = posterior(calibrate(other, tmp_path / "c", report=None), keys)
    assert not first.equals(third)
