"""A sweep from start to end: plan, open the folder, run what is missing, record the session.

Everything that can be refused (the experiment file, every design point's scenario, the output
folder) is checked before anything is written.
"""

import os
import platform
import socket
import sys
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from sim.experiments.design import Samples, needs_salib, uncertainty_samples
from sim.experiments.execution import execute, open_run_pool
from sim.experiments.plan import Plan, make_plan, native
from sim.experiments.run import OK, RunSettings, faults_from_environment
from sim.experiments.spec import Every, Experiment
from sim.experiments.storage import SweepStore, runs_schema, series_schema
from sim.outputs import output_catalogue
from sim.pool import Apart, Pool, SequentialExecutor
from sim.provenance import git_commit, package_version

VERSIONED = ("mesa", "numpy", "pandas", "pyarrow", "scipy", "SALib", "pydantic", "dask")


@dataclass
class SweepResult:
    """Counts of one sweep session."""

    out: Path
    planned: int
    done: int
    failed: int
    skipped: int
    pool_restarts: int

    def line(self) -> str:
        """A one-line summary."""
        return (
            f"{self.planned} runs planned: {self.done} done, {self.failed} failed, "
            f"{self.skipped} already stored"
        )


def now() -> str:
    """The current UTC time, to the second."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def versions() -> dict[str, str | None]:
    """Versions of the packages a sweep's results depend on."""
    found: dict[str, str | None] = {"cogov": package_version(), "python": sys.version.split()[0]}
    for name in VERSIONED:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
    return found


def settings_for(experiment: Experiment, timeout: float | None) -> RunSettings:
    """What every run of this experiment keeps."""
    steps = experiment.series_steps
    if isinstance(steps, Every):
        steps = steps.every
    elif isinstance(steps, list):
        steps = tuple(steps)
    return RunSettings(
        summary=tuple(experiment.summary),
        series_steps=steps,
        series_columns=tuple(experiment.series_columns),
        timeout_seconds=timeout if timeout is not None else experiment.spec.timeout_seconds,
        faults=faults_from_environment(),
    )


def schemas(plan: Plan, settings: RunSettings):
    """Arrow schemas of this sweep's run rows and time-series rows."""
    catalogue = output_catalogue()
    first = plan.design.iloc[0]
    values = {key: native(first[key]) for key in plan.keys}
    summary = {name: catalogue.summary[name] for name in settings.summary}
    series = {name: catalogue.series[name] for name in settings.series_columns}
    return runs_schema(values, summary), series_schema(series)


def run_sweep(
    experiment: Experiment,
    out: Path,
    *,
    backend: str = "process",
    workers: int | None = None,
    scheduler: str | None = None,
    resume: bool = False,
    retry_failed: bool = False,
    timeout: float | None = None,
    batch_size: int | None = None,
    max_retries: int = 1,
    progress: bool = False,
    csv: bool = False,
    cluster_options: dict[str, Any] | None = None,
    command: list[str] | None = None,
    hard_grace_seconds: float = 30.0,
    pool: Pool | None = None,
) -> SweepResult:
    """Run the experiment's missing runs into `out` (see sim.experiments.storage); on `pool`
    if given (a pool the caller opened early for this sweep, closed here), else on a pool
    opened for the backend."""
    with ExitStack() as stack:
        if pool is not None:
            stack.callback(pool.close)
        store = SweepStore(out)
        store.check_target(resume)
        check_same_experiment(store, experiment)
        samples, pool = draw_and_open(
            experiment, pool, backend, workers, scheduler, cluster_options
        )
        stack.callback(pool.close)
        counts = None
        plan = make_plan(experiment, samples)
        settings = settings_for(experiment, timeout)
        run_table, series_table = schemas(plan, settings)
        unique = plan.unique_runs()
        with store.locked():
            todo = runs_to_do(store, unique, retry_failed)
            skipped = len(unique) - len(todo)
            store.write_plan(plan.design, plan.runs, experiment.text)
            manifest = start_manifest(
                store.read_manifest(), experiment, plan, backend, workers, command
            )
            manifest["sessions"][-1].update(
                skipped=skipped, to_run=len(todo), workers=pool.workers if todo else 0
            )
            store.write_manifest(manifest)
            bar = progress_bar(len(todo), progress)
            try:
                if todo:
                    counts = execute(
                        plan.tasks(todo),
                        len(todo),
                        pool,
                        settings,
                        lambda output: store.write_batch(output, run_table, series_table),
                        bar.advance if bar is not None else None,
                        batch_size=batch_size,
                        max_retries=max_retries,
                        hard_grace_seconds=hard_grace_seconds,
                    )
            finally:
                if bar is not None:
                    bar.close()
                finish_manifest(store, manifest, unique, counts)
    if csv:
        store.export_csv()
    return SweepResult(
        out=Path(out),
        planned=len(unique),
        done=counts.done if counts else 0,
        failed=counts.failed if counts else 0,
        skipped=skipped,
        pool_restarts=counts.pool_restarts if counts else 0,
    )


