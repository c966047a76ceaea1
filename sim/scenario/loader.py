"""Loading scenarios: find the file, parse YAML, apply dotted overrides, validate.

Every failure becomes a `ScenarioError` that renders as one line,
``FILE: FIELD: what is wrong (what is allowed)``.
"""

import os
import typing
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from sim.mechanisms import BUILT_MECHANISMS
from sim.scenario.crowdfunding_params import structure_problem
from sim.scenario.errors import ScenarioError, Style, locate, translate
from sim.scenario.schema import Scenario

SCENARIO_DIR_ENV = "COGOV_SCENARIOS"


def shipped_dir(kind: str) -> Path:
    """The folder of shipped `kind` files ("scenarios" or "experiments"), package data of sim."""
    return Path(str(resources.files("sim.shipped").joinpath(kind)))


def scenarios_dir() -> Path:
    """The folder of shipped scenarios (override with $COGOV_SCENARIOS)."""
    if env := os.environ.get(SCENARIO_DIR_ENV):
        return Path(env)
    return shipped_dir("scenarios")


def shipped_files(folder: Path) -> dict[str, Path]:
    """The YAML files of a folder by name (empty when there is no such folder)."""
    if not folder.is_dir():
        return {}
    return {p.stem: p for p in sorted(folder.glob("*.yaml"))}


def shipped_scenarios() -> dict[str, Path]:
    """Shipped scenario names mapped to their files."""
    return shipped_files(scenarios_dir())


def shipped_experiments() -> dict[str, Path]:
    """Shipped experiment names mapped to their files."""
    return shipped_files(shipped_dir("experiments"))


def display_path(path: Path) -> Path:
    """The path relative to the working folder when it lies inside it."""
    try:
        return path.resolve().relative_to(Path.cwd())
    except ValueError:
        return path


def resolve_scenario_path(source: str | Path) -> Path:
    """A path as given, or the shipped scenario of that name."""
    path = Path(source)
    if path.is_file():
        return path
    shipped = shipped_scenarios()
    if str(source) in shipped:
        return display_path(shipped[str(source)])
    names = ", ".join(shipped) or "none shipped"
    raise ScenarioError(
        str(source),
        "scenario",
        "no such file or shipped scenario",
        f"a YAML file or one of: {names}",
    )


#: Limits on a YAML text, checked on its node graph before any Python object is built: how
#: deep collections nest, and how many values it holds once aliases are expanded (an alias
#: bomb, "billion laughs", holds billions from a few lines).
YAML_MAX_DEPTH = 100
YAML_MAX_VALUES = 100_000


class YamlLimitError(yaml.MarkedYAMLError):
    """A YAML text over one of the limits, with what is allowed."""

    def __init__(self, problem: str, mark, allowed: str) -> None:
        super().__init__(problem=problem, problem_mark=mark)
        self.allowed = allowed


class StrictLoader(yaml.SafeLoader):
    """A safe YAML loader that refuses a key given twice in one mapping, a key that is a list
    or a mapping, collections nested over YAML_MAX_DEPTH deep, and more than YAML_MAX_VALUES
    values once aliases are expanded (counted on the nodes, without expanding them)."""

    def __init__(self, stream) -> None:
        super().__init__(stream)
        self.depth = 0
        self.values: dict[int, int] = {}  # id(node) -> values in it, aliases expanded

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            node = self.anchors.get(event.anchor)
            if node is not None and id(node) not in self.values:
                raise YamlLimitError(
                    f"alias *{event.anchor} refers to a collection that holds it",
                    event.start_mark,
                    "aliases to finished values only",
                )
            return super().compose_node(parent, index)
        if self.depth >= YAML_MAX_DEPTH:
            raise YamlLimitError(
                f"collections nest more than {YAML_MAX_DEPTH} deep",
                self.peek_event().start_mark,
                f"at most {YAML_MAX_DEPTH} levels",
            )
        self.depth += 1
        try:
            node = super().compose_node(parent, index)
        finally:
            self.depth -= 1
        if isinstance(node, yaml.MappingNode):
            children = [child for pair in node.value for child in pair]
        else:
            children = node.value if isinstance(node, yaml.SequenceNode) else []
        count = 1 + sum(self.values[id(child)] for child in children)
        if count > YAML_MAX_VALUES:
            raise YamlLimitError(
                f"more than {YAML_MAX_VALUES:,} values once aliases are expanded",
                node.start_mark,
                f"at most {YAML_MAX_VALUES:,} values, aliases counted in full",
            )
        self.values[id(node)] = count
        return node

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise yaml.constructor.ConstructorError(
                    None, None, "a key is a list or a mapping", key_node.start_mark
                )
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def parse_yaml(text: str) -> Any:
    """Parse YAML text with the StrictLoader's checks; raises yaml.YAMLError."""
    return yaml.load(text, Loader=StrictLoader)  # noqa: S506


