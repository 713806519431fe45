"""Periodic reports (每日统计、每周小结、月度报告、年度分析) for the city and each county: figures
from the statistics counters, files archived to S3, an HTML email with charts and the .docx and
.xlsx attached, sent to the leaders configured for the region, listed in the console.

Producing is idempotent on the report id: the id is claimed in the report register before
anything is built or sent, so a schedule fired twice (or a retried invocation) sends nothing
twice."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Callable

from ..domain import deadlines
from ..domain import reports as rp
from ..domain import statistics as st
from ..domain.errors import Forbidden, NotFound, ValidationFailed
from ..domain.permissions import CENTRE_ROLES
from . import report_render as render
from .statistics import aggregate, region_warnings


@dataclass
class ReportDeps:
    store: object                      # StatisticsStore
    log: object                        # DynamoReportLog
    archive: object                    # S3ReportArchive
    mailer: object                     # SesMailer
    sender: str
    recipients: Callable[[str], list[str]]
    region_lookup: Callable[[str], dict | None]
    children_of: Callable[[str], list[dict]]
    category_names: dict[str, str]
    kind_names: dict[str, str]
    accounts_by_unit: Callable[[str], dict[str, set]]       # region → {unitId: usernames}
    logged_in: Callable[[str, str], set]                     # (yyyy-mm, unitId) → usernames
    unit_name: Callable[[str], str]
    now: Callable[[], datetime]


def china_today(now: datetime) -> date:
    return now.astimezone(deadlines.CHINA_TZ).date()


def report_regions(city: str, children_of) -> list[str]:
    """The city and each county."""
    return [city] + [c["code"] for c in children_of(city)]


def build(kind: str, region_code: str, start: date, end: date, deps: ReportDeps) -> dict:
    """The report's figures, from counters only (plus the warnings register and, for monthly
    reports, the login records)."""
    region = deps.region_lookup(region_code)
    g = rp.read_granularity(kind)
    now = aggregate(deps.store, region_code, g, start, end)
    p_start, p_end = rp.previous(kind, start)
    before = aggregate(deps.store, region_code, g, p_start, p_end)
    y_start, y_end = rp.a_year_before(kind, start, end)
    year_ago = aggregate(deps.store, region_code, g, y_start, y_end)
    totals = st.with_rates(now["totals"], None)
    previous, last_year = st.with_rates(before["totals"], None), st.with_rates(year_ago["totals"], None)
    compare = ("received", "concluded", "concludedInTime", "overdue", "escalated", "jointMediated",
               "resolvedLocally", "onTimeRate", "satisfaction")
    children = deps.children_of(region_code)
    units = rp.ranking([{"code": c["code"], "name": c["name"],
                         **st.with_rates(now["children"].get(c["code"], {}), None)} for c in children])
    by_category = [{"code": code, "name": name, **st.with_rates(now["categories"].get(code, {}), None),
                    "previous": before["categories"].get(code, {}).get("received", 0),
                    "change": rp.change(now["categories"].get(code, {}).get("received", 0),
                                        before["categories"].get(code, {}).get("received", 0))}
                   for code, name in deps.category_names.items()]
    by_kind = [{"code": code, "name": name, **st.with_rates(now["kinds"].get(code, {}), None)}
               for code, name in deps.kind_names.items()]
    received = lambda agg, dim: {k: v.get("received", 0) for k, v in agg[dim].items()}  # noqa: E731
    risks = [{**r, "dimension": "类别", "name": deps.category_names.get(r["code"], r["code"])}
             for r in rp.rising(received(now, "categories"), received(before, "categories"),
                                totals["received"], previous["received"])]
    names = {c["code"]: c["name"] for c in children}
    risks += [{**r, "dimension": "地区", "name": names.get(r["code"], r["code"])}
              for r in rp.rising(received(now, "children"), received(before, "children"),
                                 totals["received"], previous["received"]) if r["code"] in names]
    overdue = [{**w, "regionName": (deps.region_lookup(w["regionCode"]) or {}).get("name")}
               for w in region_warnings(deps.store, region_code) if "overdue" in w["flags"]]
    report = {
        "id": rp.report_id(kind, start, region_code), "kind": kind, "kindName": rp.KINDS[kind],
        "title": rp.title(kind, start, region["name"]), "regionCode": region_code,
        "regionName": region["name"], "from": start.isoformat(), "to": end.isoformat(),
        "generatedAt": deadlines.iso(deps.now()),
        "totals": totals, "previous": previous, "lastYear": last_year,
        "mom": {m: rp.change(totals[m], previous[m]) for m in compare},
        "yoy": {m: rp.change(totals[m], last_year[m]) for m in compare},
        "byKind": by_kind, "byCategory": by_category, "units": units, "risks": risks,
        "overdueMatters": overdue[:100], "logins": None,
    }
    if kind == "monthly":
        month = start.isoformat()[:7]
        report["logins"] = []
        for unit_id, accounts in sorted(deps.accounts_by_unit(region_code).items()):
            seen = deps.logged_in(month, unit_id)
            everyone = accounts | seen
            report["logins"].append({"unitId": unit_id, "unitName": deps.unit_name(unit_id),
                                     "accounts": len(everyone), "loggedIn": len(seen),
                                     "rate": round(len(seen) / len(everyone), 4) if everyone else None})
    return report


def produce_one(kind: str, region_code: str, start: date, end: date, deps: ReportDeps) -> dict:
    report_id = rp.report_id(kind, start, region_code)
    label = rp.label(kind, start)
    now = deps.now()
    stale = deadlines.iso(now - timedelta(seconds=900))
    if not deps.log.claim(report_id, kind, label, region_code, deadlines.iso(now), stale):
        return {"reportId": report_id, "sent": False, "reason": "already_produced"}
    report = build(kind, region_code, start, end, deps)
    images = render.charts(report)
    html = render.email_html(report)
    files = {"docx": render.docx_bytes(report, images), "xlsx": render.xlsx_bytes(report)}
    keys = {}
    for ext, data, ctype in (("html", html.encode("utf-8"), "text/html; charset=utf-8"),
                             ("docx", files["docx"], render.DOCX), ("xlsx", files["xlsx"], render.XLSX)):
        keys[ext] = f"reports/{region_code}/{kind}/{report_id}.{ext}"
        deps.archive.put(keys[ext], data, ctype)
    recipients = deps.recipients(region_code)
    message_id = None
    if recipients:
        raw = render.mime_message(deps.sender, recipients, report, html, images, files)
        message_id = deps.mailer.send_raw(deps.sender, recipients, raw)
    summary = {m: report["totals"][m] for m in ("received", "concluded", "overdue", "onTimeRate", "satisfaction")}
    deps.log.complete(region_code, kind, label, title=report["title"], period_from=report["from"],
                      period_to=report["to"], files=keys, recipients=recipients, message_id=message_id,
                      sent_at=deadlines.iso(deps.now()), summary=summary)
    return {"reportId": report_id, "sent": bool(message_id), "recipients": recipients}


def produce(kind: str, deps: ReportDeps, city: str, today: date | None = None) -> dict:
    """The schedule's entry point: the last complete period's report for the city and each county."""
    if kind not in rp.KINDS:
        raise ValidationFailed(fields={"kind": "报表类型无效"})
    start, end = rp.period_before(kind, today or china_today(deps.now()))
    results = [produce_one(kind, code, start, end, deps) for code in report_regions(city, deps.children_of)]
    return {"kind": kind, "from": start.isoformat(), "to": end.isoformat(), "reports": results}


# --- the console: list and download ------------------------------------------------------
def _may_read(actor) -> bool:
    return actor.role in CENTRE_ROLES or actor.role in ("admin", "dept_leader")


def _report_region(actor) -> str:
    """City staff read the city's reports, everyone else their county's."""
    return actor.region_code[:4] if len(actor.region_code) == 4 else actor.region_code[:6]


def list_reports(actor, params: dict, deps: ReportDeps) -> dict:
    """`GET /api/staff/reports?regionCode=&kind=`: newest first; one Query."""
    if not _may_read(actor):
        raise Forbidden("只有综治中心（矛调中心）人员、部门负责人和管理员可以查看报表", code="reports_forbidden")
    region = params.get("regionCode") or _report_region(actor)
    if deps.region_lookup(region) is None or len(region) not in (4, 6):
        raise ValidationFailed(fields={"regionCode": "报表按市或县市区生成"})
    if not region.startswith(_report_region(actor)):
        raise Forbidden("该地区不在您的范围内", code="region_out_of_scope")
    kind = params.get("kind")
    if kind and kind not in rp.KINDS:
        raise ValidationFailed(fields={"kind": "报表类型无效"})
    items = [r for r in deps.log.list(region) if r["status"] == "sent" and (not kind or r["kind"] == kind)]
    items.sort(key=lambda r: (r["from"] or "", r["kind"]), reverse=True)
    return {"regionCode": region, "kinds": [{"code": k, "name": n} for k, n in rp.KINDS.items()],
            "items": [{**{k: r[k] for k in ("reportId", "kind", "title", "from", "to", "sentAt", "summary")},
                       "kindName": rp.KINDS[r["kind"]], "recipientCount": len(r["recipients"] or [])}
                      for r in items]}


def download(actor, report_id: str, fmt: str, deps: ReportDeps) -> dict:
    """`GET /api/staff/reports/{reportId}/download?format=docx|xlsx|html` → a short-lived URL."""
    if not _may_read(actor):
        raise Forbidden("只有综治中心（矛调中心）人员、部门负责人和管理员可以查看报表", code="reports_forbidden")
    if fmt not in ("docx", "xlsx", "html"):
        raise ValidationFailed(fields={"format": "格式应为 docx、xlsx 或 html"})
    parsed = rp.parse_report_id(report_id)
    if parsed is None or not parsed[2].startswith(_report_region(actor)):
        raise NotFound("未找到该报表", code="report_not_found")
    kind, label, region = parsed
    record = deps.log.get(region, kind, label)
    if record is None or record["status"] != "sent":
        raise NotFound("未找到该报表", code="report_not_found")
    return {"url": deps.archive.url(record["files"][fmt], f"{report_id}.{fmt}"), "expiresIn": 300}
