"""The run contract: one scenario and seed in, a folder of outputs out, written atomically.

DIR/timeseries.csv   one row per step (step 0 = initial state)
DIR/disputes.csv     one row per dispute
DIR/meetings.csv     one row per meeting (joint and building meetings)
DIR/votes.csv        one row per vote (e.g. on the remuneration contract)
DIR/interventions.csv one row per scenario key changed by the policy timeline
DIR/projects.csv     one row per crowdfunded project (kind, stages reached and when, money)
DIR/contributions.csv one row per household of each project put to a vote (vote, share, paid)
DIR/adoptions.csv    one row per stairwell unit once pilot first has started (pilot, week adopted)
DIR/buildings.csv    one row per building (names, households, participation, fees, disputes, lifts)
DIR/summary.json     final metrics, run time and provenance
DIR/figures/*        participation, fee collection, trust, disputes (+ projects, volunteering),
                     each as SVG and PNG

For a community read from a file, the tables with compound and building columns also carry
compound_name and building_name, the file's names.

The tables are CSV unless `formats` (`cogov run --format parquet|both`) asks for Parquet, then
each is also or instead written as DIR/NAME.parquet (sim.tables).

Outputs are first written to a hidden sibling folder and renamed into place (sim.staging), so
a failed, interrupted or killed run leaves nothing half-written.
"""

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from pandas.api.types import is_integer_dtype

from sim.mechanisms.crowdfunding.projects import Project, contributions_frame, projects_frame
from sim.mechanisms.crowdfunding.reporting import crowdfunding_summary
from sim.model import CommunityModel
from sim.provenance import provenance
from sim.scenario.schema import Scenario
from sim.staging import staged_folder
from sim.world.structure import BuiltCommunity

if TYPE_CHECKING:
    from sim.report.drawing import FigureProcess

#: The event and record tables of a run, in the order they are written.
RECORD_TABLES = (
    "disputes",
    "meetings",
    "votes",
    "interventions",
    "projects",
    "contributions",
    "adoptions",
    "buildings",
)


