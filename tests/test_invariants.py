"""Invariants of the weekly dynamics over a short run with heavy turnover and firm exits.

Checks that must hold at every step are recorded while stepping; the time series is checked
afterwards. Two settings: with self-management (exited firms' compounds may self-manage) and
without (exited firms are replaced after a short gap).
"""

import numpy as np
import pytest

from sim.agents import PartyMember, Resident
from sim.dynamics.disputes import (
    ESCALATED,
    MEDIATION,
    RESOLVED,
    STAGES,
    TALK,
    DisputeLedger,
)
from sim.model import CommunityModel
from sim.scenario.loader import load_scenario
from sim.state import BUILDING_HEAD

STEPS = 80
CHURN = [
    "structure.compounds=4",
    "structure.share_without_firm=0.5",
    "households.renter_turnover_per_year=3",
    "households.owner_turnover_per_year=0.5",
    "households.initial_trust_firm=0.2",
    "service.exit_after_loss_months=1",
    "service.initial_reserve_months=0",
    "service.replacement_gap_weeks=4",
    f"steps={STEPS}",
]
SETTINGS = {
    "self_management": [
        "mechanisms.self_management.enabled=true",
        "mechanisms.self_management.formation_participation=0.1",
        "mechanisms.self_management.formation_chance=0.5",
    ],
    "replacement_firms": ["mechanisms.self_management.enabled=false"],
}

RATE_COLUMNS = [
    "participation_rate",
    "volunteer_rate",
    "fee_collection_rate",
    "fee_collection_rate_by_area",
    "share_settled_locally",
    "service_quality",
    "trust_firm",
    "trust_committee",
    "satisfaction",
]
CUMULATIVE_COLUMNS = [
    "disputes_raised",
    "disputes_resolved",
    "disputes_escalated",
    "disputes_abandoned",
    "firm_exits",
    "households_moved_in",
    "funds_raised",
    "projects_completed",
    "elevators_built",
    "points_issued",
    "points_redeemed",
]


def money_in(model) -> float:
    """Fees paid by every household, present and past."""
    return float(model.households.fees_paid.sum()) + model.fees_paid_by_past_households


def money_received(model) -> float:
    """Fees booked by every firm (present and past) and self-management committee."""
    payees = [*model.firms.values(), *model.past_firms, *model.self_management_committees.values()]
    return float(sum(p.revenue_total for p in payees))


def snapshot(model, initial_households: int) -> dict:
    """Everything checked at one step."""
    hh, world = model.households, model.world
    ledger = model.disputes
    open_rows = ledger.open_rows()
    open_flats = ledger.complainant_flat[open_rows]
    residents = [a for a in model.agents if isinstance(a, Resident)]
    heads = np.bincount(world.building[hh.role == BUILDING_HEAD], minlength=world.buildings)
    return {
        "week": model.week,
        "trust_min": min(hh.trust_firm.min(), hh.trust_committee.min()),
        "trust_max": max(hh.trust_firm.max(), hh.trust_committee.max()),
        "satisfaction_min": hh.satisfaction.min(),
        "satisfaction_max": hh.satisfaction.max(),
        "quality_min": model.compounds.service_quality.min(),
        "quality_max": model.compounds.service_quality.max(),
        "grievance_min": hh.grievance.min(),
        "money_in": money_in(model),
        "money_received": money_received(model),
        "ids_unique": np.unique(hh.household_id).size == hh.size,
        "ids_accounted": model.next_household_id - 1
        == initial_households + model.households_moved_in,
        "ids_below_next": int(hh.household_id.max()) < model.next_household_id,
        "resident_agents": len(residents),
        "resident_flats": sorted(r.flat for r in residents) == list(range(hh.size)),
        "resident_rows": all(
            r.flat == flat and r.household_id == hh.household_id[flat]
            for flat, r in enumerate(model.residents)
        ),
        "party_agents_match": all(
            isinstance(r, PartyMember) == bool(hh.is_party[flat])
            for flat, r in enumerate(model.residents)
        ),
        "one_head_per_building": bool(np.all(heads == 1)),
        "one_open_dispute_each": np.unique(open_flats).size == open_flats.size,
        "in_dispute_flags": np.array_equal(np.flatnonzero(hh.in_dispute), np.unique(open_flats)),
        "open_disputes_of_present": bool(
            np.all(hh.household_id[open_flats] == ledger.complainant_id[open_rows])
        ),
        "firms_where_managed": sorted(model.firms)
        == np.flatnonzero(model.compounds.manager == 1).tolist(),
    }


