"""Grievances and the dispute pyramid (Felstiner, Abel & Sarat 1980; escalation after Epstein 2002).

Frictions between neighbours (a leak from the flat above, noise, parking, shared space, a
structure built on common land) and bad
service add to a household's grievance g, which decays by `grievance_decay` a week. A friction
becomes a claim with chance `voice_probability`; a household whose g exceeds
`service_claim_threshold` complains of service with weekly chance `service_claim_probability`.
Each claim is a dispute that moves

    raised -> bilateral talk -> mediation -> resolved
                     \\______________\\____-> escalated (hotline, petition) or abandoned

Bilateral talk settles with weekly chance s (doubled where the parties share a tie; against a
manager, s (1 + e) with e its effort). After `bilateral_weeks` it goes to a mediator: a Party
building head where `party_mobilisation` is on, else the compound's committee, else the
residents' committee; mediation settles with weekly chance skill x (1/2 + L), L the complainant's
trust in committees (legitimacy of local channels). Cross-party kinds (parking, illegal
structures), which need police or city management, settle in talk and in mediation at
`cross_party_mediation_factor` of these rates. After `mediation_weeks` it is abandoned. Joint meetings, where on, also take up open
disputes (see the joint_meetings mechanism).
At every stage the complainant escalates with weekly chance

    p_esc = max_esc * logistic(k (g - w_L L - theta))

to a petition if g > `petition_threshold`, else to the hotline; being heard there removes
`escalation_relief` of g. Resolution removes `relief` of g
and is a good event for trust in the mediator (committees) or the firm; escalation and
abandonment are bad events for trust in committees.
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy.special import expit

from sim.dynamics.events import occurrences
from sim.dynamics.trust import penalise, reward
from sim.scenario.schema import Disputes, Scenario
from sim.state import FIRM, SELF_MANAGED

if TYPE_CHECKING:
    from sim.model import CommunityModel

KINDS = (
    "water_leak",
    "noise",
    "parking",
    "shared_space",
    "service",
    "illegal_structure",
    "project_opposition",
)
WATER_LEAK, NOISE, PARKING, SHARED_SPACE, SERVICE, ILLEGAL_STRUCTURE = range(6)
#: Harmed households against a project voted through over them (crowdfunding: low floors
#: against an elevator).
PROJECT_OPPOSITION = KINDS.index("project_opposition")
#: Kinds that need a party from outside the compound (police, city management) to settle;
#: ordinary mediation settles them at `cross_party_mediation_factor` of its usual rate.
CROSS_PARTY_KINDS = np.array([PARKING, ILLEGAL_STRUCTURE])
#: Per kind: whether it is cross-party.
IS_CROSS_PARTY = np.isin(np.arange(len(KINDS)), CROSS_PARTY_KINDS)

STAGES = ("bilateral", "mediation", "resolved", "escalated", "abandoned")
TALK, MEDIATION, RESOLVED, ESCALATED, ABANDONED = range(len(STAGES))
#: Columns the ledger's running totals depend on.
TALLIED = frozenset({"stage", "raised_week", "closed_week"})

PARTIES = ("household", "firm", "self_management_committee", "residents_committee")
HOUSEHOLD, FIRM_PARTY, SMC_PARTY, RC_PARTY = range(len(PARTIES))

MEDIATORS = ("none", "party_member", "compound_committee", "residents_committee")
NO_MEDIATOR, PARTY_MEDIATOR, COMPOUND_COMMITTEE, RESIDENTS_COMMITTEE = range(len(MEDIATORS))

CHANNELS = (
    "",
    "bilateral",
    "mediation",
    "hotline",
    "petition",
    "gave_up",
    "moved_out",
    "joint_meeting",
)
NO_CHANNEL, BY_TALK, BY_MEDIATION, HOTLINE, PETITION, GAVE_UP, MOVED_OUT, BY_JOINT_MEETING = range(
    len(CHANNELS)
)

_COLUMNS = {
    "kind": np.int8,
    "complainant_flat": np.int64,
    "complainant_id": np.int64,
    "respondent_party": np.int8,
    "respondent_flat": np.int64,
    "respondent_id": np.int64,
    "compound": np.int64,
    "building": np.int64,
    "raised_week": np.int64,
    "stage": np.int8,
    "stage_week": np.int64,
    "mediator": np.int8,
    "closed_week": np.int64,
    "channel": np.int8,
}


@dataclass(frozen=True)
class NewDisputes:
    """Claims raised this week, one entry each."""

    kind: np.ndarray
    complainant_flat: np.ndarray
    respondent_party: np.ndarray
    respondent_flat: np.ndarray  # -1 where the respondent is an institution


class DisputeLedger:
    """Every dispute ever raised, as growable columns (one row per dispute).

    How many disputes stand at each stage, and the weeks the resolved ones took in all, are
    kept as running totals, so that the weekly counts do not scan every dispute ever raised.
    """

    def __init__(self, capacity: int = 1024) -> None:
        self.size = 0
        self.settled_before = 0  # every dispute of a lower row is closed (they never reopen)
        self._cols = {name: np.empty(capacity, dtype=dt) for name, dt in _COLUMNS.items()}
        self.at_stage = np.zeros(len(STAGES), dtype=np.int64)
        self.resolution_weeks_total = 0

    def __len__(self) -> int:
        return self.size

    def __getattr__(self, name: str) -> np.ndarray:
        cols = self.__dict__.get("_cols")
        if cols is not None and name in cols:
            return cols[name][: self.size]
        raise AttributeError(name)

    def append(self, **values: np.ndarray) -> None:
        """Add rows; every column must be given, all of one length."""
        k = len(next(iter(values.values())))
        if self.size + k > len(self._cols["kind"]):
            capacity = max(2 * len(self._cols["kind"]), self.size + k)
            for name, col in self._cols.items():
                grown = np.empty(capacity, dtype=col.dtype)
                grown[: self.size] = col[: self.size]
                self._cols[name] = grown
        for name in _COLUMNS:
            self._cols[name][self.size : self.size + k] = values[name]
        rows = np.arange(self.size, self.size + k)
        self.size += k
        self.at_stage += np.bincount(self._cols["stage"][rows], minlength=len(STAGES))
        self.resolution_weeks_total += self.resolution_weeks(rows)

    def update(self, rows: np.ndarray, **values: np.ndarray | int) -> None:
        """Set columns of existing rows (each row once)."""
        if rows.size == 0:
            return
        counted = not TALLIED.isdisjoint(values)
        if counted:
            self.at_stage -= np.bincount(self._cols["stage"][rows], minlength=len(STAGES))
            self.resolution_weeks_total -= self.resolution_weeks(rows)
        for name, value in values.items():
            self._cols[name][rows] = value
        if counted:
            self.at_stage += np.bincount(self._cols["stage"][rows], minlength=len(STAGES))
            self.resolution_weeks_total += self.resolution_weeks(rows)

    def resolution_weeks(self, rows: np.ndarray) -> int:
        """Weeks from raised to resolved, summed over those of `rows` resolved."""
        done = rows[self._cols["stage"][rows] == RESOLVED]
        return int((self._cols["closed_week"][done] - self._cols["raised_week"][done]).sum())

    def open_rows(self) -> np.ndarray:
        """Indices of disputes in talk or mediation (looked for above the oldest open one)."""
        start = self.settled_before
        rows = (self._cols["stage"][start : self.size] <= MEDIATION).nonzero()[0] + start
        self.settled_before = int(rows[0]) if rows.size else self.size
        return rows

    def open_count(self) -> int:
        """Disputes in talk or mediation now."""
        return int(self.at_stage[TALK] + self.at_stage[MEDIATION])

    def count(self, stage: int) -> int:
        """Disputes now at a stage."""
        return int(self.at_stage[stage])

    def mean_resolution_weeks(self) -> float:
        """Mean weeks from raised to resolved over resolved disputes (0 when none yet)."""
        resolved = self.count(RESOLVED)
        return self.resolution_weeks_total / resolved if resolved else 0.0

    def share_settled_locally(self) -> float:
        """Of closed disputes, the share resolved inside the community (not escalated or dropped)."""
        closed = int(self.at_stage[MEDIATION + 1 :].sum())
        return self.count(RESOLVED) / closed if closed else 0.0

    def to_frame(self) -> pd.DataFrame:
        """One row per dispute with readable labels (the disputes.csv table)."""
        open_ = self.stage <= MEDIATION
        closed_week = np.where(open_, -1, self.closed_week)
        frame = pd.DataFrame(
            {
                "dispute_id": np.arange(1, self.size + 1),
                "kind": np.array(KINDS)[self.kind],
                "complainant_id": self.complainant_id,
                "respondent": np.array(PARTIES)[self.respondent_party],
                "respondent_id": self.respondent_id,
                "compound": self.compound,
                "building": self.building,
                "raised_week": self.raised_week,
                "stage": np.array(STAGES)[self.stage],
                "mediator": np.array(MEDIATORS)[self.mediator],
                "outcome_channel": np.array(CHANNELS)[self.channel],
                "closed_week": closed_week,
                "weeks_open": np.where(open_, -1, closed_week - self.raised_week),
            }
        )
        return frame


def escalation_probability(
    grievance: np.ndarray, legitimacy: np.ndarray, spec: Disputes
) -> np.ndarray:
    """Weekly chance that a complainant takes the dispute out of the community."""
    net = grievance - spec.legitimacy_weight * legitimacy - spec.escalation_threshold
    return spec.escalation_max * expit(spec.escalation_steepness * net)


def mediation_probability(skill: np.ndarray, legitimacy: np.ndarray) -> np.ndarray:
    """Weekly chance that mediation settles a dispute."""
    return np.clip(skill * (0.5 + legitimacy), 0.0, 1.0)


def choose_mediators(model: "CommunityModel", rows: np.ndarray) -> np.ndarray:
    """Mediator of each dispute entering mediation: the building's Party head where Party
    mobilisation runs and the building has one, else the compound's committee where it has
    one, else the residents' committee."""
    ledger = model.disputes
    mediator = np.full(rows.size, RESIDENTS_COMMITTEE, dtype=np.int8)
    has_committee = np.zeros(model.world.compounds, dtype=bool)
    has_committee[list(model.owners_committees)] = True
    has_committee[list(model.self_management_committees)] = True
    mediator[has_committee[ledger.compound[rows]]] = COMPOUND_COMMITTEE
    if model.params.mechanisms.party_mobilisation.enabled:
        party_head = model.party_committee.buildings_with_party_head()
        mediator[party_head[ledger.building[rows]]] = PARTY_MEDIATOR
    return mediator


