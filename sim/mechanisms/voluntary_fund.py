"""Voluntary fund: repeated monthly contributions to a shared good, with conditional cooperation.

A building's (or a compound's, `scope`) households keep a fund for cleaning or greenery by
voluntary monthly gifts (S2, S4: self-funded upkeep). At each month's end (a round) household i
gives the share c_i in [0, 1] of the suggested contribution (`suggested_contribution` yuan).
Cooperation types (Fischbacher, Gaechter & Fehr 2001) are drawn once for each household:

    free rider      (free_rider_share)               c_i = 0
    conditional     (conditional_cooperator_share)   c_i = clip(a + b E_i, 0, 1)
    unconditional   (the rest)                       c_i = 1

with a = `conditional_base`, b = `conditional_slope` and E_i the share the household expects its
neighbours to give. Beliefs start at `initial_belief` and after each round move toward what the
others of the fund gave (the fund's accounts are posted):

    E_i <- E_i + belief_update (cbar_{-i} - E_i)

With b < 1, conditional cooperators give less than they expect, so expectations and gifts fall
round after round (Fehr & Gaechter 2000) toward the fixed point

    cbar* = (s_c a + s_u) / (1 - s_c b)         (s_c, s_u: conditional and unconditional shares)

(with the defaults 0.36 against 0.40 in the first round; with b = 1 the first round,
s_c (a + E_0) + s_u = 0.5, is already the fixed point). Each fund settles at the fixed point of
its own drawn shares, so with b = 1 a fund of a few dozen households still moves from its first
round, up or down, by about s_c / (1 - s_c) times its shares' deviation from the population's
(and turnover redraws them): no decay on average, a spread over funds. Meetings restore expectations and the
norm (Ostrom, Walker & Gardner 1992; face-to-face communication, Balliet 2010): before a round,
the households of a building whose building meeting, or of a compound whose joint meeting, met
since the last round (read from the meeting records) expect more,

    E_i <- E_i + meeting_lift (1 - E_i),

so contributions hold up where meetings run. A household that moves in draws its type and
expects what its fund's households gave in the last round (`initial_belief` before the first).

Random draws, in this order: at the first round one uniform per household (its type, in flat
order); at each later round one uniform per household that moved in since (in flat order).
"""

from typing import TYPE_CHECKING

import numpy as np

from sim.scenario.voluntary_fund_params import VoluntaryFund as VoluntaryFundSpec

if TYPE_CHECKING:
    from sim.model import CommunityModel

FREE_RIDER, CONDITIONAL, UNCONDITIONAL = 0, 1, 2
JOINT_MEETING_PREFIX = "joint"
BUILDING_MEETING = "building"


def draw_types(n: int, spec: VoluntaryFundSpec, rng: np.random.Generator) -> np.ndarray:
    """Cooperation types of n households."""
    u = rng.random(n)
    conditional = spec.free_rider_share + spec.conditional_cooperator_share
    return np.where(
        u < spec.free_rider_share, FREE_RIDER, np.where(u < conditional, CONDITIONAL, UNCONDITIONAL)
    ).astype(np.int8)


def contribution_shares(
    types: np.ndarray, belief: np.ndarray, spec: VoluntaryFundSpec
) -> np.ndarray:
    """Each household's gift as a share of the suggested contribution."""
    conditional = np.clip(spec.conditional_base + spec.conditional_slope * belief, 0.0, 1.0)
    return np.select([types == CONDITIONAL, types == UNCONDITIONAL], [conditional, 1.0], 0.0)


def others_mean(values: np.ndarray, group: np.ndarray, groups: int) -> np.ndarray:
    """For each household, the mean of `values` over the other households of its group (its
    own value where it is alone)."""
    totals = np.bincount(group, weights=values, minlength=groups)[group]
    sizes = np.bincount(group, minlength=groups)[group]
    return np.divide(totals - values, sizes - 1, out=values.copy(), where=sizes > 1)


class VoluntaryFund:
    """The monthly rounds of every fund of the community."""

    def __init__(self, model: "CommunityModel") -> None:
        self.model = model
        n = model.world.households
        self.types = np.zeros(n, dtype=np.int8)
        self.belief = np.zeros(n)
        self.member = np.zeros(n, dtype=np.int64)  # the household each entry was drawn for
        self.last_share = np.zeros(n)
        self.rounds = 0
        self.meetings_read = len(model.meetings)
        self.raised = 0.0  # yuan, cumulative
        self.mean_share = 0.0  # mean contribution share of the latest round

    @property
    def spec(self) -> VoluntaryFundSpec:
        """The mechanism's settings now in force."""
        return self.model.params.mechanisms.voluntary_fund

    def fund_of(self) -> tuple[np.ndarray, int]:
        """Each household's fund (its building or compound) and the number of funds."""
        world = self.model.world
        if self.spec.scope == "compound":
            return world.compound, world.compounds
        return world.building, world.buildings

    def month(self) -> None:
        """One round: newcomers join, meetings lift expectations, households give, beliefs adapt."""
        if not self.spec.enabled:
            self.meetings_read = len(self.model.meetings)
            return
        spec, hh = self.spec, self.model.households
        fund, funds = self.fund_of()
        self.welcome(fund, funds)
        met = self.met_since_last_round()
        self.belief[met] += spec.meeting_lift * (1.0 - self.belief[met])
        share = contribution_shares(self.types, self.belief, spec)
        observed = others_mean(share, fund, funds)
        self.belief += spec.belief_update * (observed - self.belief)
        self.last_share = share
        self.member = hh.household_id.copy()
        self.rounds += 1
        self.mean_share = float(share.mean())
        self.raised += float(share.sum()) * spec.suggested_contribution

    def welcome(self, fund: np.ndarray, funds: int) -> None:
        """Draw the types of households met for the first time; set their expectations."""
        hh, spec = self.model.households, self.spec
        if self.rounds == 0:
            self.types[:] = draw_types(hh.size, spec, self.model.rng)
            self.belief[:] = spec.initial_belief
            return
        new = np.flatnonzero(hh.household_id != self.member)
        if not new.size:
            return
        self.types[new] = draw_types(new.size, spec, self.model.rng)
        given = np.bincount(fund, weights=self.last_share, minlength=funds)
        sizes = np.bincount(fund, minlength=funds)
        self.belief[new] = (given / np.maximum(sizes, 1))[fund[new]]

    def met_since_last_round(self) -> np.ndarray:
        """Households of a building with a building meeting, or of a compound with a joint
        meeting, recorded since the last round."""
        meetings, start = self.model.meetings, self.meetings_read
        self.meetings_read = len(meetings)
        world = self.model.world
        kind = np.asarray(meetings.column("kind", start), dtype=str)
        compound = np.asarray(meetings.column("compound", start), dtype=np.int64)
        building = np.asarray(meetings.column("building", start), dtype=np.int64)
        in_building = (kind == BUILDING_MEETING) & (building >= 0)
        joint = np.char.startswith(kind, JOINT_MEETING_PREFIX)
        buildings = np.zeros(world.buildings, dtype=bool)
        compounds = np.zeros(world.compounds, dtype=bool)
        buildings[building[in_building]] = True
        compounds[compound[joint]] = True
        return buildings[world.building] | compounds[world.compound]
