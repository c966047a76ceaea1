"""The SolaraViz page: `solara run sim/app/app.py` serves it (`cogov app` does that for you).

Each browser session gets its own settings and model (nothing is shared between visits). Mesa's
SolaraViz draws the sidebar controls (Reset, Play, Step, play and render intervals, the step
counter); Reset rebuilds the model from the session's latest valid settings. The main area holds
the current numbers, the building or network view and the live plots.
"""

import os

import solara
from mesa.visualization import SolaraViz
from mesa.visualization.utils import update_counter

from sim.app import building_view, map_view, network_view
from sim.app.controls import SettingsPanel
from sim.app.export import scenario_filename, scenario_yaml, timeseries_csv, timeseries_filename
from sim.app.indicators import INDICATORS
from sim.app.plots import PLOTS, chart_spec, thinned, timeseries
from sim.app.settings import DEFAULT_SOURCE, AppModel, AppSettings, SessionScenario, checked
from sim.app.states import HOUSEHOLD_STATES, MANAGERS, PARTY_MARK, TIE_ACROSS, TIE_INSIDE, Scale
from sim.scenario.loader import ScenarioError
from sim.scenario.schema import Scenario

#: The scenario a new session starts with (set by `cogov app SCENARIO`).
SCENARIO_ENV = "COGOV_APP_SCENARIO"
TITLE = "cogov: neighbourhood co-governance"
VIEWS = ("Buildings", "Social network")
#: The view of a community read from a file with footprints.
MAP_VIEW = "Map"
BUILDING_CAPTION = (
    "Each cell is a household: buildings stand side by side in their compound (C1, C2, ...), "
    "each stairwell unit a column of floors, ground floor at the bottom."
)
MAP_CAPTION = (
    "Each shape is a building at its footprint, coloured by its households (scales: their "
    "mean; categories: the most common); the outline shows who manages its compound."
)
NETWORK_CAPTION = (
    "Each dot is a household, each disc a compound (its buildings as sectors); lines are social "
    "ties, blue where they cross between compounds."
)

CSS = """
.cogov-numbers { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr));
  gap: 10px; margin-bottom: 12px; }
.cogov-number { background: #fff; border: 1px solid #e3e3e3; border-radius: 6px;
  padding: 8px 12px; }
.cogov-number .label { font-size: 12px; color: #666; }
.cogov-number .value { font-size: 24px; font-weight: 600; color: #222; line-height: 1.2; }
.cogov-number .detail { font-size: 11px; color: #777; }
.cogov-panel { background: #fff; border: 1px solid #e3e3e3; border-radius: 6px; padding: 10px 12px;
  margin-bottom: 12px; }
.cogov-legend { display: flex; flex-wrap: wrap; gap: 6px 18px; font-size: 12px; color: #333;
  margin-top: 6px; align-items: center; }
.cogov-chip { display: inline-block; width: 12px; height: 12px; border-radius: 2px;
  margin-right: 5px; vertical-align: -1px; border: 1px solid rgba(0,0,0,.15); }
.cogov-dot { display: inline-block; width: 9px; height: 9px; border-radius: 50%;
  margin-right: 5px; vertical-align: 0px; border: 1.5px solid #fff; box-shadow: 0 0 0 1px #999; }
.cogov-ramp { display: inline-block; width: 120px; height: 10px; border-radius: 2px;
  margin: 0 6px; vertical-align: -1px; }
.cogov-plots { display: grid; grid-template-columns: repeat(auto-fill, minmax(270px, 1fr));
  gap: 10px; }
.cogov-plot { background: #fff; border: 1px solid #e3e3e3; border-radius: 6px; padding: 8px; }
.cogov-view img { width: 100%; height: auto; display: block; }
.cogov-view.network img { max-width: 640px; margin: 0 auto; }
.cogov-view.map img { max-width: 900px; margin: 0 auto; }
.cogov-header { margin: 0 0 10px 2px; }
.cogov-header .name { font-size: 20px; font-weight: 600; color: #222; margin-right: 10px; }
.cogov-header .about { font-size: 13px; color: #555; }
.cogov-caption { font-size: 12px; color: #666; margin: 2px 0 6px 0; }
.cogov-control .v-input--switch { margin-top: 0; }
.cogov-control .v-input--selection-controls { margin-top: 2px; padding-top: 0; }
.cogov-lab { font-size: 13px; color: #444; }
.cogov-fold.v-btn { text-transform: none; letter-spacing: 0; color: #666; font-weight: 400;
  padding: 0 4px !important; }
.cogov-group { border-left: 2px solid #e3e3e3; padding-left: 10px; margin: 0 0 8px 14px; }
.cogov-card .v-card__text { padding-top: 4px; }
/* SolaraViz always draws a "Model Parameters" card; this app's parameters are in its own
   Scenario card, so hide a card whose content is empty. */
.v-card:has(> .v-card__text > .v-sheet:empty) { display: none; }
"""


