"""The scenario schema: the one source of truth for every parameter of the simulator.

Sources: S0-S4 are the five seed articles (see docs/ODD.md); "lit" marks figures from the
research literature or official statistics; "calibrated" marks behavioural constants chosen so
that the baseline reproduces the patterns listed in the ODD (section 1), not fitted to any test.
"""

from typing import Any, Self

from pydantic import Field, field_validator, model_serializer, model_validator

from sim.scenario.crowdfunding_params import Crowdfunding
from sim.scenario.incentive_params import PilotFirst, Points, Recognition, Volunteering
from sim.scenario.mechanism_params import (
    BuildingMeetings,
    JointMeetings,
    PartyMobilisation,
    RemunerationContract,
    SelfManagement,
)
from sim.scenario.params import (
    Section,
    count,
    drive,
    gap_share,
    grievance,
    level,
    logit,
    mean_level,
    monthly_rate,
    months,
    param,
    param_list,
    probability,
    ratio,
    share,
    text,
    week_number,
    weekly_rate,
    weeks,
    weight,
    yearly_rate,
    yuan,
)
from sim.scenario.voluntary_fund_params import VoluntaryFund

#: The most households a community's structure may hold (its largest possible build).
MAX_HOUSEHOLDS = 2_000_000


class City(Section):
    """A city: communities that share the scenario's settings and interact only through them."""

    communities: int = count(
        1,
        "Number of communities, each run as its own model with a seed derived from the "
        "scenario's (1 = an ordinary single-community run)",
        ge=1,
        le=2000,
        of="communities",
        source="-",
    )


class Structure(Section):
    """Sizes of the built community: compounds, buildings, stairwell units, floors, flats.

    Either drawn from the counts and ranges below, or read from `from_file`, a real community's
    buildings (a CSV or GeoJSON file, see docs/ODD.md), which replaces them all.
    """

    from_file: str = param(
        "",
        "A real community's buildings, one row or feature per building (CSV or GeoJSON), "
        "relative to the scenario file; replaces the counts and ranges of this section "
        "(empty: the community is drawn from them)",
        unit="path",
        source="a street office's building register",
    )
    compounds: int = count(
        29,
        "Number of compounds (xiaoqu) in the community",
        ge=1,
        le=5000,
        of="compounds",
        source="S4: 29 compounds",
    )
    buildings_per_compound_min: int = count(
        1,
        "Fewest buildings in a compound",
        ge=1,
        le=200,
        of="buildings",
        source="S2: self-built compounds of 1-5 buildings",
    )
    buildings_per_compound_max: int = count(
        4,
        "Most buildings in a compound",
        ge=1,
        le=200,
        of="buildings",
        source="S2: compounds of 1-5 buildings; 4 gives S4's community about 3,000 households",
    )
    units_per_building_min: int = count(
        2,
        "Fewest stairwell units in a building",
        ge=1,
        le=20,
        of="units",
        source="lit: old walk-ups have 2-4 units",
    )
    units_per_building_max: int = count(
        4,
        "Most stairwell units in a building",
        ge=1,
        le=20,
        of="units",
        source="lit: old walk-ups have 2-4 units",
    )
    floors_min: int = count(
        6,
        "Fewest floors in a building",
        ge=1,
        le=60,
        of="floors",
        source="lit: old walk-ups have 6-7 floors",
    )
    floors_max: int = count(
        7,
        "Most floors in a building",
        ge=1,
        le=60,
        of="floors",
        source="lit: old walk-ups have 6-7 floors",
    )
    households_per_floor: int = count(
        2,
        "Flats on each floor of a stairwell unit",
        ge=1,
        le=8,
        of="flats",
        source="lit: about 12 households per elevator-able unit",
    )
    flat_area_mean: float = param(
        70.0,
        "Mean floor area of a flat",
        ge=20,
        le=300,
        unit="m2",
        source="lit: 1980s-90s walk-up flats",
    )
    flat_area_sd: float = param(
        15.0, "Standard deviation of flat area", ge=0, le=100, unit="m2", source="lit"
    )
    share_without_firm: float = share(
        0.62,
        "Share of compounds that no property firm serves",
        source="S4: 18 of 29 compounds without a firm",
    )

    @model_validator(mode="after")
    def _ranges_ordered(self) -> Self:
        for low, high in (
            ("buildings_per_compound_min", "buildings_per_compound_max"),
            ("units_per_building_min", "units_per_building_max"),
            ("floors_min", "floors_max"),
        ):
            if getattr(self, low) > getattr(self, high):
                raise ValueError(f"{low} must not exceed {high}")
        most = (
            self.compounds
            * self.buildings_per_compound_max
            * self.units_per_building_max
            * self.floors_max
            * self.households_per_floor
        )
        if most > MAX_HOUSEHOLDS:
            raise ValueError(
                f"up to {most:,} households (compounds x buildings_per_compound_max x "
                f"units_per_building_max x floors_max x households_per_floor); a community "
                f"holds at most {MAX_HOUSEHOLDS:,}"
            )
        return self

    @model_validator(mode="after")
    def _file_or_counts(self) -> Self:
        drawn = sorted(self.model_fields_set - {"from_file"})
        if self.from_file and drawn:
            raise ValueError(f"from_file replaces the counts and ranges; remove {', '.join(drawn)}")
        return self

    @model_serializer(mode="wrap")
    def _only_file(self, handler: Any) -> dict[str, Any]:
        data = handler(self)
        return {"from_file": self.from_file} if self.from_file else data


