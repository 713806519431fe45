"""Console queries: 汇总查询 and its export. Lists read indexes only (no Scan); the permission
policy has the last word on every row.

Two access paths (docs/data-model.md):
- centres, village grid workers and admins query their region in the `bySummary` index, one
  partition per kind and county, merged newest first;
- departments and mediation organisations, which have no region subtree, read their unit's
  pointers (`P#<unitId>`) and then the matters those point to.
"""
from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Callable

from .. import reference
from ..domain import deadlines, lifecycle, permissions, queries
from ..domain.errors import Forbidden, ValidationFailed
from ..domain.matter import STATUS_NAMES, Matter
from .staff import _decode_token, _encode_token, facts

UNIT_PATH_ROLES = permissions.UNIT_ROLES
MAX_EXTRA_CALLS = 25  # Queries beyond one per partition before a page is cut short
NARROW_LIMIT = 200  # items per Query when DynamoDB's filter will drop most of them


@dataclass
class QueryDeps:
    repo: Any
    directory: Any
    now: Callable[[], datetime]
    suggest: Callable[[Matter, str], dict | None] = lambda matter, centre_region: None


def parse(params: dict | None, max_days: int | None = None) -> queries.Filters:
    return queries.parse_filters(
        params, kinds=[k["code"] for k in reference.kinds()],
        categories=reference.category_codes(), statuses=STATUS_NAMES,
        severities=reference.severity_codes(),
        region_exists=lambda code: reference.region(code) is not None, max_days=max_days)


def counties() -> list[str]:
    return [c["code"] for c in reference.catalog()["regions"]["children"]]


def _unit_name(directory, unit_id: str | None) -> str | None:
    unit = directory.unit(unit_id) if unit_id else None
    return unit["name"] if unit else None


def row(m: Matter, now: datetime, directory) -> dict:
    """A list item: the work-list row plus what a summary table shows."""
    region = reference.region(m.region_code) or {}
    return {
        "matterId": m.matter_id, "trackingCode": m.tracking_code, "kind": m.kind,
        "title": m.title, "status": m.status, "statusName": STATUS_NAMES[m.status],
        "deadlines": deadlines.view_clocks(m.clocks, now),
        "overdue": deadlines.is_overdue(m.clocks, now), "supervised": m.supervised,
        "warning": lifecycle.warnings_due(m), "severity": m.severity,
        "regionCode": m.region_code, "receivedAt": m.received_at, "category": m.category,
        "channel": m.channel, "assignedUnitId": m.assigned_unit_id,
        "assignedUnitName": _unit_name(directory, m.assigned_unit_id or m.holder_centre_id),
        "regionName": region.get("name"), "regionPath": "".join((region.get("path") or [])[1:]),
        "concludedAt": (m.outcome or {}).get("at"),
        "outcome": ({"result": m.outcome.get("result"), "resultName": lifecycle.OUTCOMES.get(m.outcome.get("result")),
                     "answer": m.outcome.get("answer"), "agreementReached": m.outcome.get("agreementReached")}
                    if m.outcome else None),
    }


@dataclass
class Plan:
    """How one caller's query is read: the sources, their read sizes and the cursor's seal."""
    sources: list[queries.Source]
    fingerprint: str
    first_limit: int
    next_limit: int
    max_calls: int
    region_prefix: str | None


def _seal(*parts: str) -> str:
    """A cursor is valid only for the query and the caller's scope it came from."""
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:12]


