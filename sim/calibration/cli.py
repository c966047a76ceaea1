"""The `cogov calibrate` command (registered by sim.cli)."""

import argparse
import sys
from pathlib import Path

DEFAULT_ROOT = Path("results") / "calibrations"
#: pyabc's samplers: forked processes on this machine, or a Dask cluster.
BACKENDS = ("process", "dask")


def add_calibration_parser(sub: argparse._SubParsersAction) -> None:
    """Add the `calibrate` subcommand."""
    from sim.experiments.cli import positive_int

    calibrate = sub.add_parser(
        "calibrate", help="fit parameters to a community's figures (ABC-SMC)"
    )
    calibrate.add_argument("file", help="a calibration file (experiments/calibration/*.yaml)")
    calibrate.add_argument("--out", type=Path, help="folder (default: results/calibrations/<name>)")
    calibrate.add_argument(
        "--workers", type=positive_int, default=1, help="simulating processes (1)"
    )
    calibrate.add_argument("--backend", choices=BACKENDS, default="process", help="executor")
    calibrate.add_argument(
        "--scheduler", help="address of a running Dask scheduler, tcp://HOST:PORT"
    )
    calibrate.add_argument("--resume", action="store_true", help="continue the run stored in --out")
    calibrate.add_argument("--quiet", action="store_true", help="no progress lines")


def command_calibrate(args: argparse.Namespace) -> int:
    """Run or continue a calibration, then write its outputs."""
    from sim.calibration.loader import load_calibration
    from sim.calibration.outputs import write_outputs
    from sim.calibration.run import calibrate
    from sim.scenario.loader import ScenarioError

    calibration = load_calibration(args.file)
    if args.scheduler and args.backend != "dask":
        raise ScenarioError("--scheduler", args.scheduler, "needs --backend dask", "--backend dask")
    out = args.out or DEFAULT_ROOT / calibration.name
    report = None if args.quiet else (lambda line: print(line, flush=True))
    history = calibrate(
        calibration,
        out,
        workers=args.workers,
        backend=args.backend,
        scheduler=args.scheduler,
        resume=args.resume,
        report=report,
    )
    if history.max_t < 0:
        print(f"error: {out}: no generation was completed", file=sys.stderr)
        return 1
    summary = write_outputs(calibration, history, out)
    last = summary["generations"][-1]
    means = ", ".join(f"{p['parameter']} {p['mean']:.3g}" for p in summary["parameters"])
    print(
        f"{calibration.name}: {len(summary['generations'])} generations, "
        f"{summary['total_simulations']} simulations, epsilon {last['epsilon']:.4g}; "
        f"posterior means: {means}"
    )
    print(f"results written to {out}/")
    return 0
