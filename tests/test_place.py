"""A community read from a file: the world it builds, its bad rows, and the outputs it names."""

import csv
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.cli import main
from sim.model import CommunityModel
from sim.runner import simulate, write_outputs
from sim.scenario.loader import build_scenario, load_scenario, read_yaml_mapping
from sim.state import BUILDING_HEAD, FIRM, SELF_MANAGED, UNMANAGED
from sim.world.network import nearby_flat_elsewhere, tie_edges
from sim.world.places import BUILDING_COLUMNS, read_place, scenario_for

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_CSV = ROOT / "communities" / "sample_place.csv"
SAMPLE_GEOJSON = ROOT / "communities" / "sample_place.geojson"
COLUMNS = [*BUILDING_COLUMNS, "manager", "fee"]


def random_rows(seed: int, compounds: int, per_floor: int = 2) -> list[dict]:
    """A made-up register: `compounds` compounds of 1-5 buildings, rows shuffled across them."""
    rng = np.random.default_rng(seed)
    rows = []
    for c in range(compounds):
        manager = ["firm", "self_managed", "none"][int(rng.integers(3))]
        fee = "" if manager != "firm" else round(float(rng.uniform(0.3, 1.5)), 2)
        for b in range(int(rng.integers(1, 6))):
            rows.append(
                {
                    "compound": f"Compound {c}",
                    "building": f"{b + 1}",
                    "floors": int(rng.integers(1, 19)),
                    "units": int(rng.integers(1, 5)),
                    "flats_per_floor": per_floor,
                    "has_lift": ["yes", "no"][int(rng.integers(2))],
                    "year_built": int(rng.integers(1960, 2020)),
                    "flat_area": round(float(rng.uniform(30, 150)), 1),
                    "manager": manager,
                    "fee": fee,
                }
            )
    order = rng.permutation(len(rows))
    return [rows[i] for i in order]


def write_csv(path: Path, rows: list[dict], columns: list[str] = COLUMNS) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, columns, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def square(x: float, y: float, size: float = 0.0002) -> dict:
    ring = [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]
    return {"type": "Polygon", "coordinates": [ring]}


