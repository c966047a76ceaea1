"""Public projects and their pipeline: proposed -> qualified -> consent -> fund-raising -> works -> built.

A project fails at the survey (`not_feasible`), at the vote (`no_quorum`, `vetoed`,
`consent_refused`) or in its campaign (`target_missed`). Each project keeps one entry per flat
of its scope: the household's benefit, harm, share (ask), vote, and the money it gave, got back
(refund or rebate) and received (compensation); money is kept in fen. Without money back, the
gifts to a campaign that missed its target are forfeited: counted as paid, nothing refunded.
"""

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim.mechanisms.crowdfunding.contributions import COOPERATION_TYPES
from sim.mechanisms.crowdfunding.valuation import FEN_PER_YUAN
from sim.scenario.crowdfunding_params import ProjectKind

if TYPE_CHECKING:
    from sim.mechanisms.crowdfunding.campaigns import Ledger

STAGES = ("proposed", "qualified", "fundraising", "construction", "built", "failed")
PROPOSED, QUALIFIED, FUNDRAISING, CONSTRUCTION, BUILT, FAILED = range(len(STAGES))

NOT_FEASIBLE, NO_QUORUM, VETOED, CONSENT_REFUSED, TARGET_MISSED = (
    "not_feasible",
    "no_quorum",
    "vetoed",
    "consent_refused",
    "target_missed",
)

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


def blank(size: int, dtype: type, value: int | bool) -> np.ndarray:
    """A read-only array of `size` entries all `value` (a writing mistake raises at once)."""
    values = np.full(size, value, dtype=dtype)
    values.flags.writeable = False
    return values


