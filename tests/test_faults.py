"""Faults survived: unwritable and full disks, kill -9 while writing, closed pipes; and the
rules that make them safe (stale staging folders of dead writers only, partial interventions).

The fault cases are tools/fuzz.py's, each run here as fresh `cogov` processes (about 1-7 s
each, some 60 s in all on 2 cores).
"""

import errno
import os
import subprocess
import sys

import pandas as pd
import pytest

import sim.runner
from sim.cli import main
from sim.runner import simulate
from sim.scenario.loader import load_scenario
from sim.staging import STAGED, host_name, remove_stale, staged_folder
from tools import fuzz

FAULTS = fuzz.fault_cases()


@pytest.mark.parametrize("name", list(FAULTS))
def test_fault_gives_one_error_line_or_runs_on_and_leaves_nothing_behind(name, tmp_path):
    outcome = fuzz.run_case(name, FAULTS[name], tmp_path)
    if outcome.verdict == "skipped":
        pytest.skip(outcome.detail)
    assert outcome.verdict in ("error", "ok"), outcome.detail
    assert outcome.leftovers == []


def dead_pid() -> int:
    """The id of a process that has finished."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def staged_name(name: str, pid: int, role: str = "new", host: str | None = None) -> str:
    """A hidden folder's name as a writer of that pid and host makes it."""
    return f".{name}.cogov-{host or host_name()}-{pid}-{role}-abcd1234"


def test_stale_folders_of_dead_writers_go_and_live_or_foreign_ones_stay(tmp_path):
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        dead = dead_pid()
        names = {
            "dead": staged_name("out", dead),
            "live": staged_name("out", live.pid),
            "mine": staged_name("out", os.getpid()),
            "other_host": staged_name("out", dead, host="elsewhere.example"),
            "not_ours": ".out.abcd1234",
        }
        for name in names.values():
            assert name == ".out.abcd1234" or STAGED.match(name)
            (tmp_path / name).mkdir()
            (tmp_path / name / "timeseries.csv").write_text("x\n")
        removed = remove_stale(tmp_path)
        assert [p.name for p in removed] == [names["dead"]]
        left = sorted(p.name for p in tmp_path.iterdir())
        assert left == sorted(v for k, v in names.items() if k != "dead")
    finally:
        live.kill()
        live.wait()


