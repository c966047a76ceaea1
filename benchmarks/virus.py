"""Building the reference, Mesa's VirusOnNetwork example, at a given size.

This module imports Mesa and the example alone (nothing of ``sim``), so that a reference process
pays for no more than the reference needs.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import networkx as nx
from mesa.discrete_space import Network
from mesa.examples.basic.virus_on_network import model as virus_module
from mesa.examples.basic.virus_on_network.model import VirusOnNetwork


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
