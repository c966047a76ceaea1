"""Crowdfunding runs shared by the crowdfunding test modules (each run once per session)."""

from functools import cache

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
