"""Monthly fee payment (the household side of the fee/service loop).

A household billed by a firm or a self-management committee pays with probability

    p_i = logistic(b0 + a_i + bq (Q_c - E_i) + bt (T_i - 1/2) + bh h_i + bn (N_i - 1/2))

a_i: its own payment propensity, a shift drawn when it moves in (Normal, mean 0, standard
deviation `households.payment_propensity_sd`); Q_c: service quality of its compound; E_i: the quality it expects; T_i: its trust in whoever
collects (the firm, or the committee where self-managed); h_i in [-1, 1]: its payment habit,
which moves each month toward +1 if it paid and -1 if not (h <- h + r ((2 paid - 1) - h));
N_i: share of its billed network neighbours who paid last month (1/2 when none is billed).
What is paid goes, compound by compound, to whoever billed it: money is conserved.
"""

from dataclasses import dataclass

import numpy as np
from scipy.special import expit

from sim.scenario.schema import Fees
from sim.state import HouseholdState
from sim.world.network import flagged_neighbours
from sim.world.structure import BuiltCommunity


@dataclass(frozen=True)
class Billing:
    """The outcome of one month's billing."""

    billed: np.ndarray  # mask of households billed
    paid: np.ndarray  # mask of households that paid
    amount_due: np.ndarray  # yuan due per household (0 where not billed)
    revenue_by_compound: np.ndarray  # yuan received per compound

    @property
    def collection_rate(self) -> float:
        """Share of billed households that paid."""
        n = int(self.billed.sum())
        return float(self.paid.sum() / n) if n else 0.0

    def collection_by_compound(self, world: BuiltCommunity) -> np.ndarray:
        """Per compound: share of billed households that paid (0 where none was billed)."""
        billed = world.count_by_compound(self.billed)
        paid = world.count_by_compound(self.paid & self.billed)
        return np.divide(paid, billed, out=np.zeros(world.compounds), where=billed > 0)

    @property
    def collection_rate_by_area(self) -> float:
        """Share of the amount due that was paid (fees are by area)."""
        due = float(self.amount_due.sum())
        return float(self.amount_due[self.paid].sum() / due) if due > 0 else 0.0


def payment_probability(
    quality: np.ndarray,
    expectation: np.ndarray,
    trust: np.ndarray,
    habit: np.ndarray,
    neighbours_paid: np.ndarray,
    spec: Fees,
    propensity: np.ndarray | float = 0.0,
) -> np.ndarray:
    """Chance that each household pays this month's bill (`propensity`: each one's own shift)."""
    z = (
        spec.intercept
        + propensity
        + spec.weight_quality * (quality - expectation)
        + spec.weight_trust * (trust - 0.5)
        + spec.weight_habit * habit
        + spec.weight_neighbours * (neighbours_paid - 0.5)
    )
    return expit(z)


def neighbours_paid_share(adjacency, paid: np.ndarray, billed: np.ndarray) -> np.ndarray:
    """Share of billed network neighbours who paid last month; 1/2 where none is billed."""
    billed_neighbours = flagged_neighbours(adjacency, billed)
    paying_neighbours = flagged_neighbours(adjacency, paid & billed)
    return np.where(
        billed_neighbours > 0, paying_neighbours / np.maximum(billed_neighbours, 1), 0.5
    )


def bill_households(
    hh: HouseholdState,
    compound: np.ndarray,
    n_compounds: int,
    amount_due: np.ndarray,
    payee_trust: np.ndarray,
    quality: np.ndarray,
    billed_last: np.ndarray,
    adjacency,
    spec: Fees,
    rng: np.random.Generator,
) -> Billing:
    """Bill every household with a positive amount due; update habits and what each paid.

    `billed_last` is last month's billed mask, against which neighbours' payment is read.
    """
    billed = amount_due > 0
    share = neighbours_paid_share(adjacency, hh.paid_last, billed_last)
    p = payment_probability(
        quality, hh.expectation, payee_trust, hh.habit, share, spec, hh.payment_propensity
    )
    paid = billed & (rng.random(hh.size) < p)
    habit_step = spec.habit_rate * (np.where(paid, 1.0, -1.0) - hh.habit)
    np.add(hh.habit, habit_step, out=hh.habit, where=billed)
    hh.paid_last[:] = paid
    payments = np.where(paid, amount_due, 0.0)
    hh.fees_paid += payments
    revenue = np.bincount(compound, weights=payments, minlength=n_compounds)
    return Billing(
        billed=billed,
        paid=paid,
        amount_due=np.where(billed, amount_due, 0.0),
        revenue_by_compound=revenue,
    )
