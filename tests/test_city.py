"""City runs: communities run on workers with derived seeds and merged into one run folder."""

import json
import os
import pickle
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sim.city
from sim.city import RECORD_TABLES, community_scenario, community_seeds, run_city
from sim.cli import main
from sim.metrics import CITY_MERGE, CITY_WEIGHTS, REPORTERS, SUM
from sim.runner import simulate
from sim.scenario.loader import load_scenario

COMMUNITIES = 3
CITY = ["structure.compounds=2", "steps=10", f"city.communities={COMMUNITIES}"]
CSV_FILES = ("timeseries.csv", "communities.csv", *(f"{name}.csv" for name in RECORD_TABLES))
RUN_FILES = ("timeseries.csv", *(f"{name}.csv" for name in RECORD_TABLES))


def city_args(out: Path, *extra: str) -> list[str]:
    """`cogov run` arguments for the small city."""
    args = ["run", "default", "--out", str(out), "--quiet"]
    for override in CITY:
        args += ["--set", override]
    return [*args, *extra]


def reproducible_summary(folder: Path) -> dict:
    """summary.json without the fields that differ from one execution to the next."""
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    summary.pop("run_time_seconds")
    for key in ("started_at", "command"):
        summary["provenance"].pop(key)
    return summary


def assert_one_error_line(stderr: str, *fragments: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), stderr
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    return lines[0]


@pytest.fixture(scope="module")
def scenario():
    return load_scenario("default", CITY)


@pytest.fixture(scope="module")
def seeds(scenario):
    return community_seeds(scenario.seed, COMMUNITIES)


@pytest.fixture(scope="module")
def sequential(scenario, tmp_path_factory):
    """The city run in one process."""
    out = tmp_path_factory.mktemp("city") / "sequential"
    run_city(scenario, out, "default", backend="sequential")
    return out


@pytest.fixture(scope="module")
def direct(scenario, seeds):
    """Each community run directly with its seed, with the counts behind the city's rates."""
    runs = []
    for seed in seeds:
        counts: list[dict[str, float]] = []

        def observe(model, counts=counts) -> None:
            hh, billing = model.households, model.last_billing
            served = model.compounds.had_firm[model.world.compound]
            counts.append(
                {
                    "households": hh.size,
                    "active": hh.active.sum(),
                    "billed": billing.billed.sum(),
                    "paid": (billing.paid & billing.billed).sum(),
                    "served": served.sum(),
                    "trust_firm_total": hh.trust_firm[served].sum(),
                }
            )

        result = simulate(community_scenario(scenario), seed, observe=observe)
        runs.append((result, pd.DataFrame(counts)))
    return runs


def test_seeds_come_from_the_seed_sequence_children(seeds):
    children = np.random.SeedSequence(1).spawn(COMMUNITIES)
    assert seeds == [int(c.generate_state(1, dtype=np.uint32)[0]) for c in children]
    assert len(set(seeds)) == COMMUNITIES and all(0 <= s < 2**32 for s in seeds)
    assert community_seeds(1, COMMUNITIES + 2)[:COMMUNITIES] == seeds


def test_observing_a_run_does_not_change_it(scenario, seeds, direct):
    plain = simulate(community_scenario(scenario), seeds[0])
    pd.testing.assert_frame_equal(plain.timeseries, direct[0][0].timeseries, check_exact=True)


def test_counters_are_the_sums_of_the_communities(sequential, direct):
    merged = pd.read_csv(sequential / "timeseries.csv")
    assert list(merged.columns) == list(direct[0][0].timeseries.columns)
    for column, rule in CITY_MERGE.items():
        if rule != SUM:
            continue
        expected = sum(result.timeseries[column].to_numpy() for result, _ in direct)
        if np.issubdtype(expected.dtype, np.integer):
            assert merged[column].tolist() == expected.tolist(), column
        else:
            np.testing.assert_allclose(merged[column], expected, rtol=1e-12, err_msg=column)
    assert merged["disputes_raised"].iloc[-1] > 0


