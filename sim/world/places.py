"""A real community read from a file: one row (CSV) or feature (GeoJSON) per building.

Building columns (properties): compound, building, floors, units (stairwell units),
flats_per_floor, has_lift, year_built, flat_area (m2 per flat); per compound: manager (firm,
self_managed, none) and fee (yuan per m2 a month, blank = the scenario's service.fee_per_m2),
either repeated on each building row (the same on every row of a compound) or, for a CSV, in a
second file beside it named ``<stem>.compounds.csv`` (columns compound, manager, fee).
year_built may be blank. A GeoJSON feature's geometry is its footprint, a Polygon in longitude
and latitude (RFC 7946), projected onto metres about the community's centre.

Buildings keep the file's order within a compound, compounds the order of their first row, and
the flats are laid out as for a drawn community (`lay_out_flats`), so everything downstream
works unchanged. Every flat of a building has the file's flat_area. Reading draws nothing.

Every bad row or feature is reported, one line each: ``FILE: line L, COLUMN: problem (allowed)``.
"""

import csv
import json
import math
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from sim.scenario.loader import ScenarioError
from sim.state import FIRM, SELF_MANAGED, UNMANAGED
from sim.world.structure import BuiltCommunity, lay_out_flats

BUILDING_COLUMNS = (
    "compound",
    "building",
    "floors",
    "units",
    "flats_per_floor",
    "has_lift",
    "year_built",
    "flat_area",
)
COMPOUND_COLUMNS = ("manager", "fee")
MANAGERS = {"firm": FIRM, "self_managed": SELF_MANAGED, "none": UNMANAGED}
MANAGER_NAMES = {code: name for name, code in MANAGERS.items()}
YES, NO = ("yes", "true", "1", "y"), ("no", "false", "0", "n")
#: Integer columns and their bounds (those of the structure section's ranges).
INTEGERS = {"floors": (1, 60), "units": (1, 20), "flats_per_floor": (1, 8)}
FLAT_AREA = (20.0, 300.0)
FEE = (0.0, 20.0)
YEAR = (1800, 2100)
#: At most this many lines are reported; the rest are counted.
MAX_REPORTED = 50
#: Metres per degree of latitude, and of longitude at the equator.
METRES_PER_DEGREE = 111_320.0


class PlaceFileError(ScenarioError):
    """All the bad rows of a community file, one `FILE: WHERE, COLUMN: problem (allowed)` each.

    Renders as its lines joined by a newline and ``error: `` so that the CLI prints one
    ``error:`` line per bad row.
    """

    def __init__(self, problems: list[ScenarioError]) -> None:
        first = problems[0]
        super().__init__(first.file, first.field, first.problem, first.allowed)
        self.problems = problems
        lines = [str(p) for p in problems[:MAX_REPORTED]]
        if len(problems) > MAX_REPORTED:
            lines.append(f"{first.file}: file: {len(problems) - MAX_REPORTED} more problems")
        self.args = ("\nerror: ".join(lines),)


@dataclass(frozen=True)
class Place:
    """A community's buildings and compounds as a file lists them, in layout order."""

    compound_names: tuple[str, ...]
    compound_manager: np.ndarray  # per compound: FIRM, SELF_MANAGED or UNMANAGED
    compound_fee: np.ndarray  # per compound: yuan/m2/month, NaN = the scenario's
    building_names: tuple[str, ...]
    building_compound: np.ndarray
    building_floors: np.ndarray
    building_units: np.ndarray
    building_per_floor: np.ndarray
    building_has_lift: np.ndarray
    building_year: np.ndarray  # 0 = not known
    building_area: np.ndarray  # m2 per flat
    building_footprints: tuple[Any, ...] | None = None  # shapely Polygons in metres

    @property
    def households(self) -> int:
        """Number of flats the file lists."""
        return int((self.building_units * self.building_floors * self.building_per_floor).sum())

    @cached_property
    def tallest(self) -> int:
        """The most floors of any building."""
        return int(self.building_floors.max())

    def built(self) -> BuiltCommunity:
        """The built community: the file's flats laid out in contiguous ranges."""
        compound, building, unit, floor, position, unit_building = lay_out_flats(
            self.building_compound,
            self.building_units,
            self.building_floors,
            self.building_per_floor,
        )
        return BuiltCommunity(
            compound=compound,
            building=building,
            unit=unit,
            floor=floor,
            position=position,
            area=self.building_area[building],
            building_compound=self.building_compound,
            building_floors=self.building_floors,
            building_units=self.building_units,
            unit_building=unit_building,
            compound_has_firm=self.compound_manager == FIRM,
            compound_manager=self.compound_manager,
            compound_fee=self.compound_fee,
            compound_names=self.compound_names,
            building_names=self.building_names,
            building_has_lift=self.building_has_lift,
            building_year=self.building_year,
            building_footprints=self.building_footprints,
        )


