"""Loading an experiment file: everything a sweep needs is checked before anything runs.

The file against the schema in sim.experiments.spec (unknown keys are errors), every parameter
key and value against the Scenario schema (through sim.scenario.loader's dotted-key and
validation machinery), and the outputs against the metrics a run produces. Every failure is a
`ScenarioError`, one line: ``FILE: FIELD: problem (allowed)``.
"""

import copy
import fnmatch
import math
from pathlib import Path
from types import UnionType
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from sim.experiments.design import level_count, point_count
from sim.experiments.spec import (
    MAX_POINTS,
    TAIL,
    BooleanParameter,
    CategoricalParameter,
    DistributionParameter,
    Experiment,
    ExperimentSpec,
    IntegerParameter,
    RealParameter,
)
from sim.scenario.errors import ScenarioError, Style, translate
from sim.scenario.loader import (
    apply_override,
    build_scenario,
    display_path,
    field_info,
    read_yaml_mapping,
    resolve_scenario_path,
    shipped_experiments,
)
from sim.scenario.schema import Scenario


def validated_spec(path: Path, model: type[BaseModel], translate) -> tuple[Any, str]:
    """A YAML file validated by a pydantic model, and its text; `translate(exc, file)` turns the
    model's validation error into the one-line ScenarioError raised."""
    data = read_yaml_mapping(path)
    text = path.read_text(encoding="utf-8")
    try:
        return model.model_validate(data), text
    except ValidationError as exc:
        raise translate(exc, str(path)) from None


def apply_set(base: dict[str, Any], overrides: dict[str, Any], file: str) -> None:
    """A file's `set` applied to its base scenario's data, each key checked first."""
    for key, value in overrides.items():
        check_key(base, key, file, f"set.{key}")
        apply_override(base, key, value, file)


def load_experiment(source: str | Path) -> Experiment:
    """Read and validate an experiment file; raise ScenarioError on the first problem."""
    path = Path(source)
    shipped = shipped_experiments()
    if not path.is_file() and str(source) in shipped:
        path = display_path(shipped[str(source)])
    file = str(path)
    if not path.is_file():
        names = ", ".join(shipped) or "none shipped"
        raise ScenarioError(
            file, "file", "no such experiment file", f"a YAML experiment file or one of: {names}"
        )
    spec, text = validated_spec(path, ExperimentSpec, experiment_error)
    scenario_path = base_scenario_path(spec.scenario, path.parent, file)
    base = read_yaml_mapping(scenario_path)
    build_scenario(copy.deepcopy(base), str(scenario_path))
    apply_set(base, spec.set, file)
    base_scenario = rebuild(base, file, "set")
    if base_scenario.city.communities > 1:
        raise ScenarioError(
            file,
            "scenario",
            f"a sweep runs single communities, not a city (city.communities = "
            f"{base_scenario.city.communities})",
            "a scenario with city.communities: 1",
        )
    check_parameters(spec, base, file)
    check_size(spec, file)
    summary = resolve_summary(spec.outputs.summary, file)
    columns = resolve_columns(spec.outputs.timeseries.columns, file)
    return Experiment(
        spec=spec,
        file=file,
        text=text,
        base=base,
        base_scenario=base_scenario,
        scenario_file=str(scenario_path),
        summary=summary,
        series_steps=spec.outputs.timeseries.steps,
        series_columns=columns,
    )


def base_scenario_path(name: str, folder: Path, file: str) -> Path:
    """The base scenario: a file beside the experiment, a path, or a shipped name."""
    beside = folder / name
    if beside.is_file():
        return beside
    try:
        return resolve_scenario_path(name)
    except ScenarioError as exc:
        raise ScenarioError(file, "scenario", exc.problem, exc.allowed) from None


def rebuild(data: dict[str, Any], file: str, where: str) -> Scenario:
    """Validate scenario data, naming the experiment file and `where` in any error."""
    try:
        return build_scenario(copy.deepcopy(data), file)
    except ScenarioError as exc:
        raise ScenarioError(file, f"{where}: {exc.field}", exc.problem, exc.allowed) from None


def check_key(base: dict[str, Any], key: str, file: str, where: str) -> None:
    """Refuse a dotted key that the Scenario schema does not know (or that names a section)."""
    try:
        apply_override(copy.deepcopy(base), key, None, file)
    except ScenarioError as exc:
        problem = exc.problem.replace(" (from --set)", "")
        problem = f"{problem} {exc.field!r}" if exc.field != key else problem
        raise ScenarioError(file, where, f"scenario key: {problem}", exc.allowed) from None
    info = field_info(tuple(key.split(".")))
    section = info.annotation if info is not None else None
    if isinstance(section, type) and issubclass(section, BaseModel):
        raise ScenarioError(
            file,
            where,
            "scenario key names a section, not a value",
            "known: " + ", ".join(f"{key}.{name}" for name in section.model_fields),
        )


