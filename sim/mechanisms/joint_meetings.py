"""Joint meetings: the residents' committee, the compound's committee and its firm at one table.

Every `cadence_weeks` (a Mesa recurring event) each compound holds a joint meeting. Who sits at
the table depends on the form (S2, S3):

    three_party  residents' committee + the compound's committee + its firm
    four_in_one  three_party + resident representatives
    five_party   four_in_one + police station + city management

(the compound's committee and the firm only where the compound has them). The agenda is the
compound's open disputes, cross-party ones first, then the oldest, up to `capacity` items. An
item is settled with chance

    p = settle_chance x (1 if a party it needs is at the table else absent_party_factor)
                      x (liaison_factor with cross-appointment, else 1)

where service complaints need whoever manages the compound (its firm or self-management
committee), parking needs the police or city management, illegal structures city management,
and neighbour disputes a committee or resident representatives. A settled item is resolved
(grievance relief, a good event for trust in committees; for service items also in the firm,
where a firm manages). Each household of the compound hears of the meeting with chance
`reach`; those who do update trust in committees by

    T <- T + g s (1 - T)  then  T <- T - lambda a w_open o T

with s the settled share of the agenda, o the share left open, g = `trust_gain`, w_open = 1/4
(OPEN_ITEM_PENALTY), a the ordinary trust gain and lambda the loss aversion.

Invest first (S2): where a firm's compound paid less than `commitment_collection` of its last
bill, the meeting asks the firm to commit, with the residents' committee as guarantor, to an
effort of `commitment_effort` for `commitment_months`; the firm keeps the commitment with chance
`commitment_kept`. While it runs (and until a broken one is found out) the firm does not leave.
At every meeting while a kept commitment runs, households who hear of it gain trust in the firm
and in the committees with weight `trust_gain`; a firm that breaks it is found out at the next
meeting, and those who hear lose trust in the firm and in the committees (its guarantor), three
bad events' worth.

A round is computed for all compounds at once; its random draws are taken in the order the
meetings are held, compound by compound (see `JointMeetings.draws`).
"""

from itertools import product
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from sim.dynamics import disputes as dispute_rules
from sim.dynamics.trust import penalise, reward
from sim.mechanisms.recurring import RecurringMechanism
from sim.state import FIRM, SELF_MANAGED, UNMANAGED

if TYPE_CHECKING:
    from sim.model import CommunityModel

PARTIES = (
    "residents_committee",
    "compound_committee",
    "firm",
    "resident_representatives",
    "police",
    "city_management",
)
RESIDENTS_COMMITTEE, COMPOUND_COMMITTEE, FIRM_PARTY, RESIDENT_REPS, POLICE, CITY_MANAGEMENT = (
    PARTIES
)

#: Parties each form seats (the compound committee and firm only where the compound has them).
FORMS: dict[str, tuple[str, ...]] = {
    "three_party": (RESIDENTS_COMMITTEE, COMPOUND_COMMITTEE, FIRM_PARTY),
    "four_in_one": (RESIDENTS_COMMITTEE, COMPOUND_COMMITTEE, FIRM_PARTY, RESIDENT_REPS),
    "five_party": PARTIES,
}

#: Any one of these parties at the table lets an item of the kind be settled.
NEEDS: dict[int, tuple[str, ...]] = {
    dispute_rules.WATER_LEAK: (COMPOUND_COMMITTEE, RESIDENT_REPS),
    dispute_rules.NOISE: (COMPOUND_COMMITTEE, RESIDENT_REPS),
    dispute_rules.SHARED_SPACE: (COMPOUND_COMMITTEE, RESIDENT_REPS),
    dispute_rules.PARKING: (POLICE, CITY_MANAGEMENT),
    dispute_rules.ILLEGAL_STRUCTURE: (CITY_MANAGEMENT,),
    dispute_rules.SERVICE: (FIRM_PARTY,),
    dispute_rules.PROJECT_OPPOSITION: (COMPOUND_COMMITTEE, RESIDENT_REPS),
}

#: Who answers for a service item, by the compound's manager.
SERVICE_ANSWERED_BY = {
    UNMANAGED: RESIDENTS_COMMITTEE,
    FIRM: FIRM_PARTY,
    SELF_MANAGED: COMPOUND_COMMITTEE,
}

OPEN_ITEM_PENALTY = 0.25  # weight of items left open against trust, relative to a bad event
BROKEN_PROMISE_WEIGHT = 3.0  # bad events' worth of a broken commitment


