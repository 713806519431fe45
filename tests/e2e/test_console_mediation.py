"""The console's 调解记录, 视频调解, 司法确认 pages and the callbacks of 跟踪问效, as a township
mediator uses them in a browser."""
from __future__ import annotations

import random
import re

import requests

from tests.workflow.helpers import wait_for

from tests.e2e.test_console import console, desk, file_matter, sign_in, token, unique  # noqa: F401


def _auth(server):
    return {"Authorization": "Bearer " + token(server, "township.mediator")}


def _accepted(server, title, phone):
    matter = file_matter(server, title, phone=phone)
    assert server.post(f"/api/staff/matters/{matter['matterId']}/actions", {"action": "accept"},
                       headers=_auth(server)).ok
    return matter


def _phone():
    return "137" + "".join(random.choices("0123456789", k=8))


def test_mediator_schedules_a_session_and_drafts_the_agreement(console, live_server, desk):  # noqa: F811
    page = desk
    phone = _phone()
    matter = _accepted(live_server, unique("院墙滴水纠纷"), phone)
    sign_in(page, console, "township.mediator", f"/mediation?matter={matter['matterId']}")
    page.wait_for_selector("#mediation-record")
    page.click("#new-session")
    dialog = page.locator(".el-dialog").last
    dialog.get_by_text("现场调解").click()
    dialog.locator("input[placeholder='调解室地址']").fill("人民路街道人民调解室")
    dialog.locator(".el-date-editor input").fill("2026-12-08 10:00:00")
    dialog.locator(".el-date-editor input").press("Enter")
    dialog.get_by_role("button", name="保存").click()
    row = page.locator("#mediation-record tr", has_text="人民路街道人民调解室")
    row.wait_for(timeout=15000)
    assert "周小梅" in row.inner_text()  # the applicant, prefilled as a party

    row.get_by_role("button", name="生成协议").click()
    dialog = page.locator(".el-dialog").last
    dialog.locator("textarea").fill("甲方于十日内加装院墙排水槽\n乙方不再追究此前损失")
    dialog.get_by_role("button", name="生成").click()
    page.wait_for_selector(".agreement a.doc-link", timeout=15000)
    assert "甲方于十日内加装院墙排水槽" in page.inner_text(".agreement")
    href = page.get_attribute(".agreement a.doc-link", "href")
    assert requests.get(href, timeout=10).content[:2] == b"PK"  # a .docx (zip) from the bucket

    # the applicant signs with the SMS code the mediator sends
    page.locator(".agreement").get_by_role("button", name="发送验证码").click()
    page.get_by_text("验证码已发送至周小梅的手机").wait_for(timeout=15000)
    text = wait_for(lambda: next((m["body"] for m in live_server.get("/api/dev/outbox").json()["items"]
                                  if f"+86{phone}" in m.get("to", []) and "调解协议书" in m["body"]), None))
    page.locator(".agreement input[placeholder='6位验证码']").fill(re.search(r"验证码是(\d{6})", text).group(1))
    page.locator(".agreement").get_by_role("button", name="确认签署").click()
    page.wait_for_selector(".agreement >> text=短信验证码确认", timeout=15000)
    assert "已生效" in page.inner_text(".agreement")  # the only party signed: in force


def test_judicial_confirmation_and_video_pages(console, live_server, desk):  # noqa: F811
    page = desk
    phone = _phone()
    matter = _accepted(live_server, unique("借款纠纷"), phone)
    auth = _auth(live_server)
    base = f"/api/staff/matters/{matter['matterId']}"
    session = live_server.post(f"{base}/sessions", {
        "mode": "video", "scheduledAt": "2026-12-06T02:00:00Z",
        "participants": [{"role": "mediator", "name": "吴丽华"}, {"role": "party", "name": "周小梅", "phone": phone}]},
        headers=auth).json()
    agreement = live_server.post(f"{base}/sessions/{session['sessionId']}/agreement",
                                 {"terms": ["借款人于月底前还款五千元"]}, headers=auth).json()
    png = ("data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")
    r = live_server.post(f"{base}/agreements/{agreement['agreementId']}/signatures",
                         {"partyId": agreement["parties"][0]["id"], "signatureImage": png}, headers=auth)
    assert r.ok, r.text

    sign_in(page, console, "township.mediator", "/confirmation")
    row = page.locator("#confirmations tr", has_text="借款纠纷")
    row.wait_for(timeout=15000)
    assert "剩余 29 天" in row.inner_text() or "剩余 30 天" in row.inner_text()
    row.get_by_role("button", name="生成申请书").click()
    page.locator("#confirmations tr", has_text="已生成申请书").wait_for(timeout=15000)

    page.goto(console + "#/video")
    row = page.locator("#video-sessions tr", has_text="周小梅")
    row.get_by_role("button", name="开始视频调解").click()
    row.get_by_role("button", name="进入会议").wait_for(timeout=15000)
    assert "进行中" in row.inner_text()
    items = live_server.get("/api/dev/outbox").json()["items"]
    assert any("/meeting.html#m=" + matter["matterId"] in m["body"] for m in items if f"+86{phone}" in m.get("to", []))


def test_an_unsatisfied_callback_from_the_followup_page_reopens_the_matter(console, live_server, desk):  # noqa: F811
    page = desk
    title = unique("宅基地边界")
    matter = _accepted(live_server, title, _phone())
    assert live_server.post(f"/api/staff/matters/{matter['matterId']}/actions",
                            {"action": "conclude", "outcome": "resolved", "answer": "已调解", "agreementReached": False},
                            headers=_auth(live_server)).ok
    sign_in(page, console, "township.mediator", "/followup")
    page.get_by_role("tab", name=re.compile("回访任务")).click()
    row = page.locator("#callbacks tr", has_text=title)
    row.get_by_role("button", name="记录回访").click()
    dialog = page.locator(".el-dialog").last
    dialog.get_by_text("不满意").click()
    dialog.locator("textarea").fill("边界桩仍未重新埋设")
    dialog.get_by_role("button", name="保存").click()
    page.get_by_text("回访已记录，事项已重新办理").wait_for(timeout=15000)
    view = live_server.get(f"/api/staff/matters/{matter['matterId']}", headers=_auth(live_server)).json()
    assert view["status"] == "in_progress"
