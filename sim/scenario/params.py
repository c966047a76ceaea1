"""The unit vocabulary and the declaration helpers every scenario parameter goes through.

A parameter is declared once, with its default, range, unit, description and source; the CLI,
the documentation and the experiment layer all read these declarations back. Each helper names
a kind of quantity (a share, a probability, a weekly rate, an amount in yuan...) and carries its
unit and the range that unit implies, so a declaration states only what is its own: its default,
description and source, and the bounds its unit does not already give. `param()` stays for the
odd ones; it too accepts only a unit of the vocabulary (`UNITS`), so that the vocabulary stays one.
"""

import types
import typing
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator


class Section(BaseModel):
    """A scenario section: typed, validated, and closed to unknown keys."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    @field_validator("*", mode="before")
    @classmethod
    def _no_boolean_number(cls, value: Any, info: ValidationInfo) -> Any:
        """Refuse true/false for a number (pydantic would read them as 1 and 0)."""
        if isinstance(value, bool) and is_number(cls.model_fields[info.field_name].annotation):
            raise ValueError("a boolean is not a number")
        return value


def is_number(annotation: Any) -> bool:
    """Whether a field holds an int or a float (also when optional)."""
    union = typing.get_origin(annotation) in (typing.Union, types.UnionType)
    kinds = typing.get_args(annotation) if union else (annotation,)
    return bool(set(kinds) & {int, float}) and bool not in kinds


@dataclass(frozen=True)
class Unit:
    """A unit of the vocabulary: its name as the docs show it, what it measures, and the range
    it implies (None where it implies no bound)."""

    name: str
    meaning: str
    ge: float | None = None
    le: float | None = None


#: Units of a 0-1 scale, each with what it measures.
ZERO_TO_ONE = {
    "share": "a fraction of a population or of an amount",
    "probability": "the chance of an event, per occasion",
    "level": "a position on a 0-1 scale: trust, quality, effort, support",
    "share of the gap": "the fraction of the distance to a target closed per step",
}

#: Units of quantities that are never negative, each with what it measures.
NON_NEGATIVE = {
    "ratio": "a multiple of a reference quantity",
    "weight": "the weight of a term in a sum",
    "drive": "a push on the participation drive (the scale of its threshold)",
    "grievance": "an amount of a household's grievance",
    "1/week": "a weekly rate or chance",
    "1/month": "a monthly rate or chance",
    "1/year": "a yearly rate",
    "week": "a week of the run, counted from week 0",
    "weeks": "a duration in weeks",
    "months": "a duration in months",
    "years": "a duration in years",
    "hours": "a duration in hours",
    "yuan": "an amount of money",
    "yuan/month": "an amount of money each month",
    "yuan/year": "an amount of money each year",
    "yuan/household": "an amount of money for each household",
    "yuan/point": "the money a point buys",
    "yuan/m2/month": "money per square metre of floor area each month",
    "points/hour": "points earned per hour",
    "points/week": "points earned per week",
    "m": "metres",
    "m2": "square metres",
}

#: The things a count may count (each its own unit, never negative).
COUNTED = (
    "communities",
    "compounds",
    "buildings",
    "units",
    "floors",
    "flats",
    "households",
    "ties",
    "items",
    "attempts",
    "complaints",
    "events",
)

#: Units that imply no range, each with what it measures.
ANY_RANGE = {
    "logit": "a term of a log-odds",
    "logit/month": "a term of a log-odds gained per month",
    "logit/month of income": "a log-odds term per month of household income",
    "log yuan": "the natural logarithm of an amount in yuan",
    "path": "a file path, relative to the scenario file",
    "-": "no unit: a switch, a choice, a name, a seed or a shape constant",
}

#: Every unit a scenario parameter may carry, by name.
UNITS: dict[str, Unit] = {
    **{name: Unit(name, meaning, 0, 1) for name, meaning in ZERO_TO_ONE.items()},
    **{name: Unit(name, meaning, 0) for name, meaning in NON_NEGATIVE.items()},
    **{name: Unit(name, f"a number of {name}", 0) for name in COUNTED},
    **{name: Unit(name, meaning) for name, meaning in ANY_RANGE.items()},
}

#: Units that are pure numbers: a value reads without its unit beside it.
PURE_NUMBERS = frozenset(
    {"-", "share", "probability", "level", "share of the gap", "ratio", "weight", "drive"}
)

#: The longest run in weeks (100 years): the upper bound of every week of the run.
LONGEST_RUN_WEEKS = 5200


def known_unit(unit: str) -> str:
    """`unit` itself; ValueError if it is not in the vocabulary (which stays one)."""
    if unit not in UNITS:
        raise ValueError(f"unit {unit!r} is not in the vocabulary: {', '.join(UNITS)}")
    return unit


def param(
    default: Any,
    description: str,
    *,
    unit: str,
    source: str = "",
    ge: float | None = None,
    le: float | None = None,
    gt: float | None = None,
) -> Any:
    """Declare a scenario parameter with its range, unit (one of `UNITS`) and source."""
    extra = {"unit": known_unit(unit), "source": source}
    return Field(default, description=description, ge=ge, le=le, gt=gt, json_schema_extra=extra)


def in_unit(
    unit: str,
    default: float,
    description: str,
    source: str,
    ge: float | None = None,
    le: float | None = None,
    gt: float | None = None,
) -> Any:
    """A parameter bounded by its unit's range, narrowed where `ge`, `le` or `gt` is given
    (`gt` replaces the unit's lower bound)."""
    implied = UNITS[unit]
    low = None if gt is not None else (implied.ge if ge is None else ge)
    high = implied.le if le is None else le
    return param(default, description, unit=unit, source=source, ge=low, le=high, gt=gt)


def share(default: float, description: str, *, source: str, **bounds: float) -> Any:
    """A fraction of a population or of an amount, in [0, 1]."""
    return in_unit("share", default, description, source, **bounds)


def probability(default: float, description: str, *, source: str) -> Any:
    """The chance of an event on one occasion, in [0, 1]."""
    return in_unit("probability", default, description, source)


def level(default: float, description: str, *, source: str, **bounds: float) -> Any:
    """A position on a 0-1 scale (trust, quality, effort, support), in [0, 1]."""
    return in_unit("level", default, description, source, **bounds)


def mean_level(default: float, description: str, *, source: str) -> Any:
    """The mean of a level drawn from a Beta distribution, in [0.01, 0.99] (a Beta's mean lies
    strictly inside (0, 1))."""
    return in_unit("level", default, description, source, ge=0.01, le=0.99)


def gap_share(default: float, description: str, *, source: str, **bounds: float) -> Any:
    """The share of the distance to a target closed at each step or event, in [0, 1]."""
    return in_unit("share of the gap", default, description, source, **bounds)


def weekly_rate(default: float, description: str, *, source: str, le: float = 1) -> Any:
    """A weekly rate or chance, in [0, 1] unless `le` says otherwise."""
    return in_unit("1/week", default, description, source, le=le)


def monthly_rate(default: float, description: str, *, source: str, le: float = 1) -> Any:
    """A monthly rate or chance, in [0, 1] unless `le` says otherwise."""
    return in_unit("1/month", default, description, source, le=le)


def yearly_rate(default: float, description: str, *, source: str, le: float = 1) -> Any:
    """A yearly rate, in [0, 1] unless `le` says otherwise."""
    return in_unit("1/year", default, description, source, le=le)


def ratio(default: float, description: str, *, le: float, source: str, **bounds: float) -> Any:
    """A multiple of a reference quantity, from 0 (or `ge`, `gt`) to `le`."""
    return in_unit("ratio", default, description, source, le=le, **bounds)


def weight(default: float, description: str, *, le: float, source: str) -> Any:
    """The weight of a term in a sum, from 0 to `le`."""
    return in_unit("weight", default, description, source, le=le)


def drive(default: float, description: str, *, le: float, source: str, **bounds: float) -> Any:
    """A push on a household's participation drive, from 0 (or `gt`) to `le`."""
    return in_unit("drive", default, description, source, le=le, **bounds)


def logit(default: float, description: str, *, source: str, ge: float = 0, le: float = 50) -> Any:
    """A term of a log-odds: a weight in [0, 50] unless `ge`, `le` say otherwise."""
    return in_unit("logit", default, description, source, ge=ge, le=le)


def grievance(default: float, description: str, *, le: float, source: str) -> Any:
    """An amount of grievance, from 0 to `le`."""
    return in_unit("grievance", default, description, source, le=le)


def weeks(default: float, description: str, *, le: float, source: str, ge: float = 0) -> Any:
    """A duration in weeks, from `ge` (0) to `le`."""
    return in_unit("weeks", default, description, source, ge=ge, le=le)


def months(default: float, description: str, *, le: float, source: str, **bounds: float) -> Any:
    """A duration in months, from 0 (or `ge`, `gt`) to `le`."""
    return in_unit("months", default, description, source, le=le, **bounds)


def week_number(default: int, description: str, *, source: str, ge: int = 0) -> Any:
    """A week of the run, from `ge` (0) to the longest run."""
    return in_unit("week", default, description, source, ge=ge, le=LONGEST_RUN_WEEKS)


def count(
    default: float, description: str, *, of: str, le: float, source: str, ge: float = 0
) -> Any:
    """A number of things (`of`: households, floors, compounds...), from `ge` (0) to `le`."""
    return in_unit(of, default, description, source, ge=ge, le=le)


def yuan(
    default: float,
    description: str,
    *,
    le: float,
    source: str,
    per: str = "",
    gt: float | None = None,
) -> Any:
    """An amount of money, from 0 (or above `gt`) to `le`; `per` names what it is counted for
    (month, year, household, point, m2/month)."""
    unit = f"yuan/{per}" if per else "yuan"
    return in_unit(unit, default, description, source, le=le, gt=gt)


def switch(default: bool, description: str, *, source: str = "") -> Any:
    """A yes/no setting."""
    return param(default, description, unit="-", source=source)


def choice(default: str, description: str, *, source: str) -> Any:
    """One of a few named options (the field's Literal type lists them)."""
    return param(default, description, unit="-", source=source)


def text(default: str, description: str, *, source: str = "", pattern: str | None = None) -> Any:
    """A name or a line of text, matching `pattern` where one is given."""
    extra = {"unit": "-", "source": source}
    return Field(default, description=description, pattern=pattern, json_schema_extra=extra)


def param_list(
    default_factory: typing.Callable[[], list], description: str, *, unit: str, source: str = ""
) -> Any:
    """A list-valued parameter (its items typed by the field), built fresh for each scenario."""
    extra = {"unit": known_unit(unit), "source": source}
    return Field(default_factory=default_factory, description=description, json_schema_extra=extra)
