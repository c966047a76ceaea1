"""Who gives to a campaign, when and how much: conditional cooperation and the provision point.

Each household holds a cooperation type (Fischbacher, Gaechter & Fehr 2001), drawn when it first
meets a campaign: free riders (share `free_rider_share`), conditional cooperators
(`conditional_cooperator_share`) and unconditional contributors (the rest). Its willingness
follows c_i = a_i + b_i E_i[c of others], where a household expects its neighbours to give at
least as much as it trusts its committees (T_i), and more once the campaign's visible progress
P = raised / target shows more: E_i = max(P, T_i).

    free rider      a = 0,                 b = 0
    conditional     a = conditional_base,  b = 1
    unconditional   a = 1,                 b = 0     (also every Party member: they go first)

    k_i = clip(a_i + b_i max(P, T_i), 0, 1)
    h_i = m_i k_i                                   voluntary asks
    h_i = obligation + (1 - obligation) m_i k_i     binding shares (flat, stepped)

Each week a household with an ask s_i > 0 that has not yet given gives with chance
attention x min(1, liquid_months x y_i / s_i) x h_i (a large ask takes longer to gather). A binding
share is paid exactly; a voluntary gift is s_i clip(m_i V_i / s_i, 1, max_contribution_ratio)
(a higher step return V_i / s_i brings more: Croson & Marks 2000). The provision point: a
campaign that reaches its target T is funded and the excess over T is rebated pro rata to what
each gave; one that misses T by its deadline returns every fen (money-back guarantee: Cadsby &
Maynes 1999), or, where the kind has no money back, keeps it: the gifts are forfeited, as in
the experiments' no-refund treatments (Isaac, Schmidtz & Walker 1989), and nothing is provided.

Without money back a gift is at risk: a household that expects the campaign to fail with
chance 1 - E_i (E_i = max(P, T_i), the same expectation as above) weighs the expected loss of
its ask, so its motivation m_i is computed from

    net_i - (1 - E_i) s_i        instead of net_i

(with money back it loses nothing if the target is missed). The loss counts in months of
income in m_i, so it matters when the ask is large relative to the budget and hardly at all
when it is small.
"""

import numpy as np

from sim.mechanisms.crowdfunding.valuation import FEN_PER_YUAN, split_exactly
from sim.scenario.crowdfunding_params import Crowdfunding

FREE_RIDER, CONDITIONAL, UNCONDITIONAL = 0, 1, 2
COOPERATION_TYPES = ("free_rider", "conditional", "unconditional")


def draw_cooperation_types(n: int, spec: Crowdfunding, rng: np.random.Generator) -> np.ndarray:
    """Cooperation types of n households."""
    u = rng.random(n)
    free = spec.free_rider_share
    conditional = free + spec.conditional_cooperator_share
    return np.where(u < free, FREE_RIDER, np.where(u < conditional, CONDITIONAL, UNCONDITIONAL))


def willingness(
    types: np.ndarray,
    first_movers: np.ndarray,
    motivation: np.ndarray,
    progress: float | np.ndarray,
    trust: np.ndarray,
    spec: Crowdfunding,
    binding: bool | np.ndarray,
) -> np.ndarray:
    """Chance of giving, once attending, given the campaign's progress and each one's trust.

    `progress` and `binding` are per campaign: scalars for one, or one entry per household
    when several campaigns are laid end to end.
    """
    a = np.array([0.0, spec.conditional_base, 1.0])[types]
    b = (types == CONDITIONAL).astype(float)
    a = np.where(first_movers, 1.0, a)
    b = np.where(first_movers, 0.0, b)
    h = motivation * np.clip(a + b * np.maximum(progress, trust), 0.0, 1.0)
    return np.where(binding, spec.obligation + (1.0 - spec.obligation) * h, h)


def risk_of_loss(progress: float | np.ndarray, trust: np.ndarray) -> np.ndarray:
    """Chance a household expects the campaign to miss its target: 1 - max(P, T_i)."""
    return 1.0 - np.maximum(progress, trust)


def readiness(ask_fen: np.ndarray, income: np.ndarray, spec: Crowdfunding) -> np.ndarray:
    """Weekly chance of attending to the ask with the money at hand."""
    liquid = spec.liquid_months * income * FEN_PER_YUAN
    ratio = np.divide(liquid, ask_fen, out=np.ones(ask_fen.size), where=ask_fen > 0)
    return spec.attention * np.minimum(1.0, ratio)


def voluntary_gift(
    ask_fen: np.ndarray, benefit: np.ndarray, motivation: np.ndarray, spec: Crowdfunding
) -> np.ndarray:
    """What a giver gives to a voluntary campaign, in fen."""
    ask = np.maximum(ask_fen, 1)
    step_return = motivation * benefit * FEN_PER_YUAN / ask
    ratio = np.clip(step_return, 1.0, spec.max_contribution_ratio)
    return np.where(ask_fen > 0, np.round(ask_fen * ratio), 0).astype(np.int64)


def rebate_pro_rata(
    paid_fen: np.ndarray, excess_fen: int | np.ndarray, starts: np.ndarray | None = None
) -> np.ndarray:
    """The excess over the target returned in proportion to what each gave (sums exactly).

    With `starts`, for campaigns laid end to end (campaign g holds the entries
    starts[g]:starts[g + 1]), each one's own excess; nothing where the excess is not positive.
    """
    return split_exactly(np.maximum(excess_fen, 0), paid_fen, starts)
