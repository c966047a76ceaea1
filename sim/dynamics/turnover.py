"""Households moving out and in.

Each week a renting household leaves with chance `renter_turnover_per_year` / 52 and an owning
one with chance `owner_turnover_per_year` / 52. The flat is taken at once by a new household of
the same tenure, with a fresh id, newcomer trust, no payment habit, no grievance and no tenure.
Its open disputes are closed as withdrawn; what it paid is kept in the ledger of past
households, so money and households are each counted once.
"""

import numpy as np

from sim.dynamics.events import occurrences
from sim.scenario.schema import Households
from sim.state import HouseholdState
from sim.world.population import draw_households


class MoveOutChances:
    """Each flat's weekly chance of a move-out, kept while the yearly rates stay the same.

    A flat keeps its tenure (owner or renter) across households, so the chances change only
    with the rates.
    """

    def __init__(self, is_owner: np.ndarray) -> None:
        self.is_owner = is_owner
        self.rates: tuple[float, float] | None = None
        self.chance = np.empty(0)

    def of(self, spec: Households) -> np.ndarray:
        """Weekly chance per flat under the rates of `spec`."""
        rates = (spec.owner_turnover_per_year, spec.renter_turnover_per_year)
        if rates != self.rates:
            self.chance = np.where(self.is_owner, *rates) / 52.0
            self.rates = rates
        return self.chance


def draw_movers(chance: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Flats whose households move out this week, given each flat's weekly chance."""
    return occurrences(rng, chance)


def replace_households(
    hh: HouseholdState, flats: np.ndarray, spec: Households, first_id: int, rng: np.random.Generator
) -> None:
    """Put new households, of the same tenure, into `flats`."""
    newcomers = draw_households(spec, hh.is_owner[flats], first_id, rng, newcomer=True)
    hh.assign(flats, newcomers)
