"""Building the two models under test: ours at a target size, and Mesa's VirusOnNetwork."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import networkx as nx
from mesa.discrete_space import Network
from mesa.examples.basic.virus_on_network import model as virus_module
from mesa.examples.basic.virus_on_network.model import VirusOnNetwork

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


@contextmanager
def topological_virus_network(seed: int) -> Iterator[None]:
    """While active, VirusOnNetwork builds its graph fast and its space without a layout.

    The example computes ``nx.spring_layout`` for its Network (minutes at 10,000 nodes) and
    draws G(n, p) with ``nx.erdos_renyi_graph``, which is quadratic in n and unseeded. Inside
    this context the space gets ``layout=None`` and the graph comes from the equivalent,
    linear-time ``nx.fast_gnp_random_graph`` with `seed`. Both are restored on exit.
    """

    def network(*args: Any, **kwargs: Any) -> Network:
        return Network(*args, **{**kwargs, "layout": None})

    def gnp(n: int, p: float, **_: Any) -> nx.Graph:
        return nx.fast_gnp_random_graph(n, p, seed=seed)

    saved = virus_module.Network, virus_module.nx.erdos_renyi_graph
    virus_module.Network, virus_module.nx.erdos_renyi_graph = network, gnp
    try:
        yield
    finally:
        virus_module.Network, virus_module.nx.erdos_renyi_graph = saved


def build_virus(nodes: int, seed: int = 1) -> VirusOnNetwork:
    """Mesa's VirusOnNetwork example with `nodes` agents, seeded, without a spatial layout."""
    with topological_virus_network(seed):
        return VirusOnNetwork(num_nodes=nodes, rng=seed)
