"""The pattern catalogue (experiments/patterns.yaml): schema and loader.

A pattern names a shipped scenario (or a file), fixed overrides, the arms it compares, the
conditions drawn from documented ranges (a Latin hypercube with a fixed seed, optionally with
the shipped scenario itself first), the number of seeds, and its checks. A check names a
statistic of sim.validation.statistics, how it compares arms, the expected region with its
tolerance, the source of the expectation, and a falsifier: overrides (a mechanism switched
off or broken) under which the same check must fail, so that the check is shown able to fail.

Everything is checked on load, before anything runs: unknown keys, statistics and their
arguments, every scenario key against the Scenario schema, every arm and falsifier at the
edges of every range. Every failure is a `ScenarioError`, one line: ``FILE: FIELD: problem
(allowed)``, as for scenario and experiment files.
"""

import copy
import hashlib
import inspect
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sim.experiments.loader import (
    base_scenario_path,
    candidate_values,
    check_key,
    check_type,
)
from sim.experiments.spec import (
    SEED_MAX,
    BooleanParameter,
    CategoricalParameter,
    IntegerParameter,
    RealParameter,
)
from sim.scenario.errors import Style, translate
from sim.scenario.loader import ScenarioError, apply_override, build_scenario, read_yaml_mapping
from sim.validation.statistics import STATISTICS

DEFAULT_CATALOGUE = Path(__file__).resolve().parents[2] / "experiments" / "patterns.yaml"
ID_PATTERN = r"^[a-z][a-z0-9_]{0,49}$"
#: Statistic arguments that name a time-series column.
SERIES_ARGUMENTS = ("column", "leader", "follower")


class Closed(BaseModel):
    """A part of the catalogue: typed and closed to unknown keys."""

    model_config = ConfigDict(extra="forbid")


Range = Annotated[
    RealParameter | IntegerParameter | CategoricalParameter | BooleanParameter,
    Field(discriminator="type"),
]


class Source(Closed):
    """Where an expectation or figure comes from."""

    key: Literal["S0", "S1", "S2", "S3", "S4", "lit"] = Field(
        description="an article key S0-S4, or lit for the research literature"
    )
    figure: str = Field(min_length=1, description="the figure or claim, as the source gives it")


class Expectation(Closed):
    """The expected region: min and/or max, widened by the tolerance on each side."""

    min: float | None = None
    max: float | None = None
    tolerance: float = Field(0.0, ge=0, description="how far outside [min, max] still passes")

    @model_validator(mode="after")
    def _bounded(self) -> Self:
        if self.min is None and self.max is None:
            raise ValueError("give min, max or both")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("min must not exceed max")
        return self

    def region(self) -> tuple[float, float]:
        """The region that passes, tolerance included."""
        low = -math.inf if self.min is None else self.min - self.tolerance
        high = math.inf if self.max is None else self.max + self.tolerance
        return low, high

    def holds(self, value: float | None) -> bool:
        """Whether an estimate lies in the region (NaN or None never does)."""
        if value is None or math.isnan(value):
            return False
        low, high = self.region()
        return low <= value <= high

    def text(self) -> str:
        """The expectation in words, e.g. '<= 0.3 (tolerance 0.1)'."""
        if self.min is not None and self.max is not None:
            core = f"in [{self.min:g}, {self.max:g}]"
        elif self.min is not None:
            core = f">= {self.min:g}"
        else:
            core = f"<= {self.max:g}"
        return f"{core} (tolerance {self.tolerance:g})" if self.tolerance else core


class Falsifier(Closed):
    """Overrides under which the check must fail: proof that it can."""

    set: dict[str, Any] = Field(min_length=1, description="scenario overrides, by dotted key")
    arm: str | None = Field(None, description="apply to this arm only (default: every arm)")
    why: str = Field(min_length=1, description="what the overrides break")


class Check(Closed):
    """One statistic, compared within or between arms, against an expected region."""

    id: str = Field(pattern=ID_PATTERN)
    claim: str = Field(min_length=1, description="what the check says, in words")
    statistic: str = Field(description="a statistic of sim.validation.statistics")
    args: dict[str, Any] = Field(default_factory=dict)
    compare: Literal["level", "difference", "logit_difference", "log_ratio"] = "level"
    arm: str
    against: str | None = Field(None, description="the other arm of a comparison")
    offset: float = Field(
        0.0, ge=0, description="added to both arms before a log ratio (counts that may be 0)"
    )
    expect: Expectation
    falsifier: Falsifier
    source: Source
    known_failure: str = Field(
        "",
        description="a failure found and reported, not yet fixed in the model: the check runs "
        "and is reported, and does not make the command fail",
    )

    @model_validator(mode="after")
    def _arms(self) -> Self:
        if self.compare == "level" and self.against is not None:
            raise ValueError("a level check takes no 'against' arm")
        if self.compare != "level" and self.against is None:
            raise ValueError(f"a {self.compare} check needs an 'against' arm")
        if self.against is not None and self.against == self.arm:
            raise ValueError("'against' must be another arm")
        return self

    def arms(self) -> list[str]:
        """The arms this check reads."""
        return [self.arm] if self.against is None else [self.arm, self.against]


