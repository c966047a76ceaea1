"""Who lives in the flats: household traits, initial trust, and Party roles."""

import numpy as np

from sim.scenario.schema import Households
from sim.state import (
    BUILDING_HEAD,
    CENTRAL_HOUSEHOLD,
    NO_ROLE,
    PARTY_MEMBER,
    HouseholdState,
)
from sim.world.structure import BuiltCommunity


def beta_with_mean(
    rng: np.random.Generator, mean: np.ndarray | float, concentration: float, size: int
) -> np.ndarray:
    """Beta draws with a given mean and concentration (alpha + beta)."""
    mean = np.clip(mean, 1e-3, 1 - 1e-3)
    return rng.beta(mean * concentration, (1 - mean) * concentration, size=size)


def draw_households(
    spec: Households,
    is_owner: np.ndarray,
    first_id: int,
    rng: np.random.Generator,
    *,
    newcomer: bool,
) -> HouseholdState:
    """Draw households for flats whose tenure (owner or renter) is given.

    Newcomers start with low trust (`newcomer_trust`), no payment habit and no tenure.
    """
    n = is_owner.size
    k = spec.trust_concentration
    is_party = rng.random(n) < spec.party_member_share
    is_elderly = rng.random(n) < spec.elderly_share
    propensity_mean = np.where(is_party, spec.party_propensity_mean, spec.propensity_mean)
    propensity_mean = np.where(
        is_owner, propensity_mean, propensity_mean * spec.renter_propensity_factor
    )
    propensity_mean = np.where(
        is_elderly, propensity_mean * spec.elderly_propensity_factor, propensity_mean
    )
    if newcomer:
        trust_firm = beta_with_mean(rng, spec.newcomer_trust, k, n)
        trust_committee = beta_with_mean(rng, spec.newcomer_trust, k, n)
        tenure = np.zeros(n, dtype=np.int64)
    else:
        trust_firm = beta_with_mean(rng, spec.initial_trust_firm, k, n)
        trust_committee = beta_with_mean(rng, spec.initial_trust_committee, k, n)
        tenure = rng.integers(0, 52 * 20, size=n)
    propensity = beta_with_mean(rng, propensity_mean, k, n)
    return HouseholdState(
        household_id=np.arange(first_id, first_id + n, dtype=np.int64),
        is_owner=is_owner.copy(),
        is_elderly=is_elderly,
        is_party=is_party,
        role=np.where(is_party, PARTY_MEMBER, NO_ROLE).astype(np.int8),
        tenure_weeks=tenure,
        income=spec.income_median * np.exp(rng.normal(0.0, spec.income_log_sd, size=n)),
        propensity=propensity,
        threshold=beta_with_mean(rng, spec.threshold_mean, k, n),
        expectation=beta_with_mean(rng, np.full(n, spec.expectation_mean if n else 0.5), 2 * k, n),
        trust_firm=trust_firm,
        trust_committee=trust_committee,
        satisfaction=np.full(n, 0.5),
        grievance=np.zeros(n),
        points=np.zeros(n),
        active=np.zeros(n, dtype=bool),
        paid_last=np.zeros(n, dtype=bool),
        habit=np.zeros(n),
        fees_paid=np.zeros(n),
        in_dispute=np.zeros(n, dtype=bool),
        support=beta_with_mean(rng, 0.25 + 0.5 * propensity, k, n),
        engagement=np.zeros(n),
        motivation=propensity.copy(),
        baseline_motivation=propensity.copy(),
        status=np.zeros(n),
        activity=np.zeros(n),
        volunteer=np.zeros(n, dtype=bool),
        complaints=np.zeros(n),
        is_leader=np.zeros(n, dtype=bool),
        team_member=np.zeros(n, dtype=bool),
        inactive_weeks=np.zeros(n, dtype=np.int64),
        practice_support=beta_with_mean(rng, spec.practice_support_mean, k, n),
    )


def populate(spec: Households, world: BuiltCommunity, rng: np.random.Generator) -> HouseholdState:
    """The initial households of every flat, with Party roles assigned per building."""
    is_owner = rng.random(world.households) >= spec.renter_share
    state = draw_households(spec, is_owner, 1, rng, newcomer=False)
    assign_party_roles(state, world.building, world.buildings, spec.central_households_per_building)
    return state


def assign_party_roles(
    state: HouseholdState,
    building: np.ndarray,
    n_buildings: int,
    central_per_building: int,
    flats: np.ndarray | None = None,
) -> None:
    """Name a building head per building and Party-member central households.

    The building head is the building's most civic Party member, or its most civic household
    where no Party member lives there; central households are the next most civic Party members.
    With `flats` (every flat of some buildings), only those buildings are assigned; a building's
    roles depend on its own households alone, so the result there is the same.
    """
    flats = np.arange(building.size) if flats is None else flats
    score = state.propensity[flats] + 10.0 * state.is_party[flats]
    buildings = building[flats]
    order = np.lexsort((-score, buildings))
    sorted_building = buildings[order]
    starts = np.searchsorted(sorted_building, np.arange(n_buildings))
    rank = np.arange(order.size) - starts[sorted_building]
    heads = flats[order[rank == 0]]
    state.role[heads] = BUILDING_HEAD
    central = flats[order[(rank >= 1) & (rank <= central_per_building)]]
    central = central[state.is_party[central]]
    state.role[central] = CENTRAL_HOUSEHOLD
