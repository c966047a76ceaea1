"""The generated reference tables cover the whole schema, and docs/ODD.md carries them as generated."""

import json
import shutil
from pathlib import Path

import pytest
from pydantic import BaseModel

from sim import reference
from sim.metrics import REPORTERS
from sim.scenario.schema import Scenario

REGENERATE = "docs/ODD.md is out of date: run `.venv/bin/python -m sim.reference`"


def schema_leaves(model: type[BaseModel] = Scenario, prefix: str = "") -> dict[str, object]:
    """Every value field of the schema as dotted key -> field info, found independently."""
    leaves: dict[str, object] = {}
    for name, field in model.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            leaves.update(schema_leaves(annotation, f"{prefix}{name}."))
        else:
            leaves[f"{prefix}{name}"] = field
    return leaves


def table_rows(markdown: str) -> dict[str, list[str]]:
    """Rows of the parameter tables keyed by the dotted name in their first cell."""
    rows = {}
    for line in markdown.splitlines():
        if not line.startswith("| `"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
        rows[cells[0].strip("`")] = cells
    return rows


def parse_default(text: str) -> object:
    """A default as written in the table back to a Python value."""
    if text in ("true", "false"):
        return text == "true"
    if text.startswith('"') and text.endswith('"'):
        return text[1:-1]
    if text.startswith("["):
        return json.loads(text)
    return float(text)


def test_every_schema_parameter_has_a_row_with_its_default_and_unit():
    rows = table_rows(reference.parameter_tables())
    leaves = schema_leaves()
    assert leaves, "the schema should declare parameters"
    missing = sorted(set(leaves) - set(rows))
    assert not missing, f"parameters missing from the tables: {missing}"
    for key, field in leaves.items():
        name, default, _range, unit, description, _source = rows[key]
        expected = field.get_default(call_default_factory=True)
        written = parse_default(default)
        if isinstance(expected, list) and expected and isinstance(expected[0], BaseModel):
            expected = [str(getattr(entry, "name", i)) for i, entry in enumerate(expected)]
        if isinstance(expected, bool | str | list):
            assert written == expected, key
        else:
            assert written == pytest.approx(float(expected), rel=1e-6), key
        extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
        assert unit == extra.get("unit", ""), key
        assert description == (field.description or ""), key


def test_ranges_come_from_the_constraints():
    rows = table_rows(reference.parameter_tables())
    assert rows["structure.share_without_firm"][2] == "[0, 1]"
    assert rows["participation.noise"][2] == "(0, 1]"
    assert rows["mechanisms.points.enabled"][2] == "true, false"


def test_every_output_column_is_documented():
    table = reference.output_columns()
    for name in ["step", *REPORTERS]:
        assert f"| `{name}` |" in table, name


def test_update_odd_fills_the_markers_then_reports_no_change(tmp_path: Path):
    copy = tmp_path / "ODD.md"
    copy.write_text(
        "x\n<!-- parameter-tables:start -->\nold\n<!-- parameter-tables:end -->\n"
        "<!-- output-columns:start -->\n<!-- output-columns:end -->\ny\n",
        encoding="utf-8",
    )
    assert reference.update_odd(copy) is True
    text = copy.read_text(encoding="utf-8")
    assert text.startswith("x\n") and text.endswith("y\n")
    assert reference.update_odd(copy) is False


def test_odd_document_is_current(tmp_path: Path):
    assert reference.ODD_PATH.is_file(), "docs/ODD.md is missing"
    text = reference.ODD_PATH.read_text(encoding="utf-8")
    for markers, content in reference.rendered_blocks().items():
        assert reference.marked_block(text, markers) == content.strip(), REGENERATE
    copy = tmp_path / "ODD.md"
    shutil.copy(reference.ODD_PATH, copy)
    assert reference.update_odd(copy) is False, REGENERATE
