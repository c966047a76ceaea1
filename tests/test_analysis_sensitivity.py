"""Sensitivity indices: outputs matched to design rows by run id (never by order), replication
noise averaged and reported, and indices that agree with SALib and with the Ishigami function's
known values."""

import numpy as np
import pandas as pd
import pytest
from SALib.analyze import morris as salib_morris
from SALib.analyze import sobol as salib_sobol
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as sobol_sample

from sim.analysis.sensitivity import RESAMPLES, analyse
from sim.analysis.summary import load_sweep
from sim.experiments.run import BatchOutput
from sim.experiments.seeds import digest
from sim.experiments.storage import SweepStore, runs_schema, series_schema

NAMES = ["x.a", "x.b", "x.c"]
PROBLEM = {"num_vars": 3, "names": NAMES, "bounds": [[0.0, 1.0]] * 3}
NOISE_SD = 0.2
REPLICATIONS = 3


def ishigami(unit: np.ndarray) -> np.ndarray:
    """The Ishigami function of unit inputs scaled to [-pi, pi]."""
    x = -np.pi + 2 * np.pi * unit
    return np.sin(x[:, 0]) + 7 * np.sin(x[:, 1]) ** 2 + 0.1 * x[:, 2] ** 4 * np.sin(x[:, 0])


def fake_sweep(root, unit: np.ndarray, method: str, settings: dict, parts: int, seed: int):
    """A stored sweep whose 'model' is Ishigami plus noise, rows written in shuffled parts."""
    store = SweepStore(root)
    store.parts.mkdir(parents=True)
    design = pd.DataFrame(
        {
            "point_index": range(len(unit)),
            "point_id": [digest(list(row)) for row in unit],
            "policy_index": 0,
            "policy_id": "p",
            "policy": "base",
            "sample_index": range(len(unit)),
            "sample_id": [digest(list(row)) for row in unit],
            **{name: unit[:, j] for j, name in enumerate(NAMES)},
            **{f"u.{name}": unit[:, j] for j, name in enumerate(NAMES)},
        }
    )
    plan = pd.DataFrame(
        [
            {
                "run_id": digest([i, r]),
                "point_index": i,
                "point_id": design.point_id[i],
                "replication": r,
                "seed": r,
            }
            for i in range(len(unit))
            for r in range(REPLICATIONS)
        ]
    )
    store.write_plan(design, plan, "text")
    rng = np.random.default_rng(seed)
    truth = ishigami(unit)
    rows = [
        {
            "run_id": run.run_id,
            "point_id": run.point_id,
            "replication": run.replication,
            "seed": run.seed,
            "status": "ok",
            "error": None,
            "elapsed_seconds": 0.0,
            **{name: float(unit[run.point_index, j]) for j, name in enumerate(NAMES)},
            "final.y": float(truth[run.point_index] + rng.normal(0, NOISE_SD)),
        }
        for run in plan.drop_duplicates("run_id").itertuples()
    ]
    rng.shuffle(rows)
    schema = runs_schema(dict.fromkeys(NAMES, 0.0), {"final.y": "float"})
    for chunk in np.array_split(np.arange(len(rows)), parts):
        store.write_batch(BatchOutput([rows[i] for i in chunk], None), schema, series_schema({}))
    store.write_manifest(
        {
            "design": {
                "method": method,
                "settings": settings,
                "parameters": NAMES,
                "levers": [],
                "root_seed": 0,
            },
            "experiment": {"name": "fake"},
        }
    )
    return store, truth


def replication_means(store) -> np.ndarray:
    """Per design row (in design order) the mean output over its replications, by run id."""
    plan = store.read_plan()
    runs = store.read_runs()[["run_id", "final.y"]]
    return plan.merge(runs, on="run_id").groupby("point_index")["final.y"].mean().to_numpy()


@pytest.fixture(scope="module")
def sobol_unit() -> np.ndarray:
    return sobol_sample.sample(PROBLEM, 256, calc_second_order=False, seed=4)