def read_place(path: str | Path) -> Place:
    """Read and check a community file (.csv or .geojson/.json); raise PlaceFileError."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".geojson", ".json"):
        raise ScenarioError(str(path), "file", f"unknown kind {suffix!r}", ".csv or .geojson")
    if not path.is_file():
        raise ScenarioError(str(path), "file", "no such file", "a CSV or GeoJSON file")
    if suffix == ".csv":
        rows, footprints = read_csv_rows(path), None
    else:
        rows, footprints = read_geojson_rows(path)
    return assemble(path, rows, footprints)


# ---------------------------------------------------------------------------- reading rows
@dataclass
class Row:
    """One building's raw values and where it stands in the file."""

    where: str  # "line 5" or "feature 3"
    values: dict[str, Any]


def read_text(path: Path) -> str:
    """The file's text (UTF-8, a byte-order mark allowed)."""
    try:
        return path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(
            str(path), "file", f"cannot be read: {exc}", "a readable UTF-8 file"
        ) from None


def csv_rows(path: Path, required: tuple[str, ...]) -> list[Row]:
    """The rows of a CSV with the `required` columns (header on line 1)."""
    reader = csv.DictReader(read_text(path).splitlines())
    header = [name.strip() for name in reader.fieldnames or []]
    missing = [c for c in required if c not in header]
    if missing:
        raise PlaceFileError(
            [
                ScenarioError(str(path), f"line 1, {c}", "missing column", ", ".join(required))
                for c in missing
            ]
        )
    reader.fieldnames = header
    rows = []
    for record in reader:
        values = {k: (v or "").strip() for k, v in record.items() if k is not None}
        if any(values.values()):
            rows.append(Row(f"line {reader.line_num}", values))
    return rows


def read_csv_rows(path: Path) -> list[Row]:
    """Building rows of a CSV, with manager and fee joined from the compounds file if needed."""
    header = next(csv.reader(read_text(path).splitlines()), [])
    own = all(c in [h.strip() for h in header] for c in COMPOUND_COLUMNS)
    rows = csv_rows(path, BUILDING_COLUMNS + (COMPOUND_COLUMNS if own else ()))
    if own:
        return rows
    side = compounds_file(path)
    if not side.is_file():
        missing = [c for c in COMPOUND_COLUMNS if c not in header]
        raise PlaceFileError(
            [
                ScenarioError(
                    str(path),
                    f"line 1, {c}",
                    "missing column",
                    f"a {c} column on each row, or a file {side.name} (compound, manager, fee)",
                )
                for c in missing
            ]
        )
    compounds: dict[str, Row] = {}
    problems = []
    for row in csv_rows(side, ("compound", *COMPOUND_COLUMNS)):
        name = row.values["compound"]
        if name in compounds:
            problems.append(
                ScenarioError(
                    str(side),
                    f"{row.where}, compound",
                    f"{name!r} listed again (first on {compounds[name].where})",
                    "one row per compound",
                )
            )
        compounds[name] = row
    for row in rows:
        match = compounds.get(row.values.get("compound", ""))
        if match is None:
            problems.append(
                ScenarioError(
                    str(path),
                    f"{row.where}, compound",
                    f"{row.values.get('compound', '')!r} is not in {side.name}",
                    "a compound listed there",
                )
            )
            continue
        row.values.update({c: match.values[c] for c in COMPOUND_COLUMNS})
    if problems:
        raise PlaceFileError(problems)
    return rows


def compounds_file(path: Path) -> Path:
    """The compounds file that goes with a buildings CSV: ``<stem>.compounds.csv``."""
    return path.with_name(f"{path.stem}.compounds.csv")


