"""Pilot first (S0: solar roofs went first on the units with most support; 8 units in 3 months).

A practice (rooftop solar, waste sorting) is adopted by stairwell units. With x_i a household's
support (`practice_support`) and x_u its unit's mean, weekly while the mechanism is on:

start (first week >= `start_week`): each unit draws its threshold
    theta_u ~ Normal(`adoption_threshold`, `threshold_sd`)      (Granovetter 1978)
and holds out (never adopts, never pilots) with chance `holdout_share` (a threshold above 100%);
the first attempt pilots the `pilot_units` units with the highest x_u (`most_support`, ties at
random) or as many random units (`random`, for comparison), hold-outs excepted.

1. retry: when no unit works or awaits its outcome (every pilot so far has failed, and the
   units that followed them too), `retry_weeks` after the last failure showed, the organisers
   pilot again, chosen as at the start among the units that have not adopted, up to
   `pilot_attempts` attempts in all.
2. outcomes: a unit adopted `success_weeks` ago shows whether the practice works there, with
   chance logistic((x_u - `success_midpoint`) / 0.05); a failure costs every household tied to
   the unit `failure_penalty` of its support. A unit that adopted stays adopted either way.
3. support: x_i <- x_i + min(1, influence (q_i + visibility v_i + word_of_mouth w)) (1 - x_i),
   q_i the share of i's ties living in units where it works, v_i and w the shares of i's
   compound's and of the community's units where it works.
4. adoption: a unit that has not adopted sees the examples
       a_u = (b B_u + c C_u + t T_u + m w) / (b + c + t + m)
   B_u, C_u: shares of the other units of its building and of its compound where it works,
   T_u: the mean of q_i over its households, and b, c, t, m the `building_weight`,
   `compound_weight`, `tie_weight` and `community_weight`. It adopts this week with chance
       h_u = adoption_rate x_u logistic((a_u - theta_u) / 0.04)   if a_u > 0, else 0,
   a hazard that rises with the share of neighbouring units where it works (threshold, or
   complex, contagion: Watts 2002, Centola & Macy 2007) and with the unit's support. A unit
   sees no example until a pilot has shown that it works (the slow start); a building mate
   counts in B_u and in C_u, so the pilot's building follows first, then its compound.

Random draws, in this order: at the start one normal then one uniform per unit (thresholds,
hold-outs); at the start and at each retry, for `most_support` one uniform per unit (ties) or for
`random` one permutation of the open units; then each week one uniform per unit whose outcome
shows (in unit order) and one per unit that has not adopted, does not hold out and sees an
example (in unit order).
"""

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy.special import expit

from sim.world.network import flagged_neighbours

if TYPE_CHECKING:
    from sim.model import CommunityModel

NOT_ADOPTED = -1
SUCCESS_SPREAD = 0.05  # width of the logistic linking a unit's support to the pilot's success
ADOPTION_SPREAD = 0.04  # width of the logistic linking the examples in view to a unit's hazard

#: Columns of adoptions.csv, one row per stairwell unit.
ADOPTION_COLUMNS = (
    "unit",
    "building",
    "compound",
    "pilot",
    "attempt",
    "adopted_week",
    "outcome",
    "outcome_week",
    "threshold",
    "holds_out",
    "support_at_adoption",
    "examples_at_adoption",
)


