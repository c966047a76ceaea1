"""Mesa agents: households as handles onto the state arrays, firms and committees with rules.

Households are many and update every week, so their state lives in numpy arrays and the
`Resident` agent reads and writes its own row. Firms and committees are few and decide rarely
(a budget, an exit, a mediation), so their rules are methods here.
"""

from typing import TYPE_CHECKING

import numpy as np
from mesa import Agent
from mesa.discrete_space import FixedAgent

from sim.dynamics.firm_conduct import FirmTraits
from sim.mechanisms.party_mobilisation import buildings_with_party_head
from sim.scenario.schema import SelfManagement, Service
from sim.state import BUILDING_HEAD, CENTRAL_HOUSEHOLD

if TYPE_CHECKING:
    from sim.model import CommunityModel


def household_column(name: str, doc: str) -> property:
    """A property reading and writing this household's entry of a state array."""

    def get(self: "Resident"):
        return getattr(self.model.households, name)[self.flat].item()

    def set_(self: "Resident", value) -> None:
        getattr(self.model.households, name)[self.flat] = value

    return property(get, set_, doc=doc)


def world_column(name: str, doc: str) -> property:
    """A read-only property giving where this household's flat is."""
    return property(lambda self: int(getattr(self.model.world, name)[self.flat]), doc=doc)


class Resident(FixedAgent):
    """A household living in a flat (the flat index is its network node)."""

    household_id = household_column("household_id", "Unique id of the household")
    is_owner = household_column("is_owner", "Owner-occupier (True) or renter")
    is_elderly = household_column("is_elderly", "Headed by someone aged 60 or more")
    tenure_weeks = household_column("tenure_weeks", "Weeks since it moved in")
    income = household_column("income", "Household income, yuan/month")
    propensity = household_column("propensity", "Civic propensity in [0, 1]")
    threshold = household_column("threshold", "Participation threshold in [0, 1]")
    trust_firm = household_column("trust_firm", "Trust in the property firm")
    trust_committee = household_column("trust_committee", "Trust in committees")
    satisfaction = household_column("satisfaction", "Satisfaction in [0, 1]")
    grievance = household_column("grievance", "Accumulated grievance (>= 0)")
    points = household_column("points", "Points held")
    active = household_column("active", "Takes part this week")
    paid_last = household_column("paid_last", "Paid the latest monthly bill")
    compound = world_column("compound", "Compound index")
    building = world_column("building", "Building index")
    unit = world_column("unit", "Stairwell unit index")
    floor = world_column("floor", "Floor (1 = ground floor)")

    def __init__(self, model: "CommunityModel", flat: int, cell) -> None:
        super().__init__(model)
        self.flat = flat
        self.cell = cell

    @property
    def is_renter(self) -> bool:
        """Rents the flat."""
        return not self.is_owner


class PartyMember(Resident):
    """A household with a Party member: building head, central household or plain member."""

    @property
    def role(self) -> str:
        """The Party role: 'building_head', 'central_household' or 'member'."""
        code = int(self.model.households.role[self.flat])
        return {BUILDING_HEAD: "building_head", CENTRAL_HOUSEHOLD: "central_household"}.get(
            code, "member"
        )