def read_geojson_rows(path: Path) -> tuple[list[Row], list[Any]]:
    """Building rows (properties) and raw footprints (geometries) of a GeoJSON file."""
    try:
        data = json.loads(read_text(path))
    except json.JSONDecodeError as exc:
        raise ScenarioError(
            str(path), f"line {exc.lineno}", f"malformed JSON: {exc.msg}", "GeoJSON"
        ) from None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise ScenarioError(
            str(path), "type", "not a FeatureCollection", "a GeoJSON FeatureCollection"
        )
    features = data.get("features")
    if not isinstance(features, list) or not features:
        raise ScenarioError(str(path), "features", "no features", "one Feature per building")
    rows, geometries, problems = [], [], []
    for i, feature in enumerate(features):
        where = f"feature {i}"
        props = feature.get("properties") if isinstance(feature, dict) else None
        if not isinstance(props, dict):
            problems.append(ScenarioError(str(path), where, "no properties", "a Feature"))
            continue
        missing = [c for c in BUILDING_COLUMNS + COMPOUND_COLUMNS if c not in props]
        problems += [
            ScenarioError(str(path), f"{where}, {c}", "missing property", "building properties")
            for c in missing
        ]
        values = {k: "" if v is None else str(v).strip() for k, v in props.items()}
        rows.append(Row(where, values))
        geometries.append(feature.get("geometry"))
    if problems:
        raise PlaceFileError(problems)
    return rows, geometries


# ---------------------------------------------------------------------------- checking values
class Checker:
    """Collects one problem line per bad value of a file."""

    def __init__(self, path: Path) -> None:
        self.path = str(path)
        self.problems: list[ScenarioError] = []

    def bad(self, row: Row, column: str, problem: str, allowed: str) -> None:
        """Note a problem with one value."""
        self.problems.append(ScenarioError(self.path, f"{row.where}, {column}", problem, allowed))

    def integer(self, row: Row, column: str, low: int, high: int, blank: int | None = None) -> int:
        """An integer within [low, high] (`blank` where the cell may be empty)."""
        return int(self.number(row, column, low, high, blank, whole=True))

    def number(
        self,
        row: Row,
        column: str,
        low: float,
        high: float,
        blank: float | None = None,
        whole: bool = False,
    ) -> float:
        """A number (a whole one if `whole`) within [low, high] (`blank` where the cell may be
        empty); `low` where it is not one, with the problem noted."""
        text = row.values.get(column, "")
        kind = f"an integer {low}-{high}" if whole else f"a number {low:g}-{high:g}"
        allowed = kind + (" or blank" if blank is not None else "")
        if text == "" and blank is not None:
            return blank
        try:
            number = float(text)
        except ValueError:
            self.bad(row, column, f"{text!r} is not a number", allowed)
            return low
        in_range = math.isfinite(number) and low <= number <= high
        if not in_range or (whole and number != int(number)):
            self.bad(row, column, f"{text} is out of range", allowed)
            return low
        return number

    def choice(self, row: Row, column: str, choices: dict[str, Any]) -> Any:
        """One of `choices` (case-insensitive), None where it is not."""
        text = row.values.get(column, "").lower()
        if text not in choices:
            self.bad(row, column, f"unknown {column} {text!r}", "one of " + ", ".join(choices))
            return None
        return choices[text]

    def name(self, row: Row, column: str) -> str:
        """A non-empty name."""
        text = row.values.get(column, "")
        if not text:
            self.bad(row, column, "empty", "a name")
        return text


