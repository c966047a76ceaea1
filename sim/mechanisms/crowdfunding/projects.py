"""Public projects and their pipeline: proposed -> qualified -> consent -> fund-raising -> works -> built.

A project fails at the survey (`not_feasible`), at the vote (`no_quorum`, `vetoed`,
`consent_refused`) or in its campaign (`target_missed`). Each project keeps one entry per flat
of its scope: the household's benefit, harm, share (ask), vote, and the money it gave, got back
(refund or rebate) and received (compensation); money is kept in fen. Without money back, the
gifts to a campaign that missed its target are forfeited: counted as paid, nothing refunded.

The records are columns (`ProjectBook`): one row per project, in the order proposed (row r is
project r + 1), and one entry per flat of each project, a project's entries a contiguous range
laid down when it is proposed. A week's work reads and writes the columns of all the projects
at a stage at once; a `Project` is a handle onto one row and its entries.
"""

from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from sim.mechanisms.crowdfunding.contributions import COOPERATION_TYPES
from sim.mechanisms.crowdfunding.valuation import FEN_PER_YUAN
from sim.world.structure import expand_ranges

STAGES = ("proposed", "qualified", "fundraising", "construction", "built", "failed")
PROPOSED, QUALIFIED, FUNDRAISING, CONSTRUCTION, BUILT, FAILED = range(len(STAGES))

NOT_FEASIBLE, NO_QUORUM, VETOED, CONSENT_REFUSED, TARGET_MISSED = (
    "not_feasible",
    "no_quorum",
    "vetoed",
    "consent_refused",
    "target_missed",
)

#: The stage a failed project had reached, by the name recorded in `failed_at`.
REACHED_BY_FAILURE = {"proposed": PROPOSED, "qualified": QUALIFIED, "fundraising": FUNDRAISING}

NEVER = np.iinfo(np.int64).max

#: Per project: (dtype, value until the pipeline fills it in).
PROJECT_FIELDS: dict[str, tuple[Any, Any]] = {
    "kind": (object, None),  # the kind's settings (fixed at the proposal)
    "scope_id": (np.int64, -1),
    "compound": (np.int64, -1),
    "building": (np.int64, -1),
    "unit": (np.int64, -1),
    "proposer": (object, ""),
    "week_proposed": (np.int64, -1),
    "week_qualified": (np.int64, -1),
    "week_voted": (np.int64, -1),
    "week_funded": (np.int64, -1),
    "week_built": (np.int64, -1),
    "week_failed": (np.int64, -1),
    "stage": (np.int64, PROPOSED),
    "failed_at": (object, ""),
    "reason": (object, ""),
    "consent_result": (object, ""),
    "cost_fen": (np.int64, 0),
    "subsidy_fen": (np.int64, 0),
    "target_fen": (np.int64, 0),  # cost less subsidy, plus compensation
    "indifference_yuan": (float, 0.0),  # the indifference band e (fixed at the proposal)
    "aggrieved_households": (np.int64, 0),  # entries aggrieved (fixed at the proposal)
    "money_back": (bool, True),
    "binding": (bool, False),  # shares binding once consented (flat, stepped)
    "due_week": (np.int64, NEVER),  # the week the survey or the vote is due
    "deadline": (np.int64, NEVER),  # the week a campaign short of its target fails
    "build_weeks": (np.int64, 0),
    "build_progress": (np.int64, 0),
    "first_entry": (np.int64, 0),
    "households": (np.int64, 0),  # entries: flats of the scope
}

