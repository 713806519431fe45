"""Periodic reports on moto: a generated month of matters, counted by the stream consumer; the
monthly report checked figure by figure against a recount of the matters, mailed through SES with
both attachments (opened with python-docx and openpyxl), archived and listed; fired twice, sent once."""
from __future__ import annotations

import email
import io
import json
import random
import uuid
from datetime import date, datetime, timezone

import pytest
from docx import Document
from openpyxl import load_workbook

from chalicelib import reference, wiring
from chalicelib.adapters.local.bridge import _Context
from chalicelib.domain.matter import Event, Matter
from chalicelib.services import reports

COUNTIES = ["431002", "431003", "431021"]
DUE = {"ruleDueAt": "2027-06-01T00:00:00Z", "pausedSeconds": 0}


def _village(county: str) -> str:
    township = reference.region_children(county)[0]["code"]
    return reference.region_children(township)[0]["code"]


def make_matters(rng: random.Random) -> list[dict]:
    """November 2026 (the report's month), October 2026 (the month before) and November 2025."""
    plan = []
    for month, count in (("2026-11", 30), ("2026-10", 12), ("2025-11", 8)):
        for _ in range(count):
            county = rng.choice(COUNTIES)
            plan.append({"receivedAt": f"{month}-{rng.randint(1, 28):02d}T02:00:00Z",
                         "regionCode": _village(county), "county": county,
                         "category": rng.choice(["labour", "neighbourhood", "contract"]),
                         "kind": rng.choice(["mediation", "complaint"]),
                         "outcome": rng.choice(["open", "in_time", "late", "rated"])})
    return plan


def write(plan: list[dict]) -> None:
    repo, now = wiring.repository(), datetime(2026, 12, 1, tzinfo=timezone.utc)
    for p in plan:
        unique = uuid.uuid4().hex.upper()
        m = Matter(matter_id=f"M{unique}", tracking_code=f"CPT-{unique[:3]}-{unique[3:7]}", kind=p["kind"],
                   title="测试事项", description="测试", region_code=p["regionCode"],
                   applicant={"name": "测试", "phone": "13700000000"}, received_at=p["receivedAt"],
                   clocks={"conclude": {**DUE, "state": "running"}}, category=p["category"],
                   severity="general", status="assigned", holder_centre_id=f"centre-{p['regionCode'][:9]}",
                   phone_hash="h" * 64, event_count=1)
        repo.add_new(m, [Event(1, p["receivedAt"], "received", "已受理", True, {"kind": "system"})], {}, None, now)
        if p["outcome"] != "open":
            m.status = "concluded" if p["outcome"] != "rated" else "closed"
            m.clocks = {"conclude": {**DUE, "state": "overdue" if p["outcome"] == "late" else "met"}}
            if p["outcome"] == "rated":
                m.evaluation = {"rating": 4, "comment": "", "at": p["receivedAt"]}
            repo.save(m, [], None)


@pytest.fixture
def november(aws, stream_pump):
    plan = make_matters(random.Random(6))
    write(plan)
    stream_pump.pump()
    return plan


def sent_messages():
    from moto.ses.models import ses_backends
    return [m for m in ses_backends["123456789012"]["us-east-1"].sent_messages if hasattr(m, "raw_data")]


def attachments(raw: str) -> dict[str, bytes]:
    msg = email.message_from_string(raw)
    return {part.get_filename(): part.get_payload(decode=True) for part in msg.walk()
            if part.get_content_disposition() in ("attachment", "inline") and part.get_filename()}


