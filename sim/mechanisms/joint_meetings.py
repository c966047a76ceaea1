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
"""

from typing import TYPE_CHECKING

import numpy as np

from sim.dynamics import disputes as dispute_rules
from sim.dynamics.trust import penalise, reward
from sim.mechanisms.records import MeetingRecord
from sim.mechanisms.recurring import RecurringMechanism
from sim.state import FIRM, SELF_MANAGED

if TYPE_CHECKING:
    from sim.model import CommunityModel

RESIDENTS_COMMITTEE, COMPOUND_COMMITTEE, FIRM_PARTY, RESIDENT_REPS, POLICE, CITY_MANAGEMENT = (
    "residents_committee",
    "compound_committee",
    "firm",
    "resident_representatives",
    "police",
    "city_management",
)

#: Parties each form seats (the compound committee and firm only where the compound has them).
FORMS: dict[str, tuple[str, ...]] = {
    "three_party": (RESIDENTS_COMMITTEE, COMPOUND_COMMITTEE, FIRM_PARTY),
    "four_in_one": (RESIDENTS_COMMITTEE, COMPOUND_COMMITTEE, FIRM_PARTY, RESIDENT_REPS),
    "five_party": (
        RESIDENTS_COMMITTEE,
        COMPOUND_COMMITTEE,
        FIRM_PARTY,
        RESIDENT_REPS,
        POLICE,
        CITY_MANAGEMENT,
    ),
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

OPEN_ITEM_PENALTY = 0.25  # weight of items left open against trust, relative to a bad event
BROKEN_PROMISE_WEIGHT = 3.0  # bad events' worth of a broken commitment


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

    def parties_at_table(self, compound: int) -> tuple[str, ...]:
        """The parties seated at this compound's meeting."""
        model = self.model
        has_committee = compound in model.owners_committees or (
            compound in model.self_management_committees
        )
        present = []
        for party in FORMS[self.spec.form]:
            if party == COMPOUND_COMMITTEE and not has_committee:
                continue
            if party == FIRM_PARTY and compound not in model.firms:
                continue
            present.append(party)
        return tuple(present)

    def settlement_chance(
        self, kinds: np.ndarray, present: tuple[str, ...], compound: int
    ) -> np.ndarray:
        """Chance that each agenda item is settled, given who is at the table."""
        covered = np.array(
            [bool(set(self.needs(k, compound)) & set(present)) for k in kinds.tolist()], dtype=bool
        )
        chance = self.spec.settle_chance * np.where(covered, 1.0, self.spec.absent_party_factor)
        if self.spec.cross_appointment:
            chance = chance * self.spec.liaison_factor
        return np.clip(chance, 0.0, 1.0)

    def needs(self, kind: int, compound: int) -> tuple[str, ...]:
        """Parties that can settle an item; for service, whoever manages the compound answers."""
        if kind == dispute_rules.SERVICE:
            manager = self.model.compounds.manager[compound]
            if manager == SELF_MANAGED:
                return (COMPOUND_COMMITTEE,)
            if manager != FIRM:
                return (RESIDENTS_COMMITTEE,)
        return NEEDS[kind]

    def agendas(self) -> dict[int, np.ndarray]:
        """Each compound's agenda: open disputes, cross-party first, then oldest, up to capacity."""
        ledger = self.model.disputes
        rows = ledger.open_rows()
        if rows.size == 0:
            return {}
        cross = np.isin(ledger.kind[rows], dispute_rules.CROSS_PARTY_KINDS)
        order = np.lexsort((ledger.raised_week[rows], ~cross, ledger.compound[rows]))
        rows = rows[order]
        compounds = ledger.compound[rows]
        starts = np.searchsorted(compounds, compounds, side="left")
        rank = np.arange(rows.size) - starts
        rows, compounds = rows[rank < self.spec.capacity], compounds[rank < self.spec.capacity]
        return {int(c): rows[compounds == c] for c in np.unique(compounds)}

    def convene(self) -> None:
        """Hold this round of joint meetings in every compound."""
        model = self.model
        agendas = self.agendas()
        for compound in range(model.world.compounds):
            present = self.parties_at_table(compound)
            items = agendas.get(compound, np.empty(0, dtype=np.int64))
            settled = self.settle(items, present, compound)
            commitment = self.review_commitment(compound)
            self.inform_households(compound, items.size, settled, commitment)
            model.meetings.add(
                MeetingRecord(
                    week=model.week,
                    kind=self.kind,
                    compound=compound,
                    building=-1,
                    parties="+".join(present),
                    attendance=len(present),
                    items=int(items.size),
                    settled=int(settled.size),
                    proposals=0,
                    commitment=commitment,
                )
            )
            self.meetings_held += 1
            self.items_settled += int(settled.size)

    def settle(self, items: np.ndarray, present: tuple[str, ...], compound: int) -> np.ndarray:
        """Draw which agenda items are settled and close them as resolved."""
        model = self.model
        if items.size == 0:
            return items
        ledger = model.disputes
        chance = self.settlement_chance(ledger.kind[items], present, compound)
        settled = items[model.rng.random(items.size) < chance]
        dispute_rules.close(model, settled, dispute_rules.RESOLVED, dispute_rules.BY_JOINT_MEETING)
        hh, spec = model.households, model.params
        who = ledger.complainant_flat[settled]
        hh.grievance[who] *= 1.0 - spec.disputes.relief
        reward(hh.trust_committee, who, spec.trust)
        if model.compounds.manager[compound] == FIRM:
            service = who[ledger.kind[settled] == dispute_rules.SERVICE]
            reward(hh.trust_firm, service, spec.trust)
        return settled

    def review_commitment(self, compound: int) -> str:
        """Seek a firm's commitment to invest first, or check on one already made."""
        firm = self.model.firms.get(compound)
        if firm is None or not self.spec.firm_invests_first:
            return ""
        if firm.commitment_months_left > 0:
            if not firm.commitment_kept and not firm.commitment_exposed:
                firm.commitment_exposed = True
                return "broken"
            return "kept" if firm.commitment_kept else ""
        low_paying = self.model.compound_collection(compound) < self.spec.commitment_collection
        if not firm.ever_committed and low_paying:
            kept = bool(self.model.rng.random() < self.spec.commitment_kept)
            firm.commit(self.spec.commitment_effort, self.spec.commitment_months, kept)
            self.commitments += 1
            return "made"
        return ""

    def inform_households(
        self, compound: int, items: int, settled: np.ndarray, commitment: str
    ) -> None:
        """Households who hear of the meeting update their trust in committees and the firm."""
        model = self.model
        hh, trust_spec = model.households, model.params.trust
        flats = model.flats_of_compound(compound)
        heard = flats[model.rng.random(flats.size) < self.spec.reach]
        if items:
            settled_share = settled.size / items
            weight = self.spec.trust_gain / max(trust_spec.gain, 1e-12) * settled_share
            reward(hh.trust_committee, heard, trust_spec, weight=weight)
            penalise(
                hh.trust_committee,
                heard,
                trust_spec,
                weight=OPEN_ITEM_PENALTY * (1 - settled_share),
            )
        if commitment in ("made", "kept"):
            weight = self.spec.trust_gain / max(trust_spec.gain, 1e-12)
            reward(hh.trust_firm, heard, trust_spec, weight=weight)
            reward(hh.trust_committee, heard, trust_spec, weight=weight)
        elif commitment == "broken":
            penalise(hh.trust_firm, heard, trust_spec, weight=BROKEN_PROMISE_WEIGHT)
            penalise(hh.trust_committee, heard, trust_spec, weight=BROKEN_PROMISE_WEIGHT)
