"""研判分析 end to end on moto: matters filed and handled through the API, the table's stream
delivered to the statistics handler, the figures read back through GET /api/staff/statistics."""
from __future__ import annotations

import json

import pytest

from chalicelib import wiring
from chalicelib.services import statistics as svc
from tests.workflow.helpers import file

VILLAGE = "431002001001"  # 北湖区人民路街道北湖路社区
MEDIATION = {"kind": "mediation", "title": "邻里排水沟纠纷", "description": "邻居改建排水沟，雨水流进我家院子。",
             "regionCode": VILLAGE, "category": "neighbourhood",
             "applicant": {"name": "罗秀英", "phone": "13711112222"}}
LABOUR = {"kind": "complaint", "title": "工地拖欠工资", "description": "在工地干了三个月，老板一直拖欠工资。",
          "regionCode": VILLAGE, "category": "labour", "applicant": {"name": "唐志强", "phone": "13955556666"}}


def get_stats(api, token, query=""):
    r = api.get(f"/api/staff/statistics{query}", headers={"Authorization": f"Bearer {token}"})
    return r.status_code, json.loads(r.body)


def act(api, token, matter_id, action, **params):
    r = api.post(f"/api/staff/matters/{matter_id}/actions",
                 headers={"Authorization": f"Bearer {token}", "content-type": "application/json"},
                 body=json.dumps({"action": action, **params}))
    assert r.status_code == 200, r.body
    return json.loads(r.body)


@pytest.fixture
def filed(api, staff_token, stream_pump):
    first = file(api, MEDIATION)
    second = file(api, LABOUR)
    mediator = staff_token("township.mediator")
    act(api, mediator, first["matterId"], "accept")
    act(api, mediator, first["matterId"], "assess", severity="major")
    act(api, mediator, first["matterId"], "conclude", outcome="resolved", answer="双方已和解。",
        agreementReached=True)
    stream_pump.pump()
    return first, second


def test_the_city_sees_both_matters_under_beihu_and_the_one_concluded_in_time(api, staff_token, filed):
    status, body = get_stats(api, staff_token("city.leader"), "?period=day")
    assert status == 200, body
    assert body["region"]["code"] == "4310" and body["period"] == "day"
    t = body["totals"]
    assert (t["received"], t["concluded"], t["concludedInTime"], t["resolvedLocally"]) == (2, 1, 1, 1)
    assert t["onTimeRate"] == 1.0 and t["conclusionRate"] == 0.5
    beihu = next(c for c in body["children"] if c["code"] == "431002")
    assert beihu["name"] == "北湖区" and beihu["received"] == 2
    assert sum(c["received"] for c in body["children"]) == 2 and len(body["children"]) == 11
    cats = {c["code"]: c["received"] for c in body["byCategory"]}
    assert cats["neighbourhood"] == 1 and cats["labour"] == 1 and len(cats) == 18
    assert sum(p["received"] for p in body["trend"]) == 2 and len(body["trend"]) == 30
    row = next(r for r in body["heat"]["rows"] if r["code"] == "431002")
    assert sum(cell["received"] for cell in row["cells"]) == 2
    assert body["population"] == 4667134 and t["per10k"]["received"] == round(2 * 10000 / 4667134, 4)
    assert beihu["population"] is None and "per10k" not in beihu  # no sourced county figure


def test_filters_and_drill_down_to_the_village(api, staff_token, filed):
    token = staff_token("county.staff")
    _, body = get_stats(api, token, "?kind=complaint")
    assert body["region"]["code"] == "431002" and body["totals"]["received"] == 1
    _, body = get_stats(api, token, f"?regionCode=431002001&severity=major")
    assert body["totals"]["received"] == 1 and body["totals"]["concluded"] == 1
    village = next(c for c in body["children"] if c["code"] == VILLAGE)
    assert village["received"] == 1
    _, body = get_stats(api, token, f"?regionCode={VILLAGE}&period=year")
    assert [p["bucket"] for p in body["trend"]][-1] == body["to"][:4]
    assert body["totals"]["received"] == 2 and body["granularity"] == "M"


def test_open_serious_matters_are_warnings_and_leave_when_concluded(api, staff_token, stream_pump):
    receipt = file(api, {**MEDIATION, "massInvolved": True})
    stream_pump.pump()
    _, body = get_stats(api, staff_token("county.leader"))
    assert [w["trackingCode"] for w in body["warnings"]] == [receipt["trackingCode"]]
    assert "mass_involved" in body["warnings"][0]["flags"]
    _, other = get_stats(api, staff_token("city.staff"), "?regionCode=431003")
    assert other["warnings"] == []


