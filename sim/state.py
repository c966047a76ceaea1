"""Household and compound state held as numpy arrays, one entry per flat or compound.

The Mesa agents are handles onto these arrays: mechanisms update whole arrays at once, and
metrics are computed from them directly.
"""

from dataclasses import dataclass, fields

import numpy as np

# Party roles of a household (the `role` array)
NO_ROLE, PARTY_MEMBER, BUILDING_HEAD, CENTRAL_HOUSEHOLD = 0, 1, 2, 3

# Who manages a compound (the `manager` array)
UNMANAGED, FIRM, SELF_MANAGED = 0, 1, 2


@dataclass
class HouseholdState:
    """State of the household living in each flat (index = flat = network node)."""

    household_id: np.ndarray  # unique id of the household now living in the flat
    is_owner: np.ndarray  # owner-occupied (True) or let to renters (False)
    is_elderly: np.ndarray
    is_party: np.ndarray  # a Party member lives here
    role: np.ndarray  # NO_ROLE, PARTY_MEMBER, BUILDING_HEAD, CENTRAL_HOUSEHOLD
    tenure_weeks: np.ndarray
    income: np.ndarray  # yuan/month
    propensity: np.ndarray  # civic propensity in [0, 1]
    threshold: np.ndarray  # participation threshold in [0, 1]
    expectation: np.ndarray  # service quality expected, in [0, 1]
    trust_firm: np.ndarray
    trust_committee: np.ndarray
    satisfaction: np.ndarray
    grievance: np.ndarray  # >= 0
    points: np.ndarray
    active: np.ndarray  # takes part this week
    paid_last: np.ndarray  # paid the latest monthly bill
    habit: np.ndarray  # payment habit in [-1, 1]; 0 = none
    fees_paid: np.ndarray  # yuan paid by this household since it moved in
    in_dispute: np.ndarray  # has an open dispute as complainant
    support: np.ndarray  # support for collective action in its building, in [0, 1]
    engagement: np.ndarray  # lift to participation from meetings attended (decays)
    motivation: np.ndarray  # intrinsic motivation in [0, 1] (starts at propensity)
    baseline_motivation: np.ndarray  # intrinsic motivation before any points scheme
    status: np.ndarray  # recognition (awards), a push that does not crowd out
    activity: np.ndarray  # recent activity: exponential average of `active`
    volunteer: np.ndarray  # volunteers this week
    complaints: np.ndarray  # recent complaints raised (decaying count)
    is_leader: np.ndarray  # a volunteer leader (e.g. a former complainer)
    team_member: np.ndarray  # belongs to its building's volunteer team
    inactive_weeks: np.ndarray  # consecutive weeks not active
    practice_support: np.ndarray  # support for the pilot-first practice, in [0, 1]
    payment_propensity: np.ndarray  # own shift of the fee payment logit (0 = typical)

    @property
    def size(self) -> int:
        """Number of flats."""
        return int(self.household_id.size)

    def assign(self, index: np.ndarray, other: "HouseholdState") -> None:
        """Overwrite the flats at `index` with the households in `other` (same order)."""
        for f in fields(self):
            getattr(self, f.name)[index] = getattr(other, f.name)


@dataclass
class CompoundState:
    """State of each compound's management and service."""

    manager: np.ndarray  # UNMANAGED, FIRM, SELF_MANAGED
    service_quality: np.ndarray  # in [0, 1]
    effort: np.ndarray  # effort of whoever manages, in [0, 1]
    households: np.ndarray  # flats in the compound
    weeks_without_firm: np.ndarray  # weeks since the last firm left (firm compounds only)
    had_firm: np.ndarray  # a firm has served the compound at some time
