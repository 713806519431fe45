"""The "137+2030" rule: which clocks a matter runs and when each falls due.

Pure: time comes in as an argument. Days are counted on the China calendar date
(Asia/Shanghai): "within N days" ends at midnight closing the N-th day after receipt,
"the same day" at midnight closing the day of receipt.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

CHINA_TZ = timezone(timedelta(hours=8))

# Clock names and their Chinese labels.
CLOCK_NAMES = {
    "accept": "受理时限",
    "stage_reply": "阶段性回复时限",
    "conclude": "办结时限",
}
CLOCK_STATES = ("running", "paused", "met", "overdue")

MEDIATION_DAYS = {"simple": 3, "general": 7, "major": 20, "significant": 30}
SERVICE_STAGE_REPLY_DAYS = 3
SERVICE_CONCLUDE_DAYS = 7


def end_of_china_day(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=CHINA_TZ).astimezone(timezone.utc)


def due_after_days(start: datetime, days: int) -> datetime:
    """Midnight (China time) closing the `days`-th day after `start`'s China date."""
    local_day = start.astimezone(CHINA_TZ).date()
    return end_of_china_day(local_day + timedelta(days=days))


def initial_clocks(kind: str, severity: str | None, start: datetime) -> dict[str, dict]:
    """Clocks started when a matter is received: mediation accepts the same day and concludes
    by severity; the four service kinds owe a stage reply in 3 days and a conclusion in 7."""
    if kind == "mediation":
        days = MEDIATION_DAYS[severity or "general"]
        plan = {"accept": 0, "conclude": days}
    else:
        plan = {"stage_reply": SERVICE_STAGE_REPLY_DAYS, "conclude": SERVICE_CONCLUDE_DAYS}
    return {name: {"dueAt": iso(due_after_days(start, d)), "state": "running"}
            for name, d in plan.items()}


def view_clocks(clocks: dict[str, dict], now: datetime) -> dict[str, dict]:
    """Clocks as a reader sees them now: a running clock past its due time is overdue
    even before the lifecycle has recorded it."""
    out = {}
    for name, c in clocks.items():
        state = c["state"]
        if state == "running" and parse_iso(c["dueAt"]) <= now:
            state = "overdue"
        out[name] = {"dueAt": c["dueAt"], "state": state}
    return out


def is_overdue(clocks: dict[str, dict], now: datetime) -> bool:
    return any(c["state"] == "overdue" for c in view_clocks(clocks, now).values())


def next_due(clocks: dict[str, dict]) -> datetime | None:
    """The nearest due time among running clocks: what the lifecycle waits for next."""
    dues = [parse_iso(c["dueAt"]) for c in clocks.values() if c["state"] == "running"]
    return min(dues) if dues else None


def mark_overdue(clocks: dict[str, dict], now: datetime) -> tuple[dict[str, dict], list[str]]:
    """Turn every running clock that is past due into `overdue`; returns the new clocks and
    the names that changed (so a repeated timeout changes nothing)."""
    changed = []
    out = {}
    for name, c in clocks.items():
        c = dict(c)
        if c["state"] == "running" and parse_iso(c["dueAt"]) <= now:
            c["state"] = "overdue"
            changed.append(name)
        out[name] = c
    return out, changed


def iso(dt: datetime) -> str:
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(s: str) -> datetime:
    return datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
