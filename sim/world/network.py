"""The social network over households, built from edge arrays in time linear in households.

Ties: same-floor neighbours always; other households of the stairwell unit with a probability
(dense, clustered ties); a few ties to other units of the building; a small-world ring of
acquaintances inside the compound; a few ties across compounds; building heads to their whole
building and central households to their own and the next unit. No household is left isolated.
"""

from dataclasses import dataclass

import networkx as nx
import numpy as np
from scipy import sparse

from sim.scenario.schema import Network
from sim.state import BUILDING_HEAD, CENTRAL_HOUSEHOLD
from sim.world.structure import BuiltCommunity, expand_ranges, group_starts, random_member


def offset_pairs(group: np.ndarray, max_offset: int) -> tuple[np.ndarray, np.ndarray]:
    """All pairs (i, i + d), d >= 1, inside each contiguous group of a sorted group array."""
    n = group.size
    left, right = [], []
    for d in range(1, min(max_offset, n - 1) + 1):
        i = np.flatnonzero(group[:-d] == group[d:])
        left.append(i)
        right.append(i + d)
    if not left:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    return np.concatenate(left), np.concatenate(right)


def tie_edges(
    world: BuiltCommunity, role: np.ndarray, spec: Network, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Undirected, de-duplicated tie list (u < v) over flats."""
    n = world.households
    us: list[np.ndarray] = []
    vs: list[np.ndarray] = []

    floor_group = world.unit * 1000 + world.floor
    per_floor = int(world.position.max()) + 1 if n else 1
    u, v = offset_pairs(floor_group, per_floor - 1)
    us.append(u)
    vs.append(v)

    unit_starts, unit_sizes = group_starts(world.unit, world.units)
    max_unit = int(unit_sizes.max()) if n else 0
    u, v = offset_pairs(world.unit, max_unit - 1)
    keep = rng.random(u.size) < spec.unit_tie_probability
    us.append(u[keep])
    vs.append(v[keep])

    b_starts, b_sizes = world.building_starts, world.building_flats
    for _ in range(spec.building_ties):
        us.append(np.arange(n))
        vs.append(random_member(world.building, b_starts, b_sizes, rng))

    c_starts, c_sizes = world.compound_starts, world.compound_flats
    pos_in_compound = np.arange(n) - c_starts[world.compound]
    for d in range(1, spec.compound_ring_neighbours + 1):
        target = c_starts[world.compound] + (pos_in_compound + d) % c_sizes[world.compound]
        rewire = rng.random(n) < spec.compound_rewire_probability
        target[rewire] = random_member(world.compound[rewire], c_starts, c_sizes, rng)
        us.append(np.arange(n))
        vs.append(target)

    crossing = np.flatnonzero(rng.random(n) < spec.cross_compound_tie_probability)
    if world.building_centres is None:
        other = rng.integers(0, n, size=crossing.size) if n else crossing
    else:
        other = nearby_flat_elsewhere(world, crossing, spec.cross_compound_tie_distance, rng)
    distinct = world.compound[crossing] != world.compound[other]
    us.append(crossing[distinct])
    vs.append(other[distinct])

    heads = np.flatnonzero(role == BUILDING_HEAD)
    head_building = world.building[heads]
    us.append(np.repeat(heads, b_sizes[head_building]))
    vs.append(expand_ranges(b_starts[head_building], b_sizes[head_building]))

    central = np.flatnonzero(role == CENTRAL_HOUSEHOLD)
    for unit_of in (world.unit[central], next_unit_in_building(world, world.unit[central])):
        us.append(np.repeat(central, unit_sizes[unit_of]))
        vs.append(expand_ranges(unit_starts[unit_of], unit_sizes[unit_of]))

    u, v = canonical(np.concatenate(us), np.concatenate(vs), n)
    return connect_isolates(u, v, world, rng)


def nearby_flat_elsewhere(
    world: BuiltCommunity, flats: np.ndarray, scale: float, rng: np.random.Generator
) -> np.ndarray:
    """For each of `flats`, a flat of another compound, nearer compounds likelier.

    The compound c is drawn with weight F_c exp(-d / scale), F_c its flats and d the distance
    from the flat's building (its footprint's centre) to the compound's centre (the mean of its
    buildings' centres, by flats); 0 for the flat's own compound. Then a flat of c uniformly.
    Draws: one uniform per flat for the compound, then one for the flat. Where no other
    compound exists the flat itself is returned (and later dropped as a self-tie).
    """
    centres, n_compounds = world.building_centres, world.compounds
    flats_of = world.building_flats.astype(float)
    compound_centres = (
        np.column_stack(
            [
                np.bincount(world.building_compound, flats_of * centres[:, k], n_compounds)
                for k in (0, 1)
            ]
        )
        / world.compound_flats[:, None]
    )
    sources, inverse = np.unique(world.building[flats], return_inverse=True)
    gap = np.hypot(
        centres[sources, 0][:, None] - compound_centres[None, :, 0],
        centres[sources, 1][:, None] - compound_centres[None, :, 1],
    )
    weight = world.compound_flats * np.exp(-gap / scale)
    weight[np.arange(sources.size), world.building_compound[sources]] = 0.0
    cumulative = np.cumsum(weight, axis=1)
    total = cumulative[:, -1]
    row_total = total[inverse]
    has_other = row_total > 0
    pick = rng.random(flats.size)
    # the first compound whose running weight passes the pick, rows laid end to end
    step = total.max(initial=0.0) + 1.0
    keyed = (cumulative + step * np.arange(sources.size)[:, None]).ravel()
    rows = inverse[has_other]
    found = np.searchsorted(keyed, pick[has_other] * row_total[has_other] + step * rows, "right")
    target = world.compound[flats].copy()
    target[has_other] = np.minimum(found - rows * n_compounds, n_compounds - 1)
    other = random_member(target, world.compound_starts, world.compound_flats, rng)
    return np.where(has_other, other, flats)


def next_unit_in_building(world: BuiltCommunity, unit: np.ndarray) -> np.ndarray:
    """The next stairwell unit of the same building (wrapping round), or the unit itself."""
    nxt = np.minimum(unit + 1, world.units - 1)
    same = world.unit_building[nxt] == world.unit_building[unit]
    first = group_starts(world.unit_building, world.buildings)[0][world.unit_building[unit]]
    return np.where(same, nxt, first)


def canonical(u: np.ndarray, v: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Drop self-ties and duplicates; return pairs with u < v, sorted."""
    lo, hi = np.minimum(u, v), np.maximum(u, v)
    keep = lo != hi
    key = np.sort(lo[keep].astype(np.int64) * n + hi[keep])
    if key.size:
        key = key[np.concatenate(([True], key[1:] != key[:-1]))]
    return key // n, key % n


