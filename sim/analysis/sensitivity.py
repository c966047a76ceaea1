"""Sobol' and Morris indices through SALib, per policy, on replication means.

- Outputs are matched to design rows through the plan by run id, never by order: a design
  row's output is the mean over its finished replications.
- Replication noise is reported, not hidden: `noise_share` is the variance that noise adds
  to a design row's mean (mean within-row variance / replications) over the variance of the
  means across rows. Sobol' total indices in particular grow with it.
- Inputs are the design's unit values, so indices of discrete parameters measure the choice
  among their levels with each level equally likely (see sim.experiments.design); Morris mu*
  and sigma are per unit of normalised input (a parameter's whole range).
- Convergence: Saltelli rows come in blocks per base sample and a scrambled Sobol' sequence's
  first n points do not depend on its length, so the first n blocks are the design of size n;
  indices are recomputed on n = N/8, N/4, N/2, N (Morris: on the first trajectories).
"""

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sim.analysis.summary import SweepData, unit_columns
from sim.experiments.design import unit_problem

RESAMPLES = 200
MIN_BASE_SAMPLES = 4


@dataclass
class Sensitivity:
    """Indices, replication noise, convergence and notes of one sweep."""

    method: str
    indices: pd.DataFrame = field(default_factory=pd.DataFrame)
    second_order: pd.DataFrame = field(default_factory=pd.DataFrame)
    noise: pd.DataFrame = field(default_factory=pd.DataFrame)
    convergence: pd.DataFrame = field(default_factory=pd.DataFrame)
    notes: list[str] = field(default_factory=list)


def design_means(data: SweepData, outputs: list[str]) -> pd.DataFrame:
    """Per design row (by point_index): mean, variance and count of each output over its
    finished replications, joined through the plan by run id."""
    runs = data.ok[["run_id", *outputs]]
    joined = data.plan[["point_index", "run_id"]].merge(runs, on="run_id", how="inner")
    grouped = joined.groupby("point_index")[outputs]
    means = grouped.mean().add_suffix("__mean")
    variances = grouped.var(ddof=1).add_suffix("__var")
    counts = grouped.count().add_suffix("__n")
    table = pd.concat([means, variances, counts], axis=1)
    return table.reindex(data.design["point_index"])


def noise_table(policy: str, means: pd.DataFrame, outputs: list[str]) -> pd.DataFrame:
    """Replication noise of each output at this policy's design rows."""
    rows = []
    for output in outputs:
        y = means[f"{output}__mean"].to_numpy(float)
        within = np.nanmean(means[f"{output}__var"].to_numpy(float))
        reps = np.nanmean(means[f"{output}__n"].to_numpy(float))
        between = float(np.nanvar(y, ddof=1)) if y.size > 1 else np.nan
        noise = within / reps if reps and np.isfinite(within) else np.nan
        rows.append(
            {
                "policy": policy,
                "output": output,
                "replications": reps,
                "within_point_sd": float(np.sqrt(within)) if np.isfinite(within) else np.nan,
                "variance_of_means": between,
                "noise_share": noise / between if between and np.isfinite(noise) else np.nan,
            }
        )
    return pd.DataFrame(rows)


def analyse(
    data: SweepData, outputs: list[str], convergence: bool = False, seed: int = 0
) -> Sensitivity | None:
    """Sobol' or Morris indices for a sweep of that design (None for other designs)."""
    method = data.manifest.get("design", {}).get("method")
    if method not in ("sobol", "morris") or not outputs:
        return None
    result = Sensitivity(method)
    units = unit_columns(data)
    problem = unit_problem(data.parameters)
    design = data.design
    spec = experiment_design(data)
    means = design_means(data, outputs)
    index_frames, second, noise, conv = [], [], [], []
    for policy, rows in design.groupby("policy", sort=False):
        rows = rows.sort_values("sample_index")
        m = means.loc[rows["point_index"]]
        missing = int(m[[f"{o}__mean" for o in outputs]].isna().any(axis=1).sum())
        if missing:
            result.notes.append(
                f"{policy}: {missing} of {len(rows)} design rows have no finished run; "
                "indices skipped (run `cogov sweep --resume`)"
            )
            continue
        x = rows[units].to_numpy(float)
        noise.append(noise_table(policy, m, outputs))
        for output in outputs:
            y = m[f"{output}__mean"].to_numpy(float)
            if np.nanvar(y) == 0:
                result.notes.append(f"{policy}: {output} does not vary; no indices")
                continue
            if method == "sobol":
                frame, s2 = sobol_indices(problem, y, spec, seed)
                if convergence:
                    conv.append(
                        sobol_convergence(problem, y, spec, seed).assign(
                            policy=policy, output=output
                        )
                    )
            else:
                frame, s2 = morris_indices(problem, x, y, spec, seed), None
                if convergence:
                    conv.append(
                        morris_convergence(problem, x, y, spec, seed).assign(
                            policy=policy, output=output
                        )
                    )
            index_frames.append(frame.assign(policy=policy, output=output))
            if s2 is not None:
                second.append(s2.assign(policy=policy, output=output))
    empty = pd.DataFrame()
    result.indices = front(pd.concat(index_frames, ignore_index=True)) if index_frames else empty
    result.second_order = front(pd.concat(second, ignore_index=True)) if second else empty
    result.noise = pd.concat(noise, ignore_index=True) if noise else empty
    result.convergence = front(pd.concat(conv, ignore_index=True)) if conv else empty
    return result


