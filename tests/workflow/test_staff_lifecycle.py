"""The staff half of the contract, driven as staff would, with the real lifecycle ASL running
on moto: routing, the 137+2030 clocks, returns, joint mediation, escalation, supervision."""
from __future__ import annotations

import json
import threading
import time
from datetime import timedelta

import pytest


from chalicelib.domain import deadlines
from chalicelib.domain.errors import Conflict
from chalicelib.services import staff
from chalicelib.wiring import staff_deps
from tests.workflow.helpers import file, wait_for

VILLAGE = "431002001001"  # 北湖区人民路街道北湖路社区
MEDIATION = {"kind": "mediation", "title": "邻里排水沟纠纷", "description": "邻居改建排水沟，雨水流进我家院子。",
             "regionCode": VILLAGE, "category": "neighbourhood",
             "applicant": {"name": "罗秀英", "phone": "13711112222"},
             "otherParties": [{"name": "邓建军", "phone": "13833334444"}]}
LABOUR_COMPLAINT = {"kind": "complaint", "title": "工地拖欠工资", "description": "在工地干了三个月，老板一直拖欠工资。",
                    "regionCode": VILLAGE, "category": "labour",
                    "applicant": {"name": "唐志强", "phone": "13955556666"}}
CONSULTATION = {"kind": "consultation", "title": "咨询低保政策", "description": "想了解申请低保需要准备什么材料。",
                "regionCode": "431002001", "applicant": {"name": "曹桂兰", "phone": "13677778888"}}


class Staff:
    def __init__(self, api, token):
        self.api, self.headers = api, {"Authorization": f"Bearer {token}",
                                       "content-type": "application/json"}

    def get(self, matter_id):
        r = self.api.get(f"/api/staff/matters/{matter_id}", headers=self.headers)
        return r.status_code, json.loads(r.body)

    def act(self, matter_id, action, **params):
        r = self.api.post(f"/api/staff/matters/{matter_id}/actions", headers=self.headers,
                          body=json.dumps({"action": action, **params}))
        return r.status_code, json.loads(r.body)

    def tasks(self, view="unit"):
        r = self.api.get(f"/api/staff/tasks?view={view}", headers=self.headers)
        return json.loads(r.body)


@pytest.fixture
def as_staff(api, staff_token):
    return lambda who: Staff(api, staff_token(who))


def test_a_simple_mediation_is_accepted_assessed_and_concluded_in_time(api, as_staff):
    receipt = file(api, MEDIATION)
    mediator = as_staff("township.mediator")
    status, matter = mediator.get(receipt["matterId"])
    assert status == 200 and matter["assignedUnitId"] == "pmc-431002001"
    assert "mediation-to-township-committee" == matter["routing"]["ruleId"]
    assert "人民调解委员会" in matter["routing"]["explanation"]
    assert matter["allowedActions"] == ["accept", "assess", "return"]
    assert matter["applicant"]["phone"] == "13711112222"  # the handler sees the parties in full
    _, seen_by_county = as_staff("county.staff").get(receipt["matterId"])  # in scope, not handling
    assert seen_by_county["applicant"]["phone"] == "137****2222"
    assert seen_by_county["otherParties"][0]["phone"] == "138****4444"

    assert mediator.act(receipt["matterId"], "accept")[0] == 200
    assert [t["matterId"] for t in mediator.tasks("mine")["items"]] == [receipt["matterId"]]
    assert mediator.act(receipt["matterId"], "assess", severity="simple")[0] == 200
    status, matter = mediator.act(receipt["matterId"], "conclude", outcome="resolved",
                                  answer="双方同意共同出资改排水沟走向。", agreementReached=True)
    assert status == 200 and matter["status"] == "concluded"
    assert matter["firstHandler"]["unitId"] == "pmc-431002001"
    assert {c["state"] for c in matter["deadlines"].values()} == {"met"}
    assert matter["allowedActions"] == []
    due = deadlines.parse_iso(matter["deadlines"]["conclude"]["dueAt"])
    assert due <= deadlines.parse_iso(matter["receivedAt"]) + timedelta(days=4)

    view = json.loads(api.get(f"/api/matters/{receipt['trackingCode']}?phone=13711112222").body)
    assert view["status"] == "concluded" and view["outcome"]["result"] == "resolved"
    assert [e["type"] for e in view["timeline"]] == ["received", "assigned", "accepted", "concluded"]
    assert "13833334444" not in json.dumps(view)


def test_a_complaint_that_misses_its_stage_reply_is_supervised(api, aws, as_staff, fast_clock):
    receipt = file(api, LABOUR_COMPLAINT)
    handler, centre = as_staff("dept.handler"), as_staff("county.staff")
    status, matter = handler.get(receipt["matterId"])
    assert matter["assignedUnitId"] == "dept-431002-hrss"
    handler.act(receipt["matterId"], "accept")
    matter = wait_for(lambda: (lambda m: m["deadlines"]["stage_reply"]["state"] == "overdue" and m)(
        centre.get(receipt["matterId"])[1]))
    assert "supervise" in matter["allowedActions"]
    assert handler.act(receipt["matterId"], "supervise")[0] == 403  # only centres press
    status, matter = centre.act(receipt["matterId"], "supervise", note="请三日内答复群众")
    assert status == 200 and matter["supervised"] is True
    queue = handler.tasks()["items"]
    assert queue[0]["matterId"] == receipt["matterId"] and queue[0]["overdue"] and queue[0]["supervised"]
    assert wait_for(lambda: [text for _, text in _sms() if "督办" in text])


