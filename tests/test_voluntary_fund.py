"""The voluntary fund (DOMAIN pattern 8: meetings raise contributions; without them they decay).

Runs of 80 weeks (18 monthly rounds) in communities of one and of three compounds, over seeds,
each claim against the contrast that must break it: perfect conditional cooperation (b = 1)
for the decay, no meetings for holding up.

Each fund settles at the fixed point of its own drawn types, (s_c a + s_u) / (1 - s_c b), not at
the population's: with b = 1 a fund of a few dozen households moves from its first round by
about s_c / (1 - s_c) times its types' deviation from the population shares, up or down, and
turnover redraws types as it goes. Measured over seeds 1-20 (b = 1): the relative fall of one
run has a spread (sd) of 0.084 in one compound and 0.049 in three, around a mean of 0.025 and
-0.007 (a Monte Carlo of the rule alone gives -0.01 for funds of 36: no decay), so pooled
claims use ten seeds, and the no-decay claim is checked exactly against each fund's own fixed
point.
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

SEEDS = tuple(range(1, 11))
SIZES = ("structure.compounds=1", "structure.compounds=3")
FUND = "mechanisms.voluntary_fund"
SETTINGS = {
    "no_meetings": (),
    "building_meetings": ("mechanisms.building_meetings.enabled=true",),
    "joint_meetings": ("mechanisms.joint_meetings.enabled=true",),
    "perfect_conditional": (f"{FUND}.conditional_slope=1",),
}
#: The same without turnover, so that each fund keeps the types it drew at its first round.
STAYING = ("households.renter_turnover_per_year=0", "households.owner_turnover_per_year=0")
SETTINGS |= {f"{name}, no turnover": (*extra, *STAYING) for name, extra in list(SETTINGS.items())}
#: Least relative fall from the first round to the last three, without meetings.
DECAY = 0.07
#: Most relative fall allowed where contributions hold up; least gap over no meetings at the end.
HOLD, MARGIN = 0.02, 0.08
#: Most relative gap between the last three rounds and the fixed point of the funds' own types,
#: without turnover. A household observes the others only, so a conditional cooperator settles
#: about a s_c / (n (1 - s_c)) below the fixed point: 0.5% of the share for funds of 36
#: (measured with b = 1 over seeds 1-20 in one compound: 0.52% +- 0.14%). With turnover the
#: gap's spread over seeds is 2.4% (beliefs catch up on newcomers' types over a few rounds).
AT_FIXED_POINT = 0.01


def fixed_point_share(model: CommunityModel, slope: float) -> float:
    """Mean contribution share at which each fund's own types would hold still with
    conditional slope `slope` (E = cbar, c = clip(a + slope E) for conditional cooperators),
    averaged over the households."""
    fund = model.voluntary_fund
    group, groups = fund.fund_of()
    sizes = np.bincount(group, minlength=groups)
    s_c = np.bincount(group, weights=fund.types == CONDITIONAL, minlength=groups) / sizes
    s_u = np.bincount(group, weights=fund.types == UNCONDITIONAL, minlength=groups) / sizes
    base = fund.spec.conditional_base
    with np.errstate(divide="ignore", invalid="ignore"):
        level = (s_c * base + s_u) / (1.0 - s_c * slope)
    capped = (s_c * slope >= 1) | (base + slope * level > 1)
    level = np.where(capped, s_c + s_u, level)
    return float(level @ sizes / sizes.sum())


@cache
def runs(size: str, setting: str) -> tuple[np.ndarray, float, float]:
    """Mean contribution share of every round, and the fixed-point shares of the funds' types
    at the end with the run's own slope and with perfect matching (b = 1), over the seeds
    (three where nobody moves: the checks there are exact up to 0.2%)."""
    series, own, matching = [], [], []
    for seed in SEEDS[:3] if setting.endswith("no turnover") else SEEDS:
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
        own.append(fixed_point_share(model, model.voluntary_fund.spec.conditional_slope))
        matching.append(fixed_point_share(model, 1.0))
    return np.mean(series, axis=0), float(np.mean(own)), float(np.mean(matching))


def rounds(size: str, setting: str) -> np.ndarray:
    """Mean contribution share of every round, averaged over the seeds."""
    return runs(size, setting)[0]


def shortfall(size: str, setting: str, slope: str) -> float:
    """Relative gap of the last three rounds below the funds' fixed point (`own` slope or
    perfect `matching`)."""
    shares, own, matching = runs(size, setting)
    return 1.0 - shares[-3:].mean() / (own if slope == "own" else matching)


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
    """Contrast: with b = 1 the decay claim fails, and the funds end where their own types hold
    still, not below."""
    steady = rounds(size, "perfect_conditional")
    assert fall(steady) < DECAY, steady.round(3)
    setting = "perfect_conditional, no turnover"
    assert abs(shortfall(size, setting, "matching")) < AT_FIXED_POINT, runs(size, setting)


@pytest.mark.parametrize("size", SIZES)
def test_imperfect_conditional_cooperators_end_below_where_matching_would_hold(size):
    """Contrast for the one above: with b < 1 the same check fails by far."""
    setting = "no_meetings, no turnover"
    assert shortfall(size, setting, "matching") > DECAY, runs(size, setting)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("setting", ["no_meetings", "perfect_conditional"])
def test_without_meetings_each_fund_settles_at_the_fixed_point_of_its_own_types(size, setting):
    setting = f"{setting}, no turnover"
    assert abs(shortfall(size, setting, "own")) < AT_FIXED_POINT, runs(size, setting)


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