def connect_isolates(
    u: np.ndarray, v: np.ndarray, world: BuiltCommunity, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Tie every isolated household to a random other household, nearest group first."""
    n = world.households
    degree = np.bincount(np.concatenate([u, v]), minlength=n)
    isolated = np.flatnonzero(degree == 0)
    if isolated.size == 0 or n < 2:
        return u, v
    partner = np.empty_like(isolated)
    for k, i in enumerate(isolated):
        for group in (world.building, world.compound, np.zeros(n, dtype=np.int64)):
            candidates = np.flatnonzero(group == group[i])
            candidates = candidates[candidates != i]
            if candidates.size:
                partner[k] = candidates[rng.integers(candidates.size)]
                break
    return canonical(np.concatenate([u, isolated]), np.concatenate([v, partner]), n)


def adjacency(u: np.ndarray, v: np.ndarray, n: int) -> sparse.csr_array:
    """Symmetric 0/1 adjacency matrix of the ties."""
    rows = np.concatenate([u, v])
    cols = np.concatenate([v, u])
    data = np.ones(rows.size, dtype=np.float64)
    return sparse.csr_array((data, (rows, cols)), shape=(n, n))


def to_graph(u: np.ndarray, v: np.ndarray, n: int) -> nx.Graph:
    """The ties as a networkx graph with integer node ids 0..n-1."""
    graph = nx.Graph()
    graph.add_nodes_from(range(n))
    graph.add_edges_from(zip(u.tolist(), v.tolist(), strict=True))
    return graph


def neighbour_lists(adjacency: sparse.csr_array, flats: np.ndarray) -> np.ndarray:
    """The neighbours of each of `flats`, laid end to end (read from the CSR rows directly)."""
    indptr = adjacency.indptr
    starts = indptr[flats]
    return adjacency.indices[expand_ranges(starts, indptr[flats + 1] - starts)]


#: A flag held (or missed) by at most one household in RARE_SHARE is counted by scattering.
RARE_SHARE = 8


def flagged_neighbours(adjacency: sparse.csr_array, flag: np.ndarray) -> np.ndarray:
    """Per household, the number of its neighbours for which `flag` holds (as floats).

    The same numbers as ``adjacency @ flag``, counted from the rarer side: a flag held by few
    households is counted by scattering from their rows (the ties are symmetric), one held by
    most as the degree less the count of those without it; the sparse product serves between.
    """
    n = flag.size
    flagged = int(np.count_nonzero(flag))
    if flagged <= n // RARE_SHARE:
        return np.bincount(neighbour_lists(adjacency, np.flatnonzero(flag)), minlength=n).astype(
            np.float64
        )
    if n - flagged <= n // RARE_SHARE:
        without = np.bincount(neighbour_lists(adjacency, np.flatnonzero(~flag)), minlength=n)
        return (np.diff(adjacency.indptr) - without).astype(np.float64)
    return adjacency @ flag.astype(np.float64)


@dataclass(frozen=True)
class SocialTies:
    """The households' ties, built once: each tie's key (u * n + v with u < v, sorted), the
    adjacency matrix, each household's number of ties, and the graph Mesa's space stands on."""

    households: int
    keys: np.ndarray
    adjacency: sparse.csr_matrix
    degree: np.ndarray
    graph: nx.Graph

    @classmethod
    def from_edges(cls, u: np.ndarray, v: np.ndarray, n: int) -> "SocialTies":
        """The ties of an undirected, de-duplicated edge list (u < v) over `n` households."""
        matrix = adjacency(u, v, n)
        degree = np.asarray(matrix.sum(axis=1)).ravel()
        return cls(n, u * n + v, matrix, degree, to_graph(u, v, n))

    def are_tied(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Whether households a[k] and b[k] share a tie."""
        keys = self.keys
        if not keys.size:
            return np.zeros(np.size(a), dtype=bool)
        key = np.minimum(a, b) * self.households + np.maximum(a, b)
        return keys[np.minimum(np.searchsorted(keys, key), keys.size - 1)] == key
