"""Counting rules of the statistics (研判分析): what one matter contributes to the counters.

Pure. The counters are a function of the matters' *current* images:

    counters = Σ contribution(matter)  over every matter

so the stream consumer adds `contribution(new) − contribution(old)` for each change of a matter
item. The deltas of a matter's successive images telescope to `contribution(final)`, which is
exactly what the rebuild computes from the stored matters; the order in which different matters'
changes arrive does not matter (addition commutes). Together with a per-record marker written in
the same transaction (the service), that makes "live == rebuilt" provable rather than hoped for.

Every fact of a matter is dated by the China date of its receipt (受理口径: "of the matters
received on that day, how many were concluded, in time, overdue, …") and filed under its
current region, kind, category and severity; a reassessed severity moves the whole matter.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

from . import deadlines

# measure code → Chinese name, in display order
MEASURES: dict[str, str] = {
    "received": "受理",
    "concluded": "办结",
    "concludedInTime": "按期办结",
    "overdue": "超期",
    "returned": "退回",
    "escalated": "上报",
    "jointMediated": "联调联处",
    "resolvedLocally": "化解在基层",
    "satisfactionSum": "满意度总分",
    "satisfactionCount": "评价数",
}
CONCLUDED_STATUSES = frozenset({"concluded", "closed"})
WARNING_SEVERITIES = frozenset({"major", "significant"})
NONE = "-"  # the dimension value of a matter with no category or severity
GRANULARITIES = ("D", "M")  # counter buckets kept: day and month (weeks are read as their days)
LEVEL_DIGITS = (("city", 4), ("county", 6), ("township", 9), ("village", 12))


def china_day(iso_utc: str) -> date:
    return deadlines.parse_iso(iso_utc).astimezone(deadlines.CHINA_TZ).date()


def centre_level(centre_id: str | None) -> str | None:
    """`centre-<regionCode>`: the level follows from the code's length (4 city, 6 county,
    9 township), so the rule needs no directory."""
    if not centre_id or not centre_id.startswith("centre-"):
        return None
    digits = len(centre_id[len("centre-"):])
    return {4: "city", 6: "county", 9: "township"}.get(digits)


def contribution(m: dict | None) -> dict[str, int]:
    """What a matter image (the stored item, camelCase attributes) adds to its cell's counters."""
    if not m or m.get("type", "matter") != "matter" or not m.get("receivedAt"):
        return {}
    status = m.get("status")
    clocks = m.get("clocks") or {}
    late = any((c or {}).get("state") == "overdue" for c in clocks.values())
    concluded = status in CONCLUDED_STATUSES
    holder = centre_level(m.get("holderCentreId"))
    # Above the township: the city centre, or the county centre other than a mass-involved
    # matter's joint mediation, which the county organises from intake (not an escalation).
    escalated = holder == "city" or (holder == "county" and not m.get("massInvolved"))
    out = {
        "received": 1,
        "concluded": int(concluded),
        "concludedInTime": int(concluded and not late),
        "overdue": int(late),
        "returned": int(int(m.get("returnCount") or 0) > 0),
        "escalated": int(escalated),
        "jointMediated": int(m.get("joint") is not None),
        "resolvedLocally": int(concluded and holder == "township"),
    }
    rating = (m.get("evaluation") or {}).get("rating")
    if rating is not None:
        out["satisfactionSum"] = int(rating)
        out["satisfactionCount"] = 1
    return {k: v for k, v in out.items() if v}


def cell(m: dict) -> tuple[str, str, str, str, str]:
    """(day, regionCode, kind, category, severity) the matter is counted under."""
    return (china_day(m["receivedAt"]).isoformat(), m["regionCode"], m["kind"],
            m.get("category") or NONE, m.get("severity") or NONE)


def cells(m: dict | None) -> dict[tuple, dict[str, int]]:
    c = contribution(m)
    return {cell(m): c} if c else {}


def delta(old: dict | None, new: dict | None) -> dict[tuple, dict[str, int]]:
    """contribution(new) − contribution(old), cell by cell, zeros left out."""
    out: dict[tuple, dict[str, int]] = defaultdict(dict)
    for sign, image in ((-1, old), (1, new)):
        for key, counts in cells(image).items():
            for measure, n in counts.items():
                out[key][measure] = out[key].get(measure, 0) + sign * n
    return {k: {m: n for m, n in v.items() if n} for k, v in out.items()
            if any(v.values())}


def region_chain(region_code: str) -> list[tuple[str, str]]:
    """(partition region, child) pairs a matter's counts roll up into, city first: a village
    matter counts in the city under its county, in the county under its township, in the
    township under its village and in the village itself under `-`."""
    prefixes = [region_code[:d] for _, d in LEVEL_DIGITS if d <= len(region_code)]
    return [(p, prefixes[i + 1] if i + 1 < len(prefixes) else NONE) for i, p in enumerate(prefixes)]


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def bucket(granularity: str, day: date) -> str:
    if granularity == "D":
        return f"D{day.isoformat()}"
    if granularity == "W":
        return f"W{week_start(day).isoformat()}"
    return f"M{day.year:04d}-{day.month:02d}"


def attribute(measure: str, kind: str, category: str, severity: str) -> str:
    return f"{measure}|{kind}|{category}|{severity}"


def parse_attribute(name: str) -> tuple[str, str, str, str] | None:
    parts = name.split("|")
    return tuple(parts) if len(parts) == 4 and parts[0] in MEASURES else None  # type: ignore[return-value]


