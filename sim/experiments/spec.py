"""The experiment file's schema: a base scenario, the parameters to vary (levers and
uncertainties), a design, replications, a root seed and the outputs to keep.

Closed to unknown keys; sim.experiments.loader reads a file against it and checks every
scenario key and value.
"""

import hashlib
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from sim.scenario.schema import Scenario

NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$"
SEED_MAX = 2**63 - 1
#: Probability mass left out at each end when a distribution's quantiles stand for its range.
TAIL = 0.001
#: The most design points an experiment may have (Latin hypercube samples, factorial cells).
MAX_POINTS = 10_000_000
DEFAULT_SUMMARY = ["final.*", "last_year.*"]


class Closed(BaseModel):
    """A part of an experiment or calibration file: typed, strictly (a number is a number, not
    `true` nor a quoted "5"; a whole number stands for a real), and closed to unknown keys."""

    model_config = ConfigDict(extra="forbid", strict=True)


# ------------------------------------------------------------------------------ parameters
class RealParameter(Closed):
    """A real number drawn from [low, high]; `levels` evenly spaced values for a factorial."""

    type: Literal["real"]
    low: float
    high: float
    levels: int | None = Field(None, ge=2, le=1000)

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if not (math.isfinite(self.low) and math.isfinite(self.high)) or self.low >= self.high:
            raise ValueError("low must be finite and below high")
        return self


class IntegerParameter(Closed):
    """An integer drawn from low..high inclusive; a factorial takes every integer or `levels`."""

    type: Literal["integer"]
    low: int
    high: int
    levels: int | None = Field(None, ge=2, le=1000)

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.low >= self.high:
            raise ValueError("low must be below high")
        return self


Scalar = bool | int | float | str


class CategoricalParameter(Closed):
    """One of a list of values, each equally likely when sampled."""

    type: Literal["categorical"]
    values: list[Scalar] = Field(min_length=1, max_length=1000)

    @model_validator(mode="after")
    def _distinct(self) -> Self:
        keys = [(type(v).__name__, v) for v in self.values]
        if len(set(keys)) != len(keys):
            raise ValueError("values must be distinct")
        return self


class BooleanParameter(Closed):
    """False or true, each equally likely when sampled."""

    type: Literal["boolean"]


class DistributionParameter(Closed):
    """A draw from a continuous scipy.stats distribution, optionally truncated to [low, high]."""

    type: Literal["distribution"]
    distribution: str = Field(description="a continuous distribution of scipy.stats, e.g. norm")
    args: dict[str, float] = Field(default_factory=dict)
    low: float | None = None
    high: float | None = None
    levels: int | None = Field(None, ge=2, le=1000)

    @model_validator(mode="after")
    def _usable(self) -> Self:
        from scipy import stats

        family = getattr(stats, self.distribution, None)
        if not isinstance(family, stats.rv_continuous):
            raise ValueError(f"{self.distribution!r} is not a continuous scipy.stats distribution")
        try:
            frozen = family(**self.args)
            median = float(frozen.ppf(0.5))
        except (TypeError, ValueError) as exc:
            raise ValueError(f"bad args for {self.distribution}: {exc}") from None
        if not math.isfinite(median):
            raise ValueError(f"args {self.args} do not give a proper distribution")
        if self.low is not None and self.high is not None and self.low >= self.high:
            raise ValueError("low must be below high")
        lo, hi = self.mass_bounds()
        if hi - lo <= 0:
            raise ValueError("the distribution has no mass between low and high")
        return self

    def frozen(self):
        """The frozen scipy distribution."""
        from scipy import stats

        return getattr(stats, self.distribution)(**self.args)

    def mass_bounds(self) -> tuple[float, float]:
        """The cumulative probabilities of low and high (0 and 1 when not truncated)."""
        dist = self.frozen()
        lo = float(dist.cdf(self.low)) if self.low is not None else 0.0
        hi = float(dist.cdf(self.high)) if self.high is not None else 1.0
        return lo, hi


Parameter = Annotated[
    RealParameter
    | IntegerParameter
    | CategoricalParameter
    | BooleanParameter
    | DistributionParameter,
    Field(discriminator="type"),
]


# ------------------------------------------------------------------------------ designs
class FactorialDesign(Closed):
    """Every combination of every parameter's levels."""

    method: Literal["factorial"]


class LatinHypercubeDesign(Closed):
    """`samples` points of a Latin hypercube (scipy.stats.qmc)."""

    method: Literal["lhs"]
    samples: int = Field(ge=1, le=MAX_POINTS)
    seed: int | None = Field(None, ge=0, le=SEED_MAX)


