"""分流转办: what a centre holds for dispatch, with the routing suggestion; centres only."""
from __future__ import annotations

import json

import pytest

from tests.integration.query_seed import seed


@pytest.fixture
def dispatch(api, staff_token):
    def call(who, query=""):
        r = api.get(f"/api/staff/tasks?view=dispatch{query}",
                    headers={"Authorization": f"Bearer {staff_token(who)}"})
        return r.status_code, json.loads(r.body)
    return call


def test_a_township_centre_sees_what_it_holds_with_a_suggestion(aws, dispatch):
    held = seed(kind="complaint", category=None)  # no category: left to the township centre
    routed = seed(kind="complaint", category="labour")  # went straight to a department
    elsewhere = seed(kind="complaint", category=None, region="431002002013")
    status, body = dispatch("township.staff")
    assert status == 200 and body["nextToken"] is None
    assert [r["matterId"] for r in body["items"]] == [held.matter_id]
    row = body["items"][0]
    assert row["status"] == "received" and row["trackingCode"] == held.tracking_code
    assert set(row["routing"]) == {"unitId", "unitName", "rule", "ruleName", "explanation"}
    assert row["routing"]["unitName"] and row["routing"]["explanation"]
    assert row["intakeRouting"]["manual"] is True
    assert routed.matter_id not in json.dumps(body) and elsewhere.matter_id not in json.dumps(body)
    assert dispatch("county.staff")[1]["items"] == []  # the county holds nothing yet


@pytest.mark.parametrize("who", ["dept.handler", "township.mediator", "village.worker", "admin"])
def test_only_centres_dispatch(aws, dispatch, who):
    status, body = dispatch(who)
    assert status == 403 and body["error"]["code"] == "forbidden"


def test_bad_token_and_no_token(aws, api, dispatch):
    assert dispatch("township.staff", "&nextToken=nonsense")[0] == 400
    assert api.get("/api/staff/tasks?view=dispatch").status_code == 401
