"""What the administration routes cost in AWS calls once the process is warm (JWKS, unit
directory): pinned, so a change that adds a read or a Scan shows up here."""
from __future__ import annotations

import pytest

from tests.integration.admin_helpers import Caller
from tests.workflow.helpers import file

MEDIATION = {"kind": "mediation", "title": "邻里排水沟纠纷", "description": "邻居改建排水沟，雨水流进我家院子。",
             "regionCode": "431002001001", "category": "neighbourhood",
             "applicant": {"name": "罗秀英", "phone": "13711112222"}}


@pytest.fixture
def admin(api, staff_token):
    caller = Caller(api, staff_token("admin"))
    assert caller.get("/api/auth/me")[0] == 200  # warm: JWKS and the unit directory
    return caller


def test_admin_routes_stay_within_their_call_budget(api, admin, aws_calls):
    matter_id = file(api, MEDIATION)["matterId"]
    cases = [
        (lambda: admin.get("/api/admin/units?type=mediation_org"), []),
        (lambda: admin.get("/api/admin/units/pmc-431002001"), []),
        (lambda: admin.get("/api/admin/routing"), []),
        (lambda: admin.get(f"/api/staff/matters/{matter_id}/audit"),
         [("dynamodb", "Query"), ("dynamodb", "PutItem"), ("dynamodb", "Query")]),
        (lambda: admin.get("/api/admin/audit?username=admin"), [("dynamodb", "Query")]),
        (lambda: admin.put("/api/admin/units/dept-431002-hrss", {"version": 0, "name": "人社局"}),
         [("dynamodb", "PutItem")]),
        (lambda: admin.get("/api/admin/accounts"), [("cognito-idp", "ListUsers")]),
        (lambda: admin.post("/api/admin/accounts", {"username": "new.one", "name": "新人",
                                                    "role": "mediator", "unitId": "pmc-431002001"}),
         [("cognito-idp", "AdminCreateUser"), ("dynamodb", "GetItem"), ("dynamodb", "PutItem")]),
        (lambda: admin.post("/api/admin/accounts/new.one/disable"),
         [("cognito-idp", "AdminGetUser"), ("cognito-idp", "AdminDisableUser"),
          ("cognito-idp", "AdminUserGlobalSignOut"), ("dynamodb", "GetItem"), ("dynamodb", "PutItem")]),
        (lambda: admin.post("/api/admin/accounts/new.one/reset-password"),
         [("cognito-idp", "AdminGetUser"), ("cognito-idp", "AdminSetUserPassword"),
          ("cognito-idp", "AdminUserGlobalSignOut")]),
    ]
    for call, expected in cases:
        admin.get("/api/admin/routing")  # the directory is warm again after a write
        aws_calls.clear()
        status, body = call()
        assert status in (200, 201), body
        assert aws_calls == expected, (body, aws_calls)
