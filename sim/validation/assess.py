"""Verdicts: each check's statistic per condition, its interval over seeds, pass or fail.

Per condition and seed, a check's value is the statistic in its arm (``level``), or the
arm's against the other arm's on the same seed: ``difference`` a - b, ``logit_difference``
logit(a) - logit(b) (shares clipped to [0.001, 0.999]), ``log_ratio`` ln((a + offset) /
(b + offset)). A seed whose value is NaN (a level never reached) is left out; the estimate
is the mean over the remaining seeds, with a 95% Student t interval (none with fewer than 2).

A check passes in a condition when the estimate lies in the expected region widened by the
tolerance (a condition with no estimate fails). A check holds when it passes in every
condition, every run finished, and its falsifier (the same statistic with a mechanism
switched off or broken) fails in every condition: a check that its falsifier passes could
not have failed, and is reported as such. A pattern holds when all its checks hold.
"""

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sim.experiments.run import OK
from sim.validation.catalogue import Check, Pattern
from sim.validation.runner import PatternRuns, falsified_label

LOGIT_CLIP = 1e-3
CONFIDENCE = 0.95


@dataclass(frozen=True)
class Estimate:
    """A mean over seeds with its 95% t interval (None with fewer than 2 seeds)."""

    mean: float
    low: float | None
    high: float | None
    seeds: int

    @property
    def note(self) -> str:
        """Why there is no interval, if there is none."""
        if self.seeds == 0:
            return "no seed gave a value"
        if self.seeds < 2:
            return "fewer than 2 seeds: no interval"
        return ""


def estimate(values: np.ndarray) -> Estimate:
    """The mean of the finite values and its t interval."""
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    n = int(values.size)
    if n == 0:
        return Estimate(math.nan, None, None, 0)
    mean = float(values.mean())
    if n < 2:
        return Estimate(mean, None, None, n)
    sem = float(values.std(ddof=1) / math.sqrt(n))
    if sem == 0.0:
        return Estimate(mean, mean, mean, n)
    from scipy import stats

    low, high = stats.t.interval(CONFIDENCE, n - 1, loc=mean, scale=sem)
    return Estimate(mean, float(low), float(high), n)


def logit(p: np.ndarray) -> np.ndarray:
    """The log odds of shares, clipped away from 0 and 1."""
    p = np.clip(np.asarray(p, dtype=float), LOGIT_CLIP, 1 - LOGIT_CLIP)
    return np.log(p / (1 - p))


def compared(check: Check, a: np.ndarray, b: np.ndarray | None) -> np.ndarray:
    """Per-seed values of a check from its arms' statistics."""
    match check.compare:
        case "level":
            return a
        case "difference":
            return a - b
        case "logit_difference":
            return logit(a) - logit(b)
        case "log_ratio":
            with np.errstate(divide="ignore", invalid="ignore"):
                return np.log((a + check.offset) / (b + check.offset))
    raise ValueError(check.compare)


@dataclass
class ConditionVerdict:
    """A check in one condition: its estimate and its falsifier's."""

    condition: int
    values: dict[str, Any]
    estimate: Estimate
    meets: bool
    falsified: Estimate
    falsified_meets: bool


@dataclass
class CheckVerdict:
    """A check over every condition."""

    check: Check
    conditions: list[ConditionVerdict]

    @property
    def passed(self) -> bool:
        """Met in every condition."""
        return all(c.meets for c in self.conditions)

    @property
    def can_fail(self) -> bool:
        """Its falsifier fails in every condition."""
        return not any(c.falsified_meets for c in self.conditions)

    @property
    def holds(self) -> bool:
        """Passed, and shown able to fail."""
        return self.passed and self.can_fail

    @property
    def result(self) -> str:
        """pass; fail; known failure (a reported finding); or passes now (a known failure
        that no longer fails: its known_failure note should go)."""
        if self.check.known_failure:
            return "passes now" if self.holds else "known failure"
        return "pass" if self.holds else "fail"

    @property
    def acceptable(self) -> bool:
        """Does not make the command fail: holds, or fails as already reported."""
        return self.holds or bool(self.check.known_failure)


@dataclass
class FigureValue:
    """A model figure beside an article's."""

    label: str
    source: str
    article_value: float | None
    estimate: Estimate
    condition: int


@dataclass
class PatternVerdict:
    """A pattern: its checks, its figures, and the runs that did not finish."""

    pattern: Pattern
    runs: PatternRuns
    checks: list[CheckVerdict]
    figures: list[FigureValue] = field(default_factory=list)

    @property
    def unfinished(self) -> int:
        """Planned runs that failed or are missing."""
        return int((self.runs.values.drop_duplicates("run_id")["status"] != OK).sum())

    @property
    def holds(self) -> bool:
        """Every check holds and every run finished."""
        return self.unfinished == 0 and all(c.holds for c in self.checks)

    @property
    def acceptable(self) -> bool:
        """Every run finished and every check holds or fails as already reported."""
        return self.unfinished == 0 and all(c.acceptable for c in self.checks)

    @property
    def result(self) -> str:
        """pass, fail, or known failure."""
        if self.holds:
            return "pass"
        return "known failure" if self.acceptable else "fail"


def arm_values(frame: pd.DataFrame, condition: int, variant: str, column: str) -> np.ndarray:
    """A variant's statistic per replication in one condition."""
    rows = frame[(frame["condition"] == condition) & (frame["variant"] == variant)]
    return rows.sort_values("replication")[column].to_numpy(dtype=float)


def check_values(frame: pd.DataFrame, check: Check, condition: int, falsified: bool) -> np.ndarray:
    """A check's per-seed values in one condition, with or without its falsifier."""
    column = f"check.{check.id}"

    def label(arm: str) -> str:
        return falsified_label(arm, check.id) if falsified else arm

    a = arm_values(frame, condition, label(check.arm), column)
    b = (
        None
        if check.against is None
        else arm_values(frame, condition, label(check.against), column)
    )
    return compared(check, a, b)


def assess(runs: PatternRuns) -> PatternVerdict:
    """The verdict of a pattern from its runs."""
    pattern, frame = runs.plan.pattern, runs.values
    verdicts = []
    for check in pattern.checks:
        conditions = []
        for c, values in enumerate(runs.plan.conditions):
            found = estimate(check_values(frame, check, c, falsified=False))
            broken = estimate(check_values(frame, check, c, falsified=True))
            conditions.append(
                ConditionVerdict(
                    condition=c,
                    values=values,
                    estimate=found,
                    meets=check.expect.holds(found.mean),
                    falsified=broken,
                    falsified_meets=check.expect.holds(broken.mean),
                )
            )
        verdicts.append(CheckVerdict(check, conditions))
    figures = [
        FigureValue(
            label=figure.label,
            source=f"{figure.source.key}: {figure.source.figure}",
            article_value=figure.article_value,
            estimate=estimate(arm_values(frame, 0, figure.arm, f"figure.{i}")),
            condition=0,
        )
        for i, figure in enumerate(pattern.figures)
    ]
    return PatternVerdict(pattern, runs, verdicts, figures)
