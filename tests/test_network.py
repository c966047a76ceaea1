"""Social ties: who is tied to whom, no isolates, a clean edge list and the Mesa network space."""

import networkx as nx
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from sim.model import CommunityModel
from sim.scenario.schema import Households, Network, Structure
from sim.state import BUILDING_HEAD, CENTRAL_HOUSEHOLD
from sim.world.network import adjacency, flagged_neighbours, neighbour_lists, tie_edges, to_graph
from sim.world.population import populate
from sim.world.structure import build_structure, layout_positions
from tests.strategies import household_specs, network_specs, seeds, small_structures

FAST = settings(max_examples=60, deadline=None)


def community(structure, households, network, seed):
    """World, households and ties drawn from one seed, as the model draws them."""
    rng = np.random.default_rng(seed)
    world = build_structure(structure, rng)
    hh = populate(households, world, rng)
    u, v = tie_edges(world, hh.role, network, rng)
    return world, hh, u, v


def tie_set(u, v) -> set[tuple[int, int]]:
    return set(zip(u.tolist(), v.tolist(), strict=True))


def within_unit_pairs(world) -> list[tuple[int, int]]:
    pairs = []
    for unit in range(world.units):
        flats = np.flatnonzero(world.unit == unit).tolist()
        pairs += [(a, b) for i, a in enumerate(flats) for b in flats[i + 1 :]]
    return pairs


@pytest.fixture(scope="module")
def default_ties():
    return community(Structure(compounds=4), Households(), Network(), 11)


@FAST
@given(structure=small_structures(), network=network_specs(), seed=seeds)
def test_same_floor_neighbours_in_a_unit_are_always_tied(structure, network, seed):
    world, _, u, v = community(structure, Households(), network, seed)
    ties = tie_set(u, v)
    floor_key = world.unit * 1000 + world.floor
    for a in range(world.households):
        for b in np.flatnonzero(floor_key == floor_key[a]):
            if a < b:
                assert (a, int(b)) in ties


@FAST
@given(structure=small_structures(), seed=seeds)
def test_unit_tie_probability_one_ties_every_pair_within_a_unit(structure, seed):
    network = Network(unit_tie_probability=1.0, building_ties=0, compound_ring_neighbours=0)
    world, _, u, v = community(structure, Households(), network, seed)
    ties = tie_set(u, v)
    assert all(pair in ties for pair in within_unit_pairs(world))


def test_a_decent_share_of_within_unit_pairs_is_tied_and_more_with_higher_probability():
    structure = Structure(compounds=4)
    shares = {}
    for p in (0.0, 0.5):
        world, _, u, v = community(structure, Households(), Network(unit_tie_probability=p), 5)
        pairs = within_unit_pairs(world)
        ties = tie_set(u, v)
        shares[p] = sum(pair in ties for pair in pairs) / len(pairs)
    assert shares[0.5] >= 0.45
    assert shares[0.5] - shares[0.0] >= 0.2


@FAST
@given(
    structure=small_structures(),
    households=household_specs(),
    network=network_specs(),
    seed=seeds,
)
def test_no_household_is_left_without_a_tie(structure, households, network, seed):
    world, _, u, v = community(structure, households, network, seed)
    assume(world.households >= 2)
    degree = np.bincount(np.concatenate([u, v]), minlength=world.households)
    assert degree.min() >= 1


@FAST
@given(structure=small_structures(), seed=seeds)
def test_sparsest_settings_one_flat_per_floor_still_leave_no_isolates(structure, seed):
    structure = structure.model_copy(update={"households_per_floor": 1})
    network = Network(
        unit_tie_probability=0.0,
        building_ties=0,
        compound_ring_neighbours=0,
        cross_compound_tie_probability=0.0,
    )
    households = Households(central_households_per_building=0)
    world, _, u, v = community(structure, households, network, seed)
    assume(world.households >= 2)
    degree = np.bincount(np.concatenate([u, v]), minlength=world.households)
    assert degree.min() >= 1


@FAST
@given(
    structure=small_structures(),
    households=household_specs(),
    network=network_specs(),
    seed=seeds,
)
def test_edge_list_has_no_self_loops_or_duplicates_and_is_ordered(
    structure, households, network, seed
):
    world, _, u, v = community(structure, households, network, seed)
    assert u.size == v.size
    assert np.all(u < v)
    assert np.all((u >= 0) & (v < world.households))
    assert len(tie_set(u, v)) == u.size


def test_building_heads_are_tied_to_their_whole_building(default_ties):
    world, hh, u, v = default_ties
    ties = tie_set(u, v)
    for head in np.flatnonzero(hh.role == BUILDING_HEAD).tolist():
        for other in np.flatnonzero(world.building == world.building[head]).tolist():
            if other != head:
                assert (min(head, other), max(head, other)) in ties


