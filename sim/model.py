"""The community model: construction and the weekly step (the wiring; rules live elsewhere)."""

from functools import cached_property

import numpy as np
from mesa import Model
from mesa.discrete_space import Network

from sim.agents import (
    CommunityPartyCommittee,
    OwnersCommittee,
    PartyMember,
    PropertyFirm,
    Resident,
    ResidentsCommittee,
    SelfManagementCommittee,
)
from sim.dynamics import disputes as dispute_rules
from sim.dynamics.calendar import is_month_end
from sim.dynamics.fees import Billing, bill_households, payment_probability
from sim.dynamics.firm_conduct import coerce_payment, draw_firm_traits
from sim.dynamics.participation import participation_probability, update_participation
from sim.dynamics.service import experience_service, update_quality, update_satisfaction
from sim.dynamics.turnover import MoveOutChances, draw_movers, replace_households
from sim.dynamics.volunteering import draw_volunteers, update_activity, update_teams
from sim.heap import paused_garbage_collection
from sim.mechanisms import party_mobilisation, self_management
from sim.mechanisms.building_meetings import (
    BuildingMeetings,
    decay_engagement,
    participation_push,
)
from sim.mechanisms.joint_meetings import JointMeetings
from sim.mechanisms.pilot_first import PilotFirst
from sim.mechanisms.points import Points
from sim.mechanisms.recognition import Recognition, aspiration_push, leader_push
from sim.mechanisms.records import MeetingRecord, RecordBook, VoteRecord
from sim.mechanisms.remuneration_contract import RemunerationCampaigns
from sim.mechanisms.voluntary_fund import VoluntaryFund
from sim.metrics import REPORTERS
from sim.scenario.schema import Scenario
from sim.series import SeriesCollector
from sim.state import (
    FIRM,
    NO_ROLE,
    PARTY_MEMBER,
    SELF_MANAGED,
    UNMANAGED,
    CompoundState,
    HouseholdState,
)
from sim.timeline import PolicyTimeline
from sim.world.network import SocialTies, tie_edges
from sim.world.population import assign_party_roles, populate
from sim.world.structure import build_structure, expand_ranges, layout_positions
from sim.world.traits import draw_share


