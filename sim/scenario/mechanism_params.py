"""Parameters of the governance mechanisms, one section each (part of the scenario schema)."""

from typing import Literal

from sim.scenario.params import (
    Section,
    choice,
    count,
    drive,
    gap_share,
    level,
    monthly_rate,
    months,
    param,
    probability,
    ratio,
    share,
    switch,
    week_number,
    weekly_rate,
    weeks,
    weight,
    yuan,
)


class Mechanism(Section):
    """A governance mechanism that can be switched on."""

    enabled: bool = switch(False, "Switch the mechanism on")


class PartyMobilisation(Mechanism):
    """Party members mobilise their network neighbours and mediate in their buildings."""

    mobilisation_strength: float = drive(
        0.08,
        "Push each active Party member with a role gives a network neighbour",
        le=2,
        source="S1-S3: building heads mobilise",
    )
    mobilisation_cap: float = drive(
        0.25, "Largest total push a household can receive", le=5, source="calibrated"
    )
    mediation_skill: float = weekly_rate(
        0.35,
        "Weekly settlement chance when a Party building head mediates",
        source="S1, S3: Party members as mediators",
    )


class SelfManagement(Mechanism):
    """Where no firm serves, a committee collects small fees and hires a cleaner and a gatekeeper."""

    formation_participation: float = share(
        0.3,
        "Active share a compound needs to form a committee",
        source="lit: Oliver, Marwell & Teixeira 1985 (critical mass)",
    )
    formation_chance: float = monthly_rate(
        0.1,
        "Monthly chance that an eligible compound's organisers form a committee",
        source="calibrated",
    )
    basic_service_level: float = level(
        0.6,
        "Effort that a fully paid cleaner and gatekeeper deliver (basic service)",
        source="S2, S4: a cleaner and a gatekeeper",
    )
    fee_per_household: float = yuan(
        15.0, "Monthly fee (parking, cleaning, gate)", le=1000, per="month", source="S2, S4"
    )
    full_service_cost: float = yuan(
        13.0,
        "Monthly cost per household of a cleaner and a gatekeeper at full quality",
        gt=0,
        le=1000,
        per="month",
        source="S2, S4",
    )
    volunteer_boost: float = weight(
        0.3,
        "Quality added per unit of the compound's active share (volunteer work)",
        le=2,
        source="S4",
    )


class JointMeetings(Mechanism):
    """Joint meetings of the residents' committee, the compound's committee and its firm."""

    form: Literal["three_party", "four_in_one", "five_party"] = choice(
        "three_party",
        "Who sits at the table: three_party (residents' committee, owners' or "
        "self-management committee, firm); four_in_one (plus resident representatives); "
        "five_party (plus police station and city management)",
        source="S2 (three-party), S3 (five-party)",
    )
    cadence_weeks: int = weeks(
        4, "Weeks between meetings", ge=1, le=52, source="S2: monthly joint meetings"
    )
    capacity: int = count(
        8, "Agenda items one meeting can take up", ge=1, le=200, of="items", source="calibrated"
    )
    settle_chance: float = probability(
        0.6,
        "Chance that an item is settled when every party it needs is at the table",
        source="S3: waste pavilions approved in 10 days",
    )
    absent_party_factor: float = ratio(
        0.3,
        "Settlement chance multiplier when a party the item needs is absent",
        le=1,
        source="S3: serial negotiation stalls",
    )
    cross_appointment: bool = switch(
        False,
        "A Party cadre sits as liaison in every meeting (raises settlement by liaison_factor)",
        source="S2: cross-appointment",
    )
    liaison_factor: float = ratio(
        1.25, "Settlement multiplier with a cross-appointed liaison", ge=1, le=3, source="S2"
    )
    trust_gain: float = gap_share(
        0.12,
        "Trust households gain per meeting that delivers (scaled by the settled share)",
        source="lit: face-to-face communication, Balliet 2010",
    )
    reach: float = share(
        0.5,
        "Share of a compound's households who hear what a meeting did",
        source="S2: owner hearings, notices",
    )
    firm_invests_first: bool = switch(
        True,
        "A firm in a low-collection compound may commit at a meeting to invest first, the residents' committee standing guarantor",
        source="S2: 200,000+ yuan invested first",
    )
    commitment_collection: float = share(
        0.5, "Collection below which a meeting seeks the firm's commitment", source="S2"
    )
    commitment_effort: float = level(0.9, "Effort the firm commits to", source="S2")
    commitment_months: int = months(
        18, "Months the commitment and the guarantee run", ge=1, le=120, source="S2"
    )
    commitment_kept: float = probability(
        0.9, "Chance that a committed firm keeps its commitment", source="calibrated"
    )


