"""One-line errors for the files the project reads (scenarios, experiments, calibrations, the
pattern catalogue): `ScenarioError`, and the translation of a pydantic ValidationError into one.

A line reads ``FILE: FIELD: what is wrong (what is allowed)``. The field is the path as the
user wrote it, list entries and mapping keys in brackets
(``parameters[households.renter_share].low``, ``patterns[fee_trap].checks[0]``) or, in a
scenario, dotted as a ``--set`` key writes them (``mechanisms.crowdfunding.kinds.0.cost_min``).
What is allowed is read from the schema: the known keys for an unknown key, the choices of a
discriminated union, the type with its range, unit and length, a literal's choices.
"""

import dataclasses
import reprlib
import types
import typing
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

#: How error lines show a value: its repr, cut short.
SHORT = reprlib.Repr(maxlevel=2, maxtuple=4, maxlist=4, maxdict=4, maxstring=60, maxother=60)
BOUNDS = (("ge", ">="), ("gt", ">"), ("le", "<="), ("lt", "<"))
TYPE_WORDS = {int: "an integer", float: "a number", str: "a string", bool: "true or false"}
#: Units that say nothing in an error line.
NO_UNIT = ("", "-")


class ScenarioError(ValueError):
    """A file that cannot be used, with the file, the field and what is allowed."""

    def __init__(self, file: str, field: str, problem: str, allowed: str = "") -> None:
        self.file, self.field, self.problem, self.allowed = file, field, problem, allowed
        text = f"{file}: {field}: {problem}"
        super().__init__(f"{text} ({allowed})" if allowed else text)

    def __reduce__(self):
        """Pickle by its parts (it is raised in workers, and read in the parent)."""
        return type(self), (self.file, self.field, self.problem, self.allowed)


@dataclass(frozen=True)
class Style:
    """How a kind of file names a place and says what is allowed there."""

    #: Name a list entry by this key of its own (the catalogue's ids), else by its index.
    label: str = ""
    #: Entries and mapping keys as dotted parts, as a ``--set`` key writes them (scenarios),
    #: rather than in brackets.
    dotted: bool = False
    #: Add each key's description to what is allowed (the experiment-layer files word their
    #: descriptions as what a key allows).
    descriptions: bool = False


@dataclass
class Place:
    """Where a pydantic error location points in a schema."""

    #: The path as the user wrote it, e.g. ``patterns[fee_trap].checks[0].expect``.
    text: str = ""
    #: The section holding the last key (for an unknown key: the keys it knows).
    owner: type[BaseModel] | None = None
    #: The declaration of the last key, None past a list entry or where the schema ends.
    field: FieldInfo | None = None
    #: The type expected at the location and its constraints (None where the schema ends).
    annotation: Any = None
    metadata: list[Any] = dataclasses.field(default_factory=list)
    #: The name of the key that tells a discriminated union's forms apart ("type", "method").
    discriminator: str | None = None
    #: The location ends on one form of a union: (the union, the field that declares it).
    form_of: tuple[Any, FieldInfo | None] | None = None
    #: The location names a mapping's key itself, not its value.
    is_key: bool = False


def unwrap(annotation: Any, metadata: list[Any]) -> tuple[Any, list[Any]]:
    """An annotation without its ``Annotated`` wrapper, the constraints gathered (those of a
    ``Field(...)`` inside it too)."""
    while typing.get_origin(annotation) is typing.Annotated:
        annotation, *extra = typing.get_args(annotation)
        for item in extra:
            metadata = [*metadata, item, *getattr(item, "metadata", [])]
    return annotation, metadata


