"""Metrics of the time series, each a small named function of the model computed from arrays.

Rates are in [0, 1]. Counters marked cumulative count from the start of the run. A mechanism's
columns are 0 while it has never acted.
"""

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from sim.dynamics.disputes import ABANDONED, ESCALATED, RESOLVED
from sim.mechanisms.crowdfunding.reporting import (
    PIPELINE_REPORTERS,
    elevators_built,
    funds_raised,
    projects_completed,
)
from sim.state import FIRM

if TYPE_CHECKING:
    from sim.model import CommunityModel


def share_of(flag: np.ndarray) -> float:
    """Share of entries where a boolean array holds (the mean, counted without a float copy)."""
    return np.count_nonzero(flag) / flag.size if flag.size else float("nan")


def participation_rate(model: "CommunityModel") -> float:
    """Share of households active this week."""
    return share_of(model.households.active)


def fee_collection_rate(model: "CommunityModel") -> float:
    """Share of billed households that paid the latest monthly bill."""
    return model.last_billing.collection_rate


def fee_collection_rate_by_area(model: "CommunityModel") -> float:
    """Share of the latest month's amount due (by floor area) that was paid."""
    return model.last_billing.collection_rate_by_area


def service_quality(model: "CommunityModel") -> float:
    """Household-weighted mean service quality."""
    c = model.compounds
    return float(np.average(c.service_quality, weights=c.households))


def served_by_firm(model: "CommunityModel") -> np.ndarray:
    """Mask of households in compounds that have had a firm."""
    return model.world.of_compound(model.compounds.had_firm)


def trust_firm(model: "CommunityModel") -> float:
    """Mean trust in the firm over households in compounds that a firm serves or has served."""
    mask = served_by_firm(model)
    return float(model.households.trust_firm[mask].mean()) if mask.any() else 0.0


def trust_committee(model: "CommunityModel") -> float:
    """Mean trust in committees over all households."""
    return float(model.households.trust_committee.mean())


def satisfaction(model: "CommunityModel") -> float:
    """Mean satisfaction."""
    return float(model.households.satisfaction.mean())


def disputes_open(model: "CommunityModel") -> int:
    """Disputes in bilateral talk or mediation now."""
    return model.disputes.open_count()


def disputes_raised(model: "CommunityModel") -> int:
    """Disputes raised (cumulative)."""
    return len(model.disputes)


def disputes_resolved(model: "CommunityModel") -> int:
    """Disputes resolved inside the community (cumulative)."""
    return model.disputes.count(RESOLVED)


def disputes_escalated(model: "CommunityModel") -> int:
    """Disputes escalated to the hotline or a petition (cumulative)."""
    return model.disputes.count(ESCALATED)


def disputes_abandoned(model: "CommunityModel") -> int:
    """Disputes given up or withdrawn on moving out (cumulative)."""
    return model.disputes.count(ABANDONED)


def mean_resolution_weeks(model: "CommunityModel") -> float:
    """Mean weeks from raised to resolved, over resolved disputes so far (0 when none)."""
    return model.disputes.mean_resolution_weeks()


def share_settled_locally(model: "CommunityModel") -> float:
    """Share of closed disputes resolved inside the community."""
    return model.disputes.share_settled_locally()


def firm_exits(model: "CommunityModel") -> int:
    """Firms that left after persistent losses (cumulative)."""
    return model.firm_exits


def firms_active(model: "CommunityModel") -> int:
    """Compounds served by a firm now."""
    return int(np.count_nonzero(model.compounds.manager == FIRM))


def self_managed_compounds(model: "CommunityModel") -> int:
    """Compounds run by a self-management committee now."""
    return len(model.self_management_committees)


def firm_revenue(model: "CommunityModel") -> float:
    """Fees received by firms in the latest month, yuan."""
    return model.last_firm_revenue


def households_moved_in(model: "CommunityModel") -> int:
    """Households that moved in since the start (cumulative)."""
    return model.households_moved_in


def meetings_held(model: "CommunityModel") -> int:
    """Joint and building meetings held (cumulative)."""
    return len(model.meetings)


def proposals_raised(model: "CommunityModel") -> int:
    """Proposals produced by building meetings (cumulative)."""
    return model.building_meetings.proposals if model.building_meetings else 0


def joint_items_settled(model: "CommunityModel") -> int:
    """Disputes settled at joint meetings (cumulative)."""
    return model.joint_meetings.items_settled if model.joint_meetings else 0


def firm_commitments(model: "CommunityModel") -> int:
    """Commitments to invest first made by firms at joint meetings (cumulative)."""
    return model.joint_meetings.commitments if model.joint_meetings else 0


