"""The statistics of the pattern catalogue: small named functions of one run's outputs.

Each statistic maps a finished run (sim.runner.RunResult: its time series, summary and event
tables) and keyword arguments from the catalogue to one number, NaN when the run cannot say
(no funded project, a level never reached). A check in experiments/patterns.yaml names a
statistic and compares it within an arm (``level``) or between two arms on the same seeds
(``difference``, ``logit_difference``, ``log_ratio``; see sim.validation.assess).

Statistics are computed in the worker, right after the run, so a sweep keeps one number per
statistic and run rather than the event tables. Weeks are the model's steps; a month is
52/12 weeks.
"""

import hashlib
import inspect
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

WEEKS_PER_MONTH = 52 / 12
#: Dispute kinds that need parties from outside the compound (police, city management).
CROSS_PARTY_KINDS = ("parking", "illegal_structure")


@dataclass(frozen=True)
class Statistic:
    """A registered statistic: its function, its unit and what it measures."""

    name: str
    function: Callable[..., float]
    unit: str

    @property
    def description(self) -> str:
        """The first paragraph of the function's docstring, on one line."""
        text = (self.function.__doc__ or "").strip().split("\n\n")[0]
        return " ".join(text.split())

    def parameters(self) -> dict[str, inspect.Parameter]:
        """The keyword arguments the catalogue may give (everything after the run)."""
        return dict(list(inspect.signature(self.function).parameters.items())[1:])


STATISTICS: dict[str, Statistic] = {}


def statistic(unit: str) -> Callable[[Callable[..., float]], Callable[..., float]]:
    """Register a function of (run, **args) as a statistic under its own name."""

    def register(function: Callable[..., float]) -> Callable[..., float]:
        STATISTICS[function.__name__] = Statistic(function.__name__, function, unit)
        return function

    return register


def weeks(series: pd.DataFrame, start: int, stop: int | None) -> pd.DataFrame:
    """The rows of weeks start..stop-1 (step 0 is the initial state); stop None: to the end.
    A negative start counts from the end (start=-52: the last 52 weeks)."""
    rows = series.iloc[1:]
    if start < 0:
        return rows.iloc[start:] if stop is None else rows.iloc[start:stop]
    last = rows["step"].max() + 1 if stop is None else stop
    return rows[(rows["step"] >= start) & (rows["step"] < last)]


def first_week(values: np.ndarray, steps: np.ndarray, level: float) -> float:
    """The first step at which values reach level (NaN if never)."""
    hits = np.flatnonzero(values >= level)
    return float(steps[hits[0]]) if hits.size else math.nan


def mean_or_nan(values: Any) -> float:
    """The mean, NaN when there is nothing to average."""
    values = np.asarray(values, dtype=float)
    return float(values.mean()) if values.size else math.nan


# ------------------------------------------------------------------------------ series
@statistic("share")
def window_mean(run, column: str, start: int = -52, stop: int | None = None) -> float:
    """Mean of a time-series column over weeks start..stop-1 (default: the last 52 weeks)."""
    return mean_or_nan(weeks(run.timeseries, start, stop)[column])


@statistic("share")
def fall_from_first(run, column: str, start: int = -52, stop: int | None = None) -> float:
    """Relative fall of a time-series column from its first nonzero value (a first round) to
    its mean over weeks start..stop-1 (default: the last 52 weeks): 1 - mean / first; NaN if
    the column is never nonzero."""
    values = run.timeseries[column].to_numpy()[1:]
    nonzero = np.flatnonzero(values != 0)
    if not nonzero.size:
        return math.nan
    return 1.0 - window_mean(run, column, start, stop) / float(values[nonzero[0]])


@statistic("share")
def billed_collection(run, start: int = 0, stop: int | None = None) -> float:
    """Mean fee collection over the weeks in which a firm was billing (weeks between a firm's
    exit and its successor bill nobody and are left out)."""
    rows = weeks(run.timeseries, start, stop)
    return mean_or_nan(rows.loc[rows["firms_active"] > 0, "fee_collection_rate"])


@statistic("count")
def final_value(run, column: str) -> float:
    """A time-series column's value at the last week (counters: the run's total)."""
    return float(run.timeseries[column].iloc[-1])


@statistic("per year")
def per_year(run, column: str) -> float:
    """A counter's total over the recorded weeks, per 52 weeks (firm exits a year)."""
    recorded = int(run.timeseries["step"].iloc[-1])
    return float(run.timeseries[column].iloc[-1]) * 52 / recorded if recorded else math.nan


@statistic("months")
def months_to_level(run, column: str = "fee_collection_rate", level: float = 0.9) -> float:
    """Months from the start until a time-series column first reaches a level (NaN if never)."""
    series = run.timeseries
    week = first_week(series[column].to_numpy(), series["step"].to_numpy(), level)
    return week / WEEKS_PER_MONTH


