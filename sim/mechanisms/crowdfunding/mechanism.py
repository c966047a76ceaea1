"""The crowdfunding mechanism: runs every project through its pipeline, week by week.

    proposed --(qualification_weeks; feasibility)--> qualified
             --(consultation_weeks; a vote under the kind's consent rule)--> fund-raising
             --(provision point reached within campaign_weeks)--> under construction
             --(about build_weeks of works, paused by open opposition disputes)--> built

The survey qualifies a proposal with chance `feasibility`. At the vote every flat of the scope
is an eligible owner (the household living there stands for it); it takes part with chance
`vote_turnout` and votes yes with chance m_i (valuation module); the consent module counts the
vote, which is recorded in model.votes. The works last build_weeks x U(0.8, 1.2) weeks, rounded.
Households decide as the contributions module says; effects follow the effects module.
"""

import heapq
from collections import Counter
from typing import TYPE_CHECKING

import numpy as np

from sim.mechanisms.consent import consent_rule, tally
from sim.mechanisms.crowdfunding.campaigns import Ledger, campaign_ledger, campaign_week
from sim.mechanisms.crowdfunding.contributions import draw_cooperation_types, rebate_pro_rata
from sim.mechanisms.crowdfunding.effects import (
    celebrate,
    opposing_flats,
    raise_opposition,
    regret,
)
from sim.mechanisms.crowdfunding.projects import (
    BUILT,
    CONSENT_REFUSED,
    CONSTRUCTION,
    FUNDRAISING,
    NO_QUORUM,
    NOT_FEASIBLE,
    PROPOSED,
    QUALIFIED,
    TARGET_MISSED,
    VETOED,
    Project,
)
from sim.mechanisms.crowdfunding.proposals import (
    BUILDING_MEETING_LABEL,
    NeedParts,
    Scopes,
    need_shares,
    proposal_chance,
    proposer_labels,
    scopes_of,
)
from sim.mechanisms.crowdfunding.valuation import (
    FEN_PER_YUAN,
    gross_benefit,
    harm,
    motivation,
    share_weights,
    shares_of_target,
    to_fen,
    upkeep_burden,
)
from sim.mechanisms.records import VoteRecord
from sim.scenario.crowdfunding_params import Crowdfunding as CrowdfundingSpec
from sim.scenario.crowdfunding_params import ProjectKind

if TYPE_CHECKING:
    from sim.model import CommunityModel

NEVER = np.iinfo(np.int64).max
SCOPE_NAMES = ("unit", "building", "compound")


class ScopeStatus:
    """Per scope, for one kind: a project under way or built, and when it may be tried again."""

    def __init__(self, scopes: int) -> None:
        self.busy = np.zeros(scopes, dtype=bool)
        self.retry_at = np.zeros(scopes, dtype=np.int64)

    def free(self, week: int) -> np.ndarray:
        """Scopes that may propose the kind this week."""
        return ~self.busy & (self.retry_at <= week)


