"""Aggregation over replications: means with confidence intervals, policy contrasts, envelopes.

Confidence intervals are t-based (scipy's t.interval, through sim.intervals), over a design
point's replications (or a policy's runs), none from a single run, and kept inside a rate's
[0, 1] (a contrast of rates inside [-1, 1]); a percentile bootstrap is optional. Runs are matched to
design points through the stored plan by run id, never by row order.
"""

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sim.experiments.plan import UNIT_PREFIX
from sim.experiments.run import OK, RUN_COLUMNS
from sim.experiments.storage import SweepStore
from sim.intervals import CONFIDENCE, bootstrap_interval, bounds_of, mean_interval

MAX_ENVELOPE_GROUPS = 8


@dataclass
class SweepData:
    """A stored sweep, read back: design, plan, run rows, and what they hold."""

    store: SweepStore
    manifest: dict[str, Any]
    design: pd.DataFrame
    plan: pd.DataFrame
    runs: pd.DataFrame  # one row per planned run id that is stored (any status)
    levers: list[str]
    parameters: list[str]
    outputs: list[str]  # summary metric columns

    @property
    def ok(self) -> pd.DataFrame:
        """The runs that finished."""
        return self.runs[self.runs["status"] == OK]

    @property
    def keys(self) -> list[str]:
        """Levers then parameters."""
        return self.levers + self.parameters

    def points(self) -> pd.DataFrame:
        """One row per distinct design point: ids, policy and values."""
        columns = ["point_id", "policy_id", "policy", "sample_id", *self.keys]
        return self.design[columns].drop_duplicates("point_id").reset_index(drop=True)


def load_sweep(store: SweepStore) -> SweepData:
    """Read a sweep folder (only runs of its current plan count)."""
    manifest = store.read_manifest()
    design = store.read_design()
    plan = store.read_plan()
    runs = store.read_runs()
    runs = runs[runs["run_id"].isin(set(plan["run_id"]))].reset_index(drop=True)
    levers = list(manifest.get("design", {}).get("levers", []))
    parameters = list(manifest.get("design", {}).get("parameters", []))
    fixed = set(RUN_COLUMNS) | set(levers) | set(parameters)
    outputs = [c for c in runs.columns if c not in fixed]
    return SweepData(store, manifest, design, plan, runs, levers, parameters, outputs)


def mean_ci(
    values: np.ndarray, confidence: float = CONFIDENCE, bounds: tuple[float, float] | None = None
) -> dict[str, float]:
    """n, mean, sd and the t-based confidence interval of the mean (nan when n < 2), kept
    inside `bounds` (sim.intervals)."""
    ci = mean_interval(values, confidence, bounds)
    return {"n": ci.n, "mean": ci.mean, "sd": ci.sd, "ci_low": ci.low, "ci_high": ci.high}


def bootstrap_ci(
    values: np.ndarray,
    resamples: int,
    seed: int = 0,
    confidence: float = CONFIDENCE,
    bounds: tuple[float, float] | None = None,
) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean (sim.intervals)."""
    return bootstrap_interval(values, resamples, seed, confidence, bounds)


def summarise_groups(
    frame: pd.DataFrame,
    by: list[str],
    outputs: list[str],
    bootstrap: int | None = None,
    confidence: float = CONFIDENCE,
) -> pd.DataFrame:
    """Long table: one row per group and output with n, mean, sd and the CI."""
    rows = []
    for key, group in frame.groupby(by, sort=True, dropna=False):
        key = key if isinstance(key, tuple) else (key,)
        for output in outputs:
            values = group[output].to_numpy(dtype=float)
            row = {**dict(zip(by, key, strict=True)), "output": output}
            bounds = bounds_of(output)
            row.update(mean_ci(values, confidence, bounds))
            if bootstrap:
                row["boot_low"], row["boot_high"] = bootstrap_ci(values, bootstrap, bounds=bounds)
            rows.append(row)
    return pd.DataFrame(rows)


def point_summary(
    data: SweepData, outputs: list[str], bootstrap: int | None = None
) -> pd.DataFrame:
    """Mean and CI over replications for every design point and output, with the point's
    values."""
    if data.ok.empty:
        return pd.DataFrame()
    table = summarise_groups(data.ok, ["point_id"], outputs, bootstrap)
    points = data.points()
    merged = points.merge(table, on="point_id", how="right")
    return merged.sort_values(["policy", *data.parameters, "output"], kind="stable").reset_index(
        drop=True
    )


def with_policy(data: SweepData, frame: pd.DataFrame) -> pd.DataFrame:
    """Rows with their point's policy and sample ids added."""
    points = data.points()[["point_id", "policy_id", "policy", "sample_id"]]
    return frame.merge(points, on="point_id", how="left")


