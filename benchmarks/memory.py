"""Memory per household: build and step a model in a fresh interpreter, per measure.

Each measurement runs in its own subprocess (``python -m benchmarks.memory``) so that
earlier benchmarks do not inflate the peak, and tracing overhead does not inflate RSS.

- ``rss``: growth of the resident set size from just before building to just after the
  last step (what the live model holds, as the OS sees it; Linux ``/proc/self/statm``,
  elsewhere the peak ``ru_maxrss``, which imports may already have pushed higher).
- ``traced``: peak of memory allocated through Python's allocators (``tracemalloc``),
  which includes NumPy arrays but not interpreter or library code.
- ``run``: peak resident set size of the whole process (``VmHWM``: interpreter,
  libraries and all) over a complete run through the run contract (``simulate``: every
  record book and the time-series frame) of ours, set against the 2 GiB budget.
"""

import argparse
import gc
import json
import os
import resource
import subprocess
import sys
import tracemalloc
from pathlib import Path

from benchmarks.models import build_ours, scenario_for
from benchmarks.peak import peak_rss_bytes
from benchmarks.table import Row
from benchmarks.virus import build_virus

ROOT = Path(__file__).resolve().parents[1]
MEASURES = ("rss", "traced")
DESCRIBE = {"rss": "RSS growth", "traced": "tracemalloc peak"}
RUN_BUDGET_BYTES = 2 * 1024**3  # a 100,000-household run of 260 weeks must stay within 2 GiB


def rss_bytes() -> int:
    """Resident set size of this process now (peak so far where /proc is missing)."""
    statm = Path("/proc/self/statm")
    if statm.exists():
        return int(statm.read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def measure_run(size: int, steps: int) -> dict[str, float]:
    """Peak RSS of a whole run of ours (every mechanism on) through `simulate`."""
    from sim.runner import simulate

    result = simulate(scenario_for(size, f"steps={steps}"), seed=1)
    agents = int(result.summary["community"]["households"])
    peak = peak_rss_bytes()
    return {"agents": agents, "bytes": peak, "per_agent": peak / agents}


def measure(kind: str, model: str, size: int, steps: int) -> dict[str, float]:
    """Bytes per agent used to build `model` ("ours" or "virus") and step it `steps` times."""
    if kind == "run":
        return measure_run(size, steps)
    build = build_ours if model == "ours" else build_virus
    gc.collect()
    before = rss_bytes()
    if kind == "traced":
        tracemalloc.start()
    built = build(size)
    for _ in range(steps):
        built.step()
    if kind == "traced":
        used = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    else:
        used = rss_bytes() - before
    agents = int(built.world.households) if model == "ours" else size
    return {"agents": agents, "bytes": used, "per_agent": used / agents}


def in_subprocess(kind: str, model: str, size: int, steps: int) -> dict[str, float]:
    """`measure` run in a fresh interpreter (from the repository root)."""
    args = [sys.executable, "-m", "benchmarks.memory", kind, model, str(size), str(steps)]
    done = subprocess.run(args, capture_output=True, text=True, cwd=ROOT, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"memory probe {args[3:]} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run(quick: bool) -> list[Row]:
    """Bytes per household of ours against bytes per agent of VirusOnNetwork, same size."""
    households, label = (10_000, "10k") if quick else (100_000, "100k")
    steps = 3 if quick else 5
    rows = []
    for kind in MEASURES:
        ours = in_subprocess(kind, "ours", households, steps)
        n = int(ours["agents"])
        virus = in_subprocess(kind, "virus", n, steps)
        note = f"{n:,} households / virus nodes; build + {steps} steps; {DESCRIBE[kind]}"
        rows.append(
            Row(f"memory_{kind}_{label}", ours["per_agent"], virus["per_agent"], "B/agent", note)
        )
    weeks = 10 if quick else 260
    run = in_subprocess("run", "ours", households, weeks)
    note = (
        f"{int(run['agents']):,} households x {weeks} weeks, every mechanism on, through "
        "simulate; whole-process peak RSS against the 2 GiB budget"
    )
    rows.append(Row(f"memory_peak_run_{label}", run["bytes"], RUN_BUDGET_BYTES, "bytes", note))
    return rows


def main() -> None:
    """Subprocess entry: print one JSON line for KIND MODEL SIZE STEPS."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.memory")
    parser.add_argument("kind", choices=(*MEASURES, "run"))
    parser.add_argument("model", choices=("ours", "virus"))
    parser.add_argument("size", type=int)
    parser.add_argument("steps", type=int)
    a = parser.parse_args()
    print(json.dumps(measure(a.kind, a.model, a.size, a.steps)))


if __name__ == "__main__":
    main()
