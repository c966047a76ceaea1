"""Governance institutions: joint meetings, building meetings, the remuneration contract.

Pattern tests run over fixed seeds with stated tolerances; each compares against a contrast run
(same community and seeds) so that it can fail.
"""

import copy

import numpy as np
import pandas as pd
import pytest
from scipy.special import logit

from sim.mechanisms.joint_meetings import Agendas
from sim.model import CommunityModel
from sim.runner import simulate
from sim.scenario.loader import ScenarioError, load_scenario

SEEDS = range(1, 6)
JOINT = "mechanisms.joint_meetings.enabled=true"


def run(name: str, *overrides: str, seed: int):
    return simulate(load_scenario(name, [f"seed={seed}", *overrides]))


def first_week_at_or_above(series: pd.Series, level: float) -> int:
    """First step at which a series reaches a level (a large number if never)."""
    hits = np.flatnonzero(series.to_numpy() >= level)
    return int(hits[0]) if hits.size else 10**6


# --- joint meetings and investing first (S2) ---------------------------------------------


@pytest.fixture(scope="module")
def spiral_with_meetings():
    return [
        run("fee_spiral", JOINT, "mechanisms.joint_meetings.commitment_kept=1", seed=s).timeseries
        for s in SEEDS
    ]


def test_joint_meetings_with_a_firm_investing_first_lift_collection_past_85_percent_in_2_years(
    spiral_with_meetings,
):
    """DOMAIN pattern 2: from the 20-30% trap to 85%+ within two years (S2: >95%)."""
    best = [ts["fee_collection_rate"].iloc[: 104 + 1].max() for ts in spiral_with_meetings]
    assert min(best) > 0.85, f"best collection within 2 years per seed: {np.round(best, 3)}"


def test_service_quality_rises_before_payment_does(spiral_with_meetings):
    """S2: owners paid of their own accord only after the investment showed."""
    for ts in spiral_with_meetings:
        quality_week = first_week_at_or_above(ts["service_quality"], 0.7)
        payment_week = first_week_at_or_above(ts["fee_collection_rate"], 0.7)
        assert quality_week < payment_week < 10**6, (quality_week, payment_week)


def test_a_broken_commitment_leaves_the_compound_in_the_trap():
    """Contrast: the same meetings with a firm that breaks its word do not break the spiral."""
    for seed in range(1, 4):
        ts = run(
            "fee_spiral", JOINT, "mechanisms.joint_meetings.commitment_kept=0", seed=seed
        ).timeseries
        assert ts["fee_collection_rate"].iloc[53:105].mean() < 0.5


def test_firms_do_not_leave_while_the_residents_committee_stands_guarantor(spiral_with_meetings):
    for ts in spiral_with_meetings:
        assert ts["firm_commitments"].iloc[-1] >= 1
        assert ts["firm_exits"].iloc[:80].max() == 0


# --- five-party, three-party, no meetings (S3) ---------------------------------------------


def cross_party_settled_within(overrides: list[str], weeks: int) -> float:
    """Pooled over seeds: share of closed cross-party disputes resolved within `weeks`."""
    frames = []
    for seed in SEEDS:
        scenario = load_scenario(
            "default", ["structure.compounds=8", "steps=156", f"seed={seed}", *overrides]
        )
        frames.append(simulate(scenario).disputes)
    disputes = pd.concat(frames)
    closed = disputes[
        disputes["kind"].isin(["parking", "illegal_structure"])
        & ~disputes["stage"].isin(["bilateral", "mediation"])
    ]
    fast = (closed["stage"] == "resolved") & (closed["weeks_open"] <= weeks)
    return float(fast.mean())


def test_five_party_meetings_settle_cross_party_disputes_faster_than_three_party_than_none():
    """S3: parking and illegal structures need police and city management at the table."""
    none = cross_party_settled_within([], 8)
    three = cross_party_settled_within([JOINT], 8)
    five = cross_party_settled_within([JOINT, "mechanisms.joint_meetings.form=five_party"], 8)
    assert five > three + 0.05 and three > none + 0.05, (none, three, five)


