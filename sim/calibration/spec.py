"""The calibration file's schema: a base scenario and run settings, targets (a statistic of a
run with its observed value), free parameters with priors, and the ABC-SMC settings.

Closed to unknown keys; sim.calibration.loader reads a file against it and checks every
scenario key, prior range, statistic and CSV column.
"""

import math
from typing import Annotated, Literal, Self

from pydantic import Field, model_validator

from sim.experiments.spec import NAME_PATTERN, SEED_MAX, Closed

#: Aggregations of a series of numbers (a time-series window, or a CSV column).
AGGREGATES = ("mean", "median", "min", "max", "sum", "first", "last")
Aggregate = Literal["mean", "median", "min", "max", "sum", "first", "last"]


# ------------------------------------------------------------------------------ targets
class SeriesStatistic(Closed):
    """An aggregate of one time-series column over a window of weeks (negative weeks count
    back from the run's last week: from_week -52 is the last year)."""

    column: str = Field(min_length=1, description="a time-series column, e.g. fee_collection_rate")
    aggregate: Aggregate = "mean"
    from_week: int = Field(0, description="first week of the window (negative: from the end)")
    to_week: int | None = Field(None, description="last week of the window (default: the last)")


class CsvObservation(Closed):
    """An observed value read from a CSV of the community's own records: one row of a column,
    or an aggregate of the whole column."""

    file: str = Field(min_length=1, description="path, relative to the calibration file")
    column: str = Field(min_length=1)
    row: int | None = Field(None, description="a row index (negative: from the end)")
    aggregate: Aggregate | None = None

    @model_validator(mode="after")
    def _one_reading(self) -> Self:
        if (self.row is None) == (self.aggregate is None):
            raise ValueError("give exactly one of row and aggregate")
        return self


class Target(Closed):
    """A statistic of a run and the community's observed value of it.

    `sd` is the observation's standard deviation (or tolerance): with `distance: fixed` the
    distance counts each target's miss in units of it; the predictive check draws it as the
    band around the observed value.
    """

    summary: str | None = Field(
        None,
        description="a run's summary metric, e.g. last_year.fee_collection_rate_last_year_mean",
    )
    series: SeriesStatistic | None = None
    per: str | None = Field(
        None, description="divide by this summary metric (a share), e.g. final.disputes_raised"
    )
    observed: float | CsvObservation
    sd: float = Field(gt=0, description="standard deviation or tolerance of the observed value")
    weight: float = Field(1.0, gt=0, description="relative weight in the distance")

    @model_validator(mode="after")
    def _one_statistic(self) -> Self:
        if (self.summary is None) == (self.series is None):
            raise ValueError("give exactly one of summary and series")
        if isinstance(self.observed, float) and not math.isfinite(self.observed):
            raise ValueError("observed must be finite")
        return self


# ------------------------------------------------------------------------------ priors
class UniformPrior(Closed):
    """Uniform on [low, high]."""

    prior: Literal["uniform"]
    low: float
    high: float

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if not (math.isfinite(self.low) and math.isfinite(self.high)) or self.low >= self.high:
            raise ValueError("low must be finite and below high")
        return self


class LogUniformPrior(UniformPrior):
    """Uniform in the logarithm on [low, high], 0 < low."""

    prior: Literal["log_uniform"]

    @model_validator(mode="after")
    def _positive(self) -> Self:
        if self.low <= 0:
            raise ValueError("low must be above 0")
        return self


class NormalPrior(Closed):
    """Normal with `mean` and `sd`, truncated to the scenario key's range where it has one."""

    prior: Literal["normal"]
    mean: float
    sd: float = Field(gt=0)


class TruncatedNormalPrior(NormalPrior):
    """Normal with `mean` and `sd`, truncated to [low, high] (each defaults to the key's bound)."""

    prior: Literal["truncated_normal"]
    low: float | None = None
    high: float | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.low is not None and self.high is not None and self.low >= self.high:
            raise ValueError("low must be below high")
        return self


Prior = Annotated[
    UniformPrior | LogUniformPrior | NormalPrior | TruncatedNormalPrior,
    Field(discriminator="prior"),
]


# ------------------------------------------------------------------------------ settings
class RunSettings(Closed):
    """How each particle is simulated."""

    steps: int | None = Field(None, ge=1, le=5200, description="weeks (default: the scenario's)")
    seeds: int = Field(1, ge=1, le=1000, description="runs per particle; statistics are means")


class AbcSettings(Closed):
    """ABC-SMC (pyabc): population, stopping rules, distance, epsilon schedule and seed."""

    population: int = Field(
        100, ge=2, le=1_000_000, description="accepted particles per generation"
    )
    generations: int = Field(8, ge=1, le=1000, description="most generations")
    min_epsilon: float = Field(0.0, ge=0, description="stop once epsilon falls to this")
    max_simulations: int | None = Field(None, ge=1, description="stop after this many simulations")
    min_acceptance_rate: float = Field(0.0, ge=0, le=1, description="stop below this rate")
    distance: Literal["adaptive", "fixed"] = "adaptive"
    p: float = Field(2.0, ge=1, description="the p of the p-norm distance")
    quantile: float = Field(
        0.5, gt=0, lt=1, description="epsilon: this quantile of the last generation's distances"
    )
    seed: int = Field(0, ge=0, le=SEED_MAX, description="root of every particle's seeds")


class Outputs(Closed):
    """What is made from the posterior."""

    point: Literal["mean", "map"] = Field("mean", description="the calibrated scenario's values")
    predictive_draws: int = Field(50, ge=1, le=100_000, description="posterior predictive runs")


# ------------------------------------------------------------------------------ the file
class CalibrationSpec(Closed):
    """A calibration file as written."""

    name: str | None = Field(None, pattern=NAME_PATTERN)
    description: str = ""
    scenario: str = Field(min_length=1, description="base scenario: a file or a shipped name")
    set: dict[str, object] = Field(default_factory=dict, description="fixed scenario overrides")
    run: RunSettings = Field(default_factory=RunSettings)
    targets: dict[str, Target] = Field(min_length=1)
    parameters: dict[str, Prior] = Field(min_length=1)
    abc: AbcSettings = Field(default_factory=AbcSettings)
    outputs: Outputs = Field(default_factory=Outputs)
