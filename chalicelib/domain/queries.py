"""Summary queries (汇总查询) over many partitions: filters, keys, cursors and the merge.

Pure: no IO and no clock. The repository fetches pages of one partition; `merge_page` pulls
from several such sources newest first and stops as soon as a page is full, so a city-wide
query reads only as much of each county as the page needs.

Key layout (the `bySummary` index, see docs/data-model.md):
- partition `<kind>#<county>`: the county is the first 6 digits of the region code; a region
  code shorter than that (the city itself) is its own partition.
- sort key `<receivedAt>#<matterId>`: unique, newest last in index order.
"""
from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Callable, Iterable

from . import deadlines
from .errors import ValidationFailed

PAGE_SIZE = 50
COUNTY_DIGITS = 6
_SORT_KEY = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z#[0-9A-Z]{26}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MAX_TOKEN_CHARS = 400


def county_of(region_code: str) -> str:
    """The county a region lies in, or the code itself above county level."""
    return region_code[:COUNTY_DIGITS] if len(region_code) >= COUNTY_DIGITS else region_code


def summary_partition(kind: str, region_code: str) -> str:
    return f"{kind}#{county_of(region_code)}"


def summary_key(received_at: str, matter_id: str) -> str:
    return f"{received_at}#{matter_id}"


@dataclass(frozen=True)
class Filters:
    """A validated summary query. `lower`/`upper` bound the sort key (inclusive, UTC ISO
    prefixes): dates are China dates, so 2026-12-01 starts at 2026-11-30T16:00:00Z."""
    kinds: tuple[str, ...]
    region_code: str | None = None
    category: str | None = None
    status: str | None = None
    severity: str | None = None
    date_from: str | None = None
    date_to: str | None = None
    overdue: bool | None = None
    supervised: bool | None = None
    lower: str = "0"
    upper: str = "9"

    def fingerprint(self) -> str:
        """Ties a cursor to the query it came from: a token of another query is refused."""
        raw = json.dumps([self.kinds, self.region_code, self.category, self.status, self.severity,
                          self.date_from, self.date_to, self.overdue, self.supervised])
        return hashlib.sha256(raw.encode()).hexdigest()[:12]


def _china_day_start(day: date) -> str:
    start = datetime(day.year, day.month, day.day, tzinfo=deadlines.CHINA_TZ)
    return deadlines.iso(start)


def _parse_date(value: str | None, name: str, errors: dict) -> date | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str) or not _DATE.match(value):
        errors[name] = "日期格式应为 YYYY-MM-DD"
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors[name] = "日期无效"
        return None


def _parse_bool(value: str | None, name: str, errors: dict) -> bool | None:
    if value in (None, ""):
        return None
    if value in ("true", "1"):
        return True
    if value in ("false", "0"):
        return False
    errors[name] = "只能是 true 或 false"
    return None


def _parse_code(value: str | None, allowed: Iterable[str], name: str, label: str,
                errors: dict) -> str | None:
    if value in (None, ""):
        return None
    if value not in set(allowed):
        errors[name] = f"{label}无效"
        return None
    return value


QUERY_PARAMS = frozenset({"kind", "regionCode", "category", "status", "severity", "from", "to",
                          "overdue", "supervised", "nextToken"})


def parse_filters(params: dict | None, *, kinds: Iterable[str], categories: Iterable[str],
                  statuses: Iterable[str], severities: Iterable[str],
                  region_exists: Callable[[str], bool], max_days: int | None = None) -> Filters:
    """Query-string parameters → Filters, or ValidationFailed naming each bad parameter."""
    params = params or {}
    errors: dict[str, str] = {}
    unknown = sorted(set(params) - QUERY_PARAMS)
    for name in unknown:
        errors[name] = "不支持的查询参数"
    kind_codes = tuple(kinds)
    kind = _parse_code(params.get("kind"), kind_codes, "kind", "事项类型", errors)
    category = _parse_code(params.get("category"), categories, "category", "类别", errors)
    status = _parse_code(params.get("status"), statuses, "status", "状态", errors)
    severity = _parse_code(params.get("severity"), severities, "severity", "难易级别", errors)
    region = params.get("regionCode") or None
    if region is not None and (not re.fullmatch(r"\d{4,12}", region) or not region_exists(region)):
        errors["regionCode"] = "区域无效"
    d_from = _parse_date(params.get("from"), "from", errors)
    d_to = _parse_date(params.get("to"), "to", errors)
    if d_from and d_to and d_from > d_to:
        errors["to"] = "结束日期不能早于开始日期"
    if max_days and d_from and d_to and (d_to - d_from).days >= max_days:
        errors["to"] = f"时间范围不能超过{max_days}天"
    overdue = _parse_bool(params.get("overdue"), "overdue", errors)
    supervised = _parse_bool(params.get("supervised"), "supervised", errors)
    if errors:
        raise ValidationFailed(fields=errors)
    return Filters(
        kinds=(kind,) if kind else kind_codes, region_code=region, category=category,
        status=status, severity=severity, date_from=params.get("from") or None,
        date_to=params.get("to") or None, overdue=overdue, supervised=supervised,
        lower=_china_day_start(d_from) if d_from else "0",
        upper=_china_day_start(d_to + timedelta(days=1)) if d_to else "9")


