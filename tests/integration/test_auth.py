"""Staff sign-in on moto's Cognito through the API: login, lockout, first-login password change,
refresh, logout, and the app's own token verification (signature, issuer, audience, use, expiry)."""
from __future__ import annotations

import base64
import json
import os
import time

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from joserfc import jwt
from joserfc.jwk import RSAKey
from moto.utilities.utils import load_resource

from chalicelib import reference
from chalicelib.adapters.auth import (DynamoLoginStore, JwksCache, LockoutRecord, LoginRecord,
                                      TokenVerifier, create_staff_user, ensure_staff_users)
from chalicelib.adapters.dynamo import META
from chalicelib.services.auth import lockout_key

DEMO = {a["username"]: a for a in reference.demo_accounts()}
PASSWORD = DEMO["county.staff"]["password"]
JSON = {"Content-Type": "application/json"}


@pytest.fixture
def staff(aws):
    """The demo accounts in the fresh pool, as the local runtime creates them at start."""
    assert ensure_staff_users(os.environ["STAFF_USER_POOL_ID"], DEMO.values()) == len(DEMO)
    return DEMO


def post(api, path, body, headers=None):
    response = api.post(path, body=json.dumps(body), headers={**JSON, **(headers or {})})
    return response, (json.loads(response.body) if response.body else None)


def login(api, username, password):
    return post(api, "/api/auth/login", {"username": username, "password": password})


def me(api, token, scheme="Bearer"):
    response = api.get("/api/auth/me", headers={"Authorization": f"{scheme} {token}"})
    return response, json.loads(response.body)


def claims_of(token: str) -> dict:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def moto_private_key() -> RSAKey:
    return RSAKey.import_key(load_resource("cognitoidp/resources/jwks-private.json"))


def other_key() -> RSAKey:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return RSAKey.import_key(pem)


def sign(claims: dict, key: RSAKey, kid: str = "dummy") -> str:
    return jwt.encode({"alg": "RS256", "kid": kid}, claims, key)


# -- login -------------------------------------------------------------------------------
def test_demo_user_logs_in_and_me_answers_its_unit_and_role(api, staff):
    response, body = login(api, "county.staff", PASSWORD)
    assert response.status_code == 200, body
    assert set(body) == {"idToken", "accessToken", "refreshToken", "expiresIn"}
    assert body["expiresIn"] == 3600
    assert response.headers["Cache-Control"] == "no-store"

    response, who = me(api, body["idToken"])
    assert response.status_code == 200, who
    assert who["username"] == "county.staff" and who["name"] == "张建国"
    assert who["role"] == "county_centre_staff" and who["roleName"] == "县市区矛调中心工作人员"
    assert who["unitId"] == "centre-431002" and who["unitName"] == "北湖区矛盾纠纷调处化解中心"
    assert (who["unitType"], who["unitLevel"], who["regionCode"]) == ("centre", "county", "431002")
    assert who["regionName"] == "北湖区" and who["isLeader"] is False
    assert who["userId"] == claims_of(body["idToken"])["sub"]


def test_every_demo_account_signs_in_with_its_role(api, staff):
    for username, account in staff.items():
        response, body = login(api, username, account["password"])
        assert response.status_code == 200, (username, body)
        _, who = me(api, body["idToken"])
        assert (who["role"], who["unitId"], who["regionCode"]) == \
            (account["role"], account["unitId"], account["regionCode"]), username


def test_a_successful_login_is_recorded_once_per_person_unit_and_month(api, staff):
    for _ in range(2):
        assert login(api, "County.Staff ", PASSWORD)[0].status_code == 200  # case and spaces
    assert login(api, "county.leader", PASSWORD)[0].status_code == 200
    from chalicelib.adapters import clock
    from chalicelib.domain.deadlines import CHINA_TZ
    month = clock.now().astimezone(CHINA_TZ).strftime("%Y-%m")
    records = {r.username: r for r in DynamoLoginStore().logins_in_month(month, "centre-431002")}
    assert set(records) == {"county.staff", "county.leader"}
    assert records["county.staff"].logins == 2 and records["county.staff"].role == "county_centre_staff"
    assert isinstance(records["county.leader"], LoginRecord)
    assert records["county.staff"].first_at <= records["county.staff"].last_at


def test_one_login_costs_one_write(api, staff, aws_calls):
    assert login(api, "county.staff", PASSWORD)[0].status_code == 200
    writes = [op for service, op in aws_calls if service == "dynamodb" and op not in ("GetItem", "Query")]
    assert writes == ["UpdateItem"]


def test_wrong_password_and_unknown_user_answer_the_same_401(api, staff):
    wrong, wrong_body = login(api, "county.staff", "Wrong#password1")
    unknown, unknown_body = login(api, "nobody.here", "Wrong#password1")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong_body == unknown_body == {"error": {"code": "invalid_credentials", "message": "用户名或密码错误"}}