def write_geojson(path: Path, rows: list[dict], geometries: list[dict] | None = None) -> Path:
    geometries = geometries or [square(114.0 + 0.001 * i, 30.0) for i in range(len(rows))]
    features = [
        {"type": "Feature", "properties": row, "geometry": geometry}
        for row, geometry in zip(rows, geometries, strict=True)
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def scenario_file(folder: Path, community: str, extra: str = "") -> Path:
    path = folder / "place.yaml"
    path.write_text(f"name: place\nsteps: 12\nstructure:\n  from_file: {community}\n{extra}")
    return path


# ------------------------------------------------------------------------ the world it builds
@pytest.mark.parametrize("seed", range(6))
def test_world_has_exactly_the_files_buildings_units_floors_and_flats(tmp_path, seed):
    rows = random_rows(seed, compounds=1 + seed, per_floor=1 + seed % 3)
    world = read_place(write_csv(tmp_path / "c.csv", rows)).built()
    assert world.buildings == len(rows)
    assert world.units == sum(r["units"] for r in rows)
    assert world.households == sum(r["units"] * r["floors"] * r["flats_per_floor"] for r in rows)
    assert world.compounds == len({r["compound"] for r in rows})
    by_name = {(r["compound"], r["building"]): r for r in rows}
    for b in range(world.buildings):
        row = by_name[(world.compound_labels[world.building_compound[b]], world.building_labels[b])]
        flats = world.building == b
        assert world.building_floors[b] == row["floors"] == world.floor[flats].max()
        assert world.building_units[b] == row["units"]
        assert flats.sum() == row["units"] * row["floors"] * row["flats_per_floor"]
        assert np.allclose(world.area[flats], row["flat_area"])
    for group in (world.compound, world.building, world.unit):
        assert np.all(np.diff(group) >= 0), "each compound, building and unit is one range"
    assert world.flats_per_floor == rows[0]["flats_per_floor"]


def test_buildings_keep_file_order_within_their_compound(tmp_path):
    rows = random_rows(3, compounds=4)
    world = read_place(write_csv(tmp_path / "c.csv", rows)).built()
    compounds = list(dict.fromkeys(r["compound"] for r in rows))
    assert world.compound_labels == compounds
    expected = [r["building"] for c in compounds for r in rows if r["compound"] == c]
    assert world.building_labels == expected


def test_csv_geojson_and_compounds_file_give_the_same_world(tmp_path):
    rows = random_rows(5, compounds=5)
    from_csv = read_place(write_csv(tmp_path / "c.csv", rows)).built()
    from_geojson = read_place(write_geojson(tmp_path / "c.geojson", rows)).built()
    write_csv(tmp_path / "split.csv", rows, list(BUILDING_COLUMNS))
    compounds = list({r["compound"]: r for r in rows}.values())
    write_csv(tmp_path / "split.compounds.csv", compounds, ["compound", "manager", "fee"])
    from_split = read_place(tmp_path / "split.csv").built()
    for other in (from_geojson, from_split):
        for name in ("compound", "building", "unit", "floor", "position", "area"):
            assert np.array_equal(getattr(from_csv, name), getattr(other, name)), name
        assert np.array_equal(from_csv.compound_manager, other.compound_manager)
        assert np.array_equal(from_csv.compound_fee, other.compound_fee, equal_nan=True)
    assert from_csv.building_footprints is None and from_geojson.building_centres.shape == (
        from_csv.buildings,
        2,
    )


def test_shipped_sample_csv_and_geojson_describe_one_community():
    a, b = read_place(SAMPLE_CSV), read_place(SAMPLE_GEOJSON)
    assert a.building_names == b.building_names and a.households == b.households
    assert 1000 <= a.households <= 2000 and 5 <= len(a.compound_names) <= 6
    assert set(a.compound_manager.tolist()) == {FIRM, SELF_MANAGED, UNMANAGED}
    footprint = b.building_footprints[0]
    assert footprint.area == pytest.approx(36 * 10.5, rel=0.05), "a 3-unit block, in m2"


def test_managers_fees_households_and_roles_follow_the_file(tmp_path):
    rows = random_rows(8, compounds=6)
    write_csv(tmp_path / "c.csv", rows)
    path = scenario_file(tmp_path, "c.csv")
    scenario = build_scenario(read_yaml_mapping(path), str(path))
    model = CommunityModel(scenario, seed=3)
    world = model.world
    assert np.array_equal(model.compounds.manager, world.compound_manager)
    assert set(model.self_management_committees) == set(
        np.flatnonzero(world.compound_manager == SELF_MANAGED).tolist()
    )
    assert set(model.firms) == set(np.flatnonzero(world.compound_manager == FIRM).tolist())
    fee = np.where(np.isnan(world.compound_fee), scenario.service.fee_per_m2, world.compound_fee)
    assert np.allclose(model.firm_fee_due, fee[world.compound] * world.area)
    heads = world.building[model.households.role == BUILDING_HEAD]
    assert np.array_equal(np.bincount(heads, minlength=world.buildings), np.ones(world.buildings))
    assert model.households.size == world.households


def test_shipped_scenario_resolves_its_file_through_the_shipped_folder():
    scenario = load_scenario("sample_place")
    path = Path(scenario.structure.from_file)
    assert path.is_absolute() and path.is_file()
    assert path.samefile(SAMPLE_GEOJSON)


# ------------------------------------------------------------------------ ties and distance
def cross_tie_distance(world, scale: float, seed: int) -> float:
    flats = np.arange(world.households)
    other = nearby_flat_elsewhere(world, flats, scale, np.random.default_rng(seed))
    centres = world.building_centres
    assert np.all(world.compound[other] != world.compound[flats])
    return float(np.linalg.norm(centres[world.building] - centres[world.building[other]]).mean())


@pytest.mark.parametrize("seed", range(4))
def test_cross_compound_ties_favour_near_buildings_and_fade_without_decay(tmp_path, seed):
    rows = random_rows(seed, compounds=8)
    rng = np.random.default_rng(seed)
    spots = rng.uniform(0, 0.02, size=(len(rows), 2))
    geometries = [square(114 + x, 30 + y) for x, y in spots]
    world = read_place(write_geojson(tmp_path / "c.geojson", rows, geometries)).built()
    near = np.mean([cross_tie_distance(world, 100.0, s) for s in range(3)])
    flat = np.mean([cross_tie_distance(world, 1e5, s) for s in range(3)])
    assert near < 0.8 * flat, (near, flat)


def test_ties_work_on_a_file_world_with_and_without_footprints(tmp_path):
    rows = random_rows(2, compounds=4)
    scenario = load_scenario("default", ["structure.compounds=2"])
    for path in (write_csv(tmp_path / "c.csv", rows), write_geojson(tmp_path / "c.geojson", rows)):
        world = read_place(path).built()
        role = np.zeros(world.households, dtype=np.int8)
        u, v = tie_edges(world, role, scenario.network, np.random.default_rng(1))
        degree = np.bincount(np.concatenate([u, v]), minlength=world.households)
        assert degree.min() >= 1 and np.all(u < v)


# ------------------------------------------------------------------------ bad files
BAD_CSV = {
    "zero_floors": ({"floors": 0}, "line 3, floors", "1-60"),
    "unknown_manager": ({"manager": "owners"}, "line 3, manager", "firm, self_managed, none"),
    "two_managers": ({"manager": "none"}, "line 3, manager", "one manager per compound"),
    "bad_area": ({"flat_area": "big"}, "line 3, flat_area", "a number 20-300"),
    "two_fees": ({"fee": 9.9}, "line 3, fee", "one fee per compound"),
}


def sample_rows() -> list[dict]:
    return [
        {**dict.fromkeys(COLUMNS, ""), **r}
        for r in [
            {"compound": "A", "building": "1", "floors": 6, "units": 2, "flats_per_floor": 2,
             "has_lift": "no", "year_built": 1990, "flat_area": 60, "manager": "firm", "fee": 0.5},
            {"compound": "A", "building": "2", "floors": 6, "units": 2, "flats_per_floor": 2,
             "has_lift": "no", "year_built": "", "flat_area": 60, "manager": "firm", "fee": 0.5},
        ]
    ]  # fmt: skip


def run_cli(args: list[str], capsys) -> tuple[int, list[str]]:
    code = main(args)
    return code, capsys.readouterr().err.strip().splitlines()


@pytest.mark.parametrize("case", sorted(BAD_CSV))
def test_a_bad_row_is_one_line_naming_file_line_column_and_what_is_allowed(tmp_path, capsys, case):
    change, where, allowed = BAD_CSV[case]
    rows = sample_rows()
    rows[1].update(change)
    community = write_csv(tmp_path / "c.csv", rows)
    out = tmp_path / "out"
    code, lines = run_cli(["run", str(scenario_file(tmp_path, "c.csv")), "--out", str(out)], capsys)
    assert code == 2 and len(lines) == 1, lines
    assert lines[0].startswith(f"error: {community}: {where}:") and allowed in lines[0], lines
    assert not out.exists()
    code, lines = run_cli(["import", str(community), "--out", str(tmp_path / "s.yaml")], capsys)
    assert code == 2 and where in lines[0] and not (tmp_path / "s.yaml").exists()


def test_every_bad_row_is_reported(tmp_path, capsys):
    rows = sample_rows() + sample_rows()
    rows[0]["floors"], rows[2]["units"], rows[3]["manager"] = 0, 99, "owners"
    community = write_csv(tmp_path / "c.csv", rows)
    code, lines = run_cli(["validate", str(scenario_file(tmp_path, "c.csv"))], capsys)
    assert code == 2
    assert [line.split(": ")[2] for line in lines] == [
        "line 2, floors",
        "line 4, building",
        "line 4, units",
        "line 5, manager",
        "line 5, building",
    ], lines
    assert all(line.startswith(f"error: {community}: ") for line in lines)


def test_a_missing_column_is_named(tmp_path, capsys):
    community = write_csv(tmp_path / "c.csv", sample_rows(), [c for c in COLUMNS if c != "units"])
    code, lines = run_cli(["validate", str(scenario_file(tmp_path, "c.csv"))], capsys)
    assert code == 2 and lines == [
        f"error: {community}: line 1, units: missing column ({', '.join(COLUMNS)})"
    ]


@pytest.mark.parametrize(
    "geometry", [{"type": "Point", "coordinates": [114, 30]}, None, square(114, 30, 0.0)]
)
def test_a_footprint_that_is_not_a_polygon_is_refused(tmp_path, capsys, geometry):
    rows = sample_rows()
    community = write_geojson(tmp_path / "c.geojson", rows, [square(114, 30), geometry])
    code, lines = run_cli(["validate", str(scenario_file(tmp_path, "c.geojson"))], capsys)
    assert code == 2 and len(lines) == 1
    assert lines[0].startswith(f"error: {community}: feature 1, geometry:"), lines


def test_counts_beside_from_file_are_refused(tmp_path, capsys):
    write_csv(tmp_path / "c.csv", sample_rows())
    path = tmp_path / "place.yaml"
    path.write_text("structure:\n  compounds: 3\n  from_file: c.csv\n")
    code, lines = run_cli(["validate", str(path)], capsys)
    assert code == 2 and len(lines) == 1
    assert "structure: from_file replaces the counts and ranges; remove compounds" in lines[0]


def test_a_missing_community_file_is_named(tmp_path, capsys):
    code, lines = run_cli(["validate", str(scenario_file(tmp_path, "absent.csv"))], capsys)
    assert code == 2 and "structure.from_file: no such file 'absent.csv'" in lines[0]


# ------------------------------------------------------------------------ import and outputs
def test_import_writes_a_scenario_that_runs_from_another_folder(tmp_path, capsys, monkeypatch):
    out = tmp_path / "elsewhere" / "my.yaml"
    code, _ = run_cli(["import", str(SAMPLE_GEOJSON), "--out", str(out)], capsys)
    assert code == 0
    monkeypatch.chdir(tmp_path)
    scenario = load_scenario(str(out))
    assert Path(scenario.structure.from_file).samefile(SAMPLE_GEOJSON)
    assert "from_file" in scenario_for(SAMPLE_CSV, tmp_path / "x.yaml")


def test_same_file_and_seed_give_byte_identical_outputs_with_names(tmp_path):
    path = scenario_file(tmp_path, str(SAMPLE_GEOJSON))
    scenario = load_scenario(str(path), ["steps=20"])
    folders = []
    for k in range(2):
        result = simulate(scenario, seed=4)
        folders.append(write_outputs(result, tmp_path / f"run{k}", scenario, 4, str(path)))
    tables = ["timeseries", "disputes", "votes", "projects", "contributions", "buildings"]
    for name in tables:
        first, second = ((f / f"{name}.csv").read_bytes() for f in folders)
        assert first == second, name
    other = simulate(scenario, seed=5).timeseries
    assert not other.equals(pd.read_csv(folders[0] / "timeseries.csv"))
    disputes = pd.read_csv(folders[0] / "disputes.csv", keep_default_na=False)
    world = read_place(SAMPLE_GEOJSON).built()
    assert list(disputes.columns[5:9]) == ["compound", "compound_name", "building", "building_name"]
    names = np.array(world.compound_labels)[disputes["compound"].to_numpy()]
    assert np.array_equal(disputes["compound_name"].to_numpy(dtype=str), names)


def test_buildings_table_adds_up_to_the_run(tmp_path):
    scenario = load_scenario(
        "sample_place", ["steps=60", "mechanisms.self_management.enabled=false"]
    )
    result = simulate(scenario, seed=2)
    table, world = result.buildings, result.model.world
    assert len(table) == world.buildings and table["households"].sum() == world.households
    assert table["building_name"].tolist() == list(world.building_names)
    assert table["disputes_raised"].sum() == (result.disputes["building"] >= 0).sum()
    elevators = result.projects[result.projects["elevator"].astype(bool)]
    assert table["elevator_projects"].sum() == len(elevators)
    active = result.model.households.active
    assert math.isclose(
        (table["participation_rate"] * table["households"]).sum(), active.sum(), rel_tol=1e-9
    )
    unmanaged = result.model.compounds.manager[table["compound"]] == UNMANAGED
    assert unmanaged.any()
    assert table.loc[unmanaged, "fee_collection_rate"].isna().all()


def test_drawn_communities_keep_their_tables(small_scenario):
    result = simulate(small_scenario.model_copy(update={"steps": 5}), seed=1)
    assert "compound_name" not in result.disputes.columns
    assert result.buildings["building_name"].tolist()[:2] == ["1", "2"]