def scope_region(actor_region: str, filter_region: str | None) -> str:
    """The region prefix a centre's query covers: its own subtree, narrowed by the filter.
    A filter outside the subtree is a bad parameter (the console never offers it)."""
    if filter_region is None:
        return actor_region
    if filter_region.startswith(actor_region):
        return filter_region
    if actor_region.startswith(filter_region):
        return actor_region  # a filter above the caller's region changes nothing
    raise ValidationFailed(fields={"regionCode": "所选区域不在您的辖区内"})


def partitions(kinds: Iterable[str], region_prefix: str, counties: Iterable[str]) -> list[str]:
    """The summary partitions a region prefix touches: one per kind for a county or below,
    every county (plus the city's own) for the city. Sorted, so a cursor can name them by
    position."""
    if len(region_prefix) >= COUNTY_DIGITS:
        places = [county_of(region_prefix)]
    else:
        places = [region_prefix] + sorted(c for c in counties if c.startswith(region_prefix))
    return sorted(f"{k}#{p}" for k in kinds for p in places)


# --- cursor -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Cursor:
    """Where the previous page stopped: its last consumed sort key, and which sources
    (by position) had nothing older left, so the next page does not ask them again."""
    key: str
    done: frozenset[int] = frozenset()


def encode_cursor(cursor: Cursor | None, fingerprint: str) -> str | None:
    if cursor is None:
        return None
    mask = sum(1 << i for i in cursor.done)
    raw = json.dumps({"k": cursor.key, "d": format(mask, "x"), "f": fingerprint},
                     separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(token: str | None, fingerprint: str, sources: int) -> Cursor | None:
    """The cursor of `nextToken`, or ValidationFailed when it is malformed, forged or from
    another query."""
    if not token:
        return None
    bad = ValidationFailed(fields={"nextToken": "翻页参数无效，请重新查询"})
    if not isinstance(token, str) or len(token) > MAX_TOKEN_CHARS:
        raise bad
    try:
        raw = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        key, mask, fp = raw["k"], int(raw["d"], 16), raw["f"]
    except (ValueError, TypeError, KeyError):
        raise bad from None
    if not isinstance(key, str) or not _SORT_KEY.match(key) or fp != fingerprint:
        raise bad
    if mask < 0 or mask >= (1 << sources):
        raise bad
    return Cursor(key, frozenset(i for i in range(sources) if mask >> i & 1))


# --- filters applied to loaded rows ----------------------------------------------------------

def row_matches(matter, f: Filters, now: datetime, region_prefix: str | None) -> bool:
    """The filters on a loaded matter. The index already applied most of them; they are
    checked again because a unit's pointer list cannot filter on status, and overdue is
    only known now."""
    if matter.kind not in f.kinds:
        return False
    if region_prefix and not matter.region_code.startswith(region_prefix):
        return False
    if f.category and matter.category != f.category:
        return False
    if f.status and matter.status != f.status:
        return False
    if f.severity and matter.severity != f.severity:
        return False
    if f.supervised is not None and bool(matter.supervised) != f.supervised:
        return False
    if f.overdue is not None and deadlines.is_overdue(matter.clocks, now) != f.overdue:
        return False
    key = summary_key(matter.received_at, matter.matter_id)
    return f.lower <= key <= f.upper


# --- merge --------------------------------------------------------------------------------

# fetch(start, limit) → (items [(sort key, payload)] newest first, next start or None,
#                        sort key the next start stands at or None)
Fetch = Callable[[Any, int], tuple[list[tuple[str, Any]], Any, str | None]]


@dataclass
class Source:
    """One partition read newest first, one Query at a time."""
    fetch: Fetch
    buffer: list = field(default_factory=list)
    start: Any = None
    at: str | None = None  # sort key of `start`: nothing unread in this source is newer
    fresh: bool = True  # never fetched: it may hold anything
    done: bool = False

    def frontier(self) -> str | None:
        """The newest key this source may still yield."""
        if self.buffer:
            return self.buffer[0][0]
        if self.done:
            return None
        return "\uffff" if self.fresh else self.at


@dataclass
class MergeResult:
    items: list
    cursor: Cursor | None
    calls: int
    truncated: bool  # stopped at the call budget before the page was full


def merge_page(sources: list[Source], accept: Callable[[Any], bool], page_size: int,
               first_limit: int, next_limit: int, max_calls: int) -> MergeResult:
    """Up to `page_size` accepted payloads, newest first across all sources.

    A source is only read when its unread part could hold the newest remaining item, so
    sources with only old matters cost one Query per page (or none, once done). Stops at
    `max_calls` Queries with a shorter page and a cursor, never with a gap: the cursor is the
    last key consumed, and everything newer in every source was consumed."""
    out: list = []
    calls, last_key, truncated = 0, None, False
    while len(out) < page_size:
        live = [(s.frontier(), i) for i, s in enumerate(sources) if s.frontier() is not None]
        if not live:
            break
        _, i = max(live)
        src = sources[i]
        if src.buffer:
            key, payload = src.buffer.pop(0)
            last_key = key
            if accept(payload):
                out.append(payload)
            continue
        if calls >= max_calls:
            truncated = True
            break
        items, start, at = src.fetch(src.start, first_limit if src.fresh else next_limit)
        calls += 1
        src.buffer.extend(items)
        src.start, src.at, src.fresh = start, at, False
        src.done = start is None
    remaining = any(s.frontier() is not None for s in sources)
    cursor = None
    if remaining and last_key is not None:
        cursor = Cursor(last_key, frozenset(i for i, s in enumerate(sources) if s.frontier() is None))
    elif remaining:  # the budget ran out before anything was consumed: nothing to resume from
        truncated = True
    return MergeResult(out, cursor, calls, truncated)


# --- 分流转办: the suggestion shown beside each matter a centre holds -------------------------

def dispatch_suggestion(facts, units, centre_region: str, rules: list[dict], route, candidates) -> dict | None:
    """What the routing rules would pick for this matter among the units the centre may
    dispatch to (`route`/`candidates` are domain.routing's functions), with the rule and why.
    When no rule names a unit within reach, the nearest fitting candidate, said so."""
    decision = route(facts, [r for r in rules if r["to"]["type"] != "centre"], units)
    reach = candidates(facts, units, centre_region, rules)
    if not decision.manual and any(u["id"] == decision.unit_id for u in reach):
        unit = units.get(decision.unit_id)
        return {"unitId": unit["id"], "unitName": unit["name"], "rule": decision.rule_id,
                "ruleName": decision.rule_name, "explanation": decision.explanation}
    if not reach:
        return None
    unit = reach[0]
    return {"unitId": unit["id"], "unitName": unit["name"], "rule": None, "ruleName": None,
            "explanation": f"无规则命中本中心辖区内的单位，按就近和受理范围建议分派至{unit['name']}"}


# --- 领导批办: whose leaders approve, which matters need a leader's eye -----------------------

LEADERLESS_UNIT_TYPES = frozenset({"mediation_org"})  # as permissions.LEADERLESS_UNIT_TYPES
CLOSED_STATUSES = frozenset({"concluded", "closed"})


def approver_unit_id(matter, unit_lookup: Callable[[str], dict | None]) -> str | None:
    """The unit whose leader must decide a pending return or extension (退回/延期需本单位领导
    审核), as permissions grants it: the assigned unit, or for a unit without leaders (a
    mediation organisation) the centre of its region. None when nothing awaits approval."""
    if not (matter.pending_return or matter.pending_extension) or not matter.assigned_unit_id:
        return None
    unit = unit_lookup(matter.assigned_unit_id) or {}
    if unit.get("type") in LEADERLESS_UNIT_TYPES:
        centre = unit_lookup(f"centre-{unit['regionCode']}")
        return centre["id"] if centre else None
    return matter.assigned_unit_id


def needs_attention(matter, warning: bool) -> bool:
    """An open matter a leader should see: pressed (督办) or warned (分级预警)."""
    return matter.status not in CLOSED_STATUSES and (bool(matter.supervised) or warning)


# --- 研判分析, 跟踪问效, 个人中心: interim aggregates over what the indexes return -----------------

def is_concluded(matter) -> bool:
    return matter.status in CLOSED_STATUSES


def on_time(matter) -> bool:
    """Concluded with no clock ever overdue (a late duty keeps its `overdue` state when met)."""
    return is_concluded(matter) and not any(c.get("state") == "overdue" for c in matter.clocks.values())


def china_date(iso_utc: str) -> str:
    return deadlines.parse_iso(iso_utc).astimezone(deadlines.CHINA_TZ).date().isoformat()


def china_day_start(day: date) -> str:
    return _china_day_start(day)


def rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def default_period(today: date, days: int = 30) -> tuple[str, str]:
    return (today - timedelta(days=days - 1)).isoformat(), today.isoformat()


def unit_rates(matters: list, unit_name: Callable[[str], str | None]) -> list[dict]:
    """跟踪问效: per handling unit, concluded matters and how many in time, best rate first."""
    units: dict[str, list] = {}
    for m in matters:
        if is_concluded(m) and m.assigned_unit_id:
            units.setdefault(m.assigned_unit_id, []).append(m)
    out = [{"unitId": u, "unitName": unit_name(u), "concluded": len(ms),
            "onTime": sum(1 for m in ms if on_time(m)),
            "onTimeRate": rate(sum(1 for m in ms if on_time(m)), len(ms))} for u, ms in units.items()]
    return sorted(out, key=lambda x: (-(x["onTimeRate"] or 0), -x["concluded"], x["unitId"]))