def policy_summary(
    data: SweepData, outputs: list[str], bootstrap: int | None = None
) -> pd.DataFrame:
    """Mean and CI of every output per policy, over its uncertainty samples and replications."""
    if not data.levers or data.ok.empty:
        return pd.DataFrame()
    table = summarise_groups(with_policy(data, data.ok), ["policy"], outputs, bootstrap)
    order = {policy: i for i, policy in enumerate(policy_order(data))}
    return table.sort_values("policy", key=lambda p: p.map(order), kind="stable").reset_index(
        drop=True
    )


def policy_order(data: SweepData) -> list[str]:
    """Policies in design order (the first is the reference: every lever at its first level)."""
    return list(data.design.sort_values("policy_index").drop_duplicates("policy_id")["policy"])


def policy_contrasts(data: SweepData, outputs: list[str]) -> pd.DataFrame:
    """Each policy minus the reference policy (the levers' first levels), paired by uncertainty
    sample and replication (the same seed under common random numbers), with a t CI."""
    if not data.levers or data.ok.empty:
        return pd.DataFrame()
    runs = with_policy(data, data.ok)
    reference, *others = policy_order(data)
    pair = ["sample_id", "replication"]
    base = runs[runs["policy"] == reference][pair + outputs]
    rows = []
    for policy in others:
        other = runs[runs["policy"] == policy][pair + outputs]
        joined = other.merge(base, on=pair, how="inner", suffixes=("", "__ref"))
        for output in outputs:
            diff = joined[output].to_numpy(float) - joined[f"{output}__ref"].to_numpy(float)
            rows.append(
                {
                    "policy": policy,
                    "reference": reference,
                    "output": output,
                    **mean_ci(diff, bounds=bounds_of(output, difference=True)),
                }
            )
    return pd.DataFrame(rows)


def envelope_groups(data: SweepData) -> tuple[str, pd.Series]:
    """How runs are grouped for time-series envelopes, and each run's group by run id:
    by policy when there are levers, by point when there are few points, else all together."""
    runs = with_policy(data, data.ok)
    if data.levers:
        return "policy", runs.set_index("run_id")["policy"]
    points = data.points()
    if 1 < len(points) <= MAX_ENVELOPE_GROUPS:
        labels = {
            row["point_id"]: "; ".join(f"{k.split('.', 1)[-1]}={row[k]}" for k in data.parameters)
            for _, row in points.iterrows()
        }
        return "point", runs.set_index("run_id")["point_id"].map(labels)
    return "all", pd.Series("all runs", index=runs["run_id"])


def envelopes(data: SweepData, columns: list[str], confidence: float = CONFIDENCE) -> pd.DataFrame:
    """Per group, step and column: n, mean, t CI of the mean, 5% and 95% quantiles, min, max."""
    series = data.store.read_series(columns)
    present = [c for c in columns if c in series.columns]
    if series.empty or not present:
        return pd.DataFrame()
    kind, groups = envelope_groups(data)
    series = series[series["run_id"].isin(groups.index)]
    series = series.assign(group=series["run_id"].map(groups))
    rows = []
    for (group, step), frame in series.groupby(["group", "step"], sort=True):
        for column in present:
            values = frame[column].to_numpy(dtype=float)
            ci = mean_ci(values, confidence, bounds_of(column))
            rows.append(
                {
                    "group": group,
                    "step": int(step),
                    "column": column,
                    **ci,
                    "q05": float(np.quantile(values, 0.05)),
                    "q95": float(np.quantile(values, 0.95)),
                    "min": float(values.min()),
                    "max": float(values.max()),
                }
            )
    table = pd.DataFrame(rows)
    if kind == "policy":
        order = {policy: i for i, policy in enumerate(policy_order(data))}
        table = table.sort_values(
            ["group", "step"], key=lambda c: c.map(order) if c.name == "group" else c, kind="stable"
        )
    return table.reset_index(drop=True)


def unit_columns(data: SweepData) -> list[str]:
    """The design's unit-value columns (present for sampled designs)."""
    return [UNIT_PREFIX + key for key in data.parameters if UNIT_PREFIX + key in data.design]


def varying_outputs(data: SweepData, outputs: list[str]) -> list[str]:
    """Outputs that are numeric and not constant over the finished runs."""
    kept = []
    for output in outputs:
        values = pd.to_numeric(data.ok[output], errors="coerce")
        if values.notna().any() and values.nunique(dropna=True) > 1:
            kept.append(output)
    return kept