class CommunityModel(Model):
    """A community of compounds, buildings and households, stepped one week at a time."""

    def __init__(self, scenario: Scenario | None = None, seed: int | None = None) -> None:
        scenario = scenario if scenario is not None else Scenario()
        seed = scenario.seed if seed is None else seed
        super().__init__(rng=seed)
        self.params = scenario
        self.seed = seed
        self.week = 0
        self.running = scenario.steps > 0
        with paused_garbage_collection():
            self.build_world()
        self.build_institutions()
        self.initial_payments()
        self.initial_participation()
        self.warm_up(scenario.warmup_weeks)
        self.start_records()
        self.start_mechanisms()
        self.datacollector = SeriesCollector(REPORTERS)
        self.datacollector.collect(self)

    # ------------------------------------------------------------------ construction
    def build_world(self) -> None:
        """Structure, households, social network and the Mesa network space."""
        sc = self.params
        self.world = build_structure(sc.structure, self.rng)
        self.households_per_floor = self.world.flats_per_floor
        self.households: HouseholdState = populate(sc.households, self.world, self.rng)
        self.next_household_id = self.households.size + 1
        self.buildings_moved = np.zeros(self.world.buildings, dtype=bool)
        self.roles_central_per_building = sc.households.central_households_per_building
        n = self.world.households
        u, v = tie_edges(self.world, self.households.role, sc.network, self.rng)
        self.ties = SocialTies.from_edges(u, v, n)
        positions = layout_positions(self.world)
        layout = {i: (float(x), float(y)) for i, (x, y) in enumerate(positions)}
        self.grid = Network(self.ties.graph, capacity=1, random=self.random, layout=layout)
        self.compound_households = self.world.compound_flats
        self.residents: list[Resident] = [self.make_resident(i) for i in range(n)]

    def make_resident(self, flat: int) -> Resident:
        """The agent handle for the household now in `flat`."""
        cls = PartyMember if self.households.is_party[flat] else Resident
        return cls(self, flat, self.grid._cells[flat])

    def build_institutions(self) -> None:
        """Committees, and a firm in every compound that starts with one.

        Each compound draws its initial quality, and each firm its traits (firm_conduct module).
        """
        sc = self.params
        world = self.world
        has_firm = world.compound_has_firm
        quality = np.where(
            has_firm, sc.service.initial_quality, sc.service.unmanaged_initial_quality
        )
        manager = world.compound_manager
        self.compounds = CompoundState(
            manager=np.where(has_firm, FIRM, UNMANAGED).astype(np.int8)
            if manager is None
            else manager.copy(),
            service_quality=draw_share(
                self.rng, quality, sc.service.initial_quality_sd, world.compounds
            ),
            effort=np.where(has_firm, sc.service.contract_effort, 0.0),
            households=self.compound_households,
            weeks_without_firm=np.zeros(world.compounds, dtype=np.int64),
            had_firm=has_firm.copy(),
        )
        self.party_committee = CommunityPartyCommittee(self)
        self.residents_committee = ResidentsCommittee(self)
        self.owners_committees = {
            int(c): OwnersCommittee(self, int(c)) for c in np.flatnonzero(has_firm)
        }
        self.firm_fee_due = world.fee_per_m2(sc.service.fee_per_m2) * world.area
        self.full_revenue = np.bincount(
            world.compound, weights=self.firm_fee_due, minlength=world.compounds
        )
        self.firms: dict[int, PropertyFirm] = {
            int(c): PropertyFirm(
                self,
                int(c),
                float(self.full_revenue[c]),
                sc.service,
                entrant=False,
                traits=draw_firm_traits(sc.service, self.rng),
            )
            for c in np.flatnonzero(has_firm)
        }
        self.past_firms: list[PropertyFirm] = []
        self.self_management_committees: dict[int, SelfManagementCommittee] = {}
        for c in np.flatnonzero(self.compounds.manager == SELF_MANAGED):  # a file's compounds
            self.self_management_committees[int(c)] = SelfManagementCommittee(
                self, int(c), int(self.compound_households[c]), sc.mechanisms.self_management, 0.0
            )

    def initial_payments(self) -> None:
        """Last month's payments and settled habits before the run starts.

        Each household's habit starts at its fixed point h = 2p - 1, where p is its payment
        probability given that habit and neighbours who pay as it does (20 iterations).
        """
        hh, spec = self.households, self.params.fees
        due = self.fees_due()
        billed = due > 0
        quality = self.compounds.service_quality[self.world.compound]
        trust = self.payee_trust()
        p = np.full(hh.size, 0.5)
        for _ in range(20):
            p = payment_probability(
                quality, hh.expectation, trust, 2 * p - 1, p, spec, hh.payment_propensity
            )
        paid = billed & (self.rng.random(hh.size) < p)
        hh.paid_last[:] = paid
        hh.habit[:] = np.where(billed, 2 * p - 1, 0.0)
        self.last_firm_revenue = 0.0
        self.last_billing = Billing(
            billed=billed,
            paid=paid,
            amount_due=due,
            revenue_by_compound=np.zeros(self.world.compounds),
        )

    def start_records(self) -> None:
        """Empty record books and cumulative counters (the run's records start at week 0)."""
        self.firm_exits = 0
        self.firm_entries = 0
        self.households_moved_in = 0
        self.fees_paid_by_past_households = 0.0
        self.disputes = dispute_rules.DisputeLedger()
        self.meetings = RecordBook(MeetingRecord)
        self.votes = RecordBook(VoteRecord)
        self.coercive_collections = 0

    def warm_up(self, weeks: int) -> None:
        """Run `weeks` of baseline dynamics before week 0: no mechanism, no policy timeline.

        The world's state carries over (households, trust, habits, service, firms with their
        reserves, including firms that entered meanwhile); what it recorded does not: the records
        and counters, the fees booked, and disputes still open (their grievance stays) are
        cleared, households are numbered afresh from 1, and Mesa's step count and time are
        untouched, so week 0 follows the warm-up.
        """
        if weeks == 0:
            return
        scenario = self.params
        self.params = scenario.baseline()
        self.start_records()
        self.start_mechanisms()
        self.datacollector = SeriesCollector({})
        for week in range(1, weeks + 1):
            self.week = week
            self.run_week()
        self.params = scenario
        self.week = 0
        hh = self.households
        hh.household_id[:] = np.arange(1, hh.size + 1)
        self.next_household_id = hh.size + 1
        hh.fees_paid[:] = 0.0
        hh.in_dispute[:] = False
        self.past_firms = []
        for firm in self.firms.values():
            firm.revenue_total = firm.cost_total = 0.0

    def start_mechanisms(self) -> None:
        """Start the institutional mechanisms the scenario switches on, and its policy timeline."""
        self.joint_meetings = None
        self.building_meetings = None
        self.recognition = None
        self.remuneration = None
        self.crowdfunding = None
        self.points = Points(self)
        self.pilot_first = PilotFirst(self)
        self.voluntary_fund = VoluntaryFund(self)
        self.volunteer_hours = 0.0
        self.teams = 0
        self.sync_mechanisms()
        self.timeline = PolicyTimeline(self)

    def sync_mechanisms(self) -> None:
        """Start, pause or resume mechanisms to match the scenario now in force."""
        mechanisms = self.params.mechanisms
        for attribute, mechanism in (
            ("joint_meetings", JointMeetings),
            ("building_meetings", BuildingMeetings),
            ("recognition", Recognition),
        ):
            enabled = getattr(mechanisms, attribute).enabled
            running = getattr(self, attribute)
            if enabled and running is None:
                setattr(self, attribute, mechanism(self))
            elif enabled and running.events is None:
                running.start()
            elif not enabled and running is not None:
                running.stop()
        if mechanisms.remuneration_contract.enabled and self.remuneration is None:
            self.remuneration = RemunerationCampaigns(self)
        if mechanisms.crowdfunding.enabled and self.crowdfunding is None:
            from sim.mechanisms.crowdfunding import Crowdfunding  # loaded only when switched on

            self.crowdfunding = Crowdfunding(self)

    def adopt(self, scenario: Scenario) -> None:
        """Put a new scenario state in force mid-run (a policy intervention)."""
        self.params = scenario
        self.sync_mechanisms()

    def initial_participation(self) -> None:
        """Households active before the run, drawn at the settled chance of taking part.

        Each household's chance p starts at its fixed point given neighbours who take part as
        often as they would: p = P(motivation, trust, sum of neighbours' p / degree), iterated 20
        times from p = 0 (no mechanism pushes). Recent activity starts at this draw, so that a
        points scheme opened in the first weeks marks as inactive before it only the households
        that were.
        """
        hh, spec = self.households, self.params.participation
        no_push = np.zeros(hh.size)
        p = no_push
        for _ in range(20):
            share = (self.ties.adjacency @ p) / np.maximum(self.ties.degree, 1)
            p = participation_probability(hh, share, no_push, spec)
        hh.active[:] = self.rng.random(hh.size) < p
        hh.activity[:] = hh.active

    # ------------------------------------------------------------------ the week
    def step(self) -> None:
        """One week of the run (Mesa counts the steps: the week is the step count)."""
        self.week = self.steps
        self.run_week()
        if self.steps >= self.params.steps:
            self.running = False  # the horizon: batch_run, SolaraViz and `while running` stop here

    def run_week(self) -> None:
        """One week: moves, service, frictions and disputes, participation, monthly bills."""
        sc = self.params
        hh = self.households
        hh.tenure_weeks += 1
        self.move_households()
        self.replace_departed_firms()
        update_quality(self.compounds, sc.service)
        experience_service(
            hh, self.world, self.compounds, sc.service, sc.trust, sc.disputes, self.rng
        )
        dispute_rules.open_disputes(self, dispute_rules.draw_frictions(self))
        dispute_rules.open_disputes(self, dispute_rules.draw_service_claims(self))
        dispute_rules.advance_disputes(self)
        hh.grievance *= 1.0 - sc.disputes.grievance_decay
        hh.complaints *= 1.0 - 1.0 / 52
        decay_engagement(hh, sc.mechanisms.building_meetings)
        hh.status *= 1.0 - sc.mechanisms.recognition.status_decay
        update_participation(
            hh,
            self.ties.adjacency,
            self.ties.degree,
            self.participation_pushes(),
            sc.participation,
            sc.trust,
            self.rng,
        )
        self.volunteering_week()
        self.pilot_first.week()
        if self.crowdfunding is not None:
            self.crowdfunding.step()
        if is_month_end(self.week):
            self.settle_month()
            self.points.month()
            self.voluntary_fund.month()
        update_satisfaction(hh, self.world.of_compound(self.compounds.service_quality), sc.service)
        self.datacollector.collect(self)

    def participation_pushes(self) -> np.ndarray:
        """Sum of the pushes mechanisms give each household's participation drive."""
        hh, mechanisms = self.households, self.params.mechanisms
        push = party_mobilisation.mobilisation_push(
            hh, self.ties.adjacency, mechanisms.party_mobilisation
        )
        push += participation_push(hh, mechanisms.building_meetings)
        push += self.points.pull() + hh.status
        push += self.params.volunteering.team_push * hh.team_member
        push += aspiration_push(hh, mechanisms.recognition)
        push += leader_push(hh, self.ties.adjacency, mechanisms.recognition.leader_push)
        return push

    def volunteering_week(self) -> None:
        """Activity, volunteers, teams and the time bank for this week."""
        hh, spec = self.households, self.params.volunteering
        update_activity(hh)
        draw_volunteers(hh, self.points.pull(), spec, self.rng)
        self.volunteer_hours += spec.hours_per_week * int(hh.volunteer.sum())
        self.teams = update_teams(hh, self.world, spec)
        self.points.week()

    @cached_property
    def move_out_chances(self) -> MoveOutChances:
        """Each flat's weekly chance that its household moves out."""
        return MoveOutChances(self.households.is_owner)

    def move_households(self) -> None:
        """Turnover: replace the households that move out this week."""
        hh, spec = self.households, self.params.households
        flats = draw_movers(self.move_out_chances.of(spec), self.rng)
        if flats.size == 0:
            return
        dispute_rules.withdraw_movers(self, flats)
        self.points.forget(flats)
        self.fees_paid_by_past_households += float(hh.fees_paid[flats].sum())
        role_left = bool(np.any(hh.role[flats] > PARTY_MEMBER))
        replace_households(hh, flats, spec, self.next_household_id, self.rng)
        self.next_household_id += flats.size
        self.households_moved_in += flats.size
        self.replace_residents(flats)
        self.buildings_moved[self.world.building[flats]] = True
        if role_left:
            self.reassign_party_roles()

    def replace_residents(self, flats: np.ndarray) -> None:
        """Remove the agents of the households that left `flats` and make their newcomers'."""
        residents = self.residents
        for flat in flats.tolist():
            residents[flat].remove()
            residents[flat] = self.make_resident(flat)

    def reassign_party_roles(self) -> None:
        """Reset and reassign the roles over the current households.

        Only buildings where someone moved since the last assignment can come out differently
        (a building's roles depend on its own households), so only they are recomputed, unless
        the number of central households per building has changed.
        """
        hh, world = self.households, self.world
        central = self.params.households.central_households_per_building
        if central != self.roles_central_per_building:
            self.buildings_moved[:] = True
            self.roles_central_per_building = central
        moved = np.flatnonzero(self.buildings_moved)
        starts, sizes = world.building_starts[moved], world.building_flats[moved]
        flats = expand_ranges(starts, sizes)
        hh.role[flats] = np.where(hh.is_party[flats], PARTY_MEMBER, NO_ROLE)
        assign_party_roles(hh, starts, sizes, central)
        self.buildings_moved[:] = False

    def fees_due(self) -> np.ndarray:
        """What each household owes this month: to its firm by area, or to its committee."""
        compound = self.world.compound
        firm_due = np.where(self.compounds.manager[compound] == FIRM, self.firm_fee_due, 0.0)
        smc = self.params.mechanisms.self_management
        return firm_due + self_management.fees_due(self.compounds, compound, smc)

    def payee_trust(self) -> np.ndarray:
        """Each household's trust in whoever bills it (firm, else committees)."""
        by_firm = self.world.of_compound(self.compounds.manager == FIRM)
        return np.where(by_firm, self.households.trust_firm, self.households.trust_committee)

    def settle_month(self) -> None:
        """Bill households, settle firms' and committees' books, firms exit, committees form."""
        sc = self.params
        self.last_billing = bill_households(
            self.households,
            self.world.compound,
            self.world.compounds,
            self.fees_due(),
            self.payee_trust(),
            self.world.of_compound(self.compounds.service_quality),
            self.last_billing.billed,
            self.ties.adjacency,
            sc.fees,
            self.rng,
        )
        revenue = self.last_billing.revenue_by_compound
        self.collect_coercively(revenue)
        self.last_firm_revenue = float(revenue[self.compounds.manager == FIRM].sum())
        active_share = self.world.mean_by_compound(self.households.active)
        rating = self.world.mean_by_compound(self.households.satisfaction)
        revenues, ratings = revenue.tolist(), rating.tolist()
        for c, firm in list(self.firms.items()):
            firm.settle_month(revenues[c], ratings[c])
            self.compounds.effort[c] = firm.effort
            if firm.wants_to_exit():
                self.firm_leaves(c)
        if self.remuneration is not None:
            self.remuneration.month()
        if self.crowdfunding is not None:
            self.crowdfunding.month()
        for c, committee in self.self_management_committees.items():
            committee.settle_month(revenues[c], float(active_share[c]))
            self.compounds.effort[c] = committee.effort
        smc_spec = sc.mechanisms.self_management
        for c in self_management.compounds_forming_committees(
            self.compounds, active_share, smc_spec, self.rng
        ):
            committee = SelfManagementCommittee(
                self, int(c), int(self.compound_households[c]), smc_spec, float(active_share[c])
            )
            self.self_management_committees[int(c)] = committee
            self.compounds.manager[c] = SELF_MANAGED
            self.compounds.effort[c] = committee.effort

    def collect_coercively(self, revenue: np.ndarray) -> None:
        """Losing firms in low-paying compounds may send collectors (firm_conduct module)."""
        sc, billing = self.params, self.last_billing
        collection = billing.collection_by_compound(self.world).tolist()
        for c, firm in self.firms.items():
            if firm.collects_coercively(collection[c], self.rng):
                flats = self.world.flats_of_compound(c)
                extra = coerce_payment(
                    self.households,
                    flats,
                    billing.amount_due,
                    sc.service,
                    sc.trust,
                    sc.disputes,
                    self.rng,
                )
                billing.paid[flats] = self.households.paid_last[flats]
                revenue[c] += extra
                self.coercive_collections += 1

    def firm_leaves(self, compound: int) -> None:
        """A firm exits after persistent losses; the compound is unmanaged until replaced."""
        firm = self.firms.pop(compound)
        self.past_firms.append(firm)
        firm.remove()
        self.firm_exits += 1
        self.compounds.manager[compound] = UNMANAGED
        self.compounds.effort[compound] = 0.0
        self.compounds.weeks_without_firm[compound] = 0

    def replace_departed_firms(self) -> None:
        """After the gap, a new firm with a fresh reputation takes an unmanaged ex-firm compound."""
        c = self.compounds
        waiting = (c.manager == UNMANAGED) & c.had_firm
        c.weeks_without_firm[waiting] += 1
        due = np.flatnonzero(
            waiting & (c.weeks_without_firm >= self.params.service.replacement_gap_weeks)
        )
        spec = self.params.service
        for compound in due.tolist():
            firm = PropertyFirm(
                self,
                compound,
                float(self.full_revenue[compound]),
                spec,
                entrant=True,
                traits=draw_firm_traits(spec, self.rng),
            )
            self.firms[compound] = firm
            self.firm_entries += 1
            c.manager[compound] = FIRM
            c.effort[compound] = firm.effort
            served = self.world.compound == compound
            fresh = self.params.households.initial_trust_firm
            carry = spec.reputation_carryover
            self.households.trust_firm[served] = (
                carry * self.households.trust_firm[served] + (1 - carry) * fresh
            )

    def run(self, steps: int | None = None, progress=None) -> None:
        """Step the model `steps` weeks (default: the scenario's), calling `progress()` each week."""
        for _ in range(self.params.steps if steps is None else steps):
            self.step()
            if progress is not None:
                progress()