@statistic("weeks")
def lead_weeks(run, leader: str, follower: str, level: float) -> float:
    """Weeks by which `leader` reaches a level before `follower` does (NaN if either never
    does): S2's service quality rising before payment."""
    series = run.timeseries
    steps = series["step"].to_numpy()
    first = first_week(series[leader].to_numpy(), steps, level)
    then = first_week(series[follower].to_numpy(), steps, level)
    return then - first


@statistic("ratio")
def s_curve_rates(
    run, column: str = "practice_adoption", low: float = 0.1, mid: float = 0.5, start: int = 1
) -> float:
    """How much the spread accelerates: the rate (per week) at which the column covers the
    part of what remained at week `start` from `low` to `mid` of it, over the rate from 0 to
    `low` of it. Above 1 the curve accelerates, the start of an S; NaN if `mid` is never
    reached (the pilots' own units, adopted by week `start`, are left out)."""
    series = weeks(run.timeseries, start, None)
    steps = series["step"].to_numpy()
    values = series[column].to_numpy()
    if values[0] >= 1.0:
        return math.nan
    rise = (values - values[0]) / (1.0 - values[0])
    t_low, t_mid = first_week(rise, steps, low), first_week(rise, steps, mid)
    if math.isnan(t_mid):
        return math.nan
    early = low / max(t_low - start, 1.0)
    middle = (mid - low) / max(t_mid - t_low, 1.0)
    return middle / early


@statistic("share")
def neighbour_adoption_lead(run, group: str = "compound") -> float:
    """How much nearer earlier adopters the next adoptions land than chance would put them:
    over the units that followed the pilots (adoptions.csv), the mean share of the other units
    of their `group` (compound or building) that had adopted before them, minus its mean over
    the units then open to adopt (not yet adopted, not holding out, not piloting that week),
    weighted by the adoptions of each week. 0: adoptions land where chance would put them;
    NaN without followers."""
    table = run.adoptions
    if table.empty:
        return math.nan
    week = table["adopted_week"].to_numpy(dtype=float, na_value=np.nan)
    pilot = table["pilot"].to_numpy(dtype=bool)
    member = np.unique(table[group].to_numpy(), return_inverse=True)[1]
    can_follow = ~table["holds_out"].to_numpy(dtype=bool)
    follows = np.isfinite(week) & ~pilot
    if not follows.any():
        return math.nan
    others = np.maximum(np.bincount(member)[member] - 1, 1)
    lead = 0.0
    for t in np.unique(week[follows]):
        before = week < t
        share = (np.bincount(member, weights=before)[member] - before) / others
        open_units = can_follow & ~before & ~(pilot & (week == t))
        new = follows & (week == t)
        lead += share[new].sum() - new.sum() * share[open_units].mean()
    return float(lead / follows.sum())


@statistic("count")
def units_adopted_within(run, weeks: int = 13) -> float:
    """Units that had adopted the practice (pilots included) `weeks` after the first pilots
    started (adoptions.csv); NaN if no pilot started."""
    table = run.adoptions
    if table.empty:
        return math.nan
    week = table["adopted_week"].to_numpy(dtype=float, na_value=np.nan)
    start = week[table["pilot"].to_numpy(dtype=bool)].min()
    return float((week <= start + weeks).sum())


@statistic("SD")
def motivated_activity_in_sd(run, top_share: float = 0.25) -> float:
    """Recent activity at the run's end of the intrinsically motivated (the top `top_share` of
    households by motivation before any points scheme), in standard deviations of recent
    activity across all households (recent activity: the exponential average of weeks active,
    memory 13 weeks). Between two arms on the same seeds, the difference is the after-effect d
    of tests/test_points_after_effect.py for these households, each arm standardised by its
    own spread."""
    hh = run.model.households
    baseline = hh.baseline_motivation
    motivated = baseline >= np.quantile(baseline, 1.0 - top_share)
    spread = float(hh.activity.std())
    return float(hh.activity[motivated].mean()) / spread if spread > 0 else math.nan


@statistic("share")
def motivated_crowded_out_share(run, top_share: float = 0.25) -> float:
    """Share of the intrinsic motivation of the intrinsically motivated (the top `top_share` of
    households by motivation before any points scheme) that is crowded out at the run's end:
    1 - their motivation over their motivation before the scheme."""
    hh = run.model.households
    baseline = hh.baseline_motivation
    motivated = baseline >= np.quantile(baseline, 1.0 - top_share)
    before = float(baseline[motivated].sum())
    return 1.0 - float(hh.motivation[motivated].sum()) / before if before > 0 else math.nan


# ------------------------------------------------------------------------------ crowdfunding
def elevator_voters(run, kind: str) -> pd.DataFrame:
    """Households that voted on a project of this kind."""
    rows = run.contributions
    return rows[(rows["kind"] == kind) & rows["voted"].astype(bool)]


@statistic("share")
def yes_share_by_floor(
    run, kind: str = "elevator", floor_min: int = 1, floor_max: int = 99
) -> float:
    """Share voting yes among the voters on floors floor_min..floor_max of this kind's votes."""
    voters = elevator_voters(run, kind)
    voters = voters[(voters["floor"] >= floor_min) & (voters["floor"] <= floor_max)]
    return mean_or_nan(voters["yes"].astype(float))