def test_central_households_are_tied_to_their_whole_unit(default_ties):
    world, hh, u, v = default_ties
    ties = tie_set(u, v)
    central = np.flatnonzero(hh.role == CENTRAL_HOUSEHOLD).tolist()
    assert central
    for c in central:
        for other in np.flatnonzero(world.unit == world.unit[c]).tolist():
            if other != c:
                assert (min(c, other), max(c, other)) in ties


@settings(max_examples=30, deadline=None)
@given(structure=small_structures(), seed=seeds)
def test_no_tie_crosses_compounds_when_cross_compound_probability_is_zero(structure, seed):
    world = build_structure(structure, np.random.default_rng(seed))
    sizes = np.bincount(world.compound, minlength=world.compounds)
    assume(sizes.min() >= 2)
    network = Network(cross_compound_tie_probability=0.0, compound_rewire_probability=0.5)
    world, _, u, v = community(structure, Households(), network, seed)
    assert np.all(world.compound[u] == world.compound[v])


def test_graph_has_integer_nodes_zero_to_n_minus_one_and_exactly_the_ties(default_ties):
    world, _, u, v = default_ties
    n = world.households
    graph = to_graph(u, v, n)
    assert sorted(graph.nodes) == list(range(n))
    assert all(type(node) is int for node in graph.nodes)
    assert graph.number_of_edges() == u.size
    assert {tuple(sorted(e)) for e in graph.edges} == tie_set(u, v)
    assert nx.number_of_selfloops(graph) == 0


def test_adjacency_is_symmetric_zero_one_with_degrees_of_the_graph(default_ties):
    world, _, u, v = default_ties
    n = world.households
    a = adjacency(u, v, n).toarray()
    assert np.array_equal(a, a.T)
    assert set(np.unique(a)) <= {0.0, 1.0}
    assert np.all(np.diag(a) == 0)
    graph = to_graph(u, v, n)
    assert np.array_equal(a.sum(axis=1), [graph.degree[i] for i in range(n)])


def test_model_mesa_network_has_one_cell_per_household_at_layout_positions(small_model):
    n = small_model.world.households
    cells = small_model.grid._cells
    assert len(small_model.grid.all_cells) == n
    assert sorted(cells) == list(range(n))
    expected = layout_positions(small_model.world)
    positions = np.array([cells[i].position for i in range(n)])
    assert np.allclose(positions, expected)


def test_model_mesa_network_connects_cells_exactly_as_the_social_graph(small_model):
    graph, cells = small_model.ties.graph, small_model.grid._cells
    for node in range(0, small_model.world.households, 7):
        assert {c.coordinate for c in cells[node].neighborhood} == set(graph.neighbors(node))


def test_each_resident_agent_occupies_the_cell_of_its_own_flat(small_model):
    for flat, resident in enumerate(small_model.residents):
        assert resident.flat == flat
        assert resident.cell is small_model.grid._cells[flat]
        assert list(resident.cell.agents) == [resident]


def test_model_tie_keys_graph_edges_and_degrees_agree(small_model):
    n = small_model.world.households
    keys = sorted(min(a, b) * n + max(a, b) for a, b in small_model.ties.graph.edges)
    assert np.array_equal(np.asarray(keys), small_model.ties.keys)
    assert np.array_equal(small_model.ties.degree, small_model.ties.adjacency.sum(axis=1))


def test_model_ties_are_the_same_for_the_same_seed():
    from sim.scenario.loader import load_scenario

    scenario = load_scenario("default", ["structure.compounds=2"])
    a, b = CommunityModel(scenario, seed=3), CommunityModel(scenario, seed=3)
    assert np.array_equal(a.ties.keys, b.ties.keys)


@FAST
@given(
    structure=small_structures(),
    network=network_specs(),
    seed=seeds,
    share=st.sampled_from([0.0, 0.02, 0.1, 0.3, 0.6, 0.9, 0.98, 1.0]),
)
def test_flagged_neighbours_count_exactly_what_the_adjacency_product_counts(
    structure, network, share, seed
):
    world, hh, u, v = community(structure, Households(), network, seed)
    matrix = adjacency(u, v, world.households)
    flag = np.random.default_rng(seed).random(world.households) < share
    expected = matrix @ flag.astype(np.float64)
    counted = flagged_neighbours(matrix, flag)
    assert counted.dtype == expected.dtype
    assert np.array_equal(counted, expected)


def test_neighbour_lists_are_each_flats_row_end_to_end(default_ties):
    world, _, u, v = default_ties
    matrix = adjacency(u, v, world.households)
    flats = np.array([5, 0, 5, world.households - 1])
    listed = neighbour_lists(matrix, flats)
    expected = np.concatenate([np.flatnonzero(matrix[[f], :].toarray().ravel()) for f in flats])
    assert np.array_equal(listed, expected)
