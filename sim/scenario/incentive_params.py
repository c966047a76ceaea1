"""Parameters of volunteering and of the participation incentives (part of the scenario schema)."""

from typing import Literal

from sim.scenario.mechanism_params import Mechanism
from sim.scenario.params import (
    Section,
    choice,
    count,
    drive,
    level,
    monthly_rate,
    param,
    probability,
    share,
    week_number,
    weekly_rate,
    weeks,
    weight,
    yuan,
)


class Volunteering(Section):
    """Who volunteers among the active, and the volunteer teams that keep members active."""

    base_rate: float = weekly_rate(
        0.4,
        "Chance an active household volunteers, per unit of intrinsic motivation",
        source="calibrated",
    )
    hours_per_week: float = param(
        3.0,
        "Hours a volunteering household gives in a week",
        ge=0,
        le=60,
        unit="hours",
        source="S4: time-bank passbooks",
    )
    team_minimum: int = count(
        4,
        "Volunteers in a building needed to form a volunteer team",
        ge=2,
        le=200,
        of="households",
        source="S0: 30+ former complainers formed a team",
    )
    team_push: float = drive(
        0.1, "Push a team member gets to participate and volunteer", le=1, source="calibrated"
    )
    drift_weeks: int = weeks(
        8,
        "Weeks inactive after which a member drifts out of its team",
        ge=1,
        le=104,
        source="calibrated",
    )


class Points(Mechanism):
    """Points and time bank: earned for volunteering, duties and donations, redeemed at a shop."""

    points_per_hour: float = param(
        1.0, "Points per volunteer hour", ge=0, le=1000, unit="points/hour", source="S4: time bank"
    )
    duty_points: float = param(
        5.0,
        "Points a week for an active building head or central household on duty",
        ge=0,
        le=1000,
        unit="points/week",
        source="S4: building-head shifts, patrols",
    )
    donation_chance: float = weekly_rate(
        0.01, "Weekly chance an active household donates", source="S4: donations earn points"
    )
    donation_amount: float = yuan(
        50.0, "Yuan a donation gives (earning as many points)", le=10000, source="S4"
    )
    point_value: float = yuan(
        1.0,
        "Yuan a point buys at the shop",
        gt=0,
        le=100,
        per="point",
        source="S4: 1 point = 1 yuan",
    )
    budget_per_household_month: float = yuan(
        5.0,
        "Monthly shop budget per household, funded by the community",
        le=1000,
        per="month",
        source="S0: public income (solar) funds the shop",
    )
    redeem_chance: float = monthly_rate(
        0.3, "Monthly chance a household with points redeems them", source="S4: love supermarket"
    )
    expiry_weeks: int = weeks(
        0,
        "Weeks without earning or redeeming after which a balance expires (0: never)",
        le=5200,
        source="-",
    )
    pull: float = drive(
        0.15,
        "Participation and volunteering pull of points on a household with no intrinsic motivation (scaled by 1 - m)",
        le=2,
        source="lit: extrinsic rewards bring in the inactive",
    )
    crowding_strength: float = share(
        0.3,
        "Share of intrinsic motivation that money-framed points displace in those who earn them (0: none)",
        source="lit: Frey & Oberholzer-Gee 1997; Deci, Koestner & Ryan 1999 (tangible rewards: "
        "d = -0.34 on later free-choice behaviour); bound: a year after the scheme, participation "
        "at most 1/3 SD below a never-treated community",
    )
    crowding_rate: float = weekly_rate(
        0.03,
        "Weekly rate at which motivation moves toward its crowded-out level",
        source="calibrated",
    )
    recovery_half_life_weeks: float = weeks(
        26.0,
        "Half-life of the crowded-out motivation once the scheme ends: motivation returns toward "
        "its pre-scheme level (0: it never recovers)",
        le=5200,
        source="assumed (no source gives one; the loss outlasts the reward, Gneezy & Rustichini "
        "2000a); keeps the dip a year after within the bound of crowding_strength",
    )


class Recognition(Mechanism):
    """Good-neighbour and model-household awards; complainers engaged personally become leaders."""

    cadence_weeks: int = weeks(
        13, "Weeks between award rounds", ge=1, le=104, source="S4: good-neighbour awards"
    )
    award_share: float = share(
        0.03, "Share of households awarded each round (the most active)", source="S4"
    )
    status_gain: float = drive(
        0.15,
        "Status an award gives (a push to participate that does not crowd out)",
        le=1,
        source="lit: honours do not crowd out (Frey)",
    )
    status_decay: float = weekly_rate(0.01, "Weekly decay of status", source="calibrated")
    aspiration: float = drive(
        0.15,
        "Pull of being recognised on a household with no intrinsic motivation (scaled by 1 - m)",
        le=2,
        source="lit: honours as status motivation (Frey & Neckermann 2008)",
    )
    complainer_threshold: float = count(
        1.0,
        "Recent complaints that make a household a frequent complainer",
        le=100,
        of="complaints",
        source="S0",
    )
    engage_chance: float = probability(
        0.3,
        "Chance per round that a Party member engages a frequent complainer in its building personally",
        source="S0: the serial complainer engaged personally",
    )
    conversion_chance: float = probability(
        0.3,
        "Chance an engaged complainer becomes a volunteer leader",
        source="S0: 30+ complainers formed a volunteer team",
    )
    leader_push: float = drive(
        0.1, "Push each active volunteer leader gives its network neighbours", le=1, source="S0"
    )


