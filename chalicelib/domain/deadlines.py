"""The "137+2030" rule: which clocks a matter runs and when each falls due.

Pure: time comes in as an argument. Days are counted on the China calendar date
(Asia/Shanghai): "within N days" ends at midnight closing the N-th day after the start,
"the same day" at midnight closing the day of the start. A deployment may count working
days on the official calendar instead (`Calendar("working")`).

A clock is stored as
``{"ruleDueAt", "extendedTo"?, "pausedSeconds", "pausedAt"?, "state", "metAt"?}`` and its
due time is ``max(ruleDueAt, extendedTo) + pausedSeconds``: time spent on expert consultation
or appraisal never counts, an agreed extension only moves the deadline later, and the two
compose in any order.
"""
from __future__ import annotations

from dataclasses import dataclass
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
JOINT_MEDIATION_DAYS = 30
SERVICE_STAGE_REPLY_DAYS = 3
SERVICE_CONCLUDE_DAYS = 7


@dataclass(frozen=True)
class Calendar:
    """`calendar` counts every day; `working` counts official working days (holidays off,
    make-up working days on) from the chinese-calendar data, weekends-only past its years."""
    mode: str = "calendar"

    def is_counted(self, day: date) -> bool:
        if self.mode == "calendar":
            return True
        try:
            import chinese_calendar
            return chinese_calendar.is_workday(day)
        except (NotImplementedError, ImportError):
            return day.weekday() < 5

    def add_days(self, start: date, days: int) -> date:
        """The day on which a period of `days` counted days that begins after `start` ends;
        0 means the start day itself (or the next counted day when it is not counted)."""
        day = start
        if days == 0:
            while not self.is_counted(day):
                day += timedelta(days=1)
            return day
        counted = 0
        while counted < days:
            day += timedelta(days=1)
            if self.is_counted(day):
                counted += 1
        return day


CALENDAR_DAYS = Calendar("calendar")


def end_of_china_day(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=CHINA_TZ).astimezone(timezone.utc)


def due_after_days(start: datetime, days: int, calendar: Calendar = CALENDAR_DAYS) -> datetime:
    """Midnight (China time) closing the `days`-th counted day after `start`'s China date."""
    local_day = start.astimezone(CHINA_TZ).date()
    return end_of_china_day(calendar.add_days(local_day, days))


def conclude_days(kind: str, severity: str | None, joint: bool = False) -> int:
    if joint:
        return JOINT_MEDIATION_DAYS
    if kind == "mediation":
        return MEDIATION_DAYS[severity or "general"]
    return SERVICE_CONCLUDE_DAYS


def _clock(due: datetime) -> dict:
    return {"ruleDueAt": iso(due), "pausedSeconds": 0, "state": "running"}


def initial_clocks(kind: str, severity: str | None, start: datetime,
                   calendar: Calendar = CALENDAR_DAYS) -> dict[str, dict]:
    """Clocks started when a unit receives a matter: mediation is accepted the same day and
    concluded by severity; the four service kinds owe a stage reply in 3 days and a
    conclusion in 7."""
    if kind == "mediation":
        plan = {"accept": 0, "conclude": conclude_days(kind, severity)}
    else:
        plan = {"stage_reply": SERVICE_STAGE_REPLY_DAYS, "conclude": SERVICE_CONCLUDE_DAYS}
    return {name: _clock(due_after_days(start, d, calendar)) for name, d in plan.items()}


def joint_clocks(start: datetime, calendar: Calendar = CALENDAR_DAYS) -> dict[str, dict]:
    """Joint mediation runs one 30-day conclusion clock from the day the centre takes it."""
    return {"conclude": _clock(due_after_days(start, JOINT_MEDIATION_DAYS, calendar))}


def due_at(clock: dict) -> datetime:
    base = parse_iso(clock.get("ruleDueAt") or clock["dueAt"])
    if clock.get("extendedTo"):
        base = max(base, parse_iso(clock["extendedTo"]))
    return base + timedelta(seconds=clock.get("pausedSeconds", 0))


