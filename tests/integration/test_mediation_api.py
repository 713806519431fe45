"""Mediation records, the agreement (.docx, signatures), judicial confirmation and the callback,
through the staff API on moto, as a township mediator and a citizen would see them."""
from __future__ import annotations

import base64
import io
import json
import re
import struct
import zlib

import pytest

from chalicelib import settings

JSON = {"content-type": "application/json"}
APPLICANT, OTHER = "13812345678", "13987654321"
MEDIATION = {"kind": "mediation", "title": "邻居建房占用我家宅基地", "category": "neighbourhood",
             "description": "邻居今年三月建房，围墙越过界址约两米，协商未果。",
             "regionCode": "431002001001", "applicant": {"name": "李春花", "phone": APPLICANT},
             "otherParties": [{"name": "王大山", "phone": OTHER}]}
TERMS = ["王大山于2026年12月31日前拆除越界围墙约两米", "李春花不再追究其他损失", "调解费用由双方各半承担"]


def call(api, method, path, body=None, token=None):
    headers = {**JSON, **({"Authorization": f"Bearer {token}"} if token else {})}
    if method == "get":
        r = api.get(path, headers=headers)
    else:
        r = getattr(api, method)(path, headers=headers, body=json.dumps(body))
    return r.status_code, json.loads(r.body) if r.body else None


def file(api):
    status, receipt = call(api, "post", "/api/matters", MEDIATION)
    assert status == 201, receipt
    return receipt


def sms_to(phone):
    from moto.sns.models import sns_backends
    return [text for to, text in sns_backends["123456789012"]["us-east-1"].sms_messages.values()
            if to == f"+86{phone}"]


def s3_docx(key):
    import boto3
    from docx import Document
    data = boto3.client("s3").get_object(Bucket=settings.EVIDENCE_BUCKET, Key=key)["Body"].read()
    doc = Document(io.BytesIO(data))
    text = "\n".join(p.text for p in doc.paragraphs)
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return doc, text, cells


def png(width=40, height=20) -> bytes:
    """A small real PNG (a signature stand-in)."""
    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def session_body(mode="in_person"):
    return {"mode": mode, "scheduledAt": "2026-12-05T02:00:00Z", "place": "人民路街道人民调解室",
            "participants": [{"role": "mediator", "name": "赵调解"},
                             {"role": "party", "name": "李春花", "phone": APPLICANT},
                             {"role": "party", "name": "王大山", "phone": OTHER},
                             {"role": "unit", "name": "北湖区人社局", "unitId": "dept-431002-hrss"}]}


@pytest.fixture
def mediator(staff_token):
    return staff_token("township.mediator")


def accepted(api, mediator):
    matter_id = file(api)["matterId"]
    status, body = call(api, "post", f"/api/staff/matters/{matter_id}/actions", {"action": "accept"}, mediator)
    assert status == 200, body
    return matter_id


def effective_agreement(api, mediator, matter_id):
    """A session, its agreement, both parties signed (one by SMS code, one by image)."""
    status, session = call(api, "post", f"/api/staff/matters/{matter_id}/sessions", session_body(), mediator)
    assert status == 201, session
    status, agreement = call(api, "post", f"/api/staff/matters/{matter_id}/sessions/{session['sessionId']}/agreement",
                             {"terms": TERMS, "performBy": "2026-12-31T15:59:59Z"}, mediator)
    assert status == 201, agreement
    base = f"/api/staff/matters/{matter_id}/agreements/{agreement['agreementId']}"
    first, second = agreement["parties"]
    assert call(api, "post", f"{base}/signing-codes", {"partyId": first["id"]}, mediator)[0] == 202
    code = re.search(r"验证码是(\d{6})", sms_to(APPLICANT)[-1]).group(1)
    status, agreement = call(api, "post", f"{base}/signatures", {"partyId": first["id"], "code": code}, mediator)
    assert status == 200 and agreement["status"] == "signing", agreement
    image = "data:image/png;base64," + base64.b64encode(png()).decode()
    status, agreement = call(api, "post", f"{base}/signatures", {"partyId": second["id"], "signatureImage": image},
                             mediator)
    assert status == 200 and agreement["status"] == "effective", agreement
    return session, agreement, base


