"""研判分析, 跟踪问效 and 个人中心 through the API: counts match the matters in scope."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.adapters import clock
from chalicelib.domain import deadlines
from chalicelib.services import queries
from chalicelib.wiring import repository
from tests.integration.query_seed import seed
from tests.workflow.helpers import file

VILLAGE = "431002001001"
LABOUR = {"kind": "complaint", "title": "工地拖欠工资", "description": "在工地干了三个月，老板一直拖欠工资。",
          "regionCode": VILLAGE, "category": "labour", "applicant": {"name": "唐志强", "phone": "13955556666"}}


@pytest.fixture
def get(api, staff_token):
    def call(who, path):
        r = api.get(path, headers={"Authorization": f"Bearer {staff_token(who)}"})
        return r.status_code, json.loads(r.body)
    return call


def conclude(m, at, late=False):
    m.status = "concluded"
    m.outcome = {"result": "resolved", "answer": "已解决", "agreementReached": None, "at": deadlines.iso(at)}
    m.clocks = {k: {**c, "state": "overdue" if late else "met", "metAt": deadlines.iso(at)} for k, c in m.clocks.items()}
    repository().save(m, [], None)


def test_analysis_counts_the_period_in_scope(aws, get):
    base = datetime(2026, 11, 10, 2, 0, tzinfo=timezone.utc)  # 10:00 China time
    a = seed(kind="complaint", category="labour", region="431002001001", at=base)
    b = seed(kind="mediation", category="neighbourhood", region="431002001013", at=base + timedelta(days=1))
    c = seed(kind="complaint", category="labour", region="431002002013", at=base + timedelta(days=2))
    seed(kind="complaint", region="431003001016", at=base)  # another county
    seed(kind="complaint", region="431002001001", at=base - timedelta(days=5))  # before the period
    conclude(a, base + timedelta(days=1))
    conclude(c, base + timedelta(days=2), late=True)
    status, body = get("county.staff", "/api/staff/analysis?from=2026-11-10&to=2026-11-12")
    assert status == 200, body
    assert body["period"] == {"from": "2026-11-10", "to": "2026-11-12"}
    assert body["scope"] == {"regionCode": "431002", "regionName": "北湖区"}
    t = body["totals"]
    assert (t["received"], t["concluded"], t["open"], t["onTimeRate"]) == (3, 2, 1, 0.5)
    regions = {r["regionCode"]: r for r in body["byRegion"]}
    assert regions["431002001"]["received"] == 2 and regions["431002001"]["concluded"] == 1
    assert regions["431002002"]["received"] == 1 and regions["431002003"]["received"] == 0
    assert [d["date"] for d in body["trend"]] == ["2026-11-10", "2026-11-11", "2026-11-12"]
    assert [d["received"] for d in body["trend"]] == [1, 1, 1]
    assert [d["concluded"] for d in body["trend"]] == [0, 1, 1]
    assert {"code": "labour", "name": "劳动争议", "count": 2} in body["byCategory"]
    assert sum(s["count"] for s in body["byStatus"]) == 3 and body["truncated"] is False
    _, township = get("township.staff", "/api/staff/analysis?from=2026-11-10&to=2026-11-12&kind=complaint")
    assert township["totals"]["received"] == 1
    assert {r["regionCode"] for r in township["byRegion"]} >= {"431002001001", "431002001013"}
    _, dept = get("dept.handler", "/api/staff/analysis?from=2026-11-10&to=2026-11-12")
    assert dept["totals"]["received"] == 2  # the labour complaints routed to 人社局


def test_analysis_says_when_it_read_only_part(aws, get, monkeypatch):
    for i in range(4):
        seed(at=clock.now() - timedelta(days=i))
    monkeypatch.setattr(queries, "ANALYSIS_CAP", 3)
    status, body = get("city.staff", "/api/staff/analysis")
    assert status == 200 and body["truncated"] is True and body["totals"]["received"] == 3
    assert len(body["trend"]) == 30 and body["scope"]["regionCode"] == "4310"


@pytest.mark.parametrize("query,field", [("from=2026-11-31", "from"), ("regionCode=4310", "regionCode"),
                                         ("from=2024-01-01&to=2026-01-01", "to"), ("kind=x", "kind")])
def test_analysis_bad_parameters(aws, get, query, field):
    status, body = get("city.staff", f"/api/staff/analysis?{query}")
    assert status == 400 and field in body["error"]["fields"]


def test_followup_lists_callbacks_supervised_and_unit_rates(aws, get):
    now = clock.now()
    done = seed(kind="complaint", category="labour", at=now - timedelta(days=3))
    late = seed(kind="complaint", category="labour", at=now - timedelta(days=40))
    old = seed(kind="complaint", category="labour", at=now - timedelta(days=60))
    pressed = seed(kind="mediation", category="neighbourhood", at=now - timedelta(days=1))
    conclude(done, now - timedelta(days=1))
    conclude(late, now - timedelta(days=2), late=True)
    conclude(old, now - timedelta(days=45))  # concluded before the 30 days
    pressed.supervised = True
    repository().save(pressed, [], None)
    status, body = get("township.staff", "/api/staff/followup")
    assert status == 200
    assert [r["matterId"] for r in body["concluded"]] == [done.matter_id, late.matter_id]
    assert [r["matterId"] for r in body["supervised"]] == [pressed.matter_id]
    assert body["units"] == [{"unitId": "dept-431002-hrss", "unitName": body["units"][0]["unitName"],
                              "concluded": 2, "onTime": 1, "onTimeRate": 0.5}]
    _, other = get("dept.handler", "/api/staff/followup")
    assert [r["matterId"] for r in other["concluded"]] == [done.matter_id, late.matter_id]
    assert other["supervised"] == []  # the pressed mediation is the committee's, not 人社局's


def test_my_figures_follow_what_i_accepted_and_concluded(aws, api, get, staff_token):
    receipt = file(api, LABOUR)
    headers = {"Authorization": f"Bearer {staff_token('dept.handler')}", "content-type": "application/json"}

    def act(action, **params):
        r = api.post(f"/api/staff/matters/{receipt['matterId']}/actions", headers=headers,
                     body=json.dumps({"action": action, **params}))
        assert r.status_code == 200, r.body
    assert get("dept.handler", "/api/staff/me/figures")[1] == {
        "open": 0, "overdue": 0, "concludedThisMonth": 0, "onTimeThisMonth": 0}
    act("accept")
    assert get("dept.handler", "/api/staff/me/figures")[1]["open"] == 1
    act("conclude", outcome="resolved", answer="已督促企业支付工资。")
    assert get("dept.handler", "/api/staff/me/figures")[1] == {
        "open": 0, "overdue": 0, "concludedThisMonth": 1, "onTimeThisMonth": 1}
    assert get("dept.leader", "/api/staff/me/figures")[1]["concludedThisMonth"] == 0


@pytest.mark.parametrize("path", ["/api/staff/analysis", "/api/staff/followup", "/api/staff/me/figures"])
def test_without_a_token_401(aws, api, path):
    assert api.get(path).status_code == 401
