"""Standard figures of a run's time series, drawn apart from the simulation.

Four figures are always drawn; those of `OPTIONAL_FIGURES` only when their mechanism acted in
the run (a crowdfunding project was proposed; points were issued or awards given). Each is
written as a vector file (SVG) and a PNG at print resolution. A run of many communities (a
city) shows the spread over its communities as a band around each line, and says so.
"""

import io
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

#: Each figure is written in these formats; PNG at PRINT_DPI.
FORMATS = ("png", "svg")
PRINT_DPI = 200
#: SVG text stays text (editable in a paper's figure); element ids are the same every run.
SAVE_SETTINGS = {"svg.fonttype": "none", "svg.hashsalt": "cogov"}

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


def figure_columns() -> list[str]:
    """Every time-series column some figure draws."""
    specs = [*FIGURES.values(), *OPTIONAL_FIGURES.values()]
    return list(dict.fromkeys(column for _, series, _ in specs for column, _ in series))


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


@dataclass(frozen=True)
class Band:
    """A spread to draw around each line: per-step lower and upper values of every column
    (e.g. the 5% and 95% quantiles over a city's communities), and what it is."""

    low: pd.DataFrame
    high: pd.DataFrame
    caption: str


def save_figure(fig, folder: Path, name: str, tight: bool = False) -> list[Path]:
    """Write `fig` as folder/name.<format> for every format (cropped to what is drawn if
    `tight`); close it; the paths."""
    paths = [folder / f"{name}.{fmt}" for fmt in FORMATS]
    write_formats(fig, paths, tight)
    return paths


def write_formats(fig, targets: list, tight: bool = False) -> None:
    """Write `fig` in each of FORMATS, to the matching one of `targets` (paths or binary
    files; PNG at PRINT_DPI, metadata without dates); close it."""
    crop = "tight" if tight else None
    with plt.rc_context(SAVE_SETTINGS):
        for fmt, target in zip(FORMATS, targets, strict=True):
            dpi = PRINT_DPI if fmt == "png" else None
            fig.savefig(
                target, format=fmt, dpi=dpi, metadata=stable_metadata(fmt), bbox_inches=crop
            )
    plt.close(fig)


def stable_metadata(fmt: str) -> dict | None:
    """File metadata without dates or versions, so that the same run gives the same bytes."""
    if fmt == "svg":
        return {"Date": None, "Creator": None}
    if fmt == "pdf":
        return {"CreationDate": None, "Creator": None, "Producer": None}
    return None


def draw_figures(
    timeseries: pd.DataFrame,
    folder: Path,
    title: str,
    band: Band | None = None,
    only: list[str] | None = None,
    layouts: "Layouts | None" = None,
) -> list[Path]:
    """Write each standard figure (or those named in `only`) into `folder` (SVG and PNG);
    return their paths. A figure `layouts` holds for this series is finished, not built."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, spec in figures_for(timeseries).items():
        if only is not None and name not in only:
            continue
        fig = layouts.take(timeseries, name, title) if layouts is not None else None
        if fig is None:
            fig = build_figure(timeseries, name, spec, title, band)
        written.extend(save_figure(fig, folder, name))
    return written


def build_figure(timeseries: pd.DataFrame, name: str, spec: tuple, title: str, band: Band | None):
    """The figure `name` of `timeseries` (its `spec` from FIGURES or OPTIONAL_FIGURES), not yet
    written."""
    heading, series, ylabel = spec
    years = timeseries["step"] / 52.0
    fig, ax = plt.subplots(figsize=(7, 4))
    for column, label in series:
        (line,) = ax.plot(years, timeseries[column], label=label)
        if band is not None and column in band.low:
            ax.fill_between(
                years,
                band.low[column],
                band.high[column],
                color=line.get_color(),
                alpha=0.18,
                lw=0,
            )
    ax.set_title(f"{heading} - {title}")
    ax.set_xlabel("years")
    ax.set_ylabel(ylabel)
    if name in SHARE_SCALED:
        ax.set_ylim(0, 1)
    ax.grid(alpha=0.3)
    ax.legend(loc="best", fontsize=8)
    if band is not None:
        fig.text(0.01, 0.01, f"Bands: {band.caption}.", fontsize=7, color="0.3")
    fig.tight_layout(rect=(0, 0.03, 1, 1) if band is not None else None)
    return fig


@dataclass
class Layouts:
    """The standard figures on a fixed 0-1 scale, laid out before a run's series exist.

    Their axes, ticks, labels and layout depend on the steps and the title alone, so they can
    be built while the run goes on, lines at a placeholder level; `take` then draws in the
    series' numbers. The files are those of a figure built from the series, byte for byte.
    """

    steps: np.ndarray
    title: str
    figures: dict = field(default_factory=dict)

    @classmethod
    def lay_out(cls, steps: int, title: str) -> "Layouts":
        """The figures of a run of `steps` weeks (steps 0 to `steps`) titled `title`."""
        step = np.arange(steps + 1)
        placeholder = pd.DataFrame({column: 0.5 for column in figure_columns()} | {"step": step})
        figures = {
            name: build_figure(placeholder, name, spec, title, None)
            for name, spec in FIGURES.items()
            if name in SHARE_SCALED
        }
        return cls(step, title, figures)

    def take(self, timeseries: pd.DataFrame, name: str, title: str):
        """The figure `name` with the numbers of `timeseries` drawn in, or None where what was
        laid out does not fit it (another title or other steps, or a number missing: a line's
        gaps would change the axes)."""
        fig = self.figures.get(name)
        if fig is None or title != self.title:
            return None
        columns = [column for column, _ in FIGURES[name][1]]
        if not {"step", *columns} <= set(timeseries):
            return None
        if not np.array_equal(timeseries["step"].to_numpy(), self.steps):
            return None
        values = timeseries[columns].to_numpy(dtype=float)
        if not np.isfinite(values).all():
            return None
        for line, column in zip(fig.axes[0].get_lines(), values.T, strict=True):
            line.set_ydata(column)
        del self.figures[name]
        return fig

    def discard(self) -> None:
        """Close the figures not taken."""
        for fig in self.figures.values():
            plt.close(fig)
        self.figures.clear()


def rehearse() -> None:
    """Draw one figure of made-up numbers into memory, in every format, and throw it away: the
    first figure of a process pays for loading glyphs and code paths that later ones reuse."""
    steps = pd.Series(range(53), dtype=float)
    frame = pd.DataFrame({column: steps for column in figure_columns()} | {"step": steps})
    name = "disputes"
    fig = build_figure(frame, name, FIGURES[name], "rehearsal", None)
    write_formats(fig, [io.BytesIO() for _ in FORMATS])
