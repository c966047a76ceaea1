"""The crowdfunding mechanism: runs every project through its pipeline, week by week.

    proposed --(qualification_weeks; feasibility)--> qualified
             --(consultation_weeks; a vote under the kind's consent rule)--> fund-raising
             --(provision point reached within campaign_weeks)--> under construction
             --(about build_weeks of works, paused by open opposition disputes)--> built

The survey qualifies a proposal with chance `feasibility`. At the vote every flat of the scope
is an eligible owner (the household living there stands for it); it takes part with chance
`vote_turnout` and votes yes with chance m_i (valuation module), unless it is indifferent (net
benefit within the project's band), when it abstains, follows its stairwell unit or votes no
by the scenario's mix (consent.cast_ballots: turnout, yes and behaviour draws, in that order);
only aggrieved owners (harm, less compensation, beyond the band) can veto. The consent module
counts the vote, which is recorded in model.votes. A campaign that misses its target refunds
every gift where the kind has money back, and otherwise keeps it (forfeited). The works last build_weeks x U(0.8, 1.2) weeks, rounded.
Households decide as the contributions module says; effects follow the effects module.
"""

from collections import Counter
from typing import TYPE_CHECKING

import numpy as np

from sim.mechanisms.consent import IndifferentVote, cast_ballots, consent_rule, tally
from sim.mechanisms.crowdfunding.campaigns import (
    VALUATION_COLUMNS,
    campaign_week,
    rebates,
    values_now,
)
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
    FAILED,
    FUNDRAISING,
    NEVER,
    NO_QUORUM,
    NOT_FEASIBLE,
    PROPOSED,
    QUALIFIED,
    TARGET_MISSED,
    VETOED,
    Project,
    ProjectBook,
    Spans,
)
from sim.mechanisms.crowdfunding.proposals import (
    BUILDING_MEETING_LABEL,
    NeedCacheEntry,
    Scopes,
    mean_support,
    need_shares,
    proposal_chance,
    proposer_labels,
    scopes_of,
)
from sim.mechanisms.crowdfunding.valuation import (
    FEN_PER_YUAN,
    gross_benefit,
    harm,
    indifference_band,
    motivation,
    share_weights,
    shares_of_target,
    to_fen,
    upkeep_burden,
)
from sim.mechanisms.records import VoteRecord
from sim.scenario.crowdfunding_params import Crowdfunding as CrowdfundingSpec
from sim.scenario.crowdfunding_params import ProjectKind
from sim.world.structure import expand_ranges

