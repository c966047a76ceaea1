"""A sweep's folder: design, plan, results in Parquet parts, and the manifest.

    DIR/manifest.json        experiment, versions, git commit, host, sessions, counts
    DIR/experiment.yaml      the experiment file as last run
    DIR/design.parquet       one row per design point (values, unit values, ids)
    DIR/plan.parquet         one row per planned run (point, replication, seed, run id)
    DIR/parts/NAME/runs.parquet     one row per finished run (ok, failed or timeout)
    DIR/parts/NAME/series.parquet   the kept time-series rows of its ok runs

A batch of results is written into ``parts/.tmp-NAME`` and renamed into place, so a part is
either whole or absent: killing the sweep at any moment loses no stored run and leaves no
half-written one. Resuming reads the run ids present; readers drop repeats and sort by run
id (then step), so what is read does not depend on executor, worker count or timing.
"""

import contextlib
import json
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim.experiments.run import FAILED, OK, RUN_COLUMNS, SERIES_COLUMNS, TIMEOUT, BatchOutput
from sim.scenario.loader import ScenarioError
from sim.staging import nearest_existing, probe

try:  # advisory lock against two sweeps writing into one folder (POSIX only)
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None

MANIFEST = "manifest.json"
EXPERIMENT_COPY = "experiment.yaml"
DESIGN = "design.parquet"
PLAN = "plan.parquet"
PARTS = "parts"
RUNS_PART = "runs.parquet"
SERIES_PART = "series.parquet"
LOCK = ".lock"
STAGING_PREFIX = ".tmp-"
STATUS_ORDER = {OK: 0, FAILED: 1, TIMEOUT: 1}
ARROW_TYPES = {"int": pa.int64(), "float": pa.float64(), "bool": pa.bool_(), "str": pa.string()}
FLOAT_FORMAT = "%.10g"  # as a run's CSV files
#: Columns that differ from one execution of a run to another (timing only).
TIMING_COLUMNS = ("elapsed_seconds",)


def arrow_type(value: Any) -> pa.DataType:
    """The Arrow type of a parameter value (JSON text for anything else)."""
    for python, name in ((bool, "bool"), (int, "int"), (float, "float"), (str, "str")):
        if isinstance(value, python):
            return ARROW_TYPES[name]
    return pa.string()


def runs_schema(values: dict[str, Any], summary: dict[str, str]) -> pa.Schema:
    """Schema of run rows: identity and status, parameter values, summary metrics."""
    fixed = {
        "run_id": pa.string(),
        "point_id": pa.string(),
        "replication": pa.int64(),
        "seed": pa.int64(),
        "status": pa.string(),
        "error": pa.string(),
        "elapsed_seconds": pa.float64(),
    }
    assert tuple(fixed) == RUN_COLUMNS
    fields = [pa.field(k, t) for k, t in fixed.items()]
    fields += [pa.field(k, arrow_type(v)) for k, v in values.items()]
    fields += [pa.field(k, ARROW_TYPES[t]) for k, t in summary.items()]
    return pa.schema(fields)


def series_schema(columns: dict[str, str]) -> pa.Schema:
    """Schema of time-series rows: run identity, step, the kept columns."""
    fixed = [
        pa.field("run_id", pa.string()),
        pa.field("point_id", pa.string()),
        pa.field("replication", pa.int64()),
        pa.field("seed", pa.int64()),
        pa.field("step", pa.int64()),
    ]
    assert tuple(f.name for f in fixed) == SERIES_COLUMNS
    return pa.schema(fixed + [pa.field(k, ARROW_TYPES[t]) for k, t in columns.items()])


def write_atomic(path: Path, data: bytes) -> None:
    """Write bytes to a file through a temporary file and a rename."""
    staging = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}")
    with removed_on_failure(staging):
        with staging.open("wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(staging, path)


def write_table_atomic(table: pa.Table, path: Path) -> None:
    """Write a Parquet file through a temporary file and a rename."""
    staging = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}")
    with removed_on_failure(staging):
        pq.write_table(table, staging)
        os.replace(staging, path)


@contextlib.contextmanager
def removed_on_failure(path: Path) -> Iterator[None]:
    """Remove `path` (a file or a folder) when the block fails."""
    try:
        yield
    except BaseException:
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
        raise


