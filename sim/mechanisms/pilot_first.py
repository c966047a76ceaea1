"""Pilot first (S0: solar roofs went first on the units with most support; 8 units in 3 months).

A practice (rooftop solar, waste sorting) is adopted by stairwell units. At `start_week` it is
piloted in `pilot_units` units: those whose households support it most (`most_support`), or
random units (`random`, for comparison). An adopting unit shows after `success_weeks` whether
the practice works there: it succeeds with chance logistic((x_u - x_mid) / 0.05), x_u its
households' mean support and x_mid = `success_midpoint` (a supportive unit makes it work).
Each week every household's support x moves along the social network toward the practice in
proportion to its exposure: the share q_i of its neighbours
living in units where it visibly succeeded, plus `visibility` times the share v_i of its
compound's units where it succeeded (a solar roof is seen by the whole compound), plus
`word_of_mouth` times the share w of all the community's units where it succeeded,

    x_i <- x_i + min(1, influence (q_i + visibility v_i + word_of_mouth w)) (1 - x_i)

(the step is capped so that support never passes 1)

and a failure costs the households tied to that unit `failure_penalty` of their support. A unit
adopts once its mean support reaches `adoption_threshold`. Clustered ties (stairwells) make the
spread a complex contagion, and adoption over time is S-shaped (Centola & Macy 2007).
"""

from typing import TYPE_CHECKING

import numpy as np
from scipy.special import expit

from sim.world.network import flagged_neighbours

if TYPE_CHECKING:
    from sim.model import CommunityModel

NOT_ADOPTED = -1
SUCCESS_SPREAD = 0.05  # width of the logistic linking a unit's support to the pilot's success


class PilotFirst:
    """Unit-by-unit adoption of a practice, seeded by pilots."""

    def __init__(self, model: "CommunityModel") -> None:
        self.model = model
        units = model.world.units
        self.adopted_week = np.full(units, NOT_ADOPTED, dtype=np.int64)
        self.outcome_known = np.zeros(units, dtype=bool)
        self.succeeded = np.zeros(units, dtype=bool)
        self.started = False
        world = model.world
        self.unit_households = np.maximum(np.bincount(world.unit, minlength=units), 1)
        self.unit_compound = world.building_compound[world.unit_building]
        self.compound_units = np.bincount(self.unit_compound, minlength=world.compounds)
        self.seen_success: tuple[np.ndarray, np.ndarray, float] | None = None

    @property
    def spec(self):
        """The mechanism's current settings."""
        return self.model.params.mechanisms.pilot_first

    @property
    def adopted(self) -> np.ndarray:
        """Units that have adopted the practice."""
        return self.adopted_week != NOT_ADOPTED

    def unit_support(self) -> np.ndarray:
        """Mean support for the practice in each unit."""
        world, hh = self.model.world, self.model.households
        total = np.bincount(world.unit, weights=hh.practice_support, minlength=world.units)
        return total / self.unit_households

    def week(self) -> None:
        """Start the pilots, reveal outcomes, spread support, and let units adopt."""
        model, spec = self.model, self.spec
        if not spec.enabled:
            return
        if not self.started and model.week >= spec.start_week:
            self.start_pilots()
        if not self.started:
            return
        self.reveal_outcomes()
        self.spread_support()
        support = self.unit_support()
        newly = ~self.adopted & (support >= spec.adoption_threshold)
        self.adopted_week[newly] = model.week

    def start_pilots(self) -> None:
        """Adopt in the pilot units."""
        model, spec = self.model, self.spec
        n = min(spec.pilot_units, model.world.units)
        if spec.seeding == "most_support":
            order = np.lexsort((model.rng.random(model.world.units), -self.unit_support()))
        else:
            order = model.rng.permutation(model.world.units)
        self.adopted_week[order[:n]] = model.week
        self.started = True

    def reveal_outcomes(self) -> None:
        """Units past `success_weeks` since adopting show whether the practice works."""
        model, spec = self.model, self.spec
        due = (
            self.adopted
            & ~self.outcome_known
            & (model.week - self.adopted_week >= spec.success_weeks)
        )
        units = np.flatnonzero(due)
        if units.size == 0:
            return
        chance = expit((self.unit_support()[units] - spec.success_midpoint) / SUCCESS_SPREAD)
        works = model.rng.random(units.size) < chance
        self.succeeded[units[works]] = True
        self.outcome_known[units] = True
        self.seen_success = None
        failed = np.zeros(model.world.units, dtype=bool)
        failed[units[~works]] = True
        if failed.any():
            hh = model.households
            exposed = flagged_neighbours(model.adjacency, failed[model.world.unit]) > 0
            hh.practice_support[exposed] *= 1.0 - spec.failure_penalty

    def spread_support(self) -> None:
        """Support moves toward the practice along ties to units where it visibly works."""
        spec, hh = self.spec, self.model.households
        share, seen, word = self.successes_seen()
        exposure = share + spec.visibility * seen + spec.word_of_mouth * word
        step = np.minimum(spec.influence * exposure, 1.0)
        hh.practice_support += step * (1.0 - hh.practice_support)

    def successes_seen(self) -> tuple[np.ndarray, np.ndarray, float]:
        """Per household q_i and v_i, and the community's w (they change only with outcomes)."""
        if self.seen_success is None:
            model, world = self.model, self.model.world
            visible = self.succeeded[world.unit].astype(np.float64)
            share = (model.adjacency @ visible) / np.maximum(model.degree, 1)
            successes = np.bincount(
                self.unit_compound, weights=self.succeeded, minlength=world.compounds
            )
            seen = world.of_compound(successes / np.maximum(self.compound_units, 1))
            self.seen_success = (share, seen, float(self.succeeded.mean()))
        return self.seen_success

    @property
    def adoption_share(self) -> float:
        """Share of units that have adopted."""
        return float(self.adopted.mean())
