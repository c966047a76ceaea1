"""Where projects come from: a scope's need, its leaders, and building meetings.

A scope (stairwell unit, building or compound, by the kind) may propose a kind when it has no
project of that kind under way or built, and, after a failure, once `retry_weeks` have passed
(never when 0); its buildings must have at least `min_floors` floors. Its need is the share of its
households whose expected net benefit is positive (the valuation module's net_i, at the mean
cost, with users counted by their chance of use). Each month a scope whose need reaches
`need_threshold` proposes with chance

    p = proposal_rate x (1 + leader_boost L) x 2 S x (1 + demonstration_boost B)

where L = 1 if an active building head or Party member lives in the scope (or, for a compound,
an owners' or self-management committee serves it), S is the mean support for collective
action of its households (1/2 gives the base rate) and B the number of projects of the kind
already built in its compound (a working example next door: S4's first elevators were copied
across the community). The proposer is recorded as building_head,
party_member, owners_committee or residents. When building meetings are on, each meeting that
produced a proposal (S1) puts forward the kind and scope of its building with the greatest need
(above zero), recorded as building_meeting.
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.mechanisms.crowdfunding.valuation import (
    gross_benefit,
    harm,
    indifference_band,
    share_weights,
    upkeep_burden,
)
from sim.scenario.crowdfunding_params import Crowdfunding, ProjectKind
from sim.state import BUILDING_HEAD
from sim.world.structure import BuiltCommunity, count_in_ranges, group_starts

if TYPE_CHECKING:
    from sim.model import CommunityModel

BUILDING_HEAD_LABEL, PARTY_MEMBER_LABEL, COMMITTEE_LABEL, RESIDENTS_LABEL = (
    "building_head",
    "party_member",
    "owners_committee",
    "residents",
)
BUILDING_MEETING_LABEL = "building_meeting"


@dataclass(frozen=True)
class Scopes:
    """The stairwell units, buildings or compounds that projects of a scope cover."""

    name: str
    of_flat: np.ndarray  # per flat: its scope
    starts: np.ndarray  # per scope: first flat (scopes are contiguous ranges of flats)
    sizes: np.ndarray  # per scope: flats
    compound: np.ndarray  # per scope
    building: np.ndarray  # per scope (-1 for compounds)
    unit: np.ndarray  # per scope (-1 for buildings and compounds)
    floors: np.ndarray  # per scope: floors of its tallest building

    @property
    def count(self) -> int:
        """Number of scopes."""
        return int(self.sizes.size)

    def count_in(self, flag: np.ndarray) -> np.ndarray:
        """Per scope: how many of its flats hold `flag`."""
        return count_in_ranges(flag, self.starts)


def scopes_of(world: BuiltCommunity, name: str) -> Scopes:
    """The scopes of a kind: every unit, building or compound of the community."""
    building_floors = world.building_floors
    if name == "unit":
        n = world.units
        of_flat = world.unit
        building = world.unit_building
        unit = np.arange(n)
        floors = building_floors[building]
    elif name == "building":
        n = world.buildings
        of_flat = world.building
        building = np.arange(n)
        unit = np.full(n, -1)
        floors = building_floors
    else:
        n = world.compounds
        of_flat = world.compound
        building = np.full(n, -1)
        unit = np.full(n, -1)
        floors = np.zeros(n, dtype=np.int64)
        np.maximum.at(floors, world.building_compound, building_floors)
    starts, sizes = group_starts(of_flat, n)
    compound = world.compound[starts]
    return Scopes(name, of_flat, starts, sizes, compound, building, unit, floors)


@dataclass(frozen=True)
class NeedParts:
    """Whether a young, or an elderly, household in each flat would gain from a kind.

    A household's expected net benefit depends only on the built structure, the kind's
    settings and whether the household now living there is elderly, so both answers are
    computed once per kind (and again when an intervention changes the settings).
    """

    young_gains: np.ndarray  # bool, per flat
    elderly_gains: np.ndarray


@dataclass
class NeedCacheEntry:
    """A kind's structural parts of need, with the settings they were computed from, and per
    scope how many of its households gained when last counted (with who was elderly then)."""

    kind: ProjectKind  # the very settings object
    valuation_years: float
    parts: NeedParts
    elderly: np.ndarray | None = None  # per flat, when last counted
    gaining: np.ndarray | None = None  # per scope, households that gain

    def count_gaining(self, elderly: np.ndarray, scopes: Scopes) -> np.ndarray:
        """Per scope: households that gain, counted again only where the household's age
        has changed since the last count (a household moved)."""
        parts = self.parts
        if self.gaining is None:
            self.gaining = scopes.count_in(
                np.where(elderly, parts.elderly_gains, parts.young_gains)
            )
            self.elderly = elderly.copy()
            return self.gaining
        changed = np.flatnonzero(elderly != self.elderly)
        if changed.size:
            young, old = parts.young_gains[changed], parts.elderly_gains[changed]
            now = np.where(elderly[changed], old, young).astype(np.int64)
            before = np.where(self.elderly[changed], old, young).astype(np.int64)
            np.add.at(self.gaining, scopes.of_flat[changed], now - before)
            self.elderly[changed] = elderly[changed]
        return self.gaining


def need_parts(model: "CommunityModel", kind: ProjectKind, scopes: Scopes, spec: Crowdfunding):
    """Whether a young or an elderly household in each flat expects a positive net benefit:
    its benefit before harm, less the burden (harm - compensation + ask + upkeep, yuan)."""
    floor, scope = model.world.floor, scopes.of_flat
    n_scopes = scopes.count
    users = np.full(floor.size, kind.use_share)
    young = gross_benefit(kind, floor, np.zeros(floor.size, dtype=bool), users)
    elderly = gross_benefit(kind, floor, np.ones(floor.size, dtype=bool), users)
    harms = harm(kind, floor)
    harmed = harms > indifference_band(young, scope, n_scopes, spec)[scope]
    compensation = kind.compensation * harmed
    mean_cost = (kind.cost_min + kind.cost_max) / 2
    if kind.redesign:
        mean_cost *= kind.redesign_cost_factor
    cost = mean_cost + kind.cost_per_household * scopes.sizes
    base = cost - np.minimum(kind.subsidy, cost)
    compensation_total = np.bincount(scope, weights=compensation, minlength=n_scopes)
    weights = share_weights(kind, floor)
    others = np.where(harmed, 0.0, weights)
    ask = proportional(base, weights, scope, n_scopes)
    ask += proportional(compensation_total, others, scope, n_scopes)
    upkeep = upkeep_burden(kind, floor, spec, scope, n_scopes)
    burden = harms - compensation + ask + upkeep
    return NeedParts(young - burden > 0, elderly - burden > 0)


def need_shares(
    model: "CommunityModel",
    kind: ProjectKind,
    scopes: Scopes,
    spec: Crowdfunding,
    cache: dict[str, "NeedCacheEntry"] | None = None,
) -> np.ndarray:
    """Per scope: the share of households whose expected net benefit is positive.

    `cache` keeps each kind's structural parts between calls, by kind name, for the very
    settings object of the kind and the valuation horizon they were computed from: settings
    are frozen and an intervention puts new ones in force, so parts of other settings are
    never read. With it, each scope's count of households that gain is kept too, and counted
    again only where a household of another age has moved in.
    """
    years = spec.valuation_years
    entry = cache.get(kind.name) if cache is not None else None
    if entry is None or entry.kind is not kind or entry.valuation_years != years:
        entry = NeedCacheEntry(kind, years, need_parts(model, kind, scopes, spec))
        if cache is not None:
            cache[kind.name] = entry
    return entry.count_gaining(model.households.is_elderly, scopes) / np.maximum(scopes.sizes, 1)


def proportional(
    totals: np.ndarray, weights: np.ndarray, scope: np.ndarray, n_scopes: int
) -> np.ndarray:
    """Each household's part of its scope's total, in proportion to its weight."""
    weight_sums = np.bincount(scope, weights=weights, minlength=n_scopes)[scope]
    return np.divide(
        totals[scope] * weights, weight_sums, out=np.zeros(scope.size), where=weight_sums > 0
    )


def proposer_labels(model: "CommunityModel", scopes: Scopes) -> np.ndarray:
    """Per scope: who would lead a proposal (building head, Party member, committee, residents)."""
    hh = model.households
    n = scopes.count
    head = scopes.count_in((hh.role == BUILDING_HEAD) & hh.active)
    party = scopes.count_in(hh.is_party & hh.active)
    labels = np.full(n, RESIDENTS_LABEL, dtype=object)
    if scopes.name == "compound":
        committees = set(model.owners_committees) | set(model.self_management_committees)
        served = np.isin(np.arange(n), list(committees))
        labels[served] = COMMITTEE_LABEL
    labels[party > 0] = PARTY_MEMBER_LABEL
    labels[head > 0] = BUILDING_HEAD_LABEL
    return labels


def mean_support(model: "CommunityModel", scopes: Scopes) -> np.ndarray:
    """Per scope: its households' mean support for collective action."""
    support = np.bincount(scopes.of_flat, weights=model.households.support, minlength=scopes.count)
    return support / np.maximum(scopes.sizes, 1)


def proposal_chance(
    scopes: Scopes,
    labels: np.ndarray,
    support: np.ndarray,
    built_in_compound: np.ndarray,
    spec: Crowdfunding,
) -> np.ndarray:
    """Per scope: the monthly chance of a proposal, need aside (`support`: mean_support)."""
    led = labels != RESIDENTS_LABEL
    shown = 1.0 + spec.demonstration_boost * built_in_compound[scopes.compound]
    chance = spec.proposal_rate * (1.0 + spec.leader_boost * led) * 2.0 * support * shown
    return np.clip(chance, 0.0, 1.0)