class HeldArray:
    """A per-flat array of a project, read from the ledger holding it while its campaign runs
    (a view of its entries there), else the project's own."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name, self.own = name, f"_{name}"

    def __get__(self, project: "Project | None", owner: type | None = None):
        if project is None:
            return self
        if project.held_by is not None:
            return project.held_by.entries_of(project, self.name)
        return getattr(project, self.own)

    def __set__(self, project: "Project", values: np.ndarray) -> None:
        setattr(project, self.own, values)


@dataclass
class Project:
    """One proposed project and where it stands."""

    project_id: int
    kind: ProjectKind
    scope_id: int
    compound: int
    building: int
    unit: int
    proposer: str
    week_proposed: int
    flats: np.ndarray
    floor: np.ndarray
    area: np.ndarray
    harm: np.ndarray  # yuan
    upkeep: np.ndarray  # yuan over the valuation horizon
    cost_fen: int
    subsidy_fen: int
    compensation_fen: np.ndarray  # per flat, to harmed households
    ask_fen: np.ndarray  # share of the target (binding) or suggested gift (voluntary)
    benefit_young: np.ndarray  # yuan, after harm, for a young household in each flat
    benefit_elderly: np.ndarray  # the same for an elderly household
    compensation_yuan: np.ndarray
    ask_yuan: np.ndarray
    benefit: np.ndarray  # yuan, after harm, for the household as last valued
    net: np.ndarray  # yuan, as last valued
    valued_for: np.ndarray  # the households last valued
    users: np.ndarray | None = None  # use profile: who uses it (None: everyone)
    indifference_yuan: float = 0.0  # the indifference band e (fixed at the proposal)
    stage: int = PROPOSED
    failed_at: str = ""
    reason: str = ""
    week_qualified: int = -1
    week_voted: int = -1
    week_funded: int = -1
    week_built: int = -1
    week_failed: int = -1
    consent_result: str = ""
    build_weeks: int = 0
    build_progress: int = 0
    household_id: np.ndarray = field(init=False)  # the households that voted
    elderly: np.ndarray = field(init=False)
    voted: np.ndarray = field(init=False)
    yes: np.ndarray = field(init=False)
    refunded_fen: np.ndarray = field(init=False)
    rebated_fen: np.ndarray = field(init=False)
    # per flat, held by the campaign ledger while the campaign runs:
    cooperation = HeldArray()
    paid_fen = HeldArray()
    given = HeldArray()

    def __post_init__(self) -> None:
        """Blank vote, campaign and settlement arrays until the pipeline fills them in.

        Each is replaced whole at its stage (never written in place), so the blanks of one type
        are one read-only array shared by all of them.
        """
        n = self.flats.size
        self.held_by: Ledger | None = None  # the ledger holding the campaign's arrays
        no_money, no_flag = blank(n, np.int64, 0), blank(n, bool, False)
        self.household_id = self.refunded_fen = self.rebated_fen = self.paid_fen = no_money
        self.elderly = self.voted = self.yes = self.given = no_flag
        self.cooperation = blank(n, np.int8, -1)

    def keep_values(self, benefit: np.ndarray, net: np.ndarray, household_id: np.ndarray) -> None:
        """Keep the benefit and net benefit of the households now in the flats (copies)."""
        self.benefit, self.net = benefit.copy(), net.copy()
        self.valued_for = household_id.copy()

    @cached_property
    def target_fen(self) -> int:
        """What the households must raise: cost less subsidy, plus compensation (fixed)."""
        return int(self.cost_fen - self.subsidy_fen + self.compensation_fen.sum())

    @property
    def qualification_ends(self) -> int:
        """The week the survey is due."""
        return self.week_proposed + self.kind.qualification_weeks

    @property
    def consultation_ends(self) -> int:
        """The week the vote is due (once qualified)."""
        return self.week_qualified + self.kind.consultation_weeks

    @property
    def deadline(self) -> int:
        """The week a campaign that has not reached its target fails (once voted through)."""
        return self.week_voted + self.kind.campaign_weeks

    @property
    def raised_fen(self) -> int:
        """What the households have given (before refunds and rebates)."""
        return int(self.paid_fen.sum())

    @property
    def money_back(self) -> bool:
        """A missed target returns the gifts (the kind's provision point has money back)."""
        return self.kind.money_back

    @property
    def binding(self) -> bool:
        """Shares are binding once consented (flat, stepped), not voluntary asks."""
        return self.kind.contribution_rule != "voluntary"

    @cached_property
    def harmed(self) -> np.ndarray:
        """Households whose own flat the project harms beyond its indifference band (fixed)."""
        return self.harm > self.indifference_yuan

    @cached_property
    def aggrieved(self) -> np.ndarray:
        """Harmed households whose harm, less their compensation, still exceeds the band: those
        with a ground to veto or to dispute the project (fixed)."""
        return self.harm - self.compensation_yuan > self.indifference_yuan

    def indifferent(self) -> np.ndarray:
        """Households, as last valued, whose net benefit lies within the indifference band."""
        return np.abs(self.net) <= self.indifference_yuan

    @property
    def open(self) -> bool:
        """Still moving through the pipeline."""
        return self.stage < BUILT

    def fail(self, stage_name: str, reason: str, week: int) -> None:
        """Close the project as failed at a stage."""
        self.stage, self.failed_at, self.reason, self.week_failed = FAILED, stage_name, reason, week

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
        reached_by_failure = {
            "proposed": PROPOSED,
            "qualified": QUALIFIED,
            "fundraising": FUNDRAISING,
        }
        return reached_by_failure[self.failed_at] >= stage

    def row(self) -> dict:
        """The project as a row of projects.csv."""
        kind = self.kind
        weeks_to_target = self.week_funded - self.week_voted if self.week_funded >= 0 else -1
        return {
            "project_id": self.project_id,
            "kind": kind.name,
            "elevator": kind.elevator,
            "scope": kind.scope,
            "compound": self.compound,
            "building": self.building,
            "unit": self.unit,
            "households": int(self.flats.size),
            "proposer": self.proposer,
            "stage": STAGES[self.stage],
            "failed_at": self.failed_at,
            "reason": self.reason,
            "week_proposed": self.week_proposed,
            "week_qualified": self.week_qualified,
            "week_voted": self.week_voted,
            "week_funded": self.week_funded,
            "week_built": self.week_built,
            "week_failed": self.week_failed,
            "weeks_to_target": weeks_to_target,
            "consent_rule": kind.consent_rule,
            "consent_result": self.consent_result,
            "contribution_rule": kind.contribution_rule,
            "redesign": kind.redesign,
            "cost": yuan(self.cost_fen),
            "subsidy": yuan(self.subsidy_fen),
            "compensation": yuan(int(self.compensation_fen.sum())),
            "target": yuan(self.target_fen),
            "raised": yuan(self.raised_fen),
            "refunded": yuan(int(self.refunded_fen.sum())),
            "forfeited": yuan(self.forfeited_fen),
            "rebated": yuan(int(self.rebated_fen.sum())),
            "contributors": int(np.count_nonzero(self.paid_fen)),
            "upkeep_per_year": kind.upkeep_per_year,
        }

    def household_columns(self) -> dict[str, np.ndarray]:
        """Columns of contributions.csv for this project: one entry per household of the scope.

        Compensation is received once funded; the benefit (less upkeep) once built.
        """
        n = self.flats.size
        funded = self.stage in (CONSTRUCTION, BUILT)
        compensation = self.compensation_fen if funded else np.zeros(n, dtype=np.int64)
        paid = self.net_paid_fen()
        enjoyed = self.benefit - self.upkeep if self.stage == BUILT else np.zeros(n)
        labels = np.array(("", *COOPERATION_TYPES))[self.cooperation.astype(int) + 1]
        return {
            "project_id": np.full(n, self.project_id),
            "kind": np.full(n, self.kind.name, dtype=object),
            "household_id": self.household_id,
            "flat": self.flats,
            "floor": self.floor,
            "elderly": self.elderly,
            "harmed": self.harmed,
            "voted": self.voted,
            "yes": self.yes,
            "cooperation": labels,
            "share": yuan(self.ask_fen),
            "contributed": yuan(self.paid_fen),
            "refunded": yuan(self.refunded_fen),
            "rebated": yuan(self.rebated_fen),
            "paid": yuan(paid),
            "compensation": yuan(compensation),
            "benefit": self.benefit,
            "net_benefit": enjoyed + yuan(compensation) - yuan(paid),
        }


class Pipeline:
    """The open projects, by stage, kept as each moves on (a dict by id per stage)."""

    def __init__(self) -> None:
        self.by_stage: dict[int, dict[int, Project]] = {stage: {} for stage in range(BUILT)}

    def enter(self, project: Project) -> None:
        """A project opens at its stage."""
        self.by_stage[project.stage][project.project_id] = project

    def move(self, project: Project, stage: int) -> None:
        """A project moves to a stage (built or failed: it leaves the open projects)."""
        self.by_stage.get(project.stage, {}).pop(project.project_id, None)
        project.stage = stage
        if project.open:
            self.enter(project)

    def at(self, stage: int) -> list[Project]:
        """The open projects at a stage, in the order proposed."""
        projects = self.by_stage[stage]
        return [projects[i] for i in sorted(projects)]

    def count(self, stage: int) -> int:
        """How many open projects are at a stage."""
        return len(self.by_stage[stage])

    def open_projects(self) -> list[Project]:
        """Every open project, in the order proposed."""
        every = [p for projects in self.by_stage.values() for p in projects.values()]
        return sorted(every, key=lambda project: project.project_id)


def projects_frame(projects: list[Project]) -> pd.DataFrame:
    """projects.csv: one row per project (columns even when there is none)."""
    return pd.DataFrame([p.row() for p in projects], columns=list(PROJECT_COLUMNS))


def contributions_frame(projects: list[Project]) -> pd.DataFrame:
    """contributions.csv: one row per household of each project that came to a vote."""
    parts = [p.household_columns() for p in projects if p.week_voted >= 0]
    if not parts:
        return pd.DataFrame(columns=list(CONTRIBUTION_COLUMNS))
    return pd.DataFrame(
        {name: np.concatenate([part[name] for part in parts]) for name in CONTRIBUTION_COLUMNS}
    )
