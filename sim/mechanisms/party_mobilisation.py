"""Party mobilisation: Party members with a role mobilise their neighbours and mediate.

Push received by household i (added to its participation drive):

    m_i = min(cap, strength * #{active Party members with a role among i's neighbours})

Roles are building head and central household (S1, S2). Where the building head is a Party
member, disputes that reach mediation in that building are mediated by them, with weekly
settlement chance `mediation_skill` x (1/2 + L) instead of a committee's.
"""

import numpy as np

from sim.scenario.schema import PartyMobilisation
from sim.state import BUILDING_HEAD, CENTRAL_HOUSEHOLD, HouseholdState
from sim.world.network import flagged_neighbours


def mobilisers(hh: HouseholdState) -> np.ndarray:
    """Active Party members with a role this week."""
    has_role = (hh.role == BUILDING_HEAD) | (hh.role == CENTRAL_HOUSEHOLD)
    return hh.active & hh.is_party & has_role


def mobilisation_push(hh: HouseholdState, adjacency, spec: PartyMobilisation) -> np.ndarray:
    """Participation push each household receives from mobilising Party neighbours."""
    if not spec.enabled:
        return np.zeros(hh.size)
    count = flagged_neighbours(adjacency, mobilisers(hh))
    return np.minimum(spec.mobilisation_cap, spec.mobilisation_strength * count)


def buildings_with_party_head(
    hh: HouseholdState, building: np.ndarray, n_buildings: int
) -> np.ndarray:
    """Per building: its building head is a Party member."""
    result = np.zeros(n_buildings, dtype=bool)
    result[building[(hh.role == BUILDING_HEAD) & hh.is_party]] = True
    return result
