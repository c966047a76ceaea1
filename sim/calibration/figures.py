"""Figures of a calibration: posterior marginals, pairwise posteriors and the predictive check,
each as PNG and SVG."""

from pathlib import Path

import numpy as np
import pandas as pd

from sim.calibration.loader import Calibration

BINS = 20


def save(figure, folder: Path, name: str) -> None:
    """Write a figure as PNG and SVG and close it."""
    import matplotlib.pyplot as plt

    folder.mkdir(parents=True, exist_ok=True)
    for suffix in ("png", "svg"):
        figure.savefig(folder / f"{name}.{suffix}", dpi=120, bbox_inches="tight")
    plt.close(figure)


def short(key: str) -> str:
    """A parameter's key without its section, for axis labels."""
    return key.rsplit(".", 1)[-1]


def draw_marginals(frame: pd.DataFrame, table: pd.DataFrame, folder: Path) -> None:
    """Each parameter's weighted posterior histogram over its prior's support, with the 90%
    credible interval and the mean."""
    import matplotlib.pyplot as plt

    rows = list(table.itertuples())
    figure, axes = plt.subplots(1, len(rows), figsize=(3.2 * len(rows), 2.8), squeeze=False)
    weights = frame["weight"].to_numpy(dtype=float)
    for ax, row in zip(axes[0], rows, strict=True):
        low, high = support(frame, row)
        ax.hist(frame[row.parameter], bins=BINS, range=(low, high), weights=weights, color="C0")
        ax.axvspan(row.q05, row.q95, color="C1", alpha=0.2, label="90% interval")
        ax.axvline(row.mean, color="C1", label="mean")
        ax.set_xlim(low, high)
        ax.set_xlabel(row.parameter, fontsize=8)
        ax.set_yticks([])
    axes[0][0].set_ylabel("posterior weight")
    axes[0][0].legend(fontsize=7)
    figure.suptitle("Posterior marginals (over the prior's range)")
    save(figure, folder, "posterior_marginals")


def support(frame: pd.DataFrame, row) -> tuple[float, float]:
    """The prior's range where finite, else the particles' range."""
    values = frame[row.parameter]
    low = row.support_low if np.isfinite(row.support_low) else float(values.min())
    high = row.support_high if np.isfinite(row.support_high) else float(values.max())
    return low, high


def draw_pairs(frame: pd.DataFrame, table: pd.DataFrame, folder: Path) -> None:
    """Pairwise posteriors: weighted histograms on the diagonal, particles (sized by weight)
    below it."""
    import matplotlib.pyplot as plt

    rows = list(table.itertuples())
    n = len(rows)
    figure, axes = plt.subplots(n, n, figsize=(2.4 * n + 0.6, 2.4 * n + 0.6), squeeze=False)
    weights = frame["weight"].to_numpy(dtype=float)
    sizes = 4 + 60 * weights / weights.max()
    for i, y in enumerate(rows):
        for j, x in enumerate(rows):
            ax = axes[i][j]
            if j > i:
                ax.axis("off")
                continue
            xlow, xhigh = support(frame, x)
            if i == j:
                ax.hist(frame[x.parameter], bins=BINS, range=(xlow, xhigh), weights=weights)
                ax.set_yticks([])
            else:
                ax.scatter(frame[x.parameter], frame[y.parameter], s=sizes, alpha=0.5, lw=0)
                ax.set_ylim(*support(frame, y))
            ax.set_xlim(xlow, xhigh)
            if i == n - 1:
                ax.set_xlabel(short(x.parameter), fontsize=8)
            if j == 0 and i > 0:
                ax.set_ylabel(short(y.parameter), fontsize=8)
    figure.suptitle("Pairwise posterior")
    save(figure, folder, "posterior_pairs")


def draw_predictive_check(
    runs: pd.DataFrame, check: pd.DataFrame, calibration: Calibration, folder: Path
) -> None:
    """Each target: the posterior predictive runs' values and their 90% band against the
    observed value and its sd."""
    import matplotlib.pyplot as plt

    names = list(calibration.targets)
    figure, axes = plt.subplots(1, len(names), figsize=(2.6 * len(names), 3.2), squeeze=False)
    jitter = np.random.default_rng(0).uniform(-0.15, 0.15, len(runs))  # display only
    for ax, row in zip(axes[0], check.itertuples(), strict=True):
        ax.scatter(jitter, runs[row.target], s=8, alpha=0.5, color="C0", label="simulated")
        ax.fill_between(
            [-0.3, 0.3],
            row.simulated_q05,
            row.simulated_q95,
            color="C0",
            alpha=0.15,
            label="90% band",
        )
        ax.errorbar(
            [0.45],
            [row.observed],
            yerr=[row.sd],
            fmt="o",
            color="C3",
            capsize=4,
            label="observed +/- sd",
        )
        ax.set_xlim(-0.5, 0.7)
        ax.set_xticks([])
        ax.set_title(row.target, fontsize=8)
    axes[0][0].legend(fontsize=7)
    figure.suptitle(f"Posterior predictive check ({len(runs)} runs)")
    save(figure, folder, "predictive_check")


def draw_figures(
    frame: pd.DataFrame,
    table: pd.DataFrame,
    runs: pd.DataFrame,
    check: pd.DataFrame,
    calibration: Calibration,
    folder: Path,
) -> None:
    """All figures of a calibration into `folder`."""
    import matplotlib

    matplotlib.use("Agg")
    draw_marginals(frame, table, folder)
    draw_pairs(frame, table, folder)
    draw_predictive_check(runs, check, calibration, folder)