def mediator_skill(sc: Scenario, mediator: np.ndarray) -> np.ndarray:
    """Weekly settlement skill of each mediator code."""
    skills = np.array(
        [
            0.0,
            sc.mechanisms.party_mobilisation.mediation_skill,
            sc.disputes.committee_mediation_skill,
            sc.disputes.residents_committee_mediation_skill,
        ]
    )
    return skills[mediator]


def no_disputes() -> NewDisputes:
    """No claim this week."""
    none = np.zeros(0, dtype=np.int64)
    return NewDisputes(none.astype(np.int8), none, none.astype(np.int8), none)


def draw_frictions(model: "CommunityModel") -> NewDisputes:
    """This week's neighbour frictions: grievance for each victim, claims for the voiced ones."""
    hh, world, spec, rng = model.households, model.world, model.params.disputes, model.rng
    n = hh.size
    per_floor = model.households_per_floor
    events = []  # (kind, victims, respondents) of each kind that happened, in this order

    has_above = world.has_flat_above
    leak = occurrences(rng, spec.water_leak_rate, n)
    leak = leak[has_above[leak]]
    if leak.size:
        events.append((WATER_LEAK, leak, leak + per_floor))

    noisy = occurrences(rng, spec.noise_rate, n)
    if noisy.size:
        same_floor = noisy + np.where(world.position[noisy] + 1 < per_floor, 1, -1)
        valid_floor = (same_floor >= 0) & (same_floor < n) & (per_floor > 1)
        above = np.where(has_above[noisy], noisy + per_floor, -1)
        source = np.where(valid_floor, same_floor, above)
        keep = source >= 0
        events.append((NOISE, noisy[keep], source[keep]))

    quality = model.compounds.service_quality
    parking_rate = world.of_compound(spec.parking_rate * (0.5 + (1.0 - quality)))
    parked = occurrences(rng, parking_rate)
    if parked.size:
        events.append((PARKING, parked, world.random_in_compound(parked, rng)))

    crowded = occurrences(rng, spec.shared_space_rate, n)
    if crowded.size:
        events.append((SHARED_SPACE, crowded, world.random_in_building(crowded, rng)))

    built_on = occurrences(rng, spec.illegal_structure_rate, n)
    if built_on.size:
        events.append((ILLEGAL_STRUCTURE, built_on, world.random_in_compound(built_on, rng)))

    if not events:  # what follows would draw nothing and raise nothing
        return no_disputes()
    kind = np.concatenate([np.full(v.size, k, dtype=np.int8) for k, v, _ in events])
    victim = np.concatenate([v for _, v, _ in events])
    respondent = np.concatenate([r for _, _, r in events])
    distinct = victim != respondent
    kind, victim, respondent = kind[distinct], victim[distinct], respondent[distinct]
    np.add.at(hh.grievance, victim, spec.friction_severity)
    voiced = rng.random(victim.size) < spec.voice_probability
    return NewDisputes(
        kind=kind[voiced],
        complainant_flat=victim[voiced],
        respondent_party=np.full(int(voiced.sum()), HOUSEHOLD, dtype=np.int8),
        respondent_flat=respondent[voiced],
    )


