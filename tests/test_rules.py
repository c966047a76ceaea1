"""The pure rules of the dynamics: trust, payment, calendar, escalation, firms and committees."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mesa import Model
from scipy import sparse

from sim.agents import PropertyFirm, SelfManagementCommittee
from sim.dynamics.calendar import WEEKS_PER_YEAR, is_month_end
from sim.dynamics.disputes import escalation_probability, mediation_probability
from sim.dynamics.fees import neighbours_paid_share, payment_probability
from sim.dynamics.trust import penalise, reward
from sim.scenario.schema import Disputes, Fees, SelfManagement, Service, Trust

GRID = np.linspace(0.0, 1.0, 21)


# ---------------------------------------------------------------- trust
def test_bad_event_moves_trust_loss_aversion_times_as_much_as_a_good_one_at_one_half():
    spec = Trust(gain=0.04, loss_aversion=2.5)
    up, down = np.array([0.5]), np.array([0.5])
    reward(up, np.array([0]), spec)
    penalise(down, np.array([0]), spec)
    gain, loss = up[0] - 0.5, 0.5 - down[0]
    assert gain == pytest.approx(0.04 * 0.5)
    assert loss == pytest.approx(spec.loss_aversion * gain)


def test_reward_and_penalise_touch_only_the_households_named():
    spec = Trust()
    trust = np.full(5, 0.5)
    who = np.array([False, True, False, False, True])
    reward(trust, who, spec)
    penalise(trust, np.array([3]), spec)
    assert trust[0] == trust[2] == 0.5
    assert trust[1] > 0.5 and trust[4] > 0.5 and trust[3] < 0.5


@settings(max_examples=100, deadline=None)
@given(
    gain=st.floats(0.0, 1.0),
    loss_aversion=st.floats(1.0, 10.0),
    start=st.floats(0.0, 1.0),
    events=st.lists(st.booleans(), max_size=60),
)
def test_trust_stays_in_unit_interval_under_any_sequence_of_events(
    gain, loss_aversion, start, events
):
    spec = Trust(gain=gain, loss_aversion=loss_aversion)
    trust = np.array([start])
    for good in events:
        (reward if good else penalise)(trust, np.array([0]), spec)
        assert 0.0 <= trust[0] <= 1.0


# ---------------------------------------------------------------- fees
def pay(quality=0.6, expectation=0.6, trust=0.5, habit=0.0, neighbours=0.5, spec=None):
    return payment_probability(
        np.asarray(quality, float),
        np.asarray(expectation, float),
        np.asarray(trust, float),
        np.asarray(habit, float),
        np.asarray(neighbours, float),
        spec or Fees(),
    )


@pytest.mark.parametrize("argument", ["quality", "trust", "habit", "neighbours"])
def test_payment_probability_increases_with_quality_trust_habit_and_neighbours(argument):
    values = 2 * GRID - 1 if argument == "habit" else GRID
    p = pay(**{argument: values})
    assert np.all(np.diff(p) > 0)
    assert np.all((p > 0) & (p < 1))


def test_payment_probability_falls_as_expectation_rises():
    assert np.all(np.diff(pay(expectation=GRID)) < 0)


def test_payment_probability_is_the_logistic_of_the_intercept_at_neutral_inputs():
    spec = Fees(intercept=0.5)
    assert pay(spec=spec) == pytest.approx(1.0 / (1.0 + np.exp(-0.5)))


def test_neighbours_paid_share_counts_billed_neighbours_only_and_is_half_when_none_billed():
    # 0 - 1, 0 - 2, 3 isolated from billing (its only neighbour 4 is not billed)
    u, v = np.array([0, 0, 3]), np.array([1, 2, 4])
    a = sparse.csr_array((np.ones(6), (np.r_[u, v], np.r_[v, u])), shape=(5, 5))
    paid = np.array([False, True, False, False, False])
    billed = np.array([True, True, True, True, False])
    share = neighbours_paid_share(a, paid, billed)
    assert share[0] == pytest.approx(0.5)  # one of two billed neighbours paid
    assert share[1] == 0.0 and share[2] == 0.0
    assert share[3] == 0.5  # no billed neighbour


# ---------------------------------------------------------------- calendar
@pytest.mark.parametrize("year", [0, 1, 4])
def test_every_52_weeks_contain_exactly_12_month_ends(year):
    weeks = range(year * WEEKS_PER_YEAR + 1, (year + 1) * WEEKS_PER_YEAR + 1)
    assert sum(is_month_end(w) for w in weeks) == 12


def test_month_ends_are_four_or_five_weeks_apart_and_week_zero_is_not_one():
    ends = [w for w in range(0, 5 * WEEKS_PER_YEAR + 1) if is_month_end(w)]
    assert not is_month_end(0)
    assert set(np.diff(ends).tolist()) <= {4, 5}
    assert ends[0] in (4, 5)


# ---------------------------------------------------------------- disputes
def test_escalation_probability_rises_with_grievance_and_falls_with_legitimacy():
    spec = Disputes()
    grievance = np.linspace(0.0, 6.0, 25)
    assert np.all(np.diff(escalation_probability(grievance, np.full(25, 0.5), spec)) > 0)
    legitimacy = np.linspace(0.0, 1.0, 25)
    assert np.all(np.diff(escalation_probability(np.full(25, 2.0), legitimacy, spec)) < 0)


@settings(max_examples=50, deadline=None)
@given(
    grievance=st.floats(0.0, 100.0),
    legitimacy=st.floats(0.0, 1.0),
    maximum=st.floats(0.0, 1.0),
)
def test_escalation_probability_never_exceeds_its_maximum(grievance, legitimacy, maximum):
    spec = Disputes(escalation_max=maximum)
    p = escalation_probability(np.array([grievance]), np.array([legitimacy]), spec)
    assert 0.0 <= p[0] <= maximum


def test_mediation_probability_grows_with_skill_and_legitimacy_and_is_a_probability():
    skill = np.linspace(0.0, 1.0, 11)
    assert np.all(np.diff(mediation_probability(skill, np.full(11, 0.5))) > 0)
    assert np.all(np.diff(mediation_probability(np.full(11, 0.3), skill)) > 0)
    assert mediation_probability(np.array([1.0]), np.array([1.0]))[0] == 1.0


# ---------------------------------------------------------------- firms and committees
FULL = 10_000.0


def firm(**service) -> PropertyFirm:
    return PropertyFirm(Model(rng=0), 0, FULL, Service(**service), entrant=False)


def test_firm_losing_money_with_negative_reserves_exits_after_the_configured_months():
    f = firm(exit_after_loss_months=3, initial_reserve_months=0.0)
    for month in range(1, 4):
        assert not f.wants_to_exit()
        f.settle_month(0.1 * FULL)
        assert f.last_profit < 0 and f.loss_months == month
    assert f.reserves < 0
    assert f.wants_to_exit()


def test_firm_with_full_revenue_never_wants_to_exit():
    f = firm(exit_after_loss_months=1, initial_reserve_months=0.0)
    for _ in range(60):
        f.settle_month(FULL)
        assert f.last_profit > 0
        assert not f.wants_to_exit()
    assert f.loss_months == 0 and f.reserves > 0


def test_firm_with_losses_but_reserves_left_stays():
    f = firm(exit_after_loss_months=2, initial_reserve_months=60.0)
    for _ in range(6):
        f.settle_month(0.0)
    assert f.loss_months == 6 and f.reserves > 0
    assert not f.wants_to_exit()


def test_a_profitable_month_resets_the_firms_losing_streak():
    f = firm(exit_after_loss_months=3, initial_reserve_months=0.0)
    for revenue in (0.0, 0.0, FULL, 0.0, 0.0):
        f.settle_month(revenue)
    assert f.loss_months == 2
    assert not f.wants_to_exit()


def test_firm_books_revenue_and_costs_into_reserves():
    f = firm(initial_reserve_months=1.0)
    revenues = [FULL, 0.3 * FULL, 0.7 * FULL]
    for r in revenues:
        f.settle_month(r)
    assert f.revenue_total == pytest.approx(sum(revenues))
    assert f.reserves == pytest.approx(FULL + f.revenue_total - f.cost_total)


def test_firm_effort_stays_between_minimum_effort_and_one():
    f = firm(minimum_effort=0.3)
    for r in [0.0] * 12 + [FULL] * 12:
        f.settle_month(r)
        assert 0.3 - 1e-12 <= f.effort <= 1.0


def test_self_management_committee_spends_no_more_than_it_has_received():
    spec = SelfManagement(enabled=True, fee_per_household=15.0, full_service_cost=13.0)
    committee = SelfManagementCommittee(Model(rng=0), 0, 40, spec, 0.2)
    for revenue in (600.0, 100.0, 0.0, 800.0):
        committee.settle_month(revenue, active_share=0.2)
        assert committee.fund >= 0
        assert committee.revenue_total == pytest.approx(committee.fund + committee.spent_total)
        assert 0.0 <= committee.effort <= 1.0
