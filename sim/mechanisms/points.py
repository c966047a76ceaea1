"""Points and time bank (S4: passbooks, 1 point = 1 yuan, the love supermarket).

While the scheme runs, each week households earn points: volunteers `points_per_hour` x hours;
active building heads and central households on duty `duty_points`; an active household donates
`donation_amount` yuan with chance `donation_chance` and earns as many points (the money goes to
the shop). Each month the community funds the shop with `budget_per_household_month` per
household; a household holding points redeems its balance with chance `redeem_chance`, at
`point_value` yuan a point, while the shop's budget lasts (requests beyond it are scaled down
pro rata, so the budget is never overspent). A balance untouched for `expiry_weeks` expires
(0: never). Ledger: issued = redeemed + expired + outstanding.

Points pull the unmotivated in: push_i = pull (1 - m_i) in the participation drive and the chance
of volunteering. Because a point is money-framed, for a household earning points intrinsic
motivation moves toward its crowded-out level (Frey & Jegen 2001; Deci, Koestner & Ryan 1999),
and once the scheme ends the crowded-out part fades with half-life h (assumed; the loss outlasts
the reward, Gneezy & Rustichini 2000a, but no source gives how long):

    m_i <- m_i + c (m0_i (1 - s) - m_i)       while on, for earners above m0_i (1 - s)
    m_i <- m0_i - 2^(-1/h) (m0_i - m_i)       while off, for households below m0_i

(c = crowding_rate, s = crowding_strength, h = recovery_half_life_weeks, 0: no recovery). So a
household's loss is at most s m0_i and, t weeks after the end, at most s m0_i 2^(-t/h). The
defaults keep the dip in participation a year after the end within a third of a standard
deviation of the never-treated community (Deci et al.: d = -0.34 for tangible rewards); with
s = 0 motivation never falls and points never lower anyone's participation.

Random draws, in order: each week while on, the donors among the active households (`earn`,
one `occurrences` draw); at month ends while on, one uniform per household for redemption
(`month`). Crowding, recovery and expiry draw nothing.
"""

from typing import TYPE_CHECKING

import numpy as np

from sim.dynamics.events import occurrences
from sim.state import BUILDING_HEAD, CENTRAL_HOUSEHOLD

if TYPE_CHECKING:
    from sim.model import CommunityModel


def recovery_factor(half_life_weeks: float) -> float:
    """Share of the crowded-out motivation still missing after one more week (1: no recovery)."""
    return 0.5 ** (1.0 / half_life_weeks) if half_life_weeks > 0 else 1.0


class Points:
    """The points ledger, the shop's budget, and motivation crowding."""

    def __init__(self, model: "CommunityModel") -> None:
        self.model = model
        n = model.households.size
        self.issued = 0.0
        self.redeemed = 0.0
        self.expired = 0.0
        self.budget = 0.0
        self.budget_funded = 0.0
        self.donations = 0.0
        self.last_touched = np.zeros(n, dtype=np.int64)
        self.ever_ran = False
        self.inactive_before = np.zeros(n, dtype=bool)
        self.earning = np.zeros(n, dtype=bool)

    @property
    def spec(self):
        """The scheme's current settings."""
        return self.model.params.mechanisms.points

    @property
    def outstanding(self) -> float:
        """Points held by households now."""
        return float(self.model.households.points.sum())

    def pull(self) -> np.ndarray:
        """Push points give each household to participate and volunteer."""
        hh = self.model.households
        if not self.spec.enabled:
            return np.zeros(hh.size)
        return self.spec.pull * (1.0 - hh.motivation)

    def week(self) -> None:
        """Earn, expire and update motivation; redeem at month ends."""
        if self.spec.enabled and not self.ever_ran:
            self.ever_ran = True
            self.inactive_before = self.model.households.activity < 0.25
        if self.spec.enabled:
            self.earn()
        self.expire()
        self.update_motivation()

    def earn(self) -> None:
        """Points for this week's volunteering, duties and donations."""
        model, spec = self.model, self.spec
        hh = model.households
        earned = spec.points_per_hour * model.params.volunteering.hours_per_week * hh.volunteer
        on_duty = hh.active & ((hh.role == BUILDING_HEAD) | (hh.role == CENTRAL_HOUSEHOLD))
        earned = earned + spec.duty_points * on_duty
        active = np.flatnonzero(hh.active)
        donated = np.zeros(hh.size)
        donated[active[occurrences(model.rng, spec.donation_chance, active.size)]] = (
            spec.donation_amount
        )
        self.donations += float(donated.sum())
        self.budget += float(donated.sum())
        earned = earned + donated / spec.point_value
        hh.points += earned
        self.earning = earned > 0
        self.issued += float(earned.sum())
        self.last_touched[self.earning] = model.week

    def month(self) -> None:
        """Fund the shop and let households redeem (only while the scheme runs)."""
        if not self.spec.enabled:
            return
        model, spec = self.model, self.spec
        hh = model.households
        funding = spec.budget_per_household_month * hh.size
        self.budget += funding
        self.budget_funded += funding
        wants = (hh.points > 0) & (model.rng.random(hh.size) < spec.redeem_chance)
        requested = np.where(wants, hh.points, 0.0)
        cost = float(requested.sum()) * spec.point_value
        scale = min(1.0, self.budget / cost) if cost > 0 else 0.0
        redeemed = requested * scale
        hh.points -= redeemed
        self.redeemed += float(redeemed.sum())
        self.budget -= float(redeemed.sum()) * spec.point_value
        self.last_touched[redeemed > 0] = model.week

    def expire(self) -> None:
        """Balances untouched for `expiry_weeks` expire."""
        if self.spec.expiry_weeks <= 0:
            return
        hh = self.model.households
        stale = (hh.points > 0) & (self.model.week - self.last_touched >= self.spec.expiry_weeks)
        self.expired += float(hh.points[stale].sum())
        hh.points[stale] = 0.0

    def update_motivation(self) -> None:
        """Crowding out while earning; recovery toward the baseline after the scheme ends."""
        if not self.ever_ran:
            return
        hh, spec = self.model.households, self.spec
        if spec.enabled:
            earners = np.flatnonzero(self.earning)
            target = hh.baseline_motivation[earners] * (1.0 - spec.crowding_strength)
            motivation = hh.motivation[earners]
            above = motivation > target
            gap = target[above] - motivation[above]
            hh.motivation[earners[above]] = motivation[above] + spec.crowding_rate * gap
        else:
            below = np.flatnonzero(hh.motivation < hh.baseline_motivation)
            kept = recovery_factor(spec.recovery_half_life_weeks)
            baseline = hh.baseline_motivation[below]
            hh.motivation[below] = baseline - kept * (baseline - hh.motivation[below])

    def forget(self, flats: np.ndarray) -> None:
        """Households moving out take their balance with them (counted as expired)."""
        hh = self.model.households
        self.expired += float(hh.points[flats].sum())
        self.inactive_before[flats] = False
        self.last_touched[flats] = self.model.week