@pytest.fixture(scope="module", params=list(SETTINGS))
def churn_run(request):
    scenario = load_scenario("default", CHURN + SETTINGS[request.param])
    model = CommunityModel(scenario, seed=2)
    initial = model.households.size
    snapshots = [snapshot(model, initial)]
    for _ in range(STEPS):
        model.step()
        snapshots.append(snapshot(model, initial))
    timeseries = model.datacollector.get_model_vars_dataframe().reset_index(drop=True)
    return request.param, model, snapshots, timeseries


def test_run_exercises_turnover_firm_exits_and_disputes(churn_run):
    setting, model, _, _ = churn_run
    assert model.households_moved_in > model.households.size
    assert model.firm_exits >= 1 and model.past_firms
    assert len(model.disputes) >= 10
    if setting == "self_management":
        assert model.self_management_committees
    else:
        assert model.firm_entries >= 1


def test_every_timeseries_rate_stays_within_zero_and_one(churn_run):
    _, _, _, ts = churn_run
    assert len(ts) == STEPS + 1
    for column in RATE_COLUMNS:
        assert ts[column].between(0.0, 1.0).all(), column


def test_trust_satisfaction_and_quality_stay_in_unit_interval_and_grievance_nonnegative(
    churn_run,
):
    _, _, snapshots, _ = churn_run
    for s in snapshots:
        assert s["trust_min"] >= 0.0 and s["trust_max"] <= 1.0, s["week"]
        assert s["satisfaction_min"] >= 0.0 and s["satisfaction_max"] <= 1.0, s["week"]
        assert s["quality_min"] >= 0.0 and s["quality_max"] <= 1.0, s["week"]
        assert s["grievance_min"] >= 0.0, s["week"]


def test_money_is_conserved_fees_paid_equal_fees_booked_by_firms_and_committees(churn_run):
    _, model, snapshots, _ = churn_run
    assert snapshots[-1]["money_in"] > 0
    assert model.fees_paid_by_past_households > 0
    for s in snapshots:
        assert s["money_in"] == pytest.approx(s["money_received"], rel=1e-9), s["week"]


def test_households_are_counted_once_through_turnover(churn_run):
    _, model, snapshots, _ = churn_run
    for s in snapshots:
        assert s["ids_unique"], s["week"]
        assert s["ids_accounted"], s["week"]
        assert s["ids_below_next"], s["week"]


def test_one_resident_agent_per_flat_reading_its_own_household(churn_run):
    _, model, snapshots, _ = churn_run
    for s in snapshots:
        assert s["resident_agents"] == model.households.size, s["week"]
        assert s["resident_flats"], s["week"]
        assert s["resident_rows"], s["week"]
        assert s["party_agents_match"], s["week"]


def test_every_building_keeps_exactly_one_building_head_through_turnover(churn_run):
    _, _, snapshots, _ = churn_run
    assert all(s["one_head_per_building"] for s in snapshots)


def test_open_disputes_belong_to_present_households_one_each_matching_flags(churn_run):
    _, _, snapshots, _ = churn_run
    for s in snapshots:
        assert s["one_open_dispute_each"], s["week"]
        assert s["in_dispute_flags"], s["week"]
        assert s["open_disputes_of_present"], s["week"]


def test_firms_are_exactly_the_compounds_a_firm_manages(churn_run):
    _, _, snapshots, _ = churn_run
    assert all(s["firms_where_managed"] for s in snapshots)


def test_cumulative_counters_never_decrease(churn_run):
    _, _, _, ts = churn_run
    for column in CUMULATIVE_COLUMNS:
        assert (ts[column].diff().iloc[1:] >= 0).all(), column


