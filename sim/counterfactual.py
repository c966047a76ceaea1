"""Counterfactual comparison: the same scenario with and without a change, on common seeds.

For each seed both runs start from the same community and random stream (common random
numbers); the effect on an outcome is the factual run's mean over the run minus the
counterfactual's. Reported: per-seed effects, their mean and a t-based 95% interval
(sim.intervals; none from a single seed, and within [-1, 1] for a difference of rates). With
`--counterfactual mechanisms.points.enabled=false` the participation effect is the crowding
index of the points scheme.
"""

from typing import Any

from sim.intervals import DEFAULT_COUNTERFACTUAL_SEEDS, Interval, bounds_of, mean_interval
from sim.runner import simulate
from sim.scenario.loader import ScenarioError, apply_override, build_scenario, parse_override
from sim.scenario.schema import Scenario

OUTCOMES = ("participation_rate", "volunteer_rate", "fee_collection_rate", "trust_committee")


def counterfactual_scenario(scenario: Scenario, changes: list[str], file: str) -> Scenario:
    """The scenario with `changes` applied and held for the whole run.

    Interventions that would set a changed key later are dropped, so the counterfactual of
    a scheme introduced by the policy timeline is a run without the scheme.
    """
    data = scenario.model_dump(mode="json")
    keys = []
    for text in changes:
        key, value = parse_override(text)
        apply_override(data, key, value, file)
        keys.append(key)
    timeline = []
    for intervention in data.get("interventions", []):
        kept = {k: v for k, v in intervention["set"].items() if k not in keys}
        if kept:
            timeline.append({**intervention, "set": kept})
    data["interventions"] = timeline
    return build_scenario(data, file)


def parse_seeds(text: str, file: str = "--seeds") -> list[int]:
    """Seeds from '1-5' or '1,4,9'."""
    seeds: list[int] = []
    try:
        for part in text.split(","):
            low, _, high = part.partition("-")
            seeds.extend(range(int(low), int(high) + 1) if high else [int(low)])
    except ValueError:
        raise ScenarioError(file, text, "not a list of seeds", "e.g. 1-10 or 1,4,9") from None
    if not seeds or min(seeds) < 0:
        raise ScenarioError(file, text, "not a list of seeds", "non-negative integers, e.g. 1-10")
    return seeds


def default_counterfactual_seeds(scenario: Scenario) -> list[int]:
    """The seeds used when none are given: the scenario's and the next ones, enough for an
    interval (sim.intervals.DEFAULT_COUNTERFACTUAL_SEEDS)."""
    return list(range(scenario.seed, scenario.seed + DEFAULT_COUNTERFACTUAL_SEEDS))


def effect_intervals(per_seed: list[dict[str, Any]]) -> dict[str, Interval]:
    """Each outcome's mean effect over the seeds and its 95% interval (within [-1, 1])."""
    return {
        outcome: mean_interval(
            [row[outcome] for row in per_seed], bounds=bounds_of(outcome, difference=True)
        )
        for outcome in OUTCOMES
    }


def seeds_text(seeds: list[int]) -> str:
    """'1-10' for a run of consecutive seeds, else '1,4,9'."""
    if len(seeds) > 1 and seeds == list(range(seeds[0], seeds[0] + len(seeds))):
        return f"{seeds[0]}-{seeds[-1]}"
    return ",".join(str(s) for s in seeds)


def compare(
    factual: Scenario, counterfactual: Scenario, seeds: list[int], changes: list[str]
) -> dict[str, Any]:
    """Effects of the factual scenario against the counterfactual, seed by seed."""
    per_seed = []
    for seed in seeds:
        with_change = simulate(factual, seed=seed).timeseries
        without = simulate(counterfactual, seed=seed).timeseries
        per_seed.append(
            {
                "seed": seed,
                **{o: float(with_change[o].mean() - without[o].mean()) for o in OUTCOMES},
            }
        )
    effects = {}
    for outcome, ci in effect_intervals(per_seed).items():
        effects[outcome] = {
            "mean": ci.mean,
            "ci95_low": ci.low if ci.exists else None,
            "ci95_high": ci.high if ci.exists else None,
        }
    return {
        "counterfactual": changes,
        "seeds": seeds,
        "measure": "mean over the run, factual minus counterfactual, same seed",
        "effects": effects,
        "per_seed": per_seed,
    }
