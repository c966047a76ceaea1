"""Instruction counts under valgrind's callgrind: steady companions to the timed figures.

On a shared machine wall time drifts by tens of percent from one minute to the next; the number
of instructions a run executes does not (same code, scenario, seed and interpreter). Each figure
is the difference between two runs, each in a fresh interpreter under callgrind, that do the
same work but for the part measured, so that start-up, imports and building cancel:

- ``instructions_step_3k``, ``instructions_step_30k``: household-steps per 10^9 instructions of
  ours against agent-steps per 10^9 instructions of VirusOnNetwork with one node per household
  (a model built and stepped, less the same model built and not stepped);
- ``instructions_sweep_per_run``: instructions per run of the default scenario (260 weeks) in a
  sequential sweep against the same runs through ``simulate`` alone (3 runs less 1 run of each,
  so that the sweep's plan and manifest, made once per sweep, cancel); the note gives that
  once-per-sweep cost.

Instructions are not time, and these ratios are not the timed ones: the interpreter runs the
virus model's many small Python calls at several instructions a cycle, while numpy's array
passes over ours run at fewer, so against the virus model ours is far ahead in instructions
(at 3k about 3 times, where it is about even in time). They tell whether a change made our
own work larger or smaller, free of the machine's mood, not whether a timed target is met. Not one
of the default suites: it needs valgrind, and takes about 25 minutes of CPU (the probes run in
parallel, one per CPU): ``python -m benchmarks --only instructions``.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from benchmarks.table import Row

ROOT = Path(__file__).resolve().parents[1]
COLLECTED = re.compile(r"Collected : (\d+)")
BILLION = 1e9


def instructions(*probe: str) -> int:
    """Instructions executed by ``python -m benchmarks.instructions PROBE...`` under callgrind."""
    with tempfile.TemporaryDirectory() as folder:
        command = [
            "valgrind",
            "--tool=callgrind",
            f"--callgrind-out-file={folder}/callgrind.out",
            sys.executable,
            "-m",
            "benchmarks.instructions",
            *probe,
        ]
        done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)
    found = COLLECTED.search(done.stderr)
    if done.returncode != 0 or found is None:
        raise RuntimeError(f"instruction probe {list(probe)} failed:\n{done.stderr[-2000:]}")
    return int(found.group(1))


def count_all(probes: list[tuple[str, ...]]) -> dict[tuple[str, ...], int]:
    """Instructions of each probe, run side by side (one per CPU)."""
    with ThreadPoolExecutor(max_workers=max(1, os.cpu_count() or 1)) as pool:
        return dict(zip(probes, pool.map(lambda p: instructions(*p), probes), strict=True))


def stepping_probes(households: int, nodes: int, steps: int) -> list[tuple[str, ...]]:
    """Ours (built for about `households`) and the virus model (`nodes`, as many as ours has),
    each built and stepped `steps` times, and built only."""
    sizes = {"ours": households, "virus": nodes}
    return [("stepping", model, str(sizes[model]), str(n)) for model in sizes for n in (steps, 0)]


def stepping_row(
    counted: dict[tuple[str, ...], int], probes: list[tuple[str, ...]], n: int, label: str
) -> Row:
    """Agent-steps per 10^9 instructions of ours against the virus model's (`probes` from
    stepping_probes, for a model of `n` households)."""
    stepped, built = {}, {}
    for probe in probes:
        _, model, _, steps = probe
        (stepped if int(steps) else built)[model] = (counted[probe], int(steps))
    per_step = {
        model: (stepped[model][0] - built[model][0]) / stepped[model][1] for model in stepped
    }
    steps = stepped["ours"][1]
    note = (
        f"{n:,} households / virus nodes x {steps} steps; {per_step['ours'] / 1e6:.1f} M"
        f" instructions a step against {per_step['virus'] / 1e6:.1f} M"
    )
    return Row(
        f"instructions_step_{label}",
        n * BILLION / per_step["ours"],
        n * BILLION / per_step["virus"],
        "agent-steps/G instr",
        note,
    )


def sweep_probes(runs: tuple[int, int], steps: int) -> list[tuple[str, ...]]:
    """The overhead experiment's runs as a sweep and directly, at two numbers of runs."""
    return [("sweep", way, str(n), str(steps)) for way in ("sweep", "direct") for n in runs]