class PropertyFirm(Agent):
    """A profit-seeking property firm serving one compound.

    Under the lump-sum contract, monthly: revenue R = fees collected; cost C = F + V e (F fixed,
    V full-quality variable cost, e effort); reserves += R - C. Expected revenue
    R_hat <- (R_hat + R) / 2. The firm delivers the contract's effort e_c while its expected
    revenue covers it and cuts to the break-even effort otherwise:
    e* = clip(min(e_c, (R_hat - F) / V), e_min, e_c); effort closes `effort_adjustment` of the gap
    to e* each month. After `exit_after_loss_months` consecutive losing months with negative
    reserves the firm leaves. A losing firm whose compound pays less than `coercion_collection`
    hires collectors with monthly chance `coercion_chance` (see the firm_conduct module).
    F and V carry the firm's own cost factor; e_min, its patience, starting reserves and
    coercion chance are its own `traits` too (the scenario's means when none are given).

    A firm that has committed at a joint meeting to invest first delivers the committed effort
    while the commitment runs if it keeps it, and does not leave while the residents' committee
    stands guarantor; committing starts its losing streak afresh, and losing months under the
    guarantee do not add to it (it invests first on the guarantee's word, and judges the
    compound by the months after). Under the remuneration contract its pay follows its `terms` instead.
    """

    def __init__(
        self,
        model: "CommunityModel",
        compound: int,
        full_revenue: float,
        spec: Service,
        *,
        entrant: bool,
        traits: FirmTraits | None = None,
    ) -> None:
        super().__init__(model)
        self.compound = compound
        self.spec = spec
        self.traits = traits = traits if traits is not None else FirmTraits.typical(spec)
        self.full_revenue = full_revenue
        self.fixed_cost = traits.cost_factor * spec.fixed_cost_share * full_revenue
        self.variable_cost = traits.cost_factor * spec.variable_cost_share * full_revenue
        self.effort = spec.entry_effort if entrant else spec.contract_effort
        self.reserves = traits.reserve_months * full_revenue
        self.expected_revenue = spec.expected_collection_at_entry * full_revenue
        self.loss_months = 0
        self.revenue_total = 0.0
        self.cost_total = 0.0
        self.months = 0
        self.last_revenue = 0.0
        self.last_profit = 0.0
        self.terms = None  # RemunerationTerms once the owners adopt the remuneration contract
        self.commitment_effort = 0.0
        self.commitment_months_left = 0
        self.commitment_kept = False
        self.commitment_exposed = False
        self.ever_committed = False

    @property
    def contract_mode(self) -> str:
        """'lump_sum' or 'remuneration'."""
        return "lump_sum" if self.terms is None else "remuneration"

    def commit(self, effort: float, months: int, kept: bool) -> None:
        """Commit at a joint meeting to invest first (the residents' committee as guarantor)."""
        self.commitment_effort = effort
        self.commitment_months_left = months
        self.commitment_kept = kept
        self.ever_committed = True
        self.loss_months = 0

    @property
    def guaranteed(self) -> bool:
        """Under a running commitment not found broken, guaranteed by the residents' committee."""
        return self.commitment_months_left > 0 and not self.commitment_exposed

    def affordable_effort(self, ceiling: float) -> float:
        """The effort expected fees pay for, between the contract minimum and `ceiling`."""
        spend = self.expected_revenue - self.fixed_cost
        affordable = spend / self.variable_cost if self.variable_cost > 0 else ceiling
        return float(min(max(min(ceiling, affordable), self.traits.minimum_effort), ceiling))

    def budgeted_effort(self) -> float:
        """Next month's target effort under the firm's contract and commitments."""
        if self.guaranteed and self.commitment_kept:
            return self.commitment_effort
        if self.terms is not None:
            return self.terms.target_effort(self)
        return self.affordable_effort(self.spec.contract_effort)

    def settle_month(self, revenue: float, rating: float = 0.5) -> None:
        """Book the month's fees and costs, then set next month's effort."""
        cost = self.fixed_cost + self.variable_cost * self.effort
        if self.terms is not None:
            profit = self.terms.settle(revenue, cost, rating)
        else:
            profit = revenue - cost
        self.last_revenue = revenue
        self.last_profit = profit
        self.revenue_total += revenue
        self.cost_total += cost
        self.reserves += profit
        self.months += 1
        if profit >= 0:
            self.loss_months = 0
        elif not self.guaranteed:
            self.loss_months += 1
        self.expected_revenue = 0.5 * (self.expected_revenue + revenue)
        self.effort += self.spec.effort_adjustment * (self.budgeted_effort() - self.effort)
        self.commitment_months_left = max(0, self.commitment_months_left - 1)

    def wants_to_exit(self) -> bool:
        """Persistent losses with reserves used up, and no guarantee running."""
        persistent = self.loss_months >= self.traits.exit_after_loss_months
        return persistent and self.reserves < 0 and not self.guaranteed

    def collects_coercively(self, collection: float, rng: np.random.Generator) -> bool:
        """Whether a losing lump-sum firm hires collectors this month."""
        if self.terms is not None or self.guaranteed or self.loss_months < 1:
            return False
        return (
            collection < self.spec.coercion_collection
            and rng.random() < self.traits.coercion_chance
        )


class CommunityPartyCommittee(Agent):
    """The community Party committee: heads the building Party groups and central households.

    Its members with a role are the ones the `party_mobilisation` mechanism sets to work.
    """

    @property
    def members(self) -> int:
        """Households with a Party member registered in the community."""
        return int(self.model.households.is_party.sum())

    def buildings_with_party_head(self) -> np.ndarray:
        """Per building: whether its building head is a Party member."""
        world = self.model.world
        return buildings_with_party_head(self.model.households, world.building, world.buildings)


class ResidentsCommittee(Agent):
    """The community's residents' committee: mediator where no compound committee exists.

    Its mediation skill is `disputes.residents_committee_mediation_skill`.
    """


class OwnersCommittee(Agent):
    """The owners' committee of a compound served by a firm; mediates within its compound.

    Its mediation skill is `disputes.committee_mediation_skill`.
    """

    def __init__(self, model: "CommunityModel", compound: int) -> None:
        super().__init__(model)
        self.compound = compound


class SelfManagementCommittee(Agent):
    """A committee that manages a compound no firm serves, on small monthly fees.

    Monthly: revenue R = fees collected; it spends min(R + fund, K n) on a cleaner and a
    gatekeeper (K = `full_service_cost` per household, n households) and keeps the rest in an open
    fund. Effort e = b spend / (K n) + v a, capped at 1, with b the `basic_service_level` that paid
    staff deliver, a the compound's active share and v the `volunteer_boost` (residents' own work);
    before its first fees come in, volunteers alone: e = v a. It mediates with the skill
    `disputes.committee_mediation_skill`.
    """

    def __init__(
        self,
        model: "CommunityModel",
        compound: int,
        households: int,
        spec: SelfManagement,
        active_share: float,
    ) -> None:
        super().__init__(model)
        self.compound = compound
        self.households = households
        self.spec = spec
        self.fund = 0.0
        self.revenue_total = 0.0
        self.spent_total = 0.0
        self.effort = min(1.0, spec.volunteer_boost * active_share)

    def settle_month(self, revenue: float, active_share: float) -> None:
        """Book the month's fees, pay for the service, and set effort."""
        full_cost = self.spec.full_service_cost * self.households
        self.revenue_total += revenue
        self.fund += revenue
        spend = min(self.fund, full_cost)
        self.fund -= spend
        self.spent_total += spend
        paid_service = self.spec.basic_service_level * spend / full_cost
        self.effort = min(1.0, paid_service + self.spec.volunteer_boost * active_share)
