"""Crowdfunding patterns (DOMAIN section 5, patterns 5 and 6) over fixed seeds, each against a contrast.

Consent rules and design options are compared on the same stairwell units with common random
numbers (the same survey costs and the same ballot draws), so that the differences come from the
rules; the funding comparison runs the whole pipeline.
"""

import numpy as np
import pandas as pd
import pytest

from sim.mechanisms.crowdfunding.effects import celebrate, regret
from sim.mechanisms.crowdfunding.projects import CONSTRUCTION
from sim.model import CommunityModel
from sim.scenario.loader import load_scenario
from tests.crowdfunding_runs import SEEDS, all_kinds, approval_rate, elevators

ELEVATOR = "mechanisms.crowdfunding.kinds.elevator"


def elevator_rows(results) -> pd.DataFrame:
    """Households of every elevator project put to a vote, pooled over runs."""
    rows = pd.concat([r.contributions for r in results], ignore_index=True)
    return rows[rows["kind"] == "elevator"]


# --- who supports an elevator ---------------------------------------------------------------


@pytest.fixture(scope="module")
def elevator_runs():
    return [elevators(seed) for seed in SEEDS]


def test_elevator_support_rises_with_floor(elevator_runs):
    voters = elevator_rows(elevator_runs)
    voters = voters[voters["voted"]]
    yes = voters.groupby("floor")["yes"].mean()
    assert yes[1] < 0.2 < yes[2] < yes[yes.index >= 3].mean(), yes.round(2).to_dict()
    assert yes[yes.index >= 3].min() > 0.7, yes.round(2).to_dict()
    assert np.corrcoef(voters["floor"], voters["yes"])[0, 1] > 0.3


def test_opposition_concentrates_on_the_lowest_floors(elevator_runs):
    voters = elevator_rows(elevator_runs)
    voters = voters[voters["voted"]]
    no = voters[~voters["yes"].astype(bool)]
    low_share_of_voters = (voters["floor"] <= 2).mean()
    low_share_of_no = (no["floor"] <= 2).mean()
    assert low_share_of_no > 0.6 > 0.4 > low_share_of_voters, (low_share_of_no, low_share_of_voters)


def test_outvoted_low_floors_raise_opposition_disputes(elevator_runs):
    raised = 0
    for result in elevator_runs:
        disputes = result.disputes[result.disputes["kind"] == "project_opposition"]
        raised += len(disputes)
        floors = result.model.world.floor
        ids = result.contributions.set_index("household_id")["floor"]
        assert ids.loc[disputes["complainant_id"]].max() <= 2
        assert (floors >= 1).all()
    assert raised >= 5


# --- consent rules and design options on the same units -------------------------------------


def pooled(*overrides: str) -> float:
    return float(np.mean([approval_rate(seed, *overrides) for seed in SEEDS]))


@pytest.fixture(scope="module")
def approvals():
    rates = {
        "civil_code": pooled(),
        "unanimity": pooled(f"{ELEVATOR}.consent_rule=unanimity"),
        "share_90": pooled(f"{ELEVATOR}.consent_rule=share", f"{ELEVATOR}.consent_share=0.9"),
        "compensation": pooled(f"{ELEVATOR}.compensation=20000"),
        "redesign": pooled(f"{ELEVATOR}.redesign=true"),
        "veto": pooled(f"{ELEVATOR}.harmed_veto=true"),
        "veto_redesign": pooled(f"{ELEVATOR}.harmed_veto=true", f"{ELEVATOR}.redesign=true"),
        "flat_shares": pooled(f"{ELEVATOR}.contribution_rule=flat"),
    }
    return rates


def test_civil_code_rule_approves_more_elevators_than_unanimity_or_ninety_percent(approvals):
    assert approvals["civil_code"] > approvals["share_90"] + 0.2, approvals
    assert approvals["share_90"] >= approvals["unanimity"], approvals
    assert approvals["unanimity"] < 0.05, approvals


def test_compensating_low_floors_raises_approval(approvals):
    assert approvals["compensation"] > approvals["civil_code"] + 0.05, approvals


