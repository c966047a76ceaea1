"""The app page rendered in-process (no browser): stepping, Reset with new settings, exports.

`solara.render` builds the real widget tree, wrapped in an AppLayout so that SolaraViz's sidebar
(Step, Reset, the step counter) is rendered too.
"""

import time

import ipyvuetify as v
import ipywidgets
import pytest
import solara
import solara.widgets
from solara.components.file_download import FileDownloadWidget

from sim.app.app import Page
from sim.app.export import timeseries_csv
from sim.app.plots import PLOTS
from sim.app.settings import AppModel, AppSettings, SessionScenario
from sim.scenario.loader import load_scenario

SMALL_SCENARIO = """\
name: small_app
description: "Three compounds for the app tests"
steps: 20
seed: 3
structure:
  compounds: 3
mechanisms:
  party_mobilisation:
    enabled: true
  self_management:
    enabled: true
"""


@pytest.fixture
def page(tmp_path):
    """A rendered page of the small scenario: (render context, scenario file)."""
    path = tmp_path / "small_app.yaml"
    path.write_text(SMALL_SCENARIO)
    _, rc = solara.render(solara.AppLayout(children=[Page(str(path))]), handle_error=False)
    yield rc, path
    rc.close()


def indicator(rc, label: str) -> str:
    """The value shown under a label of the numbers panel."""
    for card in rc.find(v.Html, class_="cogov-number").widgets:
        texts = [child.children[0] for child in card.children]
        if texts[0] == label:
            return texts[1]
    raise AssertionError(f"no indicator {label!r}")


def button(rc, label: str):
    """The button with this label."""
    return rc.find(v.Btn, children=[label]).widget


def switch(rc, label: str):
    """The switch with this label."""
    return rc.find(v.Switch, label=label).widget


def test_page_draws_numbers_building_view_and_every_plot(page):
    rc, _ = page
    assert indicator(rc, "Week") == "0"
    images = rc.find(ipywidgets.Image).widgets
    assert len(images) == 1 and images[0].format == "png" and len(images[0].value) > 1000
    charts = rc.find(solara.widgets.VegaLite).widgets
    assert len(charts) == len(PLOTS)
    assert all(
        chart.spec["title"]["text"] == plot.title for chart, plot in zip(charts, PLOTS, strict=True)
    )


def test_step_button_advances_the_week_and_redraws(page):
    rc, _ = page
    image = rc.find(ipywidgets.Image).widget
    before = rc.find(solara.widgets.VegaLite).widgets[0].spec["data"]["values"]
    button(rc, "Step").click()
    assert indicator(rc, "Week") == "1"
    after = rc.find(solara.widgets.VegaLite).widgets[0].spec["data"]["values"]
    assert len(after) == len(before) + 1
    button(rc, "Step").click()
    assert indicator(rc, "Week") == "2"
    assert rc.find(ipywidgets.Image).widget is image  # redrawn in place, not rebuilt


def test_mechanism_switch_takes_effect_on_reset(page):
    rc, _ = page
    header = rc.find(v.Html, class_="about mechanisms").widget
    assert "party mobilisation" in header.children[0]
    button(rc, "Step").click()
    switch(rc, "Party mobilisation").v_model = False
    assert rc.find(v.Alert, children=["Press Reset to run small_app, 1 change."]).widgets
    button(rc, "Reset").click()
    assert indicator(rc, "Week") == "0"
    header = rc.find(v.Html, class_="about mechanisms").widget
    assert "party mobilisation" not in header.children[0]
    assert "self management" in header.children[0]
    assert not rc.find(v.Alert).widgets  # applied: nothing pending


def test_invalid_input_shows_the_schema_message_and_reset_keeps_the_last_valid(page):
    rc, _ = page
    seed = rc.find(v.TextField, label="Seed").widget
    seed.v_model = "-5"  # out of the schema's range
    seed.fire_event("focusout")
    alerts = [a.children[0] for a in rc.find(v.Alert).widgets]
    assert any("seed: Input should be greater than or equal to 0" in a for a in alerts), alerts
    button(rc, "Reset").click()  # nothing crashes; the model keeps seed 3
    assert "seed 3" in rc.find(v.Html, class_="about").widgets[0].children[0]


