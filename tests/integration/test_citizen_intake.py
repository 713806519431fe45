"""Filing a matter and looking it up, through the API on moto, as a citizen would."""
from __future__ import annotations

import json
import re

import pytest

from chalicelib import settings

MEDIATION = {
    "kind": "mediation", "title": "邻居建房占用我家宅基地",
    "description": "邻居今年三月建房，围墙越过界址约两米，协商未果。",
    "regionCode": "431002001001", "category": "housing_homestead",
    "address": "北湖区人民路街道北湖路社区3组",
    "applicant": {"name": "李春花", "phone": "13812345678", "idNumber": "43100219800101001X"},
    "otherParties": [{"name": "王大山", "phone": "13987654321"}],
}
JSON = {"content-type": "application/json"}


def post(api, body, headers=None):
    r = api.post("/api/matters", headers={**JSON, **(headers or {})},
                 body=body if isinstance(body, (str, bytes)) else json.dumps(body))
    return r.status_code, json.loads(r.body)


def lookup(api, code, phone):
    r = api.get(f"/api/matters/{code}?phone={phone}")
    return r.status_code, json.loads(r.body), {k.lower(): v for k, v in r.headers.items()}


def valid_id(prefix17: str) -> str:
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return prefix17 + "10X98765432"[sum(int(c) * w for c, w in zip(prefix17, weights)) % 11]


MEDIATION["applicant"]["idNumber"] = valid_id("43100219800101001")


def test_health_and_catalog(api):
    assert json.loads(api.get("/api/health").body) == {"status": "ok"}
    r = api.get("/api/catalog")
    catalog = json.loads(r.body)
    assert [k["code"] for k in catalog["kinds"]] == ["mediation", "livelihood", "complaint",
                                                     "consultation", "legal_aid"]
    assert len(catalog["categories"]) == 18 and len(catalog["severities"]) == 4
    assert catalog["regions"]["name"] == "郴州市" and len(catalog["regions"]["children"]) == 11
    etag = {k.lower(): v for k, v in r.headers.items()}["etag"]
    again = api.get("/api/catalog", headers={"If-None-Match": etag})
    assert again.status_code == 304


def test_the_intake_schema_is_served_to_the_web_front(api):
    schema = json.loads(api.get("/api/schemas/matter-intake").body)
    assert schema["additionalProperties"] is False
    assert "applicant" in schema["required"]
    assert api.get("/api/schemas/../settings").status_code in (403, 404)
    assert json.loads(api.get("/api/schemas/nope").body)["error"]["code"] == "schema_not_found"


def test_file_mediation_then_look_it_up(api):
    status, receipt = post(api, MEDIATION)
    assert status == 201
    assert re.fullmatch(r"[2-9A-HJKMNP-Z]{3}-[2-9A-HJKMNP-Z]{3}-[2-9A-HJKMNP-Z]{4}", receipt["trackingCode"])
    assert receipt["status"] == "assigned"  # routed at once to the township's mediation committee
    assert set(receipt["deadlines"]) == {"accept", "conclude"}
    assert all(c["state"] == "running" for c in receipt["deadlines"].values())

    status, view, headers = lookup(api, receipt["trackingCode"].lower().replace("-", ""), "138 1234 5678")
    assert status == 200
    assert view["status"] == "assigned" and view["statusName"] == "已分派待接收"
    assert view["title"] == MEDIATION["title"]
    assert view["currentUnit"] == "北湖区人民路街道人民调解委员会"
    assert [e["type"] for e in view["timeline"]] == ["received", "assigned"]
    assert headers["cache-control"] == "no-store"
    text = json.dumps(view, ensure_ascii=False)
    for secret in ("13812345678", MEDIATION["applicant"]["idNumber"], "13987654321", "王大山"):
        assert secret not in text


def test_service_kinds_get_stage_reply_and_conclusion_clocks(api):
    body = {k: v for k, v in MEDIATION.items() if k not in ("category", "otherParties")}
    status, receipt = post(api, {**body, "kind": "complaint", "regionCode": "431002001"})
    assert status == 201
    assert set(receipt["deadlines"]) == {"stage_reply", "conclude"}
    assert receipt["deadlines"]["stage_reply"]["dueAt"] < receipt["deadlines"]["conclude"]["dueAt"]


def test_unknown_code_and_wrong_phone_answer_the_same(api):
    _, receipt = post(api, MEDIATION)
    s1, wrong_phone, _ = lookup(api, receipt["trackingCode"], "13812345679")
    s2, unknown, _ = lookup(api, "ABC-DEF-GHJK", "13812345678")
    assert s1 == s2 == 404
    assert wrong_phone == unknown
    assert "查询码" in wrong_phone["error"]["message"]


def test_repeated_failed_lookups_are_limited(api):
    _, receipt = post(api, MEDIATION)
    for _ in range(settings.LOOKUP_FAILURES_ALLOWED):
        assert lookup(api, receipt["trackingCode"], "13900000000")[0] == 404
    status, body, headers = lookup(api, receipt["trackingCode"], "13900000000")
    assert status == 429 and body["error"]["code"] == "lookup_rate_limited"
    assert 0 < int(headers["retry-after"]) <= settings.LOOKUP_WINDOW_SECONDS
    # blocked means blocked: even the right phone waits for the window to pass
    assert lookup(api, receipt["trackingCode"], "13812345678")[0] == 429


