"""The tables a run writes, as CSV, Parquet or both (`cogov run --format`).

CSV is what a spreadsheet opens; Parquet keeps column types and reads many times faster into
pandas, polars or R's arrow, as a sweep's tables already are. Both are written from the same
frame, so they hold the same rows and values.
"""

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas is imported by whoever has a frame; `cogov --help` needs none
    import pandas as pd

#: `--format` choices and the files each writes.
FORMAT_CHOICES = {"csv": ("csv",), "parquet": ("parquet",), "both": ("csv", "parquet")}


def write_table(frame: "pd.DataFrame", folder: Path, name: str, formats: tuple[str, ...]) -> None:
    """folder/name.csv and/or folder/name.parquet from `frame`, without its index."""
    for fmt in formats:
        path = folder / f"{name}.{fmt}"
        if fmt == "csv":
            frame.to_csv(path, index=False)
        else:
            frame.to_parquet(path, index=False)


def convert_csv(folder: Path, name: str, formats: tuple[str, ...]) -> None:
    """A table already written as folder/name.csv, also or instead as Parquet."""
    if "parquet" not in formats:
        return
    import pandas as pd

    path = folder / f"{name}.csv"
    pd.read_csv(path, low_memory=False).to_parquet(folder / f"{name}.parquet", index=False)
    if "csv" not in formats:
        path.unlink()
