"""The simulator as ABC sees it: a particle's parameters in, its targets' statistics out.

Each particle is a pure function of (scenario with the particle's values, seeds): its values
are set at their dotted keys and the scenario validated exactly as ``cogov run --set`` does
(an out-of-range value raises `ScenarioError`, it never reaches the model), and its seeds are
derived from the calibration's root seed and the values themselves, so the same particle gives
the same statistics in any process, in any order, after a resume.
"""

import math
from typing import Any

import numpy as np

from sim.calibration.loader import Calibration, particle_scenario_data
from sim.calibration.statistics import target_statistic
from sim.runner import simulate
from sim.scenario.loader import build_scenario
from sim.scenario.schema import Scenario

SEED_BITS = 63


def particle_seeds(root: int, values: list[float], count: int) -> list[int]:
    """`count` seeds from the root seed and the particle's values (their IEEE-754 bits)."""
    words = np.asarray(values, dtype=np.float64).view(np.uint32).tolist()
    state = np.random.SeedSequence([root, *words]).generate_state(count, dtype=np.uint64)
    return [int(s) >> (64 - SEED_BITS) for s in state]


class ParticleModel:
    """Picklable callable: a particle's parameters -> {target name: statistic}.

    Statistics are means over the particle's seeds (``run.seeds``).
    """

    def __init__(self, calibration: Calibration) -> None:
        self.calibration = calibration
        self.keys = list(calibration.priors)

    def scenario(self, parameters: dict[str, float]) -> Scenario:
        """The validated scenario of a particle (ScenarioError if a value is out of range)."""
        data = particle_scenario_data(self.calibration, {k: parameters[k] for k in self.keys})
        return build_scenario(data, self.calibration.file)

    def seeds(self, parameters: dict[str, float]) -> list[int]:
        """The particle's seeds."""
        spec = self.calibration.spec
        values = [float(parameters[k]) for k in self.keys]
        return particle_seeds(spec.abc.seed, values, spec.run.seeds)

    def statistics(
        self, parameters: dict[str, float], seeds: list[int] | None = None
    ) -> list[dict[str, float]]:
        """Each seed's statistics of a particle (on its own seeds unless given others)."""
        scenario = self.scenario(parameters)
        targets = self.calibration.targets
        runs = []
        for seed in self.seeds(parameters) if seeds is None else seeds:
            result = simulate(scenario, seed=seed)
            runs.append({name: target_statistic(result, t) for name, t in targets.items()})
        return runs

    def __call__(self, parameters: Any) -> dict[str, float]:
        runs = self.statistics(dict(parameters))
        return {name: mean_of(r[name] for r in runs) for name in self.calibration.targets}


def mean_of(values) -> float:
    """The mean of finite values (nan if none)."""
    finite = [v for v in values if math.isfinite(v)]
    return float(np.mean(finite)) if finite else float("nan")