def test_disputes_raised_cover_resolved_escalated_abandoned_and_open(churn_run):
    _, _, _, ts = churn_run
    closed_or_open = ts.disputes_resolved + ts.disputes_escalated + ts.disputes_open
    assert (ts.disputes_raised >= closed_or_open).all()
    assert (ts.disputes_raised == closed_or_open + ts.disputes_abandoned).all()


def test_closed_disputes_close_no_earlier_than_raised_and_open_ones_have_no_close(churn_run):
    _, model, _, _ = churn_run
    frame = model.disputes.to_frame()
    closed = frame[frame.closed_week >= 0]
    assert len(closed) > 0
    assert (closed.closed_week >= closed.raised_week).all()
    assert (closed.weeks_open == closed.closed_week - closed.raised_week).all()
    assert set(closed.stage) <= {"resolved", "escalated", "abandoned"}
    still_open = frame[frame.closed_week < 0]
    assert set(still_open.stage) <= {"bilateral", "mediation"}
    assert len(still_open) == model.disputes.open_rows().size
    assert (frame.raised_week.between(1, STEPS)).all()


def test_the_ledger_running_totals_are_its_columns_counted(churn_run):
    _, model, _, _ = churn_run
    ledger = model.disputes
    stage = ledger.stage
    for code in range(len(STAGES)):
        assert ledger.count(code) == np.count_nonzero(stage == code)
    done = stage == RESOLVED
    assert done.any() and (stage > MEDIATION).any()
    weeks = ledger.closed_week[done] - ledger.raised_week[done]
    assert ledger.mean_resolution_weeks() == float(weeks.mean())
    closed = stage > MEDIATION
    assert ledger.share_settled_locally() == float(done.sum() / closed.sum())
    open_ = np.flatnonzero(stage <= MEDIATION)
    assert np.array_equal(ledger.open_rows(), open_) and ledger.open_count() == open_.size
    assert 0 < ledger.settled_before <= open_[0]  # the older disputes are all closed


def test_the_ledger_running_totals_follow_any_update_of_their_columns():
    ledger = DisputeLedger(capacity=2)
    k = 5
    ledger.append(
        kind=np.zeros(k, dtype=np.int8),
        complainant_flat=np.arange(k),
        complainant_id=np.arange(k),
        respondent_party=np.zeros(k, dtype=np.int8),
        respondent_flat=np.full(k, -1),
        respondent_id=np.full(k, -1),
        compound=np.zeros(k, dtype=np.int64),
        building=np.zeros(k, dtype=np.int64),
        raised_week=np.arange(1, k + 1),
        stage=np.array([TALK, TALK, MEDIATION, RESOLVED, TALK], dtype=np.int8),
        stage_week=np.ones(k, dtype=np.int64),
        mediator=np.zeros(k, dtype=np.int8),
        closed_week=np.array([-1, -1, -1, 10, -1]),
        channel=np.zeros(k, dtype=np.int8),
    )
    assert ledger.count(RESOLVED) == 1 and ledger.mean_resolution_weeks() == 6.0
    ledger.update(np.array([0, 2]), stage=RESOLVED, closed_week=12)
    assert [ledger.count(code) for code in range(len(STAGES))] == [2, 0, 3, 0, 0]
    assert ledger.mean_resolution_weeks() == (6 + 11 + 9) / 3
    ledger.update(np.array([3]), closed_week=20)  # a resolved dispute's close moved
    assert ledger.mean_resolution_weeks() == (16 + 11 + 9) / 3
    ledger.update(np.array([1]), stage=ESCALATED, closed_week=7)
    assert ledger.share_settled_locally() == 3 / 4
    assert ledger.open_rows().tolist() == [4] and ledger.open_count() == 1
    ledger.update(np.array([4]), stage=RESOLVED, closed_week=13)
    assert ledger.open_rows().size == 0 and ledger.open_count() == 0


def test_disputes_reaching_mediation_have_a_mediator_and_others_none(churn_run):
    _, model, _, _ = churn_run
    ledger = model.disputes
    mediated = (ledger.stage == MEDIATION) | (ledger.channel == 2)
    assert np.all(ledger.mediator[mediated] != 0)
    assert np.all(ledger.mediator[ledger.channel == 1] == 0)
