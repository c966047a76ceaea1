"""Sweeps: throughput and peak memory of `cogov sweep` against `mesa.batch_run`, same runs.

Both run the same tiny model (one compound of the default scenario, 20 weeks) over the same grid:
10 values of ``households.renter_share`` x replications, with 2 worker processes, keeping every
step of every time-series column (``--quick``: 20 runs of 5 weeks, no growth row). `batch_run`
cannot take a Scenario, so it drives ``KeywordCommunityModel``, a CommunityModel subclass that
takes keyword parameters. Each measurement runs in a fresh interpreter (``python -m benchmarks.sweep``):

- throughput: runs per second, wall clock from the call to its return (pool start included),
  the better of two alternating measurements of each (one with ``--quick``);
- peak memory: the parent process's peak resident set size (``VmHWM``), which is where
  `batch_run` keeps every result; ours streams them to Parquet.
"""

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.peak import peak_rss_bytes
from benchmarks.table import Row

ROOT = Path(__file__).resolve().parents[1]
VALUES = [round(0.05 + 0.05 * i, 2) for i in range(10)]
WORKERS = 2


def peak_rss_mb(who: int = resource.RUSAGE_SELF) -> float:
    """Peak resident set size in MB (of this process, or of its largest finished child)."""
    if who == resource.RUSAGE_SELF:
        return peak_rss_bytes() / 2**20
    peak = resource.getrusage(who).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10


def experiment_text(runs: int, steps: int) -> str:
    """Our experiment file for `runs` runs (10 values x runs/10 replications)."""
    return f"""\
name: bench_sweep
scenario: default
set:
  structure.compounds: 1
  steps: {steps}
parameters:
  households.renter_share: {{type: categorical, values: {VALUES}}}
replications: {runs // len(VALUES)}
seed: 1
outputs:
  summary: ["final.*", "last_year.*"]
  timeseries: {{steps: all, columns: all}}
"""


def run_ours(runs: int, steps: int) -> float:
    """Seconds for `cogov sweep` (process pool) of `runs` runs."""
    from sim.experiments.loader import load_experiment
    from sim.experiments.sweep import run_sweep

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench_sweep.yaml"
        path.write_text(experiment_text(runs, steps))
        experiment = load_experiment(path)
        start = time.perf_counter()
        result = run_sweep(experiment, Path(folder) / "out", backend="process", workers=WORKERS)
        seconds = time.perf_counter() - start
    assert result.done == runs, result
    return seconds


