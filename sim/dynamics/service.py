"""Service quality and how households experience it, week by week.

Quality of a managed compound follows its manager's effort:  Q <- Q + k (e - Q).
An unmanaged compound decays toward a floor:                  Q <- Q - d (Q - Q_min).
Each household notices a good service experience with weekly chance r Q^2 and a bad one with
chance r (1 - Q)^2 (r = `experience_rate`); each building suffers an incident (a water cut, a
theft, rubbish left for weeks) with weekly chance `incident_rate` (1 - Q)^2, felt by all its
households. A good experience raises its trust in whoever manages
the compound (firm or self-management committee), a bad one lowers it (trust module) and adds
`bad_service_severity` (an incident `incident_severity`) to its grievance; in an unmanaged compound a bad experience is held against
the committees. Satisfaction follows, as an exponential average, 1/2 + (Q - E) - g/4, clipped to
[0, 1] (g: grievance). Expectations adapt to what households get: E <- E + r_E (Q - E).
"""

import numpy as np

from sim.dynamics.trust import penalise, reward
from sim.scenario.schema import Disputes, Service, Trust
from sim.state import FIRM, SELF_MANAGED, UNMANAGED, CompoundState, HouseholdState
from sim.world.structure import BuiltCommunity

SATISFACTION_RATE = 0.05  # weekly weight of the current experience in satisfaction


def update_quality(compounds: CompoundState, spec: Service) -> None:
    """Move quality toward effort where managed; decay it where nobody manages."""
    q = compounds.service_quality
    managed = compounds.manager != UNMANAGED
    q[managed] += spec.quality_adjustment * (compounds.effort[managed] - q[managed])
    q[~managed] -= spec.unmanaged_decay * (q[~managed] - spec.unmanaged_floor)
    np.clip(q, 0.0, 1.0, out=q)


def experience_service(
    hh: HouseholdState,
    world: BuiltCommunity,
    compounds: CompoundState,
    service_spec: Service,
    trust_spec: Trust,
    dispute_spec: Disputes,
    rng: np.random.Generator,
) -> None:
    """Draw service experiences and building incidents; apply them to trust and grievance.

    Chances are worked out per compound; who is affected is then sorted by manager.
    """
    q = compounds.service_quality
    rate = trust_spec.experience_rate
    compound = world.compound
    u = rng.random(hh.size)
    good = np.flatnonzero(u < world.of_compound(rate * q**2))
    bad = u > world.of_compound(1.0 - rate * (1.0 - q) ** 2)
    incident_chance = service_spec.incident_rate * (1.0 - q[world.building_compound]) ** 2
    incident = world.of_building(rng.random(world.buildings) < incident_chance)
    failed = np.flatnonzero(bad | incident)
    good_by = compounds.manager[compound[good]]
    failed_by = compounds.manager[compound[failed]]
    reward(hh.trust_firm, good[good_by == FIRM], trust_spec)
    penalise(hh.trust_firm, failed[failed_by == FIRM], trust_spec)
    reward(hh.trust_committee, good[good_by == SELF_MANAGED], trust_spec)
    committees_blamed = (failed_by == SELF_MANAGED) | (failed_by == UNMANAGED)
    penalise(hh.trust_committee, failed[committees_blamed], trust_spec)
    hh.grievance[np.flatnonzero(bad)] += dispute_spec.bad_service_severity
    hh.grievance[np.flatnonzero(incident)] += dispute_spec.incident_severity


def update_satisfaction(hh: HouseholdState, quality: np.ndarray, spec: Service) -> None:
    """Satisfaction drifts toward service against expectation, less grievance; expectations adapt."""
    target = np.clip(0.5 + (quality - hh.expectation) - 0.25 * hh.grievance, 0.0, 1.0)
    hh.satisfaction += SATISFACTION_RATE * (target - hh.satisfaction)
    hh.expectation += spec.expectation_adaptation * (quality - hh.expectation)