def test_the_post_lookup_keeps_the_phone_out_of_the_address_and_shares_the_budget(api):
    """The portal's lookup: the same view as the GET, the phone in the body, the failures
    counted in the same budget (so switching verbs buys an attacker nothing)."""
    _, receipt = post(api, MEDIATION)
    code = receipt["trackingCode"]

    def by_post(phone):
        r = api.post(f"/api/matters/{code}/lookup", headers={"content-type": "application/json"},
                     body=json.dumps({"phone": phone}))
        return r.status_code, json.loads(r.body)
    status, view = by_post("138 1234 5678")
    assert status == 200 and view == lookup(api, code, "13812345678")[1]
    assert by_post("13812345679") == lookup(api, code, "13812345679")[:2]  # same 404 either way
    for bad in ({}, {"phone": 13812345678}, [], "x"):
        r = api.post(f"/api/matters/{code}/lookup", headers={"content-type": "application/json"}, body=json.dumps(bad))
        assert r.status_code in (400, 404) and json.loads(r.body)["error"]["message"]
    for _ in range(settings.LOOKUP_FAILURES_ALLOWED):
        if by_post("13900000000")[0] == 429:
            break
    assert lookup(api, code, "13812345678")[0] == 429  # the GET is blocked by POST failures too


def test_idempotency_key_returns_the_same_matter(api):
    key = {"Idempotency-Key": "5f1c7a52-0c1e-4d8e-9b59-3f0b6f2f9a11"}
    s1, first = post(api, MEDIATION, key)
    s2, again = post(api, MEDIATION, key)
    assert (s1, s2) == (201, 201)
    assert again["matterId"] == first["matterId"] and again["trackingCode"] == first["trackingCode"]
    s3, other = post(api, {**MEDIATION, "title": "另一件事情"}, key)
    assert s3 == 409 and other["error"]["code"] == "idempotency_key_reused"
    s4, fresh = post(api, MEDIATION, {"Idempotency-Key": "another-key"})
    assert s4 == 201 and fresh["matterId"] != first["matterId"]


@pytest.mark.parametrize("body, field, words", [
    ({**MEDIATION, "category": None}, "category", "纠纷类别"),
    ({k: v for k, v in MEDIATION.items() if k != "category"}, "category", "请选择纠纷类别"),
    ({**MEDIATION, "applicant": {"name": "李春花", "phone": "12345678901"}}, "applicant.phone", "手机号码"),
    ({**MEDIATION, "applicant": {"name": "李春花", "phone": "13812345678", "idNumber": "431002198001010010"}},
     "applicant.idNumber", "身份证"),
    ({**MEDIATION, "regionCode": "431002"}, "regionCode", "所在地区"),
    ({**MEDIATION, "regionCode": "430102001001"}, "regionCode", "乡镇"),
    ({**MEDIATION, "title": "长" * 101}, "title", "100"),
    ({**MEDIATION, "secret": "x"}, "secret", "不支持"),
    ({**MEDIATION, "kind": "lawsuit"}, "kind", "事项类型"),
])
def test_bad_input_gets_a_chinese_message_per_field(api, body, field, words):
    status, answer = post(api, body)
    assert status == 400
    assert answer["error"]["code"] == "validation_failed"
    assert words in answer["error"]["fields"][field]


@pytest.mark.parametrize("raw, status, code", [
    ("{not json", 400, "invalid_json"),
    ("", 400, "empty_body"),
    ("[1, 2]", 400, "validation_failed"),
    ("null", 400, "validation_failed"),
    ('"text"', 400, "validation_failed"),
    (b"\xff\xfe", 400, "invalid_json"),
    ("{" + '"title": "' + "x" * 70000 + '"}', 413, "payload_too_large"),
])
def test_malformed_bodies_are_4xx_never_500(api, raw, status, code):
    got, answer = post(api, raw)
    assert got == status and answer["error"]["code"] == code


def test_form_posts_are_refused_in_our_error_shape(api):
    r = api.post("/api/matters", headers={"content-type": "application/x-www-form-urlencoded"}, body="a=1")
    assert r.status_code == 415
    assert json.loads(r.body)["error"]["code"] == "unsupported_media_type"


def test_demo_accounts_only_on_the_local_stage(api, monkeypatch):
    accounts = json.loads(api.get("/api/dev/demo-accounts").body)
    assert {a["role"] for a in accounts} >= {"city_centre_leader", "mediator", "admin"}
    monkeypatch.setattr(settings, "STAGE", "prod")
    r = api.get("/api/dev/demo-accounts")
    assert r.status_code == 404 and json.loads(r.body)["error"]["code"] == "not_found"


def test_intake_and_lookup_stay_within_their_aws_call_budget(api, aws_calls):
    post(api, MEDIATION)  # warm: secret read, clients
    aws_calls.clear()
    _, receipt = post(api, MEDIATION)
    # the write, the lifecycle, and the SMS that carries the tracking code to the applicant
    assert aws_calls == [("dynamodb", "TransactWriteItems"), ("stepfunctions", "StartExecution"),
                         ("sns", "Publish")]
    aws_calls.clear()
    lookup(api, receipt["trackingCode"], "13812345678")
    assert aws_calls == [("dynamodb", "BatchGetItem")]


def test_no_request_path_scans(api, aws_calls):
    _, receipt = post(api, MEDIATION)
    lookup(api, receipt["trackingCode"], "13812345678")
    lookup(api, receipt["trackingCode"], "13800000000")
    post(api, {**MEDIATION, "kind": "lawsuit"})
    api.get("/api/catalog")
    assert aws_calls and not [c for c in aws_calls if c[1] == "Scan"]
