"""Building our model under test at a target size (Mesa's VirusOnNetwork: benchmarks.virus)."""

from sim.mechanisms import BUILT_MECHANISMS
from sim.model import CommunityModel
from sim.scenario.loader import load_scenario
from sim.scenario.schema import Scenario

SCENARIO = "default"
HOUSEHOLDS_PER_COMPOUND = 100  # a compound of the default holds about 100 households
ALL_MECHANISMS = tuple(f"mechanisms.{name}.enabled=true" for name in sorted(BUILT_MECHANISMS))


def compounds_for(households: int) -> int:
    """Number of compounds that gives about `households` households."""
    return max(1, round(households / HOUSEHOLDS_PER_COMPOUND))


def scenario_for(households: int, *overrides: str) -> Scenario:
    """The default community scaled to about `households`, with every mechanism switched on."""
    sized = f"structure.compounds={compounds_for(households)}"
    return load_scenario(SCENARIO, [sized, *ALL_MECHANISMS, *overrides])


def build_ours(households: int, seed: int = 1) -> CommunityModel:
    """The default scenario with every mechanism on, scaled to about `households`."""
    return CommunityModel(scenario_for(households), seed=seed)
