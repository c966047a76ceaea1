"""Reference tables rendered from the code: every scenario parameter and every output column.

The parameter tables are read from the pydantic schema (`Scenario.model_fields`, recursing into
sections), so the documentation cannot drift from the declarations; the output columns are read
from `sim.metrics.REPORTERS` and their docstrings. `python -m sim.reference` rewrites the marked
blocks of docs/ODD.md in place, and the output catalogue that files are checked against
(sim/outputs.py).
"""

import inspect
import json
import re
import sys
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from sim.mechanisms import BUILT_MECHANISMS
from sim.metrics import REPORTERS, city_merge_text
from sim.outputs import CATALOGUE_PATH, write_catalogue
from sim.scenario.params import UNITS, Unit
from sim.scenario.schema import Scenario

ODD_PATH = Path(__file__).resolve().parents[1] / "docs" / "ODD.md"

PARAMETER_MARKERS = ("<!-- parameter-tables:start -->", "<!-- parameter-tables:end -->")
OUTPUT_MARKERS = ("<!-- output-columns:start -->", "<!-- output-columns:end -->")

#: The column the runner puts before the reporters in timeseries.csv.
STEP_COLUMN = ("step", "Week of the run (0 = the initial state, before the first step).")

PARAMETER_HEADER = (
    "| name | default | range | unit | description | source |\n|---|---|---|---|---|---|"
)
UNIT_HEADER = "| unit | what it measures | range it implies |\n|---|---|---|"
OUTPUT_HEADER = "| column | meaning | city run |\n|---|---|---|"


@dataclass(frozen=True)
class ParameterRow:
    """One scenario parameter as documented."""

    name: str  # dotted key, e.g. service.fee_per_m2
    default: Any
    range: str
    unit: str
    description: str
    source: str


def is_section(field: FieldInfo) -> bool:
    """Whether a field holds a nested section rather than a value."""
    annotation = field.annotation
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def format_value(value: Any) -> str:
    """A default or bound as it reads in a table (YAML spelling for booleans and text)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list) and value and all(isinstance(v, BaseModel) for v in value):
        return json.dumps([entry_label(v, i) for i, v in enumerate(value)])
    return str(value)


def entry_label(entry: BaseModel, index: int) -> str:
    """How a dotted key names an entry of a list of sections: its `name`, else its index."""
    return str(getattr(entry, "name", index))


def list_item_section(field: FieldInfo) -> type[BaseModel] | None:
    """The section type of a field holding a list of sections (e.g. project kinds), or None."""
    if typing.get_origin(field.annotation) is list:
        args = typing.get_args(field.annotation)
        if args and isinstance(args[0], type) and issubclass(args[0], BaseModel):
            return args[0]
    return None


def entry_rows(entry: BaseModel, prefix: str) -> list["ParameterRow"]:
    """The value fields of one default entry of a list of sections, with the entry's values."""
    rows = []
    for name, field in type(entry).model_fields.items():
        extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
        rows.append(
            ParameterRow(
                name=f"{prefix}{name}",
                default=getattr(entry, name),
                range=format_range(field),
                unit=str(extra.get("unit", "")),
                description=field.description or "",
                source=str(extra.get("source", "")),
            )
        )
    return rows


def format_range(field: FieldInfo) -> str:
    """The allowed interval from ge/gt/le/lt constraints, e.g. ``[0, 1]`` or ``(0, 5]``."""
    low = high = None
    low_open = high_open = False
    for meta in field.metadata:
        for name, is_low, is_open in (
            ("ge", True, False),
            ("gt", True, True),
            ("le", False, False),
            ("lt", False, True),
        ):
            bound = getattr(meta, name, None)
            if bound is None:
                continue
            if is_low:
                low, low_open = bound, is_open
            else:
                high, high_open = bound, is_open
    if field.annotation is bool:
        return "true, false"
    if low is None and high is None:
        return "any" if field.annotation is not str else "text"
    left = "(-inf" if low is None else ("(" if low_open else "[") + format_value(low)
    right = "inf)" if high is None else format_value(high) + (")" if high_open else "]")
    return f"{left}, {right}"