def run_batch_run(runs: int, steps: int) -> float:
    """Seconds for `mesa.batch_run` of the same runs, all steps collected."""
    from mesa.batchrunner import batch_run

    from benchmarks.sweep_model import KeywordCommunityModel

    start = time.perf_counter()
    results = batch_run(
        KeywordCommunityModel,
        parameters={"renter_share": VALUES, "steps": steps},
        number_processes=WORKERS,
        rng=list(range(runs // len(VALUES))),
        data_collection_period=1,
        max_steps=steps,
        display_progress=False,
    )
    seconds = time.perf_counter() - start
    assert len({(r["RunId"]) for r in results}) == runs
    return seconds


def probe(tool: str, runs: int, steps: int) -> dict[str, float]:
    """Run one sweep in this process and measure it."""
    seconds = (run_ours if tool == "ours" else run_batch_run)(runs, steps)
    return {
        "runs": runs,
        "seconds": seconds,
        "peak_rss_mb": peak_rss_mb(),
        "children_peak_rss_mb": peak_rss_mb(resource.RUSAGE_CHILDREN),
    }


def in_subprocess(tool: str, runs: int, steps: int) -> dict[str, float]:
    """`probe` in a fresh interpreter."""
    args = [sys.executable, "-m", "benchmarks.sweep", tool, str(runs), str(steps)]
    done = subprocess.run(args, capture_output=True, text=True, cwd=ROOT, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"sweep probe {args[3:]} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


OVERHEAD_EXPERIMENT = """\
name: bench_overhead
scenario: default
set:
  steps: {steps}
parameters:
  households.renter_share: {{type: categorical, values: [0.3]}}
replications: {runs}
seed: 1
outputs:
  summary: ["final.*", "last_year.*"]
  timeseries: {{steps: all, columns: all}}
"""


class OverheadRuns:
    """The runs of the overhead experiment (written in `folder`): as a sequential sweep, or
    the same scenario and seeds through `simulate` alone."""

    def __init__(self, folder: Path, runs: int, steps: int) -> None:
        from sim.experiments.loader import load_experiment
        from sim.experiments.plan import make_plan
        from sim.scenario.loader import load_scenario

        self.folder = folder
        path = folder / "overhead.yaml"
        path.write_text(OVERHEAD_EXPERIMENT.format(runs=runs, steps=steps))
        self.experiment = load_experiment(path)
        self.seeds = [int(seed) for seed in make_plan(self.experiment).unique_runs()["seed"]]
        self.scenario = load_scenario("default", [f"steps={steps}", "households.renter_share=0.3"])

    def sweep(self) -> None:
        """The runs as a sequential sweep into `folder`/out."""
        from sim.experiments.sweep import run_sweep

        run_sweep(self.experiment, self.folder / "out", backend="sequential")

    def check_stored(self) -> None:
        """The sweep stored every run (read after it is timed)."""
        from sim.experiments.storage import SweepStore

        stored = SweepStore(self.folder / "out").read_runs()["seed"].tolist()
        assert sorted(stored) == sorted(self.seeds), (stored, self.seeds)

    def direct(self) -> None:
        """The same runs through `simulate`, one after another."""
        from sim.runner import simulate

        for seed in self.seeds:
            simulate(self.scenario, seed=seed)


def overhead_seconds(runs: int, steps: int, sweep_first: bool = True) -> tuple[float, float]:
    """Seconds for `runs` runs as a sequential sweep, and for the same runs through `simulate`
    (the sweep first, or the direct runs first)."""
    with tempfile.TemporaryDirectory() as folder:
        overhead_runs = OverheadRuns(Path(folder), runs, steps)
        first, second = ("sweep", "direct") if sweep_first else ("direct", "sweep")
        seconds = {}
        for way in (first, second):
            start = time.perf_counter()
            getattr(overhead_runs, way)()
            seconds[way] = time.perf_counter() - start
        overhead_runs.check_stored()
    return seconds["sweep"], seconds["direct"]


def overhead(quick: bool) -> Row:
    """Seconds per run of the default scenario in a sequential sweep, against `simulate` alone.

    Same runs (scenario, seeds) in this process, after a short warm-up of both (imports, the
    Parquet writer), in rounds that alternate which goes first, so that a slow spell of the
    machine falls on both; the rate is over all rounds, and the note gives the range of the
    rounds' own ratios. The sweep adds resolving each run, keeping its outputs and storing
    them as Parquet parts, and once per sweep its plan and manifest (package versions), which
    here are shared by the runs of a round.
    """
    runs, steps, rounds = (2, 20, 1) if quick else (6, 260, 4)
    overhead_seconds(1, 5)
    measured = [overhead_seconds(runs, steps, sweep_first=k % 2 == 0) for k in range(rounds)]
    sweep_seconds = sum(m[0] for m in measured)
    direct_seconds = sum(m[1] for m in measured)
    ratios = sorted(m[0] / m[1] for m in measured)
    note = (
        f"{runs} runs of the default scenario x {steps} weeks in each of {rounds} rounds, one"
        f" process; round ratios {ratios[0]:.3f}-{ratios[-1]:.3f}; ratio - 1 = overhead"
    )
    total = runs * rounds
    return Row(
        "sweep_overhead_per_run", sweep_seconds / total, direct_seconds / total, "s/run", note
    )


def run(quick: bool) -> list[Row]:
    """Throughput and peak memory of ours against batch_run at 100 and 1,000 runs, and how
    the peak grows between them (``--quick``: 20 runs only, no growth row)."""
    sizes = (20,) if quick else (100, 1000)
    steps = 5 if quick else 20
    repeats = 1 if quick else 2
    measured = {}
    for n in sizes:
        for _ in range(repeats):  # alternating, so that both meet the same background load
            for tool in ("ours", "batch_run"):
                probe = in_subprocess(tool, n, steps)
                best = measured.get((tool, n))
                if best is None or probe["seconds"] < best["seconds"]:
                    measured[tool, n] = probe
    rows = [overhead(quick)]
    for n in sizes:
        ours, ref = measured["ours", n], measured["batch_run", n]
        note = f"{n} runs of 1 compound x {steps} weeks, {WORKERS} workers, all steps kept"
        rows.append(
            Row(f"sweep_throughput_{n}", n / ours["seconds"], n / ref["seconds"], "runs/s", note)
        )
        rows.append(
            Row(
                f"sweep_peak_rss_{n}",
                ours["peak_rss_mb"],
                ref["peak_rss_mb"],
                "MB",
                note + "; parent process peak RSS",
            )
        )
    if len(sizes) == 2:
        small, large = sizes
        growth = [
            measured[t, large]["peak_rss_mb"] / measured[t, small]["peak_rss_mb"]
            for t in ("ours", "batch_run")
        ]
        rows.append(
            Row(
                f"sweep_memory_growth_{small}_to_{large}",
                growth[0],
                growth[1],
                "x",
                f"peak RSS of the {large}-run sweep / that of the {small}-run sweep",
            )
        )
    return rows


def main() -> None:
    """Subprocess entry: print one JSON line for TOOL RUNS STEPS."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.sweep")
    parser.add_argument("tool", choices=("ours", "batch_run"))
    parser.add_argument("runs", type=int)
    parser.add_argument("steps", type=int)
    a = parser.parse_args()
    print(json.dumps(probe(a.tool, a.runs, a.steps)))


if __name__ == "__main__":
    main()
