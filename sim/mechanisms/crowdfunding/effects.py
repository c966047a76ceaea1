"""What projects do back to the community: trust, efficacy and disputes.

A completed project is a good event for trust in committees worth `success_trust_weight` events
to its own households, and one event to the rest of its compound and to every household with a
tie into its scope (its neighbours); all of these gain efficacy: support for collective action
S <- S + efficacy_gain (1 - S). A failed vote or campaign is `failure_trust_weight` bad events for
its households, whose support falls S <- S (1 - efficacy_loss). When a project is voted through
over the no of harmed households (low floors against an elevator), each such household gains
`opposition_grievance` and raises a `project_opposition` dispute with chance
`opposition_dispute_chance`, against the supporter who gains most; while such a dispute is
open the works stand still.
"""

from typing import TYPE_CHECKING

import numpy as np

from sim.dynamics import disputes as dispute_rules
from sim.dynamics.trust import penalise, reward
from sim.mechanisms.crowdfunding.projects import Project
from sim.world.network import neighbour_lists

if TYPE_CHECKING:
    from sim.model import CommunityModel


def hearers_of(model: "CommunityModel", project: Project) -> np.ndarray:
    """Households of the project's compound or with a social tie to its flats (sorted)."""
    heard = np.zeros(model.households.size, dtype=bool)
    heard[model.world.flats_of_compound(project.compound)] = True
    heard[neighbour_lists(model.ties.adjacency, project.flats)] = True
    return np.flatnonzero(heard)


def celebrate(model: "CommunityModel", project: Project) -> None:
    """A visible success: trust and efficacy rise in the scope, its compound and its neighbours."""
    hh, spec = model.households, model.params.mechanisms.crowdfunding
    trust = model.params.trust
    reward(hh.trust_committee, project.flats, trust, weight=spec.success_trust_weight)
    hearers = hearers_of(model, project)
    reward(hh.trust_committee, hearers, trust)
    hh.support[hearers] += spec.efficacy_gain * (1.0 - hh.support[hearers])


def regret(model: "CommunityModel", project: Project) -> None:
    """A failed vote or campaign: trust and efficacy fall among the scope's households."""
    hh, spec = model.households, model.params.mechanisms.crowdfunding
    penalise(hh.trust_committee, project.flats, model.params.trust, spec.failure_trust_weight)
    hh.support[project.flats] *= 1.0 - spec.efficacy_loss


def raise_opposition(model: "CommunityModel", project: Project) -> int:
    """Harmed households outvoted: grievance, and disputes against the keenest supporter."""
    if not project.aggrieved_households:
        return 0
    spec = model.params.mechanisms.crowdfunding
    outvoted = project.aggrieved & project.voted & ~project.yes
    if not outvoted.any():
        return 0
    opponents = project.flats[outvoted]
    model.households.grievance[opponents] += spec.opposition_grievance
    supporters = np.flatnonzero(project.yes)
    if supporters.size == 0:
        return 0
    keenest = project.flats[supporters[np.argmax(project.benefit[supporters])]]
    claim = opponents[model.rng.random(opponents.size) < spec.opposition_dispute_chance]
    if claim.size == 0:
        return 0
    dispute_rules.open_disputes(
        model,
        dispute_rules.NewDisputes(
            kind=np.full(claim.size, dispute_rules.PROJECT_OPPOSITION, dtype=np.int8),
            complainant_flat=claim,
            respondent_party=np.full(claim.size, dispute_rules.HOUSEHOLD, dtype=np.int8),
            respondent_flat=np.full(claim.size, keenest, dtype=np.int64),
        ),
    )
    return int(claim.size)


def opposing_flats(model: "CommunityModel") -> np.ndarray:
    """Complainants of the project_opposition disputes open now."""
    ledger = model.disputes
    rows = ledger.open_rows()
    rows = rows[ledger.kind[rows] == dispute_rules.PROJECT_OPPOSITION]
    return ledger.complainant_flat[rows]