def draw_service_claims(model: "CommunityModel") -> NewDisputes:
    """Complaints of service by households whose grievance passed the claim threshold."""
    hh, spec = model.households, model.params.disputes
    candidates = np.flatnonzero((hh.grievance > spec.service_claim_threshold) & ~hh.in_dispute)
    claim = candidates[occurrences(model.rng, spec.service_claim_probability, candidates.size)]
    if claim.size == 0:
        return no_disputes()
    manager = model.compounds.manager[model.world.compound[claim]]
    party = np.select([manager == FIRM, manager == SELF_MANAGED], [FIRM_PARTY, SMC_PARTY], RC_PARTY)
    return NewDisputes(
        kind=np.full(claim.size, SERVICE, dtype=np.int8),
        complainant_flat=claim,
        respondent_party=party.astype(np.int8),
        respondent_flat=np.full(claim.size, -1, dtype=np.int64),
    )


def open_disputes(model: "CommunityModel", new: NewDisputes) -> None:
    """Record new claims, at most one open dispute per complainant."""
    hh = model.households
    flat = new.complainant_flat
    if flat.size == 0:
        return
    first = np.zeros(flat.size, dtype=bool)
    first[np.unique(flat, return_index=True)[1]] = True
    keep = first & ~hh.in_dispute[flat]
    flat, respondent = flat[keep], new.respondent_flat[keep]
    k = flat.size
    if k == 0:
        return
    hh.in_dispute[flat] = True
    hh.complaints[flat] += 1.0
    week = model.week
    model.disputes.append(
        kind=new.kind[keep],
        complainant_flat=flat,
        complainant_id=hh.household_id[flat],
        respondent_party=new.respondent_party[keep],
        respondent_flat=respondent,
        respondent_id=np.where(respondent >= 0, hh.household_id[np.maximum(respondent, 0)], -1),
        compound=model.world.compound[flat],
        building=model.world.building[flat],
        raised_week=np.full(k, week),
        stage=np.full(k, TALK, dtype=np.int8),
        stage_week=np.full(k, week),
        mediator=np.full(k, NO_MEDIATOR, dtype=np.int8),
        closed_week=np.full(k, -1),
        channel=np.full(k, NO_CHANNEL, dtype=np.int8),
    )