class Households(Section):
    """Who lives in the flats: age, tenure, income, civic propensity, initial trust."""

    elderly_share: float = share(
        0.25,
        "Share of households headed by someone aged 60 or more",
        source="lit: 7th census, old compounds age faster than the 18.7% national share",
    )
    renter_share: float = share(
        0.35,
        "Share of flats let to renters",
        source="S1: over half rent in school districts; lower elsewhere",
    )
    renter_turnover_per_year: float = yearly_rate(
        0.35,
        "Yearly rate at which renting households move out (weekly chance = rate / 52)",
        le=5,
        source="S1: school-district renters move on",
    )
    owner_turnover_per_year: float = yearly_rate(
        0.03,
        "Yearly rate at which owning households sell and move out (weekly chance = rate / 52)",
        source="lit",
    )
    party_member_share: float = share(
        0.06,
        "Share of households with a Party member registered where they live",
        source="S3: >140,000 Party members registered in their communities",
    )
    central_households_per_building: int = count(
        2,
        "Party-member central households designated in each building",
        le=20,
        of="households",
        source="S2: 227 central households for 87 building groups",
    )
    income_median: float = yuan(
        4500.0, "Median household income", le=1e6, per="month", source="lit"
    )
    income_log_sd: float = param(
        0.5, "Standard deviation of log income", ge=0, le=3, unit="log yuan", source="lit"
    )
    propensity_mean: float = mean_level(
        0.3, "Mean civic propensity of households (Beta distributed)", source="calibrated"
    )
    party_propensity_mean: float = mean_level(
        0.7,
        "Mean civic propensity of Party members",
        source="S1-S3: Party members act as first movers",
    )
    renter_propensity_factor: float = ratio(
        0.6,
        "Renters' propensity relative to owners'",
        le=2,
        source="S1: renters who move on take little part",
    )
    elderly_propensity_factor: float = ratio(
        1.3,
        "Civic propensity of elderly-headed households relative to others",
        le=3,
        source="lit: retirees form the core of community activity in Chinese neighbourhoods",
    )
    threshold_mean: float = mean_level(
        0.5, "Mean participation threshold (Beta distributed)", source="lit: Granovetter 1978"
    )
    expectation_mean: float = level(
        0.6, "Mean service quality a household expects", source="calibrated"
    )
    compound_expectation_sd: float = level(
        0.05,
        "Standard deviation across compounds of the mean quality their households expect (Beta "
        "around expectation_mean; households then vary around their compound's mean)",
        le=0.5,
        source="assumed",
    )
    initial_trust_firm: float = mean_level(
        0.5, "Mean initial trust in the property firm", source="calibrated"
    )
    initial_trust_committee: float = mean_level(
        0.5, "Mean initial trust in committees (residents', owners')", source="calibrated"
    )
    compound_trust_sd: float = level(
        0.08,
        "Standard deviation across compounds of the mean initial trust in the firm and in "
        "committees (Beta around initial_trust_firm and initial_trust_committee; households "
        "then vary around their compound's mean)",
        le=0.5,
        source="assumed: compounds differ in their history with firms and committees",
    )
    payment_propensity_sd: float = logit(
        0.3,
        "Standard deviation of a household's own shift of the fee payment logit (Normal, mean 0)",
        le=5,
        source="assumed; lit: people differ in willingness to contribute (Fischbacher, "
        "Gaechter & Fehr 2001)",
    )
    trust_concentration: float = param(
        8.0,
        "Concentration of the Beta distributions of trust, propensity and threshold",
        ge=0.5,
        le=1000,
        unit="-",
        source="calibrated",
    )
    practice_support_mean: float = mean_level(
        0.35,
        "Mean support for a new practice that pilot_first spreads (e.g. rooftop solar)",
        source="calibrated",
    )
    newcomer_trust: float = level(
        0.3,
        "Mean trust of a household that has just moved in (firm and committees)",
        source="calibrated",
    )


