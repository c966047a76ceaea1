"""Same bytes with every mechanism on: the guarantee the vectorised mechanisms must keep."""

import pandas as pd
import pytest

from sim.cli import main
from sim.mechanisms import BUILT_MECHANISMS
from tests.test_reproducibility import run_in_fresh_process

SWITCHES = [f"mechanisms.{name}.enabled=true" for name in sorted(BUILT_MECHANISMS)]
RUN = ["run", "default", "--steps", "80", "--set", "structure.compounds=4", "--quiet"]
RUN += [item for switch in SWITCHES for item in ("--set", switch)]
RECORDS = (
    "timeseries.csv",
    "disputes.csv",
    "meetings.csv",
    "votes.csv",
    "projects.csv",
    "contributions.csv",
)


@pytest.fixture(scope="module")
def twice(tmp_path_factory):
    """Two CLI runs of the same scenario and seed in this process."""
    base = tmp_path_factory.mktemp("all_mechanisms")
    outs = [base / "a", base / "b"]
    for out in outs:
        assert main([*RUN, "--seed", "3", "--out", str(out)]) == 0
    return outs


def test_every_mechanism_acted(twice):
    for name in ("meetings.csv", "votes.csv", "projects.csv", "contributions.csv"):
        assert len(pd.read_csv(twice[0] / name)) > 0, name
    series = pd.read_csv(twice[0] / "timeseries.csv")
    assert series["points_issued"].iloc[-1] > 0 and series["awards_given"].iloc[-1] > 0


@pytest.mark.parametrize("name", RECORDS)
def test_same_seed_same_bytes_with_every_mechanism_on(twice, name):
    assert (twice[0] / name).read_bytes() == (twice[1] / name).read_bytes()


def test_same_bytes_in_a_fresh_process_with_another_hash_seed(twice, tmp_path):
    out = tmp_path / "fresh"
    done = run_in_fresh_process([*RUN, "--seed", "3", "--out", str(out)], "977")
    assert done.returncode == 0, done.stderr
    for name in RECORDS:
        assert (out / name).read_bytes() == (twice[0] / name).read_bytes(), name
