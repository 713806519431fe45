"""`make bench` (lifecycle part): AWS calls per staff action, state transitions per matter and
their Step Functions cost, and the local runtime holding many open matters. Prints figures;
asserts nothing."""
from __future__ import annotations

import json
import statistics
import tempfile
import time
from pathlib import Path

TRANSITION_PRICE = 0.025 / 1000  # USD per state transition, Step Functions Standard
MEDIATION = {"kind": "mediation", "title": "邻里排水沟纠纷", "description": "邻居改建排水沟，雨水流进我家院子。",
             "regionCode": "431002001001", "category": "neighbourhood",
             "applicant": {"name": "罗秀英", "phone": "13711112222"}}
COMPLAINT = {"kind": "complaint", "title": "工地拖欠工资", "description": "在工地干了三个月，老板一直拖欠工资。",
             "regionCode": "431002001001", "category": "labour",
             "applicant": {"name": "唐志强", "phone": "13955556666"}}


def _in_moto(work):
    """Run `work(api, token_for, sfn)` inside the test fixtures' moto account."""
    import tests.conftest as fx
    from chalice.test import Client

    from app import app
    gen = fx.aws.__wrapped__() if hasattr(fx.aws, "__wrapped__") else fx.aws()
    session = next(gen)
    token_gen = fx.staff_token.__wrapped__(session) if hasattr(fx.staff_token, "__wrapped__") \
        else fx.staff_token(session)
    try:
        with Client(app) as client:
            return work(client.http, token_gen, session.client("stepfunctions"))
    finally:
        try:
            next(gen)
        except StopIteration:
            pass


def calls_and_transitions() -> dict:
    from tests.bench.recording import api_thread_calls

    def work(http, token_for, sfn):
        out = {}
        json_h = {"content-type": "application/json"}

        def act(token, matter_id, action, **params):
            calls.clear()
            r = http.post(f"/api/staff/matters/{matter_id}/actions", body=json.dumps({"action": action, **params}),
                          headers={**json_h, "Authorization": f"Bearer {token}"})
            assert r.status_code == 200, r.body
            out[f"staff action: {action}"] = list(calls)
            time.sleep(0.3)  # let the execution plan its next wait

        mediator, handler = token_for("township.mediator"), token_for("dept.handler")
        m = json.loads(http.post("/api/matters", headers=json_h, body=json.dumps(MEDIATION)).body)["matterId"]
        c = json.loads(http.post("/api/matters", headers=json_h, body=json.dumps(COMPLAINT)).body)["matterId"]
        time.sleep(0.5)
        act(mediator, m, "accept")
        act(mediator, m, "assess", severity="simple")
        act(mediator, m, "conclude", outcome="resolved", answer="已调解", agreementReached=True)
        act(handler, c, "accept")
        act(handler, c, "stage_reply", reply="已联系用人单位核实")
        act(handler, c, "conclude", outcome="resolved", answer="工资已结清")
        calls.clear()
        http.get(f"/api/staff/matters/{m}", headers={"Authorization": f"Bearer {mediator}"})
        out["staff read: matter view"] = list(calls)
        arn = next(s["stateMachineArn"] for s in sfn.list_state_machines()["stateMachines"]
                   if s["name"].endswith("matter-lifecycle"))
        transitions = {}
        for label, matter_id in (("mediation: accept, assess, conclude", m),
                                 ("complaint: accept, stage reply, conclude", c)):
            history = sfn.get_execution_history(
                executionArn=arn.replace(":stateMachine:", ":execution:") + f":{matter_id}-1",
                maxResults=1000)["events"]
            transitions[label] = sum(1 for e in history if e["type"].endswith("StateEntered"))
        out["transitions"] = transitions
        return out

    with api_thread_calls() as calls:
        return _in_moto(work)


def seed_open_matters(data_dir: Path, count: int) -> None:
    """A snapshot with `count` open matters assigned to one township committee, written the
    way the runtime saves its own (so the runtime restarts every lifecycle on start)."""
    import os
    from datetime import datetime, timezone

    from chalicelib.adapters.dynamo import PublicRecord, event_record, public_pk, record_from_matter
    from chalicelib.domain import deadlines, lifecycle, matter as rules
    from chalicelib.domain.ids import new_matter_id
    from chalicelib.domain.tracking import new_tracking_code
    from chalicelib.reference.directory import ReferenceDirectory
    directory = ReferenceDirectory()
    unit = directory.unit("pmc-431002001")
    items = []
    now = datetime.now(timezone.utc)
    for _ in range(count):
        m, e = rules.new_matter(matter_id=new_matter_id(now, os.urandom(10)),
                                tracking_code=new_tracking_code(os.urandom(32)), intake=MEDIATION,
                                now=now, kind_name="矛盾纠纷调解")
        m.phone_hash = "bench"
        m.holder_centre_id = "centre-431002001"
        lifecycle.assign(m, unit, now, deadlines.CALENDAR_DAYS)
        m.version = 1
        items += [record_from_matter(m).serialize(), event_record(m, e).serialize(),
                  PublicRecord(pk=public_pk(m.tracking_code), sk="#", matter_id=m.matter_id,
                               phone_hash="bench", view=m.public_snapshot([e], unit["name"])).serialize()]
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / "state.json").write_text(json.dumps({
        "formatVersion": 1, "savedAt": time.time(), "clock": {}, "secrets": {},
        "tables": {"jieyou-local-matters": items}}), encoding="utf-8")


def open_matters(count: int, actions: int = 60) -> dict:
    import requests

    from tests.runtime_process import RuntimeProcess
    data = Path(tempfile.mkdtemp(prefix="jieyou-open-")) / "data"
    seed_open_matters(data, count)
    started = time.time()
    rt = RuntimeProcess(data).start(timeout=300)
    try:
        probes = []
        while True:
            t = time.perf_counter()
            report = requests.get(rt.url + "/api/dev/runtime", timeout=120).json()
            probes.append(time.perf_counter() - t)
            if report["lifecyclesStarted"] >= count or time.time() - started > 1800:
                break
            time.sleep(2)
        during_restart = round(statistics.median(probes) * 1000, 1)
        restart_s = time.time() - started
        login = requests.post(rt.url + "/api/auth/login", timeout=120,
                              json={"username": "township.mediator", "password": "Jieyou#2026demo"}).json()
        headers = {"Authorization": f"Bearer {login['idToken']}"}
        queue = rt.get("/api/staff/tasks?view=unit", headers=headers).json()["items"]
        latencies = []
        for item in queue[:actions]:
            t = time.perf_counter()
            r = requests.post(f"{rt.url}/api/staff/matters/{item['matterId']}/actions", timeout=60,
                              json={"action": "accept"}, headers=headers)
            latencies.append(time.perf_counter() - t)
            assert r.status_code == 200, r.text
        report = rt.get("/api/dev/runtime").json()
        health = []
        for _ in range(20):
            t = time.perf_counter()
            rt.get("/api/health")
            health.append(time.perf_counter() - t)
    finally:
        rt.stop(timeout=600)
    q = statistics.quantiles(latencies, n=20)
    return {"open matters": count, "all lifecycles running after (s)": round(restart_s, 1),
            "threads": report["threads"], "max RSS MB": report["maxRssMb"],
            "accept p50 ms": round(statistics.median(latencies) * 1000, 1),
            "accept p95 ms": round(q[18] * 1000, 1), "actions timed": len(latencies),
            "health p50 ms (all running)": round(statistics.median(health) * 1000, 1),
            "health during restart p50 ms": during_restart}
