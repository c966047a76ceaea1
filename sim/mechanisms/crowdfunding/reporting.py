"""Crowdfunding's time-series columns and its block of summary.json.

The columns are 0 when the mechanism is off. The summary block gives, per kind, the pipeline
(applied, qualified, consented, funded, built, under construction, still fund-raising, failures
by reason), the campaign success rate (funded / campaigns closed), the median weeks from the
vote to the target, and the free-rider share (households asked for money in a closed campaign
who gave nothing); the approval rate of every vote by consent rule; and, by floor, elevator
support (yes share of voters), contribution and net benefit.
"""

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sim.mechanisms.crowdfunding.projects import (
    BUILT,
    CONSTRUCTION,
    FUNDRAISING,
    QUALIFIED,
    TARGET_MISSED,
    Project,
    contributions_frame,
)

if TYPE_CHECKING:
    from sim.model import CommunityModel


def funds_raised(model: "CommunityModel") -> float:
    """Yuan raised by crowdfunded projects that reached their target (cumulative, after rebates)."""
    return model.crowdfunding.funds_raised if model.crowdfunding else 0.0


def projects_completed(model: "CommunityModel") -> int:
    """Crowdfunded projects built (cumulative)."""
    return model.crowdfunding.counts["built"] if model.crowdfunding else 0


def elevators_built(model: "CommunityModel") -> int:
    """Elevator retrofits built (cumulative)."""
    return model.crowdfunding.counts["elevators_built"] if model.crowdfunding else 0


def projects_proposed(model: "CommunityModel") -> int:
    """Crowdfunding projects proposed (applied; cumulative)."""
    return model.crowdfunding.counts["proposed"] if model.crowdfunding else 0


def projects_qualified(model: "CommunityModel") -> int:
    """Projects that passed the technical survey (cumulative)."""
    return model.crowdfunding.counts["qualified"] if model.crowdfunding else 0


def projects_consented(model: "CommunityModel") -> int:
    """Projects whose consent vote passed (cumulative)."""
    return model.crowdfunding.counts["consented"] if model.crowdfunding else 0


def projects_funded(model: "CommunityModel") -> int:
    """Projects whose campaign reached its target (cumulative)."""
    return model.crowdfunding.counts["funded"] if model.crowdfunding else 0


def projects_failed(model: "CommunityModel") -> int:
    """Projects that failed at the survey, the vote or the campaign (cumulative)."""
    return model.crowdfunding.counts["failed"] if model.crowdfunding else 0


def projects_fundraising(model: "CommunityModel") -> int:
    """Consented projects raising funds now."""
    return model.crowdfunding.now_at(FUNDRAISING) if model.crowdfunding else 0


def projects_under_construction(model: "CommunityModel") -> int:
    """Funded projects under construction now."""
    return model.crowdfunding.now_at(CONSTRUCTION) if model.crowdfunding else 0


#: Pipeline columns of timeseries.csv besides funds_raised, projects_completed, elevators_built.
PIPELINE_REPORTERS = {
    "projects_proposed": projects_proposed,
    "projects_qualified": projects_qualified,
    "projects_consented": projects_consented,
    "projects_funded": projects_funded,
    "projects_fundraising": projects_fundraising,
    "projects_under_construction": projects_under_construction,
    "projects_failed": projects_failed,
}


def pipeline(projects: list[Project]) -> dict[str, Any]:
    """Counts of one kind's projects along the pipeline, and failures by reason."""
    failures: dict[str, int] = {}
    for p in projects:
        if p.reason:
            failures[p.reason] = failures.get(p.reason, 0) + 1
    return {
        "applied": len(projects),
        "qualified": sum(p.reached(QUALIFIED) for p in projects),
        "consented": sum(p.reached(FUNDRAISING) for p in projects),
        "funded": sum(p.week_funded >= 0 for p in projects),
        "built": sum(p.stage == BUILT for p in projects),
        "under_construction": sum(p.stage == CONSTRUCTION for p in projects),
        "fundraising": sum(p.stage == FUNDRAISING for p in projects),
        "failed": failures,
    }


def campaign_results(projects: list[Project]) -> dict[str, Any]:
    """Success rate, median weeks to target and free-rider share of closed campaigns."""
    funded = [p for p in projects if p.week_funded >= 0]
    closed = funded + [p for p in projects if p.reason == TARGET_MISSED]
    asked = sum(int(np.count_nonzero(p.ask_fen > 0)) for p in closed)
    gave_nothing = sum(int(np.count_nonzero((p.ask_fen > 0) & (p.paid_fen == 0))) for p in closed)
    weeks = [p.week_funded - p.week_voted for p in funded]
    return {
        "campaigns_closed": len(closed),
        "success_rate": len(funded) / len(closed) if closed else None,
        "median_weeks_to_target": float(np.median(weeks)) if weeks else None,
        "free_rider_share": gave_nothing / asked if asked else None,
    }


def approval_by_rule(votes: pd.DataFrame) -> dict[str, dict[str, float]]:
    """Votes, passes and the approval rate under each consent rule."""
    result = {}
    for rule, group in votes.groupby("rule", sort=True):
        result[str(rule)] = {
            "votes": int(len(group)),
            "passed": int(group["passed"].sum()),
            "approval_rate": float(group["passed"].mean()),
        }
    return result


def elevator_by_floor(projects: list[Project]) -> dict[str, dict[str, float]]:
    """Per floor: elevator support among voters, and contribution and net benefit where built."""
    elevators = [p for p in projects if p.kind.elevator]
    rows = contributions_frame(elevators)
    if rows.empty:
        return {}
    built_ids = {p.project_id for p in elevators if p.stage == BUILT}
    result = {}
    for floor, group in rows.groupby("floor", sort=True):
        voters = group[group["voted"].astype(bool)]
        built = group[group["project_id"].isin(built_ids)]
        result[str(int(floor))] = {
            "households_voting": int(len(voters)),
            "yes_share": float(voters["yes"].mean()) if len(voters) else 0.0,
            "mean_paid_built": float(built["paid"].mean()) if len(built) else 0.0,
            "mean_net_benefit_built": float(built["net_benefit"].mean()) if len(built) else 0.0,
        }
    return result


def crowdfunding_summary(model: "CommunityModel") -> dict[str, Any]:
    """The crowdfunding block of summary.json."""
    projects = model.crowdfunding.projects
    names = list(dict.fromkeys(p.kind.name for p in projects))
    by_kind = {
        name: {
            **pipeline([p for p in projects if p.kind.name == name]),
            **campaign_results([p for p in projects if p.kind.name == name]),
        }
        for name in names
    }
    return {
        "by_kind": by_kind,
        "all_kinds": {**pipeline(projects), **campaign_results(projects)},
        "approval_by_rule": approval_by_rule(model.votes.to_frame()),
        "funds_raised_yuan": model.crowdfunding.funds_raised,
        "opposition_disputes": model.crowdfunding.opposition_disputes,
        "elevator_by_floor": elevator_by_floor(projects),
    }
