"""The money-back guarantee of the provision point (DOMAIN pattern 5: refunds help when the ask
is large relative to budgets; Isaac, Schmidtz & Walker 1989; Cadsby & Maynes 1999).

Every stairwell unit of a small community opens a voluntary campaign at once (the smart gate
kind, recast per unit with a given ask and step return); the success rate is the share of the
campaigns voted through that reach their target, with and without money back, pooled over seeds.
"""

from functools import cache

import pytest

import sim.mechanisms.crowdfunding.campaigns as campaigns
from sim.model import CommunityModel
from sim.scenario.loader import load_scenario

GATE = "mechanisms.crowdfunding.kinds.smart_gate"
SEEDS = tuple(range(1, 9))
COMMUNITIES = {
    "two_compounds": (),
    "three_poorer_trusting": (
        "structure.compounds=3",
        "households.income_median=3500",
        "households.initial_trust_committee=0.6",
    ),
}
#: (ask per household in yuan, benefit as a multiple of the ask): small asks are 200 yuan
#: (about 4% of the median month's income) at two step returns; the large one a month's income.
SMALL = ((200, 2.5), (200, 3.0))
LARGE = (4500, 2.0)


def campaigns_run(seed: int, ask: float, step_return: float, money_back: bool, *extra: str):
    """Projects of a run in which every unit proposes the recast gate in week 0."""
    scenario = load_scenario(
        "default",
        [
            f"seed={seed}",
            "structure.compounds=2",
            "mechanisms.crowdfunding.enabled=true",
            "mechanisms.crowdfunding.proposal_rate=0",
            f"{GATE}.scope=unit",
            f"{GATE}.cost_per_household={ask}",
            f"{GATE}.benefit_value={step_return * ask}",
            f"{GATE}.upkeep_per_year=0",
            f"{GATE}.money_back={str(money_back).lower()}",
            *extra,
        ],
    )
    model = CommunityModel(scenario)
    funding = model.crowdfunding
    kind = scenario.mechanisms.crowdfunding.kinds[0]
    funding.propose_all([(kind, unit, "test") for unit in range(funding.scopes["unit"].count)])
    weeks = kind.qualification_weeks + kind.consultation_weeks + kind.campaign_weeks + 2
    for _ in range(weeks):
        model.step()
    return [p for p in funding.projects if p.consent_result == "passed"]


@cache
def success_rate(community: str, ask: float, step_return: float, money_back: bool) -> float:
    """Share of the campaigns voted through that reached their target, over the seeds."""
    funded = closed = 0
    for seed in SEEDS:
        for project in campaigns_run(seed, ask, step_return, money_back, *COMMUNITIES[community]):
            funded += project.week_funded >= 0
            closed += project.week_funded >= 0 or project.reason == "target_missed"
    return funded / closed


def refund_effects(community: str) -> tuple[float, float]:
    """Success with money back less success without: for the large ask, and the mean over the
    small asks."""
    large = success_rate(community, *LARGE, True) - success_rate(community, *LARGE, False)
    small = [
        success_rate(community, *ask, True) - success_rate(community, *ask, False) for ask in SMALL
    ]
    return large, sum(small) / len(small)


@pytest.mark.parametrize("community", sorted(COMMUNITIES))
def test_refunds_raise_success_when_the_ask_is_large_and_hardly_when_it_is_small(community):
    large, small = refund_effects(community)
    assert large >= 0.08, (community, large, small)
    assert abs(small) <= 0.05, (community, large, small)
    assert large > small + 0.06, (community, large, small)


def test_without_a_response_to_the_risk_refunds_make_no_difference(monkeypatch):
    """Contrast: households that ignore the risk of losing their gift give the same either way."""
    monkeypatch.setattr(campaigns, "risk_of_loss", lambda progress, trust: 0.0 * trust)
    success_rate.cache_clear()
    try:
        large, _ = refund_effects("two_compounds")
    finally:
        success_rate.cache_clear()
    assert large < 0.08, large


def test_without_money_back_a_missed_target_keeps_the_gifts():
    missed = 0
    for seed in SEEDS[:3]:
        for money_back in (True, False):
            for project in campaigns_run(seed, *LARGE, money_back):
                if project.reason != "target_missed":
                    continue
                missed += 1
                raised = int(project.paid_fen.sum())
                if money_back:
                    assert (project.refunded_fen == project.paid_fen).all()
                    assert project.forfeited_fen == 0 and project.row()["forfeited"] == 0
                else:
                    assert (project.refunded_fen == 0).all()
                    assert project.forfeited_fen == raised
                    assert (project.net_paid_fen() == project.paid_fen).all()
                    assert project.row()["forfeited"] == project.row()["raised"]
    assert missed >= 4
