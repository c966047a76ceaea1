"""The declaration helper every scenario parameter goes through.

A parameter is declared once, with its default, range, unit, description and source; the CLI,
the documentation and the experiment layer all read these declarations back.
"""

import types
import typing
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


def param(
    default: Any,
    description: str,
    *,
    ge: float | None = None,
    le: float | None = None,
    gt: float | None = None,
    unit: str = "",
    source: str = "",
) -> Any:
    """Declare a scenario parameter with its range, unit and source."""
    return Field(
        default,
        description=description,
        ge=ge,
        le=le,
        gt=gt,
        json_schema_extra={"unit": unit, "source": source},
    )