def close(model: "CommunityModel", rows: np.ndarray, stage: int, channel: np.ndarray | int) -> None:
    """Close disputes at `rows` with a final stage and channel, and free their complainants."""
    model.disputes.update(rows, stage=stage, channel=channel, closed_week=model.week)
    model.households.in_dispute[model.disputes.complainant_flat[rows]] = False


def advance_disputes(model: "CommunityModel") -> None:
    """Move every open dispute one week along the pyramid."""
    ledger, hh, spec, rng = model.disputes, model.households, model.params.disputes, model.rng
    trust_spec = model.params.trust
    rows = ledger.open_rows()
    if rows.size == 0:
        return
    who = ledger.complainant_flat[rows]
    legitimacy = hh.trust_committee[who]
    grievance = hh.grievance[who]

    escalate = rng.random(rows.size) < escalation_probability(grievance, legitimacy, spec)
    if escalate.any():
        channel = np.where(grievance[escalate] > spec.petition_threshold, PETITION, HOTLINE)
        close(model, rows[escalate], ESCALATED, channel)
        penalise(hh.trust_committee, who[escalate], trust_spec)
        hh.grievance[who[escalate]] *= 1.0 - spec.escalation_relief
    rows, who, legitimacy = rows[~escalate], who[~escalate], legitimacy[~escalate]

    stage = ledger.stage[rows]
    in_talk = stage == TALK
    talk_rows = rows[in_talk]
    settle_talk = rng.random(talk_rows.size) < talk_settlement_probability(model, talk_rows)
    settled = talk_rows[settle_talk]
    close(model, settled, RESOLVED, BY_TALK)
    hh.grievance[ledger.complainant_flat[settled]] *= 1.0 - spec.relief
    respondent = ledger.respondent_party[settled]
    reward(hh.trust_firm, ledger.complainant_flat[settled[respondent == FIRM_PARTY]], trust_spec)
    with_committee = (respondent == SMC_PARTY) | (respondent == RC_PARTY)
    reward(hh.trust_committee, ledger.complainant_flat[settled[with_committee]], trust_spec)

    still_talking = talk_rows[~settle_talk]
    to_mediation = still_talking[
        model.week - ledger.stage_week[still_talking] >= spec.bilateral_weeks
    ]
    if to_mediation.size:
        ledger.update(
            to_mediation,
            stage=MEDIATION,
            stage_week=model.week,
            mediator=choose_mediators(model, to_mediation),
        )

    med_rows = rows[~in_talk]
    skill = mediator_skill(model.params, ledger.mediator[med_rows])
    cross_party = IS_CROSS_PARTY[ledger.kind[med_rows]]
    skill = np.where(cross_party, skill * spec.cross_party_mediation_factor, skill)
    p = mediation_probability(skill, legitimacy[~in_talk])
    settle_med = rng.random(med_rows.size) < p
    settled = med_rows[settle_med]
    close(model, settled, RESOLVED, BY_MEDIATION)
    hh.grievance[ledger.complainant_flat[settled]] *= 1.0 - spec.relief
    reward(hh.trust_committee, ledger.complainant_flat[settled], trust_spec)

    waiting = med_rows[~settle_med]
    give_up = waiting[model.week - ledger.stage_week[waiting] >= spec.mediation_weeks]
    close(model, give_up, ABANDONED, GAVE_UP)
    penalise(hh.trust_committee, ledger.complainant_flat[give_up], trust_spec)


