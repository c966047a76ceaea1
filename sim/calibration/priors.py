"""Priors of the free parameters, kept inside the scenario schema's ranges.

A prior is checked against its key's declared bounds (``ge``/``gt``/``le``/``lt`` of the
pydantic field): a uniform or log-uniform range, or a truncated normal's bounds, that reach
past them are refused; a normal prior is truncated to them. So every particle pyabc proposes
lies where the schema allows (pyabc re-proposes a particle of prior density zero), and the
validation of each particle's scenario is a second guard, not the first.
"""

import math
from dataclasses import dataclass
from typing import Any

from sim.calibration.spec import (
    LogUniformPrior,
    NormalPrior,
    Prior,
    TruncatedNormalPrior,
    UniformPrior,
)
from sim.scenario.loader import ScenarioError, field_info

#: A truncated normal prior must keep at least this share of its mass inside its range.
MIN_MASS = 1e-6


@dataclass(frozen=True)
class PriorRange:
    """Where a free parameter may lie: the prior's support within the key's declared range."""

    low: float
    high: float
    #: The key's declared bounds, as the error lines and docs show them.
    declared: str


def declared_bounds(key: str) -> tuple[float, float, bool, bool]:
    """A scenario key's (low, high, low_strict, high_strict); infinite where unbounded."""
    info = field_info(tuple(key.split(".")))
    low, high, low_strict, high_strict = -math.inf, math.inf, False, False
    for meta in info.metadata if info is not None else []:
        if getattr(meta, "ge", None) is not None:
            low = float(meta.ge)
        if getattr(meta, "gt", None) is not None:
            low, low_strict = float(meta.gt), True
        if getattr(meta, "le", None) is not None:
            high = float(meta.le)
        if getattr(meta, "lt", None) is not None:
            high, high_strict = float(meta.lt), True
    return low, high, low_strict, high_strict


def describe(low: float, high: float, low_strict: bool, high_strict: bool) -> str:
    """A declared range in words, e.g. '>= 0 and <= 1'."""
    parts = []
    if math.isfinite(low):
        parts.append(f"{'>' if low_strict else '>='} {low:g}")
    if math.isfinite(high):
        parts.append(f"{'<' if high_strict else '<='} {high:g}")
    return " and ".join(parts) or "any real number"


def check_prior(key: str, prior: Prior, file: str, where: str) -> PriorRange:
    """The prior's support within the key's range; ScenarioError when it reaches outside."""
    info = field_info(tuple(key.split(".")))
    if info is None or info.annotation is not float:
        kind = getattr(info.annotation, "__name__", str(info.annotation)) if info else "unknown"
        raise ScenarioError(
            file,
            where,
            f"a {kind} key cannot be calibrated",
            "a real-valued (float) key; fix others under set",
        )
    low, high, low_strict, high_strict = declared_bounds(key)
    declared = describe(low, high, low_strict, high_strict)

    def inside(value: float) -> bool:
        above = value > low if low_strict else value >= low
        below = value < high if high_strict else value <= high
        return above and below

    if isinstance(prior, UniformPrior):  # also log-uniform
        for name in ("low", "high"):
            value = getattr(prior, name)
            if not inside(value):
                raise ScenarioError(
                    file,
                    f"{where}.{name}",
                    f"{value:g} is outside the key's range",
                    f"{key} {declared}",
                )
        return PriorRange(prior.low, prior.high, declared)
    support_low, support_high = low, high
    if isinstance(prior, TruncatedNormalPrior):
        for name in ("low", "high"):
            value = getattr(prior, name)
            if value is not None and not inside(value):
                raise ScenarioError(
                    file,
                    f"{where}.{name}",
                    f"{value:g} is outside the key's range",
                    f"{key} {declared}",
                )
        support_low = prior.low if prior.low is not None else low
        support_high = prior.high if prior.high is not None else high
        if support_low >= support_high:
            raise ScenarioError(
                file, where, "empty range after truncation", f"low < high, {key} {declared}"
            )
    if normal_mass(prior, support_low, support_high) < MIN_MASS:
        raise ScenarioError(
            file,
            where,
            f"the normal prior has almost no mass within [{support_low:g}, {support_high:g}]",
            f"a mean near {key}'s range {declared}",
        )
    return PriorRange(support_low, support_high, declared)


def normal_mass(prior: NormalPrior, low: float, high: float) -> float:
    """The share of a normal prior's mass within [low, high]."""
    from scipy import stats

    dist = stats.norm(prior.mean, prior.sd)
    return float(dist.cdf(high) - dist.cdf(low))


def pyabc_rv(prior: Prior, support: PriorRange) -> Any:
    """The prior as a pyabc random variable (scipy.stats underneath), truncated to `support`."""
    import pyabc

    if isinstance(prior, LogUniformPrior):
        return pyabc.RV("loguniform", prior.low, prior.high)
    if isinstance(prior, UniformPrior):
        return pyabc.RV("uniform", prior.low, prior.high - prior.low)
    low, high = support.low, support.high
    if math.isinf(low) and math.isinf(high):
        return pyabc.RV("norm", prior.mean, prior.sd)
    a, b = (low - prior.mean) / prior.sd, (high - prior.mean) / prior.sd
    return pyabc.RV("truncnorm", a, b, loc=prior.mean, scale=prior.sd)


def prior_distribution(priors: dict[str, Prior], ranges: dict[str, PriorRange]) -> Any:
    """The joint prior (independent marginals) as a pyabc Distribution."""
    import pyabc

    return pyabc.Distribution(
        **{key: pyabc_rv(prior, ranges[key]) for key, prior in priors.items()}
    )