@statistic("share")
def support_gradient(run, kind: str = "elevator", low_max: int = 1, high_min: int = 3) -> float:
    """Yes share of voters on floors >= high_min minus that on floors <= low_max, over this
    kind's votes: how much support rises with floor."""
    voters = elevator_voters(run, kind)
    yes = voters["yes"].astype(float)
    high = mean_or_nan(yes[voters["floor"] >= high_min])
    low = mean_or_nan(yes[voters["floor"] <= low_max])
    return high - low


@statistic("share")
def opposition_share_low_floors(run, kind: str = "elevator", floor_max: int = 2) -> float:
    """Share of the no votes on this kind's projects cast on floors 1..floor_max."""
    voters = elevator_voters(run, kind)
    against = voters[~voters["yes"].astype(bool)]
    return mean_or_nan(against["floor"] <= floor_max)


@statistic("share")
def consent_rate(run, kind: str = "elevator") -> float:
    """Share of this kind's projects put to a vote that passed."""
    projects = run.projects
    voted = projects[(projects["kind"] == kind) & (projects["week_voted"] >= 0)]
    return mean_or_nan(voted["consent_result"] == "passed")


@statistic("weeks")
def weeks_to_target(run, kind: str) -> float:
    """Median weeks from the vote to the target among this kind's funded projects."""
    projects = run.projects
    funded = projects[(projects["kind"] == kind) & (projects["weeks_to_target"] >= 0)]
    return float(funded["weeks_to_target"].median()) if len(funded) else math.nan


@statistic("share")
def funded_share(run, kind: str) -> float:
    """Share of this kind's consented projects whose campaign reached its target."""
    projects = run.projects
    consented = projects[(projects["kind"] == kind) & (projects["consent_result"] == "passed")]
    return mean_or_nan(consented["week_funded"] >= 0)


@statistic("count")
def projects_funded(run, kind: str) -> float:
    """Projects of this kind that reached their target."""
    projects = run.projects
    return float(((projects["kind"] == kind) & (projects["week_funded"] >= 0)).sum())


@statistic("share")
def pipeline_share(run, stage: str, kind: str = "elevator") -> float:
    """A stage's count over the applications of this kind (S4: 101 applied, 89 qualified, 38
    consented, 23 built or under way); stage 'built_or_under_way' adds the two."""
    shape = run.summary["crowdfunding"]["by_kind"].get(kind)
    if not shape or not shape["applied"]:
        return math.nan
    if stage == "built_or_under_way":
        count = shape["built"] + shape["under_construction"]
    else:
        count = shape[stage]
    return count / shape["applied"]


# ------------------------------------------------------------------------------ votes
@statistic("share")
def vote_yes_share(run, subject: str, passed_only: bool = False) -> float:
    """Yes votes over turnout by headcount, pooled over the votes on a subject (only the votes
    that passed, with passed_only)."""
    votes = run.votes
    votes = votes[votes["subject"] == subject]
    if passed_only:
        votes = votes[votes["passed"].astype(bool)]
    turnout = votes["turnout"].sum()
    return float(votes["yes_headcount"].sum() / turnout) if turnout else math.nan


# ------------------------------------------------------------------------------ disputes
def closed_cross_party(run) -> pd.DataFrame:
    """Cross-party disputes that left the bilateral and mediation stages."""
    disputes = run.disputes
    return disputes[
        disputes["kind"].isin(CROSS_PARTY_KINDS)
        & ~disputes["stage"].isin(["bilateral", "mediation"])
    ]


@statistic("share")
def cross_party_settled_within(run, weeks: int = 8) -> float:
    """Share of closed cross-party disputes (parking, illegal structures) resolved within
    `weeks` weeks of being raised."""
    closed = closed_cross_party(run)
    return mean_or_nan((closed["stage"] == "resolved") & (closed["weeks_open"] <= weeks))


@statistic("days")
def cross_party_days_to_settle(run) -> float:
    """Mean days from raising to resolution of the resolved cross-party disputes (a week is
    7 days; S3: waste pavilions approved in about 10 days)."""
    closed = closed_cross_party(run)
    return mean_or_nan(closed.loc[closed["stage"] == "resolved", "weeks_open"] * 7.0)


# ------------------------------------------------------------------------------ in the worker
def code_sha256() -> str:
    """Hash of this module's source: the code version of the statistics."""
    with open(__file__, "rb") as source:
        return hashlib.sha256(source.read()).hexdigest()


def statistic_value(run, name: str, args: tuple[tuple[str, Any], ...]) -> float:
    """One statistic of one run."""
    value = STATISTICS[name].function(run, **dict(args))
    return float(value) if value is not None else math.nan


def measure_run(run, requests: tuple[tuple[str, str, tuple[tuple[str, Any], ...]], ...]) -> dict:
    """The requested statistics of a run, by column: requests are (column, name, args)."""
    return {column: statistic_value(run, name, args) for column, name, args in requests}