def test_folder_a_killed_writer_moved_aside_is_put_back(tmp_path):
    aside = tmp_path / staged_name("out", dead_pid(), role="old")
    aside.mkdir()
    (aside / "summary.json").write_text("{}\n")
    remove_stale(tmp_path)
    assert (tmp_path / "out" / "summary.json").read_text() == "{}\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_next_write_beside_cleans_a_dead_writers_folder(tmp_path):
    stale = tmp_path / staged_name("other_run", dead_pid())
    stale.mkdir()
    with staged_folder(tmp_path / "out") as staging:
        (staging / "a.txt").write_text("a\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_write_failure_keeps_the_earlier_outputs_and_says_one_line(tmp_path, monkeypatch, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "summary.json").write_text("earlier\n")

    def full_disk(*_args, **_kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(sim.runner, "write_summary", full_disk)
    status = main(["run", "fee_spiral", "--steps", "2", "--out", str(out), "--quiet"])
    lines = capsys.readouterr().err.splitlines()
    assert status == 1
    assert len(lines) == 1 and lines[0].startswith(f"error: {out}: outputs not written")
    assert "No space left on device" in lines[0]
    assert (out / "summary.json").read_text() == "earlier\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


POLICY = """\
name: policy
steps: 12
structure: {{compounds: {compounds}}}
households: {{initial_trust_committee: {trust}}}
mechanisms: {{party_mobilisation: {{enabled: true}}, joint_meetings: {{enabled: true}}}}
interventions:
  - at_week: 4
    set: {change}
"""
NESTED = "{mechanisms: {points: {enabled: true}, joint_meetings: {cadence_weeks: 2}}}"
DOTTED = "{mechanisms.points.enabled: true, mechanisms.joint_meetings.cadence_weeks: 2}"


@pytest.mark.parametrize(("compounds", "trust", "seed"), [(1, 0.3, 1), (2, 0.6, 7), (3, 0.45, 3)])
def test_nested_intervention_is_the_same_partial_change_as_its_dotted_keys(
    compounds, trust, seed, tmp_path
):
    runs = {}
    for label, change in (("nested", NESTED), ("dotted", DOTTED)):
        path = tmp_path / f"{label}.yaml"
        path.write_text(POLICY.format(compounds=compounds, trust=trust, change=change))
        runs[label] = simulate(load_scenario(path), seed)
    nested, dotted = runs["nested"], runs["dotted"]
    pd.testing.assert_frame_equal(nested.timeseries, dotted.timeseries)
    pd.testing.assert_frame_equal(nested.interventions, dotted.interventions)
    assert list(nested.interventions["key"]) == [
        "mechanisms.points.enabled",
        "mechanisms.joint_meetings.cadence_weeks",
    ]
    state = nested.model.params.mechanisms
    assert state.party_mobilisation.enabled and state.joint_meetings.enabled
    assert state.points.enabled and state.joint_meetings.cadence_weeks == 2


def refuse_folders_under(folder: str) -> None:
    """On a Dask worker: make no folder under the client's `folder`, as if it were absent."""
    real = os.mkdir

    def mkdir(path, *args, **kwargs):
        if os.fspath(path).startswith(folder):
            raise FileNotFoundError(errno.ENOENT, "not on this worker's file system", path)
        return real(path, *args, **kwargs)

    os.mkdir = mkdir


def test_dask_workers_without_the_clients_files_send_sweep_and_city_results_back(tmp_path):
    """Workers in their own working folders, unable to make folders under the client's, as on
    a cluster without a shared file system: results come back over the wire, the same bytes."""
    distributed = pytest.importorskip("distributed")
    from sim.city import run_city
    from sim.experiments.loader import load_experiment
    from sim.experiments.storage import SweepStore
    from sim.experiments.sweep import run_sweep

    client_folder = tmp_path / "client"
    client_folder.mkdir()
    (client_folder / "small.yaml").write_text(fuzz.SMALL)
    (client_folder / "town.yaml").write_text(fuzz.CITY)
    (client_folder / "tiny.yaml").write_text(fuzz.SWEEP)
    experiment = load_experiment(client_folder / "tiny.yaml")
    town = load_scenario(client_folder / "town.yaml")
    cluster = distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        local_directory=str(tmp_path / "workers"),
    )
    try:
        with distributed.Client(cluster) as client:
            for i, address in enumerate(client.scheduler_info()["workers"]):
                own = tmp_path / "workers" / f"cwd{i}"
                own.mkdir(parents=True)
                client.run(os.chdir, str(own), workers=[address])
            client.run(refuse_folders_under, str(client_folder))
            where = {"backend": "dask", "scheduler": cluster.scheduler_address}
            run_sweep(experiment, client_folder / "dask_sweep", **where)
            run_city(town, client_folder / "dask_city", str(client_folder / "town.yaml"), **where)
    finally:
        cluster.close()
    run_sweep(experiment, client_folder / "sweep", backend="sequential")
    run_city(town, client_folder / "city", str(client_folder / "town.yaml"), backend="sequential")
    for name in ("dask_sweep", "sweep"):
        assert SweepStore(client_folder / name).read_runs()["status"].eq("ok").all()
    got, want = (SweepStore(client_folder / n).read_runs() for n in ("dask_sweep", "sweep"))
    drop = ["elapsed_seconds"]
    pd.testing.assert_frame_equal(got.drop(columns=drop), want.drop(columns=drop))
    for name in ("timeseries.csv", "disputes.csv", "communities.csv", "interventions.csv"):
        dask_bytes = (client_folder / "dask_city" / name).read_bytes()
        assert dask_bytes == (client_folder / "city" / name).read_bytes(), name
