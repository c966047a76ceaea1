"""Recognition: good-neighbour and model-household awards, and complainers turned leaders (S0, S4).

Every `cadence_weeks` (a Mesa recurring event) the `award_share` most active households (by
recent activity, ties broken at random) are awarded: their status rises by `status_gain`
(capped at 1/2) and decays by `status_decay` a week. While awards are given every household
also feels the pull of being recognised, `aspiration` (1 - m_i). Status and aspiration push
participation (and status volunteering) but are not money-framed, so they do not crowd out
intrinsic motivation (Frey).

In the same round a Party member engages each frequent complainer (recent complaints at least
`complainer_threshold`) in a building whose head is a Party member, with chance `engage_chance`;
an engaged complainer becomes a volunteer leader with chance `conversion_chance` (S0: 30+
complainers formed a volunteer team): its grievance halves, its intrinsic motivation rises to at
least 0.8, and while active it pushes each network neighbour by `leader_push` (capped, with other
pushes, by the participation logistic).
"""

from typing import TYPE_CHECKING

import numpy as np

from sim.mechanisms.recurring import RecurringMechanism
from sim.state import HouseholdState
from sim.world.network import flagged_neighbours

if TYPE_CHECKING:
    from sim.model import CommunityModel

STATUS_CAP = 0.5
LEADER_MOTIVATION = 0.8


def aspiration_push(hh: HouseholdState, spec) -> np.ndarray:
    """While awards are given, the wish to be recognised pulls the less motivated in."""
    if not spec.enabled:
        return np.zeros(hh.size)
    return spec.aspiration * (1.0 - hh.motivation)


def most_active(activity: np.ndarray, draw: np.ndarray, n: int) -> np.ndarray:
    """The `n` households of highest recent activity, ties broken by the lower draw (unordered).

    Those above the n-th highest activity, then as many tied at it as places remain.
    """
    threshold = -np.partition(-activity, n - 1)[n - 1]
    above = np.flatnonzero(activity > threshold)
    tied = np.flatnonzero(activity == threshold)
    tied = tied[np.argsort(draw[tied], kind="stable")[: n - above.size]]
    return np.concatenate([above, tied])


def leader_push(hh: HouseholdState, adjacency, strength: float) -> np.ndarray:
    """Push each household receives from active volunteer leaders among its neighbours."""
    return strength * flagged_neighbours(adjacency, hh.is_leader & hh.active)


class Recognition(RecurringMechanism):
    """Award rounds and the personal engagement of frequent complainers."""

    name = "recognition"

    def __init__(self, model: "CommunityModel") -> None:
        self.awards = 0
        self.leaders_made = 0
        super().__init__(model)

    def convene(self) -> None:
        """One award round."""
        model, spec = self.model, self.spec
        hh = model.households
        n_awards = int(round(spec.award_share * hh.size))
        if n_awards:
            winners = most_active(hh.activity, model.rng.random(hh.size), n_awards)
            hh.status[winners] = np.minimum(STATUS_CAP, hh.status[winners] + spec.status_gain)
            self.awards += n_awards
        party_head = model.party_committee.buildings_with_party_head()
        complainers = np.flatnonzero(
            (hh.complaints >= spec.complainer_threshold)
            & ~hh.is_leader
            & party_head[model.world.building]
        )
        engaged = complainers[model.rng.random(complainers.size) < spec.engage_chance]
        converted = engaged[model.rng.random(engaged.size) < spec.conversion_chance]
        hh.is_leader[converted] = True
        hh.grievance[converted] *= 0.5
        hh.motivation[converted] = np.maximum(hh.motivation[converted], LEADER_MOTIVATION)
        hh.baseline_motivation[converted] = np.maximum(
            hh.baseline_motivation[converted], LEADER_MOTIVATION
        )
        self.leaders_made += int(converted.size)
