"""A run loads only what its scenario uses: no crowdfunding pipeline when the mechanism is off,
no plotting stack for the model itself."""

import subprocess
import sys

RUN = """
import sys
from sim.runner import simulate
from sim.scenario.loader import load_scenario
scenario = load_scenario("no_mechanisms", ["steps=2", "warmup_weeks=0", "structure.compounds=1", {extra}])
simulate(scenario)
print(",".join(m for m in ("sim.mechanisms.crowdfunding.mechanism", "matplotlib") if m in sys.modules))
"""


def loaded(extra: str) -> str:
    code = RUN.format(extra=extra)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""


def test_a_run_without_crowdfunding_loads_neither_its_pipeline_nor_the_plotting_stack():
    assert loaded("") == ""


def test_a_run_with_crowdfunding_loads_its_pipeline():
    assert (
        loaded('"mechanisms.crowdfunding.enabled=true"') == "sim.mechanisms.crowdfunding.mechanism"
    )
