"""The instruction-count suite's arithmetic, on made-up counts (running it needs valgrind and
minutes, so it is not run here)."""

import pytest

from benchmarks import instructions
from benchmarks.instructions import stepping_probes, stepping_row, sweep_probes, sweep_row


def test_stepping_row_divides_the_steps_work_by_steps_and_households():
    probes = stepping_probes(households=3_100, nodes=3_000, steps=10)
    counted = {
        ("stepping", "ours", "3100", "10"): 5_000 + 10 * 20_000_000,
        ("stepping", "ours", "3100", "0"): 5_000,
        ("stepping", "virus", "3000", "10"): 9_000 + 10 * 60_000_000,
        ("stepping", "virus", "3000", "0"): 9_000,
    }
    assert set(probes) == set(counted)
    row = stepping_row(counted, probes, n=3_000, label="3k")
    assert row.ours == pytest.approx(3_000 * 1e9 / 20_000_000)
    assert row.reference == pytest.approx(3_000 * 1e9 / 60_000_000)
    assert row.ratio == pytest.approx(3.0)
    assert "20.0 M instructions a step against 60.0 M" in row.note


def test_sweep_row_separates_the_per_run_cost_from_the_once_per_sweep_cost():
    start, run, extra, once = 1_000_000_000, 3_000_000_000, 30_000_000, 150_000_000
    counted = {("sweep", "direct", str(n), "260"): start + n * run for n in (1, 3)} | {
        ("sweep", "sweep", str(n), "260"): start + once + n * (run + extra) for n in (1, 3)
    }
    assert set(sweep_probes((1, 3), 260)) == set(counted)
    row = sweep_row(counted, (1, 3), 260)
    assert row.ratio == pytest.approx(1.01)
    assert "add 150 M instructions once per sweep (5.0% of a run)" in row.note


def test_the_suite_refuses_plainly_without_valgrind(monkeypatch):
    monkeypatch.setattr(instructions.shutil, "which", lambda name: None)
    with pytest.raises(SystemExit, match="needs valgrind"):
        instructions.run(quick=True)
