"""Periodic reports (每日统计、每周小结、月度报告、年度分析): which period a report covers, its id,
and its figures, computed from statistics counters. Pure.

A report covers the last *complete* period before the day it is produced (China dates): a
monthly report produced on 1 December covers November. Its id
(`<kind>-<label>-<regionCode>`) names the period and the region, so producing it twice is
producing the same report: the service claims the id before sending anything.
"""
from __future__ import annotations

from datetime import date, timedelta

from . import statistics as st

KINDS = {"daily": "每日统计", "weekly": "每周小结", "monthly": "月度报告", "annual": "年度分析"}
COMPARED = ("received", "concluded", "concludedInTime", "overdue", "escalated", "jointMediated",
            "resolvedLocally", "satisfactionSum", "satisfactionCount")


def period_before(kind: str, today: date) -> tuple[date, date]:
    """The last complete period before `today`."""
    if kind == "daily":
        day = today - timedelta(days=1)
        return day, day
    if kind == "weekly":
        monday = st.week_start(today) - timedelta(weeks=1)
        return monday, monday + timedelta(days=6)
    if kind == "monthly":
        last = date(today.year, today.month, 1) - timedelta(days=1)
        return date(last.year, last.month, 1), last
    if kind == "annual":
        return date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)
    raise ValueError(kind)


def previous(kind: str, start: date) -> tuple[date, date]:
    """The period just before (环比)."""
    return period_before(kind, start)


def a_year_before(kind: str, start: date, end: date) -> tuple[date, date]:
    """The same period a year earlier (同比): the same day or month, or 52 weeks back."""
    if kind == "weekly":
        s = start - timedelta(weeks=52)
        return s, s + timedelta(days=6)
    if kind == "monthly":
        s = date(start.year - 1, start.month, 1)
        return s, st.month_end(s)

    def back(d: date) -> date:
        return d.replace(year=d.year - 1) if not (d.month == 2 and d.day == 29) else d.replace(year=d.year - 1, day=28)
    return back(start), back(end)


def label(kind: str, start: date) -> str:
    return {"daily": start.isoformat(), "weekly": start.isoformat(),
            "monthly": start.isoformat()[:7], "annual": str(start.year)}[kind]


def report_id(kind: str, start: date, region_code: str) -> str:
    return f"{kind}-{label(kind, start)}-{region_code}"


def parse_report_id(report_id: str) -> tuple[str, str, str] | None:
    parts = report_id.split("-")
    if len(parts) < 3 or parts[0] not in KINDS or not parts[-1].isdigit():
        return None
    return parts[0], "-".join(parts[1:-1]), parts[-1]


def title(kind: str, start: date, region_name: str) -> str:
    if kind == "daily":
        when = f"{start.year}年{start.month}月{start.day}日"
    elif kind == "weekly":
        end = start + timedelta(days=6)
        when = f"{start.year}年{start.month}月{start.day}日至{end.month}月{end.day}日"
    elif kind == "monthly":
        when = f"{start.year}年{start.month}月"
    else:
        when = f"{start.year}年度"
    return f"{region_name}矛盾纠纷多元化解{when}{KINDS[kind]}"


def read_granularity(kind: str) -> str:
    return {"daily": "D", "weekly": "D", "monthly": "M", "annual": "M"}[kind]


def change(now: int | float | None, before: int | float | None) -> float | None:
    """Relative change, None when there is nothing to compare with."""
    if now is None or not before:
        return None
    return round((now - before) / before, 4)


# Rising risks: a category or region whose receipts grew by half again more than the whole did,
# from a base of at least 3 now (small numbers swing too much to mean anything).
RISK_MIN_NOW = 3
RISK_FACTOR = 1.5


def rising(current: dict[str, int], before: dict[str, int], total_now: int, total_before: int) -> list[dict]:
    usual = (total_now / total_before) if total_before else 1.0
    out = []
    for key, now in current.items():
        was = before.get(key, 0)
        if now >= RISK_MIN_NOW and now > max(was, 1) * max(RISK_FACTOR, RISK_FACTOR * usual):
            out.append({"code": key, "now": now, "before": was, "change": change(now, was)})
    return sorted(out, key=lambda r: (-(r["now"] - r["before"]), r["code"]))


def ranking(rows: list[dict]) -> list[dict]:
    """Units (the centres of the child regions) by on-time rate, then satisfaction, then fewer
    overdue; regions with no conclusions rank last."""
    def key(r):
        return (r.get("onTimeRate") is None, -(r.get("onTimeRate") or 0), -(r.get("satisfaction") or 0),
                r.get("overdue", 0), r["code"])
    return [{**r, "rank": i + 1} for i, r in enumerate(sorted(rows, key=key))]