class Network(Section):
    """Social ties between households."""

    unit_tie_probability: float = probability(
        0.5,
        "Probability of a tie between two households of one stairwell unit (same-floor neighbours always tied)",
        source="lit: Centola & Macy 2007, clustered ties",
    )
    building_ties: int = count(
        2,
        "Ties each household makes to random households of its building",
        le=50,
        of="ties",
        source="calibrated",
    )
    compound_ring_neighbours: int = count(
        2,
        "Acquaintances on each side in the compound's small-world ring",
        le=50,
        of="ties",
        source="lit: Watts & Strogatz 1998",
    )
    compound_rewire_probability: float = probability(
        0.1,
        "Probability that a compound acquaintance tie is rewired to a random household of the compound",
        source="lit: Watts & Strogatz 1998",
    )
    cross_compound_tie_probability: float = probability(
        0.05, "Probability that a household has a tie to another compound", source="calibrated"
    )
    cross_compound_tie_distance: float = param(
        100.0,
        "Distance over which the weight of another compound's building as the end of a "
        "cross-compound tie falls by a factor e (where the community's file gives footprints)",
        ge=1,
        le=100000,
        unit="m",
        source="assumed: ties fall off with distance (distance decay)",
    )


class Service(Section):
    """Property service: the firm's economics, effort and quality."""

    fee_per_m2: float = yuan(
        0.8,
        "Monthly property fee",
        le=20,
        per="m2/month",
        source="lit: 0.5-1.0 yuan/m2 in old compounds",
    )
    fixed_cost_share: float = ratio(
        0.15, "Firm's fixed monthly cost as a share of full fee revenue", le=2, source="calibrated"
    )
    variable_cost_share: float = ratio(
        0.75,
        "Cost of full-quality service as a share of full fee revenue",
        le=2,
        source="calibrated",
    )
    firm_cost_sd: float = ratio(
        0.1,
        "Standard deviation across firms of a cost factor (mean 1) that scales a firm's fixed "
        "and variable costs",
        le=1,
        source="assumed: firms differ in wages, scale and efficiency",
    )
    contract_effort: float = level(
        0.7,
        "Service effort the contract promises; the firm delivers it while fees cover its cost",
        source="calibrated",
    )
    minimum_effort: float = level(
        0.3, "Least service effort the contract obliges", source="calibrated"
    )
    minimum_effort_sd: float = level(
        0.05,
        "Standard deviation across firms of the least effort a firm cuts service to (Beta)",
        le=0.5,
        source="assumed: some firms cut service harder than others (S2)",
    )
    effort_adjustment: float = monthly_rate(
        0.5,
        "Share of the gap to its budgeted effort the firm closes each month",
        source="calibrated",
    )
    quality_adjustment: float = weekly_rate(
        0.1, "Share of the gap between effort and quality closed each week", source="calibrated"
    )
    initial_quality: float = level(0.7, "Service quality at the start", source="calibrated")
    initial_quality_sd: float = level(
        0.1,
        "Standard deviation across compounds of the service quality at the start (Beta around "
        "initial_quality, or unmanaged_initial_quality where nobody manages)",
        le=0.5,
        source="assumed: compounds of one community differ in upkeep",
    )
    expected_collection_at_entry: float = share(
        0.8,
        "Collection rate a firm expects when it takes a contract",
        source="lit: national residential collection about 75-80%",
    )
    unmanaged_initial_quality: float = level(
        0.3,
        "Service quality at the start in compounds nobody manages",
        source="S2, S4: decayed shared spaces",
    )
    entry_effort: float = level(
        0.8,
        "Effort of a firm in its first months",
        source="S2: a new firm starts by showing service",
    )
    initial_reserve_months: float = months(
        3.0,
        "Reserves a firm starts with, in months of full fee revenue",
        le=120,
        source="calibrated",
    )
    initial_reserve_months_sd: float = months(
        1.5,
        "Standard deviation across firms of their starting reserves (Gamma)",
        le=120,
        source="assumed",
    )
    exit_after_loss_months: int = months(
        12,
        "Consecutive losing months after which a firm with negative reserves leaves",
        ge=1,
        le=240,
        source="S2: four firms left in turn",
    )
    exit_after_loss_months_sd: float = months(
        4.0,
        "Standard deviation across firms of the losing months a firm bears before leaving "
        "(Gamma, rounded, at least 1)",
        le=240,
        source="assumed: firms differ in patience with losses",
    )
    replacement_gap_weeks: int = weeks(
        26, "Weeks without a firm before a replacement arrives", le=1040, source="S2"
    )
    reputation_carryover: float = share(
        0.5,
        "Share of households' distrust of the old firm carried over to its replacement",
        source="calibrated",
    )
    coercion_chance: float = monthly_rate(
        0.3,
        "Monthly chance that a losing firm in a low-paying compound hires collectors",
        source="S2: the firm hired heavies to collect",
    )
    coercion_chance_sd: float = monthly_rate(
        0.15,
        "Standard deviation across firms of their monthly chance of hiring collectors (Beta)",
        le=0.5,
        source="assumed: not every firm resorts to heavies",
    )
    coercion_collection: float = share(
        0.4, "Collection below which a losing firm considers coercive collection", source="S2"
    )
    coercion_yield: float = share(
        0.15, "Share of non-payers who pay when collectors come", source="calibrated"
    )
    incident_rate: float = weekly_rate(
        0.02,
        "Weekly chance scale of a building-wide service incident (scaled by (1 - Q)^2)",
        source="S2: weeds, thefts, water cuts",
    )
    expectation_adaptation: float = weekly_rate(
        0.02,
        "Weekly rate at which the quality a household expects moves toward the quality it gets",
        source="lit: hedonic adaptation (Frederick & Loewenstein 1999)",
    )
    unmanaged_decay: float = weekly_rate(
        0.02,
        "Weekly decay of quality where nobody manages the compound",
        source="S2, S4: shared spaces decay without management",
    )
    unmanaged_floor: float = level(
        0.1, "Quality that an unmanaged compound decays to", source="calibrated"
    )

    @model_validator(mode="after")
    def _effort_bounds_ordered(self) -> Self:
        if self.minimum_effort > self.contract_effort:
            raise ValueError("minimum_effort must not exceed contract_effort")
        return self


