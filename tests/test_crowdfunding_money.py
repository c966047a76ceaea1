"""Crowdfunding money: every yuan accounted for, shares exact, refunds complete, rebates pro rata.

Money is held in fen, so the invariants below are exact (no tolerance) unless stated.
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.mechanisms.crowdfunding.contributions import rebate_pro_rata
from sim.mechanisms.crowdfunding.projects import BUILT, CONSTRUCTION, FUNDRAISING
from sim.mechanisms.crowdfunding.valuation import share_weights, split_exactly
from tests.crowdfunding_runs import SEEDS, all_kinds, elevators

#: Runs that exercise every contribution rule: voluntary (gates, farm), flat (paving; a flat
#: elevator), stepped (elevators), with compensation and a subsidy.
VARIANTS = [
    ("all_kinds", ()),
    ("flat_elevators", ("mechanisms.crowdfunding.kinds.elevator.contribution_rule=flat",)),
    (
        "voluntary_elevators_with_compensation",
        (
            "mechanisms.crowdfunding.kinds.elevator.contribution_rule=voluntary",
            "mechanisms.crowdfunding.kinds.elevator.compensation=20000",
        ),
    ),
]


@pytest.fixture(scope="module")
def runs():
    return [(name, seed, all_kinds(seed, *extra)) for name, extra in VARIANTS for seed in SEEDS]


def projects_of(result):
    return result.model.crowdfunding.projects


def test_the_runs_exercise_every_stage_and_rule(runs):
    stages = {p.stage for _, _, r in runs for p in projects_of(r)}
    assert {FUNDRAISING, CONSTRUCTION, BUILT} <= stages
    reasons = {p.reason for _, _, r in runs for p in projects_of(r)}
    assert "target_missed" in reasons and "consent_refused" in reasons
    rules = {
        p.kind.contribution_rule for _, _, r in runs for p in projects_of(r) if p.week_voted >= 0
    }
    assert rules == {"flat", "stepped", "voluntary"}


def test_raised_is_the_sum_of_contributions_for_every_project(runs):
    for name, seed, result in runs:
        rows = result.contributions.groupby("project_id")["contributed"].sum()
        for project, row in zip(projects_of(result), result.projects.itertuples(), strict=True):
            assert project.raised_fen == int(project.paid_fen.sum())
            written = rows.get(project.project_id, 0.0)
            assert row.raised == pytest.approx(written, abs=0.005), (name, seed, row.project_id)
            assert row.raised == project.raised_fen / 100


def test_shares_sum_exactly_to_cost_less_subsidy_plus_compensation(runs):
    for name, seed, result in runs:
        for p in projects_of(result):
            assert int(p.ask_fen.sum()) == p.target_fen, (name, seed, p.project_id)
            compensation = int(p.compensation_fen.sum())
            assert p.target_fen == p.cost_fen - p.subsidy_fen + compensation
            if p.kind.compensation == 0:
                assert int(p.ask_fen.sum()) == p.cost_fen - p.subsidy_fen


def test_compensation_of_harmed_households_comes_from_the_others_shares(runs):
    checked = 0
    for _, _, result in runs:
        for p in projects_of(result):
            if p.compensation_fen.sum() == 0:
                continue
            cost_shares = split_exactly(p.cost_fen - p.subsidy_fen, share_weights(p.kind, p.floor))
            for_compensation = p.ask_fen - cost_shares
            assert (for_compensation[p.harmed] == 0).all()
            assert int(for_compensation.sum()) == int(p.compensation_fen.sum())
            assert (p.compensation_fen[p.harmed] == 2_000_000).all()
            checked += 1
    assert checked >= 3


def test_stepped_shares_rise_with_floor_and_spare_the_ground_floor(runs):
    for _, _, result in runs[: len(SEEDS)]:
        for p in projects_of(result):
            if p.kind.contribution_rule != "stepped":
                continue
            assert (p.ask_fen[p.floor == 1] == 0).all()
            by_floor = [p.ask_fen[p.floor == f].mean() for f in np.unique(p.floor)]
            assert np.all(np.diff(by_floor) > 0), by_floor


def test_a_missed_target_returns_every_yuan(runs):
    missed = 0
    for _, _, result in runs:
        for p in projects_of(result):
            if p.reason == "target_missed":
                missed += 1
                assert (p.refunded_fen == p.paid_fen).all()
                assert (p.net_paid_fen() == 0).all()
                assert p.week_funded == -1
    assert missed >= 3
    rows = runs[0][2].projects
    missed_rows = rows[rows["reason"] == "target_missed"]
    assert (missed_rows["refunded"] == missed_rows["raised"]).all()


def test_a_funded_project_keeps_exactly_its_target_and_rebates_the_excess_pro_rata(runs):
    rebated_projects = 0
    for _, _, result in runs:
        for p in projects_of(result):
            if p.week_funded < 0:
                assert (p.rebated_fen == 0).all()
                continue
            assert int(p.net_paid_fen().sum()) == p.target_fen
            assert (p.refunded_fen == 0).all()
            assert (p.rebated_fen <= p.paid_fen).all()
            excess = p.raised_fen - p.target_fen
            if excess > 0:
                rebated_projects += 1
                exact = excess * p.paid_fen / p.raised_fen
                assert np.abs(p.rebated_fen - exact).max() < 1.0
    assert rebated_projects >= 3


def test_no_household_pays_more_than_its_share_under_a_binding_rule(runs):
    checked = 0
    for _, _, result in runs:
        for p in projects_of(result):
            if not p.binding or p.week_voted < 0:
                continue
            assert (p.paid_fen <= p.ask_fen).all()
            assert ((p.paid_fen == 0) | (p.paid_fen == p.ask_fen)).all()
            assert (p.net_paid_fen() <= p.ask_fen).all()
            checked += 1
    assert checked >= 10


def test_funds_raised_and_completions_in_the_time_series_match_the_projects(runs):
    for _, _, result in runs:
        ts, projects = result.timeseries, projects_of(result)
        funded = [p for p in projects if p.week_funded >= 0]
        assert ts["funds_raised"].iloc[-1] == pytest.approx(sum(p.target_fen for p in funded) / 100)
        assert ts["projects_completed"].iloc[-1] == sum(p.stage == BUILT for p in projects)
        elevators_built = sum(p.stage == BUILT and p.kind.elevator for p in projects)
        assert ts["elevators_built"].iloc[-1] == elevators_built
        for column in (
            "funds_raised",
            "projects_completed",
            "projects_proposed",
            "projects_failed",
        ):
            assert (np.diff(ts[column].to_numpy()) >= 0).all(), column
        assert ts["projects_proposed"].iloc[-1] == len(projects)


def test_net_payments_by_floor_follow_the_stepped_shares():
    """Per-floor summary: in built elevators the top floors pay most and the ground floor nothing."""
    by_floor = elevators(1).summary["crowdfunding"]["elevator_by_floor"]
    paid = [by_floor[str(f)]["mean_paid_built"] for f in range(1, 7)]
    assert paid[0] == 0.0
    assert np.all(np.diff(paid) > 0), paid


@given(
    total=st.integers(0, 10**9),
    weights=st.lists(st.floats(0, 100, allow_nan=False), min_size=1, max_size=30),
)
def test_split_exactly_adds_up_and_stays_within_a_fen_of_proportional(total, weights):
    parts = split_exactly(total, np.array(weights))
    assert int(parts.sum()) == total
    assert (parts >= 0).all()
    w = np.array(weights) if sum(weights) > 0 else np.ones(len(weights))
    exact = total * w / w.sum()
    assert np.abs(parts - exact).max() < 1.0 + 1e-6 * max(total, 1)


@given(
    paid=st.lists(st.integers(1, 10**7), min_size=1, max_size=40),
    share=st.floats(0, 0.99),
)
def test_rebates_sum_to_the_excess_and_never_exceed_a_contribution(paid, share):
    paid = np.array(paid, dtype=np.int64)
    excess = int(share * paid.sum())
    rebates = rebate_pro_rata(paid, excess)
    assert int(rebates.sum()) == excess
    assert (rebates <= paid).all() and (rebates >= 0).all()
