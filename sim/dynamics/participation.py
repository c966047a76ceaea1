"""Threshold participation on the social network (Granovetter 1978; Watts 2002).

Each week household i is active with probability

    p_i = logistic((D_i - theta_i) / tau),
    D_i = w_n r_i s_i + w_p pi_i + w_t (Tc_i - 1/2) + m_i

where s_i is the active share of i's network neighbours last week, pi_i its intrinsic
motivation (its civic propensity unless a points scheme has crowded it out), r_i = min(1,
pi_i / pi0_i) the part of its motivation left by crowding (a money frame turns the social norm
into a price as well, Gneezy & Rustichini 2000; r = 1 without points), Tc_i its trust in
committees, m_i the sum of pushes it receives from mechanisms (Party mobilisation, meetings,
points, awards, teams, volunteer leaders; zero when none is on), theta_i its threshold and tau
the noise. Taking part is, with weekly chance `engagement_rate`, a good experience of the
committees (efficacy).
"""

import numpy as np
from scipy.special import expit

from sim.dynamics.events import occurrences
from sim.dynamics.trust import reward
from sim.scenario.schema import Participation, Trust
from sim.state import HouseholdState
from sim.world.network import flagged_neighbours


def neighbour_share(adjacency, flag: np.ndarray, degree: np.ndarray) -> np.ndarray:
    """Share of each household's network neighbours for which `flag` holds."""
    return flagged_neighbours(adjacency, flag) / np.maximum(degree, 1)


def participation_probability(
    hh: HouseholdState, active_share: np.ndarray, push: np.ndarray, spec: Participation
) -> np.ndarray:
    """Chance of taking part this week for every household."""
    norm = hh.motivation / np.maximum(hh.baseline_motivation, 1e-9)
    drive = (
        spec.neighbour_weight * np.minimum(norm, 1.0) * active_share
        + spec.propensity_weight * hh.motivation
        + spec.trust_weight * (hh.trust_committee - 0.5)
        + push
    )
    return expit((drive - hh.threshold) / spec.noise)


def update_participation(
    hh: HouseholdState,
    adjacency,
    degree: np.ndarray,
    push: np.ndarray,
    spec: Participation,
    trust_spec: Trust,
    rng: np.random.Generator,
) -> None:
    """Draw this week's active households and credit engagement to trust in committees."""
    share = neighbour_share(adjacency, hh.active, degree)
    p = participation_probability(hh, share, push, spec)
    hh.active[:] = rng.random(hh.size) < p
    active = np.flatnonzero(hh.active)
    engaged = active[occurrences(rng, trust_spec.engagement_rate, active.size)]
    reward(hh.trust_committee, engaged, trust_spec)
