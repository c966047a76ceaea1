"""Every colour of the app and every household state it can show, in one table each.

A household state the building and network views can colour by is one entry in
`HOUSEHOLD_STATES`: either categories (a code per household, a label and colour per code) or a
scale (a value in [0, 1] per household, drawn with a colour ramp). Adding a state is adding one
entry.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from matplotlib.colors import LinearSegmentedColormap, to_rgba

from sim.mechanisms.crowdfunding.effects import opposing_flats
from sim.state import FIRM, SELF_MANAGED, UNMANAGED

if TYPE_CHECKING:
    from sim.model import CommunityModel

#: Background of the views, and the colour of households a state does not apply to.
BACKGROUND = "#ffffff"
NOT_APPLICABLE = "#d9d9d9"
INK = "#333333"
#: How a Party member's flat is marked in both views.
PARTY_MARK = "#b3001b"
#: Colours of the strip under each compound: who manages it.
MANAGERS: dict[int, tuple[str, str]] = {
    FIRM: ("property firm", "#4c72b0"),
    SELF_MANAGED: ("self-managed", "#55a868"),
    UNMANAGED: ("nobody", "#bbbbbb"),
}
#: Ties in the network view: inside a compound, and across compounds.
TIE_INSIDE = "#8c8c8c"
TIE_ACROSS = "#4c72b0"


@dataclass(frozen=True)
class Categories:
    """A household state with a few categories: `classify` gives each household a code."""

    label: str
    classify: Callable[["CommunityModel"], np.ndarray]
    categories: tuple[tuple[str, str], ...]  # (label, colour) per code

    def rgba(self, model: "CommunityModel") -> np.ndarray:
        """RGBA colour (n, 4) of each household."""
        palette = np.array([to_rgba(colour) for _, colour in self.categories])
        return palette[self.classify(model)]

    def legend(self, model: "CommunityModel") -> list[tuple[str, str, int]]:
        """(label, colour, households) per category."""
        counts = np.bincount(self.classify(model), minlength=len(self.categories))
        return [(lab, col, int(k)) for (lab, col), k in zip(self.categories, counts, strict=True)]


@dataclass(frozen=True)
class Scale:
    """A household state in [0, 1], drawn on a colour ramp from `low` to `high`.

    `applies` (optional) masks the households the state makes sense for; the rest are grey.
    """

    label: str
    value: Callable[["CommunityModel"], np.ndarray]
    ramp: tuple[str, ...]
    low: str
    high: str
    applies: Callable[["CommunityModel"], np.ndarray] | None = None
    not_applicable: str = ""

    @property
    def colormap(self) -> LinearSegmentedColormap:
        """The colour ramp as a matplotlib colormap."""
        return LinearSegmentedColormap.from_list(self.label, list(self.ramp))

    def rgba(self, model: "CommunityModel") -> np.ndarray:
        """RGBA colour (n, 4) of each household."""
        colours = self.colormap(np.clip(self.value(model), 0.0, 1.0))
        if self.applies is not None:
            colours[~self.applies(model)] = to_rgba(NOT_APPLICABLE)
        return colours

    def mean(self, model: "CommunityModel") -> float:
        """Mean over the households the state applies to (nan when none)."""
        values = self.value(model)
        if self.applies is not None:
            values = values[self.applies(model)]
        return float(values.mean()) if values.size else float("nan")

    def css_gradient(self) -> str:
        """The ramp as a CSS linear-gradient, for the legend."""
        return f"linear-gradient(to right, {', '.join(self.ramp)})"


def fee_status(model: "CommunityModel") -> np.ndarray:
    """0 not billed, 1 did not pay the latest bill, 2 paid it."""
    billed = model.last_billing.billed
    return np.where(billed, 1 + model.households.paid_last.astype(np.int64), 0)


def served_by_firm(model: "CommunityModel") -> np.ndarray:
    """Households in compounds that a firm serves or has served."""
    return model.compounds.had_firm[model.world.compound]


NO_PROJECT, PROJECT_UNDER_WAY, VOTED_FOR, OPPOSES = range(4)


def project_stance(model: "CommunityModel") -> np.ndarray:
    """Where a crowdfunded project is open: 1 no vote (yet), 2 voted for it, 3 opposes it.

    A household opposes a project of its flat when it voted against it (the same household
    that voted, not a newcomer) or holds an open opposition dispute; 0 where no project is open.
    """
    code = np.full(model.world.households, NO_PROJECT, dtype=np.int64)
    funding = model.crowdfunding
    if funding is None:
        return code
    ids = model.households.household_id
    for project in funding.open_projects:
        flats = project.flats
        stance = np.full(flats.size, PROJECT_UNDER_WAY)
        if project.week_voted >= 0:
            voter = project.voted & (ids[flats] == project.household_id)
            stance[voter & project.yes] = VOTED_FOR
            stance[voter & ~project.yes] = OPPOSES
        code[flats] = np.maximum(code[flats], stance)
    code[opposing_flats(model)] = OPPOSES
    return code


TRUST_RAMP = ("#c0392b", "#f4d03f", "#1e8449")

#: The states a user can colour households by, in the order of the selector.
HOUSEHOLD_STATES: dict[str, Categories | Scale] = {
    "pays_fees": Categories(
        "Pays fees",
        fee_status,
        (("not billed", NOT_APPLICABLE), ("did not pay", "#e07b39"), ("paid", "#2a9d8f")),
    ),
    "participates": Categories(
        "Participates",
        lambda m: m.households.active.astype(np.int64),
        (("not this week", "#e8e3d3"), ("takes part", "#6a4c93")),
    ),
    "trust_firm": Scale(
        "Trust in the firm",
        lambda m: m.households.trust_firm,
        TRUST_RAMP,
        "distrust",
        "trust",
        applies=served_by_firm,
        not_applicable="never had a firm",
    ),
    "trust_committee": Scale(
        "Trust in committees",
        lambda m: m.households.trust_committee,
        TRUST_RAMP,
        "distrust",
        "trust",
    ),
    "satisfaction": Scale(
        "Satisfaction",
        lambda m: m.households.satisfaction,
        ("#7b3294", "#f7f7f7", "#008837"),
        "dissatisfied",
        "satisfied",
    ),
    "project_stance": Categories(
        "Stance on the open project",
        project_stance,
        (
            ("no project open", NOT_APPLICABLE),
            ("project open, no vote", "#e8e3d3"),
            ("voted for it", "#2a9d8f"),
            ("opposes it", "#d7191c"),
        ),
    ),
    "in_dispute": Categories(
        "In a dispute",
        lambda m: m.households.in_dispute.astype(np.int64),
        (("no open dispute", "#e6eef5"), ("has an open dispute", "#d7191c")),
    ),
}

#: Colours of the time-series lines, by column of the time series.
SERIES_COLOURS: dict[str, str] = {
    "participation_rate": "#6a4c93",
    "volunteer_rate": "#c77dff",
    "fee_collection_rate": "#2a9d8f",
    "fee_collection_rate_by_area": "#8ecae6",
    "service_quality": "#e9c46a",
    "trust_firm": "#4c72b0",
    "trust_committee": "#55a868",
    "satisfaction": "#dd8452",
    "disputes_open": "#d7191c",
    "disputes_resolved": "#2a9d8f",
    "disputes_escalated": "#6d597a",
    "funds_raised": "#e76f51",
    "projects_completed": "#264653",
    "elevators_built": "#8d99ae",
    "points_issued": "#f4a261",
    "points_redeemed": "#2a9d8f",
    "points_outstanding": "#6a4c93",
    "firms_active": MANAGERS[FIRM][1],
    "self_managed_compounds": MANAGERS[SELF_MANAGED][1],
    "firm_exits": "#c44e52",
    "meetings_held": "#4c72b0",
    "proposals_raised": "#dd8452",
    "joint_items_settled": "#55a868",
}