class Fees(Section):
    """The monthly decision to pay: p = logistic(b0 + bq (Q - E) + bt (T - 1/2) + bh h + bn (N - 1/2))."""

    intercept: float = logit(
        0.7,
        "Intercept b0 of the payment logit",
        ge=-10,
        le=10,
        source="calibrated: about 75-80% collection at moderate service",
    )
    weight_quality: float = logit(
        2.0, "Weight bq of service quality above expectation", source="lit: payment follows service"
    )
    weight_trust: float = logit(3.0, "Weight bt of trust in whoever collects the fee", source="lit")
    weight_habit: float = logit(1.0, "Weight bh of the household's payment habit", source="lit")
    weight_neighbours: float = logit(
        1.5,
        "Weight bn of the share of network neighbours who paid last month",
        source="lit: descriptive norms",
    )
    habit_rate: float = monthly_rate(
        0.3, "Rate at which the habit h moves toward +1 (paid) or -1 (did not)", source="calibrated"
    )


class Trust(Section):
    """Asymmetric trust updates: good T += a (1 - T); bad T -= loss_aversion a T."""

    gain: float = gap_share(0.03, "Trust gained after a good event (a)", source="lit: Slovic 1993")
    loss_aversion: float = ratio(
        2.5,
        "How many times a bad event weighs more than a good one",
        ge=1,
        le=10,
        source="lit: losses weigh 2-3 times gains",
    )
    experience_rate: float = weekly_rate(
        0.08,
        "Weekly chance scale of a noticed service experience (good with Q^2, bad with (1-Q)^2)",
        source="calibrated",
    )
    engagement_rate: float = weekly_rate(
        0.05,
        "Weekly chance that taking part is a good experience of the committees",
        source="calibrated",
    )


