"""The panel of current numbers: one entry per figure in `INDICATORS`."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.app.states import MANAGERS
from sim.state import FIRM, SELF_MANAGED, UNMANAGED

if TYPE_CHECKING:
    from sim.model import CommunityModel


@dataclass(frozen=True)
class Indicator:
    """A headline figure: its label, its value as text and a line of detail."""

    label: str
    value: Callable[["CommunityModel"], str]
    detail: Callable[["CommunityModel"], str]


def share(part: float, whole: float) -> str:
    """A share as a whole percentage ('-' of nothing)."""
    return f"{part / whole:.0%}" if whole else "-"


def projects_under_way(model: "CommunityModel") -> str:
    """Crowdfunded projects open now, or '-' where crowdfunding has never been on."""
    crowdfunding = model.crowdfunding
    return str(len(crowdfunding.open_projects)) if crowdfunding is not None else "-"


def projects_detail(model: "CommunityModel") -> str:
    """Why there are no projects, or what the number counts."""
    if not model.params.mechanisms.crowdfunding.enabled:
        return "crowdfunding is off in this run"
    return "crowdfunded, from proposal to works"


def managers(model: "CommunityModel") -> str:
    """Compounds by who manages them."""
    counts = np.bincount(model.compounds.manager, minlength=3)
    parts = [f"{counts[code]} {MANAGERS[code][0]}" for code in (FIRM, SELF_MANAGED, UNMANAGED)]
    return " · ".join(parts)


INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "Week",
        lambda m: f"{m.steps}",
        lambda m: f"of {m.params.steps} ({m.params.steps / 52:.0f} years)",
    ),
    Indicator(
        "Households taking part",
        lambda m: f"{int(m.households.active.sum()):,}",
        lambda m: (
            f"{share(m.households.active.sum(), m.world.households)} of {m.world.households:,}"
        ),
    ),
    Indicator(
        "Fee collection",
        lambda m: f"{m.last_billing.collection_rate:.0%}",
        lambda m: f"of {int(m.last_billing.billed.sum()):,} households billed last month",
    ),
    Indicator(
        "Open disputes",
        lambda m: f"{m.disputes.open_count():,}",
        lambda m: f"{len(m.disputes):,} raised so far",
    ),
    Indicator("Projects under way", projects_under_way, projects_detail),
    Indicator("Compounds", lambda m: f"{m.world.compounds}", managers),
)
