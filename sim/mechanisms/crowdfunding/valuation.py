"""What a project is worth to each household, what it asks of it, and how motivated it is.

Benefit profiles (per household i on floor f_i; e_i = elderly_benefit_factor if elderly, else 1):

    flat    V_i = v e_i
    floor   V_i = v (f_i - 1) e_i          (elevators: nothing for the ground floor)
    use     V_i = v e_i u_i                (u_i = 1 for a user, drawn with chance use_share)

less the harm h_f of the household's floor (`harm_by_floor`, times `redesign_harm_factor` when
the redesign is used). A project's indifference band is e = indifference_share x the mean over
its scope of the benefit before harm to a young household (v, v (f_i - 1) or v u_i): a
household is harmed (compensated, and with a veto where the kind gives one) only when
h_i > e, and indifferent in a vote when |net_i| <= e (it gains and loses about nothing beside
what is at stake in the project). Money is counted in fen (1/100 yuan) so that shares add up exactly:

    target T = B + C,   B = cost - min(subsidy, cost),   C = compensation x (harmed households)
    share_i  = B w_i / sum_j w_j + C w_i o_i / sum_j w_j o_j     (rounded to the fen, exactly)

with w_i = floor_weights[f_i] for stepped shares and w_i = 1 for flat shares and voluntary asks,
and o_i = 0 for a harmed household, 1 otherwise: the compensation comes from the others' shares.
Upkeep is weighed over `valuation_years`, shared by the floor weights (equally without them):
U_i = upkeep x years x w_i / sum_j w_j. The net benefit and the motivation to vote yes and give:

    net_i = V_i + compensation_i - share_i - U_i
    m_i   = logistic(b0 + b_u net_i / y_i + b_T (T_i - 1/2))

with y_i the monthly income (the net benefit in months of income: ability to pay) and T_i the
household's trust in committees.
"""

import numpy as np
from scipy.special import expit

from sim.scenario.crowdfunding_params import Crowdfunding, ProjectKind

FEN_PER_YUAN = 100


def harm(kind: ProjectKind, floor: np.ndarray) -> np.ndarray:
    """Harm (yuan) the project does to the household of each floor."""
    harms = np.zeros(floor.size)
    if kind.harm_by_floor:
        table = np.asarray(kind.harm_by_floor, dtype=float)
        inside = floor <= table.size
        harms[inside] = table[floor[inside] - 1]
    if kind.redesign:
        harms *= kind.redesign_harm_factor
    return harms


def gross_benefit(
    kind: ProjectKind, floor: np.ndarray, elderly: np.ndarray, users: np.ndarray
) -> np.ndarray:
    """Benefit (yuan) before harm; `users` may be a mask or the chance of being a user."""
    factor = np.where(elderly, kind.elderly_benefit_factor, 1.0)
    if kind.benefit == "floor":
        base = kind.benefit_value * (floor - 1)
    elif kind.benefit == "use":
        base = kind.benefit_value * np.asarray(users, dtype=float)
    else:
        base = np.full(floor.size, kind.benefit_value)
    return base * factor


def indifference_band(
    young_benefit: np.ndarray, scope: np.ndarray, scopes: int, spec: Crowdfunding
) -> np.ndarray:
    """Per scope: the indifference band e (yuan), from the benefit before harm to a young
    household of each flat (`scope`: each flat's scope, 0..scopes-1)."""
    totals = np.bincount(scope, weights=young_benefit, minlength=scopes)
    sizes = np.bincount(scope, minlength=scopes)
    return spec.indifference_share * totals / np.maximum(sizes, 1)


def floor_weights(kind: ProjectKind, floor: np.ndarray) -> np.ndarray:
    """The kind's weight for each floor (1 everywhere when it has no floor weights)."""
    if not kind.floor_weights:
        return np.ones(floor.size)
    table = np.asarray(kind.floor_weights, dtype=float)
    return table[np.minimum(floor, table.size) - 1]


def share_weights(kind: ProjectKind, floor: np.ndarray) -> np.ndarray:
    """Weights of the shares of the target: by floor when stepped, equal otherwise."""
    if kind.contribution_rule == "stepped":
        return floor_weights(kind, floor)
    return np.ones(floor.size)


def split_exactly(
    totals: int | np.ndarray, weights: np.ndarray, starts: np.ndarray | None = None
) -> np.ndarray:
    """Integer parts of each group's total in proportion to its weights, summing exactly to it.

    Group g holds the entries starts[g]:starts[g + 1] (without `starts`, one group and one
    total). Largest-remainder rounding: floors first, then one more to the largest remainders
    of the group (the earliest on ties). Equal weights are used where a group's are all zero.
    """
    weights = np.asarray(weights, dtype=float)
    if starts is None:
        totals, starts = np.array([totals]), np.array([0, weights.size])
    if weights.size == 0:
        return np.zeros(0, dtype=np.int64)
    sizes = np.diff(starts)
    group = np.repeat(np.arange(sizes.size), sizes)
    bounds = starts.tolist()
    sums = np.array([weights[a:b].sum() for a, b in zip(bounds, bounds[1:], strict=False)])
    unweighted = sums <= 0
    if unweighted.any():
        weights = np.where(unweighted[group], 1.0, weights)
        sums = np.where(unweighted, sizes, sums)
    raw = totals[group] * weights / sums[group]
    parts = np.floor(raw).astype(np.int64)
    running = np.concatenate(([0], np.cumsum(parts)))
    left = totals - (running[starts[1:]] - running[starts[:-1]])
    order = np.lexsort((-(raw - parts), group))
    rank = np.arange(weights.size) - starts[group[order]]
    parts[order[rank < left[group[order]]]] += 1
    return parts


def shares_of_target(
    base_fen: np.ndarray,
    compensation_fen: np.ndarray,
    weights: np.ndarray,
    harmed: np.ndarray,
    starts: np.ndarray,
) -> np.ndarray:
    """Each household's share (fen) of its project's target, for projects laid end to end
    (project g holds entries starts[g]:starts[g + 1]): the cost by weight, the compensation by
    the others' weights."""
    others = np.where(harmed, 0.0, weights)
    return split_exactly(base_fen, weights, starts) + split_exactly(
        compensation_fen, others, starts
    )


def to_fen(yuan: float) -> int:
    """Yuan to whole fen."""
    return int(round(yuan * FEN_PER_YUAN))


def upkeep_burden(
    kind: ProjectKind, floor: np.ndarray, spec: Crowdfunding, scope: np.ndarray, scopes: int
) -> np.ndarray:
    """Upkeep over the valuation horizon (yuan) each household weighs, within its scope."""
    weights = floor_weights(kind, floor)
    totals = np.bincount(scope, weights=weights, minlength=scopes)
    share = np.divide(weights, totals[scope], out=np.zeros(floor.size), where=totals[scope] > 0)
    return kind.upkeep_per_year * spec.valuation_years * share


def motivation(
    net_benefit: np.ndarray, income: np.ndarray, trust: np.ndarray, spec: Crowdfunding
) -> np.ndarray:
    """Chance of a yes vote, and the motivation scaling contributions, in [0, 1]."""
    months = net_benefit / np.maximum(income, 1.0)
    return expit(
        spec.motivation_intercept + spec.benefit_weight * months + spec.trust_weight * (trust - 0.5)
    )