#: Per flat of each project: (dtype, value until the pipeline fills it in).
ENTRY_FIELDS: dict[str, tuple[Any, Any]] = {
    "flats": (np.int64, -1),
    "floor": (np.int64, 0),
    "area": (float, 0.0),
    "harm": (float, 0.0),  # yuan
    "harmed": (bool, False),  # harm beyond the indifference band
    "aggrieved": (bool, False),  # harmed, and still beyond the band after compensation
    "upkeep": (float, 0.0),  # yuan over the valuation horizon
    "compensation_fen": (np.int64, 0),  # to harmed households
    "ask_fen": (np.int64, 0),  # share of the target (binding) or suggested gift (voluntary)
    "benefit_young": (float, 0.0),  # yuan, after harm, for a young household in the flat
    "benefit_elderly": (float, 0.0),  # the same for an elderly household
    "compensation_yuan": (float, 0.0),
    "ask_yuan": (float, 0.0),
    "benefit": (float, 0.0),  # yuan, after harm, for the household as last valued
    "net": (float, 0.0),  # yuan, as last valued
    "valued_for": (np.int64, -1),  # the household last valued
    "user": (bool, True),  # use profile: whether the household uses it (else everyone)
    "household_id": (np.int64, 0),  # the household that voted
    "elderly": (bool, False),
    "voted": (bool, False),
    "yes": (bool, False),
    "cooperation": (np.int8, -1),
    "paid_fen": (np.int64, 0),  # given to the campaign
    "given": (bool, False),
    "refunded_fen": (np.int64, 0),
    "rebated_fen": (np.int64, 0),
}

PROJECT_COLUMNS = (
    "project_id",
    "kind",
    "elevator",
    "scope",
    "compound",
    "building",
    "unit",
    "households",
    "proposer",
    "stage",
    "failed_at",
    "reason",
    "week_proposed",
    "week_qualified",
    "week_voted",
    "week_funded",
    "week_built",
    "week_failed",
    "weeks_to_target",
    "consent_rule",
    "consent_result",
    "contribution_rule",
    "redesign",
    "cost",
    "subsidy",
    "compensation",
    "target",
    "raised",
    "refunded",
    "forfeited",
    "rebated",
    "contributors",
    "upkeep_per_year",
)

CONTRIBUTION_COLUMNS = (
    "project_id",
    "kind",
    "household_id",
    "flat",
    "floor",
    "elderly",
    "harmed",
    "voted",
    "yes",
    "cooperation",
    "share",
    "contributed",
    "refunded",
    "rebated",
    "paid",
    "compensation",
    "benefit",
    "net_benefit",
)


def benefit_by_age(
    elderly: np.ndarray, benefit_young: np.ndarray, benefit_elderly: np.ndarray
) -> np.ndarray:
    """Each flat's benefit for the household living there, by its age."""
    return np.where(elderly, benefit_elderly, benefit_young)


def net_benefit(
    benefit: np.ndarray, compensation: np.ndarray, ask: np.ndarray, upkeep: np.ndarray
) -> np.ndarray:
    """Benefit plus compensation, less the share and the upkeep weighed (all in yuan)."""
    return benefit + compensation - ask - upkeep


def yuan(fen: int | np.ndarray) -> float | np.ndarray:
    """Fen to yuan (a float for a scalar, an array for an array)."""
    if isinstance(fen, np.ndarray):
        return fen / FEN_PER_YUAN
    return int(fen) / FEN_PER_YUAN


class ColumnTable:
    """Rows appended in blocks to growable numpy columns; `table[name]` is a column's filled
    rows (a view: what is written there is written in the table)."""

    def __init__(self, fields: dict[str, tuple[Any, Any]]) -> None:
        self.fields = fields
        self.size = 0
        self.data = {name: np.empty(0, dtype=dtype) for name, (dtype, _) in fields.items()}

    def __len__(self) -> int:
        return self.size

    def __getitem__(self, name: str) -> np.ndarray:
        return self.data[name][: self.size]

    def append(self, rows: int, **values: Any) -> int:
        """Append `rows` rows, given column by column (an array, or one value for all); the
        columns not given take their blank value. Returns the first new row."""
        unknown = set(values) - set(self.fields)
        if unknown:
            raise KeyError(f"no such columns: {sorted(unknown)}")
        start, end = self.size, self.size + rows
        capacity = next(iter(self.data.values())).size
        if end > capacity:
            capacity = max(end, 2 * capacity, 64)
            for name, (dtype, blank) in self.fields.items():
                grown = np.full(capacity, blank, dtype=dtype)  # rows to come start blank
                grown[:start] = self.data[name][:start]
                self.data[name] = grown
        for name, value in values.items():
            self.data[name][start:end] = value
        self.size = end
        return start