def _sms():
    from moto.sns.models import sns_backends
    return list(sns_backends["123456789012"]["us-east-1"].sms_messages.values())


def test_a_pause_stops_the_clock_and_an_extension_moves_it(api, as_staff):
    receipt = file(api, LABOUR_COMPLAINT)
    handler, leader = as_staff("dept.handler"), as_staff("dept.leader")
    handler.act(receipt["matterId"], "accept")
    before = deadlines.parse_iso(handler.get(receipt["matterId"])[1]["deadlines"]["conclude"]["dueAt"])
    status, matter = handler.act(receipt["matterId"], "pause", note="委托司法鉴定工伤等级")
    assert status == 200 and matter["deadlines"]["conclude"]["state"] == "paused"
    time.sleep(1.2)
    status, matter = handler.act(receipt["matterId"], "resume")
    after = deadlines.parse_iso(matter["deadlines"]["conclude"]["dueAt"])
    assert after > before and matter["status"] == "in_progress"

    status, body = handler.act(receipt["matterId"], "request_extension", note="双方同意延期协商",
                               newDueAt="2027-06-30T16:00:00Z", partiesAgreed=False)
    assert status == 400 and "partiesAgreed" in body["error"]["fields"]
    handler.act(receipt["matterId"], "request_extension", note="双方同意延期协商",
                newDueAt="2027-06-30T16:00:00Z", partiesAgreed=True)
    assert handler.act(receipt["matterId"], "approve_extension")[0] == 403  # the leader approves
    status, matter = leader.act(receipt["matterId"], "approve_extension")
    assert status == 200
    assert matter["deadlines"]["conclude"]["dueAt"] >= "2027-06-30T16:00:00Z"
    filed = [e for e in matter["timeline"] if e["type"] == "extension_filed"]
    assert filed and "备案" in filed[0]["text"]


def test_a_matter_returned_twice_goes_to_joint_mediation(api, aws, as_staff):
    receipt = file(api, MEDIATION)
    mediator, township_leader = as_staff("township.mediator"), as_staff("township.leader")
    township = as_staff("township.staff")
    assert mediator.act(receipt["matterId"], "return")[0] == 400  # a reason is required
    mediator.act(receipt["matterId"], "return", note="涉及村集体土地，非本委员会职责")
    assert mediator.act(receipt["matterId"], "approve_return")[0] == 403
    status, matter = township_leader.act(receipt["matterId"], "approve_return")
    assert status == 200 and matter["status"] == "received" and matter["returnCount"] == 1
    assert township.act(receipt["matterId"], "dispatch", unitId="dept-9999-none", note="x")[0] == 400
    status, matter = township.act(receipt["matterId"], "dispatch", unitId="pmc-431002001",
                                  note="经核实属邻里纠纷，请继续调解")
    assert status == 200 and matter["status"] == "assigned"
    mediator.act(receipt["matterId"], "return", note="当事人坚持要求上级处理")
    status, matter = township_leader.act(receipt["matterId"], "approve_return")
    assert status == 200 and matter["status"] == "joint_mediation" and matter["returnCount"] == 2
    assert matter["holderCentreId"] == "centre-431002"
    assert set(matter["deadlines"]) == {"conclude"}  # one 30-day clock

    county_leader = as_staff("county.leader")
    sfn = aws.client("stepfunctions")
    joint_arn = next(m["stateMachineArn"] for m in sfn.list_state_machines()["stateMachines"]
                     if m["name"].endswith("joint-mediation"))
    wait_for(lambda: sfn.list_executions(stateMachineArn=joint_arn)["executions"])
    status, matter = county_leader.act(receipt["matterId"], "organize_joint", mode="joint",
                                       unitIds=["pmc-431002001", "dept-431002-hrss"], note="组织联合调处")
    assert status == 200 and matter["joint"]["mode"] == "joint"
    assert as_staff("dept.handler").act(receipt["matterId"], "confirm_joint")[0] == 200
    assert mediator.act(receipt["matterId"], "confirm_joint")[0] == 200
    execution = sfn.list_executions(stateMachineArn=joint_arn)["executions"][0]["executionArn"]
    assert wait_for(lambda: sfn.describe_execution(executionArn=execution)["status"] == "SUCCEEDED")


