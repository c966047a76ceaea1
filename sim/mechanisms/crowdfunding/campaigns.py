"""One week of every open campaign at once: the contributions rules over all their flats.

The campaigns running at the start of a week are laid end to end in a ledger kept from week to
week (a flat of two campaigns appears twice; only arriving and leaving campaigns change it), so
that motivation, willingness, readiness and the gifts of every household in
every campaign are one pass of array operations; each campaign's visible progress is what it
had raised at the start of the week. Without money back, a household weighs the ask it would
lose if the campaign failed (contributions.risk_of_loss) against its net benefit. Benefits are read from each campaign's values by age,
fixed at its proposal, for the household now in each flat.
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
from sim.mechanisms.crowdfunding.projects import Project, benefit_by_age, net_benefit
from sim.mechanisms.crowdfunding.valuation import motivation
from sim.world.structure import expand_ranges

if TYPE_CHECKING:
    from sim.mechanisms.crowdfunding.mechanism import Crowdfunding
    from sim.state import HouseholdState


class Ledger:
    """Projects' flats end to end, kept from week to week: `owner[j]` is the project of entry j.

    `columns` holds per-flat attributes (`names`) of the projects laid end to end, `scalars`
    per-project ones (read once per project). A project whose `shared` arrays the ledger holds
    reads them from its entries here (`entries_of`) until it leaves, taking back copies.
    """

    def __init__(self, names: tuple[str, ...] = ("flats",), shared: tuple[str, ...] = ()) -> None:
        self.names, self.shared = names, shared
        self.projects: list[Project] = []
        self.ids: list[int] = []
        self.index: dict[int, int] = {}
        self.starts = np.zeros(1, dtype=np.int64)
        self.bounds = [0]
        self.owner = np.zeros(0, dtype=np.int64)
        self.columns: dict[str, np.ndarray] = {}
        self.scalars: dict[str, np.ndarray] = {}

    @classmethod
    def of(cls, projects: list[Project], names: tuple[str, ...] = ("flats",)) -> "Ledger":
        """The flats (and other `names` columns) of `projects`, end to end."""
        ledger = cls(names)
        ledger.hold(projects)
        return ledger

    @property
    def flats(self) -> np.ndarray:
        return self.columns["flats"]

    def hold(self, projects: list[Project]) -> None:
        """Hold `projects` (in this order), reusing the entries of those already here.

        The projects held now, then the arriving ones, form a pool; each column gathers every
        project's entries from it, and each scalar every project's value.
        """
        ids = [p.project_id for p in projects]
        if ids == self.ids:
            return
        place = dict(self.index)  # each project's place in the pool
        arriving = [p for p in projects if p.project_id not in place]
        for project in arriving:
            place[project.project_id] = len(place)
        staying = set(ids)
        self.release([p for p in self.projects if p.project_id not in staying])
        order = np.fromiter((place[i] for i in ids), dtype=np.int64, count=len(ids))
        arriving_sizes = [p.flats.size for p in arriving]
        pool_sizes = np.concatenate((np.diff(self.starts), arriving_sizes)).astype(np.int64)
        pool_starts = np.concatenate(([0], np.cumsum(pool_sizes)))
        sizes = pool_sizes[order]
        gather = expand_ranges(pool_starts[order], sizes)
        self.columns = {name: self.pool(name, arriving)[gather] for name in self.names}
        self.scalars = {
            name: np.concatenate((values, read(arriving, name, values.dtype)))[order]
            for name, values in self.scalars.items()
        }
        if self.shared:
            for project in arriving:
                project.held_by = self
        self.projects, self.ids = projects, ids
        self.index = dict(zip(ids, range(len(ids)), strict=True))
        self.starts = np.concatenate(([0], np.cumsum(sizes)))
        self.bounds = self.starts.tolist()
        self.owner = np.repeat(np.arange(len(projects)), sizes)

    def pool(self, name: str, arriving: list[Project]) -> np.ndarray:
        """A column's entries held now, then the arriving projects' own."""
        held = [self.columns[name]] if self.projects else []
        return np.concatenate([*held, *(getattr(p, name) for p in arriving)])

    def release(self, leaving: list[Project]) -> None:
        """Projects leaving the ledger take copies of their shared arrays."""
        if not self.shared:
            return
        for project in leaving:
            for name in self.shared:
                setattr(project, name, getattr(project, name).copy())
            project.held_by = None

    def entries_of(self, project: Project, name: str) -> np.ndarray:
        """A held project's entries of a column (a view: what is written there is written here)."""
        index = self.index[project.project_id]
        return self.columns[name][self.bounds[index] : self.bounds[index + 1]]

    def per_project(self, values: np.ndarray) -> np.ndarray:
        """Sum of an integer per-flat array within each project (exact)."""
        return np.add.reduceat(values, self.starts[:-1]) if values.size else values

    def each(self, attribute: str, dtype: type) -> np.ndarray:
        """Per project: a fixed scalar attribute (read once per project held)."""
        if attribute not in self.scalars:
            self.scalars[attribute] = read(self.projects, attribute, dtype)
        return self.scalars[attribute]