def test_sobol_indices_match_salib_on_replication_means_matched_by_run_id(tmp_path, sobol_unit):
    store, _ = fake_sweep(tmp_path / "s", sobol_unit, "sobol", {"second_order": False}, 7, 1)
    result = analyse(load_sweep(store), ["final.y"], seed=3)
    expected = salib_sobol.analyze(
        PROBLEM, replication_means(store), calc_second_order=False, num_resamples=RESAMPLES, seed=3
    )
    np.testing.assert_allclose(result.indices["S1"], expected["S1"])
    np.testing.assert_allclose(result.indices["ST"], expected["ST"])
    # Ishigami: S1 = (0.314, 0.442, 0), ST = (0.558, 0.442, 0.244)
    np.testing.assert_allclose(result.indices["S1"], [0.314, 0.442, 0.0], atol=0.12)
    np.testing.assert_allclose(result.indices["ST"], [0.558, 0.442, 0.244], atol=0.12)


def test_indices_do_not_depend_on_the_order_rows_were_stored_in(tmp_path, sobol_unit):
    one, _ = fake_sweep(tmp_path / "a", sobol_unit, "sobol", {"second_order": False}, 1, 1)
    many, _ = fake_sweep(tmp_path / "b", sobol_unit, "sobol", {"second_order": False}, 13, 1)
    shuffled = [analyse(load_sweep(s), ["final.y"], seed=3).indices for s in (one, many)]
    pd.testing.assert_frame_equal(*shuffled)


def test_replication_noise_is_reported(tmp_path, sobol_unit):
    store, truth = fake_sweep(tmp_path / "n", sobol_unit, "sobol", {"second_order": False}, 3, 2)
    noise = analyse(load_sweep(store), ["final.y"]).noise.iloc[0]
    assert noise["replications"] == REPLICATIONS
    assert noise["within_point_sd"] == pytest.approx(NOISE_SD, rel=0.1)
    expected_share = NOISE_SD**2 / REPLICATIONS / truth.var(ddof=1)
    assert noise["noise_share"] == pytest.approx(expected_share, rel=0.2)


def test_convergence_recomputes_indices_on_prefixes_of_the_design(tmp_path, sobol_unit):
    store, _ = fake_sweep(tmp_path / "c", sobol_unit, "sobol", {"second_order": False}, 2, 1)
    result = analyse(load_sweep(store), ["final.y"], convergence=True)
    sizes = sorted(result.convergence["base_samples"].unique())
    assert sizes == [32, 64, 128, 256]
    final = result.convergence[result.convergence["base_samples"] == 256]
    np.testing.assert_allclose(final["ST"].to_numpy(), result.indices["ST"].to_numpy())


def test_missing_results_skip_the_indices_with_a_note(tmp_path, sobol_unit):
    store, _ = fake_sweep(tmp_path / "m", sobol_unit, "sobol", {"second_order": False}, 2, 1)
    first = store.part_folders()[0]
    for file in first.iterdir():
        file.unlink()
    first.rmdir()
    result = analyse(load_sweep(store), ["final.y"])
    assert result.indices.empty
    assert "have no finished run" in result.notes[0]


def test_morris_indices_match_salib(tmp_path):
    unit = morris_sample.sample(PROBLEM, 40, num_levels=4, seed=5)
    store, _ = fake_sweep(tmp_path / "m", unit, "morris", {"levels": 4}, 5, 1)
    result = analyse(load_sweep(store), ["final.y"], seed=3)
    expected = salib_morris.analyze(
        PROBLEM, unit, replication_means(store), num_resamples=RESAMPLES, num_levels=4, seed=3
    )
    np.testing.assert_allclose(result.indices["mu_star"], expected["mu_star"])
    np.testing.assert_allclose(result.indices["sigma"], expected["sigma"])
    assert result.indices["mu_star"].idxmax() == 1  # x.b drives Ishigami's largest effects
