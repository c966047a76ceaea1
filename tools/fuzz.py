#!/usr/bin/env python3
"""Fuzz and fault injection for the `cogov` command: bad input, unwritable and full disks,
`kill -9` while writing, closed pipes.

Each case runs `cogov` in a fresh process, in a scratch folder of its own, and is judged:

- one-line error: a non-zero exit (2 for bad input) and exactly one line on stderr, starting
  with ``error:`` and naming what the case expects (the file, the field, what is allowed);
- as expected: a case whose right answer is success (a nested intervention, a closed pipe);
- traceback: a Python traceback (or "Exception ignored") on stderr;
- leftovers: a hidden staging folder or file left behind, or an output written by a run that
  failed;
- other problems: a wrong exit status, an unclear or multi-line message, a run over its time.

    python tools/fuzz.py            # all cases, counts only (about a minute on 2 cores)
    python tools/fuzz.py -v -k pipe # the cases whose name holds "pipe", one line each

The exit status is 1 when any case has a traceback, a leftover or another problem. Cases that
need ``chattr`` (a folder even root cannot write) are skipped where it is not available.
"""

import argparse
import contextlib
import os
import shlex
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
TIMEOUT = 120
#: Hidden names a finished case may leave: a sweep folder's lock file.
ALLOWED_HIDDEN = {".lock"}

SMALL = "name: small\nsteps: 6\nseed: 3\nstructure: {compounds: 1}\n"
CITY = "name: town\nsteps: 4\nseed: 3\ncity: {communities: 3}\nstructure: {compounds: 1}\n"
SWEEP = """\
name: tiny
scenario: small.yaml
set: {steps: 4}
parameters:
  households.renter_share: {type: categorical, values: [0.2, 0.4]}
seed: 1
"""


def alias_bomb(depth: int = 9) -> str:
    """A "billion laughs" YAML list in flow style: 9 ** depth strings from a few lines."""
    levels = ["&a0 [" + ", ".join(["lol"] * 9) + "]"]
    for level in range(1, depth):
        levels.append(f"&a{level} [" + ", ".join([f"*a{level - 1}"] * 9) + "]")
    return "[" + ", ".join(levels) + "]"


def nested(opening: str, closing: str, depth: int = 20_000) -> str:
    """A flow collection nested `depth` deep."""
    return opening * depth + closing * depth


def factorial_experiment(
    parameters: int = 6, levels: int = 1000, scenario: str = "small.yaml"
) -> str:
    """An experiment file whose factorial design has levels ** parameters points."""
    keys = [
        "households.renter_share",
        "households.elderly_share",
        "households.party_member_share",
        "participation.noise",
        "fees.habit_rate",
        "service.initial_quality",
    ][:parameters]
    body = "".join(
        f"  {key}: {{type: real, low: 0.1, high: 0.3, levels: {levels}}}\n" for key in keys
    )
    return f"name: huge\nscenario: {scenario}\nparameters:\n{body}"


@dataclass
class Case:
    """One input or fault: the files to write, the command, and what a good answer looks like.

    `argv` are cogov's arguments; `shell`, when given, is a bash line in which {cogov} is the
    command. `fragments` must all appear in the one error line; `absent` are paths (relative
    to the case folder) that must not exist afterwards; `expect` is "error" (exit `status`),
    "ok" (exit 0, then `check` returns a problem or None) or "quiet" (nothing on stderr).
    """

    argv: list[str] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)
    fragments: list[str] = field(default_factory=list)
    shell: str | None = None
    expect: str = "error"
    status: int | None = 2
    absent: list[str] = field(default_factory=lambda: ["out"])
    setup: Callable[[Path], None] | None = None
    check: Callable[[Path], str | None] | None = None
    frozen: list[str] = field(default_factory=list)  # made immutable (chattr +i) after setup
    kill_when: str | None = None  # kill -9 the command once this path exists, then rerun it