class Spans(NamedTuple):
    """The entries of some projects laid end to end: project k holds positions
    starts[k]:starts[k + 1] of `index` (entry rows); `owner` gives each position's project."""

    index: np.ndarray
    starts: np.ndarray
    owner: np.ndarray

    def per_project(self, values: np.ndarray) -> np.ndarray:
        """Sum of an integer per-position array within each project (exact)."""
        return np.add.reduceat(values, self.starts[:-1]) if values.size else values

    def any_per_project(self, flags: np.ndarray) -> np.ndarray:
        """Per project: whether any of its positions holds `flags`."""
        return np.logical_or.reduceat(flags, self.starts[:-1]) if flags.size else flags


class ProjectBook:
    """Every project proposed: a row of `projects` each, its flats' `entries` end to end."""

    def __init__(self) -> None:
        self.projects = ColumnTable(PROJECT_FIELDS)
        self.entries = ColumnTable(ENTRY_FIELDS)

    def __len__(self) -> int:
        return len(self.projects)

    def open(self, entries: dict[str, np.ndarray], sizes: np.ndarray, **columns: Any) -> np.ndarray:
        """New projects (`sizes[k]` entries each, laid end to end in `entries`); their rows."""
        first = self.entries.append(int(sizes.sum()), **entries)
        starts = first + np.concatenate(([0], np.cumsum(sizes)[:-1])).astype(np.int64)
        row = self.projects.append(sizes.size, first_entry=starts, households=sizes, **columns)
        return np.arange(row, row + sizes.size)

    def column(self, name: str, rows: np.ndarray | int) -> Any:
        """A project column at some rows."""
        return self.projects.data[name][rows]

    def at(self, stage: int) -> np.ndarray:
        """Rows of the projects at a stage, in the order proposed."""
        return np.flatnonzero(self.projects["stage"] == stage)

    def count(self, stage: int) -> int:
        """How many projects are at a stage."""
        return int(np.count_nonzero(self.projects["stage"] == stage))

    def spans(self, rows: np.ndarray) -> Spans:
        """The entries of the projects at `rows`, laid end to end in this order."""
        sizes = self.projects.data["households"][rows]
        index = expand_ranges(self.projects.data["first_entry"][rows], sizes)
        starts = np.concatenate(([0], np.cumsum(sizes))).astype(np.int64)
        return Spans(index, starts, np.repeat(np.arange(rows.size), sizes))

    def entries_of(self, row: int) -> slice:
        """The entries of one project."""
        first = int(self.projects.data["first_entry"][row])
        return slice(first, first + int(self.projects.data["households"][row]))

    def handles(self, rows: np.ndarray | None = None) -> list["Project"]:
        """Handles onto projects (every one, in the order proposed, by default)."""
        rows = range(len(self)) if rows is None else rows.tolist()
        return [Project(self, row) for row in rows]


class ProjectColumn:
    """A project's value in a column of its book (read and written through the handle)."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, project: "Project | None", owner: type | None = None) -> Any:
        if project is None:
            return self
        value = project.book.projects.data[self.name][project.index]
        return value.item() if isinstance(value, np.generic) else value

    def __set__(self, project: "Project", value: Any) -> None:
        project.book.projects.data[self.name][project.index] = value


class EntryColumn:
    """A project's entries of a per-flat column (a view: what is written there is written in
    the book)."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, project: "Project | None", owner: type | None = None) -> Any:
        if project is None:
            return self
        return project.book.entries.data[self.name][project.entries]

    def __set__(self, project: "Project", values: np.ndarray) -> None:
        project.book.entries.data[self.name][project.entries] = values


