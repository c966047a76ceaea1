"""Designs, seeds and run ids: what each sampler produces, how unit values map to parameter
values, and seeds that do not move when a design grows."""

import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from sim.experiments.design import (
    factorial_levels,
    from_unit,
    latin_hypercube,
    needs_salib,
    uncertainty_samples,
)
from sim.experiments.loader import load_experiment
from sim.experiments.plan import make_plan
from sim.experiments.seeds import run_id, run_seed
from sim.experiments.spec import (
    BooleanParameter,
    CategoricalParameter,
    DistributionParameter,
    IntegerParameter,
    RealParameter,
)

HEAD = """\
name: design_test
scenario: default
set:
  structure.compounds: 1
  steps: 5
seed: 11
"""


def experiment(tmp_path: Path, body: str, name: str = "exp.yaml", extra: dict | None = None):
    """Load an experiment written from HEAD + body."""
    for file, text in (extra or {}).items():
        (tmp_path / file).write_text(text)
    path = tmp_path / name
    path.write_text(HEAD + textwrap.dedent(body))
    return load_experiment(path)


def test_factorial_crosses_every_level_in_declared_order(tmp_path):
    exp = experiment(
        tmp_path,
        """\
        parameters:
          households.renter_share: {type: real, low: 0.1, high: 0.3, levels: 3}
          structure.floors_max: {type: integer, low: 7, high: 8}
          mechanisms.party_mobilisation.enabled: {type: boolean}
        """,
    )
    points = uncertainty_samples(exp).values
    assert len(points) == 3 * 2 * 2
    assert points[0] == {
        "households.renter_share": 0.1,
        "structure.floors_max": 7,
        "mechanisms.party_mobilisation.enabled": False,
    }
    assert sorted({round(p["households.renter_share"], 12) for p in points}) == [0.1, 0.2, 0.3]


def test_levels_of_each_parameter_type():
    assert factorial_levels(IntegerParameter(type="integer", low=2, high=5)) == [2, 3, 4, 5]
    assert factorial_levels(IntegerParameter(type="integer", low=0, high=10, levels=3)) == [
        0,
        5,
        10,
    ]
    assert factorial_levels(BooleanParameter(type="boolean")) == [False, True]
    normal = DistributionParameter(
        type="distribution", distribution="norm", args={"loc": 0, "scale": 1}, levels=2
    )
    low, high = factorial_levels(normal)
    assert low == pytest.approx(-0.6745, abs=1e-4) and high == pytest.approx(0.6745, abs=1e-4)


def test_discrete_parameters_give_each_level_an_equal_slice_of_the_unit_interval():
    u = (np.arange(1000) + 0.5) / 1000
    cat = CategoricalParameter(type="categorical", values=["a", "b", "c", "d"])
    counts = {v: from_unit(cat, u).count(v) for v in "abcd"}
    assert counts == {"a": 250, "b": 250, "c": 250, "d": 250}
    integer = IntegerParameter(type="integer", low=1, high=5)
    assert sorted(set(from_unit(integer, u))) == [1, 2, 3, 4, 5]
    assert from_unit(integer, np.array([0.0, 1.0])) == [1, 5]
    assert from_unit(BooleanParameter(type="boolean"), np.array([0.0, 0.49, 0.5, 1.0])) == [
        False,
        False,
        True,
        True,
    ]
    real = RealParameter(type="real", low=2.0, high=4.0)
    assert from_unit(real, np.array([0.0, 0.25, 1.0])) == [2.0, 2.5, 4.0]


def test_unbounded_distribution_maps_unit_ends_to_finite_truncated_quantiles():
    normal = DistributionParameter(
        type="distribution", distribution="norm", args={"loc": 1, "scale": 1}, low=0.0
    )
    values = from_unit(normal, np.array([0.0, 0.5, 1.0]))
    assert all(np.isfinite(values))
    assert values[0] >= 0.0
    assert values[0] < values[1] < values[2]


def test_latin_hypercube_puts_one_point_in_each_stratum(tmp_path):
    exp = experiment(
        tmp_path,
        """\
        parameters:
          households.renter_share: {type: real, low: 0.0, high: 1.0}
          households.propensity_mean: {type: real, low: 0.1, high: 0.5}
        design: {method: lhs, samples: 10}
        """,
    )
    samples = uncertainty_samples(exp)
    assert samples.unit.shape == (10, 2)
    for column in samples.unit.T:
        assert sorted(np.floor(column * 10).astype(int)) == list(range(10))


@pytest.mark.parametrize("seed", [0, 7, 2**40 + 3])
@pytest.mark.parametrize(("d", "n"), [(1, 1), (2, 60), (6, 17), (3, 1000)])
def test_latin_hypercube_draws_scipys_numbers(seed, d, n):
    from scipy.stats import qmc

    expected = qmc.LatinHypercube(d=d, rng=seed).random(n)
    assert np.array_equal(latin_hypercube(d, n, seed), expected)