def cogov_command() -> str:
    """The shell words that run cogov with this checkout's code."""
    return f"{shlex.quote(PYTHON)} -m sim.cli"


def run_cogov(folder: Path, argv: list[str], **kwargs) -> subprocess.CompletedProcess:
    """Run cogov in `folder` and wait."""
    return subprocess.run(
        [PYTHON, "-m", "sim.cli", *argv],
        cwd=folder,
        env=environment(),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        **kwargs,
    )


def environment() -> dict[str, str]:
    """The environment of a case: this checkout first on the import path."""
    return {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1"}


def sweep_first(folder: Path) -> None:
    """Run the tiny sweep into `swept/` (for the cases that analyse a sweep)."""
    done = run_cogov(folder, ["sweep", "tiny.yaml", "--out", "swept", "--quiet", "--workers", "1"])
    if done.returncode:
        raise RuntimeError(f"setup sweep failed: {done.stderr.strip()}")


def interventions_check(folder: Path) -> str | None:
    """A nested intervention changes only the key it names, one row per leaf key."""
    import csv
    import json

    rows = list(csv.DictReader((folder / "out" / "interventions.csv").open()))
    keys = [row["key"] for row in rows]
    if keys != ["mechanisms.points.enabled"]:
        return f"interventions.csv keys {keys}"
    summary = json.loads((folder / "out" / "summary.json").read_text())
    mechanisms = summary["provenance"]["scenario"]["mechanisms"]
    if not mechanisms["party_mobilisation"]["enabled"]:
        return "party_mobilisation switched off by a nested intervention"
    return None


def cases() -> dict[str, Case]:
    """Every case, by name: bad input first, then the faults (from run_out_in_proc on)."""
    scenario = {"small.yaml": SMALL}
    sweep = {"small.yaml": SMALL, "tiny.yaml": SWEEP}
    run_bad = ["run", "bad.yaml", "--out", "out"]
    cf = ["run", "small.yaml", "--out", "out"]
    return {
        # ------------------------------------------------------------------ bad input
        "nested_lists": Case(
            run_bad, {"bad.yaml": "steps: " + nested("[", "]") + "\n"}, ["bad.yaml", "nest"]
        ),
        "nested_mappings": Case(
            run_bad, {"bad.yaml": "steps: " + nested("{a: ", "}") + "\n"}, ["bad.yaml", "nest"]
        ),
        "alias_bomb_scenario": Case(
            run_bad, {"bad.yaml": f"description: {alias_bomb()}\n"}, ["bad.yaml", "alias"]
        ),
        "alias_bomb_experiment": Case(
            ["sweep", "bad.yaml", "--out", "out"],
            {**scenario, "bad.yaml": f"scenario: small.yaml\ndescription: {alias_bomb()}\n"},
            ["bad.yaml", "alias"],
        ),
        "alias_bomb_override": Case(
            [*cf, "--set", f"description={alias_bomb()}"],
            scenario,
            ["--set", "description"],
        ),
        "list_as_key": Case(run_bad, {"bad.yaml": "? [a, b]\n: 1\n"}, ["bad.yaml", "key"]),
        "list_as_nested_key": Case(
            run_bad, {"bad.yaml": "structure:\n  ? [a, b]\n  : 1\n"}, ["bad.yaml", "key"]
        ),
        "factorial_too_large": Case(
            ["sweep", "huge.yaml", "--out", "out"],
            {**scenario, "huge.yaml": factorial_experiment()},
            ["huge.yaml", "design", "10,000,000"],
        ),
        "counterfactual_bogus": Case(
            [*cf, "--counterfactual", "bogus"], scenario, ["--counterfactual", "bogus"]
        ),
        "counterfactual_unknown_key": Case(
            [*cf, "--counterfactual", "mechanisms.nope=1"],
            scenario,
            ["--counterfactual", "mechanisms.nope"],
        ),
        "seeds_reversed": Case(
            [*cf, "--counterfactual", "mechanisms.points.enabled=true", "--seeds", "5-1"],
            scenario,
            ["--seeds", "5-1"],
        ),
        "seeds_not_numbers": Case(
            [*cf, "--counterfactual", "mechanisms.points.enabled=true", "--seeds", "abc"],
            scenario,
            ["--seeds", "abc"],
        ),
        "seeds_without_counterfactual": Case([*cf, "--seeds", "1-3"], scenario, ["--seeds"]),
        "steps_boolean": Case(run_bad, {"bad.yaml": "steps: true\n"}, ["bad.yaml", "steps"]),
        "households_too_many": Case(
            run_bad,
            {
                "bad.yaml": "structure: {compounds: 5000, buildings_per_compound_max: 200, "
                "units_per_building_max: 20, floors_max: 60, households_per_floor: 8}\n"
            },
            ["bad.yaml", "structure", "2,000,000"],
        ),
        "every_zero": Case(
            ["sweep", "bad.yaml", "--out", "out"],
            {
                **scenario,
                "bad.yaml": "scenario: small.yaml\noutputs: {timeseries: {steps: {every: 0}}}\n",
            },
            ["bad.yaml", "every", "1"],
        ),
        "intervention_nested_set": Case(
            ["run", "policy.yaml", "--out", "out"],
            {
                "policy.yaml": SMALL + "mechanisms: {party_mobilisation: {enabled: true}}\n"
                "interventions:\n  - at_week: 2\n"
                "    set: {mechanisms: {points: {enabled: true}}}\n"
            },
            expect="ok",
            absent=[],
            check=interventions_check,
        ),
        "intervention_nested_unknown": Case(
            run_bad,
            {
                "bad.yaml": SMALL + "interventions:\n  - at_week: 2\n"
                "    set: {mechanisms: {pionts: {enabled: true}}}\n"
            },
            ["bad.yaml", "interventions[0].set.mechanisms.pionts"],
        ),
        # ------------------------------------------------------------------ unwritable
        # (the faults: tests/test_faults.py runs each of these cases)
        "run_out_in_proc": Case(
            ["run", "small.yaml", "--out", "/proc/cogov-fuzz"], scenario, ["--out"]
        ),
        "sweep_out_in_proc": Case(
            ["sweep", "tiny.yaml", "--out", "/proc/cogov-fuzz"], sweep, ["--out"]
        ),
        "city_out_in_proc": Case(
            ["run", "town.yaml", "--out", "/proc/cogov-fuzz/town"], {"town.yaml": CITY}, ["--out"]
        ),
        "run_out_read_only": Case(
            ["run", "small.yaml", "--out", "ro/out"],
            scenario,
            ["--out", "ro"],
            setup=lambda d: (d / "ro").mkdir(),
            frozen=["ro"],
            absent=["ro/out"],
        ),
        "run_out_existing_read_only": Case(
            ["run", "small.yaml", "--out", "out"],
            scenario,
            ["--out", "out"],
            setup=lambda d: (d / "out").mkdir(),
            frozen=["out"],
            absent=[],
        ),
        "city_out_read_only": Case(
            ["run", "town.yaml", "--out", "ro/town"],
            {"town.yaml": CITY},
            ["--out", "ro"],
            setup=lambda d: (d / "ro").mkdir(),
            frozen=["ro"],
            absent=["ro/town"],
        ),
        "analyze_read_only": Case(
            ["analyze", "swept", "--no-figures"],
            sweep,
            ["swept"],
            setup=sweep_first,
            frozen=["swept"],
            absent=["swept/report.md"],
        ),
        # ------------------------------------------------------------------ full disk
        "run_disk_full": Case(
            shell="ulimit -f 20; {cogov} run small.yaml --out out", files=scenario, status=1
        ),
        "sweep_disk_full_at_plan": Case(
            shell="ulimit -f 1; {cogov} sweep tiny.yaml --out out --quiet",
            files=sweep,
            status=1,
            absent=[],
        ),
        "sweep_disk_full_at_parts": Case(
            shell="ulimit -f 12; {cogov} sweep tiny.yaml --out out --quiet --workers 1",
            files=sweep,
            status=1,
            absent=[],
        ),
        "city_disk_full": Case(
            shell="ulimit -f 20; {cogov} run town.yaml --out out --workers 1",
            files={"town.yaml": CITY},
            status=1,
        ),
        # ------------------------------------------------------------------ kill -9
        "run_killed_while_writing": Case(
            ["run", "small.yaml", "--out", "out"],
            scenario,
            expect="ok",
            absent=[],
            kill_when=".out.*",
        ),
        "city_killed_while_writing": Case(
            ["run", "town.yaml", "--out", "out", "--workers", "1"],
            {"town.yaml": CITY},
            expect="ok",
            absent=[],
            kill_when=".out.*/.communities/0000",
        ),
        # ------------------------------------------------------------------ closed pipes
        "scenarios_into_head": Case(shell="{cogov} scenarios | head -1", expect="quiet", absent=[]),
        "scenarios_into_closed_pipe": Case(
            shell="{cogov} scenarios | true", expect="quiet", absent=[]
        ),
        "sweep_into_closed_pipe": Case(
            shell="{cogov} sweep tiny.yaml --out out --quiet --workers 1 | true",
            files=sweep,
            expect="quiet",
            absent=[],
        ),
    }


def fault_cases() -> dict[str, Case]:
    """The cases of faults (unwritable and full disks, kill -9, closed pipes)."""
    every = cases()
    names = list(every)
    return {name: every[name] for name in names[names.index("run_out_in_proc") :]}


@contextlib.contextmanager
def frozen_paths(paths: list[Path]) -> Iterator[bool]:
    """Make folders immutable (even root cannot write into them) while the block runs; yields
    False where chattr is not available."""
    made: list[Path] = []
    try:
        for path in paths:
            done = subprocess.run(["chattr", "+i", str(path)], capture_output=True)
            if done.returncode:
                yield False
                return
            made.append(path)
        yield True
    finally:
        for path in made:
            subprocess.run(["chattr", "-i", str(path)], capture_output=True)


@dataclass
class Outcome:
    """How one case went."""

    name: str
    verdict: str  # "error", "ok", "traceback", "problem", "skipped"
    leftovers: list[str]
    detail: str


def run_case(name: str, case: Case, folder: Path) -> Outcome:
    """Run one case in an empty `folder` and judge it."""
    for path, text in case.files.items():
        (folder / path).write_text(text, encoding="utf-8")
    if case.setup is not None:
        case.setup(folder)
    before = hidden_entries(folder)
    with frozen_paths([folder / p for p in case.frozen]) as frozen:
        if not frozen:
            return Outcome(name, "skipped", [], "chattr not available")
        try:
            killed = kill_while(case, folder) if case.kill_when is not None else []
            done = execute(case, folder)
        except subprocess.TimeoutExpired:
            return Outcome(name, "problem", [], f"ran over {TIMEOUT} s")
    leftovers = sorted(set(hidden_entries(folder)) - set(before))
    leftovers += [p for p in case.absent if (folder / p).exists()]
    verdict, detail = judge(case, done, folder)
    if case.kill_when is not None and verdict == "ok":
        if not killed:
            return Outcome(name, "problem", leftovers, "the kill left nothing to clean up")
        detail = f"the rerun cleaned up {killed}"
    return Outcome(name, verdict, leftovers, detail)


def execute(case: Case, folder: Path) -> subprocess.CompletedProcess:
    """Run the case's command."""
    if case.shell is not None:
        line = case.shell.format(cogov=cogov_command())
        return subprocess.run(
            ["bash", "-c", line],
            cwd=folder,
            env=environment(),
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
        )
    return run_cogov(folder, case.argv)


def kill_while(case: Case, folder: Path) -> list[str]:
    """Start the command and kill -9 its process group once `kill_when` exists; the hidden
    entries the killed command left."""
    process = subprocess.Popen(
        [PYTHON, "-m", "sim.cli", *case.argv],
        cwd=folder,
        env=environment(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + TIMEOUT
    while process.poll() is None and time.monotonic() < deadline:
        if any(folder.glob(case.kill_when)):
            os.killpg(process.pid, signal.SIGKILL)
            break
        time.sleep(0.002)
    process.wait()
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # workers of the killed run
    time.sleep(0.2)  # the workers' exit
    return [p for p in hidden_entries(folder) if "/" not in p]


def judge(case: Case, done: subprocess.CompletedProcess, folder: Path) -> tuple[str, str]:
    """The verdict and a detail line for a finished command."""
    err = done.stderr.strip()
    if "Traceback" in err or "Exception ignored" in err:
        last = err.splitlines()[-1]
        return "traceback", last[:200]
    if case.expect == "quiet":
        return ("ok", "") if not err else ("problem", f"stderr: {err[:200]}")
    if case.expect == "ok":
        if done.returncode:
            return "problem", f"exit {done.returncode}: {err[:200]}"
        problem = case.check(folder) if case.check is not None else None
        return ("problem", problem) if problem else ("ok", "")
    lines = err.splitlines()
    if done.returncode == 0:
        return "problem", "exit 0"
    if case.status is not None and done.returncode != case.status:
        return "problem", f"exit {done.returncode}, not {case.status}: {err[:200]}"
    if len(lines) != 1 or not lines[0].startswith("error:"):
        return "problem", f"{len(lines)} lines on stderr: {err[:200]}"
    missing = [f for f in case.fragments if f not in lines[0]]
    if missing:
        return "problem", f"does not say {missing}: {lines[0][:300]}"
    return "error", lines[0][:300]


def hidden_entries(folder: Path) -> list[str]:
    """Hidden files and folders under `folder` (relative paths), but a sweep's lock file."""
    found = []
    for path in folder.rglob(".*"):
        if path.name not in ALLOWED_HIDDEN:
            found.append(str(path.relative_to(folder)))
    return found


def main(argv: list[str] | None = None) -> int:
    """Run the cases and print the counts."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-k", dest="pattern", help="only cases whose name holds this")
    parser.add_argument("-v", "--verbose", action="store_true", help="one line per case")
    parser.add_argument("-j", dest="jobs", type=int, default=2, help="cases at a time (2)")
    args = parser.parse_args(argv)
    chosen = {n: c for n, c in cases().items() if not args.pattern or args.pattern in n}
    outcomes = []
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="cogov-fuzz-") as scratch:

        def one(item: tuple[str, Case]) -> Outcome:
            folder = Path(scratch) / item[0]
            folder.mkdir()
            return run_case(*item, folder)

        with ThreadPoolExecutor(max_workers=args.jobs) as pool:
            for outcome in pool.map(one, chosen.items()):
                outcomes.append(outcome)
                if args.verbose:
                    extra = f"; leftovers {outcome.leftovers}" if outcome.leftovers else ""
                    print(f"{outcome.name:<30} {outcome.verdict:<9} {outcome.detail}{extra}")
    count = {v: sum(o.verdict == v for o in outcomes) for v in ("error", "ok", "traceback")}
    problems = sum(o.verdict == "problem" for o in outcomes)
    skipped = sum(o.verdict == "skipped" for o in outcomes)
    leftovers = sum(bool(o.leftovers) for o in outcomes)
    print(
        f"inputs tried      {len(outcomes) - skipped}" + (f" ({skipped} skipped)" * bool(skipped))
    )
    print(f"one-line errors   {count['error']}")
    print(f"ran as expected   {count['ok']}")
    print(f"tracebacks        {count['traceback']}")
    print(f"leftovers         {leftovers}")
    print(f"other problems    {problems}")
    print(f"({time.monotonic() - started:.0f} s)")
    return 1 if count["traceback"] or leftovers or problems else 0


if __name__ == "__main__":
    sys.exit(main())