def test_escalation_climbs_township_county_city_and_stops(api, as_staff):
    receipt = file(api, CONSULTATION)  # no category: the township centre dispatches by hand
    township, county, city = as_staff("township.staff"), as_staff("county.staff"), as_staff("city.staff")
    status, matter = township.get(receipt["matterId"])
    assert matter["status"] == "received" and matter["routing"]["manual"] is True
    assert township.act(receipt["matterId"], "escalate", note="涉及全县政策口径")[1]["holderCentreId"] == "centre-431002"
    assert county.act(receipt["matterId"], "escalate", note="需市级统筹")[1]["holderCentreId"] == "centre-4310"
    status, body = city.act(receipt["matterId"], "escalate", note="再上报")
    assert status == 409 and body["error"]["code"] == "no_upper_centre"
    assert township.act(receipt["matterId"], "dispatch", unitId="pmc-431002001", note="x")[0] == 403


def test_two_staff_concluding_at_once_one_wins(api, as_staff):
    receipt = file(api, MEDIATION)
    mediator = as_staff("township.mediator")
    mediator.act(receipt["matterId"], "accept")
    _, matter = mediator.get(receipt["matterId"])
    body = {"outcome": "resolved", "answer": "已调解", "agreementReached": True, "version": matter["version"]}
    first = mediator.act(receipt["matterId"], "conclude", **body)
    second = mediator.act(receipt["matterId"], "conclude", **body)
    assert (first[0], second[0]) == (200, 409)

    # and a real race through the service: exactly one of two concurrent writes lands
    receipt = file(api, MEDIATION)
    mediator.act(receipt["matterId"], "accept")
    actor = _actor("township.mediator")
    results = []

    def conclude():
        try:
            staff.act(receipt["matterId"], actor, {"action": "conclude", "outcome": "resolved",
                                                   "answer": "已调解", "agreementReached": True},
                      staff_deps())
            results.append("ok")
        except Conflict:
            results.append("conflict")
    threads = [threading.Thread(target=conclude) for _ in range(2)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert sorted(results) == ["conflict", "ok"]


def _actor(username):
    from chalicelib import reference
    from chalicelib.domain.actor import Actor
    a = next(x for x in reference.demo_accounts() if x["username"] == username)
    unit = reference.unit(a["unitId"])
    return Actor(user_id=f"sub-{username}", username=username, name=a["name"], role=a["role"],
                 unit_id=unit["id"], unit_type=unit["type"], unit_level=unit["level"],
                 region_code=a["regionCode"])


def test_staff_of_another_township_get_404(api, as_staff):
    receipt = file(api, MEDIATION)
    stranger = as_staff({"username": "other.township", "password": "Jieyou#2026demo", "name": "外乡镇工作人员",
                         "unitId": "centre-431002002", "role": "township_centre_staff",
                         "regionCode": "431002002"})
    for status, body in (stranger.get(receipt["matterId"]),
                         stranger.act(receipt["matterId"], "accept"),
                         stranger.act(receipt["matterId"], "escalate", note="x")):
        assert status == 404 and body["error"]["code"] == "matter_not_found"
    assert stranger.get("NO-SUCH-MATTER")[1] == stranger.get(receipt["matterId"])[1]
    r = api.get(f"/api/staff/matters/{receipt['matterId']}",
                headers={"Authorization": "Bearer not.a.token"})
    assert r.status_code == 401


def _calls():
    import os
    from pathlib import Path
    folder = Path(os.environ.get("JIEYOU_OUTBOX_DIR", ""))
    return [json.loads(p.read_text()) for p in folder.glob("call-*.json")] if folder.name else []


def test_major_and_mass_matters_warn_the_leaders_once_per_level(api, as_staff, tmp_path, monkeypatch):
    monkeypatch.setenv("JIEYOU_OUTBOX_DIR", str(tmp_path))
    receipt = file(api, {**MEDIATION, "massInvolved": True, "title": "村民集体土地补偿纠纷"})
    county = as_staff("county.leader")
    status, matter = county.get(receipt["matterId"])
    assert matter["status"] == "joint_mediation" and matter["warning"] is True
    assert matter["holderCentreId"] == "centre-431002"
    warned = [text for _, text in _sms() if "预警" in text and receipt["trackingCode"] in text]
    assert len(warned) == 1 and "涉众" in warned[0]
    assert len([c for c in _calls() if receipt["trackingCode"] in c["body"]]) == 1

    # a major matter warns its level once, however often it is reassessed
    receipt = file(api, MEDIATION)
    mediator = as_staff("township.mediator")
    mediator.act(receipt["matterId"], "accept")
    mediator.act(receipt["matterId"], "assess", severity="major")
    mediator.act(receipt["matterId"], "assess", severity="major")
    warned = [text for _, text in _sms() if "预警" in text and receipt["trackingCode"] in text]
    assert len(warned) == 1 and "较大" in warned[0]


def test_overdue_joint_mediation_escalates_to_the_city(api, as_staff, fast_clock):
    receipt = file(api, {**MEDIATION, "massInvolved": True})
    county = as_staff("county.staff")
    matter = wait_for(lambda: (lambda m: m["holderCentreId"] == "centre-4310" and m)(
        county.get(receipt["matterId"])[1]), timeout=20)
    assert matter["status"] == "joint_mediation"
    assert [e for e in matter["timeline"] if e["type"] == "escalated"]