def draw_and_open(
    experiment: Experiment,
    pool: Pool | None,
    backend: str,
    workers: int | None,
    scheduler: str | None,
    cluster_options: dict[str, Any] | None,
) -> tuple[Samples, Pool]:
    """The design's samples, and the pool (`pool`, or one opened now for the backend).

    A design that needs SALib (Sobol', Morris) is sampled in a process of its own: SALib then
    loads neither here, where the sweep only plans and stores, nor in the workers. With one
    local worker that sampler ends before the pool starts (both at once would hold more memory
    than the sweep at work); with more, it runs while the workers load the model. Other designs
    (a Latin hypercube, a factorial, a file) are drawn here at once. The pool opens before
    anything is written, so a scheduler that cannot be reached leaves no trace.
    """
    apart = backend != "sequential" and needs_salib(experiment)
    with Apart() if apart else SequentialExecutor() as sampler:
        drawn = sampler.submit(uncertainty_samples, experiment)  # first, before any thread
        if pool is not None:
            return drawn.result(), pool
        if apart and backend == "process" and (workers or os.cpu_count() or 1) == 1:
            drawn.result()
        pool = open_run_pool(backend, workers, scheduler, cluster_options)
        try:
            return drawn.result(), pool
        except BaseException:
            pool.close()
            raise


def runs_to_do(store: SweepStore, unique: Any, retry_failed: bool) -> list[str]:
    """Planned run ids not stored yet (nor stored as failed, unless retrying failures)."""
    stored = store.stored_status()
    keep = {OK} if retry_failed else set(stored.values())
    return [r for r in unique["run_id"] if stored.get(r) not in keep]


def check_same_experiment(store: SweepStore, experiment: Experiment) -> None:
    """Refuse to resume a folder that holds another experiment."""
    previous = store.read_manifest()
    name = previous.get("experiment", {}).get("name")
    if name not in (None, experiment.name):
        from sim.scenario.loader import ScenarioError

        raise ScenarioError(
            str(store.root),
            "--resume",
            f"holds experiment {name!r}, not {experiment.name!r}",
            "resume with the same experiment, or choose another --out",
        )


def start_manifest(
    previous: dict[str, Any],
    experiment: Experiment,
    plan: Plan,
    backend: str,
    workers: int | None,
    command: list[str] | None,
) -> dict[str, Any]:
    """The manifest with a new session started (earlier unfinished sessions marked)."""
    sessions = list(previous.get("sessions", []))
    for old in sessions:
        if old.get("status") == "running":
            old["status"] = "interrupted"
    sessions.append(
        {
            "started_at": now(),
            "ended_at": None,
            "status": "running",
            "command": command or [Path(sys.argv[0]).name, *sys.argv[1:]],
            "backend": backend,
            "workers_requested": workers,
            "experiment_sha256": experiment.sha256,
            "git_commit": git_commit(),
            "package_version": package_version(),
        }
    )
    spec = experiment.spec
    return {
        "experiment": {
            "name": experiment.name,
            "description": spec.description,
            "file": experiment.file,
            "sha256": experiment.sha256,
            "text": experiment.text,
            "base_scenario": experiment.scenario_file,
        },
        "design": {
            "method": spec.design.method,
            "settings": spec.design.model_dump(),
            "parameters": list(spec.parameters),
            "levers": list(spec.levers),
            "points": len(plan.design),
            "replications": spec.replications,
            "runs_planned": len(plan.runs),
            "unique_runs": int(plan.runs["run_id"].nunique()),
            "root_seed": spec.seed,
            "common_random_numbers": spec.common_random_numbers,
        },
        "provenance": {
            "versions": versions(),
            "git_commit": git_commit(),
            "host": socket.gethostname(),
            "platform": platform.platform(),
        },
        "started_at": previous.get("started_at") or sessions[-1]["started_at"],
        "ended_at": None,
        "status": "running",
        "counts": previous.get("counts", {}),
        "sessions": sessions,
    }


def finish_manifest(store: SweepStore, manifest: dict[str, Any], unique: Any, counts: Any) -> None:
    """Record the session's end and the totals of what is stored."""
    stored = store.stored_status()
    planned = set(unique["run_id"])
    states = [s for r, s in stored.items() if r in planned]
    done = sum(s == OK for s in states)
    failed = len(states) - done
    session = manifest["sessions"][-1]
    complete = counts is not None or session.get("to_run") == 0
    session.update(
        ended_at=now(),
        status="complete" if complete else "interrupted",
        done=counts.done if counts else 0,
        failed=counts.failed if counts else 0,
        pool_restarts=counts.pool_restarts if counts else 0,
    )
    manifest["counts"] = {
        "planned": len(planned),
        "done": done,
        "failed": failed,
        "missing": len(planned) - len(states),
        "skipped_this_session": session.get("skipped", 0),
    }
    manifest["ended_at"] = session["ended_at"]
    manifest["status"] = "complete" if len(states) == len(planned) else "incomplete"
    store.write_manifest(manifest)


class ProgressBar:
    """A tqdm bar of runs with rate, ETA and failures."""

    def __init__(self, total: int) -> None:
        from tqdm import tqdm

        self.failed = 0
        self.bar = tqdm(total=total, unit="run", file=sys.stderr, smoothing=0.1)
        self.bar.set_postfix(failed=0, refresh=False)

    def advance(self, runs: int, failed: int) -> None:
        """Count finished runs and failures."""
        self.failed += failed
        self.bar.set_postfix(failed=self.failed, refresh=False)
        self.bar.update(runs)

    def close(self) -> None:
        """Finish the bar."""
        self.bar.close()


def progress_bar(total: int, enabled: bool) -> ProgressBar | None:
    """A bar on a terminal; None when not a terminal, not wanted or nothing to run."""
    if not enabled or not sys.stderr.isatty() or total == 0:
        return None
    return ProgressBar(total)
