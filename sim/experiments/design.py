"""Designs: the points an experiment visits, before replication.

Samplers work on the unit hypercube (Latin hypercubes drawn here exactly as
scipy.stats.qmc.LatinHypercube draws them, SALib for Sobol' and Morris) and each parameter maps
a unit value u in [0, 1] to a value of its own:

- real: low + u (high - low)
- integer: low + floor(u n), n = high - low + 1 (each integer equally likely)
- categorical: values[floor(u k)] (each value equally likely); boolean: u >= 0.5
- distribution: the quantile of u, clipped to [0.001, 0.999], of the (truncated) distribution

The unit values are kept beside the values: sensitivity indices are computed on them, so a
discrete parameter's indices measure the choice among its levels, each equally likely.
Levers are always crossed as a full factorial with every design point.
"""

import csv
import itertools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import yaml

from sim.experiments.spec import (
    TAIL,
    BooleanParameter,
    CategoricalParameter,
    CsvDesign,
    DistributionParameter,
    Experiment,
    IntegerParameter,
    LatinHypercubeDesign,
    MorrisDesign,
    RealParameter,
    SobolDesign,
)
from sim.scenario.loader import ScenarioError, parse_yaml


@dataclass(frozen=True)
class Samples:
    """Points over the experiment's parameters, with their unit values when sampled."""

    values: list[dict[str, Any]]
    unit: np.ndarray | None  # shape (len(values), len(parameters)), design order


def factorial_levels(parameter: Any) -> list[Any]:
    """The levels a parameter takes in a factorial design."""
    match parameter:
        case RealParameter():
            return [float(x) for x in np.linspace(parameter.low, parameter.high, parameter.levels)]
        case IntegerParameter() if parameter.levels is None:
            return list(range(parameter.low, parameter.high + 1))
        case IntegerParameter():
            grid = np.linspace(parameter.low, parameter.high, parameter.levels)
            return sorted({int(round(x)) for x in grid})
        case CategoricalParameter():
            return list(parameter.values)
        case BooleanParameter():
            return [False, True]
        case DistributionParameter():
            centres = (np.arange(parameter.levels) + 0.5) / parameter.levels
            return from_unit(parameter, centres, clip=False)
    raise TypeError(f"no levels for {parameter!r}")


def level_count(parameter: Any) -> int:
    """How many levels `factorial_levels` gives, counted without making them."""
    match parameter:
        case IntegerParameter():
            span = parameter.high - parameter.low + 1
            return span if parameter.levels is None else min(parameter.levels, span)
        case CategoricalParameter():
            return len(parameter.values)
        case BooleanParameter():
            return 2
        case RealParameter() | DistributionParameter():
            return parameter.levels
    raise TypeError(f"no levels for {parameter!r}")


def point_count(experiment_spec: Any) -> int | None:
    """Design points before the levers are crossed (None for a CSV design, known when read)."""
    design = experiment_spec.design
    dimensions = len(experiment_spec.parameters)
    match design:
        case LatinHypercubeDesign():
            return design.samples
        case SobolDesign():
            return design.samples * (2 * dimensions + 2 if design.second_order else dimensions + 2)
        case MorrisDesign():
            return design.trajectories * (dimensions + 1)
        case CsvDesign():
            return None
    return math.prod(level_count(p) for p in experiment_spec.parameters.values())


def from_unit(parameter: Any, u: np.ndarray, clip: bool = True) -> list[Any]:
    """Map unit values to the parameter's values (see the module docstring)."""
    u = np.asarray(u, dtype=float)
    match parameter:
        case RealParameter():
            return [float(x) for x in parameter.low + u * (parameter.high - parameter.low)]
        case IntegerParameter():
            n = parameter.high - parameter.low + 1
            return [int(parameter.low + x) for x in index_of(u, n)]
        case CategoricalParameter():
            return [parameter.values[i] for i in index_of(u, len(parameter.values))]
        case BooleanParameter():
            return [bool(x) for x in u >= 0.5]
        case DistributionParameter():
            lo, hi = parameter.mass_bounds()
            q = np.clip(u, TAIL, 1 - TAIL) if clip else u
            return [float(x) for x in parameter.frozen().ppf(lo + q * (hi - lo))]
    raise TypeError(f"cannot map unit values for {parameter!r}")


def index_of(u: np.ndarray, k: int) -> np.ndarray:
    """Level index floor(u k), with u = 1 falling in the last level."""
    return np.minimum(np.floor(u * k).astype(int), k - 1)


def design_seed(experiment: Experiment) -> int:
    """The sampler's seed: the design's own, else the root seed."""
    seed = getattr(experiment.spec.design, "seed", None)
    return experiment.spec.seed if seed is None else seed


def unit_problem(names: list[str]) -> dict[str, Any]:
    """A SALib problem over the unit hypercube."""
    return {"num_vars": len(names), "names": list(names), "bounds": [[0.0, 1.0]] * len(names)}


def latin_hypercube(d: int, n: int, seed: int) -> np.ndarray:
    """`n` points of a scrambled Latin hypercube in [0, 1)^d, the same numbers as
    ``scipy.stats.qmc.LatinHypercube(d=d, rng=seed).random(n)`` (tests compare them), drawn
    without importing scipy.stats (half a second and some 70 MB in the process that samples).

    SciPy seeds its generator as the first child of the seed's sequence, draws the jitter
    within each stratum, then shuffles the strata of each dimension in turn.
    """
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed).spawn(1)[0]))
    jitter = rng.uniform(size=(n, d))
    strata = np.tile(np.arange(1, n + 1), (d, 1))
    for row in strata:
        rng.shuffle(row)
    return (strata.T - jitter) / n