def read_yaml_mapping(path: Path) -> dict[str, Any]:
    """Parse a YAML file that must hold a mapping (no key given twice, within the limits)."""
    try:
        data = parse_yaml(path.read_text(encoding="utf-8"))
    except YamlLimitError as exc:
        where = f"line {exc.problem_mark.line + 1}"
        raise ScenarioError(str(path), where, exc.problem, exc.allowed) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "file"
        problem = getattr(exc, "problem", None) or "cannot be parsed"
        raise ScenarioError(
            str(path), where, f"malformed YAML: {problem}", "a YAML mapping"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(
            str(path), "file", f"cannot be read: {exc}", "a readable UTF-8 file"
        ) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ScenarioError(
            str(path), "file", "top level is not a mapping", "keys such as name, steps, structure"
        )
    return data


def parse_override(text: str) -> tuple[str, Any]:
    """Split ``dotted.key=value``; the value is read as a YAML scalar."""
    key, sep, raw = text.partition("=")
    if not sep or not key.strip():
        raise ScenarioError(
            "--set", text, "not of the form dotted.key=value", "e.g. mechanisms.points.enabled=true"
        )
    try:
        value = parse_yaml(raw) if raw.strip() else ""
    except YamlLimitError as exc:
        raise ScenarioError("--set", key.strip(), exc.problem, exc.allowed) from None
    except yaml.YAMLError:
        value = raw
    return key.strip(), value


def list_item_section(annotation: Any) -> type[BaseModel] | None:
    """The section type of a list of sections (e.g. the project kinds), else None."""
    if typing.get_origin(annotation) is list:
        args = typing.get_args(annotation)
        if args and isinstance(args[0], type) and issubclass(args[0], BaseModel):
            return args[0]
    return None


def list_entry(node: dict[str, Any], field: str, default: list, where: str, file: str) -> dict:
    """The entry of a list of sections that a dotted key names by its `name` or its index.

    A list the data does not give yet is filled with the schema's default entries first.
    """
    entries = node.get(field)
    if not isinstance(entries, list):
        entries = [e.model_dump(mode="json") if isinstance(e, BaseModel) else e for e in default]
        node[field] = entries
    wanted = where.rsplit(".", 1)[-1]
    for index, entry in enumerate(entries):
        if isinstance(entry, dict) and wanted in (entry.get("name"), str(index)):
            return entry
    names = [str(e.get("name", i)) for i, e in enumerate(entries) if isinstance(e, dict)]
    raise ScenarioError(file, where, "no such entry", "entries: " + (", ".join(names) or "none"))


def apply_override(data: dict[str, Any], key: str, value: Any, file: str) -> None:
    """Set a dotted key in nested scenario data, refusing keys the schema does not know.

    In a list of sections the key names an entry by its `name` or its index, e.g.
    ``mechanisms.crowdfunding.kinds.elevator.subsidy``.
    """
    model: type[BaseModel] = Scenario
    node = data
    parts = key.split(".")
    depth = 0
    while True:
        part = parts[depth]
        fields = model.model_fields
        if part not in fields:
            where = ".".join(parts[: depth + 1])
            raise ScenarioError(file, where, "unknown key", "known: " + ", ".join(fields))
        annotation = fields[part].annotation
        last = depth == len(parts) - 1
        if last:
            node[part] = value
            return
        item = list_item_section(annotation)
        if item is not None:
            where = ".".join(parts[: depth + 2])
            default = fields[part].get_default(call_default_factory=True)
            node, model = list_entry(node, part, default, where, file), item
            depth += 2
            if depth == len(parts):
                raise ScenarioError(
                    file, where, "names an entry, not a value", "a parameter name ends the key"
                )
            continue
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            raise ScenarioError(
                file,
                ".".join(parts[: depth + 1]),
                "is a value, not a section",
                "a parameter name ends the key",
            )
        child = node.get(part)
        if not isinstance(child, dict):
            child = {}
            node[part] = child
        node, model = child, annotation
        depth += 1


#: Scenario errors name list entries as a ``--set`` key does (``kinds.0.cost_min``).
SCENARIO_STYLE = Style(dotted=True)


def field_info(loc: tuple[Any, ...]):
    """The pydantic FieldInfo of a scenario key's last part, or None.

    Inside a list the index (or, in a dotted key, the entry's name) is stepped over.
    """
    return locate(Scenario, loc).field


def validation_error(exc: ValidationError, file: str) -> ScenarioError:
    """A pydantic error of scenario data as one ScenarioError line."""
    return translate(exc, file, Scenario, SCENARIO_STYLE)


def build_scenario(data: dict[str, Any], file: str) -> Scenario:
    """Validate scenario data, its policy timeline, and refuse mechanisms not built yet."""
    scenario = validate_state(data, file)
    if scenario.structure.from_file:
        from sim.world.places import resolve_from_file

        scenario = resolve_from_file(scenario, file)
    resolve_timeline(scenario, file)
    return scenario


def validate_state(data: dict[str, Any], file: str) -> Scenario:
    """Validate one scenario state and refuse mechanisms that are not built yet."""
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise validation_error(exc, file) from None
    for name in Scenario.model_fields["mechanisms"].annotation.model_fields:
        mechanism = getattr(scenario.mechanisms, name)
        if mechanism.enabled and name not in BUILT_MECHANISMS:
            raise ScenarioError(
                file,
                f"mechanisms.{name}.enabled",
                "this mechanism is not built yet",
                "mechanisms built: " + ", ".join(sorted(BUILT_MECHANISMS)),
            )
    problem = structure_problem(scenario.mechanisms.crowdfunding, scenario.structure.floors_max)
    if problem is not None:
        raise ScenarioError(file, *problem)
    return scenario


def resolve_timeline(scenario: Scenario, file: str = "scenario") -> list[tuple[int, Scenario]]:
    """The scenario in force from each intervention's week on, in order of weeks.

    Interventions may change behaviour and mechanism settings, not the community's build,
    its length or seed; a week past the run's end is refused.
    """
    data = scenario.model_dump(mode="json")
    states = []
    order = sorted(
        range(len(scenario.interventions)), key=lambda i: scenario.interventions[i].at_week
    )
    for i in order:
        intervention = scenario.interventions[i]
        where = f"interventions[{i}]"
        if intervention.at_week > scenario.steps:
            raise ScenarioError(
                file,
                f"{where}.at_week",
                f"week {intervention.at_week} is after the run ends",
                f"1 to steps = {scenario.steps}",
            )
        for key, value in intervention.set.items():
            if key.split(".")[0] not in CHANGEABLE_SECTIONS:
                raise ScenarioError(
                    file,
                    f"{where}.set.{key}",
                    "cannot change during a run",
                    "keys under " + ", ".join(CHANGEABLE_SECTIONS),
                )
            try:
                apply_override(data, key, value, file)
            except ScenarioError as exc:
                raise ScenarioError(
                    file, f"{where}.set.{exc.field}", exc.problem, exc.allowed
                ) from None
        try:
            state = validate_state(data, file)
        except ScenarioError as exc:
            raise ScenarioError(
                file, f"{where}.set.{exc.field}", exc.problem, exc.allowed
            ) from None
        states.append((intervention.at_week, state))
    return states


#: Sections an intervention may change mid-run (the build, length and seed are fixed).
CHANGEABLE_SECTIONS = (
    "mechanisms",
    "service",
    "fees",
    "trust",
    "participation",
    "disputes",
    "households",
    "volunteering",
)


def load_scenario(source: str | Path, overrides: list[str] | None = None) -> Scenario:
    """Load a scenario by path or shipped name, apply ``--set`` overrides, validate."""
    path = resolve_scenario_path(source)
    data = read_yaml_mapping(path)
    for text in overrides or []:
        key, value = parse_override(text)
        apply_override(data, key, value, str(path))
    return build_scenario(data, str(path))
