"""One week of every open campaign at once: the contributions rules over all their flats.

The campaigns running at the start of a week are laid end to end in a ledger kept from week to
week (a flat of two campaigns appears twice; only arriving and leaving campaigns change it), so
that motivation, willingness, readiness and the gifts of every household in
every campaign are one pass of array operations; each campaign's visible progress is what it
had raised at the start of the week. Benefits are read from each campaign's values by age,
fixed at its proposal, for the household now in each flat.
"""

from typing import TYPE_CHECKING

import numpy as np

from sim.mechanisms.crowdfunding.contributions import readiness, voluntary_gift, willingness
from sim.mechanisms.crowdfunding.projects import Project, benefit_by_age, net_benefit
from sim.mechanisms.crowdfunding.valuation import motivation

if TYPE_CHECKING:
    from sim.mechanisms.crowdfunding.mechanism import Crowdfunding


class Ledger:
    """Projects' flats end to end, kept from week to week: `owner[j]` is the project of entry j.

    `columns` holds per-flat attributes (`names`) of the projects laid end to end. For the
    `shared` ones each project's own array is a view of its entries, so that what is written
    here is written there; a project that leaves the ledger takes back arrays of its own.
    """

    def __init__(self, names: tuple[str, ...] = ("flats",), shared: tuple[str, ...] = ()) -> None:
        self.names, self.shared = names, shared
        self.projects: list[Project] = []
        self.starts = np.zeros(1, dtype=np.int64)
        self.owner = np.zeros(0, dtype=np.int64)
        self.columns: dict[str, np.ndarray] = {}
        self.scalars: dict[str, np.ndarray] = {}

    @classmethod
    def of(cls, projects: list[Project]) -> "Ledger":
        """The flats of `projects`, end to end."""
        ledger = cls()
        ledger.hold(projects)
        return ledger

    @property
    def flats(self) -> np.ndarray:
        return self.columns["flats"]

    def hold(self, projects: list[Project]) -> None:
        """Hold `projects` (in this order), reusing the entries of those already here.

        The entries of the projects held now, then those of the arriving ones, form a pool;
        each column gathers every project's entries from it.
        """
        ids = [p.project_id for p in projects]
        if ids == [p.project_id for p in self.projects]:
            return
        held = (p.project_id for p in self.projects)
        in_pool = dict(zip(held, self.starts[:-1].tolist(), strict=True))
        arriving = [p for p in projects if p.project_id not in in_pool]
        end = int(self.starts[-1])
        for project in arriving:
            in_pool[project.project_id], end = end, end + project.flats.size
        self.release(set(in_pool) - set(ids))
        sizes = np.fromiter((p.flats.size for p in projects), dtype=np.int64, count=len(projects))
        starts = np.concatenate(([0], np.cumsum(sizes)))
        found = np.fromiter((in_pool[i] for i in ids), dtype=np.int64, count=len(ids))
        gather = np.repeat(found - starts[:-1], sizes) + np.arange(starts[-1])
        self.columns = {name: self.pool(name, arriving)[gather] for name in self.names}
        self.projects, self.starts = projects, starts
        self.owner = np.repeat(np.arange(len(projects)), sizes)
        self.scalars: dict[str, np.ndarray] = {}
        bounds = starts.tolist()
        for index, project in enumerate(projects):
            for name in self.shared:
                setattr(project, name, self.columns[name][bounds[index] : bounds[index + 1]])

    def pool(self, name: str, arriving: list[Project]) -> np.ndarray:
        """A column's entries held now, then the arriving projects' own."""
        held = [self.columns[name]] if self.projects else []
        return np.concatenate([*held, *(getattr(p, name) for p in arriving)])

    def release(self, leaving: set[int]) -> None:
        """Projects leaving the ledger take copies of their shared arrays."""
        for project in self.projects:
            if project.project_id in leaving:
                for name in self.shared:
                    setattr(project, name, getattr(project, name).copy())

    def per_project(self, values: np.ndarray) -> np.ndarray:
        """Sum of an integer per-flat array within each project (exact)."""
        return np.add.reduceat(values, self.starts[:-1]) if values.size else values

    def each(self, attribute: str, dtype: type) -> np.ndarray:
        """Per project: a fixed scalar attribute (read once for the projects held)."""
        if attribute not in self.scalars:
            values = (getattr(p, attribute) for p in self.projects)
            self.scalars[attribute] = np.fromiter(values, dtype=dtype, count=len(self.projects))
        return self.scalars[attribute]


CAMPAIGN_COLUMNS = (
    "flats",
    "benefit_young",
    "benefit_elderly",
    "compensation_yuan",
    "ask_yuan",
    "upkeep",
    "ask_fen",
    "valued_for",
    "cooperation",
    "paid_fen",
    "given",
)
CAMPAIGN_SHARED = ("cooperation", "paid_fen", "given")


def campaign_ledger() -> Ledger:
    """An empty ledger of campaigns: what a week of giving reads, and what it writes back."""
    return Ledger(CAMPAIGN_COLUMNS, CAMPAIGN_SHARED)


def valuation(funding: "Crowdfunding", ledger: Ledger) -> tuple[np.ndarray, np.ndarray]:
    """Benefit and net benefit of the households now in every campaign's flats.

    A campaign where a household has moved in since it last valued its flats keeps the new
    values, so that its records show the household living there.
    """
    hh = funding.model.households
    column = ledger.columns
    flats = column["flats"]
    elderly = hh.is_elderly[flats]
    benefit = benefit_by_age(elderly, column["benefit_young"], column["benefit_elderly"])
    net = net_benefit(benefit, column["compensation_yuan"], column["ask_yuan"], column["upkeep"])
    ids = hh.household_id[flats]
    moved = np.flatnonzero(ids != column["valued_for"])
    if moved.size:
        bounds = ledger.starts.tolist()
        for index in np.unique(ledger.owner[moved]).tolist():
            start, end = bounds[index], bounds[index + 1]
            ledger.projects[index].keep_values(benefit[start:end], net[start:end], ids[start:end])
        column["valued_for"] = ids
    return benefit, net


def campaign_week(funding: "Crowdfunding", ledger: Ledger) -> np.ndarray:
    """Households of every campaign in the ledger give this week; return what each campaign
    has raised in all (fen)."""
    if not ledger.projects:
        return np.zeros(0, dtype=np.int64)
    model, spec = funding.model, funding.spec
    hh = model.households
    benefit, net = valuation(funding, ledger)
    column, owner = ledger.columns, ledger.owner
    flats = column["flats"]
    chance = motivation(net, hh.income[flats], hh.trust_committee[flats], spec)
    types = funding.cooperation_types(flats)
    column["cooperation"][:] = types
    paid = column["paid_fen"]
    raised = ledger.per_project(paid)
    progress = np.minimum(1.0, raised / np.maximum(ledger.each("target_fen", np.int64), 1))
    binding = ledger.each("binding", bool)[owner]
    will = willingness(
        types,
        hh.is_party[flats],
        chance,
        progress[owner],
        hh.trust_committee[flats],
        spec,
        binding,
    )
    ask, given = column["ask_fen"], column["given"]
    ready = readiness(ask, hh.income[flats], spec)
    gives = ~given & (ask > 0) & (model.rng.random(flats.size) < ready * will)
    gift = voluntary_gift(ask, benefit, chance, spec)
    np.copyto(paid, np.where(binding, ask, gift), where=gives)
    given |= gives
    return ledger.per_project(paid)