def test_rates_are_city_wide_shares(sequential, direct):
    merged = pd.read_csv(sequential / "timeseries.csv")
    total = sum(counts for _, counts in direct)
    np.testing.assert_allclose(merged["participation_rate"], total["active"] / total["households"])
    np.testing.assert_allclose(merged["fee_collection_rate"], total["paid"] / total["billed"])
    np.testing.assert_allclose(merged["trust_firm"], total["trust_firm_total"] / total["served"])
    households = np.array([counts["households"].iloc[0] for _, counts in direct])
    satisfaction = np.array([r.timeseries["satisfaction"].to_numpy() for r, _ in direct])
    np.testing.assert_allclose(merged["satisfaction"], households @ satisfaction / households.sum())


def test_record_tables_are_stacked_in_community_order(sequential, direct):
    for name in RECORD_TABLES:
        header, rows = None, []
        for index, (result, _) in enumerate(direct):
            lines = getattr(result, name).to_csv(index=False).splitlines()
            header = header or f"community,{lines[0]}"
            rows += [f"{index},{line}" for line in lines[1:]]
        text = (sequential / f"{name}.csv").read_text(encoding="utf-8")
        assert text.splitlines() == [header, *rows], name
    disputes = pd.read_csv(sequential / "disputes.csv")
    assert disputes["community"].is_monotonic_increasing and disputes["community"].nunique() > 1


def test_summary_and_communities_table(sequential, direct, seeds):
    summary = json.loads((sequential / "summary.json").read_text(encoding="utf-8"))
    households = sum(result.summary["community"]["households"] for result, _ in direct)
    assert summary["city"] == {"communities": 3, "households": households, "seeds": seeds}
    assert summary["community"]["compounds"] == 2 * COMMUNITIES
    merged = pd.read_csv(sequential / "timeseries.csv")
    assert summary["final"]["disputes_raised"] == merged["disputes_raised"].iloc[-1]
    assert summary["provenance"]["scenario"]["city"]["communities"] == COMMUNITIES
    table = pd.read_csv(sequential / "communities.csv")
    assert table["community"].tolist() == [0, 1, 2] and table["seed"].tolist() == seeds
    for (result, _), (_, row) in zip(direct, table.iterrows(), strict=True):
        assert row["community.households"] == result.summary["community"]["households"]
        assert row["final.participation_rate"] == pytest.approx(
            result.summary["final"]["participation_rate"], rel=1e-12
        )
    assert sorted(p.name for p in sequential.parent.iterdir()) == ["sequential"]
    assert not (sequential / sim.city.PARTS).exists()


@pytest.mark.parametrize("workers", [1, 2])
def test_process_backend_writes_the_same_bytes_with_any_number_of_workers(
    scenario, sequential, tmp_path, workers
):
    out = tmp_path / "city"
    run_city(scenario, out, "default", backend="process", workers=workers)
    for name in CSV_FILES:
        assert (out / name).read_bytes() == (sequential / name).read_bytes(), name
    for figure in (sequential / "figures").glob("*.svg"):
        assert (out / "figures" / figure.name).read_bytes() == figure.read_bytes(), figure.name
    assert reproducible_summary(out) == reproducible_summary(sequential)


def test_city_figures_show_the_spread_over_communities(sequential):
    svg = (sequential / "figures" / "participation.svg").read_text(encoding="utf-8")
    assert f"Bands: 5-95% of the {COMMUNITIES} communities" in svg


def test_command_line_city_run_matches_the_library(sequential, tmp_path, capsys):
    out = tmp_path / "cli"
    assert main(city_args(out, "--workers", "2")) == 0
    assert "3 communities" in capsys.readouterr().out
    for name in CSV_FILES:
        assert (out / name).read_bytes() == (sequential / name).read_bytes(), name


def test_one_community_is_a_plain_run(tmp_path, capsys):
    plain, city = tmp_path / "plain", tmp_path / "one"
    small = ["--set", "structure.compounds=2", "--steps", "10", "--quiet"]
    assert main(["run", "default", *small, "--out", str(plain)]) == 0
    city_run = ["--set", "city.communities=1", "--workers", "2", "--backend", "sequential"]
    assert main(["run", "default", *small, *city_run, "--out", str(city)]) == 0
    for name in RUN_FILES:
        assert (city / name).read_bytes() == (plain / name).read_bytes(), name
    assert not (city / "communities.csv").exists()
    assert reproducible_summary(city) == reproducible_summary(plain)


