"""Standard figures of a run's time series (PNG), drawn apart from the simulation.

Four figures are always drawn; those of `OPTIONAL_FIGURES` only when their mechanism acted in
the run (a crowdfunding project was proposed; points were issued or awards given).
"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

FIGURES = {
    "participation": (
        "Participation",
        [("participation_rate", "participation rate")],
        "share of households",
    ),
    "fee_collection": (
        "Fee collection and service",
        [("fee_collection_rate", "fee collection rate"), ("service_quality", "service quality")],
        "share / quality",
    ),
    "trust": (
        "Trust and satisfaction",
        [
            ("trust_firm", "trust in firm"),
            ("trust_committee", "trust in committees"),
            ("satisfaction", "satisfaction"),
        ],
        "mean in [0, 1]",
    ),
    "disputes": (
        "Disputes (cumulative)",
        [
            ("disputes_raised", "raised"),
            ("disputes_resolved", "resolved"),
            ("disputes_escalated", "escalated"),
            ("disputes_open", "open now"),
        ],
        "disputes",
    ),
}

OPTIONAL_FIGURES = {
    "projects": (
        "Crowdfunded projects (cumulative)",
        [
            ("projects_proposed", "proposed"),
            ("projects_qualified", "qualified"),
            ("projects_consented", "consented"),
            ("projects_funded", "funded"),
            ("projects_completed", "built"),
            ("projects_failed", "failed"),
        ],
        "projects",
    ),
    "volunteering": (
        "Volunteering and motivation",
        [
            ("volunteer_rate", "volunteer rate"),
            ("intrinsic_motivation", "intrinsic motivation (mean)"),
            ("newly_active_share", "active who were inactive before points"),
        ],
        "share / mean in [0, 1]",
    ),
}

SHARE_SCALED = {"participation", "fee_collection", "trust", "volunteering"}


def figures_for(timeseries: pd.DataFrame) -> dict:
    """The standard figures, plus the optional ones whose mechanism acted in this run."""
    last = timeseries.iloc[-1]
    acted = {
        "projects": last["projects_proposed"] > 0,
        "volunteering": last["points_issued"] > 0 or last["awards_given"] > 0,
    }
    chosen = dict(FIGURES)
    chosen.update({name: spec for name, spec in OPTIONAL_FIGURES.items() if acted[name]})
    return chosen


def draw_figures(timeseries: pd.DataFrame, folder: Path, title: str) -> list[Path]:
    """Write one PNG per standard figure into `folder`; return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    years = timeseries["step"] / 52.0
    for name, (heading, series, ylabel) in figures_for(timeseries).items():
        fig, ax = plt.subplots(figsize=(7, 4), dpi=100)
        for column, label in series:
            ax.plot(years, timeseries[column], label=label)
        ax.set_title(f"{heading} - {title}")
        ax.set_xlabel("years")
        ax.set_ylabel(ylabel)
        if name in SHARE_SCALED:
            ax.set_ylim(0, 1)
        ax.grid(alpha=0.3)
        ax.legend(loc="best", fontsize=8)
        fig.tight_layout()
        path = folder / f"{name}.png"
        fig.savefig(path)
        plt.close(fig)
        written.append(path)
    return written