@pytest.mark.parametrize("body, field", [
    ({"password": "x"}, "username"), ({"username": "county.staff"}, "password"),
    ({"username": 5, "password": "x"}, "username"), ({"username": "a", "password": "x" * 300}, "password"),
])
def test_login_body_is_validated(api, staff, body, field):
    response, answer = post(api, "/api/auth/login", body)
    assert response.status_code == 400
    assert answer["error"]["code"] == "validation_failed" and field in answer["error"]["fields"]


def test_five_failures_lock_the_account_even_for_the_right_password(api, staff):
    for attempt in range(4):
        response, body = login(api, "county.staff", f"Wrong#password{attempt}")
        assert response.status_code == 401, body
    response, body = login(api, "COUNTY.STAFF", "Wrong#password5")  # the same person, typed otherwise
    assert response.status_code == 429
    assert body["error"]["code"] == "account_locked" and "锁定" in body["error"]["message"]

    response, body = login(api, "county.staff", PASSWORD)
    assert response.status_code == 429 and body["error"]["code"] == "account_locked"
    assert 0 < int(response.headers["Retry-After"]) <= 900
    # Somebody else is not locked.
    assert login(api, "county.leader", PASSWORD)[0].status_code == 200


def test_unknown_usernames_lock_the_same_way(api, staff):
    answers = [login(api, "nobody.here", "Wrong#password1")[0].status_code for _ in range(6)]
    assert answers == [401, 401, 401, 401, 429, 429]


def test_the_lock_ends_after_fifteen_minutes_and_a_login_clears_the_counter(api, staff):
    for attempt in range(5):
        login(api, "county.staff", f"Wrong#password{attempt}")
    assert login(api, "county.staff", PASSWORD)[0].status_code == 429
    key = lockout_key("county.staff")
    record = LockoutRecord.get(key, META)
    sixteen_minutes_ago = time.time() - 16 * 60
    record.update(actions=[LockoutRecord.last_failure_at.set(sixteen_minutes_ago),
                           LockoutRecord.window_start.set(sixteen_minutes_ago - 60)])

    assert login(api, "county.staff", PASSWORD)[0].status_code == 200
    assert LockoutRecord.get(key, META).failures == 0
    # A new failure starts a new window: one failure, not six.
    assert login(api, "county.staff", "Wrong#password9")[0].status_code == 401
    assert LockoutRecord.get(key, META).failures == 1


# -- token verification --------------------------------------------------------------------
@pytest.fixture
def tokens(api, staff):
    response, body = login(api, "township.mediator", PASSWORD)
    assert response.status_code == 200
    return body


def test_missing_or_non_bearer_authorization_answers_unauthorized(api, tokens):
    response = api.get("/api/auth/me")
    assert response.status_code == 401
    assert json.loads(response.body)["error"]["code"] == "unauthorized"
    response, body = me(api, tokens["idToken"], scheme="Basic")
    assert response.status_code == 401 and body["error"]["code"] == "unauthorized"


def invalid_token(api, token):
    response, body = me(api, token)
    assert response.status_code == 401, body
    assert body["error"]["code"] == "invalid_token"
    return body


def test_a_token_signed_with_another_key_answers_401(api, tokens):
    forged = sign(claims_of(tokens["idToken"]), other_key())
    invalid_token(api, forged)
    # the same claims under moto's own key pass: the signature alone made the difference
    assert me(api, sign(claims_of(tokens["idToken"]), moto_private_key()))[0].status_code == 200


def test_an_expired_token_answers_401(api, tokens):
    claims = claims_of(tokens["idToken"])
    now = int(time.time())
    invalid_token(api, sign({**claims, "iat": now - 7200, "exp": now - 3600}, moto_private_key()))
    invalid_token(api, sign({**claims, "exp": now - 120}, moto_private_key()))  # beyond the leeway


def test_a_token_of_another_pool_or_audience_answers_401(api, tokens):
    claims = claims_of(tokens["idToken"])
    issuer = claims["iss"]
    invalid_token(api, sign({**claims, "aud": "another-client-id"}, moto_private_key()))
    invalid_token(api, sign({**claims, "iss": issuer[:-4] + "ffff"}, moto_private_key()))
    invalid_token(api, sign({**claims, "iss": issuer.replace("us-east-1", "eu-west-1")}, moto_private_key()))


def test_a_real_token_of_another_pool_answers_401(api, aws, tokens):
    idp = aws.client("cognito-idp")
    pool = idp.create_user_pool(PoolName="someone-elses-pool")["UserPool"]["Id"]
    client_id = idp.create_user_pool_client(UserPoolId=pool, ClientName="x",
                                            ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"])["UserPoolClient"]["ClientId"]
    create_staff_user(pool, {**DEMO["city.staff"]})
    foreign = idp.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                                AuthParameters={"USERNAME": "city.staff", "PASSWORD": PASSWORD})
    invalid_token(api, foreign["AuthenticationResult"]["IdToken"])


