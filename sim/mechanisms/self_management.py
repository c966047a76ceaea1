"""Self-management: where no firm serves, residents form a committee that runs the compound.

Monthly, an unmanaged compound whose active share of households reaches
`formation_participation` (a critical mass of organisers, Oliver, Marwell & Teixeira 1985)
forms a `SelfManagementCommittee` with chance `formation_chance`. From then on its households are billed `fee_per_household` a
month; the committee's budget and volunteer work set its effort (see the agent), and service
experiences there are experiences of the committee. A compound that has formed a committee no
longer waits for a replacement firm (S2, S4).
"""

import numpy as np

from sim.scenario.schema import SelfManagement
from sim.state import SELF_MANAGED, UNMANAGED, CompoundState


def compounds_forming_committees(
    compounds: CompoundState,
    active_share: np.ndarray,
    spec: SelfManagement,
    rng: np.random.Generator,
) -> np.ndarray:
    """Unmanaged compounds whose organisers form a committee this month."""
    if not spec.enabled:
        return np.empty(0, dtype=np.int64)
    eligible = (compounds.manager == UNMANAGED) & (active_share >= spec.formation_participation)
    forming = eligible & (rng.random(eligible.size) < spec.formation_chance)
    return np.flatnonzero(forming)


def fees_due(compounds: CompoundState, compound: np.ndarray, spec: SelfManagement) -> np.ndarray:
    """Monthly fee each household owes its self-management committee (0 elsewhere)."""
    return np.where(compounds.manager[compound] == SELF_MANAGED, spec.fee_per_household, 0.0)
