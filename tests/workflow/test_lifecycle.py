"""The real matter-lifecycle ASL executed on moto: Step Functions owns the deadlines."""
from __future__ import annotations

import json



from chalicelib.adapters.dynamo import DynamoMatterRepository, TaskTokenRecord, matter_pk
from tests.workflow.helpers import file, wait_for


COMPLAINT = {
    "kind": "complaint", "title": "小区垃圾长期无人清运",
    "description": "小区门口垃圾堆放一周无人清运，气味很大。",
    "regionCode": "431002001001",
    "applicant": {"name": "陈明", "phone": "13912345678"},
}


def execution(aws, matter_id):
    sfn = aws.client("stepfunctions")
    arn = next(m["stateMachineArn"] for m in sfn.list_state_machines()["stateMachines"]
               if m["name"].endswith("matter-lifecycle"))
    return sfn.describe_execution(
        executionArn=arn.replace(":stateMachine:", ":execution:") + f":{matter_id}-1")


def test_intake_starts_a_lifecycle_that_waits_with_a_stored_token(api, aws):
    receipt = file(api, COMPLAINT)
    token = wait_for(lambda: next(iter(TaskTokenRecord.query(matter_pk(receipt["matterId"]))), None))
    assert token.task_token
    assert execution(aws, receipt["matterId"])["status"] == "RUNNING"


def test_missed_deadlines_turn_overdue_and_go_on_the_timeline(api, aws, fast_clock):
    receipt = file(api, COMPLAINT)
    repo = DynamoMatterRepository()

    def overdue_stage_reply():
        matter, events = repo.load(receipt["matterId"])
        return matter.clocks["stage_reply"]["state"] == "overdue" and (matter, events)
    matter, events = wait_for(overdue_stage_reply)
    overdue = [e for e in events if e.type == "overdue"]
    assert overdue and "阶段性回复已超时" in overdue[0].text
    assert not overdue[0].public  # staff see it; the citizen sees the clock state

    # the conclusion clock follows four matter-days later, from the same execution; each
    # clock is recorded overdue exactly once (timeouts have 1 s granularity, so both may
    # land in one event at this clock speed)
    matter, events = wait_for(lambda: (lambda m: m[0].clocks["conclude"]["state"] == "overdue" and m)(
        repo.load(receipt["matterId"])))
    recorded = [c for e in events if e.type == "overdue" for c in e.data["clocks"]]
    assert sorted(recorded) == ["conclude", "stage_reply"]
    assert execution(aws, receipt["matterId"])["status"] == "RUNNING"  # still listening for staff

    view = json.loads(api.get(f"/api/matters/{receipt['trackingCode']}?phone=13912345678").body)
    assert view["overdue"] is True
    assert view["deadlines"]["stage_reply"]["state"] == "overdue"
    assert [e["type"] for e in view["timeline"]] == ["received", "routed"]
