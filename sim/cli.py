"""The `cogov` command line: run, validate and list scenarios.

Bad input exits with status 2 and one line, ``error: FILE: FIELD: problem (allowed)``.
"""

import argparse
import json
import os
import sys
from contextlib import ExitStack
from pathlib import Path

import sim
from sim.app.server import add_arguments as add_app_arguments
from sim.app.server import command_app
from sim.calibration.cli import add_calibration_parser, command_calibrate
from sim.experiments.cli import (
    add_experiment_parsers,
    command_analyze,
    command_sweep,
    positive_int,
)
from sim.pool import BACKENDS
from sim.report.drawing import FigureProcess, worth_a_process
from sim.scenario.loader import (
    ScenarioError,
    load_scenario,
    resolve_scenario_path,
    shipped_scenarios,
)
from sim.staging import WriteError, check_writable
from sim.tables import FORMAT_CHOICES
from sim.validation.cli import add_patterns_parser, command_patterns

EXIT_BAD_INPUT = 2


class OneLineParser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one `error:` line with exit status 2."""

    def error(self, message: str):
        self.exit(EXIT_BAD_INPUT, f"error: {self.prog}: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with its subcommands."""
    parser = OneLineParser(prog="cogov", description="Simulate neighbourhood co-governance.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {sim.__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run a scenario and write its outputs")
    run.add_argument("scenario", help="a scenario file, or the name of one in scenarios/")
    run.add_argument("--seed", help="seed (default: the scenario's)")
    run.add_argument("--steps", help="weeks to simulate (default: the scenario's)")
    run.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a scenario field, e.g. mechanisms.party_mobilisation.enabled=true",
    )
    run.add_argument("--out", type=Path, help="output folder (default: results/<scenario name>)")
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    run.add_argument(
        "--format",
        choices=sorted(FORMAT_CHOICES),
        default="csv",
        help="the tables as CSV (default), Parquet, or both",
    )
    run.add_argument(
        "--counterfactual",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="also run without this change on the same seeds and report the effects "
        "(e.g. mechanisms.points.enabled=false gives the crowding index)",
    )
    run.add_argument(
        "--seeds",
        help="seeds for --counterfactual, e.g. 1-10 (default: 10 seeds from --seed)",
    )
    run.add_argument(
        "--workers",
        type=positive_int,
        help="city runs: worker processes (default: CPUs, at most one per community)",
    )
    run.add_argument(
        "--backend", choices=BACKENDS, default="process", help="city runs: executor (process)"
    )
    run.add_argument("--scheduler", help="city runs: a running Dask scheduler, tcp://HOST:PORT")

    validate = sub.add_parser("validate", help="check scenario files")
    validate.add_argument("files", nargs="+", help="scenario files or shipped names")

    sub.add_parser("scenarios", help="list the shipped scenarios")
    place = sub.add_parser("import", help="write a scenario that runs on a community's file")
    place.add_argument("file", type=Path, help="a community's buildings (.csv or .geojson)")
    place.add_argument("--out", type=Path, required=True, help="the scenario file to write")
    add_app_arguments(sub.add_parser("app", help="open the browser app (a local web server)"))
    add_experiment_parsers(sub)
    add_calibration_parser(sub)
    add_patterns_parser(sub)
    return parser


def command_run(args: argparse.Namespace) -> int:
    """Run a scenario and write its outputs."""
    overrides = list(args.overrides)
    if args.seed is not None:
        overrides.append(f"seed={args.seed}")
    if args.steps is not None:
        overrides.append(f"steps={args.steps}")
    scenario = load_scenario(args.scenario, overrides)
    if args.scheduler and args.backend != "dask":
        raise ScenarioError("--scheduler", args.scheduler, "needs --backend dask", "--backend dask")
    counterfactual = plan_counterfactual(args, scenario)
    out = args.out or Path("results") / scenario.name
    check_writable(out)
    if scenario.city.communities > 1:
        return run_city(args, scenario, out)
    with ExitStack() as stack:
        # Started first: it imports the plotting stack while this process imports the model.
        if worth_a_process():
            figures = stack.enter_context(FigureProcess(scenario.steps, scenario.name))
        else:
            figures = None
        from sim.runner import simulate, write_outputs

        with progress_bar(scenario.steps, quiet=args.quiet) as bar:
            result = simulate(scenario, progress=bar.update if bar else None)
        report = compare_counterfactual(args, scenario, *counterfactual) if counterfactual else None
        extra = {"counterfactual.json": json.dumps(report, indent=2) + "\n"} if report else None
        formats = FORMAT_CHOICES[args.format]
        write_outputs(result, out, scenario, scenario.seed, args.scenario, extra, formats, figures)
    if report is not None:
        print_counterfactual(args, report)
    households = result.summary["community"]["households"]
    report_run(scenario, f"{households} households", result.summary["final"], out)
    return 0


def report_run(scenario, size: str, final: dict, out: Path) -> None:
    """The two lines a finished run prints: what ran, its headline numbers, where it went."""
    print(
        f"{scenario.name}: {size}, {scenario.steps} weeks, seed {scenario.seed}; "
        f"participation {final['participation_rate']:.2f}, "
        f"fee collection {final['fee_collection_rate']:.2f}, "
        f"disputes raised {final['disputes_raised']}, firm exits {final['firm_exits']}"
    )
    print(f"results written to {out}/")


