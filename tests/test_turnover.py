"""Turnover and the per-compound queries the monthly settlement reads."""

import numpy as np

from sim.dynamics.turnover import MoveOutChances
from sim.model import CommunityModel
from sim.scenario.loader import load_scenario
from tests.conftest import SMALL


def test_move_out_chances_follow_tenure_and_the_rates_in_force(small_model):
    hh, spec = small_model.households, small_model.params.households
    chances = MoveOutChances(hh.is_owner)
    weekly = chances.of(spec)
    assert np.all(weekly[hh.is_owner] == spec.owner_turnover_per_year / 52.0)
    assert np.all(weekly[~hh.is_owner] == spec.renter_turnover_per_year / 52.0)
    faster = spec.model_copy(update={"renter_turnover_per_year": 5.0})
    assert np.all(chances.of(faster)[~hh.is_owner] == 5.0 / 52.0)


def test_flat_above_is_in_the_same_stairwell_unit(small_model):
    world, per_floor = small_model.world, small_model.households_per_floor
    has_above = small_model.world.has_flat_above
    below = np.flatnonzero(has_above)
    assert np.all(world.unit[below + per_floor] == world.unit[below])
    assert np.all(world.floor[below + per_floor] == world.floor[below] + 1)
    top = np.flatnonzero(~has_above)
    top_floor = world.building_floors[world.building[top]]
    assert np.all(world.floor[top] == top_floor)


def test_collection_of_each_compound_is_the_share_of_its_billed_who_paid():
    model = CommunityModel(load_scenario("default", SMALL), seed=3)
    for _ in range(9):
        model.step()
        billing, compound = model.last_billing, model.world.compound
        for c, rate in enumerate(model.last_billing.collection_by_compound(model.world).tolist()):
            billed = billing.billed[compound == c]
            paid = billing.paid[compound == c] & billed
            assert rate == (paid.sum() / billed.sum() if billed.any() else 0.0)


def test_flats_of_a_compound_are_its_range(small_model):
    compound = small_model.world.compound
    for c in range(small_model.world.compounds):
        assert (
            small_model.world.flats_of_compound(c).tolist()
            == np.flatnonzero(compound == c).tolist()
        )