def start_session(source: str | None) -> tuple[SessionScenario, str | None]:
    """A new session's scenario, and the problem if the starting scenario does not load."""
    settings = AppSettings(source or os.environ.get(SCENARIO_ENV) or DEFAULT_SOURCE)
    scenario = checked(settings)
    if isinstance(scenario, ScenarioError):
        return SessionScenario(Scenario(), settings), f"{scenario} (showing the schema defaults)"
    return SessionScenario(scenario, settings), None


def html(tag: str, text: str = "", cls: str = "", style: str = ""):
    """A plain HTML element, with text or (used as a context manager) children."""
    options = {"class_": cls} if cls else {}
    if style:
        options["style_"] = style
    if text:
        options["children"] = [text]
    return solara.v.Html(tag=tag, **options)


@solara.component
def Header(model: AppModel):
    """What is being simulated: the scenario's name, description and size."""
    params, world = model.params, model.world
    switched_on = [
        name.replace("_", " ")
        for name in type(params.mechanisms).model_fields
        if getattr(params.mechanisms, name).enabled
    ]
    with solara.v.Html(tag="div", class_="cogov-header"):
        html("span", params.name, "name")
        html(
            "span",
            f"{params.description} · seed {params.seed} · {world.households:,} households in "
            f"{world.buildings} buildings",
            "about",
        )
        html("div", f"Mechanisms on: {', '.join(switched_on) or 'none'}", "about mechanisms")


@solara.component
def Numbers(model: AppModel, tick: int):
    """The panel of current numbers."""
    with solara.v.Html(tag="div", class_="cogov-numbers"):
        for indicator in INDICATORS:
            with solara.v.Html(tag="div", class_="cogov-number"):
                html("div", indicator.label, "label")
                html("div", indicator.value(model), "value")
                html("div", indicator.detail(model), "detail")


@solara.component
def Legend(model: AppModel, state: str, view: str, tick: int):
    """What the colours and marks of the household view mean, with counts."""
    spec = HOUSEHOLD_STATES[state]
    with solara.v.Html(tag="div", class_="cogov-legend"):
        if isinstance(spec, Scale):
            html("span", f"{spec.label}:")
            html("span", spec.low)
            html("span", cls="cogov-ramp", style=f"background: {spec.css_gradient()}")
            html("span", f"{spec.high} (mean {spec.mean(model):.2f})")
            if spec.applies is not None:
                html("span", cls="cogov-chip", style="background: #d9d9d9")
                html("span", spec.not_applicable)
        else:
            total = max(model.world.households, 1)
            for label, colour, count in spec.legend(model):
                with html("span"):
                    html("span", cls="cogov-chip", style=f"background: {colour}")
                    html("span", f"{label}: {count:,} ({count / total:.0%})")
        with html("span"):
            html("span", cls="cogov-dot", style=f"background: {PARTY_MARK}")
            html("span", f"Party member ({int(model.households.is_party.sum()):,})")
        if view in (VIEWS[0], MAP_VIEW):
            where = "Outline" if view == MAP_VIEW else "Strip under each compound"
            html("span", f"{where}, who manages it:")
            for label, colour in MANAGERS.values():
                with html("span"):
                    html("span", cls="cogov-chip", style=f"background: {colour}")
                    html("span", label)
        else:
            for label, colour in (
                ("tie in a compound", TIE_INSIDE),
                ("across compounds", TIE_ACROSS),
            ):
                with html("span"):
                    html("span", cls="cogov-chip", style=f"background: {colour}; height: 3px")
                    html("span", label)


@solara.component
def BuildingPicture(model: AppModel, state: str, tick: int):
    """The building view of the model now."""
    layout = solara.use_memo(lambda: building_view.building_layout(model.world), [model])
    png = building_view.render_png(model, layout, state)
    with solara.v.Html(tag="div", class_="cogov-view buildings"):
        solara.Image(png, format="png")


@solara.component
def MapPicture(model: AppModel, state: str, tick: int):
    """The map view of the model now: buildings at their footprints."""
    layout = solara.use_memo(lambda: map_view.map_layout(model.world), [model])
    png = map_view.render_png(model, layout, state)
    with solara.v.Html(tag="div", class_="cogov-view map"):
        solara.Image(png, format="png")


@solara.component
def NetworkPicture(model: AppModel, state: str, tick: int):
    """The social network view of the model now."""
    layout = solara.use_memo(lambda: network_view.network_layout(model.world), [model])
    background = solara.use_memo(lambda: network_view.tie_background(model, layout), [model])
    picture = network_view.render_webp(model, layout, background, state)
    with solara.v.Html(tag="div", class_="cogov-view network"):
        solara.Image(picture, format="webp")