class Participation(Section):
    """Threshold participation: active when neighbours' share + pushes cross the threshold."""

    neighbour_weight: float = weight(
        0.4, "Weight of the active share of network neighbours", le=5, source="lit: Watts 2002"
    )
    propensity_weight: float = weight(
        0.8,
        "Weight of the household's intrinsic motivation (its civic propensity unless points "
        "or leadership have moved it)",
        le=5,
        source="calibrated",
    )
    trust_weight: float = weight(
        0.3, "Weight of trust in committees (efficacy)", le=5, source="calibrated"
    )
    noise: float = drive(
        0.1, "Logistic noise around the threshold", gt=0, le=1, source="calibrated"
    )


class Disputes(Section):
    """Grievances and the dispute pyramid: raised -> bilateral talk -> mediation -> resolved or escalated."""

    water_leak_rate: float = weekly_rate(
        0.0008, "Weekly chance of a leak from the flat above", source="S1, S3: leaks between floors"
    )
    noise_rate: float = weekly_rate(
        0.001, "Weekly chance of a noise friction with a floor neighbour", source="S1"
    )
    parking_rate: float = weekly_rate(
        0.0008,
        "Weekly chance of a parking friction at quality 1/2 (scaled by 1/2 + (1 - Q))",
        source="S3: parking disputes",
    )
    shared_space_rate: float = weekly_rate(
        0.0005,
        "Weekly chance of a friction over shared space",
        source="S0: pilotis used as a mahjong room",
    )
    illegal_structure_rate: float = weekly_rate(
        0.0003,
        "Weekly chance of a friction over a structure built on common land",
        source="S3: illegal structures need city management",
    )
    cross_party_mediation_factor: float = ratio(
        0.3,
        "Talk and mediation settlement rate of cross-party disputes (parking, illegal structures) "
        "relative to others, for want of police and city management",
        le=1,
        source="S3: serial negotiation",
    )
    friction_severity: float = grievance(
        1.0, "Grievance a friction adds", le=10, source="calibrated"
    )
    bad_service_severity: float = grievance(
        0.3, "Grievance a bad service experience adds", le=10, source="calibrated"
    )
    incident_severity: float = grievance(
        1.0, "Grievance a building-wide service incident adds", le=10, source="calibrated"
    )
    coercion_severity: float = grievance(
        1.5,
        "Grievance a household coerced into paying gains",
        le=10,
        source="S2: heavies, 100+ residents petitioned",
    )
    voice_probability: float = probability(
        0.5,
        "Chance a friction becomes a claim (the rest are lumped)",
        source="lit: Felstiner, Abel & Sarat 1980",
    )
    service_claim_threshold: float = grievance(
        1.5, "Grievance above which a household may complain of service", le=20, source="calibrated"
    )
    service_claim_probability: float = weekly_rate(
        0.05, "Weekly chance of complaining once above the threshold", source="calibrated"
    )
    grievance_decay: float = weekly_rate(0.05, "Weekly decay of grievance", source="calibrated")
    bilateral_weeks: int = weeks(
        3, "Weeks of bilateral talk before mediation", ge=1, le=52, source="calibrated"
    )
    bilateral_settle: float = weekly_rate(
        0.2,
        "Weekly chance bilateral talk settles (scaled by a tie between the parties)",
        source="calibrated",
    )
    mediation_weeks: int = weeks(
        8, "Weeks of mediation before the complainant gives up", ge=1, le=104, source="calibrated"
    )
    committee_mediation_skill: float = weekly_rate(
        0.2,
        "Weekly settlement chance with an owners' or self-management committee",
        source="calibrated",
    )
    residents_committee_mediation_skill: float = weekly_rate(
        0.15, "Weekly settlement chance with the residents' committee", source="calibrated"
    )
    escalation_max: float = weekly_rate(
        0.3, "Highest weekly chance of escalating (hotline, petition)", source="lit: Epstein 2002"
    )
    escalation_steepness: float = param(
        4.0, "Steepness of the escalation logistic", ge=0, le=100, unit="-", source="calibrated"
    )
    legitimacy_weight: float = weight(
        2.0,
        "Weight of the perceived legitimacy of local channels against grievance",
        le=20,
        source="lit: Epstein 2002",
    )
    escalation_threshold: float = grievance(
        1.5, "Net grievance at which escalation becomes likely", le=20, source="calibrated"
    )
    petition_threshold: float = grievance(
        3.0,
        "Grievance above which an escalation is a petition rather than a hotline call",
        le=50,
        source="S2: 100+ residents petitioned",
    )
    escalation_relief: float = share(
        0.5,
        "Share of grievance removed when an escalated complaint is heard (hotline, petition)",
        source="calibrated",
    )
    relief: float = share(
        0.7, "Share of grievance removed when a dispute is resolved", source="calibrated"
    )


