"""The built community: counts by level, floor numbering, contiguity and firm allocation."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.scenario.schema import Structure
from sim.world.structure import build_structure, count_in_ranges, group_starts, layout_positions
from tests.strategies import seeds, small_structures

FAST = settings(max_examples=60, deadline=None)


def build(spec: Structure, seed: int):
    return build_structure(spec, np.random.default_rng(seed))


@FAST
@given(spec=small_structures(), seed=seeds)
def test_households_equal_units_times_floors_times_flats_per_floor_summed_over_buildings(
    spec, seed
):
    world = build(spec, seed)
    expected = int((world.building_units * world.building_floors).sum())
    expected *= spec.households_per_floor
    assert world.households == expected
    for array in (world.building, world.unit, world.floor, world.position, world.area):
        assert array.size == expected


@FAST
@given(spec=small_structures(), seed=seeds)
def test_every_level_is_drawn_within_its_configured_range(spec, seed):
    world = build(spec, seed)
    assert world.compounds == spec.compounds
    per_compound = np.bincount(world.building_compound, minlength=spec.compounds)
    assert per_compound.min() >= spec.buildings_per_compound_min
    assert per_compound.max() <= spec.buildings_per_compound_max
    assert world.building_units.min() >= spec.units_per_building_min
    assert world.building_units.max() <= spec.units_per_building_max
    assert world.building_floors.min() >= spec.floors_min
    assert world.building_floors.max() <= spec.floors_max
    assert np.array_equal(np.bincount(world.unit_building), world.building_units)


@FAST
@given(spec=small_structures(), seed=seeds)
def test_compounds_without_a_firm_are_the_rounded_share_of_compounds(spec, seed):
    world = build(spec, seed)
    without = int((~world.compound_has_firm).sum())
    assert without == round(spec.share_without_firm * spec.compounds)


@FAST
@given(spec=small_structures(), seed=seeds)
def test_each_unit_numbers_its_floors_one_to_building_height_with_full_floors(spec, seed):
    world = build(spec, seed)
    per_floor = spec.households_per_floor
    for unit in range(world.units):
        flats = np.flatnonzero(world.unit == unit)
        height = world.building_floors[world.unit_building[unit]]
        assert np.array_equal(world.floor[flats], np.repeat(np.arange(1, height + 1), per_floor))
        assert np.array_equal(world.position[flats], np.tile(np.arange(per_floor), height))


@FAST
@given(spec=small_structures(), seed=seeds)
def test_flat_levels_are_consistent_and_contiguous(spec, seed):
    world = build(spec, seed)
    assert np.array_equal(world.building, world.unit_building[world.unit])
    assert np.array_equal(world.compound, world.building_compound[world.building])
    # flats of each compound, building and unit form one contiguous, ascending block
    for group in (world.compound, world.building, world.unit):
        assert np.all(np.diff(group) >= 0)
        assert np.array_equal(np.unique(group), np.arange(group.max() + 1))


@FAST
@given(spec=small_structures(), seed=seeds)
def test_flat_areas_are_clipped_to_a_plausible_band_around_the_mean(spec, seed):
    world = build(spec, seed)
    assert world.area.min() >= 0.4 * spec.flat_area_mean
    assert world.area.max() <= 2.5 * spec.flat_area_mean


def test_shipped_default_structure_has_s4_firm_split_and_about_3000_households(rng):
    world = build_structure(Structure(compounds=29, share_without_firm=0.62), rng)
    assert int((~world.compound_has_firm).sum()) == 18
    assert 1500 <= world.households <= 4500


def test_same_seed_builds_the_same_community_and_another_seed_does_not():
    spec = Structure(compounds=6)
    a, b, c = build(spec, 3), build(spec, 3), build(spec, 4)
    assert np.array_equal(a.unit, b.unit) and np.array_equal(a.area, b.area)
    assert np.array_equal(a.compound_has_firm, b.compound_has_firm)
    k = min(a.households, c.households)
    assert not np.array_equal(a.area[:k], c.area[:k])


@settings(max_examples=30, deadline=None)
@given(spec=small_structures(), seed=seeds)
def test_layout_stacks_floors_vertically_and_gives_every_flat_its_own_position(spec, seed):
    world = build(spec, seed)
    xy = layout_positions(world)
    assert xy.shape == (world.households, 2)
    assert np.array_equal(xy[:, 1], world.floor.astype(float))
    assert len({(float(x), float(y)) for x, y in xy}) == world.households


@settings(max_examples=20, deadline=None)
@given(compounds=st.integers(1, 40), seed=seeds)
def test_firm_allocation_extremes_share_zero_all_have_firms_share_one_none(compounds, seed):
    all_firms = build(Structure(compounds=compounds, share_without_firm=0.0), seed)
    no_firms = build(Structure(compounds=compounds, share_without_firm=1.0), seed)
    assert all_firms.compound_has_firm.all()
    assert not no_firms.compound_has_firm.any()


@FAST
@given(
    sizes=st.lists(st.integers(1, 6), min_size=1, max_size=30),
    data=st.data(),
)
def test_counts_in_ranges_are_the_counts_by_group(sizes, data):
    group = np.repeat(np.arange(len(sizes)), sizes)
    flag = np.array(data.draw(st.lists(st.booleans(), min_size=group.size, max_size=group.size)))
    starts, _ = group_starts(group, len(sizes))
    expected = np.bincount(group[flag], minlength=len(sizes))
    assert np.array_equal(count_in_ranges(flag, starts), expected)


@FAST
@given(spec=small_structures(), seed=seeds)
def test_values_spread_over_flats_are_the_gathered_values(spec, seed):
    world = build(spec, seed)
    by_compound = np.arange(world.compounds) * 1.5
    by_building = np.arange(world.buildings) - 3
    assert np.array_equal(world.of_compound(by_compound), by_compound[world.compound])
    assert np.array_equal(world.of_building(by_building), by_building[world.building])
    flag = np.arange(world.households) % 3 == 0
    assert np.array_equal(
        world.count_by_building(flag), np.bincount(world.building[flag], minlength=world.buildings)
    )