class Crowdfunding:
    """Proposes, qualifies, votes on, funds and builds residents' public projects."""

    def __init__(self, model: "CommunityModel") -> None:
        self.model = model
        self.scopes: dict[str, Scopes] = {
            name: scopes_of(model.world, name) for name in SCOPE_NAMES
        }
        self.status: dict[str, ScopeStatus] = {}
        self.projects: list[Project] = []
        self.open_projects: list[Project] = []
        n = model.world.households
        self.cooperation = np.full(n, -1, dtype=np.int8)
        self.cooperation_of = np.full(n, -1, dtype=np.int64)
        self.meetings_read = len(model.meetings)
        self.counts: Counter[str] = Counter()
        self.built_by_kind: dict[str, np.ndarray] = {}
        self.funds_raised_fen = 0
        self.opposition_disputes = 0
        self.need_cache: dict[str, NeedParts] = {}
        self.waiting: list[tuple[int, int, Project]] = []  # (week due, id, project), a heap
        self.campaigns = campaign_ledger()
        self.works = Ledger()
        self.units_by_building = np.argsort(model.world.unit_building, kind="stable")
        self.building_units_start = np.searchsorted(
            model.world.unit_building[self.units_by_building],
            np.arange(model.world.buildings + 1),
        )

    @property
    def spec(self) -> CrowdfundingSpec:
        """The mechanism's settings now in force."""
        return self.model.params.mechanisms.crowdfunding

    def accepting(self) -> bool:
        """Whether new projects may be proposed this week."""
        return self.spec.enabled and self.model.week >= self.spec.start_week

    def status_of(self, kind: ProjectKind) -> ScopeStatus:
        """The scope status of a kind (by name)."""
        if kind.name not in self.status:
            self.status[kind.name] = ScopeStatus(self.scopes[kind.scope].count)
        return self.status[kind.name]

    def eligible(self, kind: ProjectKind) -> np.ndarray:
        """Scopes that may propose the kind now: tall enough, and free of it."""
        floors_ok = self.scopes[kind.scope].floors >= kind.min_floors
        return floors_ok & self.status_of(kind).free(self.model.week)

    # ------------------------------------------------------------------ the week and the month
    def step(self) -> None:
        """Take up building meetings' proposals, then move every open project one week on.

        The campaigns running at the start of the week take their week together (households
        give, then each is funded, fails or goes on); then the works under way move on together
        (those in an opposition dispute stand still); then the projects whose survey or vote
        falls due this week (kept in a heap by the week due) take it, in the order proposed.
        """
        self.take_meeting_proposals()
        blocked = np.zeros(self.model.world.households, dtype=bool)
        blocked[opposing_flats(self.model)] = True
        campaigns = [p for p in self.open_projects if p.stage == FUNDRAISING]
        works = [p for p in self.open_projects if p.stage == CONSTRUCTION]
        due = self.due_now()
        self.campaigns.hold(campaigns)
        for project, raised in campaign_week(self, self.campaigns):
            self.close_campaign_week(project, raised)
        self.build_week(works, blocked)
        for project in due:
            self.advance(project)
        self.open_projects = [p for p in self.open_projects if p.open]

    def wait(self, project: Project, weeks: int) -> None:
        """Put a project aside until its survey or vote is due, `weeks` from now."""
        heapq.heappush(self.waiting, (self.model.week + weeks, project.project_id, project))

    def due_now(self) -> list[Project]:
        """The projects whose survey or vote is due this week, in the order proposed."""
        due = []
        while self.waiting and self.waiting[0][0] <= self.model.week:
            due.append(heapq.heappop(self.waiting)[2])
        return sorted(due, key=lambda project: project.project_id)

    def build_week(self, works: list[Project], blocked: np.ndarray) -> None:
        """A week of works on every project under construction, unless its flats oppose it."""
        self.works.hold(works)
        if not works:
            return
        stalled = np.logical_or.reduceat(blocked[self.works.flats], self.works.starts[:-1])
        for project, halted in zip(works, stalled.tolist(), strict=True):
            if not halted:
                project.build_progress += 1
            if project.build_progress >= project.build_weeks:
                self.complete(project)

    def month(self) -> None:
        """Scopes whose need passes the threshold may propose (leaders make it likelier)."""
        if not self.accepting():
            return
        model, spec = self.model, self.spec
        for kind in spec.kinds:
            scopes = self.scopes[kind.scope]
            need = need_shares(model, kind, scopes, spec, self.need_cache)
            candidates = self.eligible(kind) & (need >= spec.need_threshold)
            labels = proposer_labels(model, scopes)
            chance = proposal_chance(model, scopes, labels, self.built_in_compound(kind), spec)
            proposing = candidates & (model.rng.random(scopes.count) < chance)
            for scope in np.flatnonzero(proposing).tolist():
                self.propose(kind, scope, str(labels[scope]))

    def take_meeting_proposals(self) -> None:
        """Each building meeting that produced a proposal puts forward its neediest project."""
        rows = self.model.meetings.rows[self.meetings_read :]
        self.meetings_read = len(self.model.meetings)
        buildings = sorted({r.building for r in rows if r.kind == "building" and r.proposals > 0})
        if not buildings or not self.accepting():
            return
        kinds = list(self.spec.kinds)
        needs = [
            need_shares(self.model, k, self.scopes[k.scope], self.spec, self.need_cache)
            for k in kinds
        ]
        open_to = [
            self.eligible(kind) & (need > 0) for kind, need in zip(kinds, needs, strict=True)
        ]
        for building in buildings:
            best: tuple[float, int, int] | None = None
            for index, kind in enumerate(kinds):
                candidates = self.scopes_in_building(kind.scope, building)
                for scope in candidates[open_to[index][candidates]].tolist():
                    if best is None or needs[index][scope] > best[0]:
                        best = (float(needs[index][scope]), index, scope)
            if best is not None:
                _, index, scope = best
                self.propose(kinds[index], scope, BUILDING_MEETING_LABEL)
                open_to[index][scope] = False

    def built_in_compound(self, kind: ProjectKind) -> np.ndarray:
        """Per compound: projects of the kind built there."""
        if kind.name not in self.built_by_kind:
            self.built_by_kind[kind.name] = np.zeros(self.model.world.compounds, dtype=np.int64)
        return self.built_by_kind[kind.name]

    def scopes_in_building(self, scope_name: str, building: int) -> np.ndarray:
        """The units of a building, the building itself, or its compound."""
        world = self.model.world
        if scope_name == "unit":
            start, end = self.building_units_start[building : building + 2]
            return self.units_by_building[start:end]
        if scope_name == "building":
            return np.array([building])
        return np.array([world.building_compound[building]])

    # ------------------------------------------------------------------ the pipeline
    def propose(self, kind: ProjectKind, scope: int, proposer: str) -> Project:
        """Open a project of a kind in a scope, with its cost and the shares of its target."""
        model, spec, rng = self.model, self.spec, self.model.rng
        scopes = self.scopes[kind.scope]
        flats = scopes.flats(scope)
        floor = model.world.floor[flats]
        users = rng.random(flats.size) < kind.use_share if kind.benefit == "use" else None
        harms = harm(kind, floor)
        fixed = rng.uniform(kind.cost_min, kind.cost_max)
        if kind.redesign:
            fixed *= kind.redesign_cost_factor
        cost_fen = to_fen(fixed + kind.cost_per_household * flats.size)
        compensation_fen = np.where(harms > 0, to_fen(kind.compensation), 0).astype(np.int64)
        project = Project(
            project_id=len(self.projects) + 1,
            kind=kind,
            scope_id=scope,
            compound=int(scopes.compound[scope]),
            building=int(scopes.building[scope]),
            unit=int(scopes.unit[scope]),
            proposer=proposer,
            week_proposed=model.week,
            flats=flats,
            floor=floor,
            area=model.world.area[flats],
            benefit=np.zeros(flats.size),
            harm=harms,
            upkeep=upkeep_burden(kind, floor, spec, np.zeros(flats.size, dtype=np.int64), 1),
            cost_fen=cost_fen,
            subsidy_fen=min(to_fen(kind.subsidy), cost_fen),
            compensation_fen=compensation_fen,
            ask_fen=np.zeros(flats.size, dtype=np.int64),
            users=users,
        )
        project.ask_fen = shares_of_target(
            project.cost_fen - project.subsidy_fen,
            int(compensation_fen.sum()),
            share_weights(kind, floor),
            harms > 0,
        )
        users_or_all = users if users is not None else np.ones(flats.size, dtype=bool)
        project.price(
            gross_benefit(kind, floor, np.zeros(flats.size, dtype=bool), users_or_all),
            gross_benefit(kind, floor, np.ones(flats.size, dtype=bool), users_or_all),
        )
        self.value(project)
        self.status_of(kind).busy[scope] = True
        self.projects.append(project)
        self.open_projects.append(project)
        self.wait(project, kind.qualification_weeks)
        self.counts["proposed"] += 1
        return project

    def advance(self, project: Project) -> None:
        """One week of a project waiting for its survey or its vote."""
        week, kind = self.model.week, project.kind
        if project.stage == PROPOSED and week >= project.week_proposed + kind.qualification_weeks:
            self.survey(project)
        elif (
            project.stage == QUALIFIED and week >= project.week_qualified + kind.consultation_weeks
        ):
            self.hold_vote(project)

    def survey(self, project: Project) -> None:
        """The technical survey: the project qualifies with chance `feasibility`."""
        if self.model.rng.random() < project.kind.feasibility:
            project.stage, project.week_qualified = QUALIFIED, self.model.week
            self.counts["qualified"] += 1
            self.wait(project, project.kind.consultation_weeks)
        else:
            self.close_failed(project, "proposed", NOT_FEASIBLE)

    def value(self, project: Project) -> np.ndarray:
        """Refresh each household's benefit (the household now in each flat); return motivation."""
        hh = self.model.households
        flats = project.flats
        project.revalue(hh.is_elderly[flats], hh.household_id[flats])
        return motivation(project.net, hh.income[flats], hh.trust_committee[flats], self.spec)

    def hold_vote(self, project: Project) -> None:
        """The owners of the scope vote under the kind's consent rule."""
        model, kind, rng = self.model, project.kind, self.model.rng
        hh, flats = model.households, project.flats
        chance_yes = self.value(project)
        project.household_id = hh.household_id[flats].copy()
        project.elderly = hh.is_elderly[flats].copy()
        voted = rng.random(flats.size) < kind.vote_turnout
        yes = voted & (rng.random(flats.size) < chance_yes)
        harmed = project.harmed if kind.harmed_veto else None
        count = tally(
            consent_rule(kind.consent_rule, kind.consent_share), project.area, voted, yes, harmed
        )
        project.voted, project.yes, project.week_voted = voted, yes, model.week
        model.votes.add(
            VoteRecord.of(
                count,
                model.week,
                project.compound,
                f"project:{kind.name}",
                building=project.building,
                unit=project.unit,
                project_id=project.project_id,
            )
        )
        if not count.passed:
            reason = (
                NO_QUORUM if not count.quorum_met else VETOED if count.vetoed else CONSENT_REFUSED
            )
            project.consent_result = reason
            self.close_failed(project, "qualified", reason)
            return
        project.consent_result = "passed"
        project.stage = FUNDRAISING
        project.cooperation = self.cooperation_types(flats).copy()
        self.counts["consented"] += 1
        self.opposition_disputes += raise_opposition(model, project)
        if project.target_fen <= 0:
            self.fund(project)

    def cooperation_types(self, flats: np.ndarray) -> np.ndarray:
        """The cooperation type of the household in each flat (drawn when first needed)."""
        ids = self.model.households.household_id[flats]
        stale = np.unique(flats[self.cooperation_of[flats] != ids])
        if stale.size:
            self.cooperation[stale] = draw_cooperation_types(stale.size, self.spec, self.model.rng)
            self.cooperation_of[stale] = self.model.households.household_id[stale]
        return self.cooperation[flats]

    def close_campaign_week(self, project: Project, raised_fen: int) -> None:
        """After the week's gifts (`raised_fen` in all): funded at the target, or failed at the
        deadline."""
        if raised_fen >= project.target_fen:
            self.fund(project)
        elif self.model.week - project.week_voted >= project.kind.campaign_weeks:
            project.refunded_fen = project.paid_fen.copy()
            self.close_failed(project, "fundraising", TARGET_MISSED)

    def fund(self, project: Project) -> None:
        """The target is reached: rebate the excess pro rata, start the works."""
        model = self.model
        excess = project.raised_fen - project.target_fen
        project.rebated_fen = rebate_pro_rata(project.paid_fen, excess)
        project.stage, project.week_funded = CONSTRUCTION, model.week
        project.build_weeks = int(round(project.kind.build_weeks * model.rng.uniform(0.8, 1.2)))
        self.counts["funded"] += 1
        self.funds_raised_fen += project.target_fen

    def complete(self, project: Project) -> None:
        """The works are done: a visible success."""
        project.stage, project.week_built = BUILT, self.model.week
        self.counts["built"] += 1
        self.built_in_compound(project.kind)[project.compound] += 1
        if project.kind.elevator:
            self.counts["elevators_built"] += 1
        celebrate(self.model, project)

    def close_failed(self, project: Project, stage_name: str, reason: str) -> None:
        """Close a failed project; the scope may try again after `retry_weeks` (never if 0)."""
        week, kind = self.model.week, project.kind
        project.fail(stage_name, reason, week)
        self.counts["failed"] += 1
        status = self.status_of(kind)
        status.busy[project.scope_id] = False
        status.retry_at[project.scope_id] = week + kind.retry_weeks if kind.retry_weeks else NEVER
        if reason != NOT_FEASIBLE:
            regret(self.model, project)

    # ------------------------------------------------------------------ counts now
    def now_at(self, stage: int) -> int:
        """Projects at a stage now."""
        return sum(1 for p in self.open_projects if p.stage == stage)

    @property
    def funds_raised(self) -> float:
        """Yuan raised by projects that reached their target (cumulative, after rebates)."""
        return self.funds_raised_fen / FEN_PER_YUAN
