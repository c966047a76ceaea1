"""Coercive collection: a losing firm hires collectors (S2: "hired heavies to collect").

When a lump-sum firm lost money last month and its compound paid less than
`coercion_collection` of the bill, it sends collectors with monthly chance `coercion_chance`.
Each household that did not pay then pays with chance `coercion_yield`; every household visited
(paying or not) suffers a bad event of trust in the firm, weighted 2, and gains
`coercion_severity` grievance, which feeds complaints and escalations.
"""

import numpy as np

from sim.dynamics.trust import penalise
from sim.scenario.schema import Disputes, Service, Trust
from sim.state import HouseholdState

VISIT_WEIGHT = 2.0  # bad events' worth of a visit by collectors


def coerce_payment(
    hh: HouseholdState,
    flats: np.ndarray,
    amount_due: np.ndarray,
    service: Service,
    trust: Trust,
    disputes: Disputes,
    rng: np.random.Generator,
) -> float:
    """Visit the non-payers among `flats`; return the extra yuan collected."""
    unpaid = flats[~hh.paid_last[flats] & (amount_due[flats] > 0)]
    payers = unpaid[rng.random(unpaid.size) < service.coercion_yield]
    hh.paid_last[payers] = True
    hh.fees_paid[payers] += amount_due[payers]
    penalise(hh.trust_firm, unpaid, trust, weight=VISIT_WEIGHT)
    hh.grievance[unpaid] += disputes.coercion_severity
    return float(amount_due[payers].sum())