def assemble(path: Path, rows: list[Row], geometries: list[Any] | None) -> Place:
    """Check every row and put the buildings in layout order (by compound, then file order)."""
    check = Checker(path)
    if not rows:
        raise PlaceFileError([ScenarioError(str(path), "file", "no buildings", "one row each")])
    lift = {**dict.fromkeys(YES, True), **dict.fromkeys(NO, False)}
    compound_index: dict[str, int] = {}
    compound_first: list[Row] = []
    managers: list[int] = []
    fees: list[float] = []
    seen_buildings: dict[tuple[str, str], Row] = {}
    per_floor_first: tuple[int, Row] | None = None
    columns: dict[str, list] = {k: [] for k in ("compound", "floors", "units", "per_floor")}
    columns.update({k: [] for k in ("lift", "year", "area", "name")})
    for row in rows:
        compound = check.name(row, "compound")
        building = check.name(row, "building")
        manager = check.choice(row, "manager", MANAGERS)
        fee = check.number(row, "fee", *FEE, blank=math.nan)
        if compound not in compound_index:
            compound_index[compound] = len(compound_index)
            compound_first.append(row)
            managers.append(manager)
            fees.append(fee)
        else:
            c = compound_index[compound]
            first = compound_first[c]
            if None not in (manager, managers[c]) and manager != managers[c]:
                check.bad(
                    row,
                    "manager",
                    f"{MANAGER_NAMES[manager]}, but {MANAGER_NAMES[managers[c]]} on {first.where}",
                    f"one manager per compound {compound!r}",
                )
            if not (fee == fees[c] or (math.isnan(fee) and math.isnan(fees[c]))):
                check.bad(
                    row,
                    "fee",
                    f"{row.values.get('fee')!r}, but {first.values.get('fee')!r} on {first.where}",
                    f"one fee per compound {compound!r}",
                )
        key = (compound, building)
        if key in seen_buildings:
            check.bad(
                row,
                "building",
                f"{building!r} listed again (first on {seen_buildings[key].where})",
                f"one row per building of compound {compound!r}",
            )
        seen_buildings[key] = row
        per_floor = check.integer(row, "flats_per_floor", *INTEGERS["flats_per_floor"])
        if per_floor_first is None:
            per_floor_first = (per_floor, row)
        elif per_floor != per_floor_first[0]:
            check.bad(
                row,
                "flats_per_floor",
                f"{per_floor}, but {per_floor_first[0]} on {per_floor_first[1].where}",
                "one number of flats a floor for the whole community",
            )
        columns["compound"].append(compound_index[compound])
        columns["floors"].append(check.integer(row, "floors", *INTEGERS["floors"]))
        columns["units"].append(check.integer(row, "units", *INTEGERS["units"]))
        columns["per_floor"].append(per_floor)
        columns["lift"].append(check.choice(row, "has_lift", lift))
        columns["year"].append(check.integer(row, "year_built", *YEAR, blank=0))
        columns["area"].append(check.number(row, "flat_area", *FLAT_AREA))
        columns["name"].append(building)
    footprints = check_footprints(check, rows, geometries) if geometries is not None else None
    if check.problems:
        raise PlaceFileError(check.problems)
    order = np.argsort(np.asarray(columns["compound"]), kind="stable")
    arrays = {k: np.asarray(v)[order] for k, v in columns.items() if k != "name"}
    return Place(
        compound_names=tuple(compound_index),
        compound_manager=np.asarray(managers, dtype=np.int8),  # all known: no problems
        compound_fee=np.asarray(fees, dtype=float),
        building_names=tuple(columns["name"][i] for i in order),
        building_compound=arrays["compound"].astype(np.int64),
        building_floors=arrays["floors"].astype(np.int64),
        building_units=arrays["units"].astype(np.int64),
        building_per_floor=arrays["per_floor"].astype(np.int64),
        building_has_lift=arrays["lift"].astype(bool),
        building_year=arrays["year"].astype(np.int64),
        building_area=arrays["area"].astype(float),
        building_footprints=None if footprints is None else tuple(footprints[i] for i in order),
    )


def simple_polygons(geometries: list[Any]) -> list[Any]:
    """Polygons without holes made at once from rings of equal length (most footprints have
    five points); None for every other geometry, left to be read (and checked) one by one."""
    import shapely

    polygons: list[Any] = [None] * len(geometries)
    by_length: dict[int, list[int]] = {}
    for i, geometry in enumerate(geometries):
        if isinstance(geometry, dict) and geometry.get("type") == "Polygon":
            rings = geometry.get("coordinates")
            if isinstance(rings, list) and len(rings) == 1 and isinstance(rings[0], list):
                by_length.setdefault(len(rings[0]), []).append(i)
    for length, members in by_length.items():
        try:
            coords = np.array([geometries[i]["coordinates"][0] for i in members], dtype=float)
            if length < 4 or coords.shape != (len(members), length, 2):
                continue
            made = shapely.polygons(coords)
        except (ValueError, TypeError, shapely.errors.GEOSException):
            continue
        for i, polygon in zip(members, made, strict=True):
            polygons[i] = polygon
    return polygons