class Project:
    """A handle onto one project of a book: its row and its flats' entries."""

    __slots__ = ("book", "index", "_entries")

    kind = ProjectColumn()
    scope_id = ProjectColumn()
    compound = ProjectColumn()
    building = ProjectColumn()
    unit = ProjectColumn()
    proposer = ProjectColumn()
    week_proposed = ProjectColumn()
    week_qualified = ProjectColumn()
    week_voted = ProjectColumn()
    week_funded = ProjectColumn()
    week_built = ProjectColumn()
    week_failed = ProjectColumn()
    stage = ProjectColumn()
    failed_at = ProjectColumn()
    reason = ProjectColumn()
    consent_result = ProjectColumn()
    cost_fen = ProjectColumn()
    subsidy_fen = ProjectColumn()
    target_fen = ProjectColumn()
    indifference_yuan = ProjectColumn()
    aggrieved_households = ProjectColumn()
    money_back = ProjectColumn()
    binding = ProjectColumn()
    deadline = ProjectColumn()
    build_weeks = ProjectColumn()
    build_progress = ProjectColumn()
    flats = EntryColumn()
    floor = EntryColumn()
    area = EntryColumn()
    harm = EntryColumn()
    harmed = EntryColumn()  # households whose own flat it harms beyond its band (fixed)
    aggrieved = EntryColumn()  # harmed beyond the band even after compensation: may veto, dispute
    upkeep = EntryColumn()
    compensation_fen = EntryColumn()
    ask_fen = EntryColumn()
    compensation_yuan = EntryColumn()
    benefit = EntryColumn()
    net = EntryColumn()
    household_id = EntryColumn()
    elderly = EntryColumn()
    voted = EntryColumn()
    yes = EntryColumn()
    cooperation = EntryColumn()
    paid_fen = EntryColumn()
    given = EntryColumn()
    refunded_fen = EntryColumn()
    rebated_fen = EntryColumn()

    def __init__(self, book: ProjectBook, index: int) -> None:
        self.book, self.index = book, index  # its row in the book
        self._entries: slice | None = None

    @property
    def entries(self) -> slice:
        """Where its flats' entries lie in the book (fixed when it is proposed)."""
        if self._entries is None:
            self._entries = self.book.entries_of(self.index)
        return self._entries

    @property
    def project_id(self) -> int:
        """Projects are numbered from 1 in the order proposed."""
        return self.index + 1

    @property
    def raised_fen(self) -> int:
        """What the households have given (before refunds and rebates)."""
        return int(self.paid_fen.sum())

    def indifferent(self) -> np.ndarray:
        """Households, as last valued, whose net benefit lies within the indifference band."""
        return np.abs(self.net) <= self.indifference_yuan

    @property
    def open(self) -> bool:
        """Still moving through the pipeline."""
        return self.stage < BUILT

    @property
    def forfeited_fen(self) -> int:
        """What a failed campaign without money back kept of the gifts (lost to the givers)."""
        if self.reason != TARGET_MISSED:
            return 0
        return int(self.paid_fen.sum() - self.refunded_fen.sum())

    def net_paid_fen(self) -> np.ndarray:
        """What each household paid in the end: given, less refunds and rebates."""
        return self.paid_fen - self.refunded_fen - self.rebated_fen

    def reached(self, stage: int) -> bool:
        """Whether the project ever reached a stage of the pipeline."""
        if self.stage != FAILED:
            return self.stage >= stage
        return REACHED_BY_FAILURE[self.failed_at] >= stage

    def row(self) -> dict:
        """The project as a row of projects.csv."""
        return projects_frame([self]).iloc[0].to_dict()


def kind_columns(kinds: np.ndarray) -> dict[str, list]:
    """Settings of each project's kind that projects.csv shows, one list per column."""
    return {
        "kind": [kind.name for kind in kinds],
        "elevator": [kind.elevator for kind in kinds],
        "scope": [kind.scope for kind in kinds],
        "consent_rule": [kind.consent_rule for kind in kinds],
        "contribution_rule": [kind.contribution_rule for kind in kinds],
        "redesign": [kind.redesign for kind in kinds],
        "upkeep_per_year": [kind.upkeep_per_year for kind in kinds],
    }


def rows_of(projects: list[Project]) -> tuple[ProjectBook | None, np.ndarray]:
    """The book of some projects (None for none) and their rows."""
    rows = np.fromiter((p.index for p in projects), dtype=np.int64, count=len(projects))
    return (projects[0].book if projects else None), rows


