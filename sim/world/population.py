"""Who lives in the flats: household traits, initial trust, and Party roles.

Compounds differ: each draws its own mean initial trust in the firm and in committees and its
own mean expected quality around the scenario's (Beta, `compound_trust_sd`,
`compound_expectation_sd`; order of draws: trust in the firm, in committees, expectation), and its
first households vary around those means. Newcomers bring the scenario's means.
"""

import numpy as np

from sim.scenario.schema import Households
from sim.state import (
    BUILDING_HEAD,
    CENTRAL_HOUSEHOLD,
    NO_ROLE,
    PARTY_MEMBER,
    HouseholdState,
)
from sim.world.structure import BuiltCommunity, expand_ranges, range_starts
from sim.world.traits import draw_share


def beta_with_mean(
    rng: np.random.Generator, mean: np.ndarray | float, concentration: float, size: int
) -> np.ndarray:
    """Beta draws with a given mean and concentration (alpha + beta)."""
    mean = np.minimum(np.maximum(mean, 1e-3), 1 - 1e-3)  # np.clip's values, at less cost
    return rng.beta(mean * concentration, (1 - mean) * concentration, size=size)


def draw_households(
    spec: Households,
    is_owner: np.ndarray,
    first_id: int,
    rng: np.random.Generator,
    *,
    newcomer: bool,
    means: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
) -> HouseholdState:
    """Draw households for flats whose tenure (owner or renter) is given.

    Newcomers start with low trust (`newcomer_trust`), no payment habit and no tenure. `means`
    gives each household's mean initial trust in the firm, in committees and expected quality
    (its compound's; the scenario's when None).
    """
    n = is_owner.size
    if means is None:
        means = (
            np.full(n, spec.initial_trust_firm),
            np.full(n, spec.initial_trust_committee),
            np.full(n, spec.expectation_mean),
        )
    trust_firm_mean, trust_committee_mean, expectation_mean = means
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
        trust_firm = beta_with_mean(rng, trust_firm_mean, k, n)
        trust_committee = beta_with_mean(rng, trust_committee_mean, k, n)
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
        expectation=beta_with_mean(rng, expectation_mean, 2 * k, n),
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
        payment_propensity=rng.normal(0.0, spec.payment_propensity_sd, size=n)
        if spec.payment_propensity_sd > 0
        else np.zeros(n),
    )


def populate(spec: Households, world: BuiltCommunity, rng: np.random.Generator) -> HouseholdState:
    """The initial households of every flat, with Party roles assigned per building."""
    is_owner = rng.random(world.households) >= spec.renter_share
    state = draw_households(
        spec, is_owner, 1, rng, newcomer=False, means=compound_means(spec, world, rng)
    )
    assign_party_roles(
        state, world.building_starts, world.building_flats, spec.central_households_per_building
    )
    return state


def compound_means(
    spec: Households, world: BuiltCommunity, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per household: its compound's mean initial trust in the firm, in committees, and expected
    quality, drawn per compound around the scenario's means."""
    c, sd = world.compounds, spec.compound_trust_sd
    trust_firm = draw_share(rng, spec.initial_trust_firm, sd, c)
    trust_committee = draw_share(rng, spec.initial_trust_committee, sd, c)
    expectation = draw_share(rng, spec.expectation_mean, spec.compound_expectation_sd, c)
    return tuple(world.of_compound(m) for m in (trust_firm, trust_committee, expectation))


def assign_party_roles(
    state: HouseholdState, starts: np.ndarray, sizes: np.ndarray, central_per_building: int
) -> None:
    """Name a building head per building and Party-member central households.

    Each building is its flats starts[b]:starts[b] + sizes[b] (every building, or only some:
    a building's roles depend on its own households alone). The building head is the building's
    most civic Party member, or its most civic household where no Party member lives there;
    central households are the next most civic Party members (the earlier flat first on ties).
    """
    starts, sizes = starts[sizes > 0], sizes[sizes > 0]
    flats = expand_ranges(starts, sizes)
    score = state.propensity[flats] + 10.0 * state.is_party[flats]
    ranked = top_in_ranges(score, range_starts(sizes), sizes, 1 + central_per_building)
    state.role[flats[ranked[0]]] = BUILDING_HEAD
    central = flats[np.concatenate(ranked[1:])] if central_per_building else flats[:0]
    state.role[central[state.is_party[central]]] = CENTRAL_HOUSEHOLD


def top_in_ranges(
    score: np.ndarray, starts: np.ndarray, sizes: np.ndarray, count: int
) -> list[np.ndarray]:
    """The positions of the `count` highest scores within each range of `score` (ranges laid
    end to end from `starts`, none empty): entry r holds each range's r-th highest, the earlier
    position first on ties, for the ranges with more than r entries.

    Each rank takes every range's best remaining score at once (a maximum per range), so the
    cost is `count` passes over the scores rather than a sort.
    """
    remaining = np.array(score, dtype=float)
    positions = np.arange(score.size)
    ranked = []
    for _ in range(count):
        best = np.maximum.reduceat(remaining, starts)
        at_best = remaining == np.repeat(best, sizes)
        first = np.minimum.reduceat(np.where(at_best, positions, score.size), starts)
        first = first[best > -np.inf]
        remaining[first] = -np.inf
        ranked.append(first)
    return ranked
