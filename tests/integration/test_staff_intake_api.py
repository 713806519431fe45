"""Staff intake: the citizen intake's rules plus channel, the caller's region, the receiver
in the first event and an audit line."""
from __future__ import annotations

import json

import pytest

from chalicelib.adapters.dynamo import AuditRecord

VILLAGE = "431002001001"
BODY = {"kind": "livelihood", "title": "村道路灯损坏", "description": "走访时群众反映村口路灯坏了一个多月。",
        "regionCode": VILLAGE, "applicant": {"name": "赵四", "phone": "13600001234"}}


@pytest.fixture
def post(api, staff_token):
    def call(who, body, headers=None):
        h = {"Authorization": f"Bearer {staff_token(who)}", "content-type": "application/json",
             **(headers or {})}
        r = api.post("/api/staff/matters", headers=h, body=json.dumps(body))
        return r.status_code, json.loads(r.body)
    return call


def test_a_township_centre_files_a_visit_and_is_recorded_as_receiver(aws, api, staff_token, post):
    status, receipt = post("township.staff", {**BODY, "channel": "visit"})
    assert status == 201, receipt
    assert set(receipt) == {"matterId", "trackingCode", "status", "deadlines"}
    token = staff_token("township.staff")
    matter = json.loads(api.get(f"/api/staff/matters/{receipt['matterId']}",
                                headers={"Authorization": f"Bearer {token}"}).body)
    assert matter["channel"] == "visit"
    first = matter["timeline"][0]
    assert first["type"] == "received" and first["actor"]["id"] == "township.staff"
    assert first["actor"]["kind"] == "staff" and first["actor"]["name"] == "陈文斌"
    actions = [a.action for a in AuditRecord.query(f"A#{receipt['matterId']}")]
    assert sorted(actions) == ["intake", "view"]
    rows = json.loads(api.get("/api/staff/matters", headers={"Authorization": f"Bearer {token}"}).body)
    assert [(r["matterId"], r["channel"]) for r in rows["items"]] == [(receipt["matterId"], "visit")]
    # the citizen can follow it like any other matter
    assert api.get(f"/api/matters/{receipt['trackingCode']}?phone=13600001234").status_code == 200


def test_a_village_grid_worker_files_only_in_their_village(aws, post):
    assert post("village.worker", {**BODY, "channel": "phone"})[0] == 201
    status, body = post("village.worker", {**BODY, "channel": "phone", "regionCode": "431002001013"})
    assert status == 403 and body["error"]["code"] == "region_out_of_scope"
    assert "regionCode" in body["error"]["fields"]


def test_a_centre_files_only_within_its_subtree(aws, post):
    status, body = post("township.staff", {**BODY, "channel": "window", "regionCode": "431002002013"})
    assert status == 403 and body["error"]["code"] == "region_out_of_scope"
    assert post("county.staff", {**BODY, "channel": "window", "regionCode": "431002002013"})[0] == 201


@pytest.mark.parametrize("who", ["dept.handler", "dept.leader", "township.mediator", "admin"])
def test_units_without_a_region_and_admins_do_not_file(aws, post, who):
    status, body = post(who, {**BODY, "channel": "visit"})
    assert status == 403 and body["error"]["code"] == "forbidden"


def test_the_channel_is_required_and_checked_with_the_rest(aws, post):
    status, body = post("township.staff", BODY)
    assert status == 400 and set(body["error"]["fields"]) == {"channel"}
    status, body = post("township.staff", {**BODY, "channel": "online"})
    assert status == 400 and "channel" in body["error"]["fields"]
    status, body = post("township.staff", {**BODY, "applicant": {"name": "赵四", "phone": "123"}})
    assert status == 400 and {"channel", "applicant.phone"} <= set(body["error"]["fields"])


def test_an_idempotent_retry_files_once(aws, post):
    headers = {"Idempotency-Key": "visit-2026-12-01-001"}
    first = post("township.staff", {**BODY, "channel": "visit"}, headers)
    again = post("township.staff", {**BODY, "channel": "visit"}, headers)
    assert first[0] == 201 and again[1]["matterId"] == first[1]["matterId"]


def test_without_a_token_401(aws, api):
    r = api.post("/api/staff/matters", headers={"content-type": "application/json"},
                 body=json.dumps({**BODY, "channel": "visit"}))
    assert r.status_code == 401
