"""The declaration helpers and their unit vocabulary: one vocabulary, and every parameter in it."""

import pytest
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from sim.reference import format_range
from sim.scenario.params import (
    UNITS,
    Section,
    count,
    is_number,
    param,
    share,
    weekly_rate,
    yuan,
)
from sim.scenario.schema import Scenario

#: Parameters whose range reaches past the one their unit implies, and why.
WIDER_THAN_UNIT = {
    # The mean and spread of a Normal distribution of thresholds that are shares.
    "mechanisms.pilot_first.adoption_threshold",
    "mechanisms.pilot_first.threshold_sd",
}


def schema_fields(model: type[BaseModel] = Scenario, prefix: str = "") -> dict[str, FieldInfo]:
    """Every field of the schema and of its nested sections (also list entries) by dotted key."""
    fields: dict[str, FieldInfo] = {}
    for name, field in model.model_fields.items():
        key = f"{prefix}{name}"
        fields[key] = field
        annotation = field.annotation
        inner = [annotation, *getattr(annotation, "__args__", ())]
        for section in inner:
            if isinstance(section, type) and issubclass(section, BaseModel):
                fields.update(schema_fields(section, f"{key}."))
    return fields


def unit_of(field: FieldInfo) -> str | None:
    extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
    return extra.get("unit")


def bound(field: FieldInfo, name: str) -> float | None:
    values = [getattr(m, name) for m in field.metadata if getattr(m, name, None) is not None]
    return values[0] if values else None


def test_param_refuses_a_unit_outside_the_vocabulary():
    with pytest.raises(ValueError, match="not in the vocabulary"):
        param(0.5, "A fraction", unit="[0,1]", ge=0, le=1)
    with pytest.raises(ValueError, match="not in the vocabulary"):
        param(3, "A count", unit="widgets")
    assert param(0.5, "A fraction", unit="share").json_schema_extra["unit"] == "share"


def test_a_helper_carries_its_unit_and_the_range_the_unit_implies():
    class Example(Section):
        fraction: float = share(0.3, "A fraction", source="assumed")
        commission: float = share(0.08, "A small fraction", le=0.5, source="assumed")
        needed: float = share(0.9, "A positive fraction", gt=0, source="assumed")
        chance: float = weekly_rate(0.1, "A weekly chance", source="assumed")
        price: float = yuan(1.0, "Money a point buys", gt=0, le=100, per="point", source="S4")
        floors: int = count(6, "Floors", ge=1, le=60, of="floors", source="lit")

    declared = {
        name: (format_range(field), unit_of(field)) for name, field in Example.model_fields.items()
    }
    assert declared == {
        "fraction": ("[0, 1]", "share"),
        "commission": ("[0, 0.5]", "share"),
        "needed": ("(0, 1]", "share"),
        "chance": ("[0, 1]", "1/week"),
        "price": ("(0, 100]", "yuan/point"),
        "floors": ("[1, 60]", "floors"),
    }
    with pytest.raises(ValueError):
        Example(fraction=1.2)


def test_every_parameter_has_a_unit_of_the_vocabulary():
    """Each value field goes through a helper (nested sections and the required `set` mapping
    of an intervention are not parameters)."""
    outside = {}
    for key, field in schema_fields().items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            continue
        if key == "interventions.set":
            continue
        if unit_of(field) not in UNITS:
            outside[key] = unit_of(field)
    assert not outside, f"parameters without a unit of the vocabulary: {outside}"


def test_every_range_lies_within_the_range_its_unit_implies():
    """A probability without an upper bound of 1, a negative count: refused unless listed."""
    wider = set()
    for key, field in schema_fields().items():
        unit = UNITS.get(unit_of(field) or "")
        if unit is None or not is_number(field.annotation):
            continue
        low = bound(field, "ge") if bound(field, "gt") is None else bound(field, "gt")
        high = bound(field, "le")
        if unit.ge is not None and (low is None or low < unit.ge):
            wider.add(key)
        if unit.le is not None and (high is None or high > unit.le):
            wider.add(key)
    assert wider == WIDER_THAN_UNIT
