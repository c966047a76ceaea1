"""Exports: the settings as a scenario file `cogov run` accepts, the time series as CSV."""

import json
from datetime import date
from typing import TYPE_CHECKING

import yaml

from sim.app.settings import AppSettings, describe
from sim.scenario.schema import Scenario

if TYPE_CHECKING:
    from sim.model import CommunityModel


def scenario_yaml(scenario: Scenario, settings: AppSettings) -> str:
    """The complete scenario as YAML, with a header saying where it came from."""
    changes = "".join(f"#   {key}: {json.dumps(value)}\n" for key, value in settings.overrides)
    header = (
        f"# Saved from the cogov app on {date.today().isoformat()}: {describe(settings)}\n"
        + (f"# changed from {settings.source}:\n{changes}" if changes else "")
        + "# Run it with: cogov run THIS_FILE\n"
    )
    body = yaml.safe_dump(scenario.model_dump(mode="json"), sort_keys=False, allow_unicode=True)
    return header + body


def scenario_filename(scenario: Scenario) -> str:
    """The file name offered for the scenario download."""
    return f"{scenario.name}.yaml"


def timeseries_csv(model: "CommunityModel") -> str:
    """The time series as `cogov run` writes timeseries.csv (step 0 = the initial state)."""
    frame = model.datacollector.get_model_vars_dataframe().reset_index(drop=True)
    frame.insert(0, "step", range(len(frame)))
    return frame.to_csv(index=False)


def timeseries_filename(model: "CommunityModel") -> str:
    """The file name offered for the time-series download."""
    return f"{model.params.name}_seed{model.params.seed}_timeseries.csv"
