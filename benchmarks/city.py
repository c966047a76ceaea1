"""City runs: throughput, parallel speed-up and peak memory of a sharded city run.

A city run (``sim.city.run_city``, what ``cogov run city`` does) is measured against the same
communities run one after another in one process (the ``sequential`` backend), same outputs
written. Each measurement runs in a fresh interpreter (``python -m benchmarks.city probe ...``)
that writes into a temporary folder and samples, every 0.1 s, the resident set size summed over
itself and all its descendants (worker processes and the fork server); the peak of that sum is
the memory figure. Sizes: the shipped ``city`` scenario (300 default communities, 52 weeks) with
every CPU as a worker, and a scaling series over 1, 2, 4, ... workers up to the CPU count at 100
communities (``--quick``: 4 communities of 3 compounds, 10 weeks, 2 workers, both series).

``python -m benchmarks.city table [--quick]`` prints this suite's rows alone.
"""

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from benchmarks.table import Row, format_table

ROOT = Path(__file__).resolve().parents[1]
FULL = ("city", [])  # the shipped scenario: 300 communities, 52 weeks
SCALING = ("city", ["city.communities=100"])
QUICK = ("city", ["city.communities=4", "structure.compounds=3", "steps=10"])
QUICK_WORKERS = 2
SAMPLE_SECONDS = 0.1


class PeakRss:
    """The peak, sampled in a thread, of the RSS summed over this process and its descendants
    (and, if `pss`, of their proportional set size: shared pages divided among the processes
    that share them, so a library loaded by several processes counts once)."""

    def __init__(self, pss: bool = False) -> None:
        import psutil

        self.process = psutil.Process()
        self.pss = pss
        self.peak = 0
        self.peak_pss = 0
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self.watch, daemon=True)

    def sample(self) -> None:
        """Add up the tree's RSS now."""
        import psutil

        total = proportional = 0
        for process in [self.process, *self.process.children(recursive=True)]:
            with contextlib.suppress(psutil.Error):  # a process that just ended
                if self.pss:
                    info = process.memory_full_info()
                    proportional += info.pss
                else:
                    info = process.memory_info()
                total += info.rss
        self.peak = max(self.peak, total)
        self.peak_pss = max(self.peak_pss, proportional)

    def watch(self) -> None:
        while not self.stopped.wait(SAMPLE_SECONDS):
            self.sample()

    def __enter__(self) -> "PeakRss":
        self.sample()
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopped.set()
        self.thread.join()
        self.sample()


def probe(source: str, overrides: list[str], backend: str, workers: int) -> dict[str, float]:
    """Run one city in this process and measure it."""
    from sim.city import run_city
    from sim.scenario.loader import load_scenario

    scenario = load_scenario(source, overrides)
    with tempfile.TemporaryDirectory() as folder, PeakRss() as peak:
        start = time.perf_counter()
        summary = run_city(scenario, Path(folder) / "out", source, backend, workers)
        seconds = time.perf_counter() - start
    households = summary["city"]["households"]
    return {
        "communities": scenario.city.communities,
        "households": households,
        "steps": scenario.steps,
        "seconds": seconds,
        "household_weeks_per_second": households * scenario.steps / seconds,
        "peak_rss_mb": peak.peak / 2**20,
    }


def in_subprocess(size: tuple[str, list[str]], backend: str, workers: int) -> dict[str, float]:
    """`probe` in a fresh interpreter."""
    source, overrides = size
    args = [sys.executable, "-m", "benchmarks.city", "probe", source, backend, str(workers)]
    args += [f"--set={o}" for o in overrides]
    done = subprocess.run(args, capture_output=True, text=True, cwd=ROOT, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"city probe {args[3:]} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def worker_counts(cpus: int) -> list[int]:
    """1, 2, 4, ... below `cpus`, then `cpus`."""
    counts = [1]
    while counts[-1] * 2 < cpus:
        counts.append(counts[-1] * 2)
    return counts + [cpus] if cpus > 1 else counts


def label(measured: dict[str, float]) -> str:
    """e.g. 300x52w: communities x weeks."""
    return f"{measured['communities']}x{measured['steps']}w"


def run(quick: bool) -> list[Row]:
    """The sharded run against one process, and the scaling series (see the module docstring)."""
    cpus = QUICK_WORKERS if quick else os.cpu_count() or 1
    main_size, scaling_size = (QUICK, QUICK) if quick else (FULL, SCALING)
    sharded = in_subprocess(main_size, "process", cpus)
    alone = in_subprocess(main_size, "sequential", 1)
    name = f"city_{label(sharded)}"
    size = f"{sharded['communities']} communities, {sharded['households']:,} households"
    timing = (
        f"{sharded['seconds']:.1f} s on {cpus} workers, {alone['seconds']:.1f} s in one process"
    )
    rows = [
        Row(
            name,
            sharded["household_weeks_per_second"],
            alone["household_weeks_per_second"],
            "hh-weeks/s",
            f"{size}, {sharded['steps']} weeks; {timing}; ratio = parallel speed-up",
        ),
        Row(
            f"{name}_peak_rss",
            sharded["peak_rss_mb"],
            alone["peak_rss_mb"],
            "MB",
            f"{size}; peak RSS summed over the parent and its workers; ref = one process",
        ),
    ]
    cache = {cpus: sharded} if scaling_size == main_size else {}
    series = {
        k: cache.get(k) or in_subprocess(scaling_size, "process", k) for k in worker_counts(cpus)
    }
    one = series[1]
    for workers, measured in series.items():
        speed_up = one["seconds"] / measured["seconds"]
        rows.append(
            Row(
                f"city_scaling_{label(measured)}_{workers}w",
                measured["household_weeks_per_second"],
                workers * one["household_weeks_per_second"],
                "hh-weeks/s",
                f"{measured['seconds']:.1f} s, speed-up {speed_up:.2f} over 1 worker; "
                "ref = 1 worker x workers; ratio = parallel efficiency",
            )
        )
    return rows


def main() -> None:
    """`probe`: print one JSON line for one city run; `table`: print this suite's rows."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.city")
    sub = parser.add_subparsers(dest="command", required=True)
    one = sub.add_parser("probe")
    one.add_argument("source")
    one.add_argument("backend")
    one.add_argument("workers", type=int)
    one.add_argument("--set", dest="overrides", action="append", default=[])
    table = sub.add_parser("table")
    table.add_argument("--quick", action="store_true")
    a = parser.parse_args()
    if a.command == "probe":
        print(json.dumps(probe(a.source, a.overrides, a.backend, a.workers)))
    else:
        print(format_table(run(a.quick)), flush=True)


if __name__ == "__main__":
    main()
