"""`make run`'s process: serves portal and API on one origin and keeps its data across
a clean stop and a kill -9."""
from __future__ import annotations

import json
import signal
import time

import boto3
import pytest
import requests

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


def test_a_citizen_verifies_by_sms_and_uploads_evidence_from_the_portal_origin(tmp_path):
    """Locally the code arrives in the outbox, and the browser posts evidence to moto's
    loopback server, which allows the portal's origin and keeps the file across a restart."""
    import re
    import requests
    phone, png = "13600005678", b"\x89PNG\r\n\x1a\n" + b"\x01" * 64
    data = tmp_path / "data"
    rt = RuntimeProcess(data).start()
    try:
        receipt = rt.post("/api/matters", {**MATTER, "applicant": {"name": "赵四", "phone": phone}}).json()
        assert rt.post("/api/citizen/otp", {"phone": phone}).status_code == 202
        sms = [m["body"] for m in rt.get("/api/dev/outbox").json()["items"] if m["to"] == [f"+86{phone}"]]
        # the receipt SMS with the tracking code went to the same phone just before
        code = next(m.group(1) for m in map(re.compile(r"验证码是(\d{6})").search, sms) if m)
        token = rt.post("/api/citizen/verify", {"phone": phone, "code": code}).json()["citizenToken"]
        auth = {"Authorization": f"Bearer {token}"}
        mine = rt.get("/api/citizen/matters", headers=auth).json()["items"]
        assert [m["trackingCode"] for m in mine] == [receipt["trackingCode"]]

        upload = rt.post(f"/api/matters/{receipt['trackingCode']}/evidence/uploads",
                         {"contentType": "image/png", "name": "路灯照片"}, headers=auth).json()
        assert upload["url"].startswith(rt.get("/api/dev/runtime").json()["motoEndpoint"])
        preflight = requests.options(upload["url"], timeout=10, headers={
            "Origin": rt.url, "Access-Control-Request-Method": "POST"})
        assert preflight.ok and preflight.headers["Access-Control-Allow-Origin"] == rt.url
        posted = requests.post(upload["url"], data=upload["fields"], files={"file": ("p.png", png)},
                               headers={"Origin": rt.url}, timeout=10)
        assert posted.status_code == 204 and posted.headers["Access-Control-Allow-Origin"] == rt.url
        recorded = rt.post(f"/api/matters/{receipt['trackingCode']}/evidence",
                           {"key": upload["key"], "name": "路灯照片"}, headers=auth)
        assert recorded.status_code == 201
        time.sleep(3)  # autosave
    finally:
        assert rt.stop(signal.SIGINT) == 0

    rt = RuntimeProcess(data, port=rt.port).start()
    try:
        items = rt.get(f"/api/matters/{receipt['trackingCode']}/evidence?phone={phone}").json()["items"]
        assert requests.get(items[0]["url"], timeout=10).content == png
    finally:
        rt.stop()


def test_admin_made_accounts_and_unit_edits_survive_a_restart_passwords_do_not(tmp_path):
    data = tmp_path / "data"

    def admin_headers(rt):
        token = rt.post("/api/auth/login", {"username": "admin", "password": "Jieyou#2026demo"}).json()["idToken"]
        return {"Authorization": f"Bearer {token}"}

    rt = RuntimeProcess(data).start()
    try:
        auth = admin_headers(rt)
        created = rt.post("/api/admin/accounts", {"username": "new.mediator", "name": "钟晓梅",
                                                  "role": "mediator", "unitId": "pmc-431002001"},
                          headers=auth)
        assert created.status_code == 201, created.text
        temporary = created.json()["temporaryPassword"]
        assert rt.post("/api/admin/accounts/county.staff/disable", {}, headers=auth).ok
        renamed = requests.put(rt.url + "/api/admin/units/dept-431002-hrss", headers=auth, timeout=10,
                               json={"version": 0, "name": "北湖区人社局"})
        assert renamed.ok, renamed.text
    finally:
        assert rt.stop(signal.SIGINT) == 0

    rt = RuntimeProcess(data, port=rt.port).start()
    try:
        report = rt.get("/api/dev/runtime").json()
        assert report["accountsRestored"] == 1 and report["accountsDisabled"] == 1
        auth = admin_headers(rt)
        listed = rt.get("/api/admin/accounts?unitId=pmc-431002001", headers=auth).json()["items"]
        assert [a["username"] for a in listed if a["username"] == "new.mediator"] == ["new.mediator"]
        denied = rt.post("/api/auth/login", {"username": "county.staff", "password": "Jieyou#2026demo"})
        assert denied.status_code == 403 and denied.json()["error"]["code"] == "account_disabled"
        # the temporary password was never written down: an admin issues a new one
        assert rt.post("/api/auth/login", {"username": "new.mediator", "password": temporary}).status_code == 401
        again = rt.post("/api/admin/accounts/new.mediator/reset-password", {}, headers=auth).json()
        challenge = rt.post("/api/auth/login", {"username": "new.mediator",
                                                "password": again["temporaryPassword"]}).json()
        assert challenge["challenge"] == "NEW_PASSWORD_REQUIRED"
        unit = rt.get("/api/admin/units/dept-431002-hrss", headers=auth).json()
        assert unit["name"] == "北湖区人社局" and unit["version"] == 1
    finally:
        rt.stop()
