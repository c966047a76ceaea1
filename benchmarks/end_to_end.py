"""A whole run as a user starts it, end to end: `cogov run default` as a process (start-up,
imports, building, the weeks, every table and figure written) against Mesa's VirusOnNetwork
example run as a process at the same number of nodes and steps, collecting its data with Mesa's
DataCollector and writing it as CSV.

Each pair is run back to back, the order alternating, and the row gives the medians:

    run_default_end_to_end   runs per second of ours / runs per second of the reference

``python -m benchmarks.end_to_end virus NODES STEPS OUT`` is the reference process.
"""

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.table import Row

PAIRS = 5
QUICK_PAIRS = 2
QUICK_STEPS = 20


def timed(command: list[str]) -> float:
    """Wall seconds of a command run to its end (it must succeed)."""
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def ours_command(out: Path, steps: int | None) -> list[str]:
    """`cogov run default` with its outputs into `out`."""
    extra = ["--steps", str(steps)] if steps else []
    return [sys.executable, "-m", "sim.cli", "run", "default", "--out", str(out), "--quiet", *extra]


def virus_command(nodes: int, steps: int, out: Path) -> list[str]:
    """The reference process."""
    return [
        sys.executable,
        "-m",
        "benchmarks.end_to_end",
        "virus",
        str(nodes),
        str(steps),
        str(out),
    ]


def run(quick: bool) -> list[Row]:
    """The end-to-end row: medians of paired runs, alternating which goes first."""
    from sim.scenario.loader import load_scenario

    steps = QUICK_STEPS if quick else load_scenario("default").steps
    pairs = QUICK_PAIRS if quick else PAIRS
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        subprocess.run(ours_command(root / "size", steps), check=True, stdout=subprocess.DEVNULL)
        summary = json.loads((root / "size" / "summary.json").read_text())
        nodes = int(summary["community"]["households"])
        ours, virus = [], []
        for pair in range(pairs):
            first_ours = pair % 2 == 0
            for which in ("ours", "virus") if first_ours else ("virus", "ours"):
                out = root / f"{which}{pair}"
                if which == "ours":
                    ours.append(timed(ours_command(out, steps)))
                else:
                    virus.append(timed(virus_command(nodes, steps, out)))
    mine, theirs = statistics.median(ours), statistics.median(virus)
    return [
        Row(
            "run_default_end_to_end",
            1 / mine,
            1 / theirs,
            "runs/s",
            f"{nodes:,} households, {steps} weeks; median of {pairs} paired processes: ours "
            f"{mine:.2f} s (range {min(ours):.2f}-{max(ours):.2f}), VirusOnNetwork with "
            f"DataCollector and CSV {theirs:.2f} s ({min(virus):.2f}-{max(virus):.2f})",
        )
    ]


def virus_process(nodes: int, steps: int, out: Path) -> None:
    """The reference: build VirusOnNetwork, step it, write its collected series as CSV."""
    from benchmarks.virus import build_virus

    model = build_virus(nodes)
    for _ in range(steps):
        model.step()
    out.mkdir(parents=True, exist_ok=True)
    model.datacollector.get_model_vars_dataframe().to_csv(out / "timeseries.csv")


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "virus":
        virus_process(int(sys.argv[2]), int(sys.argv[3]), Path(sys.argv[4]))
    else:
        raise SystemExit("usage: python -m benchmarks.end_to_end virus NODES STEPS OUT")
