"""Statistics (研判分析): the stream consumer that keeps the counters, their rebuild, and the
analysis page's figures read from them (never from the matters)."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Callable, Protocol

from ..domain import statistics as st
from ..domain.errors import Forbidden, ValidationFailed
from ..domain.permissions import CENTRE_ROLES


class StatisticsStore(Protocol):
    def apply(self, marker: str, updates: dict, warnings_put: list, warnings_delete: list,
              now_epoch: float) -> bool: ...
    def counters(self, region: str, low: str, high: str) -> list[tuple[str, dict[str, int]]]: ...
    def warnings(self, partition: str, limit: int = 500) -> list[dict]: ...
    def all_matters(self): ...
    def all_counters(self) -> dict: ...
    def all_warnings(self) -> dict: ...
    def write_counter(self, region: str, sk: str, counts: dict) -> None: ...
    def delete_counter(self, region: str, sk: str) -> None: ...
    def write_warning(self, partition: str, entry: dict) -> None: ...
    def delete_warning(self, partition: str, matter_id: str) -> None: ...


def _is_matter(image: dict | None) -> bool:
    return bool(image) and image.get("type") == "matter"


def warning_changes(old: dict | None, new: dict | None) -> tuple[list, list]:
    """Register puts and deletes for one change of a matter (state, not increments: a
    redelivery writes the same entry again)."""
    new_parts = st.warning_partitions(new["regionCode"]) if st.warning_flags(new) else []
    old_parts = st.warning_partitions(old["regionCode"]) if st.warning_flags(old) else []
    puts = []
    if new_parts:
        entry = st.warning_entry(new)
        if not old_parts or st.warning_entry(old) != entry or old_parts != new_parts:
            puts = [(p, entry) for p in new_parts]
    deletes = [(p, old["matterId"]) for p in old_parts if p not in new_parts]
    return puts, deletes


def consume(changes: list[tuple[str, dict | None, dict | None]], store: StatisticsStore,
            now_epoch: float) -> dict:
    """Apply a batch of stream records: each changed matter adds contribution(new) −
    contribution(old) under a marker keyed by the record's eventID, in one transaction, so a
    redelivered record (Lambda retries the whole batch) is skipped, never counted twice."""
    applied = skipped = unchanged = 0
    for event_id, old, new in changes:
        old = old if _is_matter(old) else None
        new = new if _is_matter(new) else None
        if old is None and new is None:
            continue
        updates = st.counter_updates(st.delta(old, new))
        puts, deletes = warning_changes(old, new)
        if not updates and not puts and not deletes:
            unchanged += 1
            continue
        if store.apply(event_id, updates, puts, deletes, now_epoch):
            applied += 1
        else:
            skipped += 1
    return {"applied": applied, "redelivered": skipped, "unchanged": unchanged}


def rebuild(store: StatisticsStore, write: bool = True) -> dict:
    """Recount every counter and the warnings register from the matters and make the stored
    ones equal to it (or, with write=False, only report the differences). An offline job:
    it reads every matter once (docs/analytics.md)."""
    matters = list(store.all_matters())
    expected = st.all_counters(matters)
    stored = store.all_counters()
    wrong = {k for k in expected if stored.get(k) != expected[k]}
    stale = {k for k in stored if k not in expected}
    expected_warnings = {(p, m["matterId"]): st.warning_entry(m) for m in matters
                         if st.warning_flags(m) for p in st.warning_partitions(m["regionCode"])}
    stored_warnings = store.all_warnings()
    wrong_w = {k for k in expected_warnings if stored_warnings.get(k) != expected_warnings[k]}
    stale_w = {k for k in stored_warnings if k not in expected_warnings}
    if write:
        for region, sk in sorted(wrong):
            store.write_counter(region, sk, expected[(region, sk)])
        for region, sk in sorted(stale):
            store.delete_counter(region, sk)
        for key in sorted(wrong_w):
            store.write_warning(key[0], expected_warnings[key])
        for partition, matter_id in sorted(stale_w):
            store.delete_warning(partition, matter_id)
    return {"matters": len(matters), "counterItems": len(expected), "countersRewritten": len(wrong),
            "countersDeleted": len(stale), "warnings": len(expected_warnings),
            "warningsRewritten": len(wrong_w), "warningsDeleted": len(stale_w), "written": write}


# --- the analysis page ------------------------------------------------------------------
MAX_DAYS = {"D": 400, "M": 20 * 366}


@dataclass
class StatisticsDeps:
    store: StatisticsStore
    region_lookup: Callable[[str], dict | None]
    children_of: Callable[[str], list[dict]]
    population: Callable[[str], int | None]
    category_names: dict[str, str]
    kinds: frozenset[str]
    severities: frozenset[str]
    now: Callable[[], datetime]


def _may_see_statistics(actor) -> bool:
    return actor.role in CENTRE_ROLES or actor.role in ("admin", "dept_leader")


def _parse(params: dict, deps: StatisticsDeps, today: date, actor) -> dict:
    errors: dict[str, str] = {}
    period = params.get("period") or "month"
    if period not in st.PERIODS:
        errors["period"] = "统计周期应为 day、week、month 或 year"
        period = "month"
    start, end = st.default_range(period, today)
    for name in ("from", "to"):
        value = params.get(name)
        if value:
            try:
                day = st.parse_day(value)
            except ValueError:
                errors[name] = "日期格式应为 YYYY-MM-DD"
                continue
            start, end = (day, end) if name == "from" else (start, day)
    if start > end:
        errors["to"] = "结束日期不能早于开始日期"
    filters = {}
    for name, allowed in (("kind", deps.kinds), ("category", set(deps.category_names)),
                          ("severity", deps.severities)):
        value = params.get(name)
        if value:
            if value not in allowed:
                errors[name] = "取值无效"
            filters[name] = value
    region = params.get("regionCode") or actor.region_code
    info = deps.region_lookup(region)
    if info is None:
        errors["regionCode"] = "行政区划代码无效"
    if errors:
        raise ValidationFailed(fields=errors)
    if not region.startswith(actor.region_code):
        raise Forbidden("该地区不在您的统计范围内", code="region_out_of_scope")
    g = st.read_granularity(period, start, end)
    if (end - start).days + 1 > MAX_DAYS[g]:
        raise ValidationFailed(fields={"from": "统计区间过长，请缩短区间或改用更粗的周期"})
    return {"period": period, "start": start, "end": end, "filters": filters, "region": info,
            "granularity": g}


def _bounds(g: str, start: date, end: date) -> tuple[str, str]:
    return st.bucket(g, start), st.bucket(g, end) + "#~"


def _add(target: dict, measure: str, n: int) -> None:
    target[measure] = target.get(measure, 0) + n


def statistics(actor, params: dict, deps: StatisticsDeps) -> dict:
    """`GET /api/staff/statistics`: the caller's region (or one below it) over a period, from
    one Query of the region's counters plus one Query of the warnings register."""
    if not _may_see_statistics(actor):
        raise Forbidden("只有综治中心（矛调中心）人员、部门负责人和管理员可以查看研判分析", code="statistics_forbidden")
    today = deps.now().astimezone(st.deadlines.CHINA_TZ).date()
    q = _parse(params, deps, today, actor)
    region, g, period = q["region"], q["granularity"], q["period"]
    low, high = _bounds(g, q["start"], q["end"])
    totals: dict = {}
    children: dict[str, dict] = defaultdict(dict)
    by_category: dict[str, dict] = defaultdict(dict)
    trend: dict[str, dict] = defaultdict(dict)
    heat: dict[tuple[str, str], dict] = defaultdict(dict)
    for sk, counts in deps.store.counters(region["code"], low, high):
        bucket_key, child = sk.split("#", 1)
        label = st.trend_bucket(period, bucket_key)
        for name, n in counts.items():
            parsed = st.parse_attribute(name)
            if not parsed or not n:
                continue
            measure, kind, category, severity = parsed
            if not st.matches(kind, category, severity, q["filters"]):
                continue
            _add(totals, measure, n)
            _add(children[child], measure, n)
            _add(by_category[category], measure, n)
            _add(trend[label], measure, n)
            _add(heat[(child, category)], measure, n)
    child_regions = deps.children_of(region["code"])
    category_codes = list(deps.category_names)
    return {
        "region": {"code": region["code"], "name": region["name"], "level": region["level"],
                   "path": region.get("path"), "parentCode": region.get("parentCode")
                   if region["code"] != actor.region_code else None},
        "period": period, "from": q["start"].isoformat(), "to": q["end"].isoformat(),
        "filters": q["filters"], "granularity": g,
        "measures": [{"code": c, "name": n} for c, n in st.MEASURES.items()],
        "population": deps.population(region["code"]),
        "totals": st.with_rates(totals, deps.population(region["code"])),
        "children": [{"code": c["code"], "name": c["name"], "level": c["level"],
                      "population": deps.population(c["code"]),
                      **st.with_rates(children.get(c["code"], {}), deps.population(c["code"]))}
                     for c in child_regions],
        "direct": st.with_rates(children.get(st.NONE, {}), None),
        "byCategory": [{"code": c, "name": deps.category_names[c],
                        **st.with_rates(by_category.get(c, {}), None)} for c in category_codes],
        "trend": [{"bucket": label, **st.with_rates(trend.get(label, {}), None)}
                  for label in st.trend_labels(period, q["start"], q["end"])],
        "heat": {"categories": [{"code": c, "name": deps.category_names[c]} for c in category_codes],
                 "rows": [{"code": c["code"], "name": c["name"],
                           "cells": [{m: heat.get((c["code"], cat), {}).get(m, 0)
                                      for m in ("received", "concluded", "overdue")}
                                     for cat in category_codes]} for c in child_regions]},
        "warnings": _warnings(region["code"], q["filters"], deps),
    }


