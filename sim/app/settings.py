"""What a user has set in the app, resolved through the scenario loader, and the model built from it.

The settings are a scenario source (a shipped name or a YAML path) plus dotted-key overrides,
exactly what `cogov run SOURCE --set KEY=VALUE` takes, so the app validates with the same
schema and reports the same one-line messages. Reset builds from the latest settings that
validated; invalid settings are shown with their message and never reach the model.
"""

from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from sim.model import CommunityModel
from sim.scenario.loader import (
    ScenarioError,
    apply_override,
    build_scenario,
    read_yaml_mapping,
    resolve_scenario_path,
    shipped_scenarios,
)
from sim.scenario.schema import Scenario

DEFAULT_SOURCE = "default"
#: Largest community the app builds and draws at interactive speed; larger ones are for `cogov run`.
APP_MAX_HOUSEHOLDS = 50_000


@dataclass(frozen=True)
class AppSettings:
    """A scenario source and the values the user changed, in the order changed."""

    source: str = DEFAULT_SOURCE
    overrides: tuple[tuple[str, Any], ...] = ()

    def with_value(self, key: str, value: Any) -> "AppSettings":
        """These settings with one dotted key set (replacing an earlier value)."""
        kept = tuple((k, v) for k, v in self.overrides if k != key)
        return replace(self, overrides=(*kept, (key, value)))

    def override(self, key: str) -> tuple[bool, Any]:
        """Whether the user set `key`, and the value set."""
        for k, v in self.overrides:
            if k == key:
                return True, v
        return False, None


def load_source(source: str) -> tuple[dict[str, Any], str]:
    """The scenario data of a source and the file name used in messages."""
    source = source.strip()
    if not source:
        raise ScenarioError("(no file)", "scenario", "no file given", "a YAML file path")
    try:
        path = resolve_scenario_path(source)
    except (OSError, ValueError) as exc:  # e.g. a NUL byte in the path
        if isinstance(exc, ScenarioError):
            raise
        raise ScenarioError(source, "scenario", "not a usable path", "a YAML file path") from None
    if path.suffix.lower() not in {".yaml", ".yml"}:
        raise ScenarioError(str(path), "file", "not a scenario file", "a .yaml or .yml file")
    return read_yaml_mapping(path), str(path)


def most_households(scenario: Scenario) -> int:
    """The most households the scenario's structure can produce."""
    s = scenario.structure
    if s.from_file:
        from sim.world.places import read_place

        return read_place(s.from_file).households
    per_building = s.units_per_building_max * s.floors_max * s.households_per_floor
    return s.compounds * s.buildings_per_compound_max * per_building


def resolve(settings: AppSettings) -> Scenario:
    """The validated scenario of these settings; raises ScenarioError with the schema's message."""
    data, file = load_source(settings.source)
    for key, value in settings.overrides:
        apply_override(data, key, value, file)
    if settings.overrides:  # the file's description may no longer hold (its size, say)
        apply_override(data, "description", changed_description(settings), file)
    scenario = build_scenario(data, file)
    if scenario.city.communities > 1:
        raise ScenarioError(
            file,
            "city.communities",
            f"{scenario.city.communities} communities; the app draws one community",
            "1 here; run a city with cogov run",
        )
    if (most := most_households(scenario)) > APP_MAX_HOUSEHOLDS:
        raise ScenarioError(
            file,
            "structure",
            f"up to {most:,} households, more than the app draws",
            f"at most {APP_MAX_HOUSEHOLDS:,}; run larger communities with cogov run",
        )
    return scenario


def changed_description(settings: AppSettings) -> str:
    """The description of a scenario changed in the app: its source and every change."""
    changes = ", ".join(f"{key}={value}" for key, value in settings.overrides)
    return f"{describe(AppSettings(settings.source))} as changed in the app: {changes}"


def app_scenarios() -> list[str]:
    """The shipped scenarios the app can draw as they are (cities, for one, are left out)."""
    names = []
    for name in shipped_scenarios():
        path = resolve_scenario_path(name)
        if drawable(name, str(path), path.stat().st_mtime_ns):
            names.append(name)
    return names


@lru_cache(maxsize=64)
def drawable(name: str, path: str, stamp: int) -> bool:
    """Whether one version of a shipped scenario loads in the app (path and stamp: cache key)."""
    return not isinstance(checked(AppSettings(name)), ScenarioError)


def checked(settings: AppSettings) -> Scenario | ScenarioError:
    """The scenario of the settings, or the error to show: never raises.

    This is where text typed into the page meets the loader; anything unforeseen it raises is
    turned into a message too, so no input can take the session down.
    """
    try:
        return resolve(settings)
    except ScenarioError as exc:
        return exc
    except Exception as exc:  # the boundary between user input and the server
        return ScenarioError(settings.source, "scenario", f"cannot be used ({exc})")


def base_scenario(source: str) -> Scenario:
    """The scenario of a source without overrides, or the schema defaults if it does not load.

    Cached by file and modification time: every control asks for it on every redraw.
    """
    try:
        path = resolve_scenario_path(source.strip())
        stamp = path.stat().st_mtime_ns
    except (ScenarioError, OSError):
        return Scenario()
    return cached_base_scenario(source, str(path), stamp)


@lru_cache(maxsize=32)
def cached_base_scenario(source: str, path: str, stamp: int) -> Scenario:
    """`base_scenario` for one version of one file (path and stamp are the cache key)."""
    scenario = checked(AppSettings(source))
    return Scenario() if isinstance(scenario, ScenarioError) else scenario


def current_value(settings: AppSettings, key: str) -> Any:
    """What a control for `key` shows: the user's value, else the source scenario's."""
    is_set, value = settings.override(key)
    if is_set:
        return value
    node: Any = base_scenario(settings.source)
    for part in key.split("."):
        node = getattr(node, part)
    return node


def describe(settings: AppSettings) -> str:
    """A short description of the settings, e.g. 'default, 2 changes'."""
    name = Path(settings.source).stem if settings.source.endswith((".yaml", ".yml")) else None
    label = name or settings.source
    n = len(settings.overrides)
    return f"{label}, {n} change{'s' if n != 1 else ''}" if n else label


class SessionScenario:
    """The latest valid scenario of one browser session: what Reset builds from."""

    def __init__(self, scenario: Scenario, settings: AppSettings) -> None:
        self.scenario = scenario
        self.settings = settings

    def update(self, settings: AppSettings) -> ScenarioError | None:
        """Take new settings if they validate; return the error if they do not."""
        scenario = checked(settings)
        if isinstance(scenario, ScenarioError):
            return scenario
        self.scenario, self.settings = scenario, settings
        return None


class AppModel(CommunityModel):
    """The community model as the app runs it: built from a session's scenario, stops at its end.

    SolaraViz's Reset calls ``AppModel(settings=...)`` with the session's `SessionScenario`.
    """

    def __init__(self, settings: SessionScenario) -> None:
        self.settings = settings.settings
        super().__init__(settings.scenario)
        self.step = self.step_within_horizon

    def step_within_horizon(self) -> None:
        """Mesa's step (which counts the week) while the run has weeks left, else nothing.

        SolaraViz's Play and Step take `render_interval` steps at a time and read `running`
        only between them, so a run could otherwise go past its last week.
        """
        if self.running:
            self._wrapped_step()
