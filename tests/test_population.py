"""Households in the flats: one each, Party roles per building, traits in range."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.scenario.schema import Households
from sim.state import BUILDING_HEAD, CENTRAL_HOUSEHOLD, NO_ROLE, PARTY_MEMBER
from sim.world.population import populate, top_in_ranges
from sim.world.structure import build_structure
from tests.strategies import household_specs, seeds, small_structures

FAST = settings(max_examples=60, deadline=None)


def populated(structure, households, seed):
    rng = np.random.default_rng(seed)
    world = build_structure(structure, rng)
    return world, populate(households, world, rng)


@FAST
@given(structure=small_structures(), households=household_specs(), seed=seeds)
def test_every_building_has_exactly_one_building_head(structure, households, seed):
    world, hh = populated(structure, households, seed)
    heads = np.bincount(world.building[hh.role == BUILDING_HEAD], minlength=world.buildings)
    assert np.all(heads == 1)


@FAST
@given(structure=small_structures(), households=household_specs(), seed=seeds)
def test_central_households_are_party_members_at_most_the_configured_number_per_building(
    structure, households, seed
):
    world, hh = populated(structure, households, seed)
    central = hh.role == CENTRAL_HOUSEHOLD
    assert hh.is_party[central].all()
    per_building = np.bincount(world.building[central], minlength=world.buildings)
    assert per_building.max(initial=0) <= households.central_households_per_building


@FAST
@given(structure=small_structures(), households=household_specs(), seed=seeds)
def test_building_head_is_a_party_member_wherever_one_lives_in_the_building(
    structure, households, seed
):
    world, hh = populated(structure, households, seed)
    has_party = np.bincount(world.building, weights=hh.is_party, minlength=world.buildings) > 0
    head = np.flatnonzero(hh.role == BUILDING_HEAD)
    head_is_party = np.zeros(world.buildings, dtype=bool)
    head_is_party[world.building[head]] = hh.is_party[head]
    assert np.array_equal(head_is_party, has_party)


@FAST
@given(structure=small_structures(), households=household_specs(), seed=seeds)
def test_roles_match_party_membership(structure, households, seed):
    world, hh = populated(structure, households, seed)
    assert np.all(hh.is_party[hh.role == PARTY_MEMBER])
    assert not np.any(hh.is_party[hh.role == NO_ROLE])
    assert set(np.unique(hh.role)) <= {NO_ROLE, PARTY_MEMBER, BUILDING_HEAD, CENTRAL_HOUSEHOLD}


def test_central_households_fill_the_quota_where_enough_party_members_live(rng):
    from sim.scenario.schema import Structure

    world = build_structure(Structure(compounds=4), rng)
    hh = populate(Households(party_member_share=1.0, central_households_per_building=2), world, rng)
    per_building = np.bincount(world.building[hh.role == CENTRAL_HOUSEHOLD])
    assert np.all(per_building == 2)


@FAST
@given(structure=small_structures(), households=household_specs(), seed=seeds)
def test_one_household_per_flat_with_ids_one_to_n_and_bounded_traits(structure, households, seed):
    world, hh = populated(structure, households, seed)
    n = world.households
    assert hh.size == n
    assert np.array_equal(hh.household_id, np.arange(1, n + 1))
    for name in ("propensity", "threshold", "expectation", "trust_firm", "trust_committee"):
        values = getattr(hh, name)
        assert np.all((values >= 0) & (values <= 1)), name
    assert np.all(hh.income > 0)
    assert not hh.in_dispute.any() and np.all(hh.grievance == 0) and np.all(hh.fees_paid == 0)


def test_renter_share_sets_the_share_of_renting_households(rng):
    from sim.scenario.schema import Structure

    world = build_structure(Structure(compounds=20), rng)
    hh = populate(Households(renter_share=0.35), world, rng)
    assert abs((~hh.is_owner).mean() - 0.35) < 0.05


@FAST
@given(
    sizes=st.lists(st.integers(1, 12), min_size=1, max_size=8),
    levels=st.integers(1, 4),
    count=st.integers(1, 5),
    seed=seeds,
)
def test_top_in_ranges_ranks_as_a_sort_within_each_range(sizes, levels, count, seed):
    """Each rank holds, per range, the entry a stable sort by descending score puts there (few
    distinct scores, so that ties are common)."""
    rng = np.random.default_rng(seed)
    sizes = np.array(sizes)
    starts = np.cumsum(sizes) - sizes
    score = rng.integers(0, levels, sizes.sum()).astype(float)
    owner = np.repeat(np.arange(sizes.size), sizes)
    order = np.lexsort((-score, owner))
    rank = np.arange(order.size) - starts[owner[order]]
    ranked = top_in_ranges(score, starts, sizes, count)
    assert len(ranked) == count
    for r, positions in enumerate(ranked):
        assert np.array_equal(positions, order[rank == r])
