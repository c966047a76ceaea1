"""The statistics a calibration compares with a community's figures, computed from a run."""

import numpy as np

from sim.calibration.spec import SeriesStatistic, Target
from sim.runner import RunResult, flatten_summary


def aggregate(values: np.ndarray, how: str) -> float:
    """One number from a series: mean, median, min, max, sum, first or last (nan if empty)."""
    if values.size == 0:
        return float("nan")
    if how == "first":
        return float(values[0])
    if how == "last":
        return float(values[-1])
    return float(getattr(np, how)(values))


def series_window(series: SeriesStatistic, steps: int) -> slice:
    """The rows (weeks 0..steps) of a statistic's window; negative weeks count from the end."""
    start = series.from_week if series.from_week >= 0 else steps + 1 + series.from_week
    end = steps if series.to_week is None else series.to_week
    end = end if end >= 0 else steps + 1 + end
    return slice(max(start, 0), max(end, -1) + 1)


def target_statistic(result: RunResult, target: Target) -> float:
    """A target's statistic of one run (a share is 0 when its denominator is 0)."""
    metrics = flatten_summary(result.summary)
    if target.series is not None:
        steps = len(result.timeseries) - 1
        column = result.timeseries[target.series.column].to_numpy(dtype=float)
        value = aggregate(column[series_window(target.series, steps)], target.series.aggregate)
    else:
        value = float(metrics[target.summary])
    if target.per is not None:
        denominator = float(metrics[target.per])
        value = value / denominator if denominator else 0.0
    return value