def test_an_access_token_is_not_an_id_token(api, tokens):
    invalid_token(api, tokens["accessToken"])
    claims = claims_of(tokens["idToken"])
    invalid_token(api, sign({**claims, "token_use": "access"}, moto_private_key()))


@pytest.mark.parametrize("garbage", ["x", "a.b.c", "e30.e30.e30", "ey" + "A" * 50 + ".e30."])
def test_garbage_tokens_answer_401(api, tokens, garbage):
    invalid_token(api, garbage)


def test_unsigned_and_symmetric_tokens_answer_401(api, tokens):
    claims = claims_of(tokens["idToken"])
    def b64(d):
        return base64.urlsafe_b64encode(json.dumps(d).encode()).rstrip(b"=").decode()
    invalid_token(api, f"{b64({'alg': 'none', 'kid': 'dummy'})}.{b64(claims)}.")
    from joserfc.jwk import OctKey
    hs = jwt.encode({"alg": "HS256", "kid": "dummy"}, claims, OctKey.import_key("k" * 32))
    invalid_token(api, hs)


def test_a_token_for_an_unknown_unit_or_role_answers_401(api, tokens):
    claims = claims_of(tokens["idToken"])
    for change in ({"custom:unitId": "centre-999999"}, {"custom:role": "emperor"},
                   {"custom:role": "city_centre_leader"}):  # a mediation organisation has no city leader
        response, body = me(api, sign({**claims, **change}, moto_private_key()))
        assert response.status_code == 401 and body["error"]["code"] == "account_misconfigured", change


def test_the_jwks_is_fetched_once_and_refetched_only_for_an_unknown_key():
    fetched = []
    document = load_resource("cognitoidp/resources/jwks-public.json")
    cache = JwksCache("https://example.test/jwks.json", fetch=lambda url: fetched.append(url) or document,
                      min_refetch_seconds=300, clock=lambda: 1000.0)
    assert cache.key("dummy") is not None and cache.key("dummy") is not None
    assert cache.key("rotated") is None  # within min_refetch_seconds: no second fetch
    assert fetched == ["https://example.test/jwks.json"]


def test_the_verifier_checks_expiry_with_a_small_leeway():
    document = load_resource("cognitoidp/resources/jwks-public.json")
    now = 2_000_000_000
    verifier = TokenVerifier("https://cognito-idp.us-east-1.amazonaws.com/us-east-1_x", "client",
                             JwksCache("u", fetch=lambda url: document), leeway=30, clock=lambda: now)
    claims = {"iss": verifier.issuer, "aud": "client", "token_use": "id", "sub": "s",
              "iat": now - 3600, "exp": now - 10}
    assert verifier.verify(sign(claims, moto_private_key()))["sub"] == "s"  # 10 s late: skew
    with pytest.raises(Exception) as err:
        verifier.verify(sign({**claims, "exp": now - 31}, moto_private_key()))
    assert getattr(err.value, "code", None) == "invalid_token"
    with pytest.raises(Exception):
        verifier.verify(sign({**claims, "iat": now + 3600, "exp": now + 7200}, moto_private_key()))


# -- refresh and logout -----------------------------------------------------------------------
def test_refresh_gives_new_tokens(api, tokens):
    response, body = post(api, "/api/auth/refresh", {"refreshToken": tokens["refreshToken"]})
    assert response.status_code == 200, body
    assert set(body) == {"idToken", "accessToken", "refreshToken", "expiresIn"}
    assert body["refreshToken"] == tokens["refreshToken"]
    assert body["idToken"] != tokens["idToken"]
    assert me(api, body["idToken"])[1]["username"] == "township.mediator"


def test_an_unknown_refresh_token_answers_401(api, tokens):
    for value in ("not-a-refresh-token", "x"):
        response, body = post(api, "/api/auth/refresh", {"refreshToken": value})
        assert response.status_code == 401 and body["error"]["code"] == "invalid_refresh_token"


def test_logout_signs_out_everywhere(api, tokens):
    response, _ = post(api, "/api/auth/logout", {"accessToken": tokens["accessToken"]})
    assert response.status_code == 204
    response, body = post(api, "/api/auth/refresh", {"refreshToken": tokens["refreshToken"]})
    assert response.status_code == 401 and body["error"]["code"] == "invalid_refresh_token"
    # signing out again (an already revoked token) answers the same
    assert post(api, "/api/auth/logout", {"accessToken": tokens["accessToken"]})[0].status_code == 204