def test_scope_bad_input_and_roles(api, staff_token):
    county = staff_token("county.staff")
    assert get_stats(api, county, "?regionCode=431003")[1]["error"]["code"] == "region_out_of_scope"
    status, body = get_stats(api, county, "?period=hour&from=2026-13-01")
    assert status == 400 and set(body["error"]["fields"]) == {"period", "from"}
    assert get_stats(api, county, "?from=2026-12-01&to=2026-11-01")[0] == 400
    assert get_stats(api, county, "?period=day&from=2020-01-01&to=2026-01-01")[0] == 400
    assert get_stats(api, staff_token("dept.handler"))[0] == 403
    assert get_stats(api, "nonsense")[0] == 401


def test_the_page_costs_two_queries_and_no_scan(api, staff_token, filed, aws_calls):
    token = staff_token("city.leader")
    get_stats(api, token)  # warm the token verification
    aws_calls.clear()
    status, _ = get_stats(api, token, "?period=year")
    assert status == 200
    assert aws_calls == [("dynamodb", "Query"), ("dynamodb", "Query")]


def test_a_redelivered_batch_counts_once_and_the_rebuild_agrees(api, staff_token, aws, stream_pump):
    from chalicelib.adapters.local.streams import StreamPump
    from tests.conftest import TEMPLATE
    batches = []
    recorder = StreamPump(TEMPLATE, "us-east-1", lambda name, event: batches.append(event) or (None, None))
    recorder._in_process_shard = lambda arn: None  # through DynamoDB Streams GetRecords, as outside moto's process
    file(api, MEDIATION)
    recorder.pump()
    from chalicelib.adapters.local.bridge import _Context
    from functions import statistics as handler
    results = [handler.on_stream(event, _Context("StatisticsFunction")) for event in batches * 2]
    assert results[0]["applied"] >= 1 and results[1]["applied"] == 0
    assert results[1]["redelivered"] == results[0]["applied"]
    _, body = get_stats(api, staff_token("city.leader"))
    assert body["totals"]["received"] == 1
    assert svc.rebuild(wiring.statistics_store(), write=False)["countersRewritten"] == 0


# --- random histories through the real table, stream and handler ---------------------------
import uuid  # noqa: E402
from datetime import datetime, timezone  # noqa: E402

from hypothesis import HealthCheck, given, settings, strategies as s  # noqa: E402

from chalicelib.domain.matter import Event, Matter  # noqa: E402
from tests.unit.test_statistics_rules import HISTORY  # noqa: E402

FIELDS = {"returnCount": "return_count", "holderCentreId": "holder_centre_id",
          "massInvolved": "mass_involved"}


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(histories=s.lists(HISTORY, min_size=1, max_size=3), pump_every=s.integers(1, 4))
def test_live_counters_agree_with_the_rebuild_on_random_histories(aws, stream_pump, histories, pump_every):
    repo, now = wiring.repository(), datetime(2026, 12, 1, tzinfo=timezone.utc)
    writes = 0
    for region, received, kind, steps in histories:
        unique = uuid.uuid4().hex.upper()
        m = Matter(matter_id=f"M{unique}", tracking_code=f"CPT-{unique[:3]}-{unique[3:7]}",
                   kind=kind, title="随机事项", description="随机历史", region_code=region,
                   applicant={"name": "测试", "phone": "13700000000"}, received_at=received,
                   clocks={"conclude": {"ruleDueAt": "2027-01-01T00:00:00Z", "pausedSeconds": 0,
                                        "state": "running"}}, category="labour", severity="general",
                   status="assigned", holder_centre_id="centre-431002001", phone_hash="h" * 64,
                   event_count=1)
        repo.add_new(m, [Event(1, received, "received", "已受理", True, {"kind": "system"})], {}, None, now)
        for step in steps:
            for key, value in step.items():
                setattr(m, FIELDS.get(key, key), value)
            repo.save(m, [], None)
            writes += 1
            if writes % pump_every == 0:
                stream_pump.pump()
    stream_pump.pump()
    check = svc.rebuild(wiring.statistics_store(), write=False)
    assert (check["countersRewritten"], check["countersDeleted"]) == (0, 0), check
    assert (check["warningsRewritten"], check["warningsDeleted"]) == (0, 0), check


def test_the_rebuild_puts_damaged_counters_right(api, staff_token, filed, aws):
    store = wiring.statistics_store()
    store.apply("damage", {("4310", "D2026-01-01#431002"): {"received|mediation|labour|general": 7}},
                [], [], 0)
    assert svc.rebuild(store, write=False)["countersDeleted"] == 1
    fixed = svc.rebuild(store)
    assert fixed["countersDeleted"] == 1 and fixed["matters"] == 2
    assert svc.rebuild(store, write=False)["countersDeleted"] == 0
    _, body = get_stats(api, staff_token("city.leader"), "?period=year")
    assert body["totals"]["received"] == 2
