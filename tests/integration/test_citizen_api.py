"""Phone verification, my matters, evaluation and reopening through the API on moto, as a
citizen (and the staff member who concludes) would do them."""
from __future__ import annotations

import json
import re

import pytest

from chalicelib import settings, wiring

JSON = {"content-type": "application/json"}
PHONE = "13812345678"
MEDIATION = {"kind": "mediation", "title": "邻居建房占用我家宅基地", "category": "neighbourhood",
             "description": "邻居今年三月建房，围墙越过界址约两米，协商未果。",
             "regionCode": "431002001001", "applicant": {"name": "李春花", "phone": PHONE}}


def call(api, method, path, body=None, token=None):
    headers = {**JSON, **({"Authorization": f"Bearer {token}"} if token else {})}
    r = getattr(api, method)(path, headers=headers, body=json.dumps(body) if body is not None else None) \
        if method in ("post", "put") else api.get(path, headers=headers)
    return r.status_code, json.loads(r.body) if r.body else None


def file(api, phone=PHONE, **changes):
    status, receipt = call(api, "post", "/api/matters",
                           {**MEDIATION, **changes, "applicant": {"name": "李春花", "phone": phone}})
    assert status == 201, receipt
    return receipt


def sms_to(phone):
    from moto.sns.models import sns_backends
    return [text for to, text in sns_backends["123456789012"]["us-east-1"].sms_messages.values()
            if to == f"+86{phone}"]


def code_sent_to(phone):
    return re.search(r"验证码是(\d{6})", sms_to(phone)[-1]).group(1)


@pytest.fixture
def wall(api, monkeypatch):
    """Real time as the citizen service sees it, moved by the test."""
    clock = {"t": 1_790_000_000.0}
    monkeypatch.setattr(wiring.citizen_deps(), "wall_time", lambda: clock["t"])
    return clock


def verified_token(api, phone=PHONE):
    assert call(api, "post", "/api/citizen/otp", {"phone": phone})[0] == 202
    status, body = call(api, "post", "/api/citizen/verify", {"phone": phone, "code": code_sent_to(phone)})
    assert status == 200, body
    return body["citizenToken"]


def conclude(api, staff_token, matter_id, outcome="unresolved"):
    token = staff_token("township.mediator")
    for action, extra in (("accept", {}), ("conclude", {"outcome": outcome, "answer": "双方未达成一致",
                                                         "agreementReached": False})):
        status, body = call(api, "post", f"/api/staff/matters/{matter_id}/actions",
                            {"action": action, **extra}, token)
        assert status == 200, body
    return body


# --- phone verification -----------------------------------------------------------------
def test_a_code_by_sms_buys_a_token_that_lists_the_phones_matters(api, wall):
    mine = [file(api), file(api, title="另一件事")]
    file(api, phone="13900001111")
    status, body = call(api, "post", "/api/citizen/otp", {"phone": PHONE})
    assert status == 202 and body == {"sent": True, "expiresIn": 300, "resendAfter": 60}
    code = code_sent_to(PHONE)
    from chalicelib.adapters.dynamo import OtpRecord
    stored = [i for i in OtpRecord.scan()]  # test-only look at storage: the code is not in it
    assert len(stored) == 1 and code not in json.dumps(stored[0].attribute_values, default=str)

    status, body = call(api, "post", "/api/citizen/verify", {"phone": PHONE, "code": code})
    assert status == 200 and body["expiresIn"] == 1800 and body["tokenType"] == "Bearer"
    status, listed = call(api, "get", "/api/citizen/matters", token=body["citizenToken"])
    assert status == 200
    assert [m["trackingCode"] for m in listed["items"]] == [m["trackingCode"] for m in reversed(mine)]
    item = listed["items"][0]
    assert item["status"] == "assigned" and item["currentUnit"].endswith("人民调解委员会")
    assert "applicant" not in item and "matterId" not in item and "phoneHash" not in item
    # the code is spent
    assert call(api, "post", "/api/citizen/verify", {"phone": PHONE, "code": code})[1]["error"]["code"] == "otp_invalid"


def test_the_answer_never_tells_whether_a_phone_has_matters(api, wall):
    file(api)
    with_matters = call(api, "post", "/api/citizen/otp", {"phone": PHONE})
    wall["t"] += 1
    without = call(api, "post", "/api/citizen/otp", {"phone": "13700000000"})
    assert with_matters == without
    assert len(sms_to("13700000000")) == 1


def test_five_wrong_codes_lock_until_a_new_code_is_sent(api, wall):
    call(api, "post", "/api/citizen/otp", {"phone": PHONE})
    right = code_sent_to(PHONE)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    answers = [call(api, "post", "/api/citizen/verify", {"phone": PHONE, "code": wrong}) for _ in range(5)]
    assert [s for s, _ in answers] == [400, 400, 400, 400, 429]
    assert answers[0][1]["error"]["fields"]["code"] == "验证码错误，还可尝试4次"
    assert answers[-1][1]["error"]["code"] == "otp_locked"
    status, body = call(api, "post", "/api/citizen/verify", {"phone": PHONE, "code": right})
    assert (status, body["error"]["code"]) == (429, "otp_locked")
    wall["t"] += 60
    assert call(api, "post", "/api/citizen/otp", {"phone": PHONE})[0] == 202
    assert call(api, "post", "/api/citizen/verify", {"phone": PHONE, "code": code_sent_to(PHONE)})[0] == 200


