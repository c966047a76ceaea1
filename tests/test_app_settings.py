"""Controls generated from the schema, settings validated by the loader, and the exports."""

import altair as alt
import jsonschema
import pandas as pd
import pytest

from sim.app.controls import MAIN_PARAMETERS, field_at, main_controls, mechanism_groups
from sim.app.export import scenario_yaml, timeseries_csv
from sim.app.plots import MAX_POINTS, PLOTS, chart_spec, thinned, timeseries
from sim.app.settings import AppModel, AppSettings, SessionScenario, current_value, resolve
from sim.mechanisms import BUILT_MECHANISMS
from sim.metrics import REPORTERS
from sim.runner import simulate
from sim.scenario.loader import ScenarioError, load_scenario
from sim.scenario.schema import Scenario


def test_every_mechanism_of_the_schema_has_a_switch_enabled_only_if_built():
    groups = {group.name: group for group in mechanism_groups()}
    assert set(groups) == set(Scenario.model_fields["mechanisms"].annotation.model_fields)
    for name, group in groups.items():
        assert group.switch.kind == "switch"
        assert group.switch.disabled == (name not in BUILT_MECHANISMS)


def test_mechanism_sliders_have_the_schema_ranges():
    group = next(g for g in mechanism_groups() if g.name == "party_mobilisation")
    strength = next(c for c in group.parameters if c.key.endswith("mobilisation_strength"))
    assert (strength.kind, strength.minimum, strength.maximum) == ("float", 0, 2)
    self_management = next(g for g in mechanism_groups() if g.name == "self_management")
    cost = next(c for c in self_management.parameters if c.key.endswith("full_service_cost"))
    assert cost.minimum > 0  # gt=0 in the schema: the slider cannot reach it


def test_main_parameters_all_exist_in_the_schema():
    for keys in MAIN_PARAMETERS.values():
        for key in keys:
            assert field_at(key) is not None, key
    controls = {c.key: c for section in main_controls().values() for c in section}
    assert set(controls) == {key for keys in MAIN_PARAMETERS.values() for key in keys}
    assert controls["structure.compounds"].maximum == 60  # capped for drawing speed
    assert controls["households.renter_share"].maximum == 1


def test_settings_resolve_like_cogov_run_set():
    settings = AppSettings("default").with_value("mechanisms.party_mobilisation.enabled", False)
    expected = load_scenario("default", ["mechanisms.party_mobilisation.enabled=false"])
    resolved = resolve(settings)
    assert resolved.model_copy(update={"description": expected.description}) == expected
    assert resolved.description == (
        "default as changed in the app: mechanisms.party_mobilisation.enabled=False"
    )
    assert current_value(settings, "mechanisms.party_mobilisation.enabled") is False
    assert current_value(settings, "structure.compounds") == 29


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("households.renter_share", 1.5, "households.renter_share: Input should be less than"),
        ("structure.floors_min", 9, "floors_min must not exceed floors_max"),
        ("seed", "abc", "seed: Input should be a valid integer"),
    ],
)
def test_invalid_settings_keep_the_last_valid_scenario_with_the_schema_message(key, value, message):
    session = SessionScenario(load_scenario("default"), AppSettings("default"))
    problem = session.update(AppSettings("default").with_value(key, value))
    assert isinstance(problem, ScenarioError)
    assert message in str(problem)
    assert session.settings == AppSettings("default")
    assert session.scenario == load_scenario("default")


def test_a_mechanism_not_built_is_shown_disabled_and_refused_if_enabled(monkeypatch):
    built = BUILT_MECHANISMS - {"party_mobilisation"}
    monkeypatch.setattr("sim.app.controls.BUILT_MECHANISMS", built)
    monkeypatch.setattr("sim.scenario.loader.BUILT_MECHANISMS", built)
    group = next(g for g in mechanism_groups() if g.name == "party_mobilisation")
    assert not group.built and group.switch.disabled
    assert all(control.disabled for control in group.parameters)
    session = SessionScenario(load_scenario("no_mechanisms"), AppSettings("no_mechanisms"))
    problem = session.update(session.settings.with_value(group.switch.key, True))
    assert "mechanisms.party_mobilisation.enabled: this mechanism is not built yet" in str(problem)