def test_a_session_record_with_minutes_is_kept_and_audited(api, mediator, staff_token):
    matter_id = accepted(api, mediator)
    status, session = call(api, "post", f"/api/staff/matters/{matter_id}/sessions", session_body(), mediator)
    assert status == 201, session
    assert session["status"] == "scheduled" and session["modeName"] == "现场调解"
    assert [p["role"] for p in session["participants"]] == ["mediator", "party", "party", "unit"]
    path = f"/api/staff/matters/{matter_id}/sessions/{session['sessionId']}"
    status, held = call(api, "patch", path, {"minutes": "双方陈述了各自意见，同意按界址拆除围墙。",
                                             "status": "ended", "version": session["version"]}, mediator)
    assert status == 200 and held["status"] == "ended" and held["minutes"].startswith("双方陈述")
    # someone saving over a view that has since changed gets 409
    assert call(api, "patch", path, {"minutes": "旧页面", "version": session["version"]}, mediator)[0] == 409

    status, record = call(api, "get", f"/api/staff/matters/{matter_id}/sessions", token=mediator)
    assert status == 200 and record["canMediate"] and record["sessions"][0]["minutes"].startswith("双方陈述")
    leader = staff_token("township.leader")
    status, audit = call(api, "get", f"/api/staff/matters/{matter_id}/audit", token=leader)
    actions = [line["action"] for line in audit["items"]]
    assert {"session_create", "session_ended", "view_mediation"} <= set(actions)


def test_who_may_record_mediation(api, mediator, staff_token):
    matter_id = accepted(api, mediator)
    # the county centre sees the matter (its region) but does not handle it: 403, audited
    county = staff_token("county.staff")
    status, body = call(api, "post", f"/api/staff/matters/{matter_id}/sessions", session_body(), county)
    assert status == 403 and body["error"]["code"] == "action_forbidden"
    assert call(api, "get", f"/api/staff/matters/{matter_id}/sessions", token=county)[0] == 200
    # a department elsewhere does not see it at all
    dept = staff_token("dept.handler")
    assert call(api, "post", f"/api/staff/matters/{matter_id}/sessions", session_body(), dept)[1]["error"]["code"] \
        == "matter_not_found"
    # bad input is a 400 with the field named
    status, body = call(api, "post", f"/api/staff/matters/{matter_id}/sessions",
                        {**session_body(), "participants": [{"role": "party", "name": "李春花"}]}, mediator)
    assert status == 400 and "participants[0].phone" in body["error"]["fields"]


def test_the_agreement_docx_names_the_parties_and_terms_and_the_conclusion_links_it(api, mediator, staff_token):
    matter_id = accepted(api, mediator)
    status, session = call(api, "post", f"/api/staff/matters/{matter_id}/sessions", session_body(), mediator)
    status, draft = call(api, "post", f"/api/staff/matters/{matter_id}/sessions/{session['sessionId']}/agreement",
                         {"terms": TERMS}, mediator)
    assert status == 201 and draft["docUrl"]
    doc, text, cells = s3_docx(draft["docKey"])
    assert doc.paragraphs[0].text == "人民调解协议书"
    assert {"李春花", "王大山"} <= set(cells)
    assert "138****5678" in cells and APPLICANT not in cells  # the draft masks phones
    for i, term in enumerate(TERMS, 1):
        assert f"{i}. {term}" in text
    assert MEDIATION["description"] in text and "人民路街道人民调解委员会" in text
    assert "李春花（签名）：________________" in text

    _, agreement, _ = effective_agreement(api, mediator, matter_id)
    _, text, _ = s3_docx(agreement["docKey"])
    assert re.search(r"李春花：已于\d{4}-\d\d-\d\d \d\d:\d\d通过手机短信验证码确认签署", text)
    assert "王大山（签名）：" in text and len(s3_docx(agreement["docKey"])[0].inline_shapes) == 1
    assert agreement["confirmation"]["state"] == "open" and 29 < agreement["confirmation"]["daysLeft"] <= 30

    status, view = call(api, "post", f"/api/staff/matters/{matter_id}/actions",
                        {"action": "conclude", "outcome": "resolved", "answer": "双方达成调解协议",
                         "agreementReached": True}, mediator)
    assert status == 200 and view["outcome"]["agreementId"] == agreement["agreementId"]
    status, public = call(api, "get", f"/api/matters/{view['trackingCode']}?phone={APPLICANT}")
    assert "调解协议书已经各方当事人签署生效" in [e["text"] for e in public["timeline"]]


