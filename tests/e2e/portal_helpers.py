"""What the portal's browser tests share: staff actions through the API and reading the outbox."""
from __future__ import annotations

import re
import time

import requests

PASSWORD = "Jieyou#2026demo"
# the smallest valid JPEG start: SOI + APP0 JFIF header, padded (the server checks the first bytes)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 2000 + b"\xff\xd9"


def staff_token(server, username: str) -> str:
    r = requests.post(server.url + "/api/auth/login", json={"username": username, "password": PASSWORD}, timeout=20)
    assert r.ok, r.text
    return r.json()["idToken"]


def staff(server, method: str, path: str, token: str, body=None) -> dict:
    r = requests.request(method, server.url + path, json=body, timeout=20,
                         headers={"Authorization": f"Bearer {token}"})
    assert r.ok, (path, r.status_code, r.text)
    return r.json()


def conclude(server, tracking_code: str, phone: str, outcome: str = "resolved",
             answer: str = "经调解，双方达成协议，楼上住户承诺晚上八点后不再施工。") -> str:
    """Staff take the matter in hand and conclude it, as the console would; returns its id."""
    matter_id, handler = None, None
    centre = staff_token(server, "township.staff")
    for username in ("township.mediator", "township.staff"):
        tok = staff_token(server, username)
        for item in staff(server, "GET", "/api/staff/tasks?view=unit", tok)["items"]:
            if item.get("trackingCode") == tracking_code:
                matter_id, handler = item["matterId"], tok
        if matter_id:
            break
    assert matter_id, f"{tracking_code} is on no work list"
    m = staff(server, "GET", f"/api/staff/matters/{matter_id}", handler)
    if m["status"] == "received":
        staff(server, "POST", f"/api/staff/matters/{matter_id}/actions", centre,
              {"action": "dispatch", "unitId": "pmc-431002001", "note": "转调委会"})
        handler = staff_token(server, "township.mediator")
    staff(server, "POST", f"/api/staff/matters/{matter_id}/actions", handler, {"action": "accept"})
    staff(server, "POST", f"/api/staff/matters/{matter_id}/actions", handler,
          {"action": "conclude", "outcome": outcome, "answer": answer, "agreementReached": outcome == "resolved"})
    return matter_id


def sms_to(server, phone: str, pattern: str, timeout: float = 10) -> str:
    """The first group of `pattern` in the newest SMS sent to `phone` (local outbox)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        for msg in requests.get(server.url + "/api/dev/outbox", timeout=10).json()["items"]:
            if msg.get("channel") == "sms" and any(str(t).endswith(phone) for t in msg.get("to", [])):
                m = re.search(pattern, msg.get("body", ""))
                if m:
                    return m.group(1)
        time.sleep(0.3)
    raise AssertionError(f"no SMS to {phone} matching {pattern}")
