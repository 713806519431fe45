"""个人中心 › 修改密码: a signed-in person changes their own password (Cognito ChangePassword)."""
from __future__ import annotations

import json
import os

import pytest

from chalicelib import reference
from chalicelib.adapters.auth import ensure_staff_users

PASSWORD = "Jieyou#2026demo"
NEW = "Neues#Passwort2027"
JSON = {"Content-Type": "application/json"}


@pytest.fixture
def staff(aws):
    ensure_staff_users(os.environ["STAFF_USER_POOL_ID"], reference.demo_accounts())


def call(api, path, body, id_token=None):
    headers = {**JSON, **({"Authorization": f"Bearer {id_token}"} if id_token else {})}
    r = api.post(path, body=json.dumps(body), headers=headers)
    return r.status_code, (json.loads(r.body) if r.body else None)


def login(api, username, password):
    return call(api, "/api/auth/login", {"username": username, "password": password})


def test_a_signed_in_person_changes_their_password(api, staff):
    _, tokens = login(api, "county.staff", PASSWORD)
    body = {"accessToken": tokens["accessToken"], "oldPassword": PASSWORD, "newPassword": NEW}
    assert call(api, "/api/auth/change-password", body, tokens["idToken"]) == (204, None)
    status, answer = login(api, "county.staff", PASSWORD)
    assert status == 401 and answer["error"]["code"] == "invalid_credentials"
    status, answer = login(api, "county.staff", NEW)
    assert status == 200 and answer["idToken"]


def test_wrong_old_weak_new_and_someone_elses_token_are_refused(api, staff):
    _, mine = login(api, "county.staff", PASSWORD)
    _, theirs = login(api, "county.leader", PASSWORD)
    path = "/api/auth/change-password"
    status, body = call(api, path, {"accessToken": mine["accessToken"], "oldPassword": "Wrong#Pass2026",
                                    "newPassword": NEW}, mine["idToken"])
    assert status == 400 and body["error"]["code"] == "wrong_password"
    assert body["error"]["fields"]["oldPassword"] == "原密码不正确"
    status, body = call(api, path, {"accessToken": mine["accessToken"], "oldPassword": PASSWORD,
                                    "newPassword": "short"}, mine["idToken"])
    assert status == 400 and body["error"]["code"] == "weak_password"
    status, body = call(api, path, {"accessToken": theirs["accessToken"], "oldPassword": PASSWORD,
                                    "newPassword": NEW}, mine["idToken"])
    assert status == 401 and body["error"]["code"] == "invalid_token"
    status, body = call(api, path, {"accessToken": mine["idToken"], "oldPassword": PASSWORD,
                                    "newPassword": NEW}, mine["idToken"])  # an id token is no access token
    assert status == 401 and body["error"]["code"] == "invalid_token"
    status, body = call(api, path, {"accessToken": mine["accessToken"], "oldPassword": PASSWORD,
                                    "newPassword": NEW})
    assert status == 401 and body["error"]["code"] == "unauthorized"
    status, body = call(api, path, {"accessToken": mine["accessToken"]}, mine["idToken"])
    assert status == 400 and set(body["error"]["fields"]) == {"oldPassword", "newPassword"}
    assert login(api, "county.staff", PASSWORD)[0] == 200  # nothing changed


def test_guessing_the_old_password_locks_like_failed_logins(api, staff):
    _, mine = login(api, "county.staff", PASSWORD)
    body = {"accessToken": mine["accessToken"], "oldPassword": "Wrong#Pass2026", "newPassword": NEW}
    answers = [call(api, "/api/auth/change-password", body, mine["idToken"])[0] for _ in range(5)]
    assert answers == [400, 400, 400, 400, 429]
    status, answer = login(api, "county.staff", PASSWORD)
    assert status == 429 and answer["error"]["code"] == "account_locked"
