"""The `cogov` command line: run, validate and list scenarios.

Bad input exits with status 2 and one line, ``error: FILE: FIELD: problem (allowed)``.
"""

import argparse
import sys
from pathlib import Path

from sim.app.server import add_arguments as add_app_arguments
from sim.app.server import command_app
from sim.experiments.cli import (
    add_experiment_parsers,
    command_analyze,
    command_sweep,
    positive_int,
)
from sim.experiments.execution import BACKENDS
from sim.scenario.loader import (
    ScenarioError,
    load_scenario,
    resolve_scenario_path,
    shipped_scenarios,
)
from sim.validation.cli import add_patterns_parser, command_patterns

EXIT_BAD_INPUT = 2


class OneLineParser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one `error:` line with exit status 2."""

    def error(self, message: str):
        self.exit(EXIT_BAD_INPUT, f"error: {self.prog}: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with its subcommands."""
    parser = OneLineParser(prog="cogov", description="Simulate neighbourhood co-governance.")
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
        "--counterfactual",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="also run without this change on the same seeds and report the effects "
        "(e.g. mechanisms.points.enabled=false gives the crowding index)",
    )
    run.add_argument("--seeds", help="seeds for --counterfactual, e.g. 1-10 (default: --seed)")
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
    add_app_arguments(sub.add_parser("app", help="open the browser app (a local web server)"))
    add_experiment_parsers(sub)
    add_patterns_parser(sub)
    return parser


def command_run(args: argparse.Namespace) -> int:
    """Run a scenario and write its outputs."""
    from sim.runner import simulate, write_outputs

    overrides = list(args.overrides)
    if args.seed is not None:
        overrides.append(f"seed={args.seed}")
    if args.steps is not None:
        overrides.append(f"steps={args.steps}")
    scenario = load_scenario(args.scenario, overrides)
    if args.scheduler and args.backend != "dask":
        raise ScenarioError("--scheduler", args.scheduler, "needs --backend dask", "--backend dask")
    out = args.out or Path("results") / scenario.name
    check_writable(out)
    if scenario.city.communities > 1:
        return run_city(args, scenario, out)
    with progress_bar(scenario.steps, quiet=args.quiet) as bar:
        result = simulate(scenario, progress=bar.update if bar else None)
    write_outputs(result, out, scenario, scenario.seed, args.scenario)
    if args.counterfactual:
        report_counterfactual(args, scenario, out)
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
            )
    except CityRunError as exc:
        print(f"error: {out}: {exc}", file=sys.stderr)
        return 1
    size = f"{communities} communities, {summary['city']['households']} households"
    report_run(scenario, size, summary["final"], out)
    return 0


def report_counterfactual(args: argparse.Namespace, scenario, out: Path) -> None:
    """Run the counterfactual on common seeds; write and print the effects."""
    import json

    from sim.counterfactual import compare, counterfactual_scenario, parse_seeds

    seeds = parse_seeds(args.seeds) if args.seeds else [scenario.seed]
    other = counterfactual_scenario(scenario, args.counterfactual, args.scenario)
    report = compare(scenario, other, seeds, args.counterfactual)
    (out / "counterfactual.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    effect = report["effects"]["participation_rate"]
    print(
        f"participation effect of {', '.join(args.counterfactual)} (factual - counterfactual): "
        f"{effect['mean']:+.3f} [{effect['ci95_low']:+.3f}, {effect['ci95_high']:+.3f}] "
        f"over {len(seeds)} seeds"
    )


def check_writable(out: Path) -> None:
    """Refuse an output path that cannot become a folder."""
    if out.exists() and not out.is_dir():
        raise ScenarioError(str(out), "--out", "exists and is not a folder", "a folder path")
    parent = out.parent if str(out.parent) else Path(".")
    existing = next((p for p in [parent, *parent.parents] if p.exists()), Path("."))
    if not existing.is_dir():
        raise ScenarioError(str(out), "--out", f"{existing} is not a folder", "a folder path")


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


COMMANDS = {
    "run": command_run,
    "validate": command_validate,
    "scenarios": command_scenarios,
    "app": command_app,
    "sweep": command_sweep,
    "analyze": command_analyze,
    "patterns": command_patterns,
}


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `cogov` command."""
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except ScenarioError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("error: interrupted; nothing was written", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
