"""Intervals over seeds: the one implementation used by counterfactuals, sweeps and reports.

The interval of a mean over n seeds is Student's t interval (`scipy.stats.t.interval`) or a
percentile bootstrap (`scipy.stats.bootstrap`). With fewer than `MIN_SEEDS` values there is
no interval: the bounds are NaN and callers say so rather than print a zero-width one. A
quantity with natural bounds (a rate in [0, 1], a difference of rates in [-1, 1]) keeps its
interval inside them.
"""

from dataclasses import dataclass

import numpy as np
from scipy import stats

CONFIDENCE = 0.95
MIN_SEEDS = 2
#: Seeds `cogov run --counterfactual` uses when none are given: enough for a usable t interval
#: (t(0.975, 9) = 2.26, against 12.7 with two seeds).
DEFAULT_COUNTERFACTUAL_SEEDS = 10

#: Time-series columns that are means of values in [0, 1] besides the *_rate and *_share ones.
UNIT_COLUMNS = frozenset(
    {"service_quality", "trust_firm", "trust_committee", "satisfaction", "intrinsic_motivation"}
)


@dataclass(frozen=True)
class Interval:
    """A mean over n values, its sd and its interval (low and high NaN when there is none)."""

    n: int
    mean: float
    sd: float
    low: float
    high: float

    @property
    def exists(self) -> bool:
        """Whether there were enough values for an interval."""
        return bool(np.isfinite(self.low) and np.isfinite(self.high))

    def text(self, digits: int = 3, signed: bool = False) -> str:
        """'mean [low, high]', or 'mean (no interval from n seeds)'."""
        fmt = f"{{:{'+' if signed else ''}.{digits}f}}"
        mean = fmt.format(self.mean)
        if not self.exists:
            return f"{mean} (no interval from {self.n} seed{'s' if self.n != 1 else ''})"
        return f"{mean} [{fmt.format(self.low)}, {fmt.format(self.high)}]"


def bounds_of(column: str, difference: bool = False) -> tuple[float, float] | None:
    """Natural bounds of an output (a summary key such as 'last_year.fee_collection_rate'
    or a time-series column): [0, 1] for rates, shares and means of [0, 1] values, [-1, 1]
    for a difference of two of them; None when unbounded."""
    name = column.rsplit(".", 1)[-1]
    if name.endswith(("_rate", "_share")) or name in UNIT_COLUMNS:
        return (-1.0, 1.0) if difference else (0.0, 1.0)
    return None


def finite(values) -> np.ndarray:
    """The finite entries of `values` as floats."""
    values = np.asarray(values, dtype=float)
    return values[np.isfinite(values)]


def clip(low: float, high: float, bounds: tuple[float, float] | None) -> tuple[float, float]:
    """An interval kept inside `bounds`."""
    if bounds is None:
        return low, high
    return float(np.clip(low, *bounds)), float(np.clip(high, *bounds))


def mean_interval(
    values, confidence: float = CONFIDENCE, bounds: tuple[float, float] | None = None
) -> Interval:
    """Mean and Student's t interval of the mean (none from fewer than MIN_SEEDS values)."""
    values = finite(values)
    n = values.size
    if n == 0:
        return Interval(0, np.nan, np.nan, np.nan, np.nan)
    mean = float(values.mean())
    if n < MIN_SEEDS:
        return Interval(n, mean, np.nan, np.nan, np.nan)
    sd = float(values.std(ddof=1))
    if sd == 0.0:
        low = high = mean
    else:
        low, high = stats.t.interval(confidence, n - 1, loc=mean, scale=sd / np.sqrt(n))
    low, high = clip(float(low), float(high), bounds)
    return Interval(n, mean, sd, low, high)


def bootstrap_interval(
    values,
    resamples: int,
    seed: int = 0,
    confidence: float = CONFIDENCE,
    bounds: tuple[float, float] | None = None,
) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean (NaN from fewer than MIN_SEEDS values)."""
    values = finite(values)
    if values.size < MIN_SEEDS:
        return np.nan, np.nan
    if np.all(values == values[0]):
        return float(values[0]), float(values[0])
    result = stats.bootstrap(
        (values,),
        np.mean,
        n_resamples=resamples,
        confidence_level=confidence,
        method="percentile",
        rng=np.random.default_rng(seed),
    )
    return clip(
        float(result.confidence_interval.low), float(result.confidence_interval.high), bounds
    )
