"""Households moving out and in.

Each week a renting household leaves with chance `renter_turnover_per_year` / 52 and an owning
one with chance `owner_turnover_per_year` / 52. The flat is taken at once by a new household of
the same tenure, with a fresh id, newcomer trust, no payment habit, no grievance and no tenure.
Its open disputes are closed as withdrawn; what it paid is kept in the ledger of past
households, so money and households are each counted once.
"""

import numpy as np

from sim.scenario.schema import Households
from sim.state import HouseholdState
from sim.world.population import draw_households


def draw_movers(hh: HouseholdState, spec: Households, rng: np.random.Generator) -> np.ndarray:
    """Flats whose households move out this week."""
    yearly = np.where(hh.is_owner, spec.owner_turnover_per_year, spec.renter_turnover_per_year)
    return np.flatnonzero(rng.random(hh.size) < yearly / 52.0)


def replace_households(
    hh: HouseholdState, flats: np.ndarray, spec: Households, first_id: int, rng: np.random.Generator
) -> HouseholdState:
    """Put new households into `flats`; return the households that left."""
    leavers = HouseholdState(
        **{name: getattr(hh, name)[flats].copy() for name in hh.__dataclass_fields__}
    )
    newcomers = draw_households(spec, hh.is_owner[flats], first_id, rng, newcomer=True)
    hh.assign(flats, newcomers)
    return leavers
