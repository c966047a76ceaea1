"""One week of every open campaign at once: the contributions rules over all their flats.

The entries of the campaigns running at the start of a week are read from the project book's
columns, laid end to end (a flat of two campaigns appears twice), so that motivation,
willingness, readiness and the gifts of every household in every campaign are one pass of array
operations, written back to the book; each campaign's visible progress is what it had raised at
the start of the week. Without money back, a household weighs the ask it would lose if the
campaign failed (contributions.risk_of_loss) against its net benefit. Benefits are read from
each campaign's values by age, fixed at its proposal, for the household now in each flat.
"""

from typing import TYPE_CHECKING

import numpy as np

from sim.mechanisms.crowdfunding.contributions import (
    readiness,
    rebate_pro_rata,
    risk_of_loss,
    voluntary_gift,
    willingness,
)
from sim.mechanisms.crowdfunding.projects import Spans, benefit_by_age, net_benefit
from sim.mechanisms.crowdfunding.valuation import motivation
from sim.world.structure import expand_ranges

if TYPE_CHECKING:
    from sim.mechanisms.crowdfunding.mechanism import Crowdfunding
    from sim.state import HouseholdState


#: What valuing a project's flats for the households now living there reads.
VALUATION_COLUMNS = (
    "flats",
    "benefit_young",
    "benefit_elderly",
    "compensation_yuan",
    "ask_yuan",
    "upkeep",
)


def values_now(
    households: "HouseholdState", column: dict[str, np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    """Benefit and net benefit of the households now in projects' flats, from the projects'
    VALUATION_COLUMNS laid end to end."""
    elderly = households.is_elderly[column["flats"]]
    benefit = benefit_by_age(elderly, column["benefit_young"], column["benefit_elderly"])
    net = net_benefit(benefit, column["compensation_yuan"], column["ask_yuan"], column["upkeep"])
    return benefit, net


def valuation(funding: "Crowdfunding", spans: Spans) -> tuple[np.ndarray, np.ndarray]:
    """Benefit and net benefit of the households now in every campaign's flats.

    A campaign where a household has moved in since it last valued its flats keeps the new
    values, so that its records show the household living there.
    """
    hh, entries = funding.model.households, funding.book.entries
    column = {name: entries[name][spans.index] for name in VALUATION_COLUMNS}
    benefit, net = values_now(hh, column)
    ids = hh.household_id[column["flats"]]
    moved = ids != entries["valued_for"][spans.index]
    if moved.any():
        keep = spans.any_per_project(moved)[spans.owner]
        at = spans.index[keep]
        entries["benefit"][at], entries["net"][at] = benefit[keep], net[keep]
        entries["valued_for"][at] = ids[keep]
    return benefit, net


def campaign_week(funding: "Crowdfunding", rows: np.ndarray, spans: Spans) -> np.ndarray:
    """Households of every campaign (`rows` of the book, their entries `spans`) give this week;
    return what each campaign has raised in all (fen).

    Draws: the cooperation types of households meeting a campaign for the first time, then one
    uniform per entry (used by those asked who have not given yet).
    """
    if not rows.size:
        return np.zeros(0, dtype=np.int64)
    model, spec, book = funding.model, funding.spec, funding.book
    hh, entries, at = model.households, book.entries, spans.index
    benefit, net = valuation(funding, spans)
    flats = entries["flats"][at]
    paid = entries["paid_fen"][at]
    raised = spans.per_project(paid)
    progress = np.minimum(1.0, raised / np.maximum(book.column("target_fen", rows), 1))
    types = funding.cooperation_types(flats)
    entries["cooperation"][at] = types
    draw = model.rng.random(flats.size)
    ask = entries["ask_fen"][at]
    asked = np.flatnonzero(~entries["given"][at] & (ask > 0))  # who may give this week
    flats, owner, ask = flats[asked], spans.owner[asked], ask[asked]
    income, trust = hh.income[flats], hh.trust_committee[flats]
    at_risk = ~book.column("money_back", rows)[owner]
    net = (
        net[asked] - at_risk * risk_of_loss(progress[owner], trust) * entries["ask_yuan"][at[asked]]
    )
    chance = motivation(net, income, trust, spec)
    binding = book.column("binding", rows)[owner]
    will = willingness(
        types[asked],
        hh.is_party[flats],
        chance,
        progress[owner],
        trust,
        spec,
        binding,
    )
    gives = draw[asked] < readiness(ask, income, spec) * will
    gift = np.where(binding, ask, voluntary_gift(ask, benefit[asked], chance, spec))
    givers = asked[gives]
    paid[givers] = gift[gives]
    entries["paid_fen"][at[givers]] = gift[gives]
    entries["given"][at[givers]] = True
    return spans.per_project(paid)


def rebates(
    funding: "Crowdfunding", spans: Spans, funded: np.ndarray, excess_fen: np.ndarray
) -> dict[int, np.ndarray]:
    """Per campaign `funded` (positions in `spans`): its excess over the target (`excess_fen`,
    per campaign) returned pro rata to what each household gave."""
    if not funded.size:
        return {}
    starts = spans.starts[funded]
    sizes = spans.starts[funded + 1] - starts
    paid = funding.book.entries["paid_fen"][spans.index[expand_ranges(starts, sizes)]]
    offsets = np.concatenate(([0], np.cumsum(sizes)))
    parts = rebate_pro_rata(paid, excess_fen[funded], offsets)
    bounds = offsets.tolist()
    return {index: parts[bounds[k] : bounds[k + 1]] for k, index in enumerate(funded.tolist())}