def test_a_wrong_signing_code_signs_nothing(api, mediator):
    matter_id = accepted(api, mediator)
    _, session = call(api, "post", f"/api/staff/matters/{matter_id}/sessions", session_body(), mediator)
    _, agreement = call(api, "post", f"/api/staff/matters/{matter_id}/sessions/{session['sessionId']}/agreement",
                        {"terms": TERMS}, mediator)
    base = f"/api/staff/matters/{matter_id}/agreements/{agreement['agreementId']}"
    party = agreement["parties"][0]["id"]
    call(api, "post", f"{base}/signing-codes", {"partyId": party}, mediator)
    code = re.search(r"验证码是(\d{6})", sms_to(APPLICANT)[-1]).group(1)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    status, body = call(api, "post", f"{base}/signatures", {"partyId": party, "code": wrong}, mediator)
    assert status == 400 and body["error"]["code"] == "otp_invalid" and "还可尝试4次" in body["error"]["message"]
    _, after = call(api, "get", base, token=mediator)
    assert not after["parties"][0]["signed"] and after["status"] == "signing"
    status, body = call(api, "post", f"{base}/signatures",
                        {"partyId": party, "signatureImage": "data:image/png;base64," + base64.b64encode(b"GIF89a").decode()},
                        mediator)
    assert status == 400 and "signatureImage" in body["error"]["fields"]


def test_judicial_confirmation_from_application_to_the_courts_ruling(api, mediator):
    matter_id = accepted(api, mediator)
    _, agreement, base = effective_agreement(api, mediator, matter_id)
    status, courts = call(api, "get", "/api/staff/courts", token=mediator)
    court = next(c for c in courts["items"] if c["unitId"] == "dept-431002-court")
    # a court decision before any submission is refused
    status, body = call(api, "post", f"{base}/confirmation", {"step": "decide", "decision": "confirmed",
                                                              "rulingNumber": "x"}, mediator)
    assert status == 409 and body["error"]["code"] == "confirmation_state"

    status, applied = call(api, "post", f"{base}/confirmation", {"step": "apply"}, mediator)
    assert status == 200 and applied["confirmation"]["state"] == "applied"
    _, text, _ = s3_docx(applied["confirmation"]["applicationKey"])
    assert "司法确认申请书" in text and "李春花" in text and "王大山" in text and TERMS[0] in text
    status, body = call(api, "post", f"{base}/confirmation", {"step": "submit", "courtUnitId": "dept-431002-hrss"},
                        mediator)
    assert status == 400 and "courtUnitId" in body["error"]["fields"]
    status, submitted = call(api, "post", f"{base}/confirmation", {"step": "submit", "courtUnitId": court["unitId"]},
                             mediator)
    assert status == 200 and submitted["confirmation"]["state"] == "submitted"
    assert court["name"] in s3_docx(submitted["confirmation"]["applicationKey"])[1]
    status, decided = call(api, "post", f"{base}/confirmation",
                           {"step": "decide", "decision": "confirmed", "rulingNumber": "（2026）湘1002民特123号"},
                           mediator)
    assert status == 200 and decided["confirmation"]["stateName"] == "法院已确认"
    status, public = call(api, "get", f"/api/matters/{file_code(api, mediator, matter_id)}?phone={APPLICANT}")
    assert any("（2026）湘1002民特123号" in e["text"] for e in public["timeline"])


