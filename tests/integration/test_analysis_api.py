"""跟踪问效 and 个人中心 through the API: counts match the matters in scope."""
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


@pytest.mark.parametrize("path", ["/api/staff/followup", "/api/staff/me/figures"])
def test_without_a_token_401(aws, api, path):
    assert api.get(path).status_code == 401