class BuildingMeetings(Mechanism):
    """Monthly building-head meetings and evening forums: deliberation and proposals."""

    cadence_weeks: int = weeks(
        4,
        "Weeks between a building's meetings",
        ge=1,
        le=52,
        source="S1: monthly building-head meetings",
    )
    attendance: float = probability(
        0.6, "Chance an active household attends its building's meeting", source="S1"
    )
    confidence: float = level(
        0.3,
        "Bounded confidence epsilon of Deffuant-Weisbuch deliberation",
        gt=0,
        source="lit: Deffuant et al. 2000",
    )
    convergence: float = gap_share(
        0.3,
        "Convergence rate mu of Deffuant-Weisbuch deliberation",
        gt=0,
        le=0.5,
        source="lit: Deffuant et al. 2000",
    )
    proposal_support: float = level(
        0.6,
        "Support above which an attendee backs a proposal",
        source="S1: 20+ sessions gave 50+ proposals",
    )
    minimum_supporters: int = count(
        3,
        "Attendees with support above proposal_support a meeting needs to produce a proposal",
        ge=1,
        le=500,
        of="households",
        source="S1: 20+ sessions gave 50+ proposals",
    )
    engagement_gain: float = drive(
        0.03,
        "Engagement an attendee gains (added to its participation drive)",
        le=2,
        source="lit: Balliet 2010",
    )
    engagement_decay: float = weekly_rate(0.02, "Weekly decay of engagement", source="calibrated")


class RemunerationContract(Mechanism):
    """Remuneration contract (chou jin zhi): the firm earns a commission, owners keep the surplus."""

    campaign_start_week: int = week_number(
        0,
        "Week the owners' committee starts campaigning for the contract",
        source="S0: 15 meetings, leaflets, visits",
    )
    campaign_gain: float = param(
        0.15,
        "Logit of a yes vote gained per month of campaigning",
        ge=0,
        le=5,
        unit="logit/month",
        source="S0",
    )
    vote_turnout: float = share(
        0.7, "Share of owners the campaign brings to vote", source="S0: door-to-door visits"
    )
    commission: float = share(
        0.08,
        "Firm's commission on the service cost it spends",
        le=0.5,
        source="lit: commonly 5-10%",
    )
    rating_weight: float = weight(
        1.0,
        "How strongly the firm's pay follows the owners' rating (satisfaction)",
        le=5,
        source="S0: pay follows the owners' rating",
    )
    effort: float = level(0.85, "Effort a firm paid by commission and rating delivers", source="S0")
    upgrade_cost: float = yuan(
        25.0,
        "Cost per household of one visible upgrade paid from the owners' fund",
        gt=0,
        le=10000,
        per="household",
        source="S0: surplus paid for dozens of upgrades",
    )
    upgrade_quality: float = level(
        0.02, "Quality an upgrade adds to the firm's effort ceiling", le=0.5, source="calibrated"
    )
    transparency_gain: float = gap_share(
        0.05,
        "Monthly trust gain from open books (weight on the trust gain)",
        source="S0: an owner keeps the books",
    )