def test_every_reporter_has_a_merge_rule():
    assert set(CITY_MERGE) == set(REPORTERS), "classify new reporters in sim.metrics.CITY_MERGE"
    for column, rule in CITY_MERGE.items():
        assert rule == SUM or rule in CITY_WEIGHTS, column


def test_a_failing_community_stops_the_run_with_one_line(tmp_path, capsys, monkeypatch, seeds):
    real = sim.city.simulate

    def simulate_or_fail(scenario, seed, **kwargs):
        if seed == seeds[1]:
            raise ValueError("boom\nsecond line")
        return real(scenario, seed, **kwargs)

    monkeypatch.setattr(sim.city, "simulate", simulate_or_fail)
    out = tmp_path / "city"
    assert main(city_args(out, "--backend", "sequential")) == 1
    assert_one_error_line(
        capsys.readouterr().err, str(out), f"community 1 (seed {seeds[1]})", "ValueError: boom"
    )
    assert list(tmp_path.iterdir()) == []


def raise_in_community_1(task):
    """A worker that fails on community 1 (runs in a worker process)."""
    if task.index == 1:
        raise RuntimeError("failed in a worker")
    return sim.city.run_community(task)


def exit_in_community_1(task):
    """A worker process that dies on community 1."""
    if task.index == 1:
        os._exit(3)
    return sim.city.run_community(task)


@pytest.mark.parametrize(
    ("worker", "fragment"),
    [(raise_in_community_1, "community 1 "), (exit_in_community_1, "BrokenProcessPool")],
)
def test_a_failing_worker_process_stops_the_run_with_one_line(
    tmp_path, capsys, monkeypatch, worker, fragment
):
    monkeypatch.setattr(sim.city, "run_community", worker)
    out = tmp_path / "city"
    assert main(city_args(out, "--workers", "2")) == 1
    assert_one_error_line(capsys.readouterr().err, str(out), "failed", fragment)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("city:\n  communities: 0\n", ">= 1"),
        ("city:\n  communities: 2001\n", "<= 2000"),
        ("city:\n  communitees: 3\n", "unknown key"),
    ],
)
def test_bad_city_section_is_one_line_naming_file_and_field(tmp_path, capsys, text, fragment):
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    assert main(["run", str(path), "--out", str(out), "--quiet"]) == 2
    assert_one_error_line(capsys.readouterr().err, f"{path}: city.commun", fragment)
    assert not out.exists()


@pytest.mark.parametrize(
    ("extra", "fragment"),
    [
        (["--counterfactual", "mechanisms.points.enabled=true"], "--counterfactual"),
        (["--scheduler", "tcp://127.0.0.1:1"], "needs --backend dask"),
        (["--workers", "0"], "--workers"),
    ],
)
def test_city_options_refused_with_one_line(tmp_path, capsys, extra, fragment):
    out = tmp_path / "out"
    try:
        status = main(city_args(out, *extra))
    except SystemExit as exc:  # a usage error from the argument parser
        status = exc.code
    assert status == 2
    assert_one_error_line(capsys.readouterr().err, fragment)
    assert not out.exists()


def test_shipped_city_scenario_has_300_default_communities():
    city, default = load_scenario("city"), load_scenario("default")
    assert city.city.communities == 300 and city.steps == 52
    assert community_scenario(city).model_dump(exclude={"name", "description", "steps"}) == (
        default.model_dump(exclude={"name", "description", "steps"})
    )


def test_dask_backend_writes_the_same_bytes(scenario, sequential, tmp_path):
    pytest.importorskip("distributed")
    out = tmp_path / "city"
    run_city(scenario, out, "default", backend="dask", workers=2)
    for name in CSV_FILES:
        assert (out / name).read_bytes() == (sequential / name).read_bytes(), name


def test_a_worker_sends_back_only_its_summary(scenario, seeds, tmp_path):
    folder = tmp_path / "0"
    task = sim.city.CommunityTask(0, seeds[0], community_scenario(scenario), str(folder))
    outcome = sim.city.run_community(task)
    assert set(outcome) == {"summary", "run_time_seconds"}
    assert all(isinstance(v, int | float) for v in outcome["summary"].values())
    assert len(pickle.dumps(outcome)) < 10_000
    files = sorted(p.name for p in folder.iterdir())
    assert files == sorted(["series.parquet", *(f"{name}.csv" for name in RECORD_TABLES)])