def test_file_of_ones_own_that_is_malformed_shows_its_error(page, tmp_path):
    rc, _ = page
    bad = tmp_path / "bad.yaml"
    bad.write_text("structure: [unclosed\n")
    rc.find(v.Select, label="Scenario").widget.v_model = "(a file of my own)"
    field = rc.find(v.TextField, label="Scenario file (YAML path on the server)").widget
    field.v_model = str(bad)
    field.fire_event("focusout")
    alerts = [a.children[0] for a in rc.find(v.Alert).widgets]
    assert any("malformed YAML" in a for a in alerts), alerts
    # the controls show what Reset will run (the last valid settings), not schema defaults
    assert rc.find(v.TextField, label="Seed").widget.v_model == "3"
    assert switch(rc, "Party mobilisation").v_model is True
    button(rc, "Reset").click()
    assert indicator(rc, "Week") == "0"
    assert "seed 3" in rc.find(v.Html, class_="about").widgets[0].children[0]


def test_an_error_goes_once_a_change_is_valid(page):
    rc, _ = page
    seed = rc.find(v.TextField, label="Seed").widget
    seed.v_model = "-5"
    seed.fire_event("focusout")
    assert any("seed" in a.children[0] for a in rc.find(v.Alert).widgets)
    switch(rc, "Party mobilisation").v_model = False  # a valid change, built on what runs
    alerts = [a.children[0] for a in rc.find(v.Alert).widgets]
    assert alerts == ["Press Reset to run small_app, 1 change."], alerts


def test_a_changed_size_is_what_the_header_and_the_saved_file_describe(page, tmp_path):
    rc, _ = page
    assert "Three compounds" in rc.find(v.Html, class_="about").widgets[0].children[0]
    rc.find(v.Slider, max=60).widget.v_model = 2  # structure.compounds
    button(rc, "Reset").click()
    about = rc.find(v.Html, class_="about").widgets[0].children[0]
    assert "Three compounds" not in about and "structure.compounds=2" in about, about
    exported = tmp_path / "exported.yaml"
    exported.write_bytes(download(rc, "small_app.yaml"))
    scenario = load_scenario(str(exported))
    assert scenario.structure.compounds == 2
    assert "Three compounds" not in scenario.description


def download(rc, filename: str) -> bytes:
    """Press the download button of `filename` and wait for its bytes."""
    widget = rc.find(FileDownloadWidget, filename=filename).widget
    widget.request_download = True
    deadline = time.monotonic() + 10
    while widget.bytes is None:
        assert time.monotonic() < deadline, f"no data for {filename}"
        time.sleep(0.02)
    return widget.bytes


def test_exported_settings_are_a_scenario_that_validates(page, tmp_path):
    rc, _ = page
    switch(rc, "Party mobilisation").v_model = False
    exported = tmp_path / "exported.yaml"
    exported.write_bytes(download(rc, "small_app.yaml"))
    scenario = load_scenario(str(exported))
    assert scenario.name == "small_app"
    assert scenario.structure.compounds == 3 and scenario.seed == 3
    assert not scenario.mechanisms.party_mobilisation.enabled
    assert scenario.mechanisms.self_management.enabled


def test_exported_time_series_is_the_run_so_far(page):
    rc, path = page
    for _ in range(3):
        button(rc, "Step").click()
    csv = download(rc, "small_app_seed3_timeseries.csv").decode()
    lines = csv.splitlines()
    assert lines[0].startswith("step,participation_rate,")
    assert len(lines) == 1 + 4  # header, weeks 0-3
    reference = AppModel(SessionScenario(load_scenario(str(path)), AppSettings(str(path))))
    for _ in range(3):
        reference.step()
    assert csv == timeseries_csv(reference)


def test_a_starting_scenario_that_does_not_load_shows_why_and_the_defaults():
    _, rc = solara.render(solara.AppLayout(children=[Page("no_such_scenario")]), handle_error=False)
    try:
        alerts = [a.children[0] for a in rc.find(v.Alert).widgets]
        assert any("no_such_scenario: scenario: no such file" in a for a in alerts), alerts
        assert indicator(rc, "Compounds") == "29"  # the schema's default community
    finally:
        rc.close()
