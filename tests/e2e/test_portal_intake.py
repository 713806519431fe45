"""A citizen files a dispute on a phone and looks it up with the tracking code."""
from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.e2e


def test_file_a_mediation_on_a_phone_and_look_it_up(live_server, phone_page):
    page = phone_page
    page.goto(live_server.url + "/")
    page.click('a[href="#/file/mediation"]')
    page.select_option("#county", label="北湖区")
    page.select_option("#township", index=1)
    page.select_option("#village", index=1)
    form = page.locator("form")
    form.locator('[name="category"]').select_option("neighbourhood")
    form.locator('[name="title"]').fill("邻居装修噪音扰民")
    form.locator('[name="description"]').fill("楼上邻居每天晚上十点后装修，多次沟通无果，<script>alert(1)</script>")
    form.locator('[name="applicant.name"]').fill("周小梅")
    form.locator('[name="applicant.phone"]').fill("13512345678")
    page.click("#to-review")
    page.click("#submit")
    code = page.locator("#tracking-code").inner_text(timeout=15000)
    assert re.fullmatch(r"[2-9A-Z]{3}-[2-9A-Z]{3}-[2-9A-Z]{4}", code.strip())

    page.goto(live_server.url + "/#/lookup")
    page.fill("#lookup-code", code)
    page.fill("#lookup-phone", "13512345678")
    page.click("#lookup-submit")
    assert page.locator("#lookup-status").inner_text(timeout=10000) == "已分派待接收"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scrolling


def test_a_wrong_phone_number_is_shown_next_to_the_field(live_server, phone_page):
    page = phone_page
    page.goto(live_server.url + "/#/file/consultation")
    page.select_option("#county", label="北湖区")
    page.select_option("#township", index=1)
    form = page.locator("form")
    form.locator('[name="title"]').fill("咨询低保申请条件")
    form.locator('[name="description"]').fill("家里老人生病，想了解申请低保需要什么条件。")
    form.locator('[name="applicant.name"]').fill("黄大伯")
    form.locator('[name="applicant.phone"]').fill("1234")
    page.click("#to-review")
    described = form.locator('[name="applicant.phone"]').get_attribute("aria-describedby")
    assert described and "手机号码" in page.locator(f"#{described.split()[0]}").inner_text()
