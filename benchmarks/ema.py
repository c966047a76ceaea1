"""Sweeps against the EMA Workbench, end to end: the same 120 short runs (`fee_spiral`, 52
weeks; joint meetings on or off x 60 Latin hypercube samples of initial trust in the firm and
initial service quality), run by the EMA Workbench 3.0 (``perform_experiments`` with its
SequentialEvaluator, or its MultiprocessingEvaluator with 2 processes) calling `simulate`, and
by ``cogov sweep`` (``--workers 1``, ``--workers 2``), each as a fresh process from start-up to
its results on disk. The EMA Workbench is a benchmark-only extra, not needed for a run.

    sweep_vs_ema_1w, sweep_vs_ema_2w        runs per second: ours / EMA's
    sweep_vs_ema_1w_rss, sweep_vs_ema_2w_rss   peak RSS summed over the process tree (MB):
                                                ours / EMA's (below 1.5 is the target)

``python -m benchmarks.ema ema WORKERS RUNS OUT`` is the EMA process;
``python -m benchmarks.ema probe TOOL WORKERS RUNS DIR`` times one process and its tree's peak.
"""

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.table import Row

SAMPLES = 60
QUICK_SAMPLES = 6
WEEKS = 52
REPEATS = 3
QUICK_REPEATS = 1
RANGES = {
    "households.initial_trust_firm": (0.1, 0.5),
    "service.initial_quality": (0.3, 0.7),
}
LEVER = "mechanisms.joint_meetings.enabled"
OUTPUTS = ["final.fee_collection_rate", "final.participation_rate", "final.trust_firm"]


def experiment_text(samples: int) -> str:
    """The sweep's experiment file."""
    parameters = "\n".join(
        f"  {key}: {{type: real, low: {low}, high: {high}}}" for key, (low, high) in RANGES.items()
    )
    return (
        "name: versus_ema\nscenario: fee_spiral\n"
        f"set:\n  steps: {WEEKS}\n"
        f"levers:\n  {LEVER}: {{type: boolean}}\n"
        f"parameters:\n{parameters}\n"
        f"design: {{method: lhs, samples: {samples}}}\nreplications: 1\nseed: 7\n"
        f"outputs:\n  summary: [{', '.join(OUTPUTS)}]\n  timeseries: {{steps: none}}\n"
    )


def fee_spiral(trust=0.3, quality=0.5, meetings=False) -> dict[str, float]:
    """One run for the EMA Workbench: the scenario with these values, its final outcomes."""
    from sim.runner import simulate
    from sim.scenario.loader import load_scenario

    keys = list(RANGES)
    scenario = load_scenario(
        "fee_spiral",
        [f"steps={WEEKS}", f"{keys[0]}={trust}", f"{keys[1]}={quality}", f"{LEVER}={meetings}"],
    )
    final = simulate(scenario).summary["final"]
    return {name.split(".", 1)[1]: float(final[name.split(".", 1)[1]]) for name in OUTPUTS}


def ema_process(workers: int, samples: int, out: Path) -> None:
    """The EMA Workbench's sweep: 2 policies x `samples` LHS scenarios, results saved."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from ema_workbench import (
            BooleanParameter,
            Model,
            MultiprocessingEvaluator,
            RealParameter,
            Sample,
            ScalarOutcome,
            SequentialEvaluator,
            save_results,
        )

    model = Model("fee_spiral", function=fee_spiral)
    (trust_low, trust_high), (quality_low, quality_high) = RANGES.values()
    model.uncertainties = [
        RealParameter("trust", trust_low, trust_high),
        RealParameter("quality", quality_low, quality_high),
    ]
    model.levers = [BooleanParameter("meetings")]
    model.outcomes = [ScalarOutcome(name.split(".", 1)[1]) for name in OUTPUTS]
    policies = [Sample("off", meetings=False), Sample("on", meetings=True)]
    evaluator = (
        SequentialEvaluator(model)
        if workers == 1
        else MultiprocessingEvaluator(model, n_processes=workers)
    )
    with evaluator:
        results = evaluator.perform_experiments(scenarios=samples, policies=policies)
    out.mkdir(parents=True, exist_ok=True)
    save_results(results, str(out / "results.tar.gz"))


def command(tool: str, workers: int, samples: int, folder: Path) -> list[str]:
    """The process that runs one tool's sweep."""
    if tool == "ema":
        return [
            sys.executable,
            "-m",
            "benchmarks.ema",
            "ema",
            str(workers),
            str(samples),
            str(folder / "ema"),
        ]
    path = folder / "versus_ema.yaml"
    path.write_text(experiment_text(samples))
    return [
        sys.executable,
        "-m",
        "sim.cli",
        "sweep",
        str(path),
        "--out",
        str(folder / "ours"),
        "--workers",
        str(workers),
        "--quiet",
    ]