# -- first login with a temporary password --------------------------------------------------
NEWCOMER = {"username": "new.mediator", "password": "Temp#Pass2026", "name": "钱小红",
            "unitId": "pmc-431002001", "role": "mediator", "regionCode": "431002001"}


def test_first_login_with_a_temporary_password_requires_a_new_one(api, aws):
    pool_id = os.environ["STAFF_USER_POOL_ID"]
    assert create_staff_user(pool_id, NEWCOMER, temporary=True) is True
    assert create_staff_user(pool_id, NEWCOMER, temporary=True) is False  # exists: unchanged

    response, body = login(api, "new.mediator", NEWCOMER["password"])
    assert response.status_code == 200, body
    assert body["challenge"] == "NEW_PASSWORD_REQUIRED" and body["username"] == "new.mediator"
    assert "idToken" not in body and len(body["session"]) >= 20
    session = body["session"]

    response, answer = post(api, "/api/auth/password",
                            {"username": "new.mediator", "session": session, "newPassword": "short"})
    assert response.status_code == 400
    assert answer["error"]["code"] == "weak_password" and "newPassword" in answer["error"]["fields"]

    response, answer = post(api, "/api/auth/password", {"username": "new.mediator",
                            "session": "x" * 40, "newPassword": "Chosen#Pass2026"})
    assert response.status_code == 401 and answer["error"]["code"] == "invalid_session"
    response, answer = post(api, "/api/auth/password", {"username": "new.mediator",
                            "session": "short", "newPassword": "Chosen#Pass2026"})
    assert response.status_code == 401 and answer["error"]["code"] == "invalid_session"

    response, answer = post(api, "/api/auth/password", {"username": "new.mediator", "session": session,
                                                        "newPassword": "Chosen#Pass2026"})
    assert response.status_code == 200, answer
    assert set(answer) == {"idToken", "accessToken", "refreshToken", "expiresIn"}
    assert me(api, answer["idToken"])[1]["roleName"] == "调解员"

    assert login(api, "new.mediator", NEWCOMER["password"])[0].status_code == 401
    response, body = login(api, "new.mediator", "Chosen#Pass2026")
    assert response.status_code == 200 and "idToken" in body


def test_an_account_with_an_unknown_unit_cannot_sign_in(api, aws):
    create_staff_user(os.environ["STAFF_USER_POOL_ID"], {**NEWCOMER, "unitId": "pmc-000000000"})
    response, body = login(api, "new.mediator", NEWCOMER["password"])
    assert response.status_code == 403 and body["error"]["code"] == "account_misconfigured"


def test_the_staff_token_fixture_gives_a_working_token(api, staff_token):
    response, who = me(api, staff_token("dept.leader"))
    assert response.status_code == 200
    assert (who["role"], who["unitType"], who["isLeader"]) == ("dept_leader", "department", True)


# -- the local runtime: JWKS over HTTP from moto's server, demo accounts at every start --------
@pytest.mark.slow
def test_the_local_runtime_signs_staff_in_and_keeps_their_tokens_valid_across_a_restart(tmp_path):
    from tests.runtime_process import RuntimeProcess

    data = tmp_path / "data"
    data.mkdir()
    rt = RuntimeProcess(data).start()
    try:
        assert rt.get("/api/dev/runtime").json()["staffAccountsCreated"] == len(DEMO)
        answer = rt.post("/api/auth/login", {"username": "village.worker", "password": PASSWORD})
        assert answer.status_code == 200, answer.text
        token = answer.json()["idToken"]
        who = rt.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})
        assert who.status_code == 200 and who.json()["regionName"] == "北湖路社区"
        forged = sign(claims_of(token), other_key())
        assert rt.get("/api/auth/me", headers={"Authorization": f"Bearer {forged}"}).status_code == 401
    finally:
        rt.stop()
    rt = RuntimeProcess(data, port=rt.port).start()
    try:  # moto kept no user: the demo accounts are back, and the pool's ids did not change
        assert rt.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
        assert rt.post("/api/auth/login", {"username": "village.worker", "password": PASSWORD}).ok
    finally:
        rt.stop()


def test_cognito_throttling_answers_503_and_is_not_counted_as_a_failure(api, staff, monkeypatch):
    from botocore.exceptions import ClientError

    class Throttled:
        def initiate_auth(self, **_):
            raise ClientError({"Error": {"Code": "TooManyRequestsException", "Message": "slow down"}},
                              "InitiateAuth")
    monkeypatch.setattr("chalicelib.adapters.auth.client", lambda service: Throttled())
    response, body = login(api, "county.staff", PASSWORD)
    assert response.status_code == 503 and body["error"]["code"] == "service_unavailable"
    assert "Retry-After" in response.headers
    with pytest.raises(LockoutRecord.DoesNotExist):
        LockoutRecord.get(lockout_key("county.staff"), META)