def test_a_latin_hypercube_design_is_drawn_without_scipy_stats(tmp_path):
    path = tmp_path / "exp.yaml"
    path.write_text(
        HEAD + "parameters:\n  households.renter_share: {type: real, low: 0, high: 1}\n"
        "design: {method: lhs, samples: 4}\n"
    )
    code = (
        "import sys; from sim.experiments.loader import load_experiment; "
        "from sim.experiments.design import needs_salib, uncertainty_samples; "
        f"e = load_experiment({str(path)!r}); uncertainty_samples(e); "
        "print(needs_salib(e), 'scipy.stats' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "False"]


def test_sobol_design_has_saltelli_blocks_and_a_stable_prefix(tmp_path):
    body = """\
        parameters:
          households.renter_share: {type: real, low: 0.1, high: 0.5}
          mechanisms.party_mobilisation.enabled: {type: boolean}
          structure.floors_max: {type: integer, low: 7, high: 9}
        design: {method: sobol, samples: SAMPLES}
        """
    small_experiment = experiment(tmp_path, body.replace("SAMPLES", "8"), "a.yaml")
    assert needs_salib(small_experiment)  # SALib: drawn in a process of its own
    small = uncertainty_samples(small_experiment)
    large = uncertainty_samples(experiment(tmp_path, body.replace("SAMPLES", "16"), "b.yaml"))
    assert small.unit.shape == (8 * (3 + 2), 3)
    np.testing.assert_array_equal(small.unit, large.unit[: len(small.unit)])
    assert small.values == large.values[: len(small.values)]


def test_morris_design_has_trajectories_of_d_plus_one_points(tmp_path):
    exp = experiment(
        tmp_path,
        """\
        parameters:
          households.renter_share: {type: real, low: 0.1, high: 0.5}
          households.propensity_mean: {type: real, low: 0.1, high: 0.5}
        design: {method: morris, trajectories: 5, levels: 4}
        """,
    )
    unit = uncertainty_samples(exp).unit
    assert unit.shape == (5 * 3, 2)
    for t in range(5):
        steps = np.abs(np.diff(unit[t * 3 : t * 3 + 3], axis=0))
        assert ((steps > 0).sum(axis=1) == 1).all()  # one parameter moves per step


def test_csv_design_reads_the_users_points(tmp_path):
    exp = experiment(
        tmp_path,
        """\
        parameters:
          households.renter_share: {type: real, low: 0.1, high: 0.5}
          mechanisms.party_mobilisation.enabled: {type: boolean}
        design: {method: csv, file: points.csv}
        """,
        extra={
            "points.csv": "mechanisms.party_mobilisation.enabled,households.renter_share\n"
            "true,0.2\nfalse,0.45\n"
        },
    )
    plan = make_plan(exp)
    assert plan.design["households.renter_share"].tolist() == [0.2, 0.45]
    assert plan.design["mechanisms.party_mobilisation.enabled"].tolist() == [True, False]


def test_adding_replications_or_points_never_changes_existing_seeds_or_ids(tmp_path):
    body = """\
        parameters:
          households.renter_share: {type: categorical, values: VALUES}
        replications: REPS
        """
    small = make_plan(
        experiment(tmp_path, body.replace("VALUES", "[0.2, 0.3]").replace("REPS", "2"), "a.yaml")
    )
    grown = make_plan(
        experiment(
            tmp_path, body.replace("VALUES", "[0.25, 0.2, 0.3]").replace("REPS", "4"), "b.yaml"
        )
    )
    old = small.runs.set_index("run_id")[["seed", "replication", "point_id"]]
    new = grown.runs.set_index("run_id")[["seed", "replication", "point_id"]]
    assert set(old.index) <= set(new.index)
    assert old.equals(new.loc[old.index])
    assert len(grown.runs) == 12 and grown.runs["run_id"].is_unique


def test_levers_share_seeds_under_common_random_numbers(tmp_path):
    body = """\
        levers:
          mechanisms.party_mobilisation.enabled: {type: boolean}
        parameters:
          households.renter_share: {type: categorical, values: [0.2, 0.3]}
        replications: 3
        common_random_numbers: CRN
        """
    shared = make_plan(experiment(tmp_path, body.replace("CRN", "true"), "a.yaml"))
    merged = shared.runs.merge(shared.design, on=["point_index", "point_id"])
    by_pair = merged.groupby(["sample_id", "replication"])
    assert (by_pair["seed"].nunique() == 1).all()
    assert (by_pair["policy"].nunique() == 2).all()
    assert merged["seed"].nunique() == 2 * 3
    independent = make_plan(experiment(tmp_path, body.replace("CRN", "false"), "b.yaml"))
    assert independent.runs["seed"].nunique() == len(independent.runs)


def test_seeds_are_valid_scenario_seeds_and_ids_hash_scenario_seed_and_version():
    seeds = [run_seed(2**63 - 1, "f" * 16, r) for r in range(50)]
    assert all(0 <= s <= 2**63 - 1 for s in seeds) and len(set(seeds)) == 50
    assert run_seed(1, "ab", 0) == run_seed(1, "ab", 0) != run_seed(2, "ab", 0)
    scenario = {"steps": 5, "seed": 3}
    assert run_id(scenario, 3, "0.1.0") == run_id(dict(scenario), 3, "0.1.0")
    assert run_id(scenario, 3, "0.1.0") != run_id(scenario, 3, "0.1.1")
    assert run_id(scenario, 3, "0.1.0") != run_id({"steps": 6, "seed": 3}, 3, "0.1.0")


def test_identical_points_share_their_runs(tmp_path):
    exp = experiment(
        tmp_path,
        """\
        parameters:
          mechanisms.party_mobilisation.enabled: {type: boolean}
          households.renter_share: {type: real, low: 0.1, high: 0.5}
        design: {method: sobol, samples: 4}
        replications: 2
        """,
    )
    plan = make_plan(exp)
    assert len(plan.runs) == 4 * 4 * 2
    # A Saltelli row that swaps in the same boolean level repeats a point: one run serves both.
    assert plan.runs["run_id"].nunique() == plan.design["point_id"].nunique() * 2
    assert len(plan.unique_runs()) < len(plan.runs)