def sweep_row(counted: dict[tuple[str, ...], int], runs: tuple[int, int], steps: int) -> Row:
    """Instructions per run in a sweep against directly; the once-per-sweep cost in the note."""
    few, many = runs

    def count(way: str, n: int) -> int:
        return counted["sweep", way, str(n), str(steps)]

    per_run = {
        way: (count(way, many) - count(way, few)) / (many - few) for way in ("sweep", "direct")
    }
    once = (count("sweep", few) - count("direct", few)) - few * (
        per_run["sweep"] - per_run["direct"]
    )
    note = (
        f"default scenario x {steps} weeks, {many} runs less {few}, one process; the sweep's"
        f" plan and manifest add {once / 1e6:,.0f} M instructions once per sweep"
        f" ({once / per_run['direct']:.1%} of a run); ratio - 1 = overhead per run"
    )
    return Row(
        "instructions_sweep_per_run",
        per_run["sweep"] / BILLION,
        per_run["direct"] / BILLION,
        "G instr/run",
        note,
    )


def households_of(households: int) -> int:
    """The number of households ours has when built for about `households`."""
    from benchmarks.models import build_ours

    return int(build_ours(households).world.households)


def run(quick: bool) -> list[Row]:
    """Instruction rows for stepping (3k, and 30k unless quick) and for the sweep's overhead."""
    if shutil.which("valgrind") is None:
        raise SystemExit(
            "benchmarks: the instructions suite needs valgrind, which is not installed"
        )
    sizes = [(3_100, 10, "3k")] if quick else [(3_100, 104, "3k"), (31_000, 26, "30k")]
    runs, weeks = ((1, 2), 5) if quick else ((1, 3), 260)
    nodes = {label: households_of(households) for households, _, label in sizes}
    stepping = {
        label: stepping_probes(households, nodes[label], steps)
        for households, steps, label in sizes
    }
    counted = count_all(
        [p for probes in stepping.values() for p in probes] + sweep_probes(runs, weeks)
    )
    rows = [
        stepping_row(counted, probes, nodes[label], label) for label, probes in stepping.items()
    ]
    return [*rows, sweep_row(counted, runs, weeks)]


def probe(kind: str, what: str, size: int, amount: int) -> None:
    """The work a probe measures (run under callgrind by `instructions`)."""
    if kind == "stepping":
        from benchmarks.models import build_ours
        from benchmarks.virus import build_virus

        model = build_ours(size) if what == "ours" else build_virus(size)
        for _ in range(amount):
            model.step()
        return
    import sim.experiments.storage
    import sim.experiments.sweep
    import sim.runner  # noqa: F401  (both ways import the same, so that imports cancel)
    from benchmarks.sweep import OverheadRuns

    with tempfile.TemporaryDirectory() as folder:
        runs = OverheadRuns(Path(folder), size, amount)
        if what == "sweep":
            runs.sweep()
        else:
            runs.direct()


def main() -> None:
    """Probe entry: ``stepping ours HOUSEHOLDS STEPS``, ``stepping virus NODES STEPS`` or
    ``sweep sweep|direct RUNS WEEKS``."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.instructions")
    parser.add_argument("kind", choices=("stepping", "sweep"))
    parser.add_argument("what", choices=("ours", "virus", "sweep", "direct"))
    parser.add_argument("size", type=int)
    parser.add_argument("amount", type=int)
    a = parser.parse_args()
    probe(a.kind, a.what, a.size, a.amount)


if __name__ == "__main__":
    main()