def test_codes_expire_after_five_minutes(api, wall):
    call(api, "post", "/api/citizen/otp", {"phone": PHONE})
    wall["t"] += 301
    status, body = call(api, "post", "/api/citizen/verify", {"phone": PHONE, "code": code_sent_to(PHONE)})
    assert (status, body["error"]["code"]) == (400, "otp_expired")


def test_resends_are_throttled_per_phone_and_per_client(api, wall, monkeypatch):
    assert call(api, "post", "/api/citizen/otp", {"phone": PHONE})[0] == 202
    wall["t"] += 30
    status, body = call(api, "post", "/api/citizen/otp", {"phone": PHONE})
    assert (status, body["error"]["code"]) == (429, "otp_resend_too_soon")
    assert len(sms_to(PHONE)) == 1
    monkeypatch.setattr(settings, "OTP_SENDS_PER_CLIENT", 3)
    wall["t"] = 1_790_006_400.0  # a fresh hour window
    answers = [call(api, "post", "/api/citizen/otp", {"phone": f"1370000000{i}"})[0] for i in range(4)]
    assert answers == [202, 202, 202, 429]
    assert sms_to("13700000003") == []


def test_bad_phone_and_code_are_400(api, wall):
    assert call(api, "post", "/api/citizen/otp", {"phone": "12345"})[1]["error"]["fields"]["phone"]
    assert call(api, "post", "/api/citizen/verify", {"phone": PHONE, "code": "12"})[1]["error"]["fields"]["code"]
    assert call(api, "post", "/api/citizen/verify", {"phone": PHONE, "code": "123456"})[0] == 400  # none sent


def test_a_phone_that_is_not_text_is_400_not_500(api, wall):
    """Found by the fuzzer: a list as the phone reached unicodedata.normalize and answered 500."""
    for path, body in (("/api/citizen/otp", {"phone": ["13800000000"]}),
                       ("/api/citizen/verify", {"phone": [], "code": "123456"}),
                       ("/api/citizen/verify", {"phone": 13800000000, "code": "123456"})):
        status, answer = call(api, "post", path, body)
        assert (status, answer["error"]["code"]) == (400, "validation_failed"), path
        assert answer["error"]["fields"]["phone"]


def test_my_matters_needs_a_valid_unexpired_token(api, wall):
    token = verified_token(api)
    assert call(api, "get", "/api/citizen/matters")[0] == 401
    assert call(api, "get", "/api/citizen/matters", token=token[:-3] + "abc")[1]["error"]["code"] == "invalid_citizen_token"
    staff_like = token.split(".")[0] + ".e30." + token.split(".")[2]
    assert call(api, "get", "/api/citizen/matters", token=staff_like)[0] == 401
    wall["t"] += 1800 + 31
    status, body = call(api, "get", "/api/citizen/matters", token=token)
    assert (status, body["error"]["code"]) == (401, "citizen_token_expired")


# --- evaluation ---------------------------------------------------------------------------
def test_rating_once_after_conclusion_closes_the_matter(api, staff_token, wall):
    receipt = file(api)
    code = receipt["trackingCode"]
    status, body = call(api, "post", f"/api/matters/{code}/evaluation", {"phone": PHONE, "rating": 5})
    assert (status, body["error"]["code"]) == (409, "not_concluded")
    conclude(api, staff_token, receipt["matterId"], outcome="resolved")
    status, view = call(api, "post", f"/api/matters/{code}/evaluation",
                        {"phone": PHONE, "rating": 4, "comment": "调解员很耐心"})
    assert status == 200 and view["status"] == "closed" and view["statusName"] == "已回访评价"
    assert view["evaluation"]["rating"] == 4 and view["timeline"][-1]["type"] == "evaluated"
    assert not view["canEvaluate"]
    status, body = call(api, "post", f"/api/matters/{code}/evaluation", {"phone": PHONE, "rating": 1})
    assert (status, body["error"]["code"]) == (409, "already_evaluated")
    looked_up = call(api, "get", f"/api/matters/{code}?phone={PHONE}")[1]
    assert looked_up["status"] == "closed" and looked_up["evaluation"]["comment"] == "调解员很耐心"
    _, staff_view = call(api, "get", f"/api/staff/matters/{receipt['matterId']}",
                         token=staff_token("township.mediator"))
    assert staff_view["status"] == "closed" and staff_view["allowedActions"] == []


def test_a_citizen_token_may_stand_in_for_the_phone(api, staff_token, wall):
    receipt = file(api)
    conclude(api, staff_token, receipt["matterId"], outcome="resolved")
    other = verified_token(api, "13900001111")
    path = f"/api/matters/{receipt['trackingCode']}/evaluation"
    status, body = call(api, "post", path, {"rating": 3}, token=other)
    assert (status, body["error"]["code"]) == (404, "matter_not_found")
    wall["t"] += 60
    assert call(api, "post", path, {"rating": 3, "citizenToken": verified_token(api)})[0] == 200


