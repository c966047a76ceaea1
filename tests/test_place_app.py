"""The app draws a community read from a file on its map, beside the elevation view."""

import io
import shutil
from pathlib import Path

import ipyvuetify as v
import ipywidgets
import numpy as np
import pytest
import solara
from matplotlib.colors import to_rgba
from PIL import Image

from sim.app import map_view
from sim.app.app import MAP_VIEW, VIEWS, Page
from sim.app.states import HOUSEHOLD_STATES, NOT_APPLICABLE, Scale
from sim.model import CommunityModel
from sim.scenario.loader import load_scenario

ROOT = Path(__file__).resolve().parents[1]
PLACE_SCENARIO = """\
name: place_app
description: "The sample community for the app tests"
steps: 20
seed: 3
structure:
  from_file: sample_place.geojson
"""


@pytest.fixture(scope="module")
def place_model():
    model = CommunityModel(load_scenario("sample_place", ["steps=10"]))
    for _ in range(3):
        model.step()
    return model


@pytest.fixture
def page(tmp_path):
    """A rendered page of a scenario on the sample GeoJSON, and its render context."""
    shutil.copy(ROOT / "communities" / "sample_place.geojson", tmp_path)
    path = tmp_path / "place_app.yaml"
    path.write_text(PLACE_SCENARIO)
    _, rc = solara.render(solara.AppLayout(children=[Page(str(path))]), handle_error=False)
    yield rc
    rc.close()


def view_toggle(rc):
    """The toggle that picks the household view."""
    for toggle in rc.find(v.BtnToggle).widgets:
        labels = [button.children[0] for button in toggle.children]
        if VIEWS[0] in labels:
            return toggle, labels
    raise AssertionError("no view toggle")


def picture(rc) -> Image.Image:
    return Image.open(io.BytesIO(rc.find(ipywidgets.Image).widget.value))


def test_map_view_renders_for_a_file_scenario_and_the_elevation_view_stays(page):
    rc = page
    toggle, labels = view_toggle(rc)
    assert labels == [*VIEWS, MAP_VIEW]
    elevation = picture(rc).size
    toggle.v_model = labels.index(MAP_VIEW)
    assert rc.find(v.Html, class_="cogov-view map").widgets
    map_picture = picture(rc)
    assert map_picture.format == "PNG" and map_picture.size != elevation
    assert "Outline, who manages it:" in [
        w.children[0] for w in rc.find(v.Html, tag="span").widgets if w.children
    ]
    rc.find(v.Btn, children=["Step"]).widget.click()
    assert rc.find(v.Html, class_="cogov-view map").widgets
    toggle.v_model = labels.index(VIEWS[0])
    assert rc.find(v.Html, class_="cogov-view buildings").widgets


def test_a_drawn_community_offers_no_map(tmp_path):
    path = tmp_path / "small.yaml"
    path.write_text("name: small\nsteps: 5\nstructure:\n  compounds: 2\n")
    _, rc = solara.render(solara.AppLayout(children=[Page(str(path))]), handle_error=False)
    try:
        assert view_toggle(rc)[1] == list(VIEWS)
    finally:
        rc.close()


@pytest.mark.parametrize("state", list(HOUSEHOLD_STATES))
def test_buildings_take_the_colour_of_their_households(place_model, state):
    spec, world = HOUSEHOLD_STATES[state], place_model.world
    colours = map_view.building_colours(place_model, state)
    assert colours.shape == (world.buildings, 4)
    for b in range(world.buildings):
        flats = world.building == b
        if isinstance(spec, Scale):
            applies = flats if spec.applies is None else flats & spec.applies(place_model)
            values = np.clip(spec.value(place_model), 0, 1)[applies]
            expected = spec.colormap(values.mean()) if values.size else to_rgba(NOT_APPLICABLE)
        else:
            codes = np.bincount(spec.classify(place_model)[flats], minlength=len(spec.categories))
            expected = to_rgba(spec.categories[int(codes.argmax())][1])
        assert np.allclose(colours[b], expected), (state, b)


def test_majority_category_colours_a_building(place_model):
    colours = map_view.building_colours(place_model, "participates")
    world, active = place_model.world, place_model.households.active
    share = world.count_by_building(active) / world.building_flats
    palette = HOUSEHOLD_STATES["participates"].categories
    expected = np.where(share > 0.5, 1, 0)
    clear = np.abs(share - 0.5) > 1e-9
    picked = [to_rgba(palette[k][1]) for k in expected]
    assert np.allclose(colours[clear], np.array(picked)[clear])


def test_map_png_shows_every_building(place_model):
    layout = map_view.map_layout(place_model.world)
    assert len(layout.outlines) == place_model.world.buildings
    image = Image.open(io.BytesIO(map_view.render_png(place_model, layout, "trust_committee")))
    pixels = np.asarray(image.convert("RGB")).reshape(-1, 3)
    assert (pixels != 255).any(axis=1).mean() > 0.05