def view_clocks(clocks: dict[str, dict], now: datetime) -> dict[str, dict]:
    """Clocks as a reader sees them now: a running clock past its due time is overdue even
    before the lifecycle has recorded it."""
    out = {}
    for name, c in clocks.items():
        due = due_at(c)
        state = c["state"]
        if state == "running" and due <= now:
            state = "overdue"
        out[name] = {"dueAt": iso(due), "state": state}
    return out


def is_overdue(clocks: dict[str, dict], now: datetime) -> bool:
    return any(c["state"] == "overdue" for c in view_clocks(clocks, now).values())


def next_due(clocks: dict[str, dict]) -> datetime | None:
    """The nearest due time among running clocks: what the lifecycle waits for next."""
    dues = [due_at(c) for c in clocks.values() if c["state"] == "running"]
    return min(dues) if dues else None


def mark_overdue(clocks: dict[str, dict], now: datetime) -> tuple[dict[str, dict], list[str]]:
    """Turn every running clock that is past due into `overdue`; returns the new clocks and
    the names that changed (so a repeated timeout changes nothing)."""
    changed, out = [], {}
    for name, c in clocks.items():
        c = dict(c)
        if c["state"] == "running" and due_at(c) <= now:
            c["state"] = "overdue"
            changed.append(name)
        out[name] = c
    return out, changed


def meet(clocks: dict[str, dict], name: str, now: datetime) -> dict[str, dict]:
    """The duty behind a clock is done. Done in time: `met`; done late: it stays `overdue`
    (the record of lateness is kept) with the time it was done."""
    if name not in clocks:
        return clocks
    out = {k: dict(v) for k, v in clocks.items()}
    c = out[name]
    if c["state"] in ("running", "paused"):
        if c["state"] == "paused":
            c["pausedSeconds"] = c.get("pausedSeconds", 0) + _seconds(c.pop("pausedAt"), now)
        c["state"] = "met" if now <= due_at(c) else "overdue"
    c["metAt"] = iso(now)
    return out


def pause(clocks: dict[str, dict], now: datetime) -> dict[str, dict]:
    """Expert consultation or appraisal starts: running clocks stop."""
    out = {k: dict(v) for k, v in clocks.items()}
    for c in out.values():
        if c["state"] == "running":
            c["state"], c["pausedAt"] = "paused", iso(now)
    return out


def resume(clocks: dict[str, dict], now: datetime) -> dict[str, dict]:
    """The experts are done: paused clocks run again, their deadlines later by the pause."""
    out = {k: dict(v) for k, v in clocks.items()}
    for c in out.values():
        if c["state"] == "paused":
            c["pausedSeconds"] = c.get("pausedSeconds", 0) + _seconds(c.pop("pausedAt"), now)
            c["state"] = "running"
    return out


def extend(clocks: dict[str, dict], new_due: datetime, now: datetime) -> dict[str, dict]:
    """An approved extension of the conclusion period. It never shortens a deadline; an
    overdue conclusion clock whose new deadline lies ahead runs again."""
    out = {k: dict(v) for k, v in clocks.items()}
    c = out["conclude"]
    previous = c.get("extendedTo")
    c["extendedTo"] = iso(max(new_due, parse_iso(previous)) if previous else new_due)
    if c["state"] == "overdue" and "metAt" not in c and due_at(c) > now:
        c["state"] = "running"
    return out


def reassess(clocks: dict[str, dict], kind: str, severity: str, started: datetime,
             calendar: Calendar = CALENDAR_DAYS) -> dict[str, dict]:
    """A new severity changes the conclusion period, counted from when the unit received
    the matter; pauses and extensions already granted still apply."""
    out = {k: dict(v) for k, v in clocks.items()}
    c = out["conclude"]
    c["ruleDueAt"] = iso(due_after_days(started, conclude_days(kind, severity), calendar))
    c.pop("dueAt", None)
    if c["state"] == "overdue" and "metAt" not in c:
        c["state"] = "running"  # mark_overdue records it again if still past due
    return out


def _seconds(since_iso: str, now: datetime) -> int:
    return max(0, int((now - parse_iso(since_iso)).total_seconds()))


def iso(dt: datetime) -> str:
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(s: str) -> datetime:
    return datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
