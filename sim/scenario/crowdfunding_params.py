"""Parameters of the crowdfunding mechanism: the project kinds (data, not code) and behaviour.

A project kind says what a public project is: its scope, cost, subsidy, who benefits and who
is harmed, how consent is given and how the cost is shared. The defaults are the goods of the
seed articles (S0, S4) with figures from the literature for the elevator retrofit.
"""

from typing import Annotated, Literal, Self

from pydantic import Field, model_validator

from sim.scenario.mechanism_params import Mechanism
from sim.scenario.params import (
    Section,
    choice,
    count,
    gap_share,
    grievance,
    level,
    logit,
    monthly_rate,
    months,
    param,
    param_list,
    probability,
    ratio,
    share,
    switch,
    text,
    week_number,
    weekly_rate,
    weeks,
    yuan,
)

ConsentRuleName = Literal[
    "unanimity", "share", "majority", "civil_code_278_ordinary", "civil_code_278_major"
]
ContributionRule = Literal["flat", "stepped", "voluntary"]
Scope = Literal["unit", "building", "compound"]
BenefitProfile = Literal["flat", "floor", "use"]

NonNegative = Annotated[float, Field(ge=0, le=1e9)]


class ProjectKind(Section):
    """One kind of public project residents may fund (an entry of `mechanisms.crowdfunding.kinds`)."""

    name: str = text(
        "project",
        "Name of the kind (lower case, digits and _), unique in the list",
        pattern=r"^[a-z][a-z0-9_]{0,49}$",
        source="-",
    )
    elevator: bool = switch(
        False,
        "Counted as an elevator retrofit (elevators_built, the per-floor summary)",
        source="-",
    )
    scope: Scope = choice(
        "compound",
        "Who shares the project: a stairwell unit, a building or a compound",
        source="S0, S4; lit: elevator votes per unit",
    )
    min_floors: int = count(
        1,
        "Fewest floors a building needs for the project (elevators: 4)",
        ge=1,
        le=60,
        of="floors",
        source="lit",
    )
    cost_min: float = yuan(
        0.0,
        "Least fixed cost of one project (drawn uniformly in [cost_min, cost_max])",
        le=1e9,
        source="S0, S4; lit",
    )
    cost_max: float = yuan(0.0, "Largest fixed cost of one project", le=1e9, source="S0, S4; lit")
    cost_per_household: float = yuan(
        0.0, "Cost added for each household in the scope", le=1e7, per="household", source="S4"
    )
    subsidy: float = yuan(
        0.0,
        "Public subsidy per project (capped at its cost)",
        le=1e9,
        source="lit: Wuhan 2024 rules, 200,000 yuan an elevator",
    )
    upkeep_per_year: float = yuan(
        0.0,
        "Yearly upkeep, shared by the contribution weights",
        le=1e8,
        per="year",
        source="lit: about 5,000 yuan a year an elevator",
    )
    benefit: BenefitProfile = choice(
        "flat",
        "Benefit profile: flat (the same to every household), floor (benefit_value "
        "for each floor above the ground floor), use (benefit_value to the users only)",
        source="S0, S4; lit",
    )
    benefit_value: float = yuan(
        0.0,
        "Value of the project to a household (flat), per floor above ground (floor), or to a user (use)",
        le=1e8,
        source="calibrated",
    )
    elderly_benefit_factor: float = ratio(
        1.0,
        "Multiplier of the benefit for elderly-headed households",
        le=20,
        source="S0: 18 elderly 'stranded upstairs'",
    )
    use_share: float = share(
        1.0,
        "Share of households who use the project (use profile)",
        source="S0: one in six ground-floor households grew vegetables",
    )
    harm_by_floor: list[NonNegative] = param_list(
        list,
        "Harm to the households of floors 1, 2, ... (light, noise, value); a household "
        "whose harm exceeds the project's indifference band is 'harmed'",
        unit="yuan",
        source="S0: low floors opposed; lit",
    )
    feasibility: float = probability(
        1.0,
        "Chance that a proposal passes the technical survey (qualifies)",
        source="S4: 89 of 101 elevator applications qualified",
    )
    qualification_weeks: int = weeks(4, "Weeks of technical survey", le=520, source="calibrated")
    consultation_weeks: int = weeks(
        4,
        "Weeks of consultation between qualifying and the vote",
        le=520,
        source="S0: door-to-door visits",
    )
    consent_rule: ConsentRuleName = choice(
        "majority",
        "Consent rule of the vote: unanimity, share (consent_share of all owners by "
        "headcount and area), majority (of participants), civil_code_278_ordinary, "
        "civil_code_278_major",
        source="lit: Civil Code art. 278; local elevator rules",
    )
    consent_share: float = share(
        0.9,
        "Share of all owners the `share` rule needs",
        gt=0,
        source="lit: older elevator rules demanded 90%",
    )
    vote_turnout: float = probability(
        0.8,
        "Chance that an owner of the scope takes part in the vote",
        source="S0: door-to-door and online votes",
    )
    harmed_veto: bool = switch(
        False,
        "A harmed household that takes part and votes no vetoes the project",
        source="lit: low-floor objections block elevators",
    )
    contribution_rule: ContributionRule = choice(
        "voluntary",
        "How the target is shared: flat (equal shares, binding), stepped (shares by "
        "floor_weights, binding), voluntary (equal asks, provision point with money back)",
        source="S4: flat 200 yuan; stepped 'ladder' shares",
    )
    floor_weights: list[NonNegative] = param_list(
        list,
        "Weights of floors 1, 2, ... for stepped shares and the upkeep (one per "
        "floor up to structure.floors_max); empty: equal weights",
        unit="weight",
        source="S4: higher floors pay more; lit",
    )
    money_back: bool = switch(
        True,
        "Provision point with money back: a campaign that misses its target returns "
        "every gift; without it the gifts are forfeited (not returned, nothing provided), as in "
        "the no-refund treatments of the experiments",
        source="lit: Isaac, Schmidtz & Walker 1989; Cadsby & Maynes 1999",
    )
    campaign_weeks: int = weeks(
        12,
        "Weeks a fund-raising campaign runs before it fails (and refunds, with money back)",
        ge=1,
        le=520,
        source="calibrated",
    )
    build_weeks: int = weeks(4, "Weeks of works once funded", le=520, source="S4; lit")
    compensation: float = yuan(
        0.0,
        "Compensation to each harmed household, paid from the others' shares",
        le=1e8,
        per="household",
        source="lit: compensation of low floors",
    )
    redesign: bool = switch(
        False, "Use the redesign that lowers the harm (S0: the 1 m 'mini elevator')", source="S0"
    )
    redesign_harm_factor: float = ratio(
        0.1,
        "Harm left by the redesign, as a share of the original",
        le=1,
        source="S0: the 1 m mini elevator kept the courtyard passage clear and won over the "
        "ground floor; assumed share",
    )
    redesign_cost_factor: float = ratio(
        1.1,
        "Fixed cost of the redesign relative to the standard design",
        gt=0,
        le=5,
        source="calibrated: a custom design",
    )
    retry_weeks: int = weeks(
        0,
        "Weeks after a failure before the same scope may propose the kind again (0: never)",
        le=5200,
        source="calibrated",
    )

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.cost_min > self.cost_max:
            raise ValueError("cost_min must not exceed cost_max")
        if self.cost_max + self.cost_per_household <= 0:
            raise ValueError("a project must cost something: cost_max or cost_per_household > 0")
        if self.contribution_rule == "stepped" and sum(self.floor_weights) <= 0:
            raise ValueError("stepped shares need floor_weights with a positive sum")
        return self