class PilotFirst:
    """Unit-by-unit adoption of a practice, seeded by pilots and spread to neighbouring units."""

    def __init__(self, model: "CommunityModel") -> None:
        self.model = model
        world = model.world
        units = world.units
        self.adopted_week = np.full(units, NOT_ADOPTED, dtype=np.int64)
        self.outcome_week = np.full(units, NOT_ADOPTED, dtype=np.int64)
        self.succeeded = np.zeros(units, dtype=bool)
        self.attempt = np.zeros(units, dtype=np.int64)  # pilot attempt (0: not a pilot)
        self.threshold = np.zeros(units)
        self.holds_out = np.zeros(units, dtype=bool)
        self.support_at_adoption = np.full(units, np.nan)
        self.examples_at_adoption = np.full(units, np.nan)
        self.attempts = 0
        self.last_failure_week = NOT_ADOPTED
        self.unit_households = np.maximum(np.bincount(world.unit, minlength=units), 1)
        self.unit_compound = world.building_compound[world.unit_building]
        self.compound_units = np.bincount(self.unit_compound, minlength=world.compounds)
        self.building_units = world.building_units[world.unit_building]  # per unit
        self.unit_compound_units = self.compound_units[self.unit_compound]
        self.tied_successes = np.zeros(world.households)  # per household: ties where it works
        self.seen_success: tuple[np.ndarray, np.ndarray, float] | None = None
        self.seen_examples: np.ndarray | None = None
        self.seen_weights: tuple[float, ...] = ()

    @property
    def spec(self):
        """The mechanism's current settings."""
        return self.model.params.mechanisms.pilot_first

    @property
    def started(self) -> bool:
        """Whether the first pilots have started."""
        return self.attempts > 0

    @property
    def adopted(self) -> np.ndarray:
        """Units that have adopted the practice."""
        return self.adopted_week != NOT_ADOPTED

    @property
    def outcome_known(self) -> np.ndarray:
        """Adopted units that have shown whether the practice works there."""
        return self.outcome_week != NOT_ADOPTED

    def unit_support(self) -> np.ndarray:
        """Mean support for the practice in each unit."""
        world, hh = self.model.world, self.model.households
        total = np.bincount(world.unit, weights=hh.practice_support, minlength=world.units)
        return total / self.unit_households

    def week(self) -> None:
        """Start or retry the pilots, reveal outcomes, spread support, and let units adopt."""
        model, spec = self.model, self.spec
        if not spec.enabled:
            return
        if not self.started:
            if model.week < spec.start_week:
                return
            units = model.world.units
            self.threshold = model.rng.normal(spec.adoption_threshold, spec.threshold_sd, units)
            self.holds_out = model.rng.random(units) < spec.holdout_share
            self.start_pilots()
        elif self.retry_due():
            self.start_pilots()
        self.reveal_outcomes()
        self.spread_support()
        self.adopt()

    def retry_due(self) -> bool:
        """The latest attempt failed everywhere, the wait is over, and attempts remain."""
        spec = self.spec
        return (
            self.attempts < spec.pilot_attempts
            and not self.succeeded.any()
            and not (self.adopted & ~self.outcome_known).any()
            and self.model.week - self.last_failure_week >= spec.retry_weeks
        )

    def start_pilots(self) -> None:
        """Pilot in the units with most support that have not adopted (or in random units)."""
        model, spec = self.model, self.spec
        units = model.world.units
        open_units = np.flatnonzero(~self.adopted & ~self.holds_out)
        n = min(spec.pilot_units, open_units.size)
        if spec.seeding == "most_support":
            support = self.unit_support()[open_units]
            order = open_units[np.lexsort((model.rng.random(units)[open_units], -support))]
        else:
            order = open_units[model.rng.permutation(open_units.size)]
        self.attempts += 1
        self.record_adoption(order[:n], np.zeros(n), self.unit_support()[order[:n]])
        self.attempt[order[:n]] = self.attempts

    def record_adoption(self, units: np.ndarray, examples: np.ndarray, support: np.ndarray) -> None:
        """Mark `units` as adopting this week, with the examples and support they had."""
        self.adopted_week[units] = self.model.week
        self.support_at_adoption[units] = support
        self.examples_at_adoption[units] = examples

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
        if works.any():
            self.tied_successes += flagged_neighbours(
                model.ties.adjacency, self.households_in(units[works])
            )
        self.outcome_week[units] = model.week
        self.seen_success = None
        self.seen_examples = None
        if not works.all():
            self.last_failure_week = model.week
            hh = model.households
            failed = self.households_in(units[~works])
            exposed = flagged_neighbours(model.ties.adjacency, failed) > 0
            hh.practice_support[exposed] *= 1.0 - spec.failure_penalty

    def spread_support(self) -> None:
        """Support moves toward the practice along ties to units where it visibly works."""
        spec, hh = self.spec, self.model.households
        share, seen, word = self.successes_seen()
        exposure = share + spec.visibility * seen + spec.word_of_mouth * word
        step = np.minimum(spec.influence * exposure, 1.0)
        hh.practice_support += step * (1.0 - hh.practice_support)

    def adopt(self) -> None:
        """Units that see examples adopt with a hazard rising with the examples and support."""
        model, spec = self.model, self.spec
        examples = self.examples_in_view()
        candidates = np.flatnonzero(~self.adopted & ~self.holds_out & (examples > 0))
        if candidates.size == 0:
            return
        support = self.unit_support()
        hazard = adoption_hazard(
            examples[candidates],
            support[candidates],
            self.threshold[candidates],
            spec.adoption_rate,
        )
        newly = candidates[model.rng.random(candidates.size) < hazard]
        self.record_adoption(newly, examples[newly], support[newly])

    def households_in(self, units: np.ndarray) -> np.ndarray:
        """Whether each flat lies in one of `units`."""
        chosen = np.zeros(self.model.world.units, dtype=bool)
        chosen[units] = True
        return chosen[self.model.world.unit]

    def successes_seen(self) -> tuple[np.ndarray, np.ndarray, float]:
        """Per household q_i and v_i, and the community's w (they change only with outcomes)."""
        if self.seen_success is None:
            model, world = self.model, self.model.world
            share = self.tied_successes / np.maximum(model.ties.degree, 1)
            successes = np.bincount(
                self.unit_compound, weights=self.succeeded, minlength=world.compounds
            )
            seen = world.of_compound(successes / np.maximum(self.compound_units, 1))
            self.seen_success = (share, seen, float(self.succeeded.mean()))
        return self.seen_success

    def examples_in_view(self) -> np.ndarray:
        """Per unit, a_u: the weighted share of neighbouring units where the practice works
        (it changes only with outcomes, or with the weights)."""
        world, spec = self.model.world, self.spec
        weights = (
            spec.building_weight,
            spec.compound_weight,
            spec.tie_weight,
            spec.community_weight,
        )
        if self.seen_examples is not None and self.seen_weights == weights:
            return self.seen_examples
        own = self.succeeded.astype(np.float64)
        building = np.bincount(world.unit_building, weights=own, minlength=world.buildings)
        compound = np.bincount(self.unit_compound, weights=own, minlength=world.compounds)
        ties = np.bincount(world.unit, weights=self.successes_seen()[0], minlength=world.units)
        shares = (
            others_share(building[world.unit_building], own, self.building_units),
            others_share(compound[self.unit_compound], own, self.unit_compound_units),
            ties / self.unit_households,
            np.full(world.units, own.mean()),
        )
        total = sum(w * share for w, share in zip(weights, shares, strict=True))
        self.seen_examples = total / max(sum(weights), 1e-12)
        self.seen_weights = weights
        return self.seen_examples

    @property
    def adoption_share(self) -> float:
        """Share of units that have adopted."""
        return float(self.adopted.mean())

    def to_frame(self) -> pd.DataFrame:
        """adoptions.csv: one row per stairwell unit once the pilots have started (else none)."""
        if not self.started:
            return pd.DataFrame(columns=list(ADOPTION_COLUMNS))
        world = self.model.world
        adopted, known = self.adopted, self.outcome_known
        outcome = np.where(known, np.where(self.succeeded, "works", "failed"), "")
        outcome = np.where(adopted & ~known, "pending", outcome)
        return pd.DataFrame(
            {
                "unit": np.arange(world.units),
                "building": world.unit_building,
                "compound": self.unit_compound,
                "pilot": self.attempt > 0,
                "attempt": self.attempt,
                "adopted_week": pd.arrays.IntegerArray(self.adopted_week, ~adopted),
                "outcome": outcome,
                "outcome_week": pd.arrays.IntegerArray(self.outcome_week, ~known),
                "threshold": self.threshold.round(6),
                "holds_out": self.holds_out,
                "support_at_adoption": self.support_at_adoption.round(6),
                "examples_at_adoption": self.examples_at_adoption.round(6),
            }
        )


def adoption_hazard(
    examples: np.ndarray, support: np.ndarray, threshold: np.ndarray, rate: float
) -> np.ndarray:
    """h_u = rate x_u logistic((a_u - theta_u) / ADOPTION_SPREAD), 0 where nothing is in view."""
    pull = expit((examples - threshold) / ADOPTION_SPREAD)
    return np.where(examples > 0, rate * support * pull, 0.0)


def others_share(total: np.ndarray, own: np.ndarray, size: np.ndarray) -> np.ndarray:
    """Per unit, the share of the other units of its group that hold a flag (0 when alone)."""
    return (total - own) / np.maximum(size - 1, 1)
