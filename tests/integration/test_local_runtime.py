"""`make run`'s process: serves portal and API on one origin and keeps its data across
a clean stop and a kill -9."""
from __future__ import annotations

import json
import signal
import time

import boto3
import pytest

from tests.runtime_process import RuntimeProcess

pytestmark = pytest.mark.slow

MATTER = {"kind": "livelihood", "title": "村道路灯损坏", "description": "村口三盏路灯坏了一个多月，夜里出行不便。",
          "regionCode": "431002001001", "applicant": {"name": "赵四", "phone": "13600001234"}}


def wait_until(predicate, timeout=30.0):
    end = time.time() + timeout
    while time.time() < end:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_data_survives_a_clean_stop_and_a_kill(tmp_path):
    data = tmp_path / "data"
    rt = RuntimeProcess(data).start()
    try:
        page = rt.get("/")
        assert page.ok and "百姓解忧站" in page.text
        assert rt.get("/api/nothing-here").status_code == 404
        first = rt.post("/api/matters", MATTER).json()
        assert rt.get(f"/api/matters/{first['trackingCode']}?phone=13600001234").ok
    finally:
        assert rt.stop(signal.SIGINT) == 0
    assert (data / "state.json").exists()

    rt = RuntimeProcess(data, port=rt.port).start()
    try:
        assert rt.get(f"/api/matters/{first['trackingCode']}?phone=13600001234").json()["title"] == MATTER["title"]
        assert wait_until(lambda: rt.get("/api/dev/runtime").json()["lifecyclesStarted"] == 1)
        second = rt.post("/api/matters", {**MATTER, "title": "村道路面塌陷"}).json()
        time.sleep(3)  # autosave runs every 2 s after a write
    finally:
        rt.stop(signal.SIGKILL)
    json.loads((data / "state.json").read_text())  # never half-written

    rt = RuntimeProcess(data, port=rt.port).start()
    try:
        for receipt in (first, second):
            assert rt.get(f"/api/matters/{receipt['trackingCode']}?phone=13600001234").ok
        assert wait_until(lambda: rt.get("/api/dev/runtime").json()["lifecyclesStarted"] == 2)
    finally:
        rt.stop()


def test_sent_sms_and_mail_land_in_the_outbox(tmp_path):
    rt = RuntimeProcess(tmp_path / "data").start()
    try:
        endpoint = rt.get("/api/dev/runtime").json()["motoEndpoint"]
        session = boto3.session.Session(aws_access_key_id="local", aws_secret_access_key="local",
                                         region_name="us-east-1")
        session.client("sns", endpoint_url=endpoint).publish(
            PhoneNumber="+8613600001234", Message="【解忧】您的事项查询码为 ABC-DEF-GHJK")
        ses = session.client("ses", endpoint_url=endpoint)
        ses.verify_email_identity(EmailAddress="noreply@jieyou.example")
        ses.send_email(Source="noreply@jieyou.example", Destination={"ToAddresses": ["leader@jieyou.example"]},
                       Message={"Subject": {"Data": "月度报告"}, "Body": {"Text": {"Data": "见附件"}}})
        items = rt.get("/api/dev/outbox").json()["items"]
        assert {(m["channel"], m["to"][0]) for m in items} == {("sms", "+8613600001234"),
                                                               ("email", "leader@jieyou.example")}
        assert len(list((tmp_path / "data" / "outbox").glob("*.json"))) == 2
    finally:
        rt.stop()
