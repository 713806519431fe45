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


def plan_next_wait(matter_id: str, deps: LifecycleDeps) -> dict:
    """How long the execution waits next: until the nearest running clock falls due."""
    loaded = deps.repo.load(matter_id)
    if loaded is None:
        return {"done": True, "reason": "matter_missing", "timeoutSeconds": 1}
    matter, _ = loaded
    if not matter.is_open():
        return {"done": True, "reason": "closed", "timeoutSeconds": 1}
    due = deadlines.next_due(matter.clocks)
    if due is None:
        seconds = IDLE_WAIT_SECONDS
    else:
        seconds = deps.real_seconds((due - deps.now()).total_seconds())
    return {"done": False, "timeoutSeconds": max(1, min(IDLE_WAIT_SECONDS, math.ceil(seconds)))}


def store_task_token(matter_id: str, token: str, deps: LifecycleDeps) -> dict:
    deps.repo.store_task_token(matter_id, token, deps.now())
    return {"stored": True}


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
        try:
            deps.repo.save(matter, [event], matter.public_snapshot(events, unit_name=None))
            return {"changed": changed}
        except Conflict:
            continue
    raise Conflict("matter kept changing while recording overdue clocks")


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
