"""Figures of a sweep's report (matplotlib, Agg backend): envelopes, effects, policy means,
sensitivity indices and their convergence."""

import numpy as np
import pandas as pd

from sim.analysis import summary
from sim.analysis.summary import SweepData
from sim.report.labels import output_label, parameter_label, shorten

#: Above this many design points, effect plots show binned means instead of each point's CI.
MAX_POINTS_WITH_BARS = 40
MAX_EFFECT_PANELS = 12
#: Above this many groups, envelopes are drawn as lines without bands.
MAX_BANDED_GROUPS = 8


def pyplot():
    """matplotlib's pyplot on the Agg backend."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def envelope_figure(table: pd.DataFrame, column: str):
    """Mean, CI band and 5-95% band over steps, one colour per group."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7, 4))
    rows = table[table["column"] == column]
    groups = rows["group"].nunique()
    crowded = groups > MAX_BANDED_GROUPS
    colours = plt.cm.turbo(np.linspace(0.05, 0.95, groups)) if crowded else [None] * groups
    for (group, frame), colour in zip(rows.groupby("group", sort=False), colours, strict=True):
        frame = frame.sort_values("step")
        (line,) = ax.plot(
            frame["step"], frame["mean"], label=str(group), lw=1 if crowded else 1.6, color=colour
        )
        if crowded:  # many groups: lines only (bands in envelopes.csv)
            continue
        colour = line.get_color()
        ax.fill_between(
            frame["step"], frame["ci_low"], frame["ci_high"], color=colour, alpha=0.35, lw=0
        )
        ax.fill_between(frame["step"], frame["q05"], frame["q95"], color=colour, alpha=0.1, lw=0)
    ax.set_xlabel("week")
    ax.set_ylabel(output_label(column))
    ax.set_title(output_label(column))
    if not crowded:
        fig.tight_layout(rect=(0, 0.05, 1, 1))
        caption = "Bands: 95% interval of the mean (dark), 5-95% of runs (light)."
        fig.text(0.01, 0.01, caption, fontsize=7, color="0.3")
    if crowded:
        ax.legend(fontsize=6, loc="center left", bbox_to_anchor=(1.01, 0.5))
    else:
        ax.legend(fontsize=7, loc="best")
    return fig


def effects_figure(rows: pd.DataFrame, data: SweepData, output: str):
    """One panel per parameter: point means against its values. With few points each mean
    has its CI bar; with many, the means are dots under the binned marginal mean and its CI."""
    plt = pyplot()
    keys = data.keys[:MAX_EFFECT_PANELS]
    cols = min(3, len(keys))
    nrows = int(np.ceil(len(keys) / cols))
    fig, axes = plt.subplots(nrows, cols, figsize=(4 * cols, 3 * nrows), squeeze=False)
    many = len(rows) > MAX_POINTS_WITH_BARS
    for ax, key in zip(axes.flat, keys, strict=False):
        x = rows[key]
        if pd.api.types.is_bool_dtype(x) or not pd.api.types.is_numeric_dtype(x):
            levels = sorted(x.astype(str).unique())
            position = x.astype(str).map({v: i for i, v in enumerate(levels)}).to_numpy(float)
            ax.set_xticks(range(len(levels)), levels)
        else:
            position = x.to_numpy(float)
        y = rows["mean"].to_numpy(float)
        if many:
            ax.scatter(position, y, s=5, alpha=0.35, color="0.5")
            centres, means, lows, highs = binned_means(position, y)
            ax.plot(centres, means, color="C0", lw=1.8)
            ax.fill_between(centres, lows, highs, color="C0", alpha=0.3, lw=0)
        else:
            err = np.vstack(
                [y - rows["ci_low"].to_numpy(float), rows["ci_high"].to_numpy(float) - y]
            )
            ax.errorbar(position, y, yerr=np.nan_to_num(err), fmt="o", ms=3, alpha=0.7, capsize=2)
        ax.set_xlabel(parameter_label(key), fontsize=8)
        ax.set_ylabel(output_label(output), fontsize=8)
    for ax in list(axes.flat)[len(keys) :]:
        ax.set_visible(False)
    fig.tight_layout()
    return fig