def test_the_mini_elevator_redesign_raises_approval_and_lifts_the_low_floor_veto(approvals):
    assert approvals["redesign"] > approvals["civil_code"] + 0.02, approvals
    assert approvals["veto_redesign"] > approvals["veto"] + 0.05, approvals


def test_flat_shares_win_less_consent_than_stepped_shares(approvals):
    assert approvals["flat_shares"] < approvals["civil_code"] - 0.15, approvals


# --- the whole pipeline ------------------------------------------------------------------------


def test_stepped_shares_fund_more_elevators_than_flat_shares(elevator_runs):
    stepped = [r.timeseries["projects_funded"].iloc[-1] for r in elevator_runs]
    flat = [
        elevators(seed, f"{ELEVATOR}.contribution_rule=flat").timeseries["projects_funded"].iloc[-1]
        for seed in SEEDS
    ]
    assert sum(stepped) > 1.5 * sum(flat), (stepped, flat)
    assert min(np.subtract(stepped, flat)) > 0, (stepped, flat)


def test_small_flat_asks_reach_their_target_faster_than_elevators():
    """DOMAIN pattern 5: a gate's 200 yuan ask fills in weeks; an elevator's shares take months."""
    projects = pd.concat([all_kinds(seed).projects for seed in SEEDS], ignore_index=True)
    funded = projects[projects["weeks_to_target"] >= 0]
    weeks = funded.groupby("kind")["weeks_to_target"].median()
    assert weeks["smart_gate"] <= 12, weeks.to_dict()
    assert weeks["elevator"] > 2 * weeks["smart_gate"], weeks.to_dict()


#: Every compound served by a firm: its committees keep the trust of about half their households
#: through the warm-up (0.49 at week 0), where the default community's firmless compounds blame
#: them for their decaying shared spaces (0.35 at week 0).
FIRM_SERVED = "structure.share_without_firm=0"
#: Passed gates are few (2-3 a run), so the funded share is pooled over twelve runs.
GATE_SEEDS = tuple(range(1, 13))


def gates_funded(*extra: str) -> tuple[int, int]:
    """Smart gates voted in, and those of them funded, over GATE_SEEDS in the all-kinds
    community served by firms."""
    passed = funded = 0
    for seed in GATE_SEEDS:
        projects = all_kinds(seed, FIRM_SERVED, *extra).projects
        gates = projects[
            (projects["kind"] == "smart_gate") & (projects["consent_result"] == "passed")
        ]
        passed += len(gates)
        funded += int((gates["week_funded"] >= 0).sum())
    return funded, passed


def test_most_small_asks_voted_in_reach_their_target_where_committees_are_trusted():
    """DOMAIN pattern 5, with its limit: a voluntary gate's target (200 yuan times every
    household) is reached only if the givers, about 70% of the households, give more than the
    ask, and conditional cooperators give as they trust their committees.

    Measured (passed gates funded): firm-served communities of six compounds 76 of 89 (0.85,
    seeds 1-36; 0.69 over seeds 1-12), of three compounds 41 of 46 (0.89). Not so in the default
    community after its warm-up, where trust in committees stands near 0.35: 12 of 25 (0.48,
    seeds 1-12), against 24 of 26 (0.92, seeds 1-16) without the warm-up (trust 0.50): the
    quick small ask needs committees the households trust (the catalogue's known failure of
    gates_reach_target, pattern 5).
    """
    funded, passed = gates_funded()
    assert passed >= 10, passed
    assert funded >= 0.6 * passed, (funded, passed)


def test_small_asks_miss_their_target_when_no_one_gives_more_than_asked():
    """Contrast: with gifts capped at the ask the free riders' part is never made up."""
    funded, passed = gates_funded("mechanisms.crowdfunding.max_contribution_ratio=1")
    assert passed >= 10, passed
    assert funded < 0.6 * passed, (funded, passed)


def test_most_applications_qualify_and_a_minority_finish(elevator_runs):
    """S4's pipeline: 89 of 101 applications qualified; 9 finished and 14 under construction.

    The qualified share of the surveyed applications is pooled over the seeds (about 100
    applications, like S4's 101): with about 30 a run, one run's share has a binomial spread of
    about 0.06 around the expected 0.88 (feasibility), too wide for the band. Applications not
    yet surveyed at the horizon are left out (S4 counts surveyed ones).
    """
    shapes = [r.summary["crowdfunding"]["by_kind"]["elevator"] for r in elevator_runs]
    qualified = sum(shape["qualified"] for shape in shapes)
    surveyed = qualified + sum(shape["failed"].get("not_feasible", 0) for shape in shapes)
    assert 0.75 <= qualified / surveyed <= 0.97, shapes
    for shape in shapes:
        assert shape["built"] < 0.5 * shape["qualified"], shape
        assert shape["consented"] < shape["qualified"], shape
        assert shape["built"] >= 1, shape


def test_every_vote_on_a_project_is_recorded_with_its_unit_and_rule(elevator_runs):
    for result in elevator_runs:
        votes = result.votes[result.votes["subject"] == "project:elevator"]
        voted = result.projects[result.projects["week_voted"] >= 0]
        assert sorted(votes["project_id"]) == sorted(voted["project_id"])
        assert (votes["unit"] >= 0).all() and (votes["rule"] == "civil_code_278_major").all()
        assert (votes["turnout"] <= votes["eligible"]).all()
        merged = votes.merge(voted, on="project_id")
        assert (merged["passed"] == (merged["consent_result"] == "passed")).all()


def test_building_meeting_proposals_become_projects():
    with_meetings = elevators(1, "mechanisms.building_meetings.enabled=true")
    without = elevators(1)
    assert (with_meetings.projects["proposer"] == "building_meeting").sum() > 0
    assert (without.projects["proposer"] == "building_meeting").sum() == 0


# --- effects back on the community ---------------------------------------------------------------


@pytest.fixture
def model_with_a_project():
    model = CommunityModel(load_scenario("elevator_retrofit", ["seed=3"]))
    kind = model.params.mechanisms.crowdfunding.kinds[0]
    project = model.crowdfunding.propose(kind, 0, "test")
    return model, project


def test_a_completed_project_raises_trust_and_efficacy_in_its_compound_and_among_neighbours(
    model_with_a_project,
):
    model, project = model_with_a_project
    hh = model.households
    compound = model.world.flats_of_compound(project.compound)
    others = np.setdiff1d(np.arange(hh.size), compound)
    tied = np.intersect1d(others, np.unique(model.ties.adjacency[project.flats].nonzero()[1]))
    untouched = np.setdiff1d(others, tied)
    assert tied.size > 0
    trust, support = hh.trust_committee.copy(), hh.support.copy()
    celebrate(model, project)
    for group in (project.flats, compound, tied):
        assert (hh.trust_committee[group] > trust[group]).all()
        assert (hh.support[group] > support[group]).all()
    gain = hh.trust_committee - trust
    assert gain[project.flats].mean() > gain[np.setdiff1d(compound, project.flats)].mean()
    assert (hh.trust_committee[untouched] == trust[untouched]).all()


def test_a_failure_lowers_trust_and_efficacy_of_its_households(model_with_a_project):
    model, project = model_with_a_project
    hh = model.households
    trust, support = hh.trust_committee.copy(), hh.support.copy()
    regret(model, project)
    assert (hh.trust_committee[project.flats] < trust[project.flats]).all()
    assert (hh.support[project.flats] < support[project.flats]).all()


def test_works_stand_still_while_an_opposition_dispute_is_open(model_with_a_project):
    model, project = model_with_a_project
    project.stage, project.build_weeks = CONSTRUCTION, 10
    blocked = np.zeros(model.world.households, dtype=bool)
    blocked[project.flats[:1]] = True
    model.crowdfunding.build_week(np.array([project.index]), blocked)
    assert project.build_progress == 0
    model.crowdfunding.build_week(np.array([project.index]), np.zeros_like(blocked))
    assert project.build_progress == 1