def read(projects: list[Project], attribute: str, dtype: type) -> np.ndarray:
    """A scalar attribute of each project, as an array."""
    values = (getattr(p, attribute) for p in projects)
    return np.fromiter(values, dtype=dtype, count=len(projects))


#: What valuing a project's flats for the households now living there reads.
VALUATION_COLUMNS = (
    "flats",
    "benefit_young",
    "benefit_elderly",
    "compensation_yuan",
    "ask_yuan",
    "upkeep",
)
CAMPAIGN_COLUMNS = (
    *VALUATION_COLUMNS,
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


def values_now(
    households: "HouseholdState", column: dict[str, np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    """Benefit and net benefit of the households now in projects' flats, from the projects'
    VALUATION_COLUMNS laid end to end (a ledger's columns)."""
    elderly = households.is_elderly[column["flats"]]
    benefit = benefit_by_age(elderly, column["benefit_young"], column["benefit_elderly"])
    net = net_benefit(benefit, column["compensation_yuan"], column["ask_yuan"], column["upkeep"])
    return benefit, net


def valuation(funding: "Crowdfunding", ledger: Ledger) -> tuple[np.ndarray, np.ndarray]:
    """Benefit and net benefit of the households now in every campaign's flats.

    A campaign where a household has moved in since it last valued its flats keeps the new
    values, so that its records show the household living there.
    """
    hh = funding.model.households
    column = ledger.columns
    benefit, net = values_now(hh, column)
    ids = hh.household_id[column["flats"]]
    moved = np.flatnonzero(ids != column["valued_for"])
    if moved.size:
        bounds = ledger.bounds
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
    income, trust = hh.income[flats], hh.trust_committee[flats]
    paid = column["paid_fen"]
    raised = ledger.per_project(paid)
    progress = np.minimum(1.0, raised / np.maximum(ledger.each("target_fen", np.int64), 1))
    at_risk = ~ledger.each("money_back", bool)[owner]
    net = net - at_risk * risk_of_loss(progress[owner], trust) * column["ask_yuan"]
    chance = motivation(net, income, trust, spec)
    types = funding.cooperation_types(flats)
    column["cooperation"][:] = types
    binding = ledger.each("binding", bool)[owner]
    will = willingness(
        types,
        hh.is_party[flats],
        chance,
        progress[owner],
        trust,
        spec,
        binding,
    )
    ask, given = column["ask_fen"], column["given"]
    ready = readiness(ask, income, spec)
    gives = ~given & (ask > 0) & (model.rng.random(flats.size) < ready * will)
    gift = voluntary_gift(ask, benefit, chance, spec)
    np.copyto(paid, np.where(binding, ask, gift), where=gives)
    given |= gives
    return ledger.per_project(paid)


def rebates(ledger: Ledger, funded: np.ndarray, excess_fen: np.ndarray) -> dict[int, np.ndarray]:
    """Per campaign of the ledger `funded` (indices): its excess over the target (`excess_fen`,
    per campaign) returned pro rata to what each household gave."""
    if not funded.size:
        return {}
    starts = ledger.starts[funded]
    sizes = ledger.starts[funded + 1] - starts
    paid = ledger.columns["paid_fen"][expand_ranges(starts, sizes)]
    offsets = np.concatenate(([0], np.cumsum(sizes)))
    parts = rebate_pro_rata(paid, excess_fen[funded], offsets)
    bounds = offsets.tolist()
    return {index: parts[bounds[k] : bounds[k + 1]] for k, index in enumerate(funded.tolist())}
