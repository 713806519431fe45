"""Hostile input in the browser (issue 9): matter texts, names and staff notes carrying HTML,
script, very long words, right-to-left text and emoji are filed through the API and shown in
the console and the portal in headless Chromium. Nothing executes (`window.__pwned` is never
set, no dialog opens) and the layout holds (the main panel does not scroll sideways)."""
from __future__ import annotations

import uuid

import pytest

from tests.e2e.test_console import act, console, desk, sign_in  # noqa: F401 - fixtures

pytestmark = pytest.mark.e2e

PWN = "window.__pwned=1"
LONG_WORD = "解" * 5 + "A" * 400  # one 'word' with no break opportunity after the first characters
HOSTILE = {
    "title": f'<img src=x onerror="{PWN}"><script>{PWN}</script>\u202e回退🙂'[:100],
    "description": (f'<svg onload="{PWN}"></svg><iframe srcdoc="<script>parent.{PWN}</script>"></iframe>'
                    f'<a href="javascript:{PWN}">点我</a> {LONG_WORD} \u202eمرحبا שלום\u202c 👨‍👩‍👧‍👦🧧'),
    "name": f'<b onmouseover="{PWN}">张</b>\u202e🙂',
    "note": f'"><script>{PWN}</script><img src=x onerror={PWN}> {LONG_WORD[:300]} \u202eאבג',
}
PHONE = "13912340000"


def hostile_matter(server) -> dict:
    tag = uuid.uuid4().hex[:6]
    body = {"kind": "mediation", "category": "neighbourhood", "title": HOSTILE["title"][:90] + tag,
            "description": HOSTILE["description"], "regionCode": "431002001001",
            "address": f"<style>body{{display:none}}</style>{LONG_WORD[:150]}",
            "applicant": {"name": HOSTILE["name"][:50], "phone": PHONE},
            "otherParties": [{"name": f"<script>{PWN}</script>"[:50]}]}
    r = server.post("/api/matters", body)
    assert r.status_code == 201, r.text
    return r.json()


def watch(page) -> list:
    dialogs: list = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    return dialogs


def assert_nothing_ran_and_layout_holds(page, dialogs, panel, width):
    page.wait_for_timeout(500)  # let any injected handler (onerror, onload) fire
    assert page.evaluate("window.__pwned") is None
    assert dialogs == []
    overflow = page.evaluate(
        """(sel) => { const el = document.querySelector(sel);
                     return [el.scrollWidth, el.clientWidth, document.documentElement.scrollWidth]; }""", panel)
    assert overflow[0] <= overflow[1] + 1, f"{panel} scrolls sideways: {overflow}"
    assert overflow[2] <= width + 1, f"the page scrolls sideways: {overflow}"


def test_hostile_texts_in_the_console_neither_run_nor_break_the_layout(console, live_server, desk):  # noqa: F811
    receipt = hostile_matter(live_server)
    act(live_server, "township.mediator", receipt["matterId"], "accept", note=HOSTILE["note"])
    page = desk
    dialogs = watch(page)
    sign_in(page, console, "township.mediator", f"/matters/{receipt['matterId']}")
    page.wait_for_selector("#timeline", timeout=15000)
    assert "<script>" in page.inner_text("body")  # shown as text, not parsed as markup
    assert_nothing_ran_and_layout_holds(page, dialogs, ".main", 1440)
    page.goto(console + "#/tasks")
    page.wait_for_selector('[data-test="who"]', timeout=15000)
    assert_nothing_ran_and_layout_holds(page, dialogs, ".main", 1440)


def test_hostile_texts_in_the_portal_neither_run_nor_break_the_layout(live_server, phone_page):
    receipt = hostile_matter(live_server)
    page = phone_page
    dialogs = watch(page)
    page.goto(live_server.url + "/#/lookup")
    page.fill("#lookup-code", receipt["trackingCode"])
    page.fill("#lookup-phone", PHONE)
    page.click("#lookup-submit")
    page.wait_for_selector("#lookup-status", timeout=10000)
    assert "<img" in page.inner_text("#app")  # the title is shown as text
    assert_nothing_ran_and_layout_holds(page, dialogs, "#app", 360)
