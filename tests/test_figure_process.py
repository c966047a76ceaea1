"""A run's figures drawn by a second process: the same bytes, failures as one line, no orphans."""

import subprocess
import sys

import pytest

from sim.report.drawing import FigureError, FigureProcess
from sim.report.figures import draw_figures
from sim.staging import WriteError
from tests.test_figures import timeseries


@pytest.mark.parametrize("plan", [(), (2, "t")], ids=["not told the run", "told the run"])
def test_the_process_draws_the_same_bytes_as_drawing_in_process(tmp_path, plan):
    """Told the run's weeks and title, the process lays out figures before the series comes."""
    frame = timeseries(projects_proposed=2, points_issued=1)
    here = draw_figures(frame, tmp_path / "here", "t")
    with FigureProcess(*plan) as figures:
        figures.send(frame, tmp_path / "there", "t")
        there = figures.wait()
    assert [p.name for p in there] == [p.name for p in here]
    for a, b in zip(here, there, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name


@pytest.mark.parametrize("missing", ["participation_rate", "trust_firm"])
def test_a_failure_in_either_half_of_the_drawing_is_one_line(tmp_path, missing):
    """participation is drawn by the process itself, trust by its forked copy."""
    with FigureProcess() as figures:
        figures.send(timeseries().drop(columns=missing), tmp_path / "f", "t")
        with pytest.raises(FigureError, match=rf"^figures: KeyError: '{missing}'$"):
            figures.wait()


def test_a_run_whose_figures_fail_writes_nothing_and_says_so(tmp_path, monkeypatch):
    from sim import runner
    from sim.scenario.loader import load_scenario

    scenario = load_scenario("default", ["steps=2", "warmup_weeks=0", "structure.compounds=1"])
    result = runner.simulate(scenario)
    result.timeseries = result.timeseries.drop(columns="trust_firm")
    out = tmp_path / "out"
    with FigureProcess() as figures, pytest.raises(WriteError, match="outputs not written"):
        runner.write_outputs(result, out, scenario, 1, "default", figures=figures)
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_the_process_ends_without_a_request_when_its_run_stops(tmp_path):
    figures = FigureProcess()
    figures.close()  # the run failed before its figures were sent
    assert figures.process.returncode is not None
    assert list(tmp_path.iterdir()) == []


def test_the_drawing_module_exits_quietly_when_given_nothing():
    done = subprocess.run(
        [sys.executable, "-m", "sim.report.drawing"], input=b"", capture_output=True, check=False
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, b"", b"")