@dataclass
class RunResult:
    """What a run produced, in memory.

    The event tables are made from the finished model when first read: a sweep keeps only the
    summary and the time series, and need not pay for tables it never writes.
    """

    timeseries: pd.DataFrame
    summary: dict[str, Any]
    model: CommunityModel

    @cached_property
    def disputes(self) -> pd.DataFrame:
        """One row per dispute."""
        return self.named(self.model.disputes.to_frame())

    @cached_property
    def meetings(self) -> pd.DataFrame:
        """One row per meeting."""
        return self.named(self.model.meetings.to_frame())

    @cached_property
    def votes(self) -> pd.DataFrame:
        """One row per vote."""
        return self.named(self.model.votes.to_frame())

    @cached_property
    def interventions(self) -> pd.DataFrame:
        """One row per scenario key the policy timeline changed."""
        return self.model.timeline.records.to_frame()

    @cached_property
    def projects(self) -> pd.DataFrame:
        """One row per crowdfunded project."""
        return self.named(projects_frame(self.crowdfunded()))

    @cached_property
    def contributions(self) -> pd.DataFrame:
        """One row per household of each project put to a vote."""
        return contributions_frame(self.crowdfunded())

    @cached_property
    def adoptions(self) -> pd.DataFrame:
        """One row per stairwell unit once pilot first has started."""
        return self.model.pilot_first.to_frame()

    @cached_property
    def buildings(self) -> pd.DataFrame:
        """One row per building: names, households and the run's outcomes there."""
        return buildings_frame(self.model, self.disputes, self.projects)

    def named(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The table with the file's compound and building names beside their numbers."""
        return with_names(frame, self.model.world)

    def crowdfunded(self) -> list[Project]:
        """The run's crowdfunding projects (none when the mechanism was not built)."""
        funding = self.model.crowdfunding
        return funding.projects if funding is not None else []


def with_names(frame: pd.DataFrame, world: BuiltCommunity) -> pd.DataFrame:
    """`frame` with compound_name and building_name after its compound and building columns,
    where the community was read from a file (-1, no building, gets an empty name)."""
    if not world.from_file:
        return frame
    for column, labels in (
        ("compound", world.compound_labels),
        ("building", world.building_labels),
    ):
        if column in frame.columns:
            names = np.array([*labels, ""], dtype=object)
            index = frame[column].to_numpy(dtype=np.int64)
            frame.insert(frame.columns.get_loc(column) + 1, f"{column}_name", names[index])
    return frame


def buildings_frame(
    model: CommunityModel, disputes: pd.DataFrame, projects: pd.DataFrame
) -> pd.DataFrame:
    """One row per building at the end of the run: its compound, names, size, the file's lift
    and year (where read from a file), the share of its households active, the share of those
    billed last month who paid, the disputes raised by its households, and its elevator
    projects proposed and built."""
    world, hh = model.world, model.households
    billing = model.last_billing
    billed = world.count_by_building(billing.billed)
    paid = world.count_by_building(billing.billed & billing.paid)
    flats = world.building_flats
    elevators = projects[projects["elevator"].astype(bool)] if len(projects) else projects
    built = elevators[elevators["stage"] == "built"] if len(elevators) else elevators
    n = world.buildings

    def per_building(frame: pd.DataFrame) -> np.ndarray:
        index = frame["building"].to_numpy(dtype=np.int64) if len(frame) else np.zeros(0, int)
        return np.bincount(index[index >= 0], minlength=n)

    return pd.DataFrame(
        {
            "building": np.arange(n),
            "compound": world.building_compound,
            "compound_name": np.array(world.compound_labels, dtype=object)[world.building_compound],
            "building_name": world.building_labels,
            "units": world.building_units,
            "floors": world.building_floors,
            "households": flats,
            "has_lift": world.building_has_lift if world.from_file else np.zeros(n, dtype=bool),
            "year_built": world.building_year if world.from_file else np.zeros(n, dtype=int),
            "participation_rate": world.count_by_building(hh.active) / flats,
            "fee_collection_rate": np.where(billed > 0, paid / np.maximum(billed, 1), np.nan),
            "disputes_raised": per_building(disputes),
            "elevator_projects": per_building(elevators),
            "elevators_built": per_building(built),
        }
    )


def simulate(
    scenario: Scenario,
    seed: int | None = None,
    progress: Callable[[], None] | None = None,
    observe: Callable[[CommunityModel], None] | None = None,
) -> RunResult:
    """Build and run the model; a pure function of (scenario, seed).

    `progress()` is called after each week; `observe(model)` after the build and after each
    week, when the time series has just taken its row (it must not change the model).
    """
    seed = scenario.seed if seed is None else seed
    started = time.perf_counter()
    model = CommunityModel(scenario, seed=seed)
    built = time.perf_counter()
    each_week = progress
    if observe is not None:
        observe(model)

        def each_week() -> None:
            if progress is not None:
                progress()
            observe(model)

    model.run(progress=each_week)
    finished = time.perf_counter()
    timeseries = model.datacollector.get_model_vars_dataframe().reset_index(drop=True)
    timeseries.insert(0, "step", range(len(timeseries)))
    summary = summarise(model, timeseries)
    summary["run_time_seconds"] = {
        "build": round(built - started, 4),
        "steps": round(finished - built, 4),
    }
    return RunResult(timeseries, summary, model)


#: Columns whose mean over the last 52 rows summary.json reports.
LAST_YEAR_COLUMNS = (
    "participation_rate",
    "fee_collection_rate",
    "service_quality",
    "trust_firm",
    "trust_committee",
    "satisfaction",
)


def series_summary(timeseries: pd.DataFrame) -> dict[str, Any]:
    """The `final` row and the `last_year` means of a time series."""
    last = timeseries.iloc[-1].to_dict()
    integer = {column: is_integer_dtype(dtype) for column, dtype in timeseries.dtypes.items()}
    last_year = timeseries.iloc[-52:] if len(timeseries) > 1 else timeseries
    return {
        "final": {
            column: (int(value) if integer[column] else float(value))
            for column, value in last.items()
        },
        "last_year": {
            f"{column}_last_year_mean": float(last_year[column].mean())
            for column in LAST_YEAR_COLUMNS
        },
    }


def summarise(model: CommunityModel, timeseries: pd.DataFrame) -> dict[str, Any]:
    """Final metrics, the means over the last year of the run, and the community's size."""
    world = model.world
    summary = {
        **series_summary(timeseries),
        "community": {
            "households": world.households,
            "compounds": world.compounds,
            "buildings": world.buildings,
            "stairwell_units": world.units,
            "social_ties": int(model.ties.keys.size),
            "compounds_with_firm_at_start": int(world.compound_has_firm.sum()),
            "households_ever": int(model.next_household_id - 1),
        },
    }
    if model.crowdfunding is not None:
        summary["crowdfunding"] = crowdfunding_summary(model)
    return summary


#: Summary groups that differ from one execution to the next.
TIMING_GROUPS = ("run_time_seconds",)


def flatten_summary(summary: dict[str, Any]) -> dict[str, Any]:
    """``{"final": {"x": 1}}`` as ``{"final.x": 1}``: the numbers of every group of a run's
    summary (final, last_year, community, ...) except its timings."""
    return {
        f"{group}.{key}": value
        for group, values in summary.items()
        if isinstance(values, dict) and group not in TIMING_GROUPS
        for key, value in values.items()
        if isinstance(value, int | float)
    }


def write_outputs(
    result: RunResult,
    out_dir: Path,
    scenario: Scenario,
    seed: int,
    source: str,
    extra: dict[str, str] | None = None,
    formats: tuple[str, ...] = ("csv",),
    figures: "FigureProcess | None" = None,
) -> Path:
    """Write the run's files into `out_dir`, replacing it atomically.

    `source` is the scenario as the user named it (a shipped name or a path); `extra` maps
    further file names to their text (e.g. counterfactual.json); `formats` are the tables'
    formats (sim.tables); `figures`, a started figure process (sim.report.drawing) that draws
    the figures while the tables are written, else they are drawn here.
    """
    from sim.scenario.loader import resolve_scenario_path
    from sim.tables import write_table

    with staged_folder(Path(out_dir)) as staging:
        if figures is not None:
            figures.send(result.timeseries, staging / "figures", scenario.name)
        else:
            from sim.report.figures import draw_figures

            draw_figures(result.timeseries, staging / "figures", scenario.name)
        for name in ("timeseries", *RECORD_TABLES):
            write_table(getattr(result, name), staging, name, formats)
        summary = {
            **result.summary,
            "provenance": provenance(scenario, seed, source, resolve_scenario_path(source)),
        }
        write_summary(summary, staging)
        for name, text in (extra or {}).items():
            (staging / name).write_text(text, encoding="utf-8")
        if figures is not None:
            figures.wait()
    return Path(out_dir)


def write_summary(summary: dict[str, Any], folder: Path) -> None:
    """summary.json, indented, keys in their given order."""
    (folder / "summary.json").write_text(
        json.dumps(summary, indent=2, sort_keys=False) + "\n", encoding="utf-8"
    )
