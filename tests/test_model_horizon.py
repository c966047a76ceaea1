"""The model stops at the scenario's horizon, so Mesa's own runners stop where `cogov run` stops."""

import multiprocessing

import pytest
from mesa.batchrunner import batch_run

from sim.model import CommunityModel
from sim.runner import simulate
from sim.scenario.loader import load_scenario


def one_compound(steps: int):
    return load_scenario("default", ["structure.compounds=1", f"steps={steps}"])


@pytest.fixture
def keep_start_method():
    """batch_run forces the global start method to spawn; put the previous one back."""
    method = multiprocessing.get_start_method(allow_none=True)
    yield
    multiprocessing.set_start_method(method, force=True)


@pytest.mark.parametrize("steps", [0, 1, 7])
def test_a_while_running_loop_stops_at_the_horizon(steps):
    model = CommunityModel(one_compound(steps))
    while model.running and model.steps < steps + 5:
        model.step()
    assert model.steps == steps
    assert not model.running


def test_run_model_stops_at_the_horizon_and_the_run_is_the_clis():
    scenario = one_compound(6)
    model = CommunityModel(scenario, seed=3)
    model.run_model()
    assert model.steps == 6
    expected = simulate(scenario, seed=3).timeseries
    assert model.datacollector.get_model_vars_dataframe().equals(expected.drop(columns="step"))


def batch(scenarios, processes: int) -> list[dict]:
    """The working call: Scenario objects in a list (a bare Scenario would be iterated field by
    field), seeds as `rng` (passed as `seed`), Mesa's own step limit left far above."""
    return batch_run(
        CommunityModel,
        parameters={"scenario": scenarios},
        rng=[1, 2],
        number_processes=processes,
        data_collection_period=1,
        max_steps=1000,
        display_progress=False,
    )


def test_mesa_batch_run_stops_each_scenario_at_its_horizon(keep_start_method):
    scenarios = [one_compound(4), one_compound(9)]
    rows = batch(scenarios, processes=1)
    runs = {}
    for row in rows:
        runs.setdefault(row["RunId"], []).append(row)
    assert len(runs) == 4
    for run in runs.values():
        scenario, seed = run[0]["scenario"], run[0]["seed"]
        assert [r["Step"] for r in run] == list(range(scenario.steps + 1))
        final = simulate(scenario, seed=seed).timeseries.iloc[-1]
        assert run[-1]["participation_rate"] == final["participation_rate"]
        assert run[-1]["fee_collection_rate"] == final["fee_collection_rate"]


def test_mesa_batch_run_in_worker_processes_gives_the_same_runs(keep_start_method):
    scenarios = [one_compound(3), one_compound(5)]
    key = ("RunId", "Step", "participation_rate", "fee_collection_rate")
    serial = sorted(tuple(r[k] for k in key) for r in batch(scenarios, processes=1))
    parallel = sorted(tuple(r[k] for k in key) for r in batch(scenarios, processes=2))
    assert parallel == serial
    assert max(step for _, step, *_ in parallel) == 5