def check_parameters(spec: ExperimentSpec, base: dict[str, Any], file: str) -> None:
    """Check every lever and parameter against the Scenario schema and the design."""
    overlap = sorted(set(spec.parameters) & set(spec.levers))
    if overlap:
        raise ScenarioError(
            file, f"levers[{overlap[0]}]", "also a parameter", "a key is a lever or a parameter"
        )
    method = spec.design.method
    if method in ("lhs", "sobol", "morris") and not spec.parameters:
        raise ScenarioError(
            file, "parameters", f"a {method} design needs parameters", "at least one parameter"
        )
    for group in ("levers", "parameters"):
        for key, parameter in getattr(spec, group).items():
            where = f"{group}[{key}]"
            if key == "seed":
                raise ScenarioError(
                    file, where, "the seed is set per run from the root seed", "use seed: ROOT"
                )
            if key.startswith("city."):
                raise ScenarioError(
                    file, where, "a sweep runs single communities, not a city", "keys outside city"
                )
            check_key(base, key, file, where)
            check_type(parameter, key, file, where)
            factorial = group == "levers" or method == "factorial"
            continuous = isinstance(parameter, RealParameter | DistributionParameter)
            if factorial and continuous and parameter.levels is None:
                kind = "lever" if group == "levers" else "parameter"
                raise ScenarioError(
                    file,
                    f"{where}.levels",
                    f"a {parameter.type} {kind} of a factorial needs levels",
                    "levels: K (an integer >= 2)",
                )
            for attr, value in candidate_values(parameter):
                trial = copy.deepcopy(base)
                apply_override(trial, key, value, file)
                try:
                    build_scenario(trial, file)
                except ScenarioError as exc:
                    field = f"{where}.{attr}" if attr else where
                    raise ScenarioError(file, field, exc.problem, exc.allowed) from None


def check_size(spec: ExperimentSpec, file: str) -> None:
    """Refuse a design of more than MAX_POINTS points, levers crossed (counted, not built)."""
    points = point_count(spec)  # None for a CSV design
    policies = [level_count(p) for p in spec.levers.values()]
    total = (points or 1) * math.prod(policies)
    if total > MAX_POINTS:
        if spec.design.method == "factorial":
            sizes = [level_count(p) for p in spec.parameters.values()]
        else:
            sizes = [points] if points is not None else []
        where = "design" if (points or 0) > MAX_POINTS else "levers"
        raise ScenarioError(
            file,
            where,
            f"{total:,} design points ({' x '.join(str(n) for n in sizes + policies)})",
            f"at most {MAX_POINTS:,}: fewer levels or samples",
        )


def annotation_types(annotation: Any) -> set[type]:
    """The plain types an annotation allows (unions and Optional unpacked)."""
    if get_origin(annotation) in (Union, UnionType):
        return {t for arg in get_args(annotation) for t in annotation_types(arg)}
    return {annotation} if isinstance(annotation, type) else set()


def check_type(parameter: Any, key: str, file: str, where: str) -> None:
    """Refuse a parameter type that does not fit the scenario field's type."""
    info = field_info(tuple(key.split(".")))
    kinds = annotation_types(info.annotation) if info is not None else set()
    fits = {
        "real": {float},
        "distribution": {float},
        "integer": {int, float},
        "boolean": {bool},
    }.get(parameter.type)
    if fits is None or not kinds or kinds & fits:
        return
    names = "/".join(sorted(t.__name__ for t in kinds))
    allowed = {"int": "integer or categorical", "bool": "boolean", "float": "real, distribution"}
    hint = allowed.get(names, "categorical")
    raise ScenarioError(
        file, f"{where}.type", f"{parameter.type} does not fit a {names} field", f"type: {hint}"
    )


def candidate_values(parameter: Any) -> list[tuple[str, Any]]:
    """Values that a parameter can take at the edges of its range, labelled by attribute."""
    match parameter:
        case RealParameter() | IntegerParameter():
            return [("low", parameter.low), ("high", parameter.high)]
        case CategoricalParameter():
            return [(f"values[{i}]", v) for i, v in enumerate(parameter.values)]
        case BooleanParameter():
            return [("", False), ("", True)]
        case DistributionParameter():
            lo, hi = parameter.mass_bounds()
            dist = parameter.frozen()
            span = hi - lo
            edges = dist.ppf([lo + TAIL * span, lo + (1 - TAIL) * span])
            return [("low", float(edges[0])), ("high", float(edges[1]))]
    return []


def resolve_summary(patterns: list[str], file: str) -> list[str]:
    """The summary metrics that the patterns name, in catalogue order."""
    from sim.outputs import output_catalogue

    known = list(output_catalogue().summary)
    chosen: set[str] = set()
    for i, pattern in enumerate(patterns):
        matched = fnmatch.filter(known, pattern)
        if not matched:
            groups = sorted({k.split(".")[0] + ".*" for k in known})
            raise ScenarioError(
                file,
                f"outputs.summary[{i}]",
                f"{pattern!r} names no summary metric",
                "e.g. " + ", ".join(groups) + ", final.participation_rate",
            )
        chosen.update(matched)
    return [k for k in known if k in chosen]


def resolve_columns(columns: Literal["all"] | list[str], file: str) -> list[str]:
    """The time-series columns to keep (step is always kept)."""
    from sim.outputs import output_catalogue

    known = [c for c in output_catalogue().series if c != "step"]
    if columns == "all":
        return known
    for i, column in enumerate(columns):
        if column not in known:
            raise ScenarioError(
                file,
                f"outputs.timeseries.columns[{i}]",
                f"unknown column {column!r}",
                "known: " + ", ".join(known),
            )
    return [c for c in known if c in set(columns)]


# ------------------------------------------------------------------------------ errors
#: Experiment-layer files word their keys' descriptions as what a key allows: shown in errors.
SPEC_STYLE = Style(descriptions=True)


def experiment_error(exc: ValidationError, file: str) -> ScenarioError:
    """A pydantic error of an experiment file as one ScenarioError line."""
    return translate(exc, file, ExperimentSpec, SPEC_STYLE)
