"""Mechanisms convened on a cadence through Mesa's event scheduling, switchable mid-run."""

import math
from typing import TYPE_CHECKING, Any

from mesa.time import Schedule

if TYPE_CHECKING:
    from sim.model import CommunityModel


class RecurringMechanism:
    """Base of a mechanism that meets every `cadence_weeks`; reads its settings live.

    Settings are read from `model.params` at each use, so a policy intervention that changes
    them takes effect at once; switching the mechanism off pauses its events and switching it
    back on resumes them one cadence later.
    """

    name = ""  # the mechanism's key in scenario.mechanisms

    def __init__(self, model: "CommunityModel") -> None:
        self.model = model
        self.events = None
        self.start()

    @property
    def spec(self) -> Any:
        """The mechanism's current settings."""
        return getattr(self.model.params.mechanisms, self.name)

    def start(self) -> None:
        """Schedule the meetings from one cadence after now."""
        self.stop()
        cadence = self.spec.cadence_weeks
        first = math.floor(self.model.time) + cadence
        self.events = self.model.schedule_recurring(
            self.convene, Schedule(interval=cadence, start=first)
        )

    def stop(self) -> None:
        """Cancel the meetings still to come."""
        if self.events is not None:
            self.events.stop()
            self.events = None

    def convene(self) -> None:
        """Hold one round of meetings."""
        raise NotImplementedError
