"""Parameters of the governance mechanisms, one section each (part of the scenario schema)."""

from typing import Literal

from pydantic import Field

from sim.scenario.params import Section, param


class Mechanism(Section):
    """A governance mechanism that can be switched on."""

    enabled: bool = Field(False, description="Switch the mechanism on")


class PartyMobilisation(Mechanism):
    """Party members mobilise their network neighbours and mediate in their buildings."""

    mobilisation_strength: float = param(
        0.08,
        "Push each active Party member with a role gives a network neighbour",
        ge=0,
        le=2,
        unit="-",
        source="S1-S3: building heads mobilise",
    )
    mobilisation_cap: float = param(
        0.25,
        "Largest total push a household can receive",
        ge=0,
        le=5,
        unit="-",
        source="calibrated",
    )
    mediation_skill: float = param(
        0.35,
        "Weekly settlement chance when a Party building head mediates",
        ge=0,
        le=1,
        unit="1/week",
        source="S1, S3: Party members as mediators",
    )


class SelfManagement(Mechanism):
    """Where no firm serves, a committee collects small fees and hires a cleaner and a gatekeeper."""

    formation_participation: float = param(
        0.3,
        "Active share a compound needs to form a committee",
        ge=0,
        le=1,
        unit="share",
        source="lit: Oliver, Marwell & Teixeira 1985 (critical mass)",
    )
    formation_chance: float = param(
        0.1,
        "Monthly chance that an eligible compound's organisers form a committee",
        ge=0,
        le=1,
        unit="1/month",
        source="calibrated",
    )
    basic_service_level: float = param(
        0.6,
        "Effort that a fully paid cleaner and gatekeeper deliver (basic service)",
        ge=0,
        le=1,
        unit="[0,1]",
        source="S2, S4: a cleaner and a gatekeeper",
    )
    fee_per_household: float = param(
        15.0,
        "Monthly fee (parking, cleaning, gate)",
        ge=0,
        le=1000,
        unit="yuan/month",
        source="S2, S4",
    )
    full_service_cost: float = param(
        13.0,
        "Monthly cost per household of a cleaner and a gatekeeper at full quality",
        gt=0,
        le=1000,
        unit="yuan/month",
        source="S2, S4",
    )
    volunteer_boost: float = param(
        0.3,
        "Quality added per unit of the compound's active share (volunteer work)",
        ge=0,
        le=2,
        unit="-",
        source="S4",
    )


class JointMeetings(Mechanism):
    """Joint meetings of the residents' committee, the compound's committee and its firm."""

    form: Literal["three_party", "four_in_one", "five_party"] = Field(
        "three_party",
        description="Who sits at the table: three_party (residents' committee, owners' or "
        "self-management committee, firm); four_in_one (plus resident representatives); "
        "five_party (plus police station and city management)",
        json_schema_extra={"unit": "-", "source": "S2 (three-party), S3 (five-party)"},
    )
    cadence_weeks: int = param(
        4, "Weeks between meetings", ge=1, le=52, unit="weeks", source="S2: monthly joint meetings"
    )
    capacity: int = param(
        8, "Agenda items one meeting can take up", ge=1, le=200, unit="items", source="calibrated"
    )
    settle_chance: float = param(
        0.6,
        "Chance that an item is settled when every party it needs is at the table",
        ge=0,
        le=1,
        unit="probability",
        source="S3: waste pavilions approved in 10 days",
    )
    absent_party_factor: float = param(
        0.3,
        "Settlement chance multiplier when a party the item needs is absent",
        ge=0,
        le=1,
        unit="ratio",
        source="S3: serial negotiation stalls",
    )
    cross_appointment: bool = Field(
        False,
        description="A Party cadre sits as liaison in every meeting (raises settlement by liaison_factor)",
        json_schema_extra={"unit": "-", "source": "S2: cross-appointment"},
    )
    liaison_factor: float = param(
        1.25,
        "Settlement multiplier with a cross-appointed liaison",
        ge=1,
        le=3,
        unit="ratio",
        source="S2",
    )
    trust_gain: float = param(
        0.12,
        "Trust households gain per meeting that delivers (scaled by the settled share)",
        ge=0,
        le=1,
        unit="share of the gap",
        source="lit: face-to-face communication, Balliet 2010",
    )
    reach: float = param(
        0.5,
        "Share of a compound's households who hear what a meeting did",
        ge=0,
        le=1,
        unit="share",
        source="S2: owner hearings, notices",
    )
    firm_invests_first: bool = Field(
        True,
        description="A firm in a low-collection compound may commit at a meeting to invest first, the residents' committee standing guarantor",
        json_schema_extra={"unit": "-", "source": "S2: 200,000+ yuan invested first"},
    )
    commitment_collection: float = param(
        0.5,
        "Collection below which a meeting seeks the firm's commitment",
        ge=0,
        le=1,
        unit="share",
        source="S2",
    )
    commitment_effort: float = param(
        0.9, "Effort the firm commits to", ge=0, le=1, unit="[0,1]", source="S2"
    )
    commitment_months: int = param(
        18, "Months the commitment and the guarantee run", ge=1, le=120, unit="months", source="S2"
    )
    commitment_kept: float = param(
        0.9,
        "Chance that a committed firm keeps its commitment",
        ge=0,
        le=1,
        unit="probability",
        source="calibrated",
    )


