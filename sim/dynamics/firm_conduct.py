"""How firms differ, and coercive collection: a losing firm hires collectors (S2: "hired heavies
to collect").

Each firm, at the start and on entering later, draws its own traits (order of draws: cost factor,
patience, reserves, minimum effort, coercion chance), each around the scenario's value with the
scenario's standard deviation (sim.world.traits): a cost factor of mean 1 (Gamma, `firm_cost_sd`)
that scales its fixed and variable costs; the losing months it bears before leaving (Gamma,
rounded, at least 1); its starting reserves in months of revenue (Gamma); the least effort it
cuts to (Beta, at most the contract's effort); and its monthly chance of hiring collectors (Beta).

When a lump-sum firm lost money last month and its compound paid less than
`coercion_collection` of the bill, it sends collectors with monthly chance `coercion_chance`.
Each household that did not pay then pays with chance `coercion_yield`; every household visited
(paying or not) suffers a bad event of trust in the firm, weighted 2, and gains
`coercion_severity` grievance, which feeds complaints and escalations.
"""

from dataclasses import dataclass

import numpy as np

from sim.dynamics.trust import penalise
from sim.scenario.schema import Disputes, Service, Trust
from sim.state import HouseholdState
from sim.world.traits import draw_positive, draw_share

VISIT_WEIGHT = 2.0  # bad events' worth of a visit by collectors


@dataclass(frozen=True)
class FirmTraits:
    """What sets one firm apart: its costs, patience with losses, cuts and collection."""

    cost_factor: float  # scales the scenario's fixed and variable cost shares
    exit_after_loss_months: int  # consecutive losing months it bears with negative reserves
    reserve_months: float  # reserves it starts with, in months of full fee revenue
    minimum_effort: float  # least effort it cuts service to
    coercion_chance: (
        float  # monthly chance of hiring collectors when losing in a low-paying compound
    )

    @classmethod
    def typical(cls, spec: Service) -> "FirmTraits":
        """A firm with the scenario's mean traits."""
        return cls(
            1.0,
            spec.exit_after_loss_months,
            spec.initial_reserve_months,
            spec.minimum_effort,
            spec.coercion_chance,
        )


def draw_firm_traits(spec: Service, rng: np.random.Generator) -> FirmTraits:
    """A firm's traits drawn around the scenario's means with its standard deviations."""
    patience = draw_positive(rng, spec.exit_after_loss_months, spec.exit_after_loss_months_sd, 1)
    return FirmTraits(
        cost_factor=float(draw_positive(rng, 1.0, spec.firm_cost_sd, 1)[0]),
        exit_after_loss_months=max(1, int(np.rint(patience[0]))),
        reserve_months=float(
            draw_positive(rng, spec.initial_reserve_months, spec.initial_reserve_months_sd, 1)[0]
        ),
        minimum_effort=min(
            spec.contract_effort,
            float(draw_share(rng, spec.minimum_effort, spec.minimum_effort_sd, 1)[0]),
        ),
        coercion_chance=float(draw_share(rng, spec.coercion_chance, spec.coercion_chance_sd, 1)[0]),
    )


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