def cell(text: str) -> str:
    """Text safe inside a markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ").strip()


def parameter_rows(
    model: type[BaseModel] = Scenario, prefix: str = ""
) -> Iterator[tuple[str, type[BaseModel], list[ParameterRow]]]:
    """Each section as (dotted name, section class, its own value fields), depth first.

    The top-level section has the empty name; nested sections follow their parent. A list of
    sections (e.g. `mechanisms.crowdfunding.kinds`) has a row naming its default entries, and
    each default entry a table of its own (`...kinds.elevator`) right after its parent's.
    """
    rows: list[ParameterRow] = []
    nested: list[tuple[str, type[BaseModel]]] = []
    entries: list[tuple[str, type[BaseModel], list[ParameterRow]]] = []
    for name, field in model.model_fields.items():
        key = f"{prefix}{name}"
        if is_section(field):
            nested.append((key, field.annotation))
            continue
        if list_item_section(field) is not None:
            for i, entry in enumerate(field.get_default(call_default_factory=True)):
                label = f"{key}.{entry_label(entry, i)}"
                entries.append((label, type(entry), entry_rows(entry, f"{label}.")))
        extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
        rows.append(
            ParameterRow(
                name=key,
                default=field.get_default(call_default_factory=True),
                range=format_range(field),
                unit=str(extra.get("unit", "")),
                description=field.description or "",
                source=str(extra.get("source", "")),
            )
        )
    yield prefix.rstrip("."), model, rows
    yield from entries
    for key, section in nested:
        yield from parameter_rows(section, f"{key}.")


def all_parameters() -> list[ParameterRow]:
    """Every scenario parameter, in schema order."""
    return [row for _, _, rows in parameter_rows() for row in rows]


def section_title(name: str, section: type[BaseModel]) -> str:
    """Heading and one-line description of a section."""
    doc = inspect.getdoc(section) or ""
    summary = doc.splitlines()[0] if doc else ""
    if not name:
        return f"#### Scenario (top level)\n\n{summary}"
    title = f"#### `{name}`\n\n{summary}"
    if name.startswith("mechanisms."):
        mechanism = name.removeprefix("mechanisms.").split(".")[0]
        if mechanism not in BUILT_MECHANISMS:
            title += " Planned: not built yet; enabling it is a scenario error."
    return title


def implied_range(unit: Unit) -> str:
    """The range a unit implies, as the unit table shows it."""
    if unit.ge is None and unit.le is None:
        return "any"
    if unit.le is None:
        return f">= {format_value(unit.ge)}"
    return f"[{format_value(unit.ge)}, {format_value(unit.le)}]"


def unit_table() -> str:
    """Markdown table of the unit vocabulary that every parameter's unit comes from."""
    lines = [
        "#### Units\n\nThe vocabulary of the unit column (`UNITS`, `sim/scenario/params.py`).",
        "",
        UNIT_HEADER,
    ]
    for unit in UNITS.values():
        lines.append(f"| {cell(unit.name)} | {cell(unit.meaning)} | {implied_range(unit)} |")
    return "\n".join(lines)


def parameter_tables() -> str:
    """Markdown tables of the unit vocabulary and of every scenario parameter, one per section."""
    blocks = [unit_table()]
    for name, section, rows in parameter_rows():
        if not rows:
            continue
        lines = [section_title(name, section), "", PARAMETER_HEADER]
        for row in rows:
            lines.append(
                f"| `{row.name}` | {cell(format_value(row.default))} | {cell(row.range)} "
                f"| {cell(row.unit)} | {cell(row.description)} | {cell(row.source)} |"
            )
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def output_columns() -> str:
    """Markdown table of the columns of timeseries.csv, from the reporters' docstrings, with
    how each combines over the communities of a city run (`sim.metrics.CITY_MERGE`)."""
    lines = [OUTPUT_HEADER, f"| `{STEP_COLUMN[0]}` | {STEP_COLUMN[1]} | the same |"]
    for name, reporter in REPORTERS.items():
        doc = inspect.getdoc(reporter) or ""
        lines.append(f"| `{name}` | {cell(' '.join(doc.split()))} | {city_merge_text(name)} |")
    return "\n".join(lines)


def rendered_blocks() -> dict[tuple[str, str], str]:
    """What belongs between each pair of markers."""
    return {PARAMETER_MARKERS: parameter_tables(), OUTPUT_MARKERS: output_columns()}


def marked_block(text: str, markers: tuple[str, str]) -> str:
    """The text between a pair of markers (stripped); ValueError if the markers are missing."""
    start, end = markers
    match = re.search(re.escape(start) + r"(.*?)" + re.escape(end), text, flags=re.DOTALL)
    if match is None:
        raise ValueError(f"markers {start} ... {end} not found")
    return match.group(1).strip()


def replace_block(text: str, markers: tuple[str, str], content: str) -> str:
    """The text with the block between a pair of markers replaced by `content`."""
    marked_block(text, markers)
    start, end = markers
    pattern = re.escape(start) + r".*?" + re.escape(end)
    return re.sub(pattern, lambda _: f"{start}\n{content}\n{end}", text, count=1, flags=re.DOTALL)


def update_odd(path: Path | str = ODD_PATH) -> bool:
    """Rewrite the marked blocks of the ODD document; True if the file changed."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    updated = text
    for markers, content in rendered_blocks().items():
        updated = replace_block(updated, markers, content)
    if updated == text:
        return False
    path.write_text(updated, encoding="utf-8")
    return True


def main(argv: list[str] | None = None) -> int:
    """Rewrite docs/ODD.md (or the file given) and say whether it changed."""
    args = sys.argv[1:] if argv is None else argv
    path = Path(args[0]) if args else ODD_PATH
    changed = update_odd(path)
    print(f"{path}: {'updated' if changed else 'already current'}")
    if not args:
        changed = write_catalogue()
        print(f"{CATALOGUE_PATH}: {'updated' if changed else 'already current'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
