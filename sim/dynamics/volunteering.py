"""Volunteering and volunteer teams.

Each week an active household volunteers with chance

    v_i = clip(r m_i + pull_i + status_i + team_push [member], 0, 1)

with m_i its intrinsic motivation, r = `base_rate`, pull_i the pull of points (zero unless the
points scheme runs; see the points mechanism) and status_i what awards gave it. A volunteer
gives `hours_per_week` hours.

Teams form by building: a building with at least `team_minimum` volunteers this week and no team
forms one, its members those volunteers; later volunteers of the building join it. Members get
`team_push` in their participation drive and their chance of volunteering (the team keeps them
active). A member inactive for `drift_weeks` weeks drifts out, and a team whose members fall
below half of `team_minimum` dissolves. Recent activity, used to pick award winners, is the
exponential average a <- a + (active - a) / 13.
"""

import numpy as np

from sim.dynamics.events import occurrences
from sim.scenario.incentive_params import Volunteering
from sim.state import HouseholdState
from sim.world.structure import BuiltCommunity

ACTIVITY_MEMORY_WEEKS = 13


def update_activity(hh: HouseholdState) -> None:
    """Recent activity and the run of inactive weeks."""
    hh.activity += (hh.active - hh.activity) / ACTIVITY_MEMORY_WEEKS
    hh.inactive_weeks = np.where(hh.active, 0, hh.inactive_weeks + 1)


def draw_volunteers(
    hh: HouseholdState, pull: np.ndarray, spec: Volunteering, rng: np.random.Generator
) -> None:
    """Who among the active volunteers this week."""
    active = np.flatnonzero(hh.active)
    chance = (
        spec.base_rate * hh.motivation[active]
        + pull[active]
        + hh.status[active]
        + spec.team_push * hh.team_member[active]
    )
    hh.volunteer[:] = False
    hh.volunteer[active[occurrences(rng, np.clip(chance, 0.0, 1.0))]] = True


def update_teams(hh: HouseholdState, world: BuiltCommunity, spec: Volunteering) -> int:
    """Form, grow, thin and dissolve building teams; return the number of teams."""
    hh.team_member &= hh.inactive_weeks < spec.drift_weeks
    members = world.count_by_building(hh.team_member)
    volunteers = world.count_by_building(hh.volunteer)
    has_team = members >= max(1, spec.team_minimum // 2)
    hh.team_member &= world.of_building(has_team)
    forming = ~has_team & (volunteers >= spec.team_minimum)
    hh.team_member |= hh.volunteer & world.of_building(has_team | forming)
    return int(np.count_nonzero(has_team | forming))