def needs_salib(experiment: Experiment) -> bool:
    """Whether sampling the design imports SALib (Sobol' and Morris designs). The other
    samplers need nothing beyond what reading the file loaded (a distribution parameter's
    scipy.stats is loaded when the file is checked)."""
    return isinstance(experiment.spec.design, SobolDesign | MorrisDesign)


def unit_sample(experiment: Experiment) -> np.ndarray:
    """Unit-hypercube points of a sampled design (LHS, Sobol', Morris)."""
    design = experiment.spec.design
    names = list(experiment.spec.parameters)
    seed = design_seed(experiment)
    match design:
        case LatinHypercubeDesign():
            return latin_hypercube(len(names), design.samples, seed)
        case SobolDesign():
            from SALib.sample import sobol

            return sobol.sample(
                unit_problem(names),
                design.samples,
                calc_second_order=design.second_order,
                scramble=True,
                seed=seed,
            )
        case MorrisDesign():
            from SALib.sample import morris

            return morris.sample(
                unit_problem(names), design.trajectories, num_levels=design.levels, seed=seed
            )
    raise TypeError(f"{design.method} is not a sampled design")


def uncertainty_samples(experiment: Experiment) -> Samples:
    """The design's points over the parameters (the uncertainties), in design order."""
    spec = experiment.spec
    parameters = spec.parameters
    match spec.design.method:
        case "factorial":
            grids = [factorial_levels(p) for p in parameters.values()]
            points = [
                dict(zip(parameters, combo, strict=True)) for combo in itertools.product(*grids)
            ]
            return Samples(points, None)
        case "csv":
            return Samples(read_points(experiment), None)
    unit = unit_sample(experiment)
    columns = {key: from_unit(p, unit[:, j]) for j, (key, p) in enumerate(parameters.items())}
    points = [{key: columns[key][i] for key in parameters} for i in range(len(unit))]
    return Samples(points, unit)


def policies(experiment: Experiment) -> list[dict[str, Any]]:
    """Every combination of the levers' levels (one empty policy when there are no levers)."""
    levers = experiment.spec.levers
    grids = [factorial_levels(p) for p in levers.values()]
    return [dict(zip(levers, combo, strict=True)) for combo in itertools.product(*grids)]


def read_points(experiment: Experiment) -> list[dict[str, Any]]:
    """The points of a CSV design, each value checked against its parameter's declaration."""
    design = experiment.spec.design
    assert isinstance(design, CsvDesign)
    path = experiment.folder / design.file
    name = str(path)
    parameters = experiment.spec.parameters
    try:
        with path.open(newline="", encoding="utf-8") as fh:
            rows = list(csv.reader(fh))
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(
            experiment.file, "design.file", f"cannot read {name}: {exc}", "a CSV file"
        ) from None
    if not rows:
        raise ScenarioError(name, "header", "empty file", "a header of parameter keys")
    header = [h.strip() for h in rows[0]]
    if sorted(header) != sorted(parameters) or len(set(header)) != len(header):
        raise ScenarioError(
            name,
            "header",
            f"columns {header} do not match the parameters",
            "one column per parameter: " + ", ".join(parameters),
        )
    points = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise ScenarioError(name, f"line {number}", f"{len(row)} cells", f"{len(header)} cells")
        point = {}
        for key, cell in zip(header, row, strict=True):
            point[key] = csv_value(parameters[key], cell.strip(), name, f"line {number}: {key}")
        points.append({key: point[key] for key in parameters})
    if not points:
        raise ScenarioError(name, "file", "no points", "at least one row under the header")
    return points


def csv_value(parameter: Any, cell: str, file: str, where: str) -> Any:
    """One CSV cell read as YAML and checked against its parameter."""
    try:
        value = parse_yaml(cell) if cell else None
    except yaml.YAMLError:
        value = cell
    match parameter:
        case RealParameter() | DistributionParameter():
            low = parameter.low if parameter.low is not None else -math.inf
            high = parameter.high if parameter.high is not None else math.inf
            ok = isinstance(value, int | float) and not isinstance(value, bool)
            if not ok or not low <= value <= high:
                raise ScenarioError(file, where, f"got {cell!r}", f"a number in [{low}, {high}]")
            return float(value)
        case IntegerParameter():
            if not isinstance(value, int) or isinstance(value, bool):
                raise ScenarioError(file, where, f"got {cell!r}", "an integer")
            if not parameter.low <= value <= parameter.high:
                raise ScenarioError(
                    file, where, f"got {value}", f"{parameter.low}..{parameter.high}"
                )
            return value
        case BooleanParameter():
            if not isinstance(value, bool):
                raise ScenarioError(file, where, f"got {cell!r}", "true or false")
            return value
        case CategoricalParameter():
            matches = [v for v in parameter.values if same_value(v, value)]
            if not matches:
                allowed = ", ".join(repr(v) for v in parameter.values)
                raise ScenarioError(file, where, f"got {cell!r}", f"one of {allowed}")
            return matches[0]
    raise TypeError(parameter)


def same_value(a: Any, b: Any) -> bool:
    """Equal values of the same kind (numbers compare across int and float, not with bools)."""
    number = (int, float)
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, number) and isinstance(b, number):
        return a == b
    return type(a) is type(b) and a == b