def _plan(actor, f: queries.Filters, token: str | None, deps: QueryDeps, page: int) -> Plan:
    if actor.role in UNIT_PATH_ROLES:
        fp = _seal(f.fingerprint(), "unit", actor.unit_id)
        cursor = queries.decode_cursor(token, fp, 1)
        upper = min(f.upper, cursor.key) if cursor else f.upper

        def fetch(start, limit):
            refs, last, at = deps.repo.unit_ref_page(actor.unit_id, f.lower, upper, limit, start,
                                                     kinds=f.kinds, region_prefix=f.region_code,
                                                     category=f.category)
            refs = [(k, mid) for k, mid in refs if not cursor or k != cursor.key]
            found = deps.repo.matters_by_ids([mid for _, mid in refs]) if refs else {}
            return [(k, found[mid]) for k, mid in refs if mid in found], last, at
        src = queries.Source(fetch, done=bool(cursor and 0 in cursor.done))
        return Plan([src], fp, page + 1, max(100, page + 1), 1 + MAX_EXTRA_CALLS, f.region_code)

    prefix = queries.scope_region(actor.region_code, f.region_code)
    parts = queries.partitions(f.kinds, prefix, counties())
    fp = _seal(f.fingerprint(), prefix, *parts)
    cursor = queries.decode_cursor(token, fp, len(parts))
    upper = min(f.upper, cursor.key) if cursor else f.upper
    narrow = len(prefix) > queries.COUNTY_DIGITS
    server_prefix = prefix if narrow else None
    filtered = narrow or any(x is not None for x in (f.category, f.status, f.severity, f.supervised))

    def fetcher(partition):
        def fetch(start, limit):
            items, last, at = deps.repo.summary_page(
                partition, f.lower, upper, limit, start, region_prefix=server_prefix,
                category=f.category, status=f.status, severity=f.severity, supervised=f.supervised)
            return [(k, m) for k, m in items if not cursor or k != cursor.key], last, at
        return fetch
    sources = [queries.Source(fetcher(p), done=bool(cursor and i in cursor.done))
               for i, p in enumerate(parts)]
    first = page + 1 if len(parts) == 1 else max(10, math.ceil(page * 1.5 / len(parts)))
    if filtered:
        first = max(first, NARROW_LIMIT if len(parts) <= 5 else 2 * first)
    return Plan(sources, fp, first, max(NARROW_LIMIT, page + 1) if filtered else page + 1,
                len(parts) + MAX_EXTRA_CALLS, prefix)


def _accept(actor, f: queries.Filters, plan: Plan, deps: QueryDeps, now: datetime):
    def accept(m: Matter) -> bool:
        return (queries.row_matches(m, f, now, plan.region_prefix)
                and permissions.can_view(actor, facts(m, deps.directory, now)))
    return accept


def find(actor, f: queries.Filters, token: str | None, deps: QueryDeps, page: int,
         max_calls: int | None = None) -> tuple[list[Matter], str | None, queries.MergeResult]:
    """One page of matters the caller may view, newest first, and the next page's token."""
    now = deps.now()
    plan = _plan(actor, f, token, deps, page)
    result = queries.merge_page(plan.sources, _accept(actor, f, plan, deps, now), page,
                                plan.first_limit, plan.next_limit, max_calls or plan.max_calls)
    return result.items, queries.encode_cursor(result.cursor, plan.fingerprint), result


def summary(actor, params: dict | None, deps: QueryDeps) -> dict:
    """汇总查询: `{items: [row], nextToken}`."""
    f = parse(params)
    matters, token, _ = find(actor, f, (params or {}).get("nextToken"), deps, queries.PAGE_SIZE)
    now = deps.now()
    return {"items": [row(m, now, deps.directory) for m in matters], "nextToken": token}


EXPORT_CAP = 5000
EXPORT_MAX_CALLS = 400  # Queries an export may make (a 1 MB page holds ~400 matters)
EXPORT_COLUMNS = [  # (header, width)
    ("受理编号", 16), ("事项类型", 14), ("类别", 12), ("标题", 30), ("状态", 12), ("难易级别", 10),
    ("区域", 30), ("承办单位", 30), ("受理渠道", 10), ("受理时间", 18), ("期限", 18),
    ("是否超期", 10), ("是否督办", 10), ("是否预警", 10), ("办结时间", 18), ("办理结果", 10),
    ("办结答复", 40),
]
CHANNEL_NAMES = {"portal": "网上申请", "visit": "走访发现", "phone": "来电", "window": "来访窗口"}


def _china_time(value: str | None) -> str:
    if not value:
        return ""
    return deadlines.parse_iso(value).astimezone(deadlines.CHINA_TZ).strftime("%Y-%m-%d %H:%M")