def check_footprints(check: Checker, rows: list[Row], geometries: list[Any]) -> list[Any]:
    """Each feature's footprint as a valid shapely Polygon in metres about the centre."""
    import shapely
    from shapely.geometry import shape

    polygons: list[Any] = simple_polygons(geometries)
    for i, (row, geometry) in enumerate(zip(rows, geometries, strict=True)):
        if polygons[i] is not None:
            continue
        kind = geometry.get("type") if isinstance(geometry, dict) else None
        if kind != "Polygon":
            check.bad(
                row, "geometry", f"a {kind or 'missing geometry'}, not a polygon", "a Polygon"
            )
            continue
        try:
            polygons[i] = shape(geometry)
        except (ValueError, TypeError, AttributeError, IndexError) as exc:
            check.bad(row, "geometry", f"unreadable polygon: {exc}", "a Polygon")
    shapes = np.array(polygons, dtype=object)
    usable = shapely.is_valid(shapes) & (shapely.area(shapes) > 0)
    for i in np.flatnonzero(~usable & (shapes != None)):  # noqa: E711 - elementwise
        check.bad(rows[i], "geometry", "an empty or self-crossing polygon", "a simple Polygon")
    if not usable.all():
        return polygons
    lon0, lat0 = shapely.get_coordinates(shapely.centroid(shapes)).mean(axis=0)
    if abs(lat0) > 90 or abs(lon0) > 180:
        check.bad(
            rows[0], "geometry", "coordinates are not longitude and latitude", "WGS84 degrees"
        )
        return polygons
    scale = np.array([METRES_PER_DEGREE * math.cos(math.radians(lat0)), METRES_PER_DEGREE])
    return list(shapely.transform(shapes, lambda xy: (xy - [lon0, lat0]) * scale))


# ---------------------------------------------------------------------------- scenarios
def resolve_from_file(scenario: Any, file: str) -> Any:
    """The scenario with `structure.from_file` made absolute and its file checked.

    The path is relative to the scenario file's real location (symbolic links followed, so a
    shipped scenario finds the shipped communities), or to the working folder where the
    scenario has no file.
    """
    from sim.scenario.crowdfunding_params import structure_problem
    from sim.scenario.loader import display_path

    given = Path(scenario.structure.from_file)
    base = Path(file).resolve().parent if Path(file).is_file() else Path.cwd()
    path = given if given.is_absolute() else (base / given).resolve()
    if not path.is_file():
        raise ScenarioError(
            file,
            "structure.from_file",
            f"no such file {str(given)!r}",
            "a path relative to "
            + ("the scenario file" if Path(file).is_file() else "the working folder"),
        )
    place = read_place(display_path(path))
    problem = structure_problem(scenario.mechanisms.crowdfunding, place.tallest)
    if problem is not None:
        raise ScenarioError(file, *problem)
    structure = scenario.structure.model_copy(update={"from_file": str(path)})
    return scenario.model_copy(update={"structure": structure})


def scenario_for(place_file: Path, scenario_file: Path) -> str:
    """The text of a scenario that runs on `place_file` (checked first), to be written at
    `scenario_file`: the path to the community is relative to the scenario's folder."""
    import os

    place = read_place(place_file)
    relative = os.path.relpath(place_file.resolve(), scenario_file.resolve().parent)
    name = re.sub(r"[^A-Za-z0-9_.-]", "_", scenario_file.stem).lstrip("_.-") or "place"
    size = (
        f"{len(place.compound_names)} compounds, {len(place.building_names)} buildings, "
        f"{place.households:,} flats"
    )
    return (
        f"# A community read from {place_file.name}; change any other section as for a drawn\n"
        "# community (the structure section's counts and ranges are replaced by the file).\n"
        f"name: {name}\n"
        f'description: "{place_file.name}: {size}"\n'
        "steps: 104\n"
        "seed: 1\n"
        "structure:\n"
        f"  from_file: {json.dumps(Path(relative).as_posix())}\n"
    )
