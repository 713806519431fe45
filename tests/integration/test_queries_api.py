"""汇总查询 through the API on moto: scope per role, keyset paging without gaps or
duplicates, filters, bad parameters, and the DynamoDB calls a page costs."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest

from tests.integration.query_seed import T0, seed, seed_many

TOWNSHIP = "431002001"  # 人民路街道 (township.staff)
VILLAGE = "431002001001"  # village.worker's village
OTHER_VILLAGE = "431002001013"
OTHER_TOWNSHIP_VILLAGE = "431002002013"  # 北湖街道, same county
OTHER_COUNTY_VILLAGE = "431003001016"  # 苏仙区
REGIONS = [VILLAGE, OTHER_VILLAGE, OTHER_TOWNSHIP_VILLAGE, OTHER_COUNTY_VILLAGE]


@pytest.fixture
def get(api, staff_token):
    tokens = {}

    def call(who, path):
        if who not in tokens:
            tokens[who] = staff_token(who)
        r = api.get(path, headers={"Authorization": f"Bearer {tokens[who]}"})
        return r.status_code, json.loads(r.body)
    return call


def all_pages(get, who, query=""):
    ids, token, pages = [], None, 0
    while True:
        sep = "&" if query else ""
        path = f"/api/staff/matters?{query}{sep}nextToken={token}" if token else f"/api/staff/matters?{query}"
        status, body = get(who, path)
        assert status == 200, body
        ids += [r["matterId"] for r in body["items"]]
        pages += 1
        assert pages < 20
        token = body["nextToken"]
        if not token:
            return ids, pages


def test_a_city_caller_pages_through_120_matters_newest_first_without_gaps(aws, get):
    matters = seed_many(120, REGIONS)
    status, first = get("city.staff", "/api/staff/matters")
    assert status == 200 and len(first["items"]) == 50 and first["nextToken"]
    received = [r["receivedAt"] for r in first["items"]]
    assert received == sorted(received, reverse=True)
    assert first["items"][0]["matterId"] == matters[-1].matter_id  # newest first
    row = first["items"][0]
    assert {"trackingCode", "statusName", "deadlines", "overdue", "supervised", "warning",
            "category", "channel", "assignedUnitName", "regionName", "concludedAt",
            "outcome"} <= set(row)
    ids, pages = all_pages(get, "city.staff")
    assert pages == 3 and len(ids) == 120 and len(set(ids)) == 120
    assert ids == [m.matter_id for m in reversed(matters)]


def test_each_caller_sees_only_their_share(aws, get):
    matters = seed_many(40, REGIONS)
    by_region = lambda prefix: {m.matter_id for m in matters if m.region_code.startswith(prefix)}  # noqa: E731
    township_ids, _ = all_pages(get, "township.staff")
    assert set(township_ids) == by_region(TOWNSHIP) and len(township_ids) == 20
    village_ids, _ = all_pages(get, "village.worker")
    assert set(village_ids) == by_region(VILLAGE)
    county_ids, _ = all_pages(get, "county.staff")
    assert set(county_ids) == by_region("431002")
    # the department sees exactly what was routed to it, wherever it is
    hrss = {m.matter_id for m in matters if "dept-431002-hrss" in ([m.assigned_unit_id] + m.participant_unit_ids)}
    assert hrss  # labour complaints of 北湖区 go to its 人社局
    dept_ids, _ = all_pages(get, "dept.handler")
    assert set(dept_ids) == hrss
    pmc = {m.matter_id for m in matters if m.assigned_unit_id == "pmc-431002001"}
    assert pmc and set(all_pages(get, "township.mediator")[0]) == pmc


def test_a_township_never_sees_another_townships_matter_even_when_asking_for_it(aws, get):
    other = seed(region=OTHER_TOWNSHIP_VILLAGE)
    status, body = get("township.staff", "/api/staff/matters?regionCode=431002002")
    assert status == 400 and "regionCode" in body["error"]["fields"]
    status, body = get("township.staff", "/api/staff/matters")
    assert status == 200 and other.matter_id not in [r["matterId"] for r in body["items"]]


def test_filters_narrow_the_set(aws, get):
    matters = seed_many(30, REGIONS)
    status, body = get("county.staff", "/api/staff/matters?kind=mediation&category=neighbourhood")
    expected = {m.matter_id for m in matters if m.kind == "mediation" and m.category == "neighbourhood"
                and m.region_code.startswith("431002")}
    assert status == 200 and {r["matterId"] for r in body["items"]} == expected and expected
    # dates are China dates: 2026-11-01 10:00 (+8) is day one, every 7 hours after that
    status, body = get("city.staff", "/api/staff/matters?from=2026-11-02&to=2026-11-03")
    day = lambda m: (m.received_at, (T0 + timedelta(hours=8)).date())  # noqa: E731,F841
    expected = {m.matter_id for m in matters
                if "2026-11-01T16:00:00Z" <= m.received_at < "2026-11-03T16:00:00Z"}
    assert {r["matterId"] for r in body["items"]} == expected and 0 < len(expected) < 30
    status, body = get("city.staff", f"/api/staff/matters?regionCode={TOWNSHIP}&kind=complaint")
    expected = {m.matter_id for m in matters if m.kind == "complaint" and m.region_code.startswith(TOWNSHIP)}
    assert {r["matterId"] for r in body["items"]} == expected
    status, body = get("city.staff", "/api/staff/matters?supervised=true")
    assert status == 200 and body["items"] == []
    status, body = get("city.staff", "/api/staff/matters?status=received&overdue=false")
    assert all(r["status"] == "received" and not r["overdue"] for r in body["items"])


@pytest.mark.parametrize("query,field", [
    ("kind=petition", "kind"), ("from=2026-13-01", "from"), ("from=20261101", "from"),
    ("from=2026-11-05&to=2026-11-01", "to"), ("overdue=yes", "overdue"), ("status=lost", "status"),
    ("severity=huge", "severity"), ("category=x", "category"), ("regionCode=9999", "regionCode"),
    ("nextToken=abc", "nextToken"), ("colour=red", "colour"),
])
def test_bad_parameters_answer_400_naming_the_parameter(aws, get, query, field):
    status, body = get("city.staff", f"/api/staff/matters?{query}")
    assert status == 400 and body["error"]["code"] == "validation_failed"
    assert field in body["error"]["fields"]


def test_a_token_only_works_for_the_query_and_caller_it_came_from(aws, get):
    seed_many(60, [VILLAGE])
    _, body = get("township.staff", "/api/staff/matters")
    token = body["nextToken"]
    assert token
    assert get("township.staff", f"/api/staff/matters?kind=complaint&nextToken={token}")[0] == 400
    assert get("county.staff", f"/api/staff/matters?nextToken={token}")[0] == 400
    assert get("township.staff", f"/api/staff/matters?nextToken={token}")[0] == 200


def test_without_a_token_401(api, aws):
    r = api.get("/api/staff/matters")
    assert r.status_code == 401 and json.loads(r.body)["error"]["code"] == "unauthorized"
    r = api.get("/api/staff/matters", headers={"Authorization": "Bearer forged.token.here"})
    assert r.status_code == 401


def test_calls_per_page(aws, get, aws_calls):
    """The figures docs/data-model.md quotes: DynamoDB calls for one 50-row page."""
    seed_many(120, REGIONS)
    get("city.staff", "/api/staff/matters?kind=complaint")  # sign-in and JWKS out of the count

    def calls(who, query):
        aws_calls.clear()
        status, body = get(who, f"/api/staff/matters?{query}")
        assert status == 200
        return [op for svc, op in aws_calls if svc == "dynamodb"], body

    city_kind, _ = calls("city.staff", "kind=complaint")
    city_all, body = calls("city.staff", "")
    township_all, _ = calls("township.staff", "")
    township_kind, _ = calls("township.staff", "kind=complaint")
    dept, _ = calls("dept.handler", "")
    second, _ = calls("city.staff", f"nextToken={body['nextToken']}")
    figures = {"city, one kind": len(city_kind), "city, all kinds": len(city_all),
               "city, all kinds, page 2": len(second), "township, all kinds": len(township_all),
               "township, one kind": len(township_kind), "department": len(dept)}
    print("\nDynamoDB calls per page:", figures)
    assert set(city_all + township_all + dept) <= {"Query", "BatchGetItem"}
    assert len(city_kind) <= 12 + 3  # one Query per county partition (11 + the city's own)
    assert len(city_all) <= 60 + 6
    assert len(second) < len(city_all)  # partitions already exhausted are not asked again
    assert len(township_all) <= 5 + 2 and len(township_kind) <= 2
    assert len(dept) <= 2


def test_matters_saved_before_the_index_are_found_after_a_restore(aws, get):
    """The local runtime reindexes a snapshot on restore (`dynamo.reindexed`)."""
    from chalicelib import settings
    from chalicelib.adapters.dynamo import reindexed
    old = seed(kind="complaint", category="labour")
    ddb = aws.client("dynamodb")
    key = {"pk": {"S": f"M#{old.matter_id}"}, "sk": {"S": "#"}}
    raw = ddb.get_item(TableName=settings.MATTERS_TABLE, Key=key)["Item"]
    for name in ("summaryPartition", "summaryKey"):
        raw.pop(name)  # as written before the index existed
    ddb.put_item(TableName=settings.MATTERS_TABLE, Item=raw)
    ddb.delete_item(TableName=settings.MATTERS_TABLE,
                    Key={"pk": {"S": "P#dept-431002-hrss"}, "sk": {"S": f"{old.received_at}#{old.matter_id}"}})
    assert get("county.staff", "/api/staff/matters")[1]["items"] == []
    assert get("dept.handler", "/api/staff/matters")[1]["items"] == []
    for item in reindexed([raw]):
        ddb.put_item(TableName=settings.MATTERS_TABLE, Item=item)
    assert [r["matterId"] for r in get("county.staff", "/api/staff/matters")[1]["items"]] == [old.matter_id]
    assert [r["matterId"] for r in get("dept.handler", "/api/staff/matters")[1]["items"]] == [old.matter_id]
