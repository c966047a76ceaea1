"""Calibration: wall time, simulations per accepted particle and the speed-up from 1 to 2
workers of the shipped ABC-SMC calibration (experiments/calibration/fee_spiral.yaml).

Rows: ``calibrate_example_1w`` (the ABC run with one process against the time its simulations
alone take, each timed in this process: the ratio is pyabc's overhead factor),
``calibrate_example_2w`` (two forked workers against one: the ratio is 1 / speed-up) and
``calibrate_example_sims_per_particle`` (simulations per accepted particle, 2 workers against
1; the multicore sampler may run a few more than it accepts at the end of a generation).
The notes give each run's CPU seconds (this process and its workers): on a shared machine,
wall times against CPU times show how much other work slowed a run. The posterior outputs
(predictive runs, figures) are not timed. ``--quick``: 20 particles,
2 generations, 52 weeks.

``python -m benchmarks.calibration [--quick]`` prints this suite's rows alone.
"""

import argparse
import dataclasses
import tempfile
import time
from pathlib import Path

from benchmarks.table import Row, format_table

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "experiments" / "calibration" / "fee_spiral.yaml"


def load(quick: bool):
    """The shipped calibration (cut down for --quick)."""
    from sim.calibration.loader import load_calibration

    calibration = load_calibration(EXAMPLE)
    if not quick:
        return calibration
    spec = calibration.spec.model_copy(
        update={
            "abc": calibration.spec.abc.model_copy(update={"population": 20, "generations": 2}),
        }
    )
    return dataclasses.replace(calibration, spec=spec, base={**calibration.base, "steps": 52})


def measure(calibration, workers: int) -> dict[str, float]:
    """Wall time, simulations and accepted particles of one ABC run."""
    from sim.calibration.run import calibrate, generations

    with tempfile.TemporaryDirectory() as folder:
        cpu = cpu_seconds()
        start = time.perf_counter()
        history = calibrate(calibration, Path(folder) / "out", workers=workers, report=None)
        seconds = time.perf_counter() - start
        cpu = cpu_seconds() - cpu
        done = generations(history)
        return {
            "seconds": seconds,
            "cpu_seconds": cpu,
            "simulations": int(history.total_nr_simulations),
            "generations": len(done),
            "per_particle": sum(g.simulations for g in done) / sum(g.particles for g in done),
        }


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (the forked workers)."""
    import resource

    return sum(
        usage.ru_utime + usage.ru_stime
        for usage in (
            resource.getrusage(resource.RUSAGE_SELF),
            resource.getrusage(resource.RUSAGE_CHILDREN),
        )
    )


def simulation_seconds(calibration, count: int = 20) -> float:
    """Mean time of one particle's simulations, over uniform draws in the priors' ranges."""
    import numpy as np

    from sim.calibration.model import ParticleModel

    model = ParticleModel(calibration)
    rng = np.random.default_rng(0)
    points = [
        {key: float(rng.uniform(r.low, r.high)) for key, r in calibration.ranges.items()}
        for _ in range(count)
    ]
    start = time.perf_counter()
    for point in points:
        model(point)
    return (time.perf_counter() - start) / count


def run(quick: bool) -> list[Row]:
    """The shipped calibration with 1 and 2 workers."""
    import pyabc  # noqa: F401 - imported before timing (a few seconds)

    calibration = load(quick)
    one = measure(calibration, 1)
    two = measure(calibration, 2)
    per_simulation = simulation_seconds(calibration)
    size = f"{calibration.spec.abc.population} particles, {one['generations']} generations"
    return [
        Row(
            "calibrate_example_1w",
            one["seconds"],
            one["simulations"] * per_simulation,
            "s",
            f"{size}, {one['simulations']} simulations, {one['cpu_seconds']:.0f} CPU s; "
            "reference: the simulations alone",
        ),
        Row(
            "calibrate_example_2w",
            two["seconds"],
            one["seconds"],
            "s",
            f"2 workers against 1: speed-up {one['seconds'] / two['seconds']:.2f}; "
            f"{two['simulations']} simulations, {two['cpu_seconds']:.0f} CPU s",
        ),
        Row(
            "calibrate_example_sims_per_particle",
            two["per_particle"],
            one["per_particle"],
            "sims/particle",
            "simulations per accepted particle, 2 workers against 1",
        ),
    ]


def main(argv: list[str] | None = None) -> int:
    """Print this suite's rows."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.calibration")
    parser.add_argument("--quick", action="store_true")
    print(format_table(run(parser.parse_args(argv).quick)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