def coercive_collections(model: "CommunityModel") -> int:
    """Months in which a firm sent collectors (cumulative)."""
    return model.coercive_collections


def remuneration_compounds(model: "CommunityModel") -> int:
    """Compounds whose owners have adopted the remuneration contract."""
    return len(model.remuneration.terms) if model.remuneration else 0


def owners_fund(model: "CommunityModel") -> float:
    """Money in the owners' funds of remuneration contracts, yuan."""
    return model.remuneration.owners_fund if model.remuneration else 0.0


def upgrades_funded(model: "CommunityModel") -> int:
    """Upgrades paid from owners' funds (cumulative)."""
    return model.remuneration.upgrades if model.remuneration else 0


def volunteer_rate(model: "CommunityModel") -> float:
    """Share of households volunteering this week."""
    return share_of(model.households.volunteer)


def volunteer_hours(model: "CommunityModel") -> float:
    """Volunteer hours given (cumulative)."""
    return model.volunteer_hours


def points_issued(model: "CommunityModel") -> float:
    """Points issued by the time bank (cumulative)."""
    return model.points.issued


def points_redeemed(model: "CommunityModel") -> float:
    """Points redeemed at the shop (cumulative)."""
    return model.points.redeemed


def points_expired(model: "CommunityModel") -> float:
    """Points expired or taken away by households moving out (cumulative)."""
    return model.points.expired


def points_outstanding(model: "CommunityModel") -> float:
    """Points held by households now."""
    return model.points.outstanding


def newly_active_share(model: "CommunityModel") -> float:
    """Share of active households that were inactive when the points scheme began."""
    active = model.households.active
    n = int(active.sum())
    return float((active & model.points.inactive_before).sum() / n) if n else 0.0


def intrinsic_motivation(model: "CommunityModel") -> float:
    """Mean intrinsic motivation."""
    return float(model.households.motivation.mean())


def volunteer_teams(model: "CommunityModel") -> int:
    """Volunteer teams now."""
    return model.teams


def awards_given(model: "CommunityModel") -> int:
    """Good-neighbour and model-household awards (cumulative)."""
    return model.recognition.awards if model.recognition else 0


def volunteer_leaders(model: "CommunityModel") -> int:
    """Households that are volunteer leaders now."""
    return int(model.households.is_leader.sum())


def practice_adoption(model: "CommunityModel") -> float:
    """Share of stairwell units that have adopted the pilot-first practice."""
    return model.pilot_first.adoption_share


def fund_contribution_share(model: "CommunityModel") -> float:
    """Mean share of the suggested contribution households gave in the latest voluntary-fund round."""
    return model.voluntary_fund.mean_share


def fund_raised(model: "CommunityModel") -> float:
    """Yuan given to voluntary funds (cumulative)."""
    return model.voluntary_fund.raised


REPORTERS: dict[str, Callable[["CommunityModel"], float | int]] = {
    "participation_rate": participation_rate,
    "volunteer_rate": volunteer_rate,
    "fee_collection_rate": fee_collection_rate,
    "service_quality": service_quality,
    "trust_firm": trust_firm,
    "trust_committee": trust_committee,
    "satisfaction": satisfaction,
    "disputes_open": disputes_open,
    "disputes_raised": disputes_raised,
    "disputes_resolved": disputes_resolved,
    "disputes_escalated": disputes_escalated,
    "mean_resolution_weeks": mean_resolution_weeks,
    "funds_raised": funds_raised,
    "projects_completed": projects_completed,
    "elevators_built": elevators_built,
    "points_issued": points_issued,
    "points_redeemed": points_redeemed,
    "points_outstanding": points_outstanding,
    "firm_exits": firm_exits,
    "fee_collection_rate_by_area": fee_collection_rate_by_area,
    "disputes_abandoned": disputes_abandoned,
    "share_settled_locally": share_settled_locally,
    "firms_active": firms_active,
    "self_managed_compounds": self_managed_compounds,
    "firm_revenue": firm_revenue,
    "households_moved_in": households_moved_in,
    "meetings_held": meetings_held,
    "proposals_raised": proposals_raised,
    "joint_items_settled": joint_items_settled,
    "firm_commitments": firm_commitments,
    "coercive_collections": coercive_collections,
    "remuneration_compounds": remuneration_compounds,
    "owners_fund": owners_fund,
    "upgrades_funded": upgrades_funded,
    "volunteer_hours": volunteer_hours,
    "points_expired": points_expired,
    "newly_active_share": newly_active_share,
    "intrinsic_motivation": intrinsic_motivation,
    "volunteer_teams": volunteer_teams,
    "awards_given": awards_given,
    "volunteer_leaders": volunteer_leaders,
    "practice_adoption": practice_adoption,
    "fund_contribution_share": fund_contribution_share,
    "fund_raised": fund_raised,
    **PIPELINE_REPORTERS,
}


