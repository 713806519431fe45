"""Routing a new matter at intake: the routing rules choose the unit, the lifecycle rules
record it and start its clocks."""
from __future__ import annotations

from datetime import datetime

from ..domain import deadlines, lifecycle
from ..domain.routing import RoutingFacts, route


class Placer:
    def __init__(self, rules, units, directory, calendar: deadlines.Calendar):
        self._rules, self._units, self._directory, self._calendar = rules, units, directory, calendar

    def __call__(self, matter, events: list, now: datetime) -> list[dict]:
        decision = route(RoutingFacts.of(matter), self._rules(), self._units())
        new_events, effects = lifecycle.place_new_matter(matter, decision, now, self._directory,
                                                         self._calendar)
        events.extend(new_events)
        return effects