def test_meetings_record_their_parties_and_settlements():
    result = run(
        "default",
        "structure.compounds=3",
        "steps=30",
        JOINT,
        "mechanisms.joint_meetings.form=five_party",
        seed=1,
    )
    meetings = result.meetings
    assert len(meetings) == 3 * (30 // 4)
    assert set(meetings["kind"]) == {"joint_five_party"}
    assert meetings["parties"].str.contains("police").all()
    assert (meetings["settled"] <= meetings["items"]).all()
    assert (meetings["items"] <= 8).all()


def test_a_round_of_joint_meetings_draws_as_if_held_compound_by_compound():
    model = CommunityModel(load_scenario("default", ["structure.compounds=4", JOINT]), seed=1)
    compound, place = np.array([0, 0, 2, 3, 3, 3]), np.array([0, 1, 0, 0, 1, 2])
    items, asked = np.bincount(compound, minlength=4), [2, 3]
    agendas = Agendas(rows=np.arange(compound.size), compound=compound, place=place)
    one_by_one = copy.deepcopy(model.rng)
    settle, commitment, hear = model.joint_meetings.draws(agendas, items, asked)
    starts, sizes = model.world.compound_starts, model.world.compound_flats
    for c in range(4):
        assert np.array_equal(settle[compound == c], one_by_one.random(items[c]))
        if c in asked:
            assert commitment[asked.index(c)] == one_by_one.random()
        assert np.array_equal(hear[starts[c] : starts[c] + sizes[c]], one_by_one.random(sizes[c]))


# --- building meetings and turnover (S1) -----------------------------------------------------

SETTLED = ["households.renter_share=0.1", "households.renter_turnover_per_year=0.1"]


FADE_WEEKS = 26  # how long after the meetings stop the fade is measured
MEETINGS_STOP = 104  # building meetings run for two years
#: The gap in participation gain between the two places varies much from seed to seed (about
#: 0.21 on the logit scale, mean about 0.13 over seeds 1-30), so it is taken over 20 seeds.
GAIN_SEEDS = range(1, 21)


def school_district(overrides: list[str], seed: int, steps: int) -> CommunityModel:
    """A small school-district community (4 compounds)."""
    scenario = load_scenario(
        "school_district", ["structure.compounds=4", f"steps={steps}", f"seed={seed}", *overrides]
    )
    return CommunityModel(scenario)


def participation_gain(extra: list[str], seed: int) -> float:
    """The gain in logit participation in the second year of building meetings."""
    rates = []
    for meetings in ("true", "false"):
        model = school_district(
            [*extra, f"mechanisms.building_meetings.enabled={meetings}"], seed, MEETINGS_STOP
        )
        model.run()
        series = model.datacollector.get_model_vars_dataframe()["participation_rate"]
        rates.append(series.to_numpy()[52:MEETINGS_STOP].mean())
    return float(logit(rates[0]) - logit(rates[1]))


def engagement_kept(extra: list[str], seed: int) -> float:
    """The share of the engagement households held when building meetings stopped that is
    still held FADE_WEEKS later."""
    model = school_district(extra, seed, MEETINGS_STOP + FADE_WEEKS)
    held = {}
    for week in range(1, MEETINGS_STOP + FADE_WEEKS + 1):
        if week == MEETINGS_STOP:
            model.building_meetings.events.stop()
        if week in (MEETINGS_STOP, MEETINGS_STOP + FADE_WEEKS):
            held[week] = model.households.engagement.sum()
        model.step()
    start = held[MEETINGS_STOP]
    return float(held[MEETINGS_STOP + FADE_WEEKS] / start) if start else 0.0


@pytest.fixture(scope="module")
def meeting_gains():
    """Per seed of GAIN_SEEDS, the participation gain where renters move on and where few do."""
    return {
        "school_district": [participation_gain([], seed) for seed in GAIN_SEEDS],
        "settled": [participation_gain(SETTLED, seed) for seed in GAIN_SEEDS],
    }


@pytest.fixture(scope="module")
def engagement_held():
    """Per seed, the share of engagement still held 6 months after meetings stop."""
    return {
        "school_district": [engagement_kept([], seed) for seed in SEEDS],
        "settled": [engagement_kept(SETTLED, seed) for seed in SEEDS],
    }


def test_building_meetings_raise_participation(meeting_gains):
    gains = meeting_gains["school_district"]
    assert min(gains) > 0.2, f"logit participation gain per seed: {np.round(gains, 2)}"


def test_building_meeting_effect_is_weaker_where_renters_move_on(meeting_gains):
    """S1: families who rent near the school move on and take their engagement with them, so
    meetings raise participation less there than in a settled compound.

    Over seeds 1-30 the gap in logit gain is about 0.13, with a spread of about 0.21 between
    seeds; over the 20 seeds here the mean gap has a standard error of about 0.05, so a gap of
    0.05 is asked for (it would be missed about 14 times in 100 were there no gap at all).
    """
    high, low = meeting_gains["school_district"], meeting_gains["settled"]
    gap = np.mean(low) - np.mean(high)
    assert gap > 0.05, f"mean gap {gap:.3f}; per seed {np.round(np.subtract(low, high), 2)}"


def test_building_meeting_effect_fades_faster_where_renters_move_on(engagement_held):
    """S1: after the meetings stop, engagement decays at the same weekly rate in both places,
    but where renters move on a smaller share of it is still held 6 months later, since leavers
    take theirs with them (about 0.86 of households stay against 0.97 in a settled compound).
    The participation gap left 6 months on is too small against seed-to-seed noise at this
    size to be checked here (about 0.05 on the logit ratio, with a standard error of about 0.05
    over 20 seeds).
    """
    high_kept, low_kept = engagement_held["school_district"], engagement_held["settled"]
    assert max(high_kept) < min(low_kept), (high_kept, low_kept)
    assert np.mean(high_kept) < 0.95 * np.mean(low_kept), (high_kept, low_kept)


def test_building_meetings_produce_proposals_and_none_without_them():
    on = run("school_district", "steps=104", seed=1)
    off = run("school_district", "steps=104", "mechanisms.building_meetings.enabled=false", seed=1)
    assert on.timeseries["proposals_raised"].iloc[-1] > 0
    assert off.timeseries["proposals_raised"].iloc[-1] == 0
    building = on.meetings[on.meetings["kind"] == "building"]
    assert building["proposals"].sum() == on.timeseries["proposals_raised"].iloc[-1]


# --- the remuneration contract (S0) ----------------------------------------------------------


@pytest.fixture(scope="module")
def remuneration_runs():
    return [run("remuneration_contract", seed=s) for s in SEEDS]


def test_remuneration_contract_is_voted_in_under_the_civil_code_rule(remuneration_runs):
    for result in remuneration_runs:
        votes = result.votes
        assert votes["passed"].sum() == 1
        passed = votes[votes["passed"]].iloc[0]
        assert passed["turnout"] >= 2 / 3 * passed["eligible"]
        assert passed["yes_headcount"] > passed["turnout"] / 2
        assert passed["yes_area_share"] > 0.5


def test_remuneration_contract_sustains_collection_near_the_top(remuneration_runs):
    """DOMAIN pattern 3 (S0: 100% for five years)."""
    last_year = [r.timeseries["fee_collection_rate"].iloc[-52:].mean() for r in remuneration_runs]
    assert min(last_year) >= 0.93, np.round(last_year, 3)


def test_without_the_contract_the_same_compound_stays_low():
    for seed in range(1, 4):
        ts = run(
            "remuneration_contract", "mechanisms.remuneration_contract.enabled=false", seed=seed
        ).timeseries
        assert ts["fee_collection_rate"].iloc[-52:].mean() < 0.5


def test_owners_fund_grows_and_pays_for_upgrades(remuneration_runs):
    for result in remuneration_runs:
        ts = result.timeseries
        assert ts["upgrades_funded"].iloc[-1] >= 1
        assert ts["owners_fund"].iloc[-1] >= 0
        for terms in result.model.remuneration.terms.values():
            spent = terms.costs_paid + terms.firm_pay + terms.upgrades_spent
            assert terms.fund == pytest.approx(terms.fees_in - spent)


# --- escalations ---------------------------------------------------------------------------


def test_escalations_concentrate_in_compounds_with_the_worst_service():
    """DOMAIN pattern 10: compounds with worse service escalate more per household."""
    for seed in range(1, 4):
        result = run("no_mechanisms", "structure.compounds=12", "steps=156", seed=seed)
        model = result.model
        escalated = result.disputes.loc[result.disputes["stage"] == "escalated", "compound"]
        per_household = np.bincount(escalated, minlength=model.world.compounds)
        per_household = per_household / model.compound_households
        correlation = np.corrcoef(model.compounds.service_quality, per_household)[0, 1]
        assert correlation < -0.3, f"seed {seed}: correlation {correlation:.2f}"


def test_joint_meetings_take_escalations_out_of_the_failing_compound():
    """Where meetings are absent the failing compound escalates; with them it mostly does not."""
    for seed in range(1, 4):
        without = run("fee_spiral", seed=seed).timeseries["disputes_escalated"].iloc[-1]
        with_meetings = (
            run("fee_spiral", JOINT, seed=seed).timeseries["disputes_escalated"].iloc[-1]
        )
        assert with_meetings < 0.5 * without, (with_meetings, without)


# --- validation ----------------------------------------------------------------------------


def test_unknown_joint_meeting_form_is_rejected_with_the_allowed_forms():
    with pytest.raises(ScenarioError) as error:
        load_scenario("default", ["mechanisms.joint_meetings.form=seven_party"])
    assert "mechanisms.joint_meetings.form" in str(error.value)
    assert "five_party" in str(error.value)


def test_minimum_effort_above_contract_effort_is_rejected():
    with pytest.raises(ScenarioError) as error:
        load_scenario("default", ["service.minimum_effort=0.9"])
    assert "minimum_effort must not exceed contract_effort" in str(error.value)
