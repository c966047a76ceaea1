"""The voluntary fund (DOMAIN pattern 8: meetings raise contributions; without them they decay).

Runs of 80 weeks (18 monthly rounds) in communities of one and of three compounds, over seeds,
each claim against the contrast that must break it: perfect conditional cooperation (b = 1)
for the decay, no meetings for holding up.
"""

from functools import cache

import numpy as np
import pytest

from sim.mechanisms.records import MeetingRecord
from sim.mechanisms.voluntary_fund import (
    CONDITIONAL,
    FREE_RIDER,
    UNCONDITIONAL,
    contribution_shares,
    draw_types,
    others_mean,
)
from sim.model import CommunityModel
from sim.runner import simulate
from sim.scenario.loader import load_scenario
from sim.scenario.voluntary_fund_params import VoluntaryFund

SEEDS = (1, 2, 3)
SIZES = ("structure.compounds=1", "structure.compounds=3")
FUND = "mechanisms.voluntary_fund"
SETTINGS = {
    "no_meetings": (),
    "building_meetings": ("mechanisms.building_meetings.enabled=true",),
    "joint_meetings": ("mechanisms.joint_meetings.enabled=true",),
    "perfect_conditional": (f"{FUND}.conditional_slope=1",),
}
#: Least relative fall from the first round to the last three, without meetings.
DECAY = 0.07
#: Most relative fall allowed where contributions hold up; least gap over no meetings at the end.
HOLD, MARGIN = 0.02, 0.08


@cache
def rounds(size: str, setting: str) -> np.ndarray:
    """Mean contribution share of every round, averaged over the seeds."""
    series = []
    for seed in SEEDS:
        scenario = load_scenario(
            "default",
            [f"seed={seed}", size, "steps=80", f"{FUND}.enabled=true", *SETTINGS[setting]],
        )
        result = simulate(scenario)
        model = result.model
        share = result.timeseries["fund_contribution_share"].to_numpy()
        round_ends = np.flatnonzero(np.diff(result.timeseries["fund_raised"].to_numpy()) > 0) + 1
        assert round_ends.size == model.voluntary_fund.rounds
        series.append(share[round_ends])
    return np.mean(series, axis=0)


def fall(values: np.ndarray) -> float:
    """Relative fall from the first round to the mean of the last three."""
    return 1.0 - values[-3:].mean() / values[0]


@pytest.mark.parametrize("size", SIZES)
def test_without_meetings_contributions_decay_over_rounds(size):
    decaying = rounds(size, "no_meetings")
    assert fall(decaying) >= DECAY, decaying.round(3)
    assert decaying[-1] < decaying[:3].min(), decaying.round(3)


@pytest.mark.parametrize("size", SIZES)
def test_perfect_conditional_cooperators_do_not_decay(size):
    """Contrast: with b = 1 the decay claim fails."""
    steady = rounds(size, "perfect_conditional")
    assert fall(steady) < DECAY, steady.round(3)
    assert abs(fall(steady)) < 0.03, steady.round(3)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("meetings", ["building_meetings", "joint_meetings"])
def test_with_meetings_contributions_hold_up(size, meetings):
    held = rounds(size, meetings)
    without = rounds(size, "no_meetings")
    assert fall(held) <= HOLD, held.round(3)
    assert held[-3:].mean() >= without[-3:].mean() + MARGIN, (held.round(3), without.round(3))


@pytest.mark.parametrize("size", SIZES)
def test_without_meetings_contributions_do_not_hold_up(size):
    """Contrast: the holding-up claim fails when meetings are off."""
    without = rounds(size, "no_meetings")
    assert fall(without) > HOLD, without.round(3)


def test_the_fund_is_off_by_default_and_then_reports_nothing():
    result = simulate(load_scenario("default", ["seed=1", "structure.compounds=1", "steps=20"]))
    assert (result.timeseries["fund_contribution_share"] == 0).all()
    assert (result.timeseries["fund_raised"] == 0).all()
    assert result.model.voluntary_fund.rounds == 0


# --- the rules, one by one -----------------------------------------------------------------


def test_contributions_follow_the_types():
    spec = VoluntaryFund(conditional_base=0.1, conditional_slope=0.6)
    types = np.array([FREE_RIDER, CONDITIONAL, CONDITIONAL, UNCONDITIONAL])
    belief = np.array([0.9, 0.0, 0.5, 0.0])
    np.testing.assert_allclose(contribution_shares(types, belief, spec), [0, 0.1, 0.4, 1.0])


def test_types_come_in_the_literature_shares():
    types = draw_types(20_000, VoluntaryFund(), np.random.default_rng(3))
    shares = np.bincount(types, minlength=3) / types.size
    np.testing.assert_allclose(shares, [0.3, 0.5, 0.2], atol=0.015)


def test_a_household_observes_the_others_of_its_fund_only():
    values = np.array([1.0, 0.0, 0.5, 0.2])
    group = np.array([0, 0, 0, 1])
    np.testing.assert_allclose(others_mean(values, group, 2), [0.25, 0.75, 0.5, 0.2])


def test_a_meeting_lifts_the_expectations_of_its_building_or_compound_only():
    model = CommunityModel(
        load_scenario(
            "default",
            ["seed=2", "structure.compounds=2", f"{FUND}.enabled=true", f"{FUND}.meeting_lift=1"],
        )
    )
    fund, world = model.voluntary_fund, model.world
    fund.month()  # the first round: types drawn
    before = fund.belief.copy()
    model.meetings.add(
        MeetingRecord(1, "building", 0, 0, "building_head+residents", 5, 0, 0, 0, "")
    )
    model.meetings.add(MeetingRecord(1, "joint_three_party", 1, -1, "x", 5, 0, 0, 0, ""))
    fund.month()
    lifted = (world.building == 0) | (world.compound == 1)
    # lifted to 1, then moved halfway toward what the others gave
    assert (fund.belief[lifted] > before[lifted]).all()
    assert fund.belief[lifted].min() > fund.belief[~lifted].max()
