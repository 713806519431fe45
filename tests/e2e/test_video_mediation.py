"""视频调解 on the local media path: two headless Chromium pages with fake camera and microphone
join the same session — the mediator from the console's seat, the party with the SMS link and
one-time code — and each receives the other's audio and video."""
from __future__ import annotations

import base64
import json
import random
import re

import pytest
import requests

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.e2e.test_console import file_matter, token, unique

FAKE_MEDIA = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]


@pytest.fixture(scope="module")
def media_browser(browser):
    """A second Chromium with fake camera and microphone, from the session's Playwright (one
    sync Playwright may run at a time)."""
    b = browser.browser_type.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS + FAKE_MEDIA)
    yield b
    b.close()


def page_of(browser, server):
    context = browser.new_context(locale="zh-CN", viewport={"width": 900, "height": 800},
                                  permissions=["camera", "microphone"], base_url=server.url)
    return context, context.new_page()


def sms(server, phone):
    items = server.get("/api/dev/outbox").json()["items"]
    return [m["body"] for m in items if m.get("channel") == "sms" and f"+86{phone}" in m.get("to", [])]


def started_video_session(server, party_phone):
    """A township mediator's matter with a video session, started (meeting open, SMS out)."""
    matter = file_matter(server, unique("视频调解宅基地纠纷"), phone=party_phone)
    auth = {"Authorization": "Bearer " + token(server, "township.mediator")}
    assert server.post(f"/api/staff/matters/{matter['matterId']}/actions", {"action": "accept"}, headers=auth).ok
    r = server.post(f"/api/staff/matters/{matter['matterId']}/sessions", {
        "mode": "video", "scheduledAt": "2026-12-05T02:00:00Z",
        "participants": [{"role": "mediator", "name": "赵调解"},
                         {"role": "party", "name": "周小梅", "phone": party_phone}]}, headers=auth)
    assert r.status_code == 201, r.text
    session = r.json()
    path = f"/api/staff/matters/{matter['matterId']}/sessions/{session['sessionId']}"
    r = requests.patch(server.url + path, json={"status": "in_progress"}, headers=auth, timeout=30)
    assert r.ok, r.text
    seat = server.post(path + "/join", {}, headers=auth).json()
    return matter, session, seat, auth, path


def test_mediator_and_party_see_and_hear_each_other(live_server, media_browser):
    phone = "139" + "".join(random.choices("0123456789", k=8))
    matter, session, seat, auth, path = started_video_session(live_server, phone)
    invite = sms(live_server, phone)[0]
    link = re.search(r"(http://\S+/meeting\.html#m=\S+&s=\w+)", invite).group(1)
    code = re.search(r"验证码(\d{6})", invite).group(1)
    assert link.startswith(live_server.url)

    host_ctx, host = page_of(media_browser, live_server)
    party_ctx, party = page_of(media_browser, live_server)
    try:
        encoded = base64.b64encode(json.dumps(seat).encode()).decode()
        host.goto(f"/meeting.html#m={matter['matterId']}&s={session['sessionId']}&seat={encoded}")
        host.click("#check")
        host.wait_for_function("() => !document.getElementById('join').disabled")
        host.click("#join")
        host.wait_for_function("() => window.__meeting.joined")
        assert host.is_visible("#host")  # the mediator's controls

        party.goto(link[len(live_server.url):])
        party.click("#check")
        party.wait_for_function("() => !document.getElementById('join').disabled")
        party.fill("#phone", phone)
        party.fill("#code", code)
        party.click("#join")
        party.wait_for_function("() => window.__meeting.joined")
        assert "等待调解员准许进入" in party.inner_text("#status")
        assert party.evaluate("() => window.__meeting.tracks.length") == 0  # nothing before admission

        host.click("#waiting button:has-text('准许进入')")
        for page in (host, party):
            page.wait_for_function("() => window.__meeting.tracks.length >= 2", timeout=20000)
            kinds = sorted(t["kind"] for t in page.evaluate("() => window.__meeting.tracks"))
            assert kinds == ["audio", "video"]
            page.wait_for_function("""() => [...document.querySelectorAll('#tiles video')]
                .some(v => v.videoWidth > 0 && v.readyState >= 2)""", timeout=20000)
        assert host.inner_text("#tiles figcaption") == "周小梅" and party.inner_text("#tiles figcaption") == "赵调解"

        party.click("#mute")
        assert party.evaluate("() => window.__meeting.muted") is True and party.inner_text("#mute") == "取消静音"

        # the mediator removes the party: the party's page says so and its video stops
        host.click("#present button:has-text('移出')")
        party.wait_for_function("() => !window.__meeting.joined", timeout=20000)
        assert "移出" in party.inner_text("#status")
        host.wait_for_function("() => document.querySelectorAll('#tiles video').length === 0", timeout=20000)

        # ending the session ends the meeting for the mediator too
        r = requests.patch(live_server.url + path, json={"status": "ended", "minutes": "视频调解完成"},
                           headers=auth, timeout=30)
        assert r.ok and r.json()["status"] == "ended"
        host.wait_for_function("() => window.__meeting.ended", timeout=25000)
        assert "已结束" in host.inner_text("#status")
    finally:
        host_ctx.close()
        party_ctx.close()