@solara.component
def HouseholdPanel(
    model: AppModel, view: solara.Reactive[str], state: solara.Reactive[str], tick: int
):
    """The building or network view with its selectors and legend."""
    labels = {spec.label: key for key, spec in HOUSEHOLD_STATES.items()}
    views = [*VIEWS, MAP_VIEW] if map_view.has_map(model.world) else list(VIEWS)
    shown = view.value if view.value in views else VIEWS[0]
    with solara.v.Html(tag="div", class_="cogov-panel"):
        with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
            solara.ToggleButtonsSingle(value=view, values=views)
            solara.Text("Colour households by:", style={"margin-left": "12px"})
            solara.ToggleButtonsSingle(
                value=HOUSEHOLD_STATES[state.value].label,
                values=list(labels),
                on_value=lambda label: state.set(labels[label]),
            )
        if shown == MAP_VIEW:
            html("div", MAP_CAPTION, "cogov-caption")
            MapPicture(model, state.value, tick)
        elif shown == VIEWS[0]:
            html("div", BUILDING_CAPTION, "cogov-caption")
            BuildingPicture(model, state.value, tick)
        else:
            html("div", NETWORK_CAPTION, "cogov-caption")
            NetworkPicture(model, state.value, tick)
        Legend(model, state.value, shown, tick)


@solara.component
def Plots(model: AppModel, tick: int):
    """The live plots, one chart per entry of PLOTS."""
    frame = thinned(timeseries(model))
    with solara.v.Html(tag="div", class_="cogov-plots"):
        for plot in PLOTS:
            with solara.v.Html(tag="div", class_="cogov-plot"):
                solara.widgets.VegaLite.element(spec=chart_spec(frame, plot, model))


@solara.component
def Dashboard(
    model: solara.Reactive[AppModel], view: solara.Reactive[str], state: solara.Reactive[str]
):
    """The main area, redrawn whenever SolaraViz steps or resets the model.

    Only this component listens to Mesa's update counter and hands it down as `tick`: each
    listener costs a render pass of its own, so one listener keeps a step to one pass.
    """
    tick = update_counter.value
    current = model.value
    Header(current)
    Numbers(current, tick)
    HouseholdPanel(current, view, state, tick)
    Plots(current, tick)


@solara.component
def ExportPanel(model: AppModel, session: SessionScenario):
    """Downloads: the latest valid settings as a scenario file, and the time series.

    The data are made when a button is pressed, from the model and settings of that moment.
    """
    with solara.Card("Export", margin=0, classes=["cogov-card"]):
        solara.FileDownload(
            lambda: scenario_yaml(session.scenario, session.settings),
            filename=scenario_filename(session.scenario),
            label="Save settings as scenario YAML",
        )
        solara.FileDownload(
            lambda: timeseries_csv(model),
            filename=timeseries_filename(model),
            label="Download time series (CSV)",
        )


@solara.component
def AppSidebar(
    model: solara.Reactive[AppModel],
    session: SessionScenario,
    settings: solara.Reactive[AppSettings],
    error: solara.Reactive[str | None],
):
    """The app's own sidebar cards."""
    with solara.Sidebar(), solara.Column():
        SettingsPanel(settings, session, error, model.value.settings)
        ExportPanel(model.value, session)


@solara.component
def SidebarAfterControls(
    model: solara.Reactive[AppModel],
    session: SessionScenario,
    settings: solara.Reactive[AppSettings],
    error: solara.Reactive[str | None],
):
    """AppSidebar one component deeper than SolaraViz's sidebar, which orders it after Mesa's.

    (The AppLayout sorts sidebar parts by the depth of the component that adds them.)
    """
    AppSidebar(model, session, settings, error)


@solara.component
def Page(source: str | None = None):
    """The whole app for one browser session."""
    session, problem = solara.use_memo(lambda: start_session(source), [])
    first_model = solara.use_memo(lambda: AppModel(session), [])
    model = solara.use_reactive(first_model)
    settings = solara.use_reactive(session.settings)
    error = solara.use_reactive(problem)
    view = solara.use_reactive(VIEWS[0])
    state = solara.use_reactive(next(iter(HOUSEHOLD_STATES)))
    with solara.v.Html(tag="div", style_="min-width: 0; padding: 0 4px") as main:
        solara.Title(TITLE)
        solara.Style(CSS)
        SolaraViz(model, components=[], model_params={"settings": session}, name=TITLE)
        SidebarAfterControls(model, session, settings, error)
        Dashboard(model, view, state)
    return main


page = Page()