def frame_to_table(frame: pd.DataFrame) -> pa.Table:
    """A DataFrame as an Arrow table; columns of mixed types are stored as text."""
    frame = frame.copy()
    for column in frame.columns:
        if frame[column].dtype == object:
            kinds = {type(v) for v in frame[column] if v is not None}
            if len(kinds) > 1:
                frame[column] = frame[column].map(lambda v: None if v is None else str(v))
    return pa.Table.from_pandas(frame, preserve_index=False)


class SweepStore:
    """The folder of one sweep: creating, resuming, writing parts, reading results."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.parts = self.root / PARTS
        self._lock_file = None

    # ------------------------------------------------------------------ opening
    def exists(self) -> bool:
        """Whether the folder already holds a sweep."""
        return (self.root / MANIFEST).is_file() or self.parts.is_dir()

    def check_target(self, resume: bool) -> None:
        """Refuse a folder that cannot take this sweep (before anything is written)."""
        root = self.root
        if root.exists() and not root.is_dir():
            raise ScenarioError(str(root), "--out", "exists and is not a folder", "a folder path")
        if self.exists() and not resume:
            raise ScenarioError(
                str(root),
                "--out",
                "already holds a sweep",
                "pass --resume to finish it, or choose another --out",
            )
        if root.is_dir() and not self.exists() and any(root.iterdir()):
            raise ScenarioError(
                str(root), "--out", "is a folder that holds other files", "an empty or new folder"
            )
        existing = nearest_existing(root)
        if not existing.is_dir():
            raise ScenarioError(str(root), "--out", f"{existing} is not a folder", "a folder path")
        probe(existing, root)

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Create the folder and hold its lock (one sweep writes into a folder at a time)."""
        created = not self.root.exists()
        self.parts.mkdir(parents=True, exist_ok=True)
        handle = (self.root / LOCK).open("a")
        try:
            if fcntl is not None:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError:
                    raise ScenarioError(
                        str(self.root),
                        "--out",
                        "another sweep is writing into this folder",
                        "wait for it to finish or choose another --out",
                    ) from None
            self.remove_staging()
            yield
        except BaseException:
            if created and not self.part_folders():  # nothing stored: leave no folder
                shutil.rmtree(self.root, ignore_errors=True)
            raise
        finally:
            handle.close()

    def remove_staging(self) -> None:
        """Delete parts left half-written by a sweep that was killed."""
        for stale in self.parts.glob(f"{STAGING_PREFIX}*"):
            shutil.rmtree(stale, ignore_errors=True)
        for pattern in (DESIGN, PLAN, MANIFEST, EXPERIMENT_COPY, "csv/.*.csv"):
            for stale in self.root.glob(f"{pattern}.*" if "/" in pattern else f".{pattern}.*"):
                stale.unlink(missing_ok=True)

    # ------------------------------------------------------------------ writing
    def write_plan(self, design: pd.DataFrame, plan: pd.DataFrame, experiment_text: str) -> None:
        """Store the design, the plan and a copy of the experiment file."""
        write_table_atomic(frame_to_table(design), self.root / DESIGN)
        write_table_atomic(frame_to_table(plan), self.root / PLAN)
        write_atomic(self.root / EXPERIMENT_COPY, experiment_text.encode("utf-8"))

    def write_batch(
        self, output: BatchOutput, runs_schema: pa.Schema, series_schema: pa.Schema
    ) -> Path:
        """Store a batch's rows as one part, atomically; returns the part's folder."""
        name = f"{time.time_ns():020d}-{uuid.uuid4().hex[:8]}"
        staging = self.parts / f"{STAGING_PREFIX}{name}"
        runs = pa.Table.from_pylist(
            [{f: row.get(f) for f in runs_schema.names} for row in output.runs], schema=runs_schema
        )
        if output.series is not None:
            series = pa.table(
                {name: output.series[name] for name in series_schema.names}, schema=series_schema
            )
        else:
            series = series_schema.empty_table()
        staging.mkdir()
        with removed_on_failure(staging):
            for table, file in ((runs, RUNS_PART), (series, SERIES_PART)):
                pq.write_table(table, staging / file)
                with (staging / file).open("rb") as fh:
                    os.fsync(fh.fileno())
            final = self.parts / name
            os.rename(staging, final)
        return final

    # ------------------------------------------------------------------ reading
    def part_folders(self) -> list[Path]:
        """Finished parts, oldest first."""
        if not self.parts.is_dir():
            return []
        return sorted(p for p in self.parts.iterdir() if p.is_dir() and not p.name.startswith("."))

    def stored_status(self) -> dict[str, str]:
        """Status of every stored run by run id (ok wins over an earlier failure)."""
        status: dict[str, str] = {}
        for part in self.part_folders():
            table = pq.read_table(part / RUNS_PART, columns=["run_id", "status"])
            for run_id, state in zip(
                table["run_id"].to_pylist(), table["status"].to_pylist(), strict=True
            ):
                if status.get(run_id) != OK:
                    status[run_id] = state
        return status

    def read_runs(self, columns: list[str] | None = None) -> pd.DataFrame:
        """Every stored run, one row per run id (ok preferred, else the latest), by run id."""
        frames, integers = [], set()
        for order, part in enumerate(self.part_folders()):
            table = pq.read_table(part / RUNS_PART)
            integers |= {f.name for f in table.schema if pa.types.is_integer(f.type)}
            frame = table.to_pandas()
            frame["_order"] = order
            frames.append(frame)
        if not frames:
            return pd.DataFrame(columns=list(RUN_COLUMNS))
        runs = pd.concat(frames, ignore_index=True)
        runs["_rank"] = runs["status"].map(STATUS_ORDER).fillna(2)
        runs = runs.sort_values(["run_id", "_rank", "_order"], ascending=[True, True, False])
        runs = runs.drop_duplicates("run_id").drop(columns=["_rank", "_order"])
        for column in integers & set(runs.columns):  # nulls of dropped failures made them float
            if runs[column].dtype.kind == "f" and runs[column].notna().all():
                runs[column] = runs[column].astype("int64")
        if columns is not None:
            runs = runs[[c for c in columns if c in runs.columns]]
        return runs.reset_index(drop=True)

    def read_series(self, columns: list[str] | None = None) -> pd.DataFrame:
        """Every stored time-series row, sorted by run id and step, repeats dropped."""
        frames = []
        for part in self.part_folders():
            schema = pq.read_schema(part / SERIES_PART)
            wanted = None
            if columns is not None:
                wanted = [c for c in (*SERIES_COLUMNS, *columns) if c in schema.names]
                wanted = list(dict.fromkeys(wanted))
            frames.append(pq.read_table(part / SERIES_PART, columns=wanted).to_pandas())
        if not frames:
            return pd.DataFrame(columns=list(SERIES_COLUMNS))
        series = pd.concat(frames, ignore_index=True)
        series = series.drop_duplicates(["run_id", "step"]).sort_values(["run_id", "step"])
        return series.reset_index(drop=True)

    def read_design(self) -> pd.DataFrame:
        """The design points."""
        return pd.read_parquet(self.root / DESIGN)

    def read_plan(self) -> pd.DataFrame:
        """The planned runs."""
        return pd.read_parquet(self.root / PLAN)

    # ------------------------------------------------------------------ manifest
    def read_manifest(self) -> dict[str, Any]:
        """The manifest (empty when there is none yet)."""
        path = self.root / MANIFEST
        return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        """Replace the manifest atomically."""
        text = json.dumps(manifest, indent=2, sort_keys=False, default=str) + "\n"
        write_atomic(self.root / MANIFEST, text.encode("utf-8"))

    # ------------------------------------------------------------------ export
    def export_csv(self, folder: Path | None = None) -> list[Path]:
        """Write runs.csv and timeseries.csv (sorted by run id, then step); returns the paths."""
        folder = folder or self.root / "csv"
        folder.mkdir(parents=True, exist_ok=True)
        runs = self.read_runs().drop(columns=list(TIMING_COLUMNS), errors="ignore")
        paths = [folder / "runs.csv", folder / "timeseries.csv"]
        for frame, path in ((runs, paths[0]), (self.read_series(), paths[1])):
            text = frame.to_csv(index=False, float_format=FLOAT_FORMAT, lineterminator="\n")
            write_atomic(path, text.encode("utf-8"))
        return paths
