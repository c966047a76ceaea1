"""Reading a sweep folder back for comparisons between sweeps (shared by the sweep tests)."""

from pathlib import Path

import pandas as pd

from sim.experiments.loader import load_experiment
from sim.experiments.storage import TIMING_COLUMNS, SweepStore
from sim.experiments.sweep import run_sweep


def stored(out: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Run rows without their timings (which differ between sweeps), and time-series rows."""
    store = SweepStore(out)
    return store.read_runs().drop(columns=list(TIMING_COLUMNS)), store.read_series()


def swept(folder: Path, name: str, experiment: str) -> Path:
    """Write `experiment` (YAML text) to `folder` as `name`.yaml, run it as a sequential sweep
    into `folder`/sweep, check that no run failed, and return the sweep folder."""
    path = folder / f"{name}.yaml"
    path.write_text(experiment)
    out = folder / "sweep"
    assert run_sweep(load_experiment(path), out, backend="sequential").failed == 0
    return out
