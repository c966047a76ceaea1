"""The `cogov patterns` command (registered by sim.cli)."""

import argparse
import sys
from pathlib import Path

from sim.experiments.cli import positive_int
from sim.scenario.loader import ScenarioError

DEFAULT_OUT = Path("results") / "patterns"
EXIT_PATTERN_FAILED = 1


def add_patterns_parser(sub: argparse._SubParsersAction) -> None:
    """Add the `patterns` subcommand."""
    from sim.pool import BACKENDS

    patterns = sub.add_parser(
        "patterns", help="check the model against the pattern catalogue and write the report"
    )
    patterns.add_argument(
        "--catalogue", type=Path, help="a pattern catalogue (default: experiments/patterns.yaml)"
    )
    patterns.add_argument("--only", nargs="+", metavar="ID", help="only these patterns")
    patterns.add_argument(
        "--seeds", type=positive_int, help="seeds per condition and arm (default: the catalogue's)"
    )
    patterns.add_argument("--out", type=Path, help=f"folder (default: {DEFAULT_OUT})")
    patterns.add_argument(
        "--doc", type=Path, help="also write the report here (docs/validation.md)"
    )
    patterns.add_argument("--workers", type=positive_int, help="worker processes (default: CPUs)")
    patterns.add_argument("--backend", choices=BACKENDS, default="process", help="executor")
    patterns.add_argument(
        "--scheduler", help="address of a running Dask scheduler, tcp://HOST:PORT"
    )


def command_patterns(args: argparse.Namespace) -> int:
    """Run the catalogue, write patterns.csv and the report; status 1 if a check fails."""
    from sim.experiments.execution import WorkersCannotRun
    from sim.validation.assess import assess
    from sim.validation.catalogue import DEFAULT_CATALOGUE, load_catalogue
    from sim.validation.report import write_report
    from sim.validation.runner import run_catalogue

    catalogue = load_catalogue(args.catalogue or DEFAULT_CATALOGUE)
    known = [p.id for p in catalogue.patterns]
    for pattern_id in args.only or []:
        if pattern_id not in known:
            raise ScenarioError(
                "--only", pattern_id, "no such pattern", "one of: " + ", ".join(known)
            )
    out = args.out or DEFAULT_OUT
    try:
        runs = run_catalogue(
            catalogue,
            out,
            only=args.only,
            seeds=args.seeds,
            backend=args.backend,
            workers=args.workers,
            scheduler=args.scheduler,
        )
    except WorkersCannotRun as exc:
        print(f"error: {out}: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(
            f"error: interrupted; the runs finished so far are stored in {out}/runs/ "
            "(run the same command again to continue)",
            file=sys.stderr,
        )
        return 130
    verdicts = [assess(r) for r in runs]
    write_report(catalogue, verdicts, out, seeds=args.seeds, doc=args.doc)
    for v in verdicts:
        checks = ", ".join(f"{c.check.id} {c.result}" for c in v.checks)
        print(f"{v.pattern.number:>2}. {v.pattern.id}: {v.result} ({checks})")
    ran = sum(r.ran for r in runs)
    print(f"{ran} runs done now; results in {out}/ (patterns.csv, report.md)")
    if args.doc:
        print(f"report written to {args.doc}")
    return 0 if all(v.acceptable for v in verdicts) else EXIT_PATTERN_FAILED