class ArticleFigure(Closed):
    """A model figure to set beside an article's figure in the report."""

    label: str = Field(min_length=1)
    source: Source
    article_value: float | None = Field(None, description="the article's number, on the same scale")
    statistic: str
    args: dict[str, Any] = Field(default_factory=dict)
    arm: str


class Conditions(Closed):
    """Where a pattern is checked: the shipped scenario and/or Latin hypercube samples of the
    ranges (scipy.stats.qmc, fixed seed)."""

    shipped: bool = Field(True, description="include the scenario as given as condition 0")
    samples: int = Field(0, ge=0, le=1000, description="Latin hypercube points over the ranges")
    seed: int = Field(0, ge=0, le=SEED_MAX, description="the sampler's seed")
    ranges: dict[str, Range] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _some(self) -> Self:
        if not self.shipped and self.samples == 0:
            raise ValueError("no conditions: set shipped: true or samples >= 1")
        if self.samples and not self.ranges:
            raise ValueError("samples need ranges")
        return self


class Pattern(Closed):
    """One of the patterns of DOMAIN section 5, as checks over conditions and seeds."""

    id: str = Field(pattern=ID_PATTERN)
    number: int = Field(ge=1, le=99, description="its number in DOMAIN section 5")
    title: str = Field(min_length=1)
    status: Literal["complete", "proxy"] = Field(
        "complete", description="proxy: checked by what today's model can compute"
    )
    pending: str = Field("", description="for a proxy: what to change once the feature exists")
    scenario: str = Field(min_length=1, description="base scenario: a file or a shipped name")
    set: dict[str, Any] = Field(default_factory=dict, description="fixed scenario overrides")
    arms: dict[str, dict[str, Any]] = Field(min_length=1, description="arm name -> overrides")
    conditions: Conditions = Field(default_factory=Conditions)
    seeds: int = Field(3, ge=1, le=10_000, description="replications per condition and arm")
    seed: int = Field(0, ge=0, le=SEED_MAX, description="root seed of the runs")
    checks: list[Check] = Field(min_length=1)
    figures: list[ArticleFigure] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        for i, check in enumerate(self.checks):
            for arm in [*check.arms(), check.falsifier.arm]:
                if arm is not None and arm not in self.arms:
                    raise ValueError(f"checks[{i}] names arm {arm!r}, not one of {list(self.arms)}")
        for i, figure in enumerate(self.figures):
            if figure.arm not in self.arms:
                raise ValueError(f"figures[{i}] names arm {figure.arm!r}")
        ids = [c.id for c in self.checks]
        if len(set(ids)) != len(ids):
            raise ValueError("check ids must be distinct")
        if self.status == "proxy" and not self.pending:
            raise ValueError("a proxy pattern says what is pending")
        return self


class CatalogueSpec(Closed):
    """The catalogue file."""

    description: str = ""
    patterns: list[Pattern] = Field(min_length=1)

    @model_validator(mode="after")
    def _distinct(self) -> Self:
        ids = [p.id for p in self.patterns]
        if len(set(ids)) != len(ids):
            raise ValueError("pattern ids must be distinct")
        return self


