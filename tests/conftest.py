"""Shared fixtures: small scenarios and models that build and run in well under a second."""

import numpy as np
import pytest

from sim.model import CommunityModel
from sim.scenario.loader import load_scenario

#: A three-compound version of the default community, 30 weeks long.
SMALL = ["structure.compounds=3", "steps=30"]


@pytest.fixture
def small_scenario():
    """The default community cut down to three compounds and 30 weeks."""
    return load_scenario("default", SMALL)


@pytest.fixture(scope="session")
def small_model():
    """A freshly built (not stepped) model of the small scenario; treat it as read-only."""
    return CommunityModel(load_scenario("default", SMALL), seed=7)


@pytest.fixture
def rng():
    """A seeded random generator."""
    return np.random.default_rng(12345)
