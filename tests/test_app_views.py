"""The building and network views: geometry, colours from the state table, drawing."""

import io

import numpy as np
import pytest
from PIL import Image

from sim.app import building_view, network_view
from sim.app.indicators import INDICATORS
from sim.app.plots import PLOTS, chart_spec, timeseries
from sim.app.states import HOUSEHOLD_STATES, Categories, Scale
from sim.mechanisms import BUILT_MECHANISMS
from sim.model import CommunityModel
from sim.scenario.loader import load_scenario


@pytest.fixture(scope="module")
def stepped_model():
    """The default community after a few weeks (the size the app must draw at speed)."""
    model = CommunityModel(load_scenario("default", ["steps=10"]))
    for _ in range(5):
        model.step()
    return model


def test_every_household_gets_its_own_cell_inside_the_picture(stepped_model):
    layout = building_view.building_layout(stepped_model.world)
    n = stepped_model.world.households
    assert layout.pixels.shape[0] == n
    assert layout.pixels.min() >= 0 and layout.pixels.max() < layout.width * layout.height
    assert np.unique(layout.pixels).size == layout.pixels.size  # no two cells overlap
    assert layout.width <= building_view.TARGET_WIDTH


def test_floors_stack_upwards_and_units_stand_side_by_side(stepped_model):
    world = stepped_model.world
    layout = building_view.building_layout(world)
    same_column = (world.unit[:-1] == world.unit[1:]) & (world.position[:-1] == world.position[1:])
    higher = world.floor[1:] > world.floor[:-1]
    assert np.all(layout.y0[1:][same_column & higher] < layout.y0[:-1][same_column & higher])
    same_floor_next_unit = (world.building[:-1] == world.building[1:]) & (
        world.unit[1:] == world.unit[:-1] + 1
    )
    assert same_floor_next_unit.any()
    first_of_unit = np.r_[True, world.unit[1:] != world.unit[:-1]]
    x_of_unit = layout.x0[first_of_unit]
    unit_building = world.unit_building
    consecutive = unit_building[1:] == unit_building[:-1]
    assert np.all(x_of_unit[1:][consecutive] > x_of_unit[:-1][consecutive])


@pytest.mark.parametrize("state", list(HOUSEHOLD_STATES))
def test_every_state_colours_every_household_and_its_legend_adds_up(stepped_model, state):
    spec = HOUSEHOLD_STATES[state]
    colours = spec.rgba(stepped_model)
    assert colours.shape == (stepped_model.world.households, 4)
    assert np.all((colours >= 0) & (colours <= 1))
    if isinstance(spec, Categories):
        counts = [count for _, _, count in spec.legend(stepped_model)]
        assert sum(counts) == stepped_model.world.households
    else:
        assert isinstance(spec, Scale)
        assert 0 <= spec.mean(stepped_model) <= 1


@pytest.mark.parametrize("state", list(HOUSEHOLD_STATES))
def test_building_view_draws_a_png_of_the_layout_size(stepped_model, state):
    layout = building_view.building_layout(stepped_model.world)
    picture = Image.open(io.BytesIO(building_view.render_png(stepped_model, layout, state)))
    assert picture.format == "PNG"
    assert picture.size == (layout.width * building_view.SCALE, layout.height * building_view.SCALE)


def test_building_view_shows_the_state_in_each_cell(stepped_model):
    layout = building_view.building_layout(stepped_model.world)
    image = building_view.paint(stepped_model, layout, "participates").reshape(-1, 4)
    active_colour = building_view.rgba8(HOUSEHOLD_STATES["participates"].rgba(stepped_model))
    corner = layout.pixels[:, 0]  # top-left pixel of each cell: never under a Party dot
    assert np.array_equal(image[corner], active_colour)


def test_a_single_compound_of_one_building_is_drawn():
    model = CommunityModel(
        load_scenario(
            "default",
            [
                "structure.compounds=1",
                "structure.buildings_per_compound_min=1",
                "structure.buildings_per_compound_max=1",
            ],
        )
    )
    layout = building_view.building_layout(model.world)
    assert building_view.render_png(model, layout, "pays_fees")[:4] == b"\x89PNG"
    net = network_view.network_layout(model.world)
    background = network_view.tie_background(model, net)
    assert network_view.render_webp(model, net, background, "pays_fees")[8:12] == b"WEBP"


def test_network_layout_puts_every_household_on_the_picture_without_a_spring_layout(
    stepped_model,
):
    layout = network_view.network_layout(stepped_model.world)
    for coordinate in (layout.x, layout.y):
        assert np.all(np.isfinite(coordinate))
        assert coordinate.min() >= 0 and coordinate.max() <= network_view.SIZE
    compound = stepped_model.world.compound
    centre_x = np.bincount(compound, layout.x) / np.bincount(compound)
    spread = np.abs(layout.x - centre_x[compound])
    assert spread.max() < network_view.SIZE / 4  # households sit near their compound's disc


def test_network_view_draws_a_picture(stepped_model):
    layout = network_view.network_layout(stepped_model.world)
    background = network_view.tie_background(stepped_model, layout)
    assert background.shape == (network_view.SIZE, network_view.SIZE, 4)
    picture = network_view.render_webp(stepped_model, layout, background, "trust_committee")
    assert Image.open(io.BytesIO(picture)).size == (network_view.SIZE, network_view.SIZE)


def test_numbers_plots_and_views_draw_with_every_built_mechanism_on():
    switches = [f"mechanisms.{name}.enabled=true" for name in sorted(BUILT_MECHANISMS)]
    model = CommunityModel(load_scenario("default", ["structure.compounds=4", *switches]))
    for _ in range(12):
        model.step()
    for indicator in INDICATORS:
        assert isinstance(indicator.value(model), str) and isinstance(indicator.detail(model), str)
    frame = timeseries(model)
    specs = [chart_spec(frame, plot, model) for plot in PLOTS]
    assert all("off in this run" not in str(spec["title"]) for spec in specs)
    layout = building_view.building_layout(model.world)
    for state in HOUSEHOLD_STATES:
        assert building_view.render_png(model, layout, state)[:4] == b"\x89PNG"


def test_project_stance_follows_the_votes_of_open_projects():
    from sim.app.states import NO_PROJECT, OPPOSES, PROJECT_UNDER_WAY, VOTED_FOR, project_stance
    from sim.model import CommunityModel
    from sim.scenario.loader import load_scenario

    model = CommunityModel(load_scenario("elevator_retrofit", ["steps=80"]), seed=2)
    for _ in range(80):
        model.step()
    stance = project_stance(model)
    open_flats = np.concatenate([p.flats for p in model.crowdfunding.open_projects])
    assert (stance[np.setdiff1d(np.arange(stance.size), open_flats)] == NO_PROJECT).all()
    voted = [p for p in model.crowdfunding.open_projects if p.week_voted >= 0]
    assert voted, "no open project has been voted on in 80 weeks"
    for project in voted:
        same = model.households.household_id[project.flats] == project.household_id
        against = project.flats[project.voted & ~project.yes & same]
        assert (stance[against] == OPPOSES).all()
    waiting = [p for p in model.crowdfunding.open_projects if p.week_voted < 0]
    for project in waiting:
        assert (stance[project.flats] >= PROJECT_UNDER_WAY).all()
    assert {VOTED_FOR, OPPOSES} <= set(np.unique(stance).tolist())
