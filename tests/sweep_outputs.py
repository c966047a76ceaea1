"""Reading a sweep folder back for comparisons between sweeps (shared by the sweep tests)."""

from pathlib import Path

import pandas as pd

from sim.experiments.storage import TIMING_COLUMNS, SweepStore


def stored(out: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Run rows without their timings (which differ between sweeps), and time-series rows."""
    store = SweepStore(out)
    return store.read_runs().drop(columns=list(TIMING_COLUMNS)), store.read_series()
