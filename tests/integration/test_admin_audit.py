"""The audit log as leaders and admins read it: a matter's trail, the admins' search by person
and date, and the proof that nothing can change or delete a line."""
from __future__ import annotations

import pytest
from pynamodb.exceptions import PutError

from chalicelib.adapters import dynamo
from chalicelib.wiring import repository
from tests.integration.admin_helpers import (COUNTY_ADMIN, FORGED, NON_ADMINS, OTHER_COUNTY_ADMIN,
                                             Caller)
from tests.workflow.helpers import file

MEDIATION = {"kind": "mediation", "title": "邻里排水沟纠纷", "description": "邻居改建排水沟，雨水流进我家院子。",
             "regionCode": "431002001001", "category": "neighbourhood",
             "applicant": {"name": "罗秀英", "phone": "13711112222"}}


@pytest.fixture
def as_(api, staff_token):
    return lambda who: Caller(api, staff_token(who))


def test_a_leader_in_scope_reads_who_did_what_newest_first(api, as_):
    matter_id = file(api, MEDIATION)["matterId"]  # → 人民路街道人民调解委员会
    mediator = as_("township.mediator")
    assert mediator.get(f"/api/staff/matters/{matter_id}")[0] == 200
    assert mediator.post(f"/api/staff/matters/{matter_id}/actions", {"action": "accept"})[0] == 200

    status, body = as_("township.leader").get(f"/api/staff/matters/{matter_id}/audit")
    assert status == 200, body
    actions = [(i["action"], i["actor"]["username"]) for i in body["items"]]
    assert actions[0] == ("audit_view", "township.leader") or \
        body["items"][0]["at"] == body["items"][1]["at"]  # lines of one second have no order
    assert sorted(actions) == [("accept", "township.mediator"), ("audit_view", "township.leader"),
                               ("view", "township.mediator")]
    assert {i["actor"]["unitName"] for i in body["items"] if i["actor"]["username"] == "township.mediator"} \
        == {"北湖区人民路街道人民调解委员会"}
    assert body["items"][0]["client"]
    assert [i["at"] for i in body["items"]] == sorted((i["at"] for i in body["items"]), reverse=True)

    status, body = as_("admin").get(f"/api/staff/matters/{matter_id}/audit")
    assert status == 200 and ("audit_view", "admin") in [(i["action"], i["actor"]["username"])
                                                         for i in body["items"]]


def test_staff_in_scope_are_refused_and_out_of_scope_get_404(api, as_):
    matter_id = file(api, MEDIATION)["matterId"]
    status, body = as_("township.mediator").get(f"/api/staff/matters/{matter_id}/audit")
    assert status == 403 and body["error"]["code"] == "forbidden"
    status, body = as_("dept.leader").get(f"/api/staff/matters/{matter_id}/audit")  # 人社局: not theirs
    assert status == 404 and body["error"]["code"] == "matter_not_found"
    assert as_("admin").get("/api/staff/matters/01NOPE0000000000000000000/audit")[0] == 404
    assert Caller(api, None).get(f"/api/staff/matters/{matter_id}/audit")[0] == 401
    assert Caller(api, FORGED).get(f"/api/staff/matters/{matter_id}/audit")[0] == 401
    # the refusal itself is on the record
    trail = repository().audit_trail(matter_id)
    assert ("denied:audit_view", "township.mediator") in [(i["action"], i["actor"]["username"]) for i in trail]


def test_admin_search_finds_a_readers_reads_and_pages_by_key(api, as_):
    matter_id = file(api, MEDIATION)["matterId"]
    mediator = as_("township.mediator")
    for _ in range(2):
        assert mediator.get(f"/api/staff/matters/{matter_id}")[0] == 200
    actor = {"userId": "x", "username": "township.mediator", "name": "吴丽华", "role": "mediator",
             "unitId": "pmc-431002001"}
    for n in range(55):  # older reads, as days of work would leave them
        repository().audit(matter_id, {"at": f"2026-01-{1 + n % 28:02d}T0{n % 10}:00:00Z",
                                       "action": "view", "actor": actor, "client": "10.0.0.1"})
    admin = as_("admin")
    status, first = admin.get("/api/admin/audit?username=Township.Mediator")
    assert status == 200, first
    assert len(first["items"]) == 50 and first["nextToken"]
    assert first["items"][0]["matterId"] == matter_id and first["items"][0]["action"] == "view"
    assert first["items"][0]["trackingCode"] and first["items"][0]["actor"]["unitName"]
    status, second = admin.get(f"/api/admin/audit?username=township.mediator&nextToken={first['nextToken']}")
    assert status == 200 and len(second["items"]) == 7
    seen = [i["at"] for i in first["items"] + second["items"]]
    assert seen == sorted(seen, reverse=True)

    status, day = admin.get("/api/admin/audit?username=township.mediator&from=2026-01-03&to=2026-01-03")
    # 2026-01-03 in China time runs from 2026-01-02T16:00Z to 2026-01-03T15:59:59Z
    assert status == 200
    assert [i["at"] for i in day["items"]] == ["2026-01-03T02:00:00Z", "2026-01-03T00:00:00Z"]


def test_audit_search_is_for_admins_within_their_region(api, as_, staff_token):
    matter_id = file(api, MEDIATION)["matterId"]
    assert as_("township.mediator").get(f"/api/staff/matters/{matter_id}")[0] == 200
    for who in NON_ADMINS:
        status, body = as_(who).get("/api/admin/audit?username=township.mediator")
        assert (status, body["error"]["code"]) == (403, "forbidden"), who
    assert Caller(api, None).get("/api/admin/audit?username=x")[0] == 401
    assert Caller(api, FORGED).get("/api/admin/audit?username=x")[0] == 401
    beihu = Caller(api, staff_token(COUNTY_ADMIN)).get("/api/admin/audit?username=township.mediator")
    suxian = Caller(api, staff_token(OTHER_COUNTY_ADMIN)).get("/api/admin/audit?username=township.mediator")
    assert beihu[0] == 200 and len(beihu[1]["items"]) == 1
    assert suxian[0] == 200 and suxian[1]["items"] == []


@pytest.mark.parametrize("query, field", [("", "username"), ("username=a&from=2026-13-01", "from"),
                                          ("username=a&from=2026-02-02&to=2026-02-01", "to"),
                                          ("username=a&nextToken=%%%", "nextToken")])
def test_bad_search_parameters_are_400(api, as_, query, field):
    status, body = as_("admin").get(f"/api/admin/audit?{query}")
    assert status == 400 and field in body["error"]["fields"], body


def test_no_route_can_change_or_delete_an_audit_line():
    from app import app
    for path, methods in app.routes.items():
        if "audit" in path:
            assert set(methods) == {"GET"}, path
    writes = [(p, m) for p, methods in app.routes.items() for m in methods if m in ("PUT", "DELETE", "PATCH")]
    assert all("audit" not in p for p, _ in writes)


def test_an_audit_line_is_only_ever_added_never_overwritten(aws, monkeypatch):
    class FixedUuid:
        hex = "0" * 32
    monkeypatch.setattr(dynamo.uuid, "uuid4", lambda: FixedUuid())
    line = {"at": "2026-01-01T00:00:00Z", "action": "view", "client": "1.2.3.4",
            "actor": {"username": "someone", "unitId": "centre-4310"}}
    repo = repository()
    repo.audit("01TEST", line)
    with pytest.raises(PutError):
        repo.audit("01TEST", {**line, "action": "tampered"})
    assert [i["action"] for i in repo.audit_trail("01TEST")] == ["view"]