def file_code(api, token, matter_id):
    return call(api, "get", f"/api/staff/matters/{matter_id}", token=token)[1]["trackingCode"]


def test_an_unsatisfied_callback_reopens_the_matter(api, mediator, staff_token):
    matter_id = accepted(api, mediator)
    status, view = call(api, "post", f"/api/staff/matters/{matter_id}/actions",
                        {"action": "conclude", "outcome": "resolved", "answer": "已调解", "agreementReached": False},
                        mediator)
    assert status == 200 and view["status"] == "concluded"
    # the callback is a task on the concluding unit's follow-up list, due within 7 days
    status, tasks = call(api, "get", "/api/staff/mediation/tasks?kind=callback", token=mediator)
    assert status == 200 and [t["matterId"] for t in tasks["items"]] == [matter_id]
    task = tasks["items"][0]
    assert task["status"] == "open" and not task["overdue"]
    status, body = call(api, "post", f"/api/staff/matters/{matter_id}/callbacks/{task['callbackId']}",
                        {"result": "unsatisfied"}, mediator)
    assert status == 400 and "note" in body["error"]["fields"]  # unsatisfied needs what was said
    status, done = call(api, "post", f"/api/staff/matters/{matter_id}/callbacks/{task['callbackId']}",
                        {"result": "unsatisfied", "note": "围墙仍未拆除"}, mediator)
    assert status == 200 and done["action"] == "reopen" and done["matterStatus"] == "in_progress"
    # the task left the list; the matter is back on the unit's work list with fresh clocks
    assert call(api, "get", "/api/staff/mediation/tasks?kind=callback", token=mediator)[1]["items"] == []
    _, view = call(api, "get", f"/api/staff/matters/{matter_id}", token=mediator)
    assert view["status"] == "in_progress" and view["deadlines"]["conclude"]["state"] == "running"
    _, queue = call(api, "get", "/api/staff/tasks?view=unit", token=mediator)
    assert matter_id in [t["matterId"] for t in queue["items"]]
    # the citizen sees the callback and the reopening on the public timeline
    _, public = call(api, "get", f"/api/matters/{view['trackingCode']}?phone={APPLICANT}")
    texts = [e["text"] for e in public["timeline"]]
    assert "回访结果：不满意（围墙仍未拆除）" in texts and "回访不满意，事项重新办理" in texts
    assert public["status"] == "in_progress"
    # recorded once only
    status, body = call(api, "post", f"/api/staff/matters/{matter_id}/callbacks/{task['callbackId']}",
                        {"result": "satisfied"}, mediator)
    assert status == 409 and body["error"]["code"] == "callback_done"


def test_a_callback_after_a_reopening_supervises_instead(api, mediator, staff_token):
    """The rules reopen once; a second unsatisfied callback falls back to supervision."""
    matter_id = accepted(api, mediator)
    for _ in range(2):
        call(api, "post", f"/api/staff/matters/{matter_id}/actions",
             {"action": "conclude", "outcome": "resolved", "answer": "已调解", "agreementReached": False}, mediator)
        _, tasks = call(api, "get", "/api/staff/mediation/tasks?kind=callback", token=mediator)
        _, done = call(api, "post", f"/api/staff/matters/{matter_id}/callbacks/{tasks['items'][0]['callbackId']}",
                       {"result": "recurred", "note": "又吵起来了"}, staff_token("township.staff"))
    assert done["action"] == "supervise" and done["matterStatus"] == "concluded"
    _, view = call(api, "get", f"/api/staff/matters/{matter_id}", token=mediator)
    assert view["supervised"] is True