def union_forms(annotation: Any) -> list[Any]:
    """The forms a union allows, None left out (pydantic reads ``X | None`` as X)."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return [a for a in typing.get_args(annotation) if a is not type(None)]
    return [annotation]


def is_section(annotation: Any) -> bool:
    """Whether an annotation is a pydantic model (a section of keys)."""
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def form_matches(form: Any, label: Any, discriminator: str | None) -> bool:
    """Whether pydantic's label of a union form (its tag, or e.g. 'float', 'list[int]')
    names `form`."""
    if discriminator is not None:
        tag = form.model_fields.get(discriminator) if is_section(form) else None
        return tag is not None and label in typing.get_args(tag.annotation)
    origin = typing.get_origin(form)
    if origin is typing.Literal:
        return str(label).startswith("literal[")
    if origin is not None:
        return str(label).startswith(f"{origin.__name__}[")
    name = getattr(form, "__name__", None)  # a validated model's label names it last
    return name is not None and (label == name or str(label).endswith((f" {name}]", f"[{name}]")))


def locate(
    model: type[BaseModel], loc: tuple[Any, ...], data: Any = None, style: Style = Style()
) -> Place:
    """Follow a pydantic location (or a dotted key's parts) through a schema.

    A list entry is named by its index, or by the style's label key where the data gives one
    (the catalogue names patterns and checks by id); a mapping's key by the key; pydantic's
    label of a union form adds nothing to the path.
    """
    place = Place(annotation=model)
    node = data
    for part in loc:
        if part == "[key]":  # pydantic's label of a mapping's key (every schema here: a string)
            place.annotation, place.metadata, place.field, place.is_key = str, [], None, True
            continue
        forms = union_forms(place.annotation)
        place.form_of = None
        if len(forms) > 1:
            chosen = [f for f in forms if form_matches(f, part, place.discriminator)]
            place.form_of = (place.annotation, place.field)
            place.annotation, place.metadata = unwrap(chosen[0] if chosen else None, [])
            place.discriminator = None
            continue
        annotation = forms[0]
        item = child(node, part)
        if typing.get_origin(annotation) in (list, dict):
            name = item.get(style.label) if style.label and isinstance(item, dict) else None
            place.text += f".{name or part}" if style.dotted else f"[{name or part}]"
            place.annotation, place.metadata = unwrap(typing.get_args(annotation)[-1], [])
            place.discriminator = discriminator_of(place.metadata)
            place.field, node = None, item
            continue
        place.text += f".{part}" if place.text else str(part)
        place.owner = annotation if is_section(annotation) else None
        place.field = place.owner.model_fields.get(part) if place.owner else None
        if place.field is not None:
            place.annotation, place.metadata = unwrap(
                place.field.annotation, list(place.field.metadata)
            )
            place.discriminator = place.field.discriminator or discriminator_of(place.metadata)
        else:
            place.annotation, place.metadata = None, []
        node = item
    return place


def child(node: Any, part: Any) -> Any:
    """The value at a key or index of the validated data, None where it has none."""
    if isinstance(node, dict):
        return node.get(part)
    if isinstance(node, list) and isinstance(part, int) and -len(node) <= part < len(node):
        return node[part]
    return None


def discriminator_of(metadata: list[Any]) -> str | None:
    """The discriminator that a ``Field(discriminator=...)`` among the constraints names."""
    return next((m.discriminator for m in metadata if getattr(m, "discriminator", None)), None)


def either(choices: list[str]) -> str:
    """'a, b or c'."""
    return " or ".join([", ".join(choices[:-1]), choices[-1]] if len(choices) > 1 else choices)


def describe(annotation: Any, metadata: list[Any] = (), discriminator: str | None = None) -> str:
    """What a type allows, in words: 'a number >= 0 and <= 1', "'unit' or 'building'",
    'a mapping with type: real or integer'."""
    annotation, metadata = unwrap(annotation, list(metadata))
    forms = union_forms(annotation)
    discriminator = discriminator or discriminator_of(metadata)
    if len(forms) > 1 and discriminator is not None:
        tags = [repr(t) for form in forms for t in tags_of(form, discriminator)]
        return f"a mapping with {discriminator}: {either(tags)}"
    if len(forms) > 1:
        return either([describe(form) for form in forms])
    annotation = forms[0]
    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        return either([repr(c) for c in typing.get_args(annotation)])
    if origin is list:
        text, each = "a list", ", each entry " + describe(typing.get_args(annotation)[0])
    elif origin is dict or annotation is dict:
        text, each = "a mapping", ""
    elif is_section(annotation):
        text, each = f"a mapping ({annotation.__name__})", ""
    else:
        text = TYPE_WORDS.get(annotation) or getattr(annotation, "__name__", str(annotation))
        each = ""
    bounds = [
        f"{symbol} {getattr(m, name)}"
        for m in metadata
        for name, symbol in BOUNDS
        if getattr(m, name, None) is not None
    ]
    items = ("character", "characters") if annotation is str else ("entry", "entries")
    lengths = [
        f"{words} {count} {items[count != 1]}"
        for m in metadata
        for name, words in (("min_length", "at least"), ("max_length", "at most"))
        if (count := getattr(m, name, None)) is not None
    ]
    if bounds:
        text += " " + " and ".join(bounds)
    if lengths:
        text += " of " + " and ".join(lengths)
    if pattern := next((m.pattern for m in metadata if getattr(m, "pattern", None)), None):
        text += f" matching {pattern}"
    return text + each


def unit_of(info: FieldInfo | None) -> str:
    """A field's unit, where it declares one that says something."""
    extra = info.json_schema_extra if info is not None else None
    unit = str(extra.get("unit", "")) if isinstance(extra, dict) else ""
    return "" if unit in NO_UNIT else unit


def is_mismatch(error: dict[str, Any]) -> bool:
    """Whether an error says the input is of another type than the form expected."""
    return error["type"].endswith(("_type", "_parsing")) or error["type"] == "literal_error"


def fits_no_form(place: Place, error: dict[str, Any]) -> bool:
    """Whether an error only says that the input is not one form of a union (another form
    may still fit it, or none)."""
    return place.form_of is not None and is_mismatch(error)


def description(info: FieldInfo | None, style: Style) -> str:
    """A key's description, where the style shows descriptions and the key has one."""
    return info.description if style.descriptions and info and info.description else ""


def allowed(place: Place, error: dict[str, Any], style: Style) -> str:
    """What the schema allows at the error's place, for the line's closing brackets."""
    ctx = error.get("ctx") or {}
    if fits_no_form(place, error):
        union, info = place.form_of
        return description(info, style) or describe(union)
    if place.annotation is None:  # past the schema's end: only pydantic's context is left
        limits = [f"{symbol} {ctx[name]}" for name, symbol in BOUNDS if name in ctx]
        return " and ".join(limits) or str(ctx.get("expected", ""))
    if error["type"] == "value_error" and is_section(place.annotation):
        return ""  # a rule across a section's keys: its message says what is allowed
    said = description(place.field, style)
    if said and len(union_forms(place.annotation)) > 1:
        return said  # a union's description says its forms better than their types
    text = describe(place.annotation, place.metadata, place.discriminator)
    if unit := unit_of(place.field):
        text += f", in {unit}"
    text = f"required, {text}" if error["type"] == "missing" else text
    return f"{text}; {said}" if said else text


def translate(
    exc: ValidationError,
    file: str,
    model: type[BaseModel],
    style: Style = Style(),
    data: Any = None,
) -> ScenarioError:
    """A pydantic error of `model` read from `file` as one ScenarioError line.

    One error is reported: an unknown key first (a misspelt key also makes the intended one
    missing), then one that says more than that the input is not one form of a union. `data`
    is what was validated, for a style that names list entries by a key of theirs.
    """
    errors = exc.errors()
    places = [locate(model, tuple(e["loc"]), data, style) for e in errors]
    first = min(
        range(len(errors)),
        key=lambda i: (errors[i]["type"] != "extra_forbidden", fits_no_form(places[i], errors[i])),
    )
    error, place = errors[first], places[first]
    kind, ctx = error["type"], error.get("ctx") or {}
    where = place.text or "file"
    if kind == "extra_forbidden":
        known = ", ".join(place.owner.model_fields) if place.owner is not None else ""
        return ScenarioError(file, where, "unknown key", f"known: {known}" if known else "")
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        key = place.discriminator or str(ctx.get("discriminator", "type")).strip("'")
        tags = [t for form in union_forms(place.annotation) for t in tags_of(form, key)]
        got = f", got {ctx['tag']!r}" if "tag" in ctx else ""
        return ScenarioError(
            file, f"{where}.{key}", f"missing or unknown {key}{got}", "one of: " + ", ".join(tags)
        )
    if fits_no_form(place, error):
        problem = "fits none of the allowed forms"
    else:
        problem = error["msg"].removeprefix("Value error, ")
    if place.is_key:
        problem = f"the key: {problem}"
    given = error.get("input")
    # a section's own rule gets the whole section as input: its message names the keys
    if (
        "input" in error
        and kind != "missing"
        and not (isinstance(given, dict) and kind == "value_error")
    ):
        problem = f"{problem}, got {SHORT.repr(given)}"
    return ScenarioError(file, where, problem, allowed(place, error, style))


def tags_of(form: Any, key: str) -> tuple[Any, ...]:
    """The values of a union form's discriminator key."""
    info = form.model_fields.get(key) if is_section(form) else None
    return typing.get_args(info.annotation) if info is not None else ()
