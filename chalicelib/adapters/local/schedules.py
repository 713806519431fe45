"""EventBridge Scheduler, locally: moto stores schedules but never fires them (DESIGN.md). The
runtime's timer reads the template's `AWS::Scheduler::Schedule` resources and, when a schedule's
time (in its ScheduleExpressionTimezone) has come since the last look, invokes its target
function through the Lambda bridge with the schedule's Input — the same handler the cloud calls.
Times are the runtime's matter clock, so an accelerated clock fires reports sooner."""
from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

logger = logging.getLogger(__name__)
DAYS = {"SUN": 6, "MON": 0, "TUE": 1, "WED": 2, "THU": 3, "FRI": 4, "SAT": 5}


def schedules(template: dict) -> list[dict]:
    out = []
    for lid, res in template["Resources"].items():
        if res.get("Type") != "AWS::Scheduler::Schedule":
            continue
        props = res["Properties"]
        target = props["Target"]
        out.append({"name": lid, "expression": props["ScheduleExpression"],
                    "timezone": props.get("ScheduleExpressionTimezone", "UTC"),
                    "function": target["Arn"]["Fn::GetAtt"][0], "input": json.loads(target.get("Input") or "{}")})
    return out


def _field(spec: str, value: int, names: dict | None = None) -> bool:
    if spec in ("*", "?"):
        return True
    for part in spec.split(","):
        part = (names or {}).get(part, part)
        if str(part) == str(value):
            return True
    return False


def last_fire(expression: str, tz: str, now: datetime) -> datetime | None:
    """The latest time at or before `now` that `cron(min hour dom month dow year)` names.
    Supports numbers, lists, `*`, `?` and day names — what the template uses."""
    if not expression.startswith("cron(") or not expression.endswith(")"):
        return None
    minute, hour, dom, month, dow, _year = expression[5:-1].split()
    local = now.astimezone(ZoneInfo(tz))
    for back in range(0, 400):
        day = (local - timedelta(days=back)).date()
        if not (_field(dom, day.day) and _field(month, day.month) and _field(dow, day.weekday(), DAYS)):
            continue
        at = datetime(day.year, day.month, day.day, int(hour), int(minute), tzinfo=ZoneInfo(tz))
        if at <= local:
            return at
    return None


class ScheduleTimer:
    def __init__(self, template: dict, invoke, now):
        """`invoke(function logical id, event)`; `now()` the runtime's clock (aware datetime)."""
        self.schedules = schedules(template)
        self.invoke = invoke
        self.now = now
        start = now()
        self._last = {s["name"]: last_fire(s["expression"], s["timezone"], start) for s in self.schedules}
        self.fired: list[dict] = []

    def tick(self) -> list[str]:
        """Fire every schedule whose time came since the previous tick (not those that passed
        before the runtime started: a restart does not resend anything, and the handler's
        report ids would refuse to anyway)."""
        fired = []
        current = self.now()
        for s in self.schedules:
            at = last_fire(s["expression"], s["timezone"], current)
            if at is not None and (self._last[s["name"]] is None or at > self._last[s["name"]]):
                self._last[s["name"]] = at
                _, error = self.invoke(s["function"], s["input"])
                self.fired.append({"schedule": s["name"], "at": at.isoformat(), "error": bool(error)})
                fired.append(s["name"])
        return fired