def test_anything_typed_as_a_file_is_a_scenario_or_a_one_line_error(tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("name: x\n")
    folder = tmp_path / "folder.yaml"
    folder.mkdir()
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(bytes(range(256)))
    nasty = ["", " ", "\0", "/", str(tmp_path / "missing.yaml"), str(text), str(folder)]
    for source in [*nasty, str(binary), "a" * 5000]:
        with pytest.raises(ScenarioError) as caught:
            resolve(AppSettings(source))
        assert "\n" not in str(caught.value)


def test_a_community_too_large_to_draw_is_refused_with_a_message():
    settings = AppSettings("default").with_value("structure.compounds", 5000)
    with pytest.raises(ScenarioError, match="more than the app draws"):
        resolve(settings)


def test_app_model_stops_at_the_scenario_length():
    scenario = load_scenario("default", ["structure.compounds=2", "steps=3"])
    model = AppModel(SessionScenario(scenario, AppSettings("default")))
    for _ in range(3):
        assert model.running
        model.step()
    assert not model.running and model.steps == 3


def test_exported_scenario_loads_back_identical(tmp_path):
    settings = (
        AppSettings("default")
        .with_value("seed", 11)
        .with_value("mechanisms.party_mobilisation.enabled", False)
        .with_value("service.fee_per_m2", 1.25)
    )
    scenario = resolve(settings)
    path = tmp_path / "saved.yaml"
    path.write_text(scenario_yaml(scenario, settings))
    assert load_scenario(str(path)) == scenario


def test_exported_time_series_matches_cogov_run(tmp_path):
    scenario = load_scenario("default", ["structure.compounds=3", "steps=6"])
    model = AppModel(SessionScenario(scenario, AppSettings("default")))
    while model.running:
        model.step()
    reference = simulate(scenario).timeseries
    path = tmp_path / "timeseries.csv"
    reference.to_csv(path, index=False)
    assert timeseries_csv(model) == path.read_text()


def test_every_plotted_column_is_a_time_series_column():
    for plot in PLOTS:
        for column in [*plot.columns, *plot.right]:
            assert column in REPORTERS, (plot.title, column)


def test_long_runs_are_thinned_for_drawing_but_keep_the_latest_week():
    frame = pd.DataFrame({"week": range(261), "participation_rate": 0.5})
    drawn = thinned(frame)
    assert len(drawn) <= MAX_POINTS + 1
    assert drawn["week"].iloc[0] == 0 and drawn["week"].iloc[-1] == 260
    short = frame.iloc[:50]
    assert thinned(short).equals(short)


def test_plot_specs_are_valid_vega_lite(small_model):
    validator = jsonschema.Draft7Validator(alt.vegalite.v6.schema.core.load_schema())
    frame = timeseries(small_model)
    for plot in PLOTS:
        spec = chart_spec(frame, plot, small_model)
        spec.pop("$schema")
        validator.validate(spec)


def test_a_city_is_refused_with_the_field_that_makes_it_one():
    from sim.app.settings import checked

    problem = checked(AppSettings("city"))
    assert isinstance(problem, ScenarioError)
    assert problem.field == "city.communities" and "cogov run" in str(problem)


def test_the_picker_offers_every_shipped_scenario_but_cities():
    from sim.app.settings import app_scenarios
    from sim.scenario.loader import shipped_scenarios

    offered = app_scenarios()
    assert "city" not in offered and "default" in offered
    assert set(shipped_scenarios()) - set(offered) == {"city"}


def test_cogov_app_refuses_a_city_in_one_line(capsys, monkeypatch):
    from sim.app import server
    from sim.cli import main

    monkeypatch.setattr(server.subprocess, "call", lambda *a, **k: 0)  # never start a server
    assert main(["app", "city", "--no-open"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "city.communities" in err[0]


def test_app_model_never_steps_past_its_last_week_whatever_the_render_interval():
    scenario = load_scenario("default", ["structure.compounds=2", "steps=5"])
    model = AppModel(SessionScenario(scenario, AppSettings("default")))
    for _ in range(2):  # Play with a render interval of 4: two batches of four steps
        for _ in range(4):
            model.step()
    assert not model.running and model.steps == 5 and model.week == 5
    assert len(model.datacollector.get_model_vars_dataframe()) == 6  # week 0 to week 5


def test_the_series_read_while_a_week_is_collected_has_columns_of_one_length():
    """The app's plots read the series from one thread while the model collects in another."""
    import threading

    from sim.series import SeriesCollector

    release, reached = threading.Event(), threading.Event()

    def slow(model) -> float:
        reached.set()
        release.wait(5)
        return 1.0

    collector = SeriesCollector({"a": lambda m: 0.0, "b": slow, "c": lambda m: 2.0})

    class Clock:
        time = 0.0

    release.set()
    collector.collect(Clock)
    release.clear()
    reached.clear()
    writer = threading.Thread(target=collector.collect, args=(Clock,))
    writer.start()
    reached.wait(5)  # the writer is inside a week's collection: some reporters done, one not
    frame = collector.get_model_vars_dataframe()
    release.set()
    writer.join(5)
    assert len(frame) == 1 and list(frame.columns) == ["a", "b", "c"]
    assert len(collector.get_model_vars_dataframe()) == 2