@dataclass(frozen=True)
class Catalogue:
    """A validated catalogue: the spec, its text and each pattern's base scenario data."""

    spec: CatalogueSpec
    file: str
    text: str
    bases: dict[str, dict[str, Any]]  # pattern id -> base scenario data with `set` applied

    @property
    def sha256(self) -> str:
        """Hash of the catalogue file's text."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    @property
    def patterns(self) -> list[Pattern]:
        """The patterns, in file order."""
        return self.spec.patterns

    def pattern(self, pattern_id: str) -> Pattern:
        """The pattern with this id."""
        for pattern in self.patterns:
            if pattern.id == pattern_id:
                return pattern
        raise KeyError(pattern_id)


def load_catalogue(source: str | Path = DEFAULT_CATALOGUE) -> Catalogue:
    """Read and validate a pattern catalogue; raise ScenarioError on the first problem."""
    path = Path(source)
    file = str(source)
    if not path.is_file():
        raise ScenarioError(file, "file", "no such catalogue file", "a YAML pattern catalogue")
    data = read_yaml_mapping(path)
    text = path.read_text(encoding="utf-8")
    try:
        spec = CatalogueSpec.model_validate(data)
    except ValidationError as exc:
        raise catalogue_error(exc, data, file) from None
    bases = {}
    for pattern in spec.patterns:
        where = f"patterns[{pattern.id}]"
        check_statistics(pattern, file, where)
        bases[pattern.id] = check_scenarios(pattern, path.parent, file, where)
    return Catalogue(spec=spec, file=file, text=text, bases=bases)


def check_statistics(pattern: Pattern, file: str, where: str) -> None:
    """Every statistic named exists and takes the arguments given."""
    items = [(f"checks[{c.id}]", c.statistic, c.args) for c in pattern.checks]
    items += [(f"figures[{i}]", f.statistic, f.args) for i, f in enumerate(pattern.figures)]
    for place, name, args in items:
        field = f"{where}.{place}"
        if name not in STATISTICS:
            raise ScenarioError(
                file,
                f"{field}.statistic",
                f"unknown statistic {name!r}",
                "known: " + ", ".join(STATISTICS),
            )
        parameters = STATISTICS[name].parameters()
        for key, value in args.items():
            if key not in parameters:
                raise ScenarioError(
                    file,
                    f"{field}.args.{key}",
                    "unknown argument",
                    f"{name} takes: " + ", ".join(parameters),
                )
            if not fits(parameters[key].annotation, value):
                raise ScenarioError(
                    file,
                    f"{field}.args.{key}",
                    f"got {value!r}",
                    f"a {type_name(parameters[key].annotation)}",
                )
            if key in SERIES_ARGUMENTS:
                check_column(value, file, f"{field}.args.{key}")
        missing = [
            k
            for k, p in parameters.items()
            if p.default is inspect.Parameter.empty and k not in args
        ]
        if missing:
            raise ScenarioError(file, f"{field}.args", f"missing {missing[0]!r}", "required")


def check_column(column: str, file: str, field: str) -> None:
    """A time-series column that a run produces."""
    from sim.outputs import output_catalogue

    known = [c for c in output_catalogue().series if c != "step"]
    if column not in known:
        raise ScenarioError(file, field, f"unknown column {column!r}", "known: " + ", ".join(known))


def fits(annotation: Any, value: Any) -> bool:
    """Whether a YAML value fits an argument's annotation (int, float, str, optionals)."""
    kinds = {int: (int,), float: (int, float), str: (str,), bool: (bool,)}
    options = getattr(annotation, "__args__", (annotation,))
    for option in options:
        if option is type(None) and value is None:
            return True
        exact = option is bool or not isinstance(value, bool)
        if option in kinds and isinstance(value, kinds[option]) and exact:
            return True
    return False


def type_name(annotation: Any) -> str:
    """The annotation in words."""
    options = getattr(annotation, "__args__", (annotation,))
    return " or ".join(
        "none" if o is type(None) else getattr(o, "__name__", str(o)) for o in options
    )


def check_scenarios(pattern: Pattern, folder: Path, file: str, where: str) -> dict[str, Any]:
    """Check every scenario key and value of a pattern; return its base data with `set`."""
    path = base_scenario_path(pattern.scenario, folder, file)
    base = read_yaml_mapping(path)
    for key, value in pattern.set.items():
        check_key(base, key, file, f"{where}.set.{key}")
        apply_override(base, key, value, file)
    build(base, {}, file, f"{where}.set")
    for key, parameter in pattern.conditions.ranges.items():
        field = f"{where}.conditions.ranges[{key}]"
        check_key(base, key, file, field)
        check_type(parameter, key, file, field)
        for attr, value in candidate_values(parameter):
            build(base, {key: value}, file, f"{field}.{attr}" if attr else field)
    for name, overrides in pattern.arms.items():
        for key in overrides:
            check_key(base, key, file, f"{where}.arms.{name}.{key}")
        build(base, overrides, file, f"{where}.arms.{name}")
    for check in pattern.checks:
        field = f"{where}.checks[{check.id}].falsifier.set"
        for key in check.falsifier.set:
            check_key(base, key, file, f"{field}.{key}")
        for arm in check.arms():
            if check.falsifier.arm in (None, arm):
                build(base, {**pattern.arms[arm], **check.falsifier.set}, file, field)
    return base


def build(base: dict[str, Any], overrides: dict[str, Any], file: str, where: str) -> None:
    """Validate the base with overrides, naming `where` in any error."""
    data = copy.deepcopy(base)
    for key, value in overrides.items():
        apply_override(data, key, value, file)
    try:
        build_scenario(data, file)
    except ScenarioError as exc:
        raise ScenarioError(file, f"{where}: {exc.field}", exc.problem, exc.allowed) from None


# ------------------------------------------------------------------------------ errors
#: Patterns and checks are named by their id; descriptions say what a key allows.
CATALOGUE_STYLE = Style(label="id", descriptions=True)


def catalogue_error(exc: ValidationError, data: Any, file: str) -> ScenarioError:
    """A pydantic error of a catalogue as one ScenarioError line, patterns and checks named
    by their id."""
    return translate(exc, file, CatalogueSpec, CATALOGUE_STYLE, data)
