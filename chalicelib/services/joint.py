"""Use cases of the joint-mediation state machine (联调联处): what it waits for next, and
reminders when the centre or a unit keeps it waiting."""
from __future__ import annotations

import math

from ..domain import deadlines
from ..domain.errors import Conflict
from ..domain.matter import Event
from .lifecycle import LifecycleDeps, store_task_token

PLAN_WITHIN_DAYS = 3      # the centre decides how to proceed
CONFIRM_WITHIN_DAYS = 2   # each participating unit confirms


def plan_step(matter_id: str, deps: LifecycleDeps, joint_round: int | None = None) -> dict:
    """What this round of joint mediation waits for; a round the matter has left is done."""
    loaded = deps.repo.load(matter_id)
    matter = loaded[0] if loaded else None
    if (matter is None or matter.status != "joint_mediation" or not matter.joint
            or (joint_round is not None and matter.joint.get("round") != joint_round)):
        return {"done": True, "name": "none", "timeoutSeconds": 1, "version": 0}
    joint = matter.joint
    if not joint.get("mode"):
        name, days = "plan", PLAN_WITHIN_DAYS
    elif set(joint.get("units", [])) - set(joint.get("confirmed", [])):
        name, days = "confirm", CONFIRM_WITHIN_DAYS
    else:
        return {"done": True, "name": "under_way", "timeoutSeconds": 1, "version": matter.version}
    return {"done": False, "name": name, "version": matter.version,
            "timeoutSeconds": max(1, math.ceil(deps.real_seconds(days * 86400)))}


def store_token(matter_id: str, token: str, deps: LifecycleDeps,
                planned_version: int | None = None) -> dict:
    return store_task_token(matter_id, token, deps, planned_version, slot="JOINT_TOKEN")


def remind(matter_id: str, step: str, deps: LifecycleDeps, attempts: int = 5) -> dict:
    """A reminder on the timeline and by SMS to whoever the step waits for."""
    for _ in range(attempts):
        loaded = deps.repo.load(matter_id)
        if loaded is None:
            return {"reminded": []}
        matter, events = loaded
        joint = matter.joint or {}
        if step == "plan":
            who, text = [matter.holder_centre_id], "联调联处方案尚未确定，请中心尽快组织研判"
        else:
            who = sorted(set(joint.get("units", [])) - set(joint.get("confirmed", [])))
            text = "尚有参与单位未确认联调联处，请尽快确认"
        matter.event_count += 1
        event = Event(seq=matter.event_count, at=deadlines.iso(deps.now()), type="joint_reminder",
                      public=False, text=text, actor={"kind": "system"}, data={"units": who})
        try:
            deps.repo.save(matter, [event], None)
        except Conflict:
            continue
        if deps.notify:
            deps.notify(matter, [{"type": "notify_unit", "unitId": u, "reason": "joint_mediation"}
                                 for u in who if u])
        return {"reminded": who}
    raise Conflict("matter kept changing while recording a reminder")
