"""领导批办: returns and extensions reach the leader who must decide them (the sparse
`byApprover` index), supervised and warned matters the leaders in scope."""
from __future__ import annotations

import json

import pytest

from chalicelib.wiring import repository
from tests.integration.query_seed import seed
from tests.workflow.helpers import file

VILLAGE = "431002001001"
MEDIATION = {"kind": "mediation", "title": "邻里排水沟纠纷", "description": "邻居改建排水沟，雨水流进我家院子。",
             "regionCode": VILLAGE, "category": "neighbourhood",
             "applicant": {"name": "罗秀英", "phone": "13711112222"}}
LABOUR = {"kind": "complaint", "title": "工地拖欠工资", "description": "在工地干了三个月，老板一直拖欠工资。",
          "regionCode": VILLAGE, "category": "labour", "applicant": {"name": "唐志强", "phone": "13955556666"}}


@pytest.fixture
def as_(api, staff_token):
    def who(name):
        headers = {"Authorization": f"Bearer {staff_token(name)}", "content-type": "application/json"}

        class Caller:
            def inbox(self):
                r = api.get("/api/staff/inbox", headers=headers)
                return r.status_code, json.loads(r.body)

            def act(self, matter_id, action, **params):
                r = api.post(f"/api/staff/matters/{matter_id}/actions", headers=headers,
                             body=json.dumps({"action": action, **params}))
                assert r.status_code == 200, r.body
        return Caller()
    return who


def ids(rows):
    return [r["matterId"] for r in rows]


def test_a_mediators_return_waits_for_the_township_leader(aws, api, as_):
    receipt = file(api, MEDIATION)
    mediator = as_("township.mediator")
    mediator.act(receipt["matterId"], "accept")
    mediator.act(receipt["matterId"], "return", note="不属于本委员会受理范围")
    status, box = as_("township.leader").inbox()
    assert status == 200 and ids(box["returns"]) == [receipt["matterId"]]
    assert box["returns"][0]["pendingReturn"]["reason"] == "不属于本委员会受理范围"
    assert as_("county.leader").inbox()[1]["returns"] == []  # not theirs to decide
    as_("township.leader").act(receipt["matterId"], "approve_return")
    assert as_("township.leader").inbox()[1]["returns"] == []  # decided: off the index


def test_an_extension_waits_for_the_departments_leader(aws, api, as_):
    receipt = file(api, LABOUR)
    handler = as_("dept.handler")
    handler.act(receipt["matterId"], "accept")
    handler.act(receipt["matterId"], "request_extension", note="需调取工地考勤",
                newDueAt="2099-12-31T16:00:00Z", partiesAgreed=True)
    status, box = as_("dept.leader").inbox()
    assert status == 200 and ids(box["extensions"]) == [receipt["matterId"]]
    assert box["extensions"][0]["pendingExtension"]["newDueAt"] == "2099-12-31T16:00:00Z"
    assert as_("township.leader").inbox()[1]["extensions"] == []


def test_supervised_and_warned_matters_reach_the_leaders_in_scope(aws, as_):
    pressed = seed(kind="complaint", category="labour", region=VILLAGE)
    pressed.supervised = True
    repository().save(pressed, [], None)
    warned = seed(kind="mediation", category="neighbourhood", region=VILLAGE, mass=True)
    far = seed(kind="mediation", category="neighbourhood", region="431003001016", mass=True)
    for leader in ("township.leader", "county.leader", "city.leader"):
        status, box = as_(leader).inbox()
        assert status == 200 and ids(box["supervised"]) == [pressed.matter_id], leader
        assert warned.matter_id in ids(box["warnings"])
        assert (far.matter_id in ids(box["warnings"])) == (leader == "city.leader")
    assert ids(as_("dept.leader").inbox()[1]["supervised"]) == [pressed.matter_id]  # routed to 人社局


@pytest.mark.parametrize("who", ["township.staff", "dept.handler", "village.worker", "township.mediator", "admin"])
def test_only_leaders(aws, as_, who):
    status, body = as_(who).inbox()
    assert status == 403 and body["error"]["code"] == "forbidden"


def test_without_a_token_401(aws, api):
    assert api.get("/api/staff/inbox").status_code == 401
