"""The shipped output catalogue is what a run produces, and reading it loads no model."""

import subprocess
import sys

from sim.outputs import output_catalogue, probe_catalogue

REGENERATE = "sim/shipped/outputs.json is out of date: run `.venv/bin/python -m sim.reference`"


def test_the_shipped_catalogue_is_the_probe_runs_catalogue():
    assert output_catalogue() == probe_catalogue(), REGENERATE


def test_the_catalogue_names_typed_summary_metrics_and_series_columns():
    catalogue = output_catalogue()
    assert catalogue.series["step"] == "int"
    assert catalogue.summary["final.participation_rate"] == "float"
    assert set(catalogue.summary.values()) | set(catalogue.series.values()) <= {"int", "float"}


EXPERIMENT = """name: small_lhs
scenario: fee_spiral
set: {steps: 2, warmup_weeks: 0, structure.compounds: 1}
parameters:
  households.initial_trust_firm: {type: real, low: 0.1, high: 0.5}
design: {method: lhs, samples: 2}
seed: 7
outputs: {summary: [final.*], timeseries: {steps: none}}
"""

SWEEP_PARENT = """
import sys
from sim.cli import main
if main(["sweep", sys.argv[1], "--out", sys.argv[2], "--workers", "1", "--quiet"]):
    sys.exit("the sweep failed")
print("loaded:" + ",".join(m for m in ("sim.model", "mesa", "scipy.stats", "matplotlib") if m in sys.modules))
"""


def test_a_sweeps_parent_process_loads_neither_the_model_nor_the_samplers(tmp_path):
    """The parent plans and stores; the model and the design's samplers load in the worker."""
    experiment = tmp_path / "small_lhs.yaml"
    experiment.write_text(EXPERIMENT)
    done = subprocess.run(
        [sys.executable, "-c", SWEEP_PARENT, str(experiment), str(tmp_path / "out")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "loaded:", done.stdout