def probe(tool: str, workers: int, samples: int, folder: Path) -> dict[str, float]:
    """Wall seconds and peak tree RSS (MB) of one sweep process, from this process."""
    from benchmarks.city import PeakRss

    with PeakRss(pss=True) as peak:
        start = time.perf_counter()
        subprocess.run(
            command(tool, workers, samples, folder),
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        seconds = time.perf_counter() - start
    return {"seconds": seconds, "peak_mb": peak.peak / 2**20, "peak_pss_mb": peak.peak_pss / 2**20}


def measured(tool: str, workers: int, samples: int) -> dict[str, float]:
    """`probe` in a fresh interpreter, so that this process's size does not count."""
    with tempfile.TemporaryDirectory() as folder:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "benchmarks.ema",
                "probe",
                tool,
                str(workers),
                str(samples),
                folder,
            ],
            check=True,
            capture_output=True,
            text=True,
        )
    return json.loads(done.stdout.strip().splitlines()[-1])


def run(quick: bool) -> list[Row]:
    """Throughput and peak memory of `cogov sweep` against the EMA Workbench, 1 and 2 workers."""
    samples = QUICK_SAMPLES if quick else SAMPLES
    repeats = QUICK_REPEATS if quick else REPEATS
    runs = 2 * samples
    rows = []
    for workers in (1, 2):
        ours, ema = [], []
        for repeat in range(repeats):
            order = ("ours", "ema") if repeat % 2 == 0 else ("ema", "ours")
            for tool in order:
                (ours if tool == "ours" else ema).append(measured(tool, workers, samples))
        mine = statistics.median(m["seconds"] for m in ours)
        theirs = statistics.median(m["seconds"] for m in ema)
        my_peak = statistics.median(m["peak_mb"] for m in ours)
        their_peak = statistics.median(m["peak_mb"] for m in ema)
        my_pss = statistics.median(m["peak_pss_mb"] for m in ours)
        their_pss = statistics.median(m["peak_pss_mb"] for m in ema)
        label = f"sweep_vs_ema_{workers}w"
        rows.append(
            Row(
                label,
                runs / mine,
                runs / theirs,
                "runs/s",
                f"{runs} runs of fee_spiral, {WEEKS} weeks, {workers} worker(s), end to end; "
                f"median of {repeats}: cogov sweep {mine:.1f} s, EMA Workbench {theirs:.1f} s",
            )
        )
        rows.append(
            Row(
                f"{label}_rss",
                my_peak,
                their_peak,
                "MB",
                "peak RSS summed over the process tree, sampled every 0.1 s",
            )
        )
        rows.append(
            Row(
                f"{label}_pss",
                my_pss,
                their_pss,
                "MB",
                "peak PSS summed over the process tree (shared pages counted once), same samples",
            )
        )
    return rows


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "ema":
        ema_process(int(sys.argv[2]), int(sys.argv[3]), Path(sys.argv[4]))
    elif len(sys.argv) == 6 and sys.argv[1] == "probe":
        result = probe(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), Path(sys.argv[5]))
        print(json.dumps(result))
    else:
        raise SystemExit(
            "usage: python -m benchmarks.ema ema WORKERS SAMPLES OUT"
            " | probe TOOL WORKERS SAMPLES DIR"
        )