def front(frame: pd.DataFrame) -> pd.DataFrame:
    """Policy and output first."""
    first = ["policy", "output"]
    return frame[first + [c for c in frame.columns if c not in first]]


def experiment_design(data: SweepData) -> dict:
    """The design settings recorded with the sweep."""
    return dict(data.manifest.get("design", {}).get("settings", {}))


def sobol_indices(
    problem: dict, y: np.ndarray, design: dict, seed: int
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """First-order and total indices with confidence halves (and second-order ones)."""
    from SALib.analyze import sobol

    second = bool(design.get("second_order", False))
    found = sobol.analyze(problem, y, calc_second_order=second, num_resamples=RESAMPLES, seed=seed)
    frame = pd.DataFrame(
        {
            "parameter": problem["names"],
            "S1": found["S1"],
            "S1_conf": found["S1_conf"],
            "ST": found["ST"],
            "ST_conf": found["ST_conf"],
        }
    )
    if not second:
        return frame, None
    names = problem["names"]
    pairs = [
        {
            "parameter": names[i],
            "with": names[j],
            "S2": found["S2"][i, j],
            "S2_conf": found["S2_conf"][i, j],
        }
        for i in range(len(names))
        for j in range(i + 1, len(names))
    ]
    return frame, pd.DataFrame(pairs)


def sobol_convergence(problem: dict, y: np.ndarray, design: dict, seed: int) -> pd.DataFrame:
    """Indices on the first n base samples, n = N/8 ... N (powers of two, n >= 4)."""
    d = problem["num_vars"]
    block = 2 * d + 2 if design.get("second_order") else d + 2
    total = y.size // block
    frames = []
    n = total
    sizes = []
    while n >= MIN_BASE_SAMPLES and len(sizes) < 4:
        sizes.append(n)
        n //= 2
    for n in sorted(sizes):
        frame, _ = sobol_indices(problem, y[: n * block], design, seed)
        frames.append(frame.assign(base_samples=n, runs_per_replication=n * block))
    return pd.concat(frames, ignore_index=True)


def morris_indices(
    problem: dict, x: np.ndarray, y: np.ndarray, design: dict, seed: int
) -> pd.DataFrame:
    """mu, mu*, its confidence half, and sigma of the elementary effects."""
    from SALib.analyze import morris

    found = morris.analyze(
        problem,
        x,
        y,
        num_resamples=RESAMPLES,
        num_levels=int(design.get("levels", 4)),
        seed=seed,
    )
    return pd.DataFrame(
        {
            "parameter": problem["names"],
            "mu": found["mu"],
            "mu_star": found["mu_star"],
            "mu_star_conf": found["mu_star_conf"],
            "sigma": found["sigma"],
        }
    )


def morris_convergence(
    problem: dict, x: np.ndarray, y: np.ndarray, design: dict, seed: int
) -> pd.DataFrame:
    """mu* on the first t trajectories, t = T/8 ... T."""
    block = problem["num_vars"] + 1
    total = y.size // block
    sizes = sorted({max(2, total // k) for k in (8, 4, 2, 1)})
    frames = []
    for t in sizes:
        rows = t * block
        frame = morris_indices(problem, x[:rows], y[:rows], design, seed)
        frames.append(frame.assign(trajectories=t, runs_per_replication=rows))
    return pd.concat(frames, ignore_index=True)