if TYPE_CHECKING:
    from sim.model import CommunityModel

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
        self.book = ProjectBook()
        n = model.world.households
        self.cooperation = np.full(n, -1, dtype=np.int8)
        self.cooperation_of = np.full(n, -1, dtype=np.int64)
        self.meetings_read = len(model.meetings)
        self.counts: Counter[str] = Counter()
        self.built_by_kind: dict[str, np.ndarray] = {}
        self.funds_raised_fen = 0
        self.opposition_disputes = 0
        self.need_cache: dict[str, NeedCacheEntry] = {}
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
        falls due this week take it, in the order proposed.
        """
        self.take_meeting_proposals()
        blocked = np.zeros(self.model.world.households, dtype=bool)
        blocked[opposing_flats(self.model)] = True
        works = self.book.at(CONSTRUCTION)
        due = self.due_now()
        campaigns = self.book.at(FUNDRAISING)
        spans = self.book.spans(campaigns)
        self.close_campaign_week(campaigns, spans, campaign_week(self, campaigns, spans))
        self.build_week(works, blocked)
        self.take_due(due)

    @property
    def projects(self) -> list[Project]:
        """Every project proposed, in that order."""
        return self.book.handles()

    @property
    def open_projects(self) -> list[Project]:
        """The projects still moving through the pipeline, in the order proposed."""
        return self.book.handles(np.flatnonzero(self.book.projects["stage"] < BUILT))

    def wait(self, rows: np.ndarray | int, weeks: int | np.ndarray) -> None:
        """Put projects aside until their survey or vote is due, `weeks` from now."""
        self.book.projects["due_week"][rows] = self.model.week + weeks

    def due_now(self) -> np.ndarray:
        """Rows of the projects whose survey or vote is due this week, in the order proposed."""
        due_week = self.book.projects["due_week"]
        due = np.flatnonzero(due_week <= self.model.week)
        due_week[due] = NEVER
        return due

    def build_week(self, rows: np.ndarray, blocked: np.ndarray) -> None:
        """A week of works on every project under construction (`rows`), unless its flats
        oppose it; those whose works are done are completed, in the order proposed."""
        if not rows.size:
            return
        spans = self.book.spans(rows)
        stalled = spans.any_per_project(blocked[self.book.entries["flats"][spans.index]])
        progress = self.book.projects["build_progress"]
        progress[rows[~stalled]] += 1
        done = progress[rows] >= self.book.column("build_weeks", rows)
        for row in rows[done].tolist():
            self.complete(row)

    def month(self) -> None:
        """Scopes whose need passes the threshold may propose (leaders make it likelier)."""
        if not self.accepting():
            return
        model, spec = self.model, self.spec
        leaders: dict[str, tuple[np.ndarray, np.ndarray]] = {}  # labels, support: fixed in a round
        for kind in spec.kinds:
            scopes = self.scopes[kind.scope]
            need = need_shares(model, kind, scopes, spec, self.need_cache)
            candidates = self.eligible(kind) & (need >= spec.need_threshold)
            if kind.scope not in leaders:
                leaders[kind.scope] = (proposer_labels(model, scopes), mean_support(model, scopes))
            labels, support = leaders[kind.scope]
            built = self.built_in_compound(kind)
            chance = proposal_chance(scopes, labels, support, built, spec)
            proposing = candidates & (model.rng.random(scopes.count) < chance)
            chosen = np.flatnonzero(proposing).tolist()
            self.propose_all([(kind, scope, str(labels[scope])) for scope in chosen])

    def take_meeting_proposals(self) -> None:
        """Each building meeting that produced a proposal puts forward its neediest project.

        Buildings are served in order; each takes, of the kinds and scopes open to it, the one
        of greatest need (the first kind, then the first scope, on ties), unless an earlier
        building took that compound's project of the kind this week.
        """
        meetings, start = self.model.meetings, self.meetings_read
        self.meetings_read = len(meetings)
        buildings = sorted(
            {
                building
                for kind, building, proposals in zip(
                    meetings.column("kind", start),
                    meetings.column("building", start),
                    meetings.column("proposals", start),
                    strict=True,
                )
                if kind == "building" and proposals > 0
            }
        )
        kinds = list(self.spec.kinds)
        if not buildings or not kinds or not self.accepting():
            return
        building, kind_index, scope, need = self.meeting_candidates(kinds, np.array(buildings))
        best_first = np.lexsort((-need, building))
        requests, taken, served = [], set(), -1
        for at, index, chosen in zip(
            building[best_first].tolist(),
            kind_index[best_first].tolist(),
            scope[best_first].tolist(),
            strict=True,
        ):
            if at != served and (index, chosen) not in taken:
                requests.append((kinds[index], chosen, BUILDING_MEETING_LABEL))
                taken.add((index, chosen))
                served = at
        self.propose_all(requests)

    def meeting_candidates(
        self, kinds: list[ProjectKind], buildings: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Every kind and scope a building may put forward (eligible, with need above zero), as
        (which building, kind, scope, need), in the order kinds, then scopes, are tried."""
        parts = []
        for index, kind in enumerate(kinds):
            need = need_shares(
                self.model, kind, self.scopes[kind.scope], self.spec, self.need_cache
            )
            building, scope = self.scopes_in_buildings(kind.scope, buildings)
            open_to = (self.eligible(kind) & (need > 0))[scope]
            building, scope = building[open_to], scope[open_to]
            parts.append((building, np.full(scope.size, index), scope, need[scope]))
        return tuple(np.concatenate(column) for column in zip(*parts, strict=True))

    def built_in_compound(self, kind: ProjectKind) -> np.ndarray:
        """Per compound: projects of the kind built there."""
        if kind.name not in self.built_by_kind:
            self.built_by_kind[kind.name] = np.zeros(self.model.world.compounds, dtype=np.int64)
        return self.built_by_kind[kind.name]

    def scopes_in_buildings(
        self, scope_name: str, buildings: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """The units of each building, each building itself, or its compound, as (which
        building, scope)."""
        which = np.arange(buildings.size)
        if scope_name == "unit":
            first = self.building_units_start[buildings]
            counts = self.building_units_start[buildings + 1] - first
            units = self.units_by_building[expand_ranges(first, counts)]
            return np.repeat(which, counts), units
        if scope_name == "building":
            return which, buildings
        return which, self.model.world.building_compound[buildings]

    # ------------------------------------------------------------------ the pipeline
    def propose(self, kind: ProjectKind, scope: int, proposer: str) -> Project:
        """Open one project of a kind in a scope (see propose_all)."""
        return self.propose_all([(kind, scope, proposer)])[0]

    def propose_all(self, requests: list[tuple[ProjectKind, int, str]]) -> list[Project]:
        """Open projects, each of a kind in a scope, in this order: costs and shares of targets.

        Each project's draws are made in turn (its users, for a use profile, then its fixed
        cost); the arithmetic is done for all the projects of a kind at once.
        """
        if not requests:
            return []
        rng = self.model.rng
        users, fixed = [], []
        for kind, scope, _ in requests:
            size = int(self.scopes[kind.scope].sizes[scope])
            users.append(rng.random(size) < kind.use_share if kind.benefit == "use" else None)
            fixed.append(rng.uniform(kind.cost_min, kind.cost_max))
        batches = []
        for kind_name in dict.fromkeys(kind.name for kind, _, _ in requests):
            batch = [i for i, (kind, _, _) in enumerate(requests) if kind.name == kind_name]
            batches.append(
                (
                    batch,
                    self.new_projects_of_kind(
                        requests[batch[0]][0],
                        [requests[i][1] for i in batch],
                        [users[i] for i in batch],
                        [fixed[i] for i in batch],
                    ),
                )
            )
        projects, entries, sizes = in_request_order(batches)
        qualification_weeks = projects.pop("qualification_weeks")
        rows = self.book.open(
            entries,
            sizes,
            **projects,
            proposer=np.array([proposer for _, _, proposer in requests], dtype=object),
            week_proposed=self.model.week,
            due_week=self.model.week + qualification_weeks,
        )
        for kind, scope, _ in requests:
            self.status_of(kind).busy[scope] = True
        self.counts["proposed"] += rows.size
        return self.book.handles(rows)

    def new_projects_of_kind(
        self,
        kind: ProjectKind,
        scopes_chosen: list[int],
        users: list[np.ndarray | None],
        fixed_costs: list[float],
    ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], np.ndarray]:
        """New projects of one kind, priced and valued together: their columns, their flats'
        entries laid end to end, and how many flats each has."""
        world, hh, spec = self.model.world, self.model.households, self.spec
        scopes = self.scopes[kind.scope]
        chosen = np.asarray(scopes_chosen, dtype=np.int64)
        sizes = scopes.sizes[chosen]
        starts = np.concatenate(([0], np.cumsum(sizes)))
        owner = np.repeat(np.arange(chosen.size), sizes)
        flats = expand_ranges(scopes.starts[chosen], sizes)
        floor = world.floor[flats]
        harms = harm(kind, floor)
        uses = np.concatenate(users) if kind.benefit == "use" else np.ones(flats.size, dtype=bool)
        benefit_young = gross_benefit(kind, floor, np.zeros(flats.size, dtype=bool), uses) - harms
        benefit_elderly = gross_benefit(kind, floor, np.ones(flats.size, dtype=bool), uses) - harms
        band = indifference_band(benefit_young + harms, owner, chosen.size, spec)
        harmed = harms > band[owner]
        factor = kind.redesign_cost_factor if kind.redesign else 1.0
        cost_fen = [
            to_fen(fixed * factor + kind.cost_per_household * size)
            for fixed, size in zip(fixed_costs, sizes.tolist(), strict=True)
        ]
        subsidy_fen = [min(to_fen(kind.subsidy), cost) for cost in cost_fen]
        compensation_fen = np.where(harmed, to_fen(kind.compensation), 0).astype(np.int64)
        compensation_total = np.concatenate(([0], np.cumsum(compensation_fen)))
        compensation_each = compensation_total[starts[1:]] - compensation_total[starts[:-1]]
        base_fen = np.array(cost_fen, dtype=np.int64) - np.array(subsidy_fen, dtype=np.int64)
        ask_fen = shares_of_target(
            base_fen, compensation_each, share_weights(kind, floor), harmed, starts
        )
        compensation_yuan = compensation_fen / FEN_PER_YUAN
        aggrieved = harms - compensation_yuan > band[owner]
        entries = {
            "flats": flats,
            "floor": floor,
            "area": world.area[flats],
            "harm": harms,
            "harmed": harmed,
            "aggrieved": aggrieved,
            "upkeep": upkeep_burden(kind, floor, spec, owner, chosen.size),
            "compensation_fen": compensation_fen,
            "ask_fen": ask_fen,
            "benefit_young": benefit_young,
            "benefit_elderly": benefit_elderly,
            "compensation_yuan": compensation_yuan,
            "ask_yuan": ask_fen / FEN_PER_YUAN,
            "valued_for": hh.household_id[flats],
            "user": uses,
        }
        entries["benefit"], entries["net"] = values_now(hh, entries)
        projects = {
            "kind": np.full(chosen.size, kind, dtype=object),
            "scope_id": chosen,
            "compound": scopes.compound[chosen],
            "building": scopes.building[chosen],
            "unit": scopes.unit[chosen],
            "cost_fen": np.array(cost_fen, dtype=np.int64),
            "subsidy_fen": np.array(subsidy_fen, dtype=np.int64),
            "target_fen": base_fen + compensation_each,
            "indifference_yuan": band,
            "aggrieved_households": np.add.reduceat(aggrieved.astype(np.int64), starts[:-1]),
            "money_back": np.full(chosen.size, kind.money_back),
            "binding": np.full(chosen.size, kind.contribution_rule != "voluntary"),
            "qualification_weeks": np.full(chosen.size, kind.qualification_weeks),
        }
        return projects, entries, sizes

    def take_due(self, due: np.ndarray) -> None:
        """The surveys and votes due this week (`due`: rows), in this order.

        The households of every vote are valued at once; a vote sharing flats with one that
        failed earlier in the week (its households lost trust) is valued again at its turn.
        """
        book = self.book
        stage = book.column("stage", due)
        voting = due[stage == QUALIFIED]
        chance_of = dict(zip(voting.tolist(), self.value_all(voting), strict=True))
        shaken = np.zeros(self.model.world.households, dtype=bool)  # flats of failed votes
        for row in due.tolist():
            if row not in chance_of:
                if book.column("stage", row) == PROPOSED:
                    self.survey(row)
                continue
            project = Project(book, row)
            chance = chance_of[row]
            if shaken[project.flats].any():
                chance = self.value(project)
            self.hold_vote(project, chance)
            if project.stage == FAILED:
                shaken[project.flats] = True

    def survey(self, row: int) -> None:
        """The technical survey: the project qualifies with chance `feasibility`."""
        kind = self.book.column("kind", row)
        if self.model.rng.random() < kind.feasibility:
            self.book.projects["stage"][row] = QUALIFIED
            self.book.projects["week_qualified"][row] = self.model.week
            self.counts["qualified"] += 1
            self.wait(row, kind.consultation_weeks)
        else:
            self.close_failed(row, "proposed", NOT_FEASIBLE)

    def value_all(self, rows: np.ndarray) -> list[np.ndarray]:
        """Refresh the benefits of the projects at `rows` (the households now in their flats);
        return each one's motivation (all the projects valued at once)."""
        if not rows.size:
            return []
        hh, entries = self.model.households, self.book.entries
        spans = self.book.spans(rows)
        column = {name: entries[name][spans.index] for name in VALUATION_COLUMNS}
        flats = column["flats"]
        benefit, net = values_now(hh, column)
        entries["benefit"][spans.index], entries["net"][spans.index] = benefit, net
        entries["valued_for"][spans.index] = hh.household_id[flats]
        chance = motivation(net, hh.income[flats], hh.trust_committee[flats], self.spec)
        return np.split(chance, spans.starts[1:-1])

    def value(self, project: Project) -> np.ndarray:
        """Refresh one project's benefits; return its households' motivation."""
        return self.value_all(np.array([project.index]))[0]

    def hold_vote(self, project: Project, chance_yes: np.ndarray) -> None:
        """The owners of the scope vote under the kind's consent rule (each says yes with
        `chance_yes` if taking part)."""
        model, kind, rng = self.model, project.kind, self.model.rng
        hh, flats = model.households, project.flats
        project.household_id = hh.household_id[flats]
        project.elderly = hh.is_elderly[flats]
        voted, yes = self.ballots(project, chance_yes, rng)
        harmed = project.aggrieved if kind.harmed_veto else None
        count = tally(
            consent_rule(kind.consent_rule, kind.consent_share), project.area, voted, yes, harmed
        )
        project.voted, project.yes, project.week_voted = voted, yes, model.week
        project.deadline = model.week + kind.campaign_weeks
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
            self.close_failed(project.index, "qualified", reason)
            return
        project.consent_result = "passed"
        project.stage = FUNDRAISING
        project.cooperation = self.cooperation_types(flats)
        self.counts["consented"] += 1
        self.opposition_disputes += raise_opposition(model, project)
        if project.target_fen <= 0:
            excess = project.raised_fen - project.target_fen
            self.fund(project.index, rebate_pro_rata(project.paid_fen, excess))

    def ballots(
        self, project: Project, chance_yes: np.ndarray, rng: np.random.Generator
    ) -> tuple[np.ndarray, np.ndarray]:
        """Who of the project's owners takes part and who says yes (consent.cast_ballots):
        indifferent owners (net benefit within the band) act as the scenario says."""
        spec = self.spec
        behaviour = IndifferentVote(
            spec.indifferent_abstain, spec.indifferent_follow, spec.indifferent_no
        )
        units = self.model.world.unit[project.flats]
        return cast_ballots(
            chance_yes, project.kind.vote_turnout, project.indifferent(), units, behaviour, rng
        )

    def cooperation_types(self, flats: np.ndarray) -> np.ndarray:
        """The cooperation type of the household in each flat (drawn when first needed)."""
        ids = self.model.households.household_id[flats]
        stale = flats[self.cooperation_of[flats] != ids]
        if stale.size:
            stale = np.unique(stale)
            self.cooperation[stale] = draw_cooperation_types(stale.size, self.spec, self.model.rng)
            self.cooperation_of[stale] = self.model.households.household_id[stale]
        return self.cooperation[flats]

    def close_campaign_week(self, rows: np.ndarray, spans: Spans, raised_fen: np.ndarray) -> None:
        """After the week's gifts (`raised_fen` in all, per campaign at `rows`, their entries
        `spans`): each is funded at its target, or failed at its deadline, in the order proposed."""
        target = self.book.column("target_fen", rows)
        funded = raised_fen >= target
        closing = funded | (self.model.week >= self.book.column("deadline", rows))
        rebated = rebates(self, spans, np.flatnonzero(funded), raised_fen - target)
        entries = self.book.entries
        for index in np.flatnonzero(closing).tolist():
            row = int(rows[index])
            if funded[index]:
                self.fund(row, rebated[index])
                continue
            if self.book.column("money_back", row):
                gifts = self.book.entries_of(row)
                entries["refunded_fen"][gifts] = entries["paid_fen"][gifts]
            self.close_failed(row, "fundraising", TARGET_MISSED)

    def fund(self, row: int, rebated_fen: np.ndarray) -> None:
        """The target is reached: the excess is rebated (`rebated_fen`), the works start."""
        model, projects = self.model, self.book.projects
        self.book.entries["rebated_fen"][self.book.entries_of(row)] = rebated_fen
        projects["stage"][row] = CONSTRUCTION
        projects["week_funded"][row] = model.week
        build_weeks = projects["kind"][row].build_weeks
        projects["build_weeks"][row] = int(round(build_weeks * model.rng.uniform(0.8, 1.2)))
        self.counts["funded"] += 1
        self.funds_raised_fen += int(projects["target_fen"][row])

    def complete(self, row: int) -> None:
        """The works are done: a visible success."""
        projects = self.book.projects
        projects["stage"][row] = BUILT
        projects["week_built"][row] = self.model.week
        kind = projects["kind"][row]
        self.counts["built"] += 1
        self.built_in_compound(kind)[projects["compound"][row]] += 1
        if kind.elevator:
            self.counts["elevators_built"] += 1
        celebrate(self.model, Project(self.book, row))

    def close_failed(self, row: int, stage_name: str, reason: str) -> None:
        """Close a failed project; the scope may try again after `retry_weeks` (never if 0)."""
        week, projects = self.model.week, self.book.projects
        kind = projects["kind"][row]
        projects["stage"][row] = FAILED
        projects["failed_at"][row], projects["reason"][row] = stage_name, reason
        projects["week_failed"][row] = week
        self.counts["failed"] += 1
        status, scope = self.status_of(kind), projects["scope_id"][row]
        status.busy[scope] = False
        status.retry_at[scope] = week + kind.retry_weeks if kind.retry_weeks else NEVER
        if reason != NOT_FEASIBLE:
            regret(self.model, Project(self.book, row))

    # ------------------------------------------------------------------ counts now
    def now_at(self, stage: int) -> int:
        """Projects at a stage now."""
        return self.book.count(stage)

    @property
    def funds_raised(self) -> float:
        """Yuan raised by projects that reached their target (cumulative, after rebates)."""
        return self.funds_raised_fen / FEN_PER_YUAN


def in_request_order(
    batches: list[tuple[list[int], tuple[dict, dict, np.ndarray]]],
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], np.ndarray]:
    """New projects made kind by kind (each batch: the requests it answers, and its projects'
    columns, entries and sizes) put back in the order of the requests."""
    if len(batches) == 1:
        return batches[0][1]
    requests = np.concatenate([np.asarray(batch) for batch, _ in batches])
    order = np.argsort(requests, kind="stable")
    parts = [made for _, made in batches]
    sizes = np.concatenate([part[2] for part in parts])
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1])).astype(np.int64)
    gather = expand_ranges(starts[order], sizes[order])
    projects = {
        name: np.concatenate([part[0][name] for part in parts])[order] for name in parts[0][0]
    }
    entries = {
        name: np.concatenate([part[1][name] for part in parts])[gather] for name in parts[0][1]
    }
    return projects, entries, sizes[order]
