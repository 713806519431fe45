"""Every staff and admin route, found by walking the app's route table (so a route added
later is covered without editing this file): no token, a forged token and an expired token
answer 401; a matter outside the caller's scope answers 404, exactly like a missing one."""
from __future__ import annotations

import json
import re
import time

import pytest

from app import app
from tests.integration.test_auth import claims_of, moto_private_key, other_key, sign
from tests.workflow.helpers import file

GUARDED = ("/api/staff/", "/api/admin/")
MATTER = {
    "kind": "mediation", "title": "邻里排水沟纠纷", "description": "邻居修排水沟把水引到我家田里。",
    "regionCode": "431002001001", "category": "neighbourhood",
    "applicant": {"name": "李春花", "phone": "13812345678"},
}
# a township centre in another county (苏仙区): in scope of nothing filed in 北湖区
OUTSIDER = {"username": "outsider.staff", "password": "Jieyou#2026demo", "name": "外区工作人员",
            "role": "county_centre_staff", "unitId": "centre-431003", "regionCode": "431003"}


def guarded_routes() -> list[tuple[str, str]]:
    return sorted((path, method) for path, methods in app.routes.items()
                  if path.startswith(GUARDED) for method in methods)


def call(api, method, path, token=None, body=None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    r = getattr(api, method.lower())(path, headers=headers,
                                     body=json.dumps(body if body is not None else {}))
    return r.status_code, (json.loads(r.body) if r.body else {})


def concrete(path: str, matter_id: str) -> str:
    return re.sub(r"\{[^}]+\}", lambda m: matter_id if m.group(0) == "{matterId}" else "x1",
                  path)


def test_the_route_table_holds_staff_routes():
    routes = guarded_routes()
    assert ("/api/staff/matters/{matterId}", "GET") in routes
    assert ("/api/staff/matters/{matterId}/actions", "POST") in routes


@pytest.mark.parametrize("path,method", guarded_routes())
def test_every_guarded_route_refuses_missing_forged_and_expired_tokens(api, staff_token, path,
                                                                       method):
    good = staff_token("county.staff")
    claims = claims_of(good)
    now = int(time.time())
    target = concrete(path, "01JAAAAAAAAAAAAAAAAAAAAAAA")
    for token in (None, sign(claims, other_key()),
                  sign({**claims, "iat": now - 7200, "exp": now - 3600}, moto_private_key())):
        status, body = call(api, method, target, token)
        assert status == 401, (path, method, status, body)
        assert body["error"]["code"] in {"unauthorized", "invalid_token"}


MATTER_ROUTES = [(p, m) for p, m in guarded_routes() if "{matterId}" in p]


@pytest.mark.parametrize("path,method", MATTER_ROUTES)
def test_a_matter_out_of_scope_answers_404_like_a_missing_one(api, staff_token, path, method):
    receipt = file(api, MATTER)
    outsider = staff_token(OUTSIDER)
    status, body = call(api, method, concrete(path, receipt["matterId"]), outsider,
                        {"action": "accept"})
    assert status == 404, (path, method, status, body)
    assert body["error"]["code"] == "matter_not_found"
    missing, missing_body = call(api, method, concrete(path, "01JAAAAAAAAAAAAAAAAAAAAAAA"),
                                 outsider, {"action": "accept"})
    assert (missing, missing_body["error"]["code"]) == (404, "matter_not_found")
    # the same caller's answer differs for an in-scope staff member: the 404 is about scope
    insider = staff_token("county.staff")
    status, body = call(api, method, concrete(path, receipt["matterId"]), insider, {"action": "accept"})
    # (a record under the matter, such as agreement "x1", may itself be missing: another 404)
    assert status != 404 or body["error"]["code"] != "matter_not_found", (path, method, body)
