"""Running ABC-SMC (pyabc) on a calibration: a new run or the continuation of a stored one.

The run's store is pyabc's SQLite history, ``DIR/history.db``: each generation is written
there when it is complete, so a run killed at any point resumes (``--resume``) from its last
complete generation through ``ABCSMC.load``; nothing finished is lost. ``DIR/calibration.yaml``
is the calibration file as it was run; a resume refuses a file that has changed since.

Method: the prior of sim.calibration.priors; pyabc's adaptive p-norm distance (each target
scaled by the median absolute deviation of its simulated values, refitted every generation;
``distance: fixed`` scales each by its observed sd instead); epsilon the `quantile` of the last
generation's distances (pyabc's QuantileEpsilon); pyabc's default perturbation kernel (a
multivariate normal fitted to the last population). Samplers: one process (SingleCoreSampler,
reproducible: numpy's global stream is seeded from the calibration's seed and the generation),
K processes (MulticoreEvalParallelSampler), or a Dask cluster (DaskDistributedSampler).
"""

import logging
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from sim.calibration.loader import Calibration
from sim.calibration.model import ParticleModel
from sim.calibration.priors import prior_distribution
from sim.scenario.loader import ScenarioError

HISTORY = "history.db"
FILE_COPY = "calibration.yaml"
#: Prefixes of pyabc's loggers, quietened to warnings: progress is printed per generation.
PYABC_LOGGERS = ("ABC", "Sampler", "Epsilon", "Distance", "Acceptor", "History", "Adaptation")


@dataclass(frozen=True)
class Generation:
    """One completed generation, as stored in the history."""

    t: int
    epsilon: float
    particles: int
    simulations: int

    @property
    def acceptance_rate(self) -> float:
        """Accepted particles over simulations."""
        return self.particles / self.simulations if self.simulations else float("nan")


def history_url(out: Path) -> str:
    """The SQLAlchemy address of a calibration folder's history."""
    return f"sqlite:///{(out / HISTORY).resolve()}"


def build_abc(calibration: Calibration, sampler: Any) -> Any:
    """The pyabc ABCSMC object for a calibration."""
    import pyabc

    abc = calibration.spec.abc
    targets = calibration.targets
    if abc.distance == "adaptive":
        distance = pyabc.AdaptivePNormDistance(
            p=abc.p, fixed_weights={name: t.weight for name, t in targets.items()}
        )
    else:
        distance = pyabc.PNormDistance(
            p=abc.p, fixed_weights={name: t.weight / t.sd for name, t in targets.items()}
        )
    return pyabc.ABCSMC(
        models=ParticleModel(calibration),
        parameter_priors=prior_distribution(calibration.priors, calibration.ranges),
        distance_function=distance,
        population_size=abc.population,
        eps=pyabc.QuantileEpsilon(alpha=abc.quantile),
        sampler=sampler,
    )


@contextmanager
def make_sampler(workers: int, backend: str, scheduler: str | None):
    """A pyabc sampler: one process, K forked processes, or a Dask cluster (closed after)."""
    from pyabc.sampler import MulticoreEvalParallelSampler, SingleCoreSampler

    if backend == "process":
        yield SingleCoreSampler() if workers == 1 else MulticoreEvalParallelSampler(workers)
        return
    from distributed import Client, LocalCluster
    from pyabc.sampler import DaskDistributedSampler

    cluster = None
    try:
        if scheduler:
            client = Client(scheduler, timeout="20s")
        else:
            cluster = LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
            )
            client = Client(cluster)
    except OSError as exc:
        raise ScenarioError(
            "--scheduler", str(scheduler), f"cannot connect: {exc}", "tcp://HOST:PORT"
        ) from None
    try:
        yield DaskDistributedSampler(dask_client=client, batch_size=1)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def prepare_folder(calibration: Calibration, out: Path, resume: bool) -> None:
    """Check the folder against --resume; keep a copy of the calibration file in a new one."""
    history = out / HISTORY
    copy = out / FILE_COPY
    if resume:
        if not history.is_file():
            raise ScenarioError(str(out), "--resume", "no calibration history here", "a folder")
        if copy.is_file() and copy.read_text(encoding="utf-8") != calibration.text:
            raise ScenarioError(
                calibration.file,
                "--resume",
                f"the file has changed since the run in {out} began",
                f"the file as in {out / FILE_COPY}, or another --out",
            )
        return
    if history.exists():
        raise ScenarioError(
            str(out), "--out", "holds a calibration already", "--resume to go on, or another --out"
        )
    if out.exists() and not out.is_dir():
        raise ScenarioError(str(out), "--out", "exists and is not a folder", "a folder path")
    out.mkdir(parents=True, exist_ok=True)
    copy.write_text(calibration.text, encoding="utf-8")


