"""Chance events drawn by occurrences: the same law as one uniform per entry."""

import numpy as np
import pytest

from sim.dynamics.events import SPARSE_UP_TO, occurrences


def test_common_events_take_one_uniform_per_entry():
    chance = np.linspace(0.0, 0.5, 1000)
    drawn = occurrences(np.random.default_rng(4), chance)
    expected = np.flatnonzero(np.random.default_rng(4).random(1000) < chance)
    assert np.array_equal(drawn, expected)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_rare_events_of_one_chance_have_the_binomial_count_and_fall_anywhere(seed):
    rng, n, chance, draws = np.random.default_rng(seed), 5000, 0.004, 4000
    hits = np.zeros(n, dtype=np.int64)
    counts = []
    for _ in range(draws):
        events = occurrences(rng, chance, n)
        assert np.all(np.diff(events) > 0) and (events.size == 0 or events[-1] < n)
        hits[events] += 1
        counts.append(events.size)
    mean, sd = n * chance, np.sqrt(n * chance * (1 - chance))
    assert abs(np.mean(counts) - mean) < 4 * sd / np.sqrt(draws)
    assert abs(np.std(counts) - sd) < 0.1 * sd
    # every tenth of the entries gets its share of the events (4 standard errors)
    per_tenth = hits.reshape(10, -1).sum(axis=1)
    expected = draws * mean / 10
    assert np.all(np.abs(per_tenth - expected) < 4 * np.sqrt(expected))


@pytest.mark.parametrize("seed", [1, 2])
def test_rare_events_of_many_chances_give_each_entry_its_own(seed):
    chance = np.tile([0.0, 0.002, 0.01, SPARSE_UP_TO], 5)
    rng, draws = np.random.default_rng(seed), 60_000
    hits = np.zeros(chance.size, dtype=np.int64)
    for _ in range(draws):
        hits[occurrences(rng, chance)] += 1
    expected = draws * chance
    assert np.all(hits[chance == 0] == 0)
    live = chance > 0
    assert np.all(np.abs(hits[live] - expected[live]) < 4.5 * np.sqrt(expected[live]))


def test_nothing_to_draw_from():
    rng = np.random.default_rng(0)
    assert occurrences(rng, 0.01, 0).size == 0
    assert occurrences(rng, np.zeros(0)).size == 0
    assert occurrences(rng, 0.0, 100).size == 0
    assert occurrences(rng, 1.0, 5).tolist() == [0, 1, 2, 3, 4]


def the_recipe(rng, chance, size=None):
    """The docstring's recipe, every step taken even when it draws nothing."""
    per_entry = np.ndim(chance) > 0
    n = np.size(chance) if per_entry else size
    top = float(np.max(chance)) if per_entry else float(chance)
    count = int(rng.binomial(n, top))
    candidates = np.sort(rng.choice(n, size=count, replace=False, shuffle=False))
    if not per_entry:
        return candidates
    return candidates[rng.random(count) * top < np.asarray(chance)[candidates]]


@pytest.mark.parametrize("per_entry", [False, True], ids=["one chance", "a chance each"])
def test_rare_events_take_the_numbers_the_recipe_takes_also_when_none_happens(per_entry):
    chance = np.linspace(0.0, 0.001, 300) if per_entry else 0.0005
    ours, recipe = np.random.default_rng(9), np.random.default_rng(9)
    happened = 0
    for _ in range(500):
        drawn = occurrences(ours, chance, None if per_entry else 300)
        assert np.array_equal(drawn, the_recipe(recipe, chance, 300))
        happened += drawn.size > 0
    assert 0 < happened < 500  # both cases were met
    assert ours.random() == recipe.random()
