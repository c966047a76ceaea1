"""The common row format: one figure of ours against a reference figure."""

import csv
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Row:
    """One benchmark result; `ratio` is ours / reference."""

    benchmark: str
    ours: float
    reference: float
    unit: str
    note: str = ""

    @property
    def ratio(self) -> float:
        """Ours divided by the reference (nan when the reference is zero)."""
        return self.ours / self.reference if self.reference else float("nan")


COLUMNS = ("benchmark", "ours", "reference", "unit", "ratio", "note")


def cells(row: Row) -> tuple[str, ...]:
    """The row as display strings, in COLUMNS order."""
    return (
        row.benchmark,
        number(row.ours),
        number(row.reference),
        row.unit,
        f"{row.ratio:.2f}",
        row.note,
    )


def number(x: float) -> str:
    """A figure to about three significant digits, with thousands separators."""
    if abs(x) >= 100:
        return f"{x:,.0f}"
    return f"{x:.3g}"


def format_table(rows: list[Row]) -> str:
    """Rows as a plain-text table with aligned columns (figures right-aligned)."""
    body = [COLUMNS, *(cells(r) for r in rows)]
    widths = [max(len(line[i]) for line in body) for i in range(len(COLUMNS))]
    right = {1, 2, 4}

    def render(line: tuple[str, ...]) -> str:
        parts = [
            s.rjust(w) if i in right else s.ljust(w)
            for i, (s, w) in enumerate(zip(line, widths, strict=True))
        ]
        return "  ".join(parts).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([render(body[0]), rule, *(render(line) for line in body[1:])])


def write_csv(rows: list[Row], path: Path) -> None:
    """Rows as CSV with a header and figures to six significant digits."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(COLUMNS)
        for r in rows:
            figures = (f"{r.ours:.6g}", f"{r.reference:.6g}", r.unit, f"{r.ratio:.4g}")
            writer.writerow([r.benchmark, *figures, r.note])