# ------------------------------------------------------------------ city runs
# A city run (sim.city) merges the time series of its communities step by step: counts, money
# and cumulative counters are summed; rates and means are averaged with weights, each weight
# taken from a community's model at the same moment as its row.


def households(model: "CommunityModel") -> int:
    """households"""
    return int(model.households.size)


def households_billed(model: "CommunityModel") -> int:
    """households billed the latest monthly bill"""
    return int(model.last_billing.billed.sum())


def amount_due(model: "CommunityModel") -> float:
    """yuan due on the latest monthly bill"""
    return float(model.last_billing.amount_due.sum())


def households_served_by_firm(model: "CommunityModel") -> int:
    """households in compounds that a firm serves or has served"""
    return int(served_by_firm(model).sum())


def active_households(model: "CommunityModel") -> int:
    """active households"""
    return int(model.households.active.sum())


def resolved_disputes(model: "CommunityModel") -> int:
    """disputes resolved so far"""
    return disputes_resolved(model)


def closed_disputes(model: "CommunityModel") -> int:
    """disputes closed so far (resolved, escalated or abandoned)"""
    return disputes_resolved(model) + disputes_escalated(model) + disputes_abandoned(model)


def stairwell_units(model: "CommunityModel") -> int:
    """stairwell units"""
    return int(model.world.units)


#: The weights of a city run's weighted means.
CITY_WEIGHTS: dict[str, Callable[["CommunityModel"], float | int]] = {
    "households": households,
    "households_billed": households_billed,
    "amount_due": amount_due,
    "households_served_by_firm": households_served_by_firm,
    "active_households": active_households,
    "resolved_disputes": resolved_disputes,
    "closed_disputes": closed_disputes,
    "stairwell_units": stairwell_units,
}

#: A column that a city run sums over its communities.
SUM = "sum"

#: How every column combines over a city's communities: SUM, or the CITY_WEIGHTS weight of a
#: weighted mean (0 where the weights sum to 0, as a community's own rate is).
CITY_MERGE: dict[str, str] = {
    "participation_rate": "households",
    "volunteer_rate": "households",
    "fee_collection_rate": "households_billed",
    "service_quality": "households",
    "trust_firm": "households_served_by_firm",
    "trust_committee": "households",
    "satisfaction": "households",
    "disputes_open": SUM,
    "disputes_raised": SUM,
    "disputes_resolved": SUM,
    "disputes_escalated": SUM,
    "mean_resolution_weeks": "resolved_disputes",
    "funds_raised": SUM,
    "projects_completed": SUM,
    "elevators_built": SUM,
    "points_issued": SUM,
    "points_redeemed": SUM,
    "points_outstanding": SUM,
    "firm_exits": SUM,
    "fee_collection_rate_by_area": "amount_due",
    "disputes_abandoned": SUM,
    "share_settled_locally": "closed_disputes",
    "firms_active": SUM,
    "self_managed_compounds": SUM,
    "firm_revenue": SUM,
    "households_moved_in": SUM,
    "meetings_held": SUM,
    "proposals_raised": SUM,
    "joint_items_settled": SUM,
    "firm_commitments": SUM,
    "coercive_collections": SUM,
    "remuneration_compounds": SUM,
    "owners_fund": SUM,
    "upgrades_funded": SUM,
    "volunteer_hours": SUM,
    "points_expired": SUM,
    "newly_active_share": "active_households",
    "intrinsic_motivation": "households",
    "volunteer_teams": SUM,
    "awards_given": SUM,
    "volunteer_leaders": SUM,
    "practice_adoption": "stairwell_units",
    "projects_proposed": SUM,
    "projects_qualified": SUM,
    "projects_consented": SUM,
    "projects_funded": SUM,
    "projects_fundraising": SUM,
    "projects_under_construction": SUM,
    "projects_failed": SUM,
    "fund_contribution_share": "households",
    "fund_raised": SUM,
}


def city_merge_text(column: str) -> str:
    """How a column combines in a city run, in words (for the documentation)."""
    rule = CITY_MERGE[column]
    if rule == SUM:
        return "sum"
    return f"mean weighted by {CITY_WEIGHTS[rule].__doc__}"