def test_the_monthly_report_matches_a_recount_and_is_mailed_with_both_attachments(november, aws):
    result = reports.produce("monthly", wiring.report_deps(), "4310", today=date(2026, 12, 1))
    assert result["from"] == "2026-11-01" and result["to"] == "2026-11-30"
    assert len(result["reports"]) == 12 and all(r["sent"] for r in result["reports"])
    city = [m for m in sent_messages() if "郴州市" in email.message_from_string(m.raw_data)["Subject"]
            or "city.leader@jieyou.example.gov.cn" in m.destinations]
    assert len(city) == 1 and set(city[0].destinations) == set(reference.report_recipients("4310"))
    files = attachments(city[0].raw_data)
    assert set(files) == {"categories.png", "units.png", "monthly-2026-11-4310.docx", "monthly-2026-11-4310.xlsx"}
    assert files["categories.png"].startswith(b"\x89PNG")

    nov = [p for p in november if p["receivedAt"].startswith("2026-11")]
    oct_ = [p for p in november if p["receivedAt"].startswith("2026-10")]
    wb = load_workbook(io.BytesIO(files["monthly-2026-11-4310.xlsx"]))
    overall = {row[0]: row[1:] for row in wb["总体"].iter_rows(min_row=2, values_only=True)}
    concluded = [p for p in nov if p["outcome"] != "open"]
    assert overall["受理"] == (len(nov), len(oct_), len(november) - len(nov) - len(oct_))
    assert overall["办结"][0] == len(concluded)
    assert overall["按期办结"][0] == sum(p["outcome"] in ("in_time", "rated") for p in nov)
    assert overall["超期"][0] == sum(p["outcome"] == "late" for p in nov)
    assert overall["满意度总分"][0] == 4 * sum(p["outcome"] == "rated" for p in nov)
    ranking = {row[1]: row for row in wb["单位排名"].iter_rows(min_row=2, values_only=True)}
    for county in COUNTIES:
        mine = [p for p in nov if p["county"] == county]
        assert ranking[county][3] == len(mine)
        assert ranking[county][4] == sum(p["outcome"] != "open" for p in mine)
    ranks = [row[0] for row in wb["单位排名"].iter_rows(min_row=2, values_only=True)]
    assert ranks == list(range(1, 12))
    categories = {row[0]: row[1] for row in wb["类别"].iter_rows(min_row=2, values_only=True)}
    assert categories["劳动争议"] == sum(p["category"] == "labour" for p in nov)
    assert "登录率" in wb.sheetnames

    doc = Document(io.BytesIO(files["monthly-2026-11-4310.docx"]))
    assert doc.paragraphs[0].text == "郴州市矛盾纠纷多元化解2026年11月月度报告"
    first = doc.tables[0]
    received_row = [c.text for c in first.rows[1].cells]
    assert received_row[:4] == ["受理", str(len(nov)), str(len(oct_)), str(len(november) - len(nov) - len(oct_))]
    assert len(doc.inline_shapes) == 2  # both charts are in the document

    s3 = aws.client("s3")
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket="jieyou-local-reports-123456789012")["Contents"]}
    assert "reports/4310/monthly/monthly-2026-11-4310.docx" in keys and len(keys) == 36


def test_a_schedule_fired_twice_sends_each_report_once(november, aws):
    from functions import reports as handler
    first = handler.produce({"kind": "monthly"}, _Context("ReportsFunction"))
    count = len(sent_messages())
    assert count == 12 and all(r["sent"] for r in first["reports"])
    second = handler.produce({"kind": "monthly"}, _Context("ReportsFunction"))
    assert len(sent_messages()) == count
    assert {r.get("reason") for r in second["reports"]} == {"already_produced"}


def test_reports_are_listed_for_the_callers_level_and_downloaded(november, api, staff_token):
    reports.produce("monthly", wiring.report_deps(), "4310", today=date(2026, 12, 1))
    city = {"Authorization": f"Bearer {staff_token('city.leader')}"}
    body = json.loads(api.get("/api/staff/reports", headers=city).body)
    assert [i["reportId"] for i in body["items"]] == ["monthly-2026-11-4310"]
    assert body["items"][0]["summary"]["received"] == sum(p["receivedAt"].startswith("2026-11") for p in november)
    county = {"Authorization": f"Bearer {staff_token('county.leader')}"}
    body = json.loads(api.get("/api/staff/reports", headers=county).body)
    assert [i["reportId"] for i in body["items"]] == ["monthly-2026-11-431002"]
    r = api.get("/api/staff/reports/monthly-2026-11-4310/download?format=xlsx", headers=county)
    assert r.status_code == 404  # the city's report is not a county leader's
    r = api.get("/api/staff/reports/monthly-2026-11-431002/download?format=xlsx", headers=county)
    assert r.status_code == 200 and "monthly-2026-11-431002.xlsx" in json.loads(r.body)["url"]
    assert api.get("/api/staff/reports?regionCode=431003", headers=county).status_code == 403
    dept = {"Authorization": f"Bearer {staff_token('dept.handler')}"}
    assert api.get("/api/staff/reports", headers=dept).status_code == 403