def aggregate(store: StatisticsStore, region: str, g: str, start: date, end: date) -> dict:
    """Totals of a region over [start, end] in `g` buckets, also by child, category and kind
    (the periodic reports' figures): one Query."""
    low, high = _bounds(g, start, end)
    out = {"totals": {}, "children": defaultdict(dict), "categories": defaultdict(dict),
           "kinds": defaultdict(dict)}
    for sk, counts in store.counters(region, low, high):
        child = sk.split("#", 1)[1]
        for name, n in counts.items():
            parsed = st.parse_attribute(name)
            if not parsed or not n:
                continue
            measure, kind, category, _ = parsed
            _add(out["totals"], measure, n)
            _add(out["children"][child], measure, n)
            _add(out["categories"][category], measure, n)
            _add(out["kinds"][kind], measure, n)
    return out


def region_warnings(store: StatisticsStore, region: str) -> list[dict]:
    partition = region[:6] if len(region) >= 6 else region[:4]
    return [w for w in store.warnings(partition) if w["regionCode"].startswith(region)]


def _warnings(region: str, filters: dict, deps: StatisticsDeps) -> list[dict]:
    partition = region[:6] if len(region) >= 6 else region[:4]
    out = []
    for w in deps.store.warnings(partition):
        if not w["regionCode"].startswith(region):
            continue
        if not st.matches(w["kind"], w.get("category") or st.NONE, w.get("severity") or st.NONE, filters):
            continue
        out.append({**w, "regionName": (deps.region_lookup(w["regionCode"]) or {}).get("name"),
                    "categoryName": deps.category_names.get(w.get("category") or "", None)})
    return out[:200]