def export_cells(r: dict) -> list:
    """One exported row, in EXPORT_COLUMNS order, as a person reads it (Chinese, China time)."""
    kinds = {k["code"]: k["name"] for k in reference.kinds()}
    categories = {c["code"]: c["name"] for c in reference.categories()}
    due = (r["deadlines"].get("conclude") or {}).get("dueAt")
    outcome = r["outcome"] or {}
    yes = lambda flag: "是" if flag else "否"  # noqa: E731
    return [r["trackingCode"], kinds.get(r["kind"], r["kind"]), categories.get(r["category"], ""),
            r["title"], r["statusName"], lifecycle.SEVERITY_NAMES.get(r["severity"] or "", ""),
            r["regionPath"] or r["regionName"] or r["regionCode"], r["assignedUnitName"] or "",
            CHANNEL_NAMES.get(r["channel"], r["channel"]), _china_time(r["receivedAt"]),
            _china_time(due), yes(r["overdue"]), yes(r["supervised"]), yes(r["warning"]),
            _china_time(r["concludedAt"]), outcome.get("resultName") or "", outcome.get("answer") or ""]


def export(actor, params: dict | None, deps: QueryDeps, write_xlsx: Callable, client: str | None) -> tuple[bytes, str]:
    """The filtered set as a spreadsheet (at most EXPORT_CAP rows), every matter in it audited
    (action `export`) before the file is handed out. Returns (bytes, file name)."""
    params = {k: v for k, v in (params or {}).items() if k != "nextToken"}
    f = parse(params)
    matters, _, result = find(actor, f, None, deps, EXPORT_CAP + 1, max_calls=EXPORT_MAX_CALLS)
    if len(matters) > EXPORT_CAP or result.cursor is not None or result.truncated:
        raise ValidationFailed(f"导出结果超过{EXPORT_CAP}条，请缩小查询范围后再导出",
                                       code="export_too_large")
    now = deps.now()
    rows = [row(m, now, deps.directory) for m in matters]
    if matters:
        deps.repo.audit_many([m.matter_id for m in matters],
                             {"at": deadlines.iso(now), "action": "export",
                              "actor": actor.as_event_actor(), "client": client})
    body = write_xlsx("汇总查询", [c[0] for c in EXPORT_COLUMNS], [export_cells(r) for r in rows],
                      [c[1] for c in EXPORT_COLUMNS])
    stamp = now.astimezone(deadlines.CHINA_TZ).strftime("%Y%m%d-%H%M")
    return body, f"jieyou-matters-{stamp}.xlsx"


DISPATCH_MAX_CALLS = 5


def dispatch_queue(actor, next_token: str | None, deps: QueryDeps, limit: int = 50) -> dict:
    """分流转办: the matters the caller's centre holds for dispatch, nearest deadline first
    (overdue, then supervised, at the top of each page), each with the routing suggestion."""
    if actor.role not in permissions.CENTRE_ROLES:
        raise Forbidden("只有矛调中心可以分流转办", code="forbidden")
    start = _decode_token(next_token)
    if start is not None and (start.get("queueUnitId") or {}).get("S") != actor.unit_id:
        raise ValidationFailed(fields={"nextToken": "翻页参数无效"})
    now = deps.now()
    matters: list[Matter] = []
    for _ in range(DISPATCH_MAX_CALLS):  # a filtered page may come back short: read on, bounded
        page, start = deps.repo.held_for_dispatch(actor.unit_id, limit - len(matters), start)
        matters += page
        if start is None or len(matters) >= limit:
            break
    centre = deps.directory.unit(actor.unit_id)
    out = []
    for m in matters:
        if m.holder_centre_id != actor.unit_id or not permissions.can_view(actor, facts(m, deps.directory, now)):
            continue
        out.append({**row(m, now, deps.directory), "routing": deps.suggest(m, centre["regionCode"]),
                    "intakeRouting": m.routing})
    out.sort(key=lambda r: (not r["overdue"], not r["supervised"]))
    return {"items": out, "nextToken": _encode_token(start)}


INBOX_LIMIT = 100


def _attention(actor, deps: QueryDeps) -> list[Matter]:
    """Open supervised or warned matters in the caller's scope: a region from the
    `byAttention` index (one Query per county; the city asks each), a unit's own queue."""
    if actor.role in UNIT_PATH_ROLES:
        matters, _ = deps.repo.queue(unit_id=actor.unit_id, limit=INBOX_LIMIT)
        return [m for m in matters if queries.needs_attention(m, lifecycle.warnings_due(m))]
    region = actor.region_code
    if len(region) >= queries.COUNTY_DIGITS:
        narrow = region if len(region) > queries.COUNTY_DIGITS else None
        return deps.repo.attention(queries.county_of(region), narrow, INBOX_LIMIT)
    out: list[Matter] = []
    for county in [region] + [c for c in counties() if c.startswith(region)]:
        out += deps.repo.attention(county, None, INBOX_LIMIT)
    return out


