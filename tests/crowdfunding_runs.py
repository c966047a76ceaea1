"""Crowdfunding runs shared by the crowdfunding test modules (each run once per session)."""

from functools import cache

import numpy as np

from sim.mechanisms.consent import consent_rule, tally
from sim.model import CommunityModel
from sim.runner import RunResult, simulate
from sim.scenario.loader import load_scenario

SEEDS = (1, 2, 3)

#: A small community with every default project kind, ageing walk-ups, three years.
ALL_KINDS = (
    "structure.compounds=6",
    "structure.floors_min=6",
    "steps=156",
    "households.elderly_share=0.35",
    "mechanisms.crowdfunding.enabled=true",
)

#: The elevator scenario cut to three years.
ELEVATORS = ("steps=156",)


@cache
def run(name: str, overrides: tuple[str, ...], seed: int) -> RunResult:
    """A finished run of a shipped scenario with overrides (cached)."""
    return simulate(load_scenario(name, [*overrides, f"seed={seed}"]))


def all_kinds(seed: int, *extra: str) -> RunResult:
    """The small community with every default kind."""
    return run("default", (*ALL_KINDS, *extra), seed)


def elevators(seed: int, *extra: str) -> RunResult:
    """The elevator retrofit scenario over three years."""
    return run("elevator_retrofit", (*ELEVATORS, *extra), seed)


def approval_rate(seed: int, *overrides: str) -> float:
    """Share of every unit of the elevator scenario that would consent, with fixed draws."""
    scenario = load_scenario("elevator_retrofit", [f"seed={seed}", *overrides])
    model = CommunityModel(scenario)
    funding = model.crowdfunding
    kind = scenario.mechanisms.crowdfunding.kinds[0]
    rule = consent_rule(kind.consent_rule, kind.consent_share)
    ballots = np.random.default_rng(seed)
    passed = []
    for unit in range(funding.scopes["unit"].count):
        project = funding.propose(kind, unit, "test")
        chance = funding.value(project)
        voted, yes = funding.ballots(project, chance, ballots)
        harmed = project.aggrieved if kind.harmed_veto else None
        passed.append(tally(rule, project.area, voted, yes, harmed).passed)
    return float(np.mean(passed))
