"""`cogov run --format`: the tables as CSV, Parquet or both, holding the same rows and values."""

from pathlib import Path

import pandas as pd
import pytest

from sim.cli import main
from sim.runner import RECORD_TABLES

TABLES = ("timeseries", *RECORD_TABLES)
#: Small runs that fill most tables: a fee spiral (disputes, meetings) and a crowdfunding one.
RUN = ["--steps", "12", "--quiet", "--set", "warmup_weeks=0"]


def run(out: Path, scenario: str, fmt: str, *extra: str) -> Path:
    assert main(["run", scenario, "--out", str(out), "--format", fmt, *RUN, *extra]) == 0
    return out


@pytest.mark.parametrize("scenario", ["fee_spiral", "elevator_retrofit"])
def test_both_formats_hold_the_same_table(tmp_path, scenario):
    out = run(tmp_path / "both", scenario, "both")
    filled = 0
    for name in TABLES:
        text = (out / f"{name}.csv").read_text(encoding="utf-8")
        frame = pd.read_parquet(out / f"{name}.parquet")
        # the Parquet table written back as CSV gives the CSV file's very bytes: same rows,
        # columns, order and values (and types that print the same)
        assert frame.to_csv(index=False) == text, name
        filled += len(frame) > 0
    assert filled >= 3


def test_parquet_alone_writes_no_csv_and_is_reproducible(tmp_path):
    first = run(tmp_path / "a", "fee_spiral", "parquet")
    second = run(tmp_path / "b", "fee_spiral", "parquet")
    assert not list(first.glob("*.csv"))
    for name in TABLES:
        assert (first / f"{name}.parquet").read_bytes() == (second / f"{name}.parquet").read_bytes()
    assert pd.read_parquet(first / "timeseries.parquet")["step"].tolist() == list(range(13))


def test_a_city_writes_its_merged_tables_as_parquet(tmp_path):
    out = tmp_path / "city"
    sets = ["--set", "city.communities=3", "--set", "structure.compounds=2"]
    assert main(["run", "default", "--out", str(out), "--format", "both", *RUN, *sets]) == 0
    for name in (*TABLES, "communities"):
        text = (out / f"{name}.csv").read_text(encoding="utf-8")
        frame = pd.read_parquet(out / f"{name}.parquet")
        assert len(frame) == len(pd.read_csv(out / f"{name}.csv")), name
        if name != "timeseries" and name != "communities":
            assert list(frame.columns[:1]) == ["community"], name
        if name == "communities":
            assert frame.to_csv(index=False) == text
    assert sorted(pd.read_parquet(out / "communities.parquet")["community"]) == [0, 1, 2]


def test_an_unknown_format_is_refused_in_one_line(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["run", "fee_spiral", "--out", str(tmp_path / "x"), "--format", "xlsx"])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "--format" in err and "csv" in err and "parquet" in err
    assert not (tmp_path / "x").exists()