def inbox(actor, deps: QueryDeps) -> dict:
    """领导批办: what awaits this leader's decision and what needs their eye."""
    if not actor.is_leader:
        raise Forbidden("只有领导可以查看领导批办", code="forbidden")
    now = deps.now()

    def allowed(m: Matter, action: str) -> bool:
        return permissions.decide(actor, facts(m, deps.directory, now), action) is permissions.Decision.ALLOW

    pending = deps.repo.awaiting_approval(actor.unit_id, INBOX_LIMIT)
    returns = [{**row(m, now, deps.directory), "pendingReturn": m.pending_return}
               for m in pending if m.pending_return and allowed(m, "approve_return")]
    extensions = [{**row(m, now, deps.directory), "pendingExtension": m.pending_extension}
                  for m in pending if m.pending_extension and allowed(m, "approve_extension")]
    seen = [m for m in _attention(actor, deps) if permissions.can_view(actor, facts(m, deps.directory, now))]
    seen.sort(key=lambda m: m.queue_key())
    return {"returns": returns, "extensions": extensions,
            "supervised": [row(m, now, deps.directory) for m in seen if m.supervised],
            "warnings": [row(m, now, deps.directory) for m in seen if lifecycle.warnings_due(m)]}


FOLLOWUP_WINDOW_DAYS = 90  # matters received this far back are searched for recent conclusions
FOLLOWUP_CAP = 2000


def _today(now: datetime):
    return now.astimezone(deadlines.CHINA_TZ).date()


def _read_all(actor, params: dict, deps: QueryDeps, cap: int, max_days: int | None = None):
    f = parse(params, max_days=max_days)
    matters, _, result = find(actor, f, None, deps, cap, max_calls=EXPORT_MAX_CALLS)
    return f, matters, result.cursor is not None or result.truncated


def followup(actor, deps: QueryDeps) -> dict:
    """跟踪问效: supervised matters, matters concluded in the last 30 days awaiting a callback
    (status concluded), and the handling units' on-time rates over those 30 days."""
    now = deps.now()
    today = _today(now)
    since = queries.china_day_start(today - timedelta(days=29))
    window = {"from": (today - timedelta(days=FOLLOWUP_WINDOW_DAYS - 1)).isoformat(), "to": today.isoformat()}
    _, matters, truncated = _read_all(actor, window, deps, FOLLOWUP_CAP)
    recent = [m for m in matters if queries.is_concluded(m) and (m.outcome or {}).get("at", "") >= since]
    recent.sort(key=lambda m: m.outcome["at"], reverse=True)
    supervised = [m for m in _attention(actor, deps) if m.supervised
                  and permissions.can_view(actor, facts(m, deps.directory, now))]
    return {"supervised": [row(m, now, deps.directory) for m in supervised],
            "concluded": [row(m, now, deps.directory) for m in recent if m.status == "concluded"],
            "units": queries.unit_rates(recent, lambda u: _unit_name(deps.directory, u)),
            "truncated": truncated}


def my_figures(actor, deps: QueryDeps) -> dict:
    """个人中心: the caller's open matters (首接首办, `byHandler`), how many are overdue, and what
    they concluded this month (China time) and how much of it in time (`H#<username>`)."""
    now = deps.now()
    open_matters, start = [], None
    for _ in range(10):  # 500 open matters of one person is far beyond a real workload
        page, start = deps.repo.queue(handler_id=actor.username, limit=50, start=start)
        open_matters += page
        if start is None:
            break
    month_start = queries.china_day_start(_today(now).replace(day=1))
    done = deps.repo.handler_concluded(actor.username, month_start)
    return {"open": len(open_matters),
            "overdue": sum(1 for m in open_matters if deadlines.is_overdue(m.clocks, now)),
            "concludedThisMonth": len(done), "onTimeThisMonth": sum(1 for _, ok in done if ok)}
