"""The declaration helper every scenario parameter goes through.

A parameter is declared once, with its default, range, unit, description and source; the CLI,
the documentation and the experiment layer all read these declarations back.
"""

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Section(BaseModel):
    """A scenario section: typed, validated, and closed to unknown keys."""

    model_config = ConfigDict(extra="forbid", frozen=True)


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