class Mechanisms(Section):
    """The switches and settings of every governance mechanism."""

    # One nested section per mechanism: each declares its own parameters.
    party_mobilisation: PartyMobilisation = Field(default_factory=PartyMobilisation)
    self_management: SelfManagement = Field(default_factory=SelfManagement)
    joint_meetings: JointMeetings = Field(default_factory=JointMeetings)
    building_meetings: BuildingMeetings = Field(default_factory=BuildingMeetings)
    crowdfunding: Crowdfunding = Field(default_factory=Crowdfunding)
    points: Points = Field(default_factory=Points)
    recognition: Recognition = Field(default_factory=Recognition)
    remuneration_contract: RemunerationContract = Field(default_factory=RemunerationContract)
    pilot_first: PilotFirst = Field(default_factory=PilotFirst)
    voluntary_fund: VoluntaryFund = Field(default_factory=VoluntaryFund)


class Intervention(Section):
    """A policy change at a given week: dotted scenario keys and their new values."""

    at_week: int = week_number(1, "Week from which the change holds", ge=1, source="-")
    # A required mapping of changes, each checked against the field it names: not a parameter.
    set: dict[str, Any] = Field(
        description="Dotted scenario keys and their new values, e.g. {mechanisms.points.enabled: "
        "true}; a nested mapping means the same as its dotted keys"
    )

    @field_validator("set", mode="before")
    @classmethod
    def _dotted(cls, changes: Any) -> Any:
        """Nested mappings as dotted keys, so that a change is partial and recorded per key."""
        return dotted_keys(changes) if isinstance(changes, dict) else changes


def dotted_keys(changes: dict, prefix: str = "") -> dict[str, Any]:
    """``{a: {b: 1}, c.d: 2}`` as ``{a.b: 1, c.d: 2}``; an empty mapping or a key given twice
    is refused."""
    if not changes:
        raise ValueError(f"{prefix or 'set'} is an empty mapping and changes nothing")
    flat: dict[str, Any] = {}
    for key, value in changes.items():
        if not isinstance(key, str):
            raise ValueError(f"key {key!r} is not a dotted scenario key")
        name = f"{prefix}.{key}" if prefix else key
        inner = dotted_keys(value, name) if isinstance(value, dict) else {name: value}
        for dotted, leaf in inner.items():
            if dotted in flat:
                raise ValueError(f"{dotted} is given twice")
            flat[dotted] = leaf
    return flat


class Scenario(Section):
    """A complete, validated scenario: everything a run depends on besides the seed."""

    name: str = text(
        "unnamed",
        "Short name of the scenario (also the default output folder's name)",
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$",
    )
    description: str = text("", "One line saying what the scenario represents")
    steps: int = weeks(260, "Weeks to simulate", le=5200, source="one step is one week")
    warmup_weeks: int = weeks(
        0,
        "Weeks of baseline dynamics (no mechanism, no policy timeline) run before week 0, so that "
        "a run starts from the model's own steady state; records and time series start at week 0",
        le=2600,
        source="assumed: chosen from the measured settling time (docs/ODD.md)",
    )
    seed: int = param(
        0, "Seed of the random number generator", ge=0, le=2**63 - 1, unit="-", source="-"
    )
    # The sections: each nested section declares its own parameters.
    city: City = Field(default_factory=City)
    structure: Structure = Field(default_factory=Structure)
    households: Households = Field(default_factory=Households)
    network: Network = Field(default_factory=Network)
    service: Service = Field(default_factory=Service)
    fees: Fees = Field(default_factory=Fees)
    trust: Trust = Field(default_factory=Trust)
    participation: Participation = Field(default_factory=Participation)
    disputes: Disputes = Field(default_factory=Disputes)
    volunteering: Volunteering = Field(default_factory=Volunteering)
    mechanisms: Mechanisms = Field(default_factory=Mechanisms)
    interventions: list[Intervention] = param_list(
        list, "Policy timeline: changes applied at given weeks", unit="-"
    )

    def baseline(self) -> Self:
        """This scenario with every mechanism switched off and no policy timeline (its warm-up)."""
        mechanisms = self.mechanisms
        switched_off = {
            name: getattr(mechanisms, name).model_copy(update={"enabled": False})
            for name in type(mechanisms).model_fields
        }
        return self.model_copy(
            update={"mechanisms": mechanisms.model_copy(update=switched_off), "interventions": []}
        )
