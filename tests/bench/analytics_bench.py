"""Analysis-page and report figures at 6,000 and 60,000 matters (issue #6 §6). Not a test.

A year (2026) of synthetic Chenzhou matters is generated in memory with a realistic mix of
kind, category, region and outcome; their counters are computed with the same pure rules the
stream consumer applies (`statistics.all_counters`, which the property tests prove equal to the
live counters) and loaded into moto for the city's partition and one county's. Then:
- DynamoDB calls (and items read) to draw the analysis page for a month and for a year;
- time and peak Python memory to build the city's monthly and annual reports.
"""
from __future__ import annotations

import random
import time
import tracemalloc
from datetime import date, datetime, timedelta, timezone

KINDS = [("mediation", 55), ("complaint", 20), ("livelihood", 12), ("consultation", 8), ("legal_aid", 5)]
CATEGORIES = [("neighbourhood", 16), ("marriage_family", 14), ("labour", 12), ("housing_homestead", 10),
              ("forest_land", 8), ("contract", 7), ("private_lending", 7), ("damages", 6),
              ("traffic_accident", 5), ("property_management", 4), ("land_acquisition", 3),
              ("environment", 2), ("consumer", 2), ("village_affairs", 2), ("business_operation", 1),
              ("medical", 1), ("campus", 1), ("other", 1)]


def _pick(rng, weighted):
    return rng.choices([k for k, _ in weighted], [w for _, w in weighted])[0]


def generate(n: int, seed: int = 6) -> list[dict]:
    from chalicelib import reference
    rng = random.Random(seed)
    villages = [v["code"] for c in reference.region_children("4310") for t in reference.region_children(c["code"])
                for v in reference.region_children(t["code"])]
    start = datetime(2025, 12, 31, 16, 0, tzinfo=timezone.utc)  # 1 January 2026, China time
    out = []
    for i in range(n):
        region = rng.choice(villages)
        received = start + timedelta(seconds=rng.randrange(365 * 86400))
        roll = rng.random()
        status, clock = ("concluded", "met") if roll < 0.75 else ("closed", "met") if roll < 0.85 else \
            ("concluded", "overdue") if roll < 0.9 else ("in_progress", "overdue") if roll < 0.94 else \
            ("in_progress", "running")
        holder = f"centre-{region[:9]}" if rng.random() > 0.06 else f"centre-{region[:6]}"
        out.append({"type": "matter", "matterId": f"M{i:08d}", "trackingCode": f"T{i}", "title": "事项",
                    "kind": _pick(rng, KINDS), "category": _pick(rng, CATEGORIES),
                    "severity": rng.choices(["simple", "general", "major", "significant"], [30, 60, 8, 2])[0],
                    "regionCode": region, "status": status, "receivedAt": received.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "holderCentreId": holder, "clocks": {"conclude": {"state": clock}},
                    "returnCount": int(rng.random() < 0.08), "joint": {"round": 1} if rng.random() < 0.03 else None,
                    "massInvolved": False, "supervised": False,
                    "evaluation": {"rating": rng.choice([3, 4, 5, 5, 5])} if status == "closed" else None})
    return out


def load_counters(counters: dict, partitions: set[str]) -> int:
    """BatchWriteItem the counter items of the given partitions; the number written."""
    from chalicelib import settings
    from chalicelib.adapters import aws
    items = [{"pk": {"S": f"ST#{region}"}, "sk": {"S": sk}, "type": {"S": "stat"},
              **{name: {"N": str(n)} for name, n in counts.items()}}
             for (region, sk), counts in counters.items() if region in partitions]
    ddb = aws.client("dynamodb")
    for i in range(0, len(items), 25):
        pending = {settings.MATTERS_TABLE: [{"PutRequest": {"Item": item}} for item in items[i:i + 25]]}
        while pending:
            pending = ddb.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
    return len(items)


class _Actor:
    role, region_code = "city_centre_leader", "4310"


def page_calls(query: dict) -> dict:
    from chalicelib import wiring
    from chalicelib.services import statistics
    from tests.bench.recording import api_thread_calls
    with api_thread_calls() as calls:
        started = time.perf_counter()
        body = statistics.statistics(_Actor(), query, wiring.statistics_deps())
        elapsed = time.perf_counter() - started
    return {"calls": len(calls), "ops": sorted(set(calls)), "received": body["totals"]["received"],
            "ms": round(elapsed * 1000)}


def report_cost(kind: str, start: date, end: date) -> dict:
    from chalicelib import wiring
    from chalicelib.services import reports
    tracemalloc.start()
    started = time.perf_counter()
    report = reports.build(kind, "4310", start, end, wiring.report_deps())
    from chalicelib.services import report_render as render
    images = render.charts(report)
    render.docx_bytes(report, images)
    render.xlsx_bytes(report)
    render.email_html(report)
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"seconds": round(elapsed, 2), "peakMiB": round(peak / 2 ** 20, 1),
            "received": report["totals"]["received"]}


def run(sizes=(6_000, 60_000)) -> dict:
    import tests.conftest as fixtures
    from chalicelib.domain import statistics as st
    out = {}
    for n in sizes:
        gen = fixtures.aws.__wrapped__() if hasattr(fixtures.aws, "__wrapped__") else fixtures.aws()
        next(gen)
        try:
            matters = generate(n)
            t = time.perf_counter()
            counters = st.all_counters(matters)
            count_seconds = time.perf_counter() - t
            written = load_counters(counters, {"4310", "431002"})
            out[n] = {
                "counterItemsCity+Beihu": written,
                "recountSeconds": round(count_seconds, 2),
                "pageMonth(M)": page_calls({"period": "month", "from": "2026-11-01", "to": "2026-11-30"}),
                "pageMonthByDay(D)": page_calls({"period": "day", "from": "2026-11-01", "to": "2026-11-30"}),
                "pageYear(M)": page_calls({"period": "month", "from": "2026-01-01", "to": "2026-12-31"}),
                "pageYearByWeek(D)": page_calls({"period": "week", "from": "2025-12-29", "to": "2026-12-27"}),
                "monthlyReport": report_cost("monthly", date(2026, 11, 1), date(2026, 11, 30)),
                "annualReport": report_cost("annual", date(2026, 1, 1), date(2026, 12, 31)),
            }
        finally:
            gen.close()
    return out


if __name__ == "__main__":
    import json
    print(json.dumps(run(), ensure_ascii=False, indent=1))
