"""Building meetings: monthly building-head meetings and evening forums (S1: Binhu Mingzhu).

Every `cadence_weeks` (a Mesa recurring event) each building meets. Its building head attends;
every other household active that week attends with chance `attendance`. Deliberation follows
Deffuant-Weisbuch bounded confidence (chosen over Hegselmann-Krause because a forum is a series
of conversations between pairs, not a plenary averaging): attendees are paired at random three
times, and a pair whose support for collective action x differs by less than epsilon
(`confidence`) moves together,

    x_i <- x_i + mu (x_j - x_i),   x_j <- x_j + mu (x_i - x_j)

so about floor(1 / (2 epsilon)) opinion clusters remain. The building head, who leads the
meeting, then talks with each attendee: an attendee within epsilon of the head moves mu of the
way toward the head's support (the head does not move). Support persists; it leaves with a
household that moves out. A meeting where at least `minimum_supporters` attendees' support
exceeds `proposal_support` produces a proposal (S1: 20+ sessions gave 50+ proposals;
proposals are recorded, and will feed crowdfunding once that mechanism is built). Attending
adds `engagement_gain` to a household's engagement (capped at 1), which decays by
`engagement_decay` a week and is lost when the household moves out; it is added to the
household's participation drive (push_i = engagement_i), so in a compound of renters who move on
the effect is weaker and fades faster once meetings stop.
"""

from typing import TYPE_CHECKING

import numpy as np

from sim.mechanisms.recurring import RecurringMechanism
from sim.scenario.mechanism_params import BuildingMeetings as BuildingMeetingsSpec
from sim.state import BUILDING_HEAD, HouseholdState

if TYPE_CHECKING:
    from sim.model import CommunityModel

PAIRING_ROUNDS = 3
PARTIES = "building_head+residents"


def participation_push(hh: HouseholdState, spec: BuildingMeetingsSpec) -> np.ndarray:
    """Push to participation from the engagement meetings gave."""
    if not spec.enabled:
        return np.zeros(hh.size)
    return hh.engagement


def decay_engagement(hh: HouseholdState, spec: BuildingMeetingsSpec) -> None:
    """Weekly fading of what meetings gave."""
    if spec.enabled:
        hh.engagement *= 1.0 - spec.engagement_decay


def deliberate(
    support: np.ndarray,
    attendees: np.ndarray,
    building: np.ndarray,
    spec: BuildingMeetingsSpec,
    rng,
) -> None:
    """Deffuant-Weisbuch rounds among each building's attendees (pairs never cross buildings).

    Each round shuffles the attendees, groups them by building keeping the shuffled order, and
    pairs neighbours in that order.
    """
    group = building[attendees]
    if group.size:  # the narrowest integer type: a stable sort by it is a fast radix sort
        group = group.astype(np.min_scalar_type(group.max()))
    for _ in range(PAIRING_ROUNDS):
        seat = rng.permutation(attendees.size)
        seat = seat[np.argsort(group[seat], kind="stable")]
        first, second = seat[:-1:2], seat[1::2]
        same = group[first] == group[second]
        i, j = attendees[first[same]], attendees[second[same]]
        gap = support[j] - support[i]
        close = np.abs(gap) < spec.confidence
        i, j, gap = i[close], j[close], gap[close]
        support[i] += spec.convergence * gap
        support[j] -= spec.convergence * gap


def listen_to_head(
    hh: HouseholdState, attendees: np.ndarray, building: np.ndarray, n_buildings: int, spec
) -> None:
    """Each attendee also talks with its building head (one-sided bounded-confidence pull)."""
    heads = np.flatnonzero(hh.role == BUILDING_HEAD)
    head_support = np.full(n_buildings, np.nan)
    head_support[building[heads]] = hh.support[heads]
    target = head_support[building[attendees]]
    gap = target - hh.support[attendees]
    close = ~np.isnan(gap) & (np.abs(gap) < spec.confidence)
    hh.support[attendees[close]] += spec.convergence * gap[close]


class BuildingMeetings(RecurringMechanism):
    """Convenes every building's meeting on the mechanism's cadence and records it."""

    name = "building_meetings"

    def __init__(self, model: "CommunityModel") -> None:
        self.meetings_held = 0
        self.proposals = 0
        super().__init__(model)

    def convene(self) -> None:
        """Hold this round of building meetings."""
        model, spec = self.model, self.spec
        hh, building = model.households, model.world.building
        heads = hh.role == BUILDING_HEAD
        attends = heads | (hh.active & (model.rng.random(hh.size) < spec.attendance))
        attendees = np.flatnonzero(attends)
        deliberate(hh.support, attendees, building, spec, model.rng)
        listen_to_head(hh, attendees, building, model.world.buildings, spec)
        hh.engagement[attendees] = np.minimum(1.0, hh.engagement[attendees] + spec.engagement_gain)
        n_buildings = model.world.buildings
        count = np.bincount(building[attendees], minlength=n_buildings)
        supporters = attendees[hh.support[attendees] > spec.proposal_support]
        backing = np.bincount(building[supporters], minlength=n_buildings)
        proposes = backing >= spec.minimum_supporters
        model.meetings.extend_columns(
            n_buildings,
            week=int(model.week),
            kind="building",
            compound=model.world.building_compound,
            building=np.arange(n_buildings),
            parties=PARTIES,
            attendance=count,
            items=0,
            settled=0,
            proposals=proposes.astype(np.int64),
            commitment="",
        )
        self.meetings_held += n_buildings
        self.proposals += int(proposes.sum())
