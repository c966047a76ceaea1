"""The benchmark command runs end to end in its quick form (timings are not asserted)."""

import csv
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_quick_benchmarks_write_a_table_with_ratios(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--out", str(tmp_path)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=300,
    )
    rows = list(csv.DictReader((tmp_path / "benchmarks.csv").open()))
    names = {row["benchmark"] for row in rows}
    assert {"run_default_end_to_end", "stepping_3k", "build_10k"} <= names
    assert all(float(row["ratio"]) > 0 for row in rows)


def test_only_the_chosen_suites_run(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--only", "build", "--out", str(tmp_path)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=300,
    )
    rows = list(csv.DictReader((tmp_path / "benchmarks.csv").open()))
    assert rows and all(row["benchmark"].startswith("build_") for row in rows)