class PilotFirst(Mechanism):
    """A practice (e.g. rooftop solar) adopted unit by unit, starting with pilot units.

    S0 tells one compound: the units with the best support went first, the others followed,
    and 8 units had solar roofs within 3 months. It gives no count of pilots, no timing of the
    steps and no failure; those are assumed, set so that in a compound of typical size (about 8
    units) half the units or more have adopted 3 months after the pilot in the median run.
    """

    start_week: int = week_number(1, "Week the pilots start", ge=1, source="S0")
    pilot_units: int = count(
        1,
        "Stairwell units piloted at each attempt (the community's most supportive)",
        ge=1,
        le=100000,
        of="units",
        source="S0: 'the units with the best support went first' (how many not said); assumed",
    )
    seeding: Literal["most_support", "random"] = choice(
        "most_support",
        "Pilot in the units with most support (pilot first) or in random units (for comparison)",
        source="S0",
    )
    pilot_attempts: int = count(
        3,
        "Pilot attempts at most: after a failed attempt the next most supportive units pilot",
        ge=1,
        le=100,
        of="attempts",
        source="assumed",
    )
    retry_weeks: int = weeks(
        8,
        "Weeks the organisers wait after the last pilot of an attempt failed before the next",
        le=520,
        source="assumed",
    )
    success_weeks: int = weeks(
        3,
        "Weeks until an adopting unit shows whether the practice works",
        ge=1,
        le=520,
        source="assumed: a few weeks of use (S0: 8 units within 3 months leaves little more)",
    )
    success_midpoint: float = level(
        0.35,
        "Unit support at which a practice is as likely to work as to fail there",
        source="S0: the practice went first where residents backed it; assumed: at the mean support",
    )
    influence: float = weekly_rate(
        0.15,
        "Weekly support gain per unit share of network neighbours in successful units",
        source="lit: Centola & Macy 2007",
    )
    visibility: float = weight(
        0.5,
        "Weight of the compound's successful units in a household's exposure (seen, not told)",
        le=5,
        source="S0: solar roofs are visible",
    )
    word_of_mouth: float = weight(
        0.5,
        "Weight of the community-wide share of successful units in a household's exposure",
        le=5,
        source="S0: the public income of the first roofs was talked about",
    )
    failure_penalty: float = share(
        0.1, "Support lost by neighbours of a unit whose practice failed", source="calibrated"
    )
    adoption_threshold: float = param(
        0.25,
        "Mean of the units' thresholds: the weighted share of neighbouring units where the practice works that a unit needs",
        ge=-1,
        le=2,
        unit="share",
        source="lit: Granovetter 1978, Watts 2002; value assumed",
    )
    threshold_sd: float = param(
        0.2,
        "Standard deviation of the units' thresholds (normal, as in Granovetter's model)",
        ge=0,
        le=2,
        unit="share",
        source="lit: Granovetter 1978; value assumed",
    )
    holdout_share: float = share(
        0.1,
        "Share of units whose residents never adopt, whatever they see (a threshold above 100%)",
        source="lit: Granovetter 1978 (thresholds of 100%); value assumed (S0 names none)",
    )
    adoption_rate: float = weekly_rate(
        1.0,
        "Weekly chance that a fully supportive unit past its threshold adopts",
        source="assumed: S0's followers adopted within 3 months",
    )
    building_weight: float = weight(
        1.0,
        "Weight of the other units of a unit's building among the examples it sees",
        le=100,
        source="assumed: a unit's building mates also count in its compound, so are seen first",
    )
    compound_weight: float = weight(
        2.0,
        "Weight of the other units of a unit's compound among the examples it sees",
        le=100,
        source="S0: solar roofs are visible across the compound; value assumed",
    )
    tie_weight: float = weight(
        1.0,
        "Weight of its households' ties to households of working units among the examples a unit sees",
        le=100,
        source="lit: Centola & Macy 2007; value assumed",
    )
    community_weight: float = weight(
        1.0,
        "Weight of the community's share of working units among the examples a unit sees",
        le=100,
        source="S0: the public income of the first roofs was talked about; value assumed",
    )
