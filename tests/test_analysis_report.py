"""Analysis of stored sweeps: t confidence intervals over replications, paired policy contrasts,
envelopes, and the `cogov analyze` report with its tables and figures."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim.analysis import summary
from sim.cli import main
from sim.experiments.storage import SweepStore
from tests.sweep_outputs import swept

EXPERIMENT = """\
name: report_test
description: "A lever crossed with a small Sobol' design"
scenario: default
set:
  structure.compounds: 1
  steps: 10
levers:
  mechanisms.party_mobilisation.enabled: {type: boolean}
parameters:
  households.propensity_mean: {type: real, low: 0.2, high: 0.5}
  structure.floors_max: {type: integer, low: 7, high: 9}
design: {method: sobol, samples: 4}
replications: 3
seed: 3
outputs:
  summary: [final.participation_rate, final.trust_committee, final.satisfaction]
  timeseries: {steps: {every: 5}, columns: [participation_rate, satisfaction]}
"""


@pytest.fixture(scope="module")
def sweep(tmp_path_factory) -> Path:
    return swept(tmp_path_factory.mktemp("report"), "report_test", EXPERIMENT)


def test_mean_ci_is_the_t_interval():
    values = np.array([0.2, 0.5, 0.4, 0.9, 0.3])
    got = summary.mean_ci(values)
    low, high = stats.t.interval(0.95, 4, loc=values.mean(), scale=stats.sem(values))
    assert got["n"] == 5 and got["mean"] == pytest.approx(values.mean())
    assert (got["ci_low"], got["ci_high"]) == pytest.approx((low, high))
    single = summary.mean_ci(np.array([0.4]))
    assert single["mean"] == 0.4 and np.isnan(single["ci_low"])


def test_bootstrap_interval_is_reproducible_and_brackets_the_mean():
    values = np.random.default_rng(1).normal(2.0, 1.0, 40)
    low, high = summary.bootstrap_ci(values, 500, seed=7)
    assert low < values.mean() < high
    assert (low, high) == summary.bootstrap_ci(values, 500, seed=7)


def test_point_summary_averages_each_points_replications(sweep):
    data = summary.load_sweep(SweepStore(sweep))
    table = summary.point_summary(data, ["final.participation_rate"])
    assert len(table) == data.design["point_id"].nunique()
    assert (table["n"] == 3).all()
    manual = data.ok.groupby("point_id")["final.participation_rate"].mean()
    merged = table.set_index("point_id")["mean"]
    pd.testing.assert_series_equal(merged.sort_index(), manual.sort_index(), check_names=False)


def test_policy_contrasts_pair_runs_that_share_a_seed(sweep):
    data = summary.load_sweep(SweepStore(sweep))
    contrasts = summary.policy_contrasts(data, ["final.participation_rate"])
    row = contrasts.iloc[0]
    assert row["reference"] == "all off"
    assert row["policy"] == "party_mobilisation"
    runs = summary.with_policy(data, data.ok)
    assert row["n"] == (runs["policy"] == row["reference"]).sum()
    by_pair = runs.groupby(["sample_id", "replication"])["seed"].nunique()
    assert (by_pair == 1).all()


def test_envelopes_give_a_band_per_policy_and_step(sweep):
    data = summary.load_sweep(SweepStore(sweep))
    table = summary.envelopes(data, ["participation_rate"])
    assert set(table["group"]) == {
        "all off",
        "party_mobilisation",
    }
    assert sorted(table["step"].unique()) == [0, 5, 10]
    assert (table["ci_low"] <= table["mean"]).all() and (table["mean"] <= table["ci_high"]).all()
    assert (table["q05"] <= table["q95"]).all()


def test_cogov_analyze_writes_the_report_tables_and_figures(sweep, capsys):
    status = main(["analyze", str(sweep), "--convergence", "--bootstrap", "50", "--export-csv"])
    assert status == 0, capsys.readouterr().err
    report = sweep / "report"
    text = (report / "report.md").read_text()
    for heading in (
        "# Sweep report: report_test",
        "## Policies",
        "## Design points",
        "## Time series",
        "## Effects",
        "## Sensitivity: Sobol' indices",
        "## Methods",
    ):
        assert heading in text
    for name in (
        "point_summary.csv",
        "policy_summary.csv",
        "policy_contrasts.csv",
        "envelopes.csv",
        "sensitivity_indices.csv",
        "sensitivity_noise.csv",
        "sensitivity_convergence.csv",
    ):
        assert (report / name).is_file(), name
    figures = {p.name for p in (report / "figures").iterdir()}
    assert "envelope_participation_rate.png" in figures
    assert "effects_final.participation_rate.png" in figures
    assert any(name.startswith("sensitivity_") for name in figures)
    assert {n.replace(".png", ".svg") for n in figures if n.endswith(".png")} <= figures
    effects = (report / "figures" / "effects_final.participation_rate.svg").read_text()
    assert "Mean civic propensity of households" in effects  # the schema's words, not keys
    assert "propensity_mean" not in effects
    assert "boot_low" in pd.read_csv(report / "point_summary.csv").columns
    indices = pd.read_csv(report / "sensitivity_indices.csv")
    assert set(indices["policy"]) == {
        "all off",
        "party_mobilisation",
    }
    runs_csv = pd.read_csv(sweep / "csv" / "runs.csv")
    assert runs_csv["run_id"].is_monotonic_increasing and "elapsed_seconds" not in runs_csv


def test_analyze_of_a_folder_without_a_sweep_is_one_line(tmp_path, capsys):
    assert main(["analyze", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "holds no sweep" in err and err.count("\n") == 1