def counter_updates(cell_deltas: dict[tuple, dict[str, int]]) -> dict[tuple[str, str], dict[str, int]]:
    """Cell deltas → ADDs per counter item: key (partition region, `<bucket>#<child>`),
    value {attribute: n}. Each cell touches 4 levels × 2 granularities at most."""
    out: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
    for (day_iso, region, kind, category, severity), counts in cell_deltas.items():
        day = date.fromisoformat(day_iso)
        for partition, child in region_chain(region):
            for g in GRANULARITIES:
                item = out[(partition, f"{bucket(g, day)}#{child}")]
                for measure, n in counts.items():
                    name = attribute(measure, kind, category, severity)
                    item[name] = item.get(name, 0) + n
    return {k: {a: n for a, n in v.items() if n} for k, v in out.items() if any(v.values())}


def all_counters(matters) -> dict[tuple[str, str], dict[str, int]]:
    """The brute-force count: every counter item as the matters say it should be."""
    total: dict[tuple, dict[str, int]] = defaultdict(dict)
    for m in matters:
        for key, counts in cells(m).items():
            for measure, n in counts.items():
                total[key][measure] = total[key].get(measure, 0) + n
    return counter_updates(total)


# --- the warnings register (current warnings of the analysis page) --------------------------
def warning_flags(m: dict | None) -> list[str]:
    """Why an open matter is on the warnings list: 重大/较大, 涉众, 超期, 督办."""
    if not m or m.get("type", "matter") != "matter" or m.get("status") in CONCLUDED_STATUSES:
        return []
    flags = []
    if m.get("severity") in WARNING_SEVERITIES:
        flags.append(m["severity"])
    if m.get("massInvolved"):
        flags.append("mass_involved")
    if any((c or {}).get("state") == "overdue" for c in (m.get("clocks") or {}).values()):
        flags.append("overdue")
    if m.get("supervised"):
        flags.append("supervised")
    return flags


def warning_entry(m: dict) -> dict:
    return {"matterId": m["matterId"], "trackingCode": m["trackingCode"], "title": m["title"],
            "kind": m["kind"], "category": m.get("category"), "severity": m.get("severity"),
            "regionCode": m["regionCode"], "status": m["status"], "receivedAt": m["receivedAt"],
            "flags": warning_flags(m)}


def warning_partitions(region_code: str) -> list[str]:
    """The city's and the county's register hold each warning (township scopes filter the
    county's by prefix)."""
    return [region_code[:4], region_code[:6]]


# --- reading: periods, aggregation, rates ---------------------------------------------------
PERIODS = ("day", "week", "month", "year")


def month_end(day: date) -> date:
    nxt = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return nxt - timedelta(days=1)


def default_range(period: str, today: date) -> tuple[date, date]:
    """30 days, 12 weeks, 12 months or 3 years, ending with the current one."""
    if period == "day":
        return today - timedelta(days=29), today
    if period == "week":
        start = week_start(today)
        return start - timedelta(weeks=11), start + timedelta(days=6)
    if period == "month":
        year, month = (today.year, today.month - 11) if today.month == 12 else (today.year - 1, today.month + 1)
        return date(year, month, 1), month_end(today)
    return date(today.year - 2, 1, 1), date(today.year, 12, 31)


def read_granularity(period: str, start: date, end: date) -> str:
    """The coarsest kept bucket that both tiles [start, end] exactly and nests in the trend
    buckets: months for month/year trends over whole months, else days."""
    if period in ("month", "year") and start.day == 1 and end == month_end(end):
        return "M"
    return "D"


def trend_bucket(period: str, bucket_key: str) -> str:
    """A read bucket (`D2026-11-30`, `M2026-11`) → its trend label."""
    g, value = bucket_key[0], bucket_key[1:]
    if period == "year":
        return value[:4]
    if period == "month":
        return value[:7]
    if period == "week":
        return week_start(date.fromisoformat(value)).isoformat() if g == "D" else value
    return value


def trend_labels(period: str, start: date, end: date) -> list[str]:
    """Every trend bucket of the range, empty ones included (a gap in a chart is a zero)."""
    labels, day = [], start
    while day <= end:
        label = trend_bucket(period, bucket("D", day))
        if not labels or labels[-1] != label:
            labels.append(label)
        day += timedelta(days=1)
    return labels


def matches(kind: str, category: str, severity: str, filters: dict) -> bool:
    return all(not filters.get(f) or filters[f] == v
               for f, v in (("kind", kind), ("category", category), ("severity", severity)))


def rates(t: dict) -> dict:
    """Derived figures beside the raw counts (None where the base is zero)."""
    def ratio(a, b, digits=4):
        return round(t.get(a, 0) / t[b], digits) if t.get(b) else None
    return {"onTimeRate": ratio("concludedInTime", "concluded"),
            "overdueRate": ratio("overdue", "received"),
            "conclusionRate": ratio("concluded", "received"),
            "localRate": ratio("resolvedLocally", "concluded"),
            "satisfaction": ratio("satisfactionSum", "satisfactionCount", 2)}


def with_rates(counts: dict, population: int | None) -> dict:
    out = {m: counts.get(m, 0) for m in MEASURES}
    out.update(rates(out))
    if population:
        out["per10k"] = {m: round(out[m] * 10000 / population, 4)
                         for m in ("received", "concluded", "overdue")}
    return out


def parse_day(value: str) -> date:
    return datetime.strptime(value, "%Y-%m-%d").date()