def party_mask(parties: tuple[str, ...]) -> np.ndarray:
    """Mask over PARTIES of the parties named."""
    return np.array([party in parties for party in PARTIES])


#: Per dispute kind: mask of the parties that can settle an item (service: by manager, below).
CAN_SETTLE = np.array([party_mask(NEEDS[kind]) for kind in range(len(NEEDS))])
#: Per manager code: mask of the party that can settle a service item.
CAN_SETTLE_SERVICE = np.array(
    [party_mask((SERVICE_ANSWERED_BY[manager],)) for manager in range(len(SERVICE_ANSWERED_BY))]
)


class Agendas(NamedTuple):
    """Every compound's agenda items (dispute rows), grouped by compound in agenda order."""

    rows: np.ndarray
    compound: np.ndarray
    place: np.ndarray  # the item's place on its compound's agenda, from 0


class JointMeetings(RecurringMechanism):
    """Convenes every compound's joint meeting on the mechanism's cadence."""

    name = "joint_meetings"

    def __init__(self, model: "CommunityModel") -> None:
        self.meetings_held = 0
        self.items_settled = 0
        self.commitments = 0
        super().__init__(model)

    @property
    def kind(self) -> str:
        """The meeting kind recorded in meetings.csv."""
        return f"joint_{self.spec.form}"

    def tables(self) -> tuple[list[tuple[str, ...]], np.ndarray]:
        """Per compound: the parties at its table, and their mask over PARTIES."""
        model = self.model
        n = model.world.compounds
        has_committee = np.zeros(n, dtype=bool)
        has_committee[list(model.owners_committees)] = True
        has_committee[list(model.self_management_committees)] = True
        has_firm = np.zeros(n, dtype=bool)
        has_firm[list(model.firms)] = True
        seatings = [
            tuple(
                party
                for party in FORMS[self.spec.form]
                if (party != COMPOUND_COMMITTEE or committee) and (party != FIRM_PARTY or firm)
            )
            for committee, firm in product((False, True), repeat=2)
        ]
        seating = 2 * has_committee + has_firm
        masks = np.array([party_mask(parties) for parties in seatings])
        return [seatings[i] for i in seating.tolist()], masks[seating]

    def agendas(self) -> Agendas:
        """Each compound's agenda: open disputes, cross-party first, then oldest, up to capacity."""
        ledger = self.model.disputes
        rows = ledger.open_rows()
        cross = np.isin(ledger.kind[rows], dispute_rules.CROSS_PARTY_KINDS)
        rows = rows[np.lexsort((ledger.raised_week[rows], ~cross, ledger.compound[rows]))]
        compound = ledger.compound[rows]
        place = np.arange(rows.size) - np.searchsorted(compound, compound, side="left")
        taken = place < self.spec.capacity
        return Agendas(rows[taken], compound[taken], place[taken])

    def firms_asked_to_commit(self) -> list[int]:
        """Compounds (in order) whose firm is asked to invest first: never committed, low-paying."""
        model, spec = self.model, self.spec
        if not spec.firm_invests_first:
            return []
        collection = model.last_billing.collection_by_compound(model.world)
        return [
            c
            for c, firm in sorted(model.firms.items())
            if firm.commitment_months_left <= 0
            and not firm.ever_committed
            and collection[c] < spec.commitment_collection
        ]

    def draws(
        self, agendas: Agendas, items: np.ndarray, asked: list[int]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """This round's uniform draws: per agenda item, per firm asked, per household.

        Meetings are held compound by compound, and each draws one number per agenda item
        (settled?), one if it asks its firm to commit (kept?), then one per household (hears of
        it?). A single draw of the round's total from model.rng gives the same numbers in the
        same order (Generator.random(n) equals n successive random() calls); each compound's
        block of it is split here.
        """
        sizes = self.model.world.compound_flats
        asks = np.zeros(items.size, dtype=np.int64)
        asks[asked] = 1
        block = items + asks + sizes
        first = np.cumsum(block) - block
        draws = self.model.rng.random(int(block.sum()))
        item_at = first[agendas.compound] + agendas.place
        commitment_at = first[asked] + items[asked]
        household = np.ones(draws.size, dtype=bool)
        household[item_at] = False
        household[commitment_at] = False
        return draws[item_at], draws[commitment_at], draws[household]

    def convene(self) -> None:
        """Hold this round of joint meetings in every compound."""
        model = self.model
        n = model.world.compounds
        present, seated = self.tables()
        agendas = self.agendas()
        items = np.bincount(agendas.compound, minlength=n)
        asked = self.firms_asked_to_commit()
        settle_draw, commitment_draw, hear_draw = self.draws(agendas, items, asked)
        settled = np.bincount(
            agendas.compound[self.settle(agendas, seated, settle_draw)], minlength=n
        )
        commitment = self.review_commitments(asked, commitment_draw)
        self.inform_households(hear_draw < self.spec.reach, items, settled, commitment)
        model.meetings.extend_columns(
            n,
            week=int(model.week),
            kind=self.kind,
            compound=np.arange(n),
            building=-1,
            parties=["+".join(parties) for parties in present],
            attendance=[len(parties) for parties in present],
            items=items,
            settled=settled,
            proposals=0,
            commitment=commitment,
        )
        self.meetings_held += n
        self.items_settled += int(settled.sum())

    def settlement_chance(
        self, kind: np.ndarray, compound: np.ndarray, seated: np.ndarray
    ) -> np.ndarray:
        """Chance that each agenda item is settled, given who is at its compound's table."""
        can_settle = CAN_SETTLE[kind]
        service = kind == dispute_rules.SERVICE
        can_settle[service] = CAN_SETTLE_SERVICE[self.model.compounds.manager[compound[service]]]
        covered = (can_settle & seated[compound]).any(axis=1)
        chance = self.spec.settle_chance * np.where(covered, 1.0, self.spec.absent_party_factor)
        if self.spec.cross_appointment:
            chance = chance * self.spec.liaison_factor
        return np.clip(chance, 0.0, 1.0)

    def settle(self, agendas: Agendas, seated: np.ndarray, draw: np.ndarray) -> np.ndarray:
        """Settle agenda items by their draws and close them as resolved; the settled positions."""
        model = self.model
        ledger = model.disputes
        kind = ledger.kind[agendas.rows]
        settled = draw < self.settlement_chance(kind, agendas.compound, seated)
        rows = agendas.rows[settled]
        dispute_rules.close(model, rows, dispute_rules.RESOLVED, dispute_rules.BY_JOINT_MEETING)
        hh, spec = model.households, model.params
        who = ledger.complainant_flat[rows]
        hh.grievance[who] *= 1.0 - spec.disputes.relief
        reward(hh.trust_committee, who, spec.trust)
        by_firm = model.compounds.manager[agendas.compound[settled]] == FIRM
        reward(hh.trust_firm, who[by_firm & (kind[settled] == dispute_rules.SERVICE)], spec.trust)
        return settled

    def review_commitments(self, asked: list[int], draw: np.ndarray) -> list[str]:
        """Per compound: '', or a commitment 'made', 'kept' or 'broken' (found out once)."""
        model, spec = self.model, self.spec
        outcome = [""] * model.world.compounds
        if not spec.firm_invests_first:
            return outcome
        for compound, firm in model.firms.items():
            if firm.commitment_months_left > 0:
                if not firm.commitment_kept and not firm.commitment_exposed:
                    firm.commitment_exposed = True
                    outcome[compound] = "broken"
                elif firm.commitment_kept:
                    outcome[compound] = "kept"
        for compound, kept in zip(asked, (draw < spec.commitment_kept).tolist(), strict=True):
            model.firms[compound].commit(spec.commitment_effort, spec.commitment_months, kept)
            outcome[compound] = "made"
        self.commitments += len(asked)
        return outcome

    def inform_households(
        self, heard: np.ndarray, items: np.ndarray, settled: np.ndarray, commitment: list[str]
    ) -> None:
        """Households who heard of their compound's meeting update trust in committees and firm."""
        model = self.model
        hh, trust_spec = model.households, model.params.trust
        compound = model.world.compound
        gain = self.spec.trust_gain / max(trust_spec.gain, 1e-12)
        on_agenda = np.flatnonzero(heard & (items > 0)[compound])
        settled_share = (settled / np.maximum(items, 1))[compound[on_agenda]]
        reward(hh.trust_committee, on_agenda, trust_spec, weight=gain * settled_share)
        penalise(
            hh.trust_committee,
            on_agenda,
            trust_spec,
            weight=OPEN_ITEM_PENALTY * (1 - settled_share),
        )
        promise = np.array(commitment)
        for outcome, update, weight in (
            (("made", "kept"), reward, gain),
            (("broken",), penalise, BROKEN_PROMISE_WEIGHT),
        ):
            told = np.isin(promise, outcome)
            if told.any():
                who = np.flatnonzero(heard & told[compound])
                update(hh.trust_firm, who, trust_spec, weight=weight)
                update(hh.trust_committee, who, trust_spec, weight=weight)