class SobolDesign(Closed):
    """Saltelli's scheme on a scrambled Sobol' sequence (SALib): N(D+2) points, N(2D+2) with
    second-order indices."""

    method: Literal["sobol"]
    samples: int = Field(ge=2, le=2**24, description="base samples N, a power of 2")
    second_order: bool = False
    seed: int | None = Field(None, ge=0, le=SEED_MAX)

    @field_validator("samples")
    @classmethod
    def _power_of_two(cls, samples: int) -> int:
        if samples & (samples - 1):
            raise ValueError("must be a power of 2 (Sobol' balance)")
        return samples


class MorrisDesign(Closed):
    """Morris elementary-effects trajectories (SALib): trajectories x (D+1) points."""

    method: Literal["morris"]
    trajectories: int = Field(ge=2, le=1_000_000)
    levels: int = Field(4, ge=2, le=100, description="grid levels, an even number")
    seed: int | None = Field(None, ge=0, le=SEED_MAX)

    @field_validator("levels")
    @classmethod
    def _even(cls, levels: int) -> int:
        if levels % 2:
            raise ValueError("must be even")
        return levels


class CsvDesign(Closed):
    """Points the user made: a CSV file with one column per parameter, one row per point."""

    method: Literal["csv"]
    file: str = Field(min_length=1, description="path, relative to the experiment file")


Design = Annotated[
    FactorialDesign | LatinHypercubeDesign | SobolDesign | MorrisDesign | CsvDesign,
    Field(discriminator="method"),
]


# ------------------------------------------------------------------------------ outputs
class Every(Closed):
    """Every k-th step (from step 0), and the last step."""

    every: int = Field(ge=1)


class TimeseriesOutputs(Closed):
    """Which steps and columns of each run's time series to keep."""

    steps: Literal["all", "none"] | list[Annotated[int, Field(ge=0)]] | Every = Field(
        "all", description="all, none, a list of steps >= 0, or {every: K} with K >= 1"
    )
    columns: Literal["all"] | list[str] = "all"

    @field_validator("steps", mode="before")
    @classmethod
    def _every_at_least_one(cls, steps: Any) -> Any:
        """Say what is wrong with {every: K} (a union's own message names every other form)."""
        if isinstance(steps, dict):
            every = steps.get("every")
            if set(steps) != {"every"}:
                raise ValueError(
                    f"a mapping of steps holds only `every`, got {sorted(map(str, steps))}"
                )
            if not isinstance(every, int) or isinstance(every, bool) or every < 1:
                raise ValueError(f"every must be an integer >= 1, got {every!r}")
        return steps


class Outputs(Closed):
    """What each run keeps: summary metrics (names or glob patterns) and time-series steps."""

    summary: list[str] = Field(default_factory=lambda: list(DEFAULT_SUMMARY))
    timeseries: TimeseriesOutputs = Field(default_factory=TimeseriesOutputs)


# ------------------------------------------------------------------------------ the file
class ExperimentSpec(Closed):
    """An experiment file as written."""

    name: str | None = Field(None, pattern=NAME_PATTERN)
    description: str = ""
    scenario: str = Field(min_length=1, description="base scenario: a file or a shipped name")
    set: dict[str, Any] = Field(default_factory=dict, description="fixed scenario overrides")
    parameters: dict[str, Parameter] = Field(default_factory=dict)
    levers: dict[str, Parameter] = Field(default_factory=dict)
    design: Design = Field(default_factory=lambda: FactorialDesign(method="factorial"))
    replications: int = Field(1, ge=1, le=100_000)
    seed: int = Field(0, ge=0, le=SEED_MAX)
    common_random_numbers: bool = True
    outputs: Outputs = Field(default_factory=Outputs)
    timeout_seconds: float | None = Field(None, gt=0)


class SpecFile:
    """The name and hash of a validated file: a `spec` with an optional `name`, the `file` it
    was read from and its `text` (experiment and calibration files)."""

    spec: Any
    file: str
    text: str

    @property
    def name(self) -> str:
        """The `name` the file gives, else the file's stem."""
        return self.spec.name or Path(self.file).stem

    @property
    def sha256(self) -> str:
        """SHA-256 of the file's text."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Experiment(SpecFile):
    """A validated experiment: the spec and its resolved base scenario."""

    spec: ExperimentSpec
    file: str
    text: str
    base: dict[str, Any]
    base_scenario: Scenario
    scenario_file: str
    summary: list[str]
    series_steps: Literal["all", "none"] | list[int] | Every
    series_columns: list[str]

    @property
    def folder(self) -> Path:
        """The folder of the experiment file (relative paths inside it start here)."""
        return Path(self.file).parent

    def all_parameters(self) -> dict[str, Any]:
        """Levers then parameters, by dotted key."""
        return {**self.spec.levers, **self.spec.parameters}
