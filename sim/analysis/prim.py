"""Scenario discovery with PRIM (Friedman & Fisher 1999), the EMA Workbench's implementation.

PRIM peels the design's box a little at a time (`PEEL_ALPHA` of the runs per step), always
where the share of cases of interest inside rises most, then pastes back what it can; each step
of the peeling trajectory is a box with its coverage (cases in the box / all cases), density
(cases in the box / runs in the box), mass (runs in the box / all runs) and number of
restricted parameters. The trajectory shows the trade-off between coverage and density; the
box reported is the densest box whose coverage is at least `MIN_COVERAGE` (Bryant & Lempert
2010 use about this balance), or the first box when none reaches it.

Inputs are the runs' parameters and levers: numbers as they are, booleans and categories as
categories. PRIM is deterministic, so the same sweep gives the same trajectory.
"""

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.analysis.discovery import Condition
from sim.analysis.summary import SweepData

PEEL_ALPHA = 0.05
MASS_MIN = 0.05
MIN_COVERAGE = 0.5
TRAJECTORY_COLUMNS = ["box", "coverage", "density", "mass", "restricted", "chosen"]


@dataclass(frozen=True)
class PrimResult:
    """The peeling trajectory (one row per box) and the chosen box's restrictions."""

    trajectory: pd.DataFrame
    restrictions: pd.DataFrame
    chosen: int | None

    @property
    def found(self) -> bool:
        return self.chosen is not None


def inputs(runs: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """PRIM's inputs: numeric parameters as floats, the others as text categories."""
    columns = {}
    for key in keys:
        values = runs[key]
        if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
            columns[key] = values.astype(float)
        else:
            columns[key] = values.astype(str)
    return pd.DataFrame(columns, index=runs.index)


def prim_discovery(data: SweepData, condition: Condition) -> PrimResult:
    """Run PRIM for the condition's cases of interest over the finished runs."""
    runs = data.ok.reset_index(drop=True)
    interest = condition.holds(runs[condition.output]) if not runs.empty else np.array([])
    empty = PrimResult(
        pd.DataFrame(columns=TRAJECTORY_COLUMNS),
        pd.DataFrame(columns=["parameter", "restriction"]),
        None,
    )
    if runs.empty or not data.keys or not interest.any() or interest.all():
        return empty
    x = inputs(runs, data.keys)
    x = x.loc[:, [c for c in x.columns if x[c].nunique() > 1]]
    if x.empty:
        return empty
    with warnings.catch_warnings():  # the workbench warns about its optional parallel parts
        warnings.simplefilter("ignore")
        from ema_workbench.analysis import prim

        algorithm = prim.Prim(x, interest.astype(int), peel_alpha=PEEL_ALPHA, mass_min=MASS_MIN)
        box = algorithm.find_box()
    trajectory = box.peeling_trajectory
    table = pd.DataFrame(
        {
            "box": np.arange(len(trajectory)),
            "coverage": trajectory["coverage"].to_numpy(float),
            "density": trajectory["density"].to_numpy(float),
            "mass": trajectory["mass"].to_numpy(float),
            "restricted": trajectory["res_dim"].to_numpy(int),
        }
    )
    covering = table[table["coverage"] >= MIN_COVERAGE]
    chosen = (
        int(covering.sort_values(["density", "coverage"], ascending=False)["box"].iloc[0])
        if not covering.empty
        else 0
    )
    table["chosen"] = table["box"] == chosen
    return PrimResult(table, restrictions(box.box_lims[chosen], algorithm.box_init), chosen)


def restrictions(limits: pd.DataFrame, initial: pd.DataFrame) -> pd.DataFrame:
    """The parameters a box restricts, each with its restriction in words."""
    rows = []
    for key in limits.columns:
        low, high = limits[key].iloc[0], limits[key].iloc[1]
        if isinstance(low, set):
            if low != initial[key].iloc[0]:
                rows.append(
                    {
                        "parameter": key,
                        "restriction": "in {" + ", ".join(sorted(map(str, low))) + "}",
                    }
                )
            continue
        start_low, start_high = initial[key].iloc[0], initial[key].iloc[1]
        if low > start_low and high < start_high:
            rows.append({"parameter": key, "restriction": f"{low:.4g} <= x <= {high:.4g}"})
        elif low > start_low:
            rows.append({"parameter": key, "restriction": f">= {low:.4g}"})
        elif high < start_high:
            rows.append({"parameter": key, "restriction": f"<= {high:.4g}"})
    return pd.DataFrame(rows, columns=["parameter", "restriction"])


def tradeoff_figure(result: PrimResult, condition: Condition):
    """Density against coverage along the peeling trajectory, coloured by the number of
    restricted parameters; the chosen box ringed."""
    from sim.analysis.sweep_figures import pyplot

    plt = pyplot()
    table = result.trajectory
    fig, ax = plt.subplots(figsize=(6, 4.2))
    levels = int(table["restricted"].max()) + 1
    points = ax.scatter(
        table["coverage"],
        table["density"],
        c=table["restricted"],
        cmap=plt.get_cmap("viridis", levels),
        vmin=-0.5,
        vmax=levels - 0.5,
        s=18,
    )
    chosen = table[table["chosen"]]
    ax.scatter(
        chosen["coverage"],
        chosen["density"],
        s=140,
        facecolors="none",
        edgecolors="C3",
        lw=1.5,
        label=f"box reported (coverage >= {MIN_COVERAGE:g}, densest)",
    )
    fig.colorbar(points, ax=ax, label="restricted parameters", ticks=range(levels))
    ax.set_xlabel("coverage (share of all cases of interest in the box)")
    ax.set_ylabel("density (share of the box's runs that are cases)")
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.set_title(f"PRIM peeling trajectory: {condition}", fontsize=9)
    ax.legend(fontsize=7, loc="lower left")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig
