"""After conclusion, on the real lifecycle ASL: a rating ends the matter's execution; a reopened
matter's execution is woken (or started again) so its fresh deadlines run and go overdue."""
from __future__ import annotations

import json

import pytest

from chalicelib.adapters import clock as clock_module
from chalicelib.adapters.dynamo import DynamoMatterRepository
from tests.workflow.helpers import file, wait_for

PHONE = "13612340000"
MEDIATION = {"kind": "mediation", "title": "承包地边界纠纷", "category": "neighbourhood",
             "description": "两家承包地边界不清，多次争吵。", "regionCode": "431002001001",
             "applicant": {"name": "谭桂香", "phone": PHONE}}
JSON = {"content-type": "application/json"}


def lifecycle_execution(aws, matter_id, generation=1):
    sfn = aws.client("stepfunctions")
    arn = next(m["stateMachineArn"] for m in sfn.list_state_machines()["stateMachines"]
               if m["name"].endswith("matter-lifecycle"))
    return arn.replace(":stateMachine:", ":execution:") + f":{matter_id}-{generation}"


def concluded(api, staff_token, outcome):
    receipt = file(api, MEDIATION)
    headers = {**JSON, "Authorization": f"Bearer {staff_token('township.mediator')}"}
    for body in ({"action": "accept"}, {"action": "conclude", "outcome": outcome,
                                         "answer": "经调解双方仍有分歧", "agreementReached": False}):
        r = api.post(f"/api/staff/matters/{receipt['matterId']}/actions", headers=headers, body=json.dumps(body))
        assert r.status_code == 200, r.body
    return receipt


def citizen(api, receipt, what, body):
    r = api.post(f"/api/matters/{receipt['trackingCode']}/{what}", headers=JSON,
                 body=json.dumps({"phone": PHONE, **body}))
    assert r.status_code == 200, r.body
    return json.loads(r.body)


def test_a_rating_ends_the_lifecycle(api, aws, staff_token):
    receipt = concluded(api, staff_token, "resolved")
    sfn = aws.client("stepfunctions")
    execution = lifecycle_execution(aws, receipt["matterId"])
    assert sfn.describe_execution(executionArn=execution)["status"] == "RUNNING"  # concluded still listens
    citizen(api, receipt, "evaluation", {"rating": 5})
    assert wait_for(lambda: sfn.describe_execution(executionArn=execution)["status"] == "SUCCEEDED")


@pytest.fixture
def faster_clock():
    """Installed after conclusion: two matter-days pass per real second from then on, so the
    reopened matter's 7-day conclusion clock falls due within the test."""
    previous = clock_module._clock
    yield lambda: setattr(clock_module, "_clock", clock_module.Clock(speed=172_800))
    clock_module._clock = previous


def _overdue_marked(matter_id):
    repo = DynamoMatterRepository()

    def check():
        matter, events = repo.load(matter_id)
        marked = [e for e in events if e.type == "overdue" and "conclude" in e.data.get("clocks", [])]
        return matter.clocks["conclude"]["state"] == "overdue" and marked
    return wait_for(check, timeout=60)


def test_a_reopened_matters_fresh_deadline_is_watched_again(api, aws, staff_token, faster_clock):
    receipt = concluded(api, staff_token, "unresolved")
    faster_clock()
    view = citizen(api, receipt, "reopen", {"reason": "对方又越界耕种"})
    assert view["status"] == "in_progress"
    assert _overdue_marked(receipt["matterId"])  # marked by the woken execution, not only at read
    sfn = aws.client("stepfunctions")
    assert sfn.describe_execution(executionArn=lifecycle_execution(aws, receipt["matterId"]))["status"] == "RUNNING"


def test_a_reopened_matter_whose_execution_ended_gets_a_new_one(api, aws, staff_token, faster_clock):
    receipt = concluded(api, staff_token, "partly_resolved")
    sfn = aws.client("stepfunctions")
    first = lifecycle_execution(aws, receipt["matterId"])
    sfn.stop_execution(executionArn=first)
    wait_for(lambda: sfn.describe_execution(executionArn=first)["status"] == "ABORTED")
    faster_clock()
    citizen(api, receipt, "reopen", {"reason": "只解决了一半"})
    second = lifecycle_execution(aws, receipt["matterId"], generation=2)
    assert wait_for(lambda: sfn.describe_execution(executionArn=second)["status"] == "RUNNING")
    assert _overdue_marked(receipt["matterId"])