def run_city(args: argparse.Namespace, scenario, out: Path) -> int:
    """Run a city's communities on workers and write the merged outputs."""
    from sim.city import CityRunError
    from sim.city import run_city as run

    communities = scenario.city.communities
    if args.counterfactual:
        raise ScenarioError(
            str(resolve_scenario_path(args.scenario)),
            "--counterfactual",
            f"not available for a city run (city.communities = {communities})",
            "a scenario with city.communities: 1",
        )
    try:
        with progress_bar(communities, quiet=args.quiet, unit="community") as bar:
            summary = run(
                scenario,
                out,
                args.scenario,
                backend=args.backend,
                workers=args.workers,
                scheduler=args.scheduler,
                progress=bar.update if bar else None,
                formats=FORMAT_CHOICES[args.format],
            )
    except CityRunError as exc:
        print(f"error: {out}: {exc}", file=sys.stderr)
        return 1
    size = f"{communities} communities, {summary['city']['households']} households"
    report_run(scenario, size, summary["final"], out)
    return 0


def plan_counterfactual(args: argparse.Namespace, scenario) -> tuple | None:
    """The counterfactual scenario and its seeds, checked before anything runs (None without
    --counterfactual)."""
    if not args.counterfactual:
        if args.seeds is not None:
            raise ScenarioError(
                "--seeds", args.seeds, "seeds are for --counterfactual", "--counterfactual K=V"
            )
        return None
    from sim.counterfactual import (
        counterfactual_scenario,
        default_counterfactual_seeds,
        parse_seeds,
    )

    if args.seeds is not None:
        seeds = parse_seeds(args.seeds)
    else:
        seeds = default_counterfactual_seeds(scenario)
    try:
        other = counterfactual_scenario(scenario, args.counterfactual, args.scenario)
    except ScenarioError as exc:
        file = "--counterfactual" if exc.file == "--set" else exc.file
        field = exc.field if exc.file == "--set" else f"--counterfactual {exc.field}"
        raise ScenarioError(file, field, exc.problem, exc.allowed) from None
    return other, seeds


def compare_counterfactual(args: argparse.Namespace, scenario, other, seeds: list[int]) -> dict:
    """Run the counterfactual on common seeds; the effects."""
    from sim.counterfactual import compare

    return compare(scenario, other, seeds, args.counterfactual)


def print_counterfactual(args: argparse.Namespace, report: dict) -> None:
    """The line that gives the participation effect."""
    from sim.counterfactual import effect_intervals, seeds_text

    seeds = report["seeds"]
    effect = effect_intervals(report["per_seed"])["participation_rate"]
    print(
        f"participation effect of {', '.join(args.counterfactual)} (factual - counterfactual): "
        f"{effect.text(signed=True)} over {len(seeds)} seed{'s' if len(seeds) != 1 else ''}"
        f" ({seeds_text(seeds)})"
    )


class progress_bar:  # noqa: N801 - used as a context manager
    """A tqdm bar on a terminal; nothing when output is not a terminal or --quiet."""

    def __init__(self, total: int, quiet: bool, unit: str = "week") -> None:
        self.total, self.quiet, self.unit, self.bar = total, quiet, unit, None

    def __enter__(self):
        if not self.quiet and sys.stderr.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=self.total, unit=self.unit, file=sys.stderr)
        return self.bar

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.close()


def command_validate(args: argparse.Namespace) -> int:
    """Validate each file; report the first error."""
    for file in args.files:
        scenario = load_scenario(file)
        print(f"{file}: ok ({scenario.name})")
    return 0


def command_scenarios(_: argparse.Namespace) -> int:
    """List shipped scenarios with their one-line descriptions."""
    for name, path in shipped_scenarios().items():
        scenario = load_scenario(path)
        print(f"{name:<24} {scenario.description}")
    return 0


def command_import(args: argparse.Namespace) -> int:
    """Check a community file and write a scenario that uses it."""
    from sim.scenario.loader import build_scenario, read_yaml_mapping
    from sim.world.places import scenario_for

    if args.out.is_dir():
        raise ScenarioError(str(args.out), "--out", "is a folder", "a scenario file to write")
    text = scenario_for(args.file, args.out)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    try:
        build_scenario(read_yaml_mapping(args.out), str(args.out))
    except ScenarioError:
        args.out.unlink()
        raise
    print(f"{args.out}: a scenario on {args.file}; run it with: cogov run {args.out}")
    return 0


COMMANDS = {
    "run": command_run,
    "validate": command_validate,
    "scenarios": command_scenarios,
    "import": command_import,
    "app": command_app,
    "sweep": command_sweep,
    "analyze": command_analyze,
    "calibrate": command_calibrate,
    "patterns": command_patterns,
}


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `cogov` command."""
    args = build_parser().parse_args(argv)
    try:
        status = COMMANDS[args.command](args)
        sys.stdout.flush()  # a closed pipe shows here, not at exit
        return status
    except BrokenPipeError:
        # The reader went away (`cogov scenarios | head -1`): stop quietly. Python's recipe:
        # point stdout at devnull so that the flush at exit does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except ScenarioError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except WriteError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("error: interrupted; nothing was written", file=sys.stderr)
        return 130


def entry() -> None:
    """The `cogov` command: `main`, then the end of the process. When nothing runs beside it
    any more (no other thread, no child, no resource tracker), the process ends at once,
    without the interpreter's teardown: every file is written and closed by then, and
    freeing a run's objects one by one would add about 0.2 s to a 2-second command."""
    status = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:  # a reader gone away: the status stands
        pass
    if alone():
        os._exit(status)
    sys.exit(status)


def alone() -> bool:
    """Whether this process runs nothing beside its main thread (threads, children, or the
    resource tracker of multiprocessing, which cleans up after a pool at a normal exit)."""
    import multiprocessing
    import threading
    from multiprocessing import resource_tracker

    tracker = getattr(resource_tracker, "_resource_tracker", None)
    return (
        threading.active_count() == 1
        and not multiprocessing.active_children()
        and tracker is not None
        and getattr(tracker, "_fd", 0) is None
    )


if __name__ == "__main__":
    entry()