def projects_frame(projects: list[Project]) -> pd.DataFrame:
    """projects.csv: one row per project (columns even when there is none)."""
    book, rows = rows_of(projects)
    if book is None:
        return pd.DataFrame([], columns=list(PROJECT_COLUMNS))
    column = {name: book.column(name, rows) for name in PROJECT_FIELDS}
    spans = book.spans(rows)
    entries = book.entries
    paid = entries["paid_fen"][spans.index]
    refunded = spans.per_project(entries["refunded_fen"][spans.index])
    raised = spans.per_project(paid)
    missed = column["reason"] == TARGET_MISSED
    funded = column["week_funded"] >= 0
    kinds = kind_columns(column["kind"])
    values = {
        "project_id": rows + 1,
        "kind": kinds["kind"],
        "elevator": kinds["elevator"],
        "scope": kinds["scope"],
        "compound": column["compound"],
        "building": column["building"],
        "unit": column["unit"],
        "households": column["households"],
        "proposer": column["proposer"].tolist(),
        "stage": [STAGES[stage] for stage in column["stage"].tolist()],
        "failed_at": column["failed_at"].tolist(),
        "reason": column["reason"].tolist(),
        **{name: column[name] for name in PROJECT_COLUMNS if name.startswith("week_")},
        "weeks_to_target": np.where(funded, column["week_funded"] - column["week_voted"], -1),
        "consent_rule": kinds["consent_rule"],
        "consent_result": column["consent_result"].tolist(),
        "contribution_rule": kinds["contribution_rule"],
        "redesign": kinds["redesign"],
        "cost": yuan(column["cost_fen"]),
        "subsidy": yuan(column["subsidy_fen"]),
        "compensation": yuan(spans.per_project(entries["compensation_fen"][spans.index])),
        "target": yuan(column["target_fen"]),
        "raised": yuan(raised),
        "refunded": yuan(refunded),
        "forfeited": yuan(np.where(missed, raised - refunded, 0)),
        "rebated": yuan(spans.per_project(entries["rebated_fen"][spans.index])),
        "contributors": spans.per_project((paid != 0).astype(np.int64)),
        "upkeep_per_year": kinds["upkeep_per_year"],
    }
    return pd.DataFrame(values, columns=list(PROJECT_COLUMNS))


def contributions_frame(projects: list[Project]) -> pd.DataFrame:
    """contributions.csv: one row per household of each project that came to a vote.

    Compensation is received once funded; the benefit (less upkeep) once built.
    """
    book, rows = rows_of(projects)
    if book is not None:
        rows = rows[book.column("week_voted", rows) >= 0]
    if book is None or not rows.size:
        return pd.DataFrame(columns=list(CONTRIBUTION_COLUMNS))
    spans = book.spans(rows)
    entry = {name: book.entries[name][spans.index] for name in ENTRY_FIELDS}
    stage = book.column("stage", rows)[spans.owner]
    funded = (stage == CONSTRUCTION) | (stage == BUILT)
    compensation = np.where(funded, entry["compensation_fen"], 0)
    paid = entry["paid_fen"] - entry["refunded_fen"] - entry["rebated_fen"]
    enjoyed = np.where(stage == BUILT, entry["benefit"] - entry["upkeep"], 0.0)
    names = np.array([kind.name for kind in book.column("kind", rows)], dtype=object)
    labels = np.array(("", *COOPERATION_TYPES), dtype=object)
    values = {
        "project_id": (rows + 1)[spans.owner],
        "kind": names[spans.owner],
        "household_id": entry["household_id"],
        "flat": entry["flats"],
        "floor": entry["floor"],
        "elderly": entry["elderly"],
        "harmed": entry["harmed"],
        "voted": entry["voted"],
        "yes": entry["yes"],
        "cooperation": labels[entry["cooperation"].astype(int) + 1],
        "share": yuan(entry["ask_fen"]),
        "contributed": yuan(entry["paid_fen"]),
        "refunded": yuan(entry["refunded_fen"]),
        "rebated": yuan(entry["rebated_fen"]),
        "paid": yuan(paid),
        "compensation": yuan(compensation),
        "benefit": entry["benefit"],
        "net_benefit": enjoyed + yuan(compensation) - yuan(paid),
    }
    return pd.DataFrame(values, columns=list(CONTRIBUTION_COLUMNS))
