"""Scenario discovery: boxes found by a classification tree, with coverage and density."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.analysis import discovery
from sim.analysis.prim import prim_discovery
from sim.analysis.summary import SweepData
from sim.cli import main
from sim.scenario.loader import ScenarioError
from tests.sweep_outputs import swept


def synthetic(n: int = 400, seed: int = 1) -> SweepData:
    """Runs where the outcome is low exactly when a > 0.6 and the category is 'x'."""
    rng = np.random.default_rng(seed)
    runs = pd.DataFrame(
        {
            "a": rng.random(n),
            "kind": rng.choice(["x", "y", "z"], n),
            "flag": rng.random(n) < 0.5,
            "status": "ok",
        }
    )
    runs["out"] = np.where((runs["a"] > 0.6) & (runs["kind"] == "x"), 0.2, 0.8)
    return SweepData(
        None, {}, pd.DataFrame(), pd.DataFrame(), runs, [], ["a", "kind", "flag"], ["out"]
    )


def test_the_box_that_makes_the_outcome_is_found_with_full_coverage_and_density():
    data = synthetic()
    boxes = discovery.discover(data, discovery.parse_condition("out<0.5", ["out"]))
    best = boxes.iloc[0]
    assert best["density"] == 1.0 and best["coverage"] == 1.0
    assert "kind = x" in best["box"] and "a > 0.5" in best["box"].replace("0.6", "0.5")
    assert "flag" not in best["box"]
    cases = int((data.runs["out"] < 0.5).sum())
    assert best["cases"] == cases == best["runs"]


def test_the_same_sweep_gives_the_same_boxes():
    condition = discovery.parse_condition("out<=0.2", ["out"])
    first = discovery.discover(synthetic(seed=4), condition)
    second = discovery.discover(synthetic(seed=4), condition)
    pd.testing.assert_frame_equal(first, second)


def test_no_box_when_every_run_or_none_is_a_case():
    data = synthetic()
    for text in ("out<1", "out>1"):
        assert discovery.discover(data, discovery.parse_condition(text, ["out"])).empty


def test_prim_peels_down_to_the_region_that_makes_the_outcome():
    data = synthetic()
    result = prim_discovery(data, discovery.parse_condition("out<0.5", ["out"]))
    trajectory = result.trajectory
    # the trajectory starts from the whole design and trades coverage for density
    first, last = trajectory.iloc[0], trajectory.iloc[-1]
    assert first["mass"] == 1.0 and first["coverage"] == 1.0
    assert last["density"] > 0.95 > first["density"]
    assert trajectory["chosen"].sum() == 1 and trajectory.loc[result.chosen, "coverage"] >= 0.5
    limits = dict(result.restrictions.itertuples(index=False))
    assert set(limits) == {"a", "kind"}  # the flag plays no part and is not restricted
    assert limits["kind"] == "in {x}"
    assert 0.55 <= float(limits["a"].removeprefix(">= ")) <= 0.65


def test_prim_finds_no_box_when_every_run_or_none_is_a_case_and_is_deterministic():
    data = synthetic()
    for text in ("out<1", "out>1"):
        assert not prim_discovery(data, discovery.parse_condition(text, ["out"])).found
    condition = discovery.parse_condition("out<0.5", ["out"])
    pd.testing.assert_frame_equal(
        prim_discovery(synthetic(seed=4), condition).trajectory,
        prim_discovery(synthetic(seed=4), condition).trajectory,
    )


@pytest.mark.parametrize("text", ["out", "out<<1", "out<x", "missing<0.5", "1<out"])
def test_a_condition_that_cannot_be_read_is_a_one_line_error(text):
    with pytest.raises(ScenarioError) as caught:
        discovery.parse_condition(text, ["out"])
    assert caught.value.field == "condition" and "\n" not in str(caught.value)


EXPERIMENT = """\
name: discovery_test
scenario: default
set:
  structure.compounds: 1
  structure.share_without_firm: 0.0
  steps: 30
parameters:
  households.initial_trust_firm: {type: real, low: 0.05, high: 0.9}
  mechanisms.party_mobilisation.enabled: {type: boolean}
design: {method: lhs, samples: 24}
replications: 1
seed: 2
outputs:
  summary: [final.fee_collection_rate, final.trust_firm]
  timeseries: {steps: {every: 10}, columns: [fee_collection_rate]}
"""


@pytest.fixture(scope="module")
def sweep(tmp_path_factory) -> Path:
    return swept(tmp_path_factory.mktemp("discovery"), "discovery_test", EXPERIMENT)


def test_cogov_analyze_discover_finds_low_trust_behind_low_trust_outcomes(sweep, capsys):
    code = main(["analyze", str(sweep), "--no-figures", "--discover", "final.trust_firm<0.4"])
    assert code == 0, capsys.readouterr().err
    boxes = pd.read_csv(sweep / "report" / "discovery.csv")
    assert not boxes.empty
    assert "households.initial_trust_firm <=" in boxes.loc[0, "box"]
    assert boxes.loc[0, "density"] > 0.8
    report = (sweep / "report" / "report.md").read_text()
    assert "## Scenario discovery" in report and "final.trust_firm < 0.4" in report
    trajectory = pd.read_csv(sweep / "report" / "prim_trajectory.csv")
    assert trajectory["chosen"].sum() == 1
    assert "### PRIM" in report and "| households.initial_trust_firm | <= " in report


def test_the_prim_trade_off_is_drawn(sweep, capsys):
    code = main(["analyze", str(sweep), "--discover", "final.trust_firm<0.4"])
    assert code == 0, capsys.readouterr().err
    figures = sweep / "report" / "figures"
    assert (figures / "prim_tradeoff.png").is_file() and (figures / "prim_tradeoff.svg").is_file()
    assert "](figures/prim_tradeoff.png)" in (sweep / "report" / "report.md").read_text()


def test_cogov_analyze_refuses_an_unknown_output_in_one_line(sweep, capsys):
    assert main(["analyze", str(sweep), "--discover", "final.nothing<1"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "final.nothing" in err[0]
