"""One implementation of intervals over seeds: t and bootstrap, none from one seed, bounded rates."""

import numpy as np
from scipy import stats

from sim.counterfactual import compare, counterfactual_scenario
from sim.intervals import bootstrap_interval, bounds_of, mean_interval
from sim.scenario.loader import load_scenario


def test_mean_interval_is_students_t_interval():
    values = np.array([0.31, 0.36, 0.29, 0.41, 0.33])
    ci = mean_interval(values)
    low, high = stats.t.interval(0.95, 4, loc=values.mean(), scale=stats.sem(values))
    assert (ci.low, ci.high) == (low, high)
    assert ci.text() == f"{values.mean():.3f} [{low:.3f}, {high:.3f}]"


def test_one_seed_gives_no_interval_and_says_so():
    ci = mean_interval([0.4])
    assert not ci.exists and np.isnan(ci.low) and np.isnan(ci.high)
    assert ci.text() == "0.400 (no interval from 1 seed)"
    assert all(np.isnan(bootstrap_interval([0.4], 100)))


def test_rates_keep_their_intervals_inside_their_bounds():
    values = [0.02, 0.01, 0.95]  # two runs near zero, one near one: the t interval spills over
    unbounded = mean_interval(values)
    assert unbounded.low < 0 and unbounded.high > 1
    bounded = mean_interval(values, bounds=bounds_of("last_year.fee_collection_rate"))
    assert (bounded.low, bounded.high) == (0.0, 1.0)
    assert bounds_of("trust_firm") == (0.0, 1.0)
    assert bounds_of("participation_rate", difference=True) == (-1.0, 1.0)
    assert bounds_of("firm_exits") is None
    low, high = bootstrap_interval(values, 300, bounds=(0.0, 1.0))
    assert 0.0 <= low <= high <= 1.0


def test_bootstrap_interval_is_reproducible_and_covers_the_mean():
    values = np.random.default_rng(3).normal(0.5, 0.1, 12)
    first = bootstrap_interval(values, 500, seed=7)
    assert first == bootstrap_interval(values, 500, seed=7)
    assert first[0] < values.mean() < first[1]


def test_counterfactual_with_one_seed_reports_no_interval():
    scenario = load_scenario("fee_spiral", ["steps=6"])
    other = counterfactual_scenario(scenario, ["households.initial_trust_firm=0.6"], "test")
    report = compare(scenario, other, [1], ["households.initial_trust_firm=0.6"])
    effect = report["effects"]["fee_collection_rate"]
    assert effect["ci95_low"] is None and effect["ci95_high"] is None
    two = compare(scenario, other, [1, 2], ["households.initial_trust_firm=0.6"])
    low, high = (
        two["effects"]["fee_collection_rate"]["ci95_low"],
        two["effects"]["fee_collection_rate"]["ci95_high"],
    )
    assert -1.0 <= low <= high <= 1.0