def test_a_wrong_phone_gets_the_lookups_404_and_counts_against_its_budget(api, staff_token, wall):
    receipt = file(api)
    path = f"/api/matters/{receipt['trackingCode']}/evaluation"
    unknown = call(api, "post", "/api/matters/CPT-AAA-AAAA/evaluation", {"phone": PHONE, "rating": 5})
    wrong = call(api, "post", path, {"phone": "13900001111", "rating": 5})
    assert unknown == wrong and wrong[0] == 404
    for _ in range(settings.LOOKUP_FAILURES_ALLOWED - 2):
        call(api, "get", f"/api/matters/{receipt['trackingCode']}?phone=13900001111")
    status, body = call(api, "post", path, {"phone": PHONE, "rating": 5})
    assert (status, body["error"]["code"]) == (429, "lookup_rate_limited")


def test_bad_ratings_are_400(api, staff_token, wall):
    receipt = file(api)
    conclude(api, staff_token, receipt["matterId"], outcome="resolved")
    path = f"/api/matters/{receipt['trackingCode']}/evaluation"
    for rating in (0, 6, "5", None):
        status, body = call(api, "post", path, {"phone": PHONE, "rating": rating})
        assert status == 400 and "rating" in body["error"]["fields"]


# --- reopening ----------------------------------------------------------------------------
def test_an_unresolved_matter_reopens_to_its_unit_which_is_told_by_sms(api, staff_token, wall):
    receipt = file(api)
    conclude(api, staff_token, receipt["matterId"], outcome="unresolved")
    path = f"/api/matters/{receipt['trackingCode']}/reopen"
    status, view = call(api, "post", path, {"phone": PHONE, "reason": "对方仍然占地"})
    assert status == 200 and view["status"] == "in_progress"
    assert [e["type"] for e in view["timeline"][-2:]] == ["reopened", "reassigned"]
    assert view["deadlines"]["conclude"]["state"] == "running" and view["outcome"] is None
    mediator = staff_token("township.mediator")
    tasks = call(api, "get", "/api/staff/tasks?view=unit", token=mediator)[1]
    assert receipt["matterId"] in [t["matterId"] for t in tasks["items"]]
    _, matter = call(api, "get", f"/api/staff/matters/{receipt['matterId']}", token=mediator)
    assert "conclude" in matter["allowedActions"]
    from moto.sns.models import sns_backends
    texts = [t for _, t in sns_backends["123456789012"]["us-east-1"].sms_messages.values()]
    assert any("申请重新办理" in t and receipt["trackingCode"] in t for t in texts)
    status, body = call(api, "post", path, {"phone": PHONE, "reason": "再一次"})
    assert (status, body["error"]["code"]) == (409, "not_concluded")


def test_a_resolved_matter_cannot_be_reopened_and_a_reason_is_required(api, staff_token, wall):
    receipt = file(api)
    conclude(api, staff_token, receipt["matterId"], outcome="resolved")
    path = f"/api/matters/{receipt['trackingCode']}/reopen"
    assert call(api, "post", path, {"phone": PHONE, "reason": ""})[0] == 400
    status, body = call(api, "post", path, {"phone": PHONE, "reason": "不满意"})
    assert (status, body["error"]["code"]) == (409, "not_reopenable")


def test_citizen_routes_use_keys_and_indexes_only(api, staff_token, wall, aws_calls):
    receipt = file(api)
    conclude(api, staff_token, receipt["matterId"], outcome="unresolved")
    call(api, "post", "/api/citizen/otp", {"phone": PHONE})  # warms the secrets cache
    wall["t"] += 60
    aws_calls.clear()
    call(api, "post", "/api/citizen/otp", {"phone": PHONE})
    assert aws_calls == [("dynamodb", "UpdateItem"), ("dynamodb", "GetItem"), ("dynamodb", "PutItem"),
                         ("sns", "Publish")]
    aws_calls.clear()
    token = call(api, "post", "/api/citizen/verify", {"phone": PHONE, "code": code_sent_to(PHONE)})[1]["citizenToken"]
    assert aws_calls == [("dynamodb", "GetItem"), ("dynamodb", "PutItem")]
    aws_calls.clear()
    call(api, "get", "/api/citizen/matters", token=token)
    assert aws_calls == [("dynamodb", "Query")]
    aws_calls.clear()
    assert call(api, "post", f"/api/matters/{receipt['trackingCode']}/reopen", {"reason": "没解决"}, token=token)[0] == 200
    assert [c for c in aws_calls if c[0] == "dynamodb"] == [
        ("dynamodb", "BatchGetItem"), ("dynamodb", "Query"), ("dynamodb", "TransactWriteItems")]
    assert ("stepfunctions", "SendTaskSuccess") in aws_calls and ("sns", "Publish") in aws_calls
    assert not any(op == "Scan" for _, op in aws_calls)
