"""Use cases the lifecycle state machine runs between staff events: plan the next wait,
keep the wait's task token, record overdue clocks, record a failure.

Step Functions owns time: each wait times out at the matter's nearest running deadline;
a timeout lands here as `mark_overdue`.
"""
from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from datetime import datetime
from typing import Callable

from ..domain import deadlines
from ..domain.errors import Conflict
from ..domain.matter import Event
from .ports import MatterRepository

logger = logging.getLogger(__name__)

# Longest wait handed to Step Functions when no clock runs (the matter still listens for
# staff events); below the service maximum of 99,999,999 s.
IDLE_WAIT_SECONDS = 365 * 24 * 3600


@dataclass
class LifecycleDeps:
    repo: MatterRepository
    now: Callable[[], datetime]
    real_seconds: Callable[[float], float]  # matter-time span → real seconds (clock speed)
    notify: Callable[[object, list[dict]], None] | None = None  # carries out notifications
    directory: object | None = None
    wake: Callable[[str], None] | None = None  # completes a wait token at once
    calendar: deadlines.Calendar = deadlines.CALENDAR_DAYS


def plan_next_wait(matter_id: str, deps: LifecycleDeps) -> dict:
    """How long the execution waits next: until the nearest running clock falls due."""
    loaded = deps.repo.load(matter_id)
    if loaded is None:
        return {"done": True, "reason": "matter_missing", "timeoutSeconds": 1, "version": 0}
    matter, _ = loaded
    if not matter.is_open():
        return {"done": True, "reason": "closed", "timeoutSeconds": 1, "version": matter.version}
    due = deadlines.next_due(matter.clocks)
    if due is None:
        seconds = IDLE_WAIT_SECONDS
    else:
        seconds = deps.real_seconds((due - deps.now()).total_seconds())
    return {"done": False, "timeoutSeconds": max(1, min(IDLE_WAIT_SECONDS, math.ceil(seconds))),
            "version": matter.version}


def store_task_token(matter_id: str, token: str, deps: LifecycleDeps,
                     planned_version: int | None = None, slot: str = "TOKEN") -> dict:
    """Keep the wait's token where staff actions find it. A staff action written after the
    plan was made but before this token existed signalled a spent token; the version tells,
    and the wait is ended at once so the execution plans again from the new state."""
    deps.repo.store_task_token(matter_id, token, deps.now(), slot=slot)
    if planned_version is None or deps.wake is None:
        return {"stored": True, "replanned": False}
    loaded = deps.repo.load(matter_id)
    if loaded is not None and loaded[0].version != planned_version:
        deps.wake(token)
        return {"stored": True, "replanned": True}
    return {"stored": True, "replanned": False}


OVERDUE_TEXT = {
    "accept": "受理已超时",
    "stage_reply": "阶段性回复已超时",
    "conclude": "办结已超时",
}


def mark_overdue(matter_id: str, deps: LifecycleDeps, attempts: int = 5) -> dict:
    """Turn past-due running clocks overdue, with one timeline event. Safe to repeat: a
    clock already overdue does not change again; a concurrent staff edit is re-read."""
    for _ in range(attempts):
        loaded = deps.repo.load(matter_id)
        if loaded is None:
            return {"changed": []}
        matter, events = loaded
        now = deps.now()
        clocks, changed = deadlines.mark_overdue(matter.clocks, now)
        if not changed:
            return {"changed": []}
        matter.clocks = clocks
        matter.event_count += 1
        event = Event(seq=matter.event_count, at=deadlines.iso(now), type="overdue", public=False,
                      text="；".join(OVERDUE_TEXT[c] for c in changed), actor={"kind": "system"},
                      data={"clocks": changed})
        new_events, effects = [event], _overdue_effects(matter)
        if matter.status == "joint_mediation" and "conclude" in changed and deps.directory:
            escalated = _escalate_overdue_joint(matter, now, deps)
            if escalated:
                new_events += escalated.events
                effects += escalated.effects
                matter = escalated.matter
        unit = deps.directory.unit(matter.assigned_unit_id or matter.holder_centre_id) if deps.directory else None
        try:
            deps.repo.save(matter, new_events,
                           matter.public_snapshot(events + new_events, unit["name"] if unit else None))
        except Conflict:
            continue
        if deps.notify:
            deps.notify(matter, effects)
        return {"changed": changed}
    raise Conflict("matter kept changing while recording overdue clocks")


def _overdue_effects(matter) -> list[dict]:
    """督办: an overdue clock is reported to the unit handling the matter and to the centre
    of its level."""
    targets = [u for u in dict.fromkeys([matter.assigned_unit_id, matter.holder_centre_id]) if u]
    return [{"type": "notify_unit", "unitId": u, "reason": "overdue"} for u in targets]


def _escalate_overdue_joint(matter, now, deps):
    """Overdue joint mediation goes to the centre one level up."""
    from ..domain import lifecycle as rules
    from ..domain.errors import Conflict as StateConflict
    try:
        return rules.apply(matter, "escalate", {"note": "联调联处逾期未办结，自动上报"}, None, now,
                           deps.directory, deps.calendar)
    except StateConflict:  # already at the city centre: stays with it, flagged overdue
        return None


def record_failure(matter_id: str, failure: dict, deps: LifecycleDeps) -> dict:
    """No execution dies silently: the failure is logged as an alert and put on the timeline."""
    logger.error("lifecycle failed", extra={"matterId": matter_id, "failure": failure})
    loaded = deps.repo.load(matter_id)
    if loaded is None:
        return {"recorded": False}
    matter, _ = loaded
    matter.event_count += 1
    now = deps.now()
    event = Event(seq=matter.event_count, at=deadlines.iso(now), type="lifecycle_failed",
                  public=False, text="流程执行异常，已通知运维人员", actor={"kind": "system"},
                  data={"error": str(failure.get("Error", ""))[:200],
                        "cause": str(failure.get("Cause", ""))[:1000]})
    deps.repo.save(matter, [event], None)
    return {"recorded": True}
