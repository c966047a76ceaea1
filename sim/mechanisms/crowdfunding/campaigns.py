"""One week of every open campaign at once: the contributions rules over all their flats.

The campaigns running at the start of a week are laid end to end (a flat of two campaigns
appears twice), so that motivation, willingness, readiness and the gifts of every household in
every campaign are one pass of array operations; each campaign's visible progress is what it
had raised at the start of the week. Benefits are read from each campaign's values by age,
fixed at its proposal, for the household now in each flat.
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.mechanisms.crowdfunding.contributions import readiness, voluntary_gift, willingness
from sim.mechanisms.crowdfunding.projects import Project, benefit_by_age, net_benefit
from sim.mechanisms.crowdfunding.valuation import motivation

if TYPE_CHECKING:
    from sim.mechanisms.crowdfunding.mechanism import Crowdfunding


@dataclass
class Ledger:
    """The campaigns' flats end to end: `owner[j]` is the campaign of entry j."""

    projects: list[Project]
    starts: np.ndarray
    owner: np.ndarray
    flats: np.ndarray

    @classmethod
    def of(cls, projects: list[Project]) -> "Ledger":
        sizes = np.fromiter((p.flats.size for p in projects), dtype=np.int64, count=len(projects))
        starts = np.concatenate(([0], np.cumsum(sizes)))
        owner = np.repeat(np.arange(len(projects)), sizes)
        return cls(projects, starts, owner, np.concatenate([p.flats for p in projects]))

    def joined(self, attribute: str) -> np.ndarray:
        """One per-flat attribute of every campaign, end to end."""
        return np.concatenate([getattr(p, attribute) for p in self.projects])

    def per_campaign(self, values: np.ndarray) -> np.ndarray:
        """Sum of an integer per-flat array within each campaign (exact)."""
        return np.add.reduceat(values, self.starts[:-1]) if values.size else values

    def scatter(self, attribute: str, values: np.ndarray) -> None:
        """Write a per-flat array back into each campaign's own array."""
        for index, project in enumerate(self.projects):
            getattr(project, attribute)[:] = values[self.starts[index] : self.starts[index + 1]]


def valuation(funding: "Crowdfunding", ledger: Ledger) -> tuple[np.ndarray, np.ndarray]:
    """Benefit and net benefit of the households now in every campaign's flats.

    A campaign where a household has moved in since it last valued its flats keeps the new
    values, so that its records show the household living there.
    """
    hh = funding.model.households
    flats = ledger.flats
    elderly = hh.is_elderly[flats]
    benefit = benefit_by_age(
        elderly, ledger.joined("benefit_young"), ledger.joined("benefit_elderly")
    )
    net = net_benefit(
        benefit,
        ledger.joined("compensation_yuan"),
        ledger.joined("ask_yuan"),
        ledger.joined("upkeep"),
    )
    ids = hh.household_id[flats]
    moved = np.flatnonzero(ids != ledger.joined("valued_for"))
    for index in np.unique(ledger.owner[moved]).tolist():
        project = ledger.projects[index]
        start, end = ledger.starts[index], ledger.starts[index + 1]
        project.revalue(elderly[start:end], ids[start:end])
    return benefit, net


def campaign_week(funding: "Crowdfunding", projects: list[Project]) -> list[tuple[Project, int]]:
    """Households of every campaign give this week; return each campaign with what it has
    raised in all (fen)."""
    if not projects:
        return []
    model, spec = funding.model, funding.spec
    hh = model.households
    ledger = Ledger.of(projects)
    benefit, net = valuation(funding, ledger)
    flats, owner = ledger.flats, ledger.owner
    chance = motivation(net, hh.income[flats], hh.trust_committee[flats], spec)
    types = funding.cooperation_types(flats)
    ledger.scatter("cooperation", types)
    target = np.fromiter((p.target_fen for p in projects), dtype=np.int64, count=len(projects))
    paid = ledger.joined("paid_fen")
    raised = ledger.per_campaign(paid)
    progress = np.minimum(1.0, raised / np.maximum(target, 1))
    binding = np.fromiter((p.binding for p in projects), dtype=bool, count=len(projects))
    will = willingness(
        types,
        hh.is_party[flats],
        chance,
        progress[owner],
        hh.trust_committee[flats],
        spec,
        binding[owner],
    )
    ask = ledger.joined("ask_fen")
    given = ledger.joined("given")
    ready = readiness(ask, hh.income[flats], spec)
    gives = ~given & (ask > 0) & (model.rng.random(flats.size) < ready * will)
    gift = voluntary_gift(ask, benefit, chance, spec)
    amount = np.where(binding[owner], ask, gift)
    paid = np.where(gives, amount, paid)
    ledger.scatter("paid_fen", paid)
    ledger.scatter("given", given | gives)
    return list(zip(projects, ledger.per_campaign(paid).tolist(), strict=True))
