"""Loading a calibration file: everything ABC needs is checked before anything runs.

The file against the schema in sim.calibration.spec (unknown keys are errors); the base
scenario with its fixed overrides; every free parameter's key against the Scenario schema
(through the experiment loader's checks, the same path as ``--set``) and its prior against
the key's range; every target's statistic against the outputs a run produces; every CSV
observation's file, column and row. Every failure is a `ScenarioError`, one line:
``FILE: FIELD: problem (allowed)``.
"""

import copy
import fnmatch
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import ValidationError

from sim.calibration.priors import PriorRange, check_prior
from sim.calibration.spec import (
    CalibrationSpec,
    CsvObservation,
    Prior,
    Target,
)
from sim.calibration.statistics import aggregate
from sim.experiments.loader import (
    SPEC_STYLE,
    apply_set,
    base_scenario_path,
    check_key,
    rebuild,
    validated_spec,
)
from sim.experiments.spec import NAME_PATTERN, SpecFile
from sim.scenario.errors import translate
from sim.scenario.loader import ScenarioError, apply_override, read_yaml_mapping
from sim.scenario.schema import Scenario


@dataclass(frozen=True)
class Calibration(SpecFile):
    """A checked calibration file, ready to run."""

    spec: CalibrationSpec
    file: str
    text: str
    #: The scenario data a particle's values are applied to (base file, `set`, run.steps).
    base: dict[str, Any]
    base_scenario: Scenario
    scenario_file: str
    #: Each free parameter's support: its prior's range within the scenario key's range.
    ranges: dict[str, PriorRange]
    #: Each target's observed value (read from its CSV where it names one).
    observed: dict[str, float]

    @property
    def priors(self) -> dict[str, Prior]:
        """The free parameters and their priors, in file order."""
        return self.spec.parameters

    @property
    def targets(self) -> dict[str, Target]:
        """The targets, in file order."""
        return self.spec.targets


def load_calibration(source: str | Path) -> Calibration:
    """Read and validate a calibration file; raise ScenarioError on the first problem."""
    path = Path(source)
    file = str(path)
    if not path.is_file():
        raise ScenarioError(file, "file", "no such calibration file", "a YAML calibration file")
    spec, text = validated_spec(path, CalibrationSpec, calibration_error)
    scenario_path = base_scenario_path(spec.scenario, path.parent, file)
    base = read_yaml_mapping(scenario_path)
    rebuild(base, str(scenario_path), "scenario")
    apply_set(base, spec.set, file)
    if spec.run.steps is not None:
        base["steps"] = spec.run.steps
    base_scenario = rebuild(base, file, "set")
    if base_scenario.city.communities > 1:
        raise ScenarioError(
            file,
            "scenario",
            f"a calibration runs single communities, not a city (city.communities = "
            f"{base_scenario.city.communities})",
            "a scenario with city.communities: 1",
        )
    ranges = {}
    for key, prior in spec.parameters.items():
        where = f"parameters[{key}]"
        if key in ("seed", "steps") or key.startswith(("city.", "interventions")):
            raise ScenarioError(
                file, where, "not a behavioural parameter", "a key of the community or its agents"
            )
        if key in spec.set:
            raise ScenarioError(file, where, "also fixed under set", "a key is fixed or free")
        check_key(base, key, file, where)
        ranges[key] = check_prior(key, prior, file, where)
    check_targets(spec, file)
    observed = {
        name: read_observed(target.observed, path.parent, file, f"targets[{name}].observed")
        for name, target in spec.targets.items()
    }
    return Calibration(
        spec=spec,
        file=file,
        text=text,
        base=base,
        base_scenario=base_scenario,
        scenario_file=str(scenario_path),
        ranges=ranges,
        observed=observed,
    )


def check_targets(spec: CalibrationSpec, file: str) -> None:
    """Refuse a target name, summary metric or time-series column that a run does not have."""
    from sim.outputs import output_catalogue

    catalogue = output_catalogue()
    groups = ", ".join(sorted({k.split(".")[0] + ".*" for k in catalogue.summary}))
    steps = spec.run.steps
    for name, target in spec.targets.items():
        where = f"targets[{name}]"
        if not re.match(NAME_PATTERN, name):
            raise ScenarioError(file, where, "not a usable name", "letters, digits, _ . -")
        for field in ("summary", "per"):
            metric = getattr(target, field)
            if metric is not None and metric not in catalogue.summary:
                close = fnmatch.filter(catalogue.summary, f"*{metric.split('.')[-1]}*")[:4]
                raise ScenarioError(
                    file,
                    f"{where}.{field}",
                    f"{metric!r} is not a summary metric",
                    "e.g. " + ", ".join(close or [groups, "final.participation_rate"]),
                )
        if target.series is not None:
            columns = [c for c in catalogue.series if c != "step"]
            if target.series.column not in columns:
                raise ScenarioError(
                    file,
                    f"{where}.series.column",
                    f"unknown column {target.series.column!r}",
                    "known: " + ", ".join(columns),
                )
            end = target.series.to_week
            if steps is not None and max(abs(target.series.from_week), abs(end or 0)) > steps:
                raise ScenarioError(
                    file, f"{where}.series", "window outside the run", f"weeks within 0..{steps}"
                )


def read_observed(observed: float | CsvObservation, folder: Path, file: str, where: str) -> float:
    """The observed value: the number given, or the one a CSV's column yields."""
    if not isinstance(observed, CsvObservation):
        return float(observed)
    path = folder / observed.file
    try:
        records = pd.read_csv(path)
    except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        problem = "no such file" if isinstance(exc, FileNotFoundError) else f"unreadable: {exc}"
        raise ScenarioError(
            file, f"{where}.file", f"{observed.file}: {problem}", "a CSV file"
        ) from None
    if observed.column not in records.columns:
        raise ScenarioError(
            file,
            f"{where}.column",
            f"{observed.file} has no column {observed.column!r}",
            "columns: " + ", ".join(map(str, records.columns)),
        )
    values = pd.to_numeric(records[observed.column], errors="coerce")
    if observed.row is not None:
        if not -len(values) <= observed.row < len(values):
            raise ScenarioError(
                file, f"{where}.row", f"no row {observed.row}", f"{len(values)} rows"
            )
        value = float(values.iloc[observed.row])
    else:
        value = aggregate(values.dropna().to_numpy(dtype=float), observed.aggregate)
    if not math.isfinite(value):
        raise ScenarioError(
            file, f"{where}.column", f"{observed.column!r} gives no number there", "numbers"
        )
    return value


# ------------------------------------------------------------------------------ errors
def calibration_error(exc: ValidationError, file: str) -> ScenarioError:
    """A pydantic error of a calibration file as one ScenarioError line."""
    return translate(exc, file, CalibrationSpec, SPEC_STYLE)


def particle_scenario_data(calibration: Calibration, values: dict[str, float]) -> dict[str, Any]:
    """The base scenario data with a particle's values set at their dotted keys."""
    data = copy.deepcopy(calibration.base)
    for key, value in values.items():
        apply_override(data, key, float(value), calibration.file)
    return data