class BuildingMeetings(Mechanism):
    """Monthly building-head meetings and evening forums: deliberation and proposals."""

    cadence_weeks: int = param(
        4,
        "Weeks between a building's meetings",
        ge=1,
        le=52,
        unit="weeks",
        source="S1: monthly building-head meetings",
    )
    attendance: float = param(
        0.6,
        "Chance an active household attends its building's meeting",
        ge=0,
        le=1,
        unit="probability",
        source="S1",
    )
    confidence: float = param(
        0.3,
        "Bounded confidence epsilon of Deffuant-Weisbuch deliberation",
        gt=0,
        le=1,
        unit="[0,1]",
        source="lit: Deffuant et al. 2000",
    )
    convergence: float = param(
        0.3,
        "Convergence rate mu of Deffuant-Weisbuch deliberation",
        gt=0,
        le=0.5,
        unit="-",
        source="lit: Deffuant et al. 2000",
    )
    proposal_support: float = param(
        0.6,
        "Support above which an attendee backs a proposal",
        ge=0,
        le=1,
        unit="[0,1]",
        source="S1: 20+ sessions gave 50+ proposals",
    )
    minimum_supporters: int = param(
        3,
        "Attendees with support above proposal_support a meeting needs to produce a proposal",
        ge=1,
        le=500,
        unit="households",
        source="S1: 20+ sessions gave 50+ proposals",
    )
    engagement_gain: float = param(
        0.03,
        "Engagement an attendee gains (added to its participation drive)",
        ge=0,
        le=2,
        unit="-",
        source="lit: Balliet 2010",
    )
    engagement_decay: float = param(
        0.02, "Weekly decay of engagement", ge=0, le=1, unit="1/week", source="calibrated"
    )


class RemunerationContract(Mechanism):
    """Remuneration contract (chou jin zhi): the firm earns a commission, owners keep the surplus."""

    campaign_start_week: int = param(
        0,
        "Week the owners' committee starts campaigning for the contract",
        ge=0,
        le=5200,
        unit="week",
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
    vote_turnout: float = param(
        0.7,
        "Share of owners the campaign brings to vote",
        ge=0,
        le=1,
        unit="share",
        source="S0: door-to-door visits",
    )
    commission: float = param(
        0.08,
        "Firm's commission on the service cost it spends",
        ge=0,
        le=0.5,
        unit="share",
        source="lit: commonly 5-10%",
    )
    rating_weight: float = param(
        1.0,
        "How strongly the firm's pay follows the owners' rating (satisfaction)",
        ge=0,
        le=5,
        unit="-",
        source="S0: pay follows the owners' rating",
    )
    effort: float = param(
        0.85,
        "Effort a firm paid by commission and rating delivers",
        ge=0,
        le=1,
        unit="[0,1]",
        source="S0",
    )
    upgrade_cost: float = param(
        25.0,
        "Cost per household of one visible upgrade paid from the owners' fund",
        gt=0,
        le=10000,
        unit="yuan/household",
        source="S0: surplus paid for dozens of upgrades",
    )
    upgrade_quality: float = param(
        0.02,
        "Quality an upgrade adds to the firm's effort ceiling",
        ge=0,
        le=0.5,
        unit="[0,1]",
        source="calibrated",
    )
    transparency_gain: float = param(
        0.05,
        "Monthly trust gain from open books (weight on the trust gain)",
        ge=0,
        le=1,
        unit="share of the gap",
        source="S0: an owner keeps the books",
    )
