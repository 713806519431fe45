"""账号管理 through the API on moto's Cognito: who may, within which region, and what the
person created, disabled or reset then sees at the login."""
from __future__ import annotations

import json
import os
import re

import pytest

from chalicelib.adapters.accounts import restore_accounts
from chalicelib.adapters.auth import create_staff_user
from chalicelib.domain.accounts import temporary_password
from tests.integration.admin_helpers import (COUNTY_ADMIN, FORGED, NON_ADMINS, OTHER_COUNTY_ADMIN,
                                             PASSWORD, Caller)

NEW_MEDIATOR = {"username": "new.mediator", "name": "钟晓梅", "role": "mediator", "unitId": "pmc-431002001"}
POLICY = re.compile(r"^(?=.*[A-Z])(?=.*[a-z])(?=.*\d)(?=.*[^A-Za-z0-9]).{10,}$")


@pytest.fixture
def as_(api, staff_token):
    return lambda who: Caller(api, staff_token(who))


def login(api, username, password):
    return Caller(api, None).post("/api/auth/login", {"username": username, "password": password})


def first_login(api, username, temporary):
    """NEW_PASSWORD_REQUIRED, then a password of the person's own: their tokens."""
    status, challenge = login(api, username, temporary)
    assert status == 200 and challenge["challenge"] == "NEW_PASSWORD_REQUIRED", challenge
    status, tokens = Caller(api, None).post("/api/auth/password", {
        "username": username, "session": challenge["session"], "newPassword": "Mein#Eigenes2026"})
    assert status == 200, tokens
    return tokens


def test_a_created_account_signs_in_sets_its_password_and_works_in_its_unit(api, as_):
    status, created = as_("admin").post("/api/admin/accounts", {**NEW_MEDIATOR, "phone": "13912345678"})
    assert status == 201, created
    assert created["username"] == "new.mediator" and created["status"] == "FORCE_CHANGE_PASSWORD"
    assert created["roleName"] == "调解员" and created["unitName"] == "北湖区人民路街道人民调解委员会"
    assert POLICY.match(created["temporaryPassword"]) and created["enabled"] is True

    tokens = first_login(api, "new.mediator", created["temporaryPassword"])
    status, me = Caller(api, tokens["idToken"]).get("/api/auth/me")
    assert status == 200
    assert (me["role"], me["unitId"], me["regionCode"], me["name"]) == \
        ("mediator", "pmc-431002001", "431002001", "钟晓梅")

    status, listed = as_("admin").get("/api/admin/accounts?unitId=pmc-431002001")
    mine = [a for a in listed["items"] if a["username"] == "new.mediator"]
    assert mine and mine[0]["status"] == "CONFIRMED" and mine[0]["phone"] == "13912345678"


def test_a_village_worker_names_the_village_and_roles_must_fit_the_unit(api, as_):
    admin = as_("admin")
    worker = {"username": "grid.two", "name": "网格员二", "role": "village_worker",
              "unitId": "centre-431002001", "regionCode": "431002001002"}
    status, created = admin.post("/api/admin/accounts", worker)
    assert status == 201 and created["regionCode"] == "431002001002"
    for body, field in [({**worker, "username": "grid.three", "regionCode": None}, "regionCode"),
                        ({**NEW_MEDIATOR, "role": "county_centre_staff"}, "role"),  # not in a committee
                        ({**NEW_MEDIATOR, "role": "dept_handler"}, "role"),
                        ({**NEW_MEDIATOR, "role": "chief"}, "role"),
                        ({**NEW_MEDIATOR, "unitId": "pmc-nowhere"}, "unitId"),
                        ({**NEW_MEDIATOR, "username": "X"}, "username"),
                        ({**NEW_MEDIATOR, "name": ""}, "name"),
                        ({**NEW_MEDIATOR, "phone": "12345"}, "phone")]:
        status, body = admin.post("/api/admin/accounts", body)
        assert status == 400 and field in body["error"]["fields"], (field, body)
    status, body = admin.post("/api/admin/accounts", {**worker, "name": "重名"})
    assert status == 409 and body["error"]["code"] == "username_taken"


def test_only_admins_may_and_only_with_a_valid_token(api, as_):
    routes = [("get", "/api/admin/accounts"), ("post", "/api/admin/accounts"),
              ("post", "/api/admin/accounts/county.staff/disable"),
              ("post", "/api/admin/accounts/county.staff/enable"),
              ("post", "/api/admin/accounts/county.staff/reset-password")]
    for method, path in routes:
        for caller in (Caller(api, None), Caller(api, FORGED)):
            args = (path,) if method == "get" else (path, NEW_MEDIATOR)
            assert getattr(caller, method)(*args)[0] == 401, path
    for who in NON_ADMINS:
        caller = as_(who)
        for method, path in routes:
            args = (path,) if method == "get" else (path, NEW_MEDIATOR)
            status, body = getattr(caller, method)(*args)
            assert (status, body["error"]["code"]) == (403, "forbidden"), (who, path)


