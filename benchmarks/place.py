"""Building from a community's file against drawing a community of the same size.

The file is the shipped sample (GeoJSON, footprints included) repeated side by side until it
holds about the target number of households; each copy's compounds get their own names.
"""

import gc
import json
import tempfile
from pathlib import Path

from benchmarks.models import ALL_MECHANISMS, compounds_for
from benchmarks.table import Row
from benchmarks.timing import timed
from sim.model import CommunityModel
from sim.scenario.loader import load_scenario
from sim.scenario.schema import Scenario
from sim.world.places import read_place

SAMPLE = Path(__file__).resolve().parents[1] / "communities" / "sample_place.geojson"
REPEATS = 3
#: Degrees of longitude between copies of the sample (about 500 m).
COPY_SPACING = 0.005


def repeated_sample(households: int, folder: Path) -> Path:
    """A GeoJSON file of copies of the sample, about `households` households in all."""
    data = json.loads(SAMPLE.read_text(encoding="utf-8"))
    per_copy = read_place(SAMPLE).households
    features = []
    for k in range(max(1, round(households / per_copy))):
        for feature in data["features"]:
            properties = {**feature["properties"]}
            properties["compound"] = f"{properties['compound']} {k + 1}"
            ring = [[x + COPY_SPACING * k, y] for x, y in feature["geometry"]["coordinates"][0]]
            geometry = {"type": "Polygon", "coordinates": [ring]}
            features.append({"type": "Feature", "properties": properties, "geometry": geometry})
    path = folder / f"place_{households}.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def scenario_on(path: Path) -> Scenario:
    """The default scenario, every mechanism on, standing on the file's community."""
    scenario_file = path.with_suffix(".yaml")
    scenario_file.write_text(f"name: place\nstructure:\n  from_file: {path.name}\n")
    return load_scenario(str(scenario_file), list(ALL_MECHANISMS))


def build_seconds(scenario: Scenario) -> tuple[int, float]:
    """Households and the seconds of one construction."""
    model, seconds = timed(lambda: CommunityModel(scenario, seed=1))
    n = model.world.households
    del model
    gc.collect()
    return n, seconds


def run(quick: bool) -> list[Row]:
    """One row: seconds per 1,000 households to build from a ~100k-household file (~10k with
    quick); reference: the same for a drawn community of about the same size (best of 3 each,
    the two built by turns).
    The note also gives reading and laying out the file alone."""
    households = 10_000 if quick else 100_000
    label = "10k" if quick else "100k"
    with tempfile.TemporaryDirectory(prefix="cogov-place-") as folder:
        path = repeated_sample(households, Path(folder))
        from_file = scenario_on(path)
        n, _ = build_seconds(from_file)  # warm-up
        drawn = load_scenario(
            "default", [f"structure.compounds={compounds_for(n)}", *ALL_MECHANISMS]
        )
        file_seconds = drawn_seconds = float("inf")
        for _ in range(REPEATS):  # alternating, so that a busy spell slows both alike
            file_seconds = min(file_seconds, build_seconds(from_file)[1])
            drawn_n, seconds = build_seconds(drawn)
            drawn_seconds = min(drawn_seconds, seconds)
        _, read_seconds = timed(lambda: read_place(path).built())
    note = (
        f"{n:,} households from the file in {file_seconds:.2f} s ({read_seconds:.3f} s to read "
        f"and lay out the file), {drawn_n:,} drawn in {drawn_seconds:.2f} s; ref = the drawn build"
    )
    per_file, per_drawn = 1_000 * file_seconds / n, 1_000 * drawn_seconds / drawn_n
    return [Row(f"build_from_file_{label}", per_file, per_drawn, "s/1k households", note)]