def binned_means(x: np.ndarray, y: np.ndarray, bins: int = 8):
    """Mean of y and its t CI within each level of x (or each of `bins` quantile bins)."""
    levels = np.unique(x)
    if levels.size <= bins:
        groups = [x == level for level in levels]
        centres = levels
    else:
        edges = np.quantile(x, np.linspace(0, 1, bins + 1))
        index = np.clip(np.searchsorted(edges, x, side="right") - 1, 0, bins - 1)
        groups = [index == b for b in range(bins)]
        centres = np.array([x[g].mean() if g.any() else np.nan for g in groups])
    stats_ = [summary.mean_ci(y[g]) for g in groups]
    return (
        centres,
        np.array([s["mean"] for s in stats_]),
        np.array([s["ci_low"] for s in stats_]),
        np.array([s["ci_high"] for s in stats_]),
    )


def policy_figure(table: pd.DataFrame, shown: list[str]):
    """Policy means with CI bars, one panel per output, policies down the side."""
    plt = pyplot()
    policies = list(dict.fromkeys(table["policy"]))
    height = 1.0 + 0.22 * len(policies)
    fig, axes = plt.subplots(
        1, len(shown), figsize=(2.6 * len(shown) + 3, height), squeeze=False, sharey=True
    )
    y = np.arange(len(policies))
    for ax, output in zip(axes.flat, shown, strict=False):
        rows = table[table["output"] == output].set_index("policy").loc[policies]
        mean = rows["mean"].to_numpy(float)
        err = np.vstack([mean - rows["ci_low"].to_numpy(float), rows["ci_high"] - mean])
        ax.errorbar(mean, y, xerr=np.nan_to_num(err), fmt="o", ms=3, capsize=2)
        ax.set_title(shorten(output_label(output), 32), fontsize=8)
        ax.tick_params(labelsize=7)
    axes.flat[0].set_yticks(y, policies, fontsize=7)
    axes.flat[0].invert_yaxis()
    fig.tight_layout()
    return fig


def indices_figure(rows: pd.DataFrame, method: str, output: str):
    """Sobol' S1/ST bars, or Morris mu* bars with sigma beside them, each with its confidence
    (as SALib's own plots show them), per policy; parameters named in words."""
    plt = pyplot()
    policies = list(dict.fromkeys(rows["policy"]))
    count = rows["parameter"].nunique()
    if method == "sobol":
        size = (max(5.0, 0.45 * count + 2), 3.8)
    else:
        size = (7.5, max(2.6, 0.32 * count + 1.4))
    fig, axes = plt.subplots(
        1, len(policies), figsize=(size[0] * len(policies), size[1]), squeeze=False
    )
    for ax, policy in zip(axes.flat, policies, strict=True):
        part = rows[rows["policy"] == policy]
        names = [shorten(parameter_label(p), 40) for p in part["parameter"]]
        if method == "sobol":
            x = np.arange(len(part))
            ax.bar(x - 0.2, part["S1"], 0.4, yerr=part["S1_conf"], label="S1", capsize=2)
            ax.bar(x + 0.2, part["ST"], 0.4, yerr=part["ST_conf"], label="ST", capsize=2)
            ax.set_xticks(x, names, rotation=30, ha="right", fontsize=7)
            ax.set_ylabel("index (95% bootstrap interval)", fontsize=8)
            ax.legend(fontsize=7)
        else:
            order = np.argsort(part["mu_star"].to_numpy(float))
            part = part.iloc[order]
            y = np.arange(len(part))
            ax.barh(
                y,
                part["mu_star"],
                xerr=part["mu_star_conf"],
                color="C0",
                alpha=0.6,
                capsize=2,
                label="mu* (95% bootstrap interval)",
            )
            ax.plot(part["sigma"], y, "o", mfc="none", color="C3", label="sigma")
            ax.set_yticks(y, [names[i] for i in order], fontsize=7)
            ax.set_xlabel("effect per whole range of the parameter", fontsize=8)
            ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.01, 0.5))
        ax.set_title(f"{shorten(output_label(output), 50)}\n{policy}", fontsize=8)
    fig.tight_layout()
    return fig


def convergence_figure(rows: pd.DataFrame, method: str, output: str):
    """Each parameter's index against sample size."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6, 3.6))
    size = "base_samples" if method == "sobol" else "trajectories"
    index = "ST" if method == "sobol" else "mu_star"
    first = rows[rows["policy"] == rows["policy"].iloc[0]]
    for parameter, part in first.groupby("parameter", sort=False):
        ax.plot(part[size], part[index], marker="o", label=shorten(parameter_label(parameter), 40))
    ax.set_xscale("log", base=2)
    ax.set_xlabel(size.replace("_", " "))
    ax.set_ylabel(index)
    ax.set_title(f"{output_label(output)} ({first['policy'].iloc[0]})", fontsize=8)
    ax.legend(fontsize=6, loc="center left", bbox_to_anchor=(1.01, 0.5))
    return fig
