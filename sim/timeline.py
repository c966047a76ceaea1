"""The policy timeline: scenario changes applied at given weeks through Mesa's event scheduling.

An intervention at week w takes effect from week w: its event fires at time w - 1/2, after
week w - 1's step and before week w's. Each applied change is recorded (interventions.csv).
"""

from typing import TYPE_CHECKING, NamedTuple

from sim.mechanisms.records import RecordBook
from sim.scenario.loader import resolve_timeline
from sim.scenario.schema import Scenario

if TYPE_CHECKING:
    from sim.model import CommunityModel


class InterventionRecord(NamedTuple):
    """One scenario key changed by the policy timeline."""

    week: int
    key: str
    value: str


class ScheduledChange:
    """One intervention waiting for its week (a strong reference for Mesa's weak event handle)."""

    def __init__(
        self, timeline: "PolicyTimeline", week: int, scenario: Scenario, changes: dict
    ) -> None:
        self.timeline, self.week, self.scenario, self.changes = timeline, week, scenario, changes

    def apply(self) -> None:
        """Put the scenario state of this week in force."""
        self.timeline.apply(self)


class PolicyTimeline:
    """Schedules a scenario's interventions and records them as they are applied."""

    def __init__(self, model: "CommunityModel") -> None:
        self.model = model
        self.records = RecordBook(InterventionRecord)
        scenario = model.params
        states = resolve_timeline(scenario)
        by_week = sorted(scenario.interventions, key=lambda i: i.at_week)
        self.pending = [
            ScheduledChange(self, week, state, intervention.set)
            for (week, state), intervention in zip(states, by_week, strict=True)
        ]
        for change in self.pending:
            model.schedule_event(change.apply, at=change.week - 0.5)

    def apply(self, change: ScheduledChange) -> None:
        """Adopt the new scenario state and record what changed."""
        self.model.adopt(change.scenario)
        for key, value in change.changes.items():
            self.records.add(InterventionRecord(week=change.week, key=key, value=str(value)))