def talk_settlement_probability(model: "CommunityModel", rows: np.ndarray) -> np.ndarray:
    """Weekly chance that bilateral talk settles.

    Doubled by a tie between neighbours, scaled by (1 + effort) against a manager, and cut to
    `cross_party_mediation_factor` for cross-party kinds.
    """
    ledger, base = model.disputes, model.params.disputes.bilateral_settle
    complainant = ledger.complainant_flat[rows]
    respondent = ledger.respondent_flat[rows]
    with_household = ledger.respondent_party[rows] == HOUSEHOLD
    tied = np.zeros(rows.size, dtype=bool)
    tied[with_household] = model.ties.are_tied(
        complainant[with_household], respondent[with_household]
    )
    effort = model.compounds.effort[ledger.compound[rows]]
    chance = np.where(with_household, base * (1.0 + tied), base * (1.0 + effort))
    cross_party = IS_CROSS_PARTY[ledger.kind[rows]]
    return np.where(
        cross_party, chance * model.params.disputes.cross_party_mediation_factor, chance
    )


def withdraw_movers(model: "CommunityModel", leaving: np.ndarray) -> None:
    """Close the open disputes of households that move out."""
    leaving = leaving[model.households.in_dispute[leaving]]
    if leaving.size == 0:
        return
    is_leaving = np.zeros(model.households.size, dtype=bool)
    is_leaving[leaving] = True
    rows = model.disputes.open_rows()
    mine = rows[is_leaving[model.disputes.complainant_flat[rows]]]
    close(model, mine, ABANDONED, MOVED_OUT)