def generations(history: Any) -> list[Generation]:
    """The completed generations of a stored run."""
    frame = history.get_all_populations()
    frame = frame[frame["t"] >= 0]
    return [
        Generation(int(r.t), float(r.epsilon), int(r.particles), int(r.samples))
        for r in frame.itertuples()
    ]


def calibrate(
    calibration: Calibration,
    out: Path,
    workers: int = 1,
    backend: str = "process",
    scheduler: str | None = None,
    resume: bool = False,
    report: Callable[[str], None] | None = print,
) -> Any:
    """Run (or continue) the ABC-SMC calibration into `out`; return pyabc's History.

    `report` gets one line per generation (None: silent).
    """
    prepare_folder(calibration, out, resume)
    quieten_pyabc()
    abc_settings = calibration.spec.abc
    with make_sampler(workers, backend, scheduler) as sampler:
        abc = build_abc(calibration, sampler)
        if resume:
            abc.load(history_url(out), last_run_id(out), calibration.observed)
        else:
            abc.new(history_url(out), calibration.observed, meta_info={"file": calibration.file})
        done = generations(abc.history)
        remaining = abc_settings.generations - len(done)
        if remaining <= 0 or finished(abc, done, calibration):
            return abc.history
        t0 = len(done)
        # pyabc draws from numpy's global stream (one process: the run is reproducible)
        np.random.seed([abc_settings.seed & 0xFFFFFFFF, t0])  # noqa: NPY002
        started = time.perf_counter()
        abc.initialize_components_before_run(
            minimum_epsilon=abc_settings.min_epsilon,
            max_nr_populations=remaining,
            min_acceptance_rate=abc_settings.min_acceptance_rate,
            max_total_nr_simulations=abc_settings.max_simulations or np.inf,
            max_walltime=None,
            min_eps_diff=0.0,
        )
        t = t0
        while True:
            outcome = abc.run_generation(t=t)
            if not outcome["successful"]:
                break
            if report is not None:
                elapsed = time.perf_counter() - started
                report(progress_line(generations(abc.history)[-1], t0, elapsed, calibration))
            if abc.check_terminate(t=t, acceptance_rate=outcome["acceptance_rate"]):
                break
            t += 1
    return abc.history


def quieten_pyabc() -> None:
    """Set pyabc's loggers (each has its own level) to warnings."""
    import pyabc  # noqa: F401 - creates its loggers

    for name in list(logging.root.manager.loggerDict):
        if name.split(".")[0] in PYABC_LOGGERS:
            logging.getLogger(name).setLevel(logging.WARNING)


def finished(abc: Any, done: list[Generation], calibration: Calibration) -> bool:
    """Whether a stored run already met a stopping rule (so a resume has nothing to do)."""
    if not done:
        return False
    settings = calibration.spec.abc
    last = done[-1]
    total = abc.history.total_nr_simulations
    return (
        last.epsilon <= settings.min_epsilon
        or (settings.max_simulations is not None and total >= settings.max_simulations)
        or last.acceptance_rate < settings.min_acceptance_rate
    )


def last_run_id(out: Path) -> int:
    """The id of the latest ABC-SMC run in a folder's history."""
    import pyabc

    return int(pyabc.History(history_url(out)).id)


def progress_line(generation: Generation, t0: int, elapsed: float, calibration: Calibration) -> str:
    """One generation's line: particles, acceptance, epsilon, elapsed time and an upper ETA."""
    most = calibration.spec.abc.generations
    run_here = generation.t - t0 + 1
    left = most - generation.t - 1
    eta = elapsed / run_here * left
    return (
        f"generation {generation.t + 1}/{most}: {generation.particles} particles from "
        f"{generation.simulations} simulations (acceptance {generation.acceptance_rate:.3f}), "
        f"epsilon {generation.epsilon:.4g}, {elapsed:.1f} s elapsed, "
        f"at most {eta:.0f} s to go"
    )
