"""The `cogov sweep` and `cogov analyze` commands (registered by sim.cli)."""

import argparse
import sys
from pathlib import Path

from sim.scenario.loader import ScenarioError
from sim.staging import WriteError, check_writable, os_reason

DEFAULT_ROOT = Path("results") / "sweeps"


def positive_int(text: str) -> int:
    """An integer >= 1 (argparse type)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, got {value}")
    return value


def positive_float(text: str) -> float:
    """A number > 0 (argparse type)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be > 0, got {value}")
    return value


def add_experiment_parsers(sub: argparse._SubParsersAction) -> None:
    """Add the `sweep` and `analyze` subcommands."""
    from sim.pool import BACKENDS

    sweep = sub.add_parser("sweep", help="run an experiment file's runs into a folder")
    sweep.add_argument("experiment", help="an experiment file (experiments/*.yaml)")
    sweep.add_argument("--out", type=Path, help="folder (default: results/sweeps/<name>)")
    sweep.add_argument("--workers", type=positive_int, help="worker processes (default: CPUs)")
    sweep.add_argument("--backend", choices=BACKENDS, default="process", help="executor")
    sweep.add_argument("--scheduler", help="address of a running Dask scheduler, tcp://HOST:PORT")
    sweep.add_argument("--resume", action="store_true", help="keep stored runs, run the rest")
    sweep.add_argument(
        "--retry-failed", action="store_true", help="with --resume, run failed runs again"
    )
    sweep.add_argument("--timeout", type=positive_float, help="seconds allowed per run")
    sweep.add_argument("--batch-size", type=positive_int, help="runs per batch (default: adaptive)")
    sweep.add_argument(
        "--max-retries", type=int, default=1, help="retries of a run whose worker died (1)"
    )
    sweep.add_argument("--csv", action="store_true", help="also write csv/runs.csv, timeseries.csv")
    sweep.add_argument("--quiet", action="store_true", help="no progress bar")

    analyze = sub.add_parser("analyze", help="confidence intervals, sensitivity and a report")
    analyze.add_argument("folder", type=Path, help="a folder written by cogov sweep")
    analyze.add_argument(
        "--outputs", help="comma-separated summary metrics for figures (default: the main ones)"
    )
    analyze.add_argument(
        "--bootstrap", type=positive_int, help="also give bootstrap CIs with this many resamples"
    )
    analyze.add_argument(
        "--convergence", action="store_true", help="sensitivity indices against sample size"
    )
    analyze.add_argument("--export-csv", action="store_true", help="write csv/ beside parts/")
    analyze.add_argument("--no-figures", action="store_true", help="tables only")
    analyze.add_argument(
        "--discover",
        metavar="CONDITION",
        help="scenario discovery for the runs where e.g. final.fee_collection_rate<0.5",
    )


def open_early(args: argparse.Namespace, experiment):
    """A local process pool opened before this process imports the sweep's libraries, so that
    its workers load the model meanwhile. None for other backends, and for designs sampled in a
    process of their own (`sim.experiments.sweep.draw_and_open`), whose sampler must end before
    a one-worker pool starts."""
    from sim.experiments import RUN_MODULES
    from sim.experiments.design import needs_salib
    from sim.pool import open_pool

    if args.backend != "process" or needs_salib(experiment):
        return None
    return open_pool("process", args.workers, args.scheduler, preload=RUN_MODULES)


def command_sweep(args: argparse.Namespace) -> int:
    """Run an experiment's missing runs."""
    from sim.experiments.loader import load_experiment

    experiment = load_experiment(args.experiment)
    if args.retry_failed and not args.resume:
        raise ScenarioError("--retry-failed", "--resume", "needs --resume", "--resume")
    if args.max_retries < 0:
        raise ScenarioError("--max-retries", str(args.max_retries), "negative", ">= 0")
    out = args.out or DEFAULT_ROOT / experiment.name
    pool = open_early(args, experiment)
    try:
        from sim.experiments.execution import WorkersCannotRun
        from sim.experiments.sweep import run_sweep
    except BaseException:
        if pool is not None:
            pool.close()
        raise
    try:
        result = run_sweep(
            experiment,
            out,
            backend=args.backend,
            workers=args.workers,
            scheduler=args.scheduler,
            resume=args.resume,
            retry_failed=args.retry_failed,
            timeout=args.timeout,
            batch_size=args.batch_size,
            max_retries=args.max_retries,
            progress=not args.quiet,
            csv=args.csv,
            pool=pool,
        )
    except WorkersCannotRun as exc:
        print(f"error: {out}: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:  # a full disk, a file too large: stored runs stay whole
        print(
            f"error: {out}: sweep stopped: {os_reason(exc)}; the runs stored before are kept "
            "(continue with --resume)",
            file=sys.stderr,
        )
        return 1
    except KeyboardInterrupt:
        print(
            f"error: interrupted; the runs finished so far are stored in {out}/ "
            "(continue with --resume)",
            file=sys.stderr,
        )
        return 130
    print(f"{experiment.name}: {result.line()}")
    print(f"results in {out}/ (cogov analyze {out})")
    return 0


def command_analyze(args: argparse.Namespace) -> int:
    """Analyse a sweep folder and write its report."""
    from sim.analysis.sweep_report import REPORT, write_report
    from sim.experiments.storage import SweepStore

    store = SweepStore(args.folder)
    if not store.exists():
        raise ScenarioError(
            str(args.folder), "folder", "holds no sweep", "a folder written by cogov sweep"
        )
    check_writable(store.root / REPORT, "folder")
    outputs = [o.strip() for o in args.outputs.split(",") if o.strip()] if args.outputs else None
    report = write_report(
        store,
        outputs=outputs,
        bootstrap=args.bootstrap,
        convergence=args.convergence,
        figures=not args.no_figures,
        discover=args.discover,
    )
    if args.export_csv:
        try:
            paths = store.export_csv()
        except OSError as exc:
            raise WriteError(store.root / "csv", exc) from exc
        for path in paths:
            print(f"written {path}")
    print(f"report written to {report}", file=sys.stdout)
    return 0
