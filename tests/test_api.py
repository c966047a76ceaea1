"""The Python interface: validated changes, runs, the horizon, and the example notebook."""

from pathlib import Path

import mesa
import pytest

import sim
from sim.model import CommunityModel

ROOT = Path(__file__).resolve().parents[1]


def test_change_validates_like_set_and_keeps_the_original():
    trap = sim.load("fee_spiral", steps=6)
    with pytest.raises(
        sim.ScenarioError, match=r"households.renter_share: .*less than or equal to 1"
    ):
        sim.change(trap, {"households.renter_share": 1.5})
    with pytest.raises(sim.ScenarioError, match="unknown key"):
        sim.change(trap, {"households.rentr_share": 0.5})
    renters = sim.change(trap, {"households.renter_share": 0.5})
    assert renters.households.renter_share == 0.5 and trap.households.renter_share != 0.5
    with pytest.raises(ValueError):  # frozen: only change() makes a new scenario
        trap.steps = 3


def test_run_gives_frames_and_matches_the_model_stepped_by_hand():
    trap = sim.load("fee_spiral", steps=8)
    result = sim.run(trap, seed=4)
    assert len(result.timeseries) == 9 and {"kind", "raised_week"} <= set(result.disputes)
    model = sim.build(trap, seed=4)
    while model.running:
        model.step()
    assert model.steps == 8
    stepped = model.datacollector.get_model_vars_dataframe().reset_index(drop=True)
    assert (
        stepped["fee_collection_rate"].tolist() == result.timeseries["fee_collection_rate"].tolist()
    )


def test_batch_run_stops_at_the_scenario_horizon():
    scenario = sim.load("fee_spiral", steps=5)
    rows = mesa.batch_run(
        CommunityModel,
        parameters={"scenario": [scenario]},
        rng=[1, 2],
        max_steps=50,
        number_processes=1,
        data_collection_period=-1,
        display_progress=False,
    )
    assert sorted(row["Step"] for row in rows) == [5, 5]


def test_example_notebook_runs(tmp_path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    notebook = nbformat.read(ROOT / "docs" / "example.ipynb", as_version=4)
    nbclient.NotebookClient(
        notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": tmp_path}}
    ).execute()
    errors = [
        output
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        if output.get("output_type") == "error"
    ]
    assert not errors