def test_performance_is_recorded(api, mediator):
    matter_id = accepted(api, mediator)
    _, agreement, base = effective_agreement(api, mediator, matter_id)
    status, tasks = call(api, "get", "/api/staff/mediation/tasks?kind=agreement", token=mediator)
    assert [t["agreementId"] for t in tasks["items"]] == [agreement["agreementId"]]
    status, body = call(api, "post", f"{base}/performance", {"state": "partly", "note": "围墙拆了一半"}, mediator)
    assert status == 200 and body["performance"]["state"] == "partly"


def test_a_video_session_invites_the_parties_who_join_with_the_sms_code(api, mediator):
    from chalicelib.adapters.local.meetings import relay
    matter_id = accepted(api, mediator)
    body = {**session_body("video"), "place": None}
    status, session = call(api, "post", f"/api/staff/matters/{matter_id}/sessions", body, mediator)
    assert status == 201 and session["modeName"] == "视频调解"
    path = f"/api/staff/matters/{matter_id}/sessions/{session['sessionId']}"
    # nobody joins before the mediator starts it
    status, body = call(api, "post", f"{path}/join", {}, mediator)
    assert status == 409 and body["error"]["code"] == "meeting_not_live"
    status, live = call(api, "patch", path, {"status": "in_progress"}, mediator)
    assert status == 200 and live["video"] is True
    invite = sms_to(APPLICANT)[-1]
    assert f"/meeting.html#m={matter_id}&s={session['sessionId']}" in invite
    code = re.search(r"验证码(\d{6})", invite).group(1)

    status, seat = call(api, "post", "/api/meetings/join",
                        {"matterId": matter_id, "sessionId": session["sessionId"], "phone": APPLICANT, "code": code})
    assert status == 200 and seat["role"] == "party" and seat["name"] == "李春花" and seat["provider"] == "local"
    # the other party's code does not open somebody else's session
    other_code = re.search(r"验证码(\d{6})", sms_to(OTHER)[-1]).group(1)
    status, body = call(api, "post", "/api/meetings/join",
                        {"matterId": matter_id, "sessionId": "nope", "phone": OTHER, "code": other_code})
    assert status == 404 and body["error"]["code"] == "meeting_not_found"
    status, own = call(api, "post", f"{path}/join", {}, mediator)
    assert status == 200 and own["role"] == "mediator"

    # the local relay: the party waits in the lobby until the mediator admits them
    r = relay()
    assert r.join({"meetingId": own["meetingId"], "token": own["joinToken"]})["state"] == "admitted"
    assert r.join({"meetingId": seat["meetingId"], "token": seat["joinToken"]})["state"] == "waiting"
    assert [m["type"] for m in r.poll({"meetingId": own["meetingId"], "token": own["joinToken"],
                                       "timeout": 1})["messages"]] == ["admitted", "waiting"]
    r.admit({"meetingId": own["meetingId"], "token": own["joinToken"], "participantId": seat["participantId"]})
    got = r.poll({"meetingId": seat["meetingId"], "token": seat["joinToken"], "timeout": 1})["messages"]
    assert got[0]["type"] == "admitted" and [p["role"] for p in got[0]["peers"]] == ["mediator"]
    # the mediator removes the party; ending the session ends the meeting for everyone
    status, _ = call(api, "post", f"{path}/participants/{seat['participantId']}/remove", {}, mediator)
    assert status == 200
    assert r.poll({"meetingId": seat["meetingId"], "token": seat["joinToken"], "timeout": 1})["messages"][-1]["type"] \
        == "removed"
    status, ended = call(api, "patch", path, {"status": "ended", "minutes": "视频调解结束"}, mediator)
    assert status == 200 and ended["video"] is False
    assert r.poll({"meetingId": own["meetingId"], "token": own["joinToken"], "timeout": 1})["messages"][-1]["type"] \
        == "ended"