def test_a_county_admin_sees_and_manages_only_its_county(api, as_, staff_token):
    for who in ("county.staff", "dept.handler", "city.staff"):
        staff_token(who)  # into the pool
    beihu = Caller(api, staff_token(COUNTY_ADMIN))
    suxian = Caller(api, staff_token(OTHER_COUNTY_ADMIN))
    status, listed = beihu.get("/api/admin/accounts")
    names = {a["username"] for a in listed["items"]}
    assert status == 200 and {"county.staff", "dept.handler", "beihu.admin"} <= names
    assert not names & {"city.staff", "suxian.admin", "admin"}
    assert {a["username"] for a in suxian.get("/api/admin/accounts")[1]["items"]} == {"suxian.admin"}

    status, body = suxian.post("/api/admin/accounts/county.staff/disable")
    assert status == 404 and body["error"]["code"] == "account_not_found"
    assert suxian.post("/api/admin/accounts/county.staff/reset-password")[0] == 404
    status, body = suxian.post("/api/admin/accounts", NEW_MEDIATOR)  # a 北湖区 committee
    assert status == 400 and "unitId" in body["error"]["fields"]
    assert beihu.post("/api/admin/accounts", NEW_MEDIATOR)[0] == 201


def test_a_disabled_account_cannot_sign_in_until_enabled(api, as_, staff_token):
    staff_token("county.staff")
    admin = as_("admin")
    status, body = admin.post("/api/admin/accounts/county.staff/disable")
    assert status == 200 and body["enabled"] is False
    status, body = login(api, "county.staff", PASSWORD)
    assert (status, body["error"]["code"]) == (403, "account_disabled")
    assert body["error"]["message"] == "账号已停用，请联系管理员"
    assert admin.post("/api/admin/accounts/county.staff/enable")[1]["enabled"] is True
    assert login(api, "county.staff", PASSWORD)[0] == 200
    status, body = admin.post("/api/admin/accounts/admin/disable")
    assert (status, body["error"]["code"]) == (400, "cannot_disable_self")
    assert admin.post("/api/admin/accounts/nobody.here/disable")[0] == 404


def test_reset_password_issues_a_new_temporary_password(api, as_, staff_token):
    staff_token("county.staff")
    status, body = as_("admin").post("/api/admin/accounts/county.staff/reset-password")
    assert status == 200 and POLICY.match(body["temporaryPassword"])
    assert login(api, "county.staff", PASSWORD)[0] == 401
    tokens = first_login(api, "county.staff", body["temporaryPassword"])
    assert Caller(api, tokens["idToken"]).get("/api/auth/me")[1]["role"] == "county_centre_staff"


def test_the_account_list_pages_through_the_pool(api, as_, aws):
    pool_id = os.environ["STAFF_USER_POOL_ID"]
    for n in range(70):
        create_staff_user(pool_id, {"username": f"worker{n:02d}", "password": PASSWORD, "name": f"员工{n}",
                                    "role": "dept_handler", "unitId": "dept-431002-hrss",
                                    "regionCode": "431002"})
    admin = as_("admin")
    status, first = admin.get("/api/admin/accounts")
    assert status == 200 and len(first["items"]) >= 50 and first["nextToken"]
    status, second = admin.get(f"/api/admin/accounts?nextToken={first['nextToken']}")
    assert status == 200 and second["nextToken"] is None
    seen = [a["username"] for a in first["items"] + second["items"]]
    assert len(seen) == len(set(seen)) == 71  # 70 + the admin
    assert admin.get("/api/admin/accounts?nextToken=bm90LWEtdG9rZW4=")[0] == 400


def test_admin_accounts_come_back_after_a_restart_without_their_password(api, as_, aws):
    """What the local runtime does at start: moto's pool is empty, the register is loaded."""
    admin = as_("admin")
    created = admin.post("/api/admin/accounts", NEW_MEDIATOR)[1]
    admin.post("/api/admin/accounts/new.mediator/disable")
    idp = aws.client("cognito-idp")
    pool_id = os.environ["STAFF_USER_POOL_ID"]
    idp.admin_delete_user(UserPoolId=pool_id, Username="new.mediator")  # the restart forgot it

    report = restore_accounts(pool_id, lambda: temporary_password(os.urandom))
    assert report == {"accountsRestored": 1, "accountsDisabled": 1}
    user = idp.admin_get_user(UserPoolId=pool_id, Username="new.mediator")
    attrs = {a["Name"]: a["Value"] for a in user["UserAttributes"]}
    assert attrs["custom:role"] == "mediator" and attrs["custom:unitId"] == "pmc-431002001"
    assert user["Enabled"] is False
    assert login(api, "new.mediator", created["temporaryPassword"])[1]["error"]["code"] == "account_disabled"
    admin.post("/api/admin/accounts/new.mediator/enable")
    assert login(api, "new.mediator", created["temporaryPassword"])[0] == 401  # the password did not survive
    temporary = admin.post("/api/admin/accounts/new.mediator/reset-password")[1]["temporaryPassword"]
    first_login(api, "new.mediator", temporary)
    assert restore_accounts(pool_id, lambda: temporary_password(os.urandom)) == \
        {"accountsRestored": 0, "accountsDisabled": 0}
