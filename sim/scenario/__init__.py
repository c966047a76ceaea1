"""Scenarios: the typed schema, and loading it from YAML with overrides."""

from sim.scenario.loader import ScenarioError, load_scenario, shipped_scenarios
from sim.scenario.schema import Scenario

__all__ = ["Scenario", "ScenarioError", "load_scenario", "shipped_scenarios"]