#: How a compound decides on and pays for a gate (S4's smart gate and gate cameras): a short
#: survey, a majority vote and voluntary gifts.
GATE_TERMS = {
    "scope": "compound",
    "upkeep_per_year": 500.0,
    "benefit": "flat",
    "feasibility": 0.95,
    "qualification_weeks": 2,
    "consultation_weeks": 2,
    "consent_rule": "majority",
    "vote_turnout": 0.7,
    "contribution_rule": "voluntary",
    "campaign_weeks": 12,
    "build_weeks": 2,
}
SMART_GATE = ProjectKind(
    name="smart_gate", cost_per_household=200.0, benefit_value=600.0, **GATE_TERMS
)
GATE_CAMERAS = ProjectKind(
    name="gate_cameras", cost_min=11850.0, cost_max=11850.0, benefit_value=400.0, **GATE_TERMS
)
PAVING_PARKING = ProjectKind(
    name="paving_parking",
    scope="compound",
    cost_per_household=3000.0,
    benefit="flat",
    benefit_value=6000.0,
    feasibility=0.9,
    qualification_weeks=4,
    consultation_weeks=6,
    consent_rule="civil_code_278_major",
    vote_turnout=0.8,
    contribution_rule="flat",
    campaign_weeks=26,
    build_weeks=12,
)
COMMUNITY_FARM = ProjectKind(
    name="community_farm",
    scope="compound",
    cost_min=8000.0,
    cost_max=8000.0,
    benefit="use",
    benefit_value=1500.0,
    elderly_benefit_factor=1.5,
    use_share=0.3,
    feasibility=0.9,
    qualification_weeks=2,
    consultation_weeks=4,
    consent_rule="majority",
    vote_turnout=0.6,
    contribution_rule="voluntary",
    campaign_weeks=12,
    build_weeks=6,
)
ELEVATOR = ProjectKind(
    name="elevator",
    elevator=True,
    scope="unit",
    min_floors=4,
    cost_min=450_000.0,
    cost_max=700_000.0,
    subsidy=200_000.0,
    upkeep_per_year=5000.0,
    benefit="floor",
    benefit_value=15_000.0,
    elderly_benefit_factor=2.0,
    harm_by_floor=[20_000.0, 6000.0],
    feasibility=0.88,
    qualification_weeks=8,
    consultation_weeks=8,
    consent_rule="civil_code_278_major",
    vote_turnout=0.9,
    contribution_rule="stepped",
    floor_weights=[0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
    campaign_weeks=52,
    build_weeks=40,
)

#: The seed articles' goods, in the order of the defaults.
DEFAULT_KINDS = (SMART_GATE, GATE_CAMERAS, PAVING_PARKING, COMMUNITY_FARM, ELEVATOR)


def default_kinds() -> list[ProjectKind]:
    """Fresh copies of the default project kinds."""
    return [kind.model_copy(deep=True) for kind in DEFAULT_KINDS]


class Crowdfunding(Mechanism):
    """Residents propose, vote on and fund shared projects: gates, paving, farms, elevators."""

    kinds: list[ProjectKind] = param_list(
        default_kinds,
        "The kinds of project residents may propose (each with its own settings)",
        unit="-",
        source="S0, S4; lit",
    )
    start_week: int = week_number(0, "Week from which projects may be proposed", source="-")
    proposal_rate: float = monthly_rate(
        0.01,
        "Monthly chance that a scope whose need passes the threshold proposes a project",
        source="calibrated: S4, 101 of about 240 units applied",
    )
    leader_boost: float = ratio(
        1.0,
        "Extra proposal chance (relative) where a building head, Party member or committee leads",
        le=20,
        source="S1-S4: Party members lead, residents follow",
    )
    demonstration_boost: float = ratio(
        1.0,
        "Extra proposal chance (relative) for each project of the kind built in the compound",
        le=20,
        source="S4: the first elevators were copied across the community",
    )
    need_threshold: float = share(
        0.5,
        "Share of a scope's households with a positive net benefit needed for a proposal",
        source="calibrated",
    )
    motivation_intercept: float = logit(
        0.5,
        "Intercept b0 of the motivation logit (vote yes, contribute)",
        ge=-10,
        le=10,
        source="calibrated",
    )
    benefit_weight: float = param(
        1.0,
        "Weight of the net benefit, in months of the household's income, in the motivation logit",
        ge=0,
        le=50,
        unit="logit/month of income",
        source="lit: Croson & Marks 2000 (step return)",
    )
    trust_weight: float = logit(
        2.0, "Weight of trust in committees in the motivation logit", source="calibrated"
    )
    free_rider_share: float = share(
        0.3,
        "Share of households who never give voluntarily (b = 0, a = 0)",
        source="lit: Fischbacher, Gaechter & Fehr 2001",
    )
    conditional_cooperator_share: float = share(
        0.5,
        "Share of households who give as their neighbours give (c = a + b E[c])",
        source="lit: Fischbacher, Gaechter & Fehr 2001",
    )
    conditional_base: float = level(
        0.1,
        "Willingness a of a conditional cooperator before anyone has given",
        source="lit: Fischbacher, Gaechter & Fehr 2001",
    )
    indifference_share: float = share(
        0.1,
        "Indifference band of a project, as a share of its scope's mean benefit (before harm) to "
        "a young household: a household whose net benefit lies within it is indifferent, and "
        "only harm beyond it makes a household 'harmed' (compensated, with a veto)",
        source="assumed",
    )
    indifferent_abstain: float = share(
        0.2,
        "Share of indifferent owners taking part in a vote who abstain after all",
        source="lit: calculus of voting (Riker & Ordeshook 1968): no stake, no vote; assumed share",
    )
    indifferent_follow: float = share(
        0.6,
        "Share of indifferent owners who vote as their stairwell unit does (yes with the yes "
        "share of its decided voters)",
        source="S0: the ground floor, spared by the mini elevator, consented with its "
        "stairwell after door-to-door visits; assumed share",
    )
    indifferent_no: float = share(
        0.2,
        "Share of indifferent owners who vote no (status-quo bias); the rest decide by motivation",
        source="lit: Samuelson & Zeckhauser 1988 (status-quo bias); assumed share",
    )
    obligation: float = level(
        0.5,
        "Willingness to pay a binding share (flat, stepped) regardless of motivation",
        source="calibrated",
    )
    attention: float = weekly_rate(
        0.3,
        "Weekly chance that a household attends to a campaign it has not yet given to",
        source="calibrated",
    )
    liquid_months: float = months(
        3.0,
        "Months of income a household can pay at once (larger asks take longer to gather)",
        gt=0,
        le=240,
        source="calibrated",
    )
    max_contribution_ratio: float = ratio(
        4.0,
        "Most a household gives to a voluntary campaign, in multiples of its ask",
        ge=1,
        le=20,
        source="lit: Croson & Marks 2000",
    )
    valuation_years: float = param(
        10.0,
        "Years of upkeep a household weighs against the benefit",
        ge=0,
        le=100,
        unit="years",
        source="calibrated",
    )
    success_trust_weight: float = count(
        3.0,
        "Good events' worth of trust a completed project gives its own households",
        le=50,
        of="events",
        source="S4: visible results",
    )
    failure_trust_weight: float = count(
        1.0,
        "Bad events' worth of trust a failed vote or campaign costs its households",
        le=50,
        of="events",
        source="calibrated",
    )
    efficacy_gain: float = gap_share(
        0.1,
        "Share of the gap to 1 by which a completed project raises support in its compound and "
        "among the households tied to it",
        source="S4: success replicated to other compounds",
    )
    efficacy_loss: float = share(
        0.05, "Share by which a failure lowers the support of its households", source="calibrated"
    )
    opposition_dispute_chance: float = probability(
        0.3,
        "Chance that a harmed household outvoted on a project raises a dispute",
        source="S0: low floors strongly opposed",
    )
    opposition_grievance: float = grievance(
        1.0, "Grievance a harmed household gains when outvoted", le=10, source="calibrated"
    )

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        names = [kind.name for kind in self.kinds]
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise ValueError(f"kind names must be unique; repeated: {', '.join(repeated)}")
        if self.free_rider_share + self.conditional_cooperator_share > 1:
            raise ValueError("free_rider_share + conditional_cooperator_share must not exceed 1")
        if self.indifferent_abstain + self.indifferent_follow + self.indifferent_no > 1 + 1e-9:
            raise ValueError(
                "indifferent_abstain + indifferent_follow + indifferent_no must not exceed 1"
            )
        return self


def structure_problem(spec: Crowdfunding, floors_max: int) -> tuple[str, str, str] | None:
    """(field, problem, allowed) where a kind's floor weights do not cover the tallest building."""
    if not spec.enabled:
        return None
    for i, kind in enumerate(spec.kinds):
        if kind.floor_weights and len(kind.floor_weights) < floors_max:
            return (
                f"mechanisms.crowdfunding.kinds.{i}.floor_weights",
                f"{len(kind.floor_weights)} weights for buildings of up to {floors_max} floors",
                f"one weight per floor: at least {floors_max} (structure.floors_max)",
            )
    return None
