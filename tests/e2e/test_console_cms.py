"""The console's CMS pages (普法宣传文章, 案例发布) against the local runtime, seen from the portal's
public API: what staff publish is what citizens can read and search."""
from __future__ import annotations

import pytest
import requests

from .portal_helpers import conclude
from .test_console import PASSWORD, console, desk, sign_in, token, unique  # noqa: F401 (fixtures)

pytestmark = pytest.mark.e2e
STALE = "该内容已被他人更新，请刷新后重试"


def row_of(page, title):
    return page.locator("#article-list tr", has_text=title)


def test_centre_staff_write_and_publish_an_article_that_the_portal_lists(console, live_server, desk):
    page = desk
    sign_in(page, console, "county.staff", "/cms/articles")
    assert "普法宣传文章" in page.inner_text(".menu")
    page.wait_for_selector("#article-list .el-table__row", timeout=15000)
    assert "示例内容" in page.inner_text("#article-list")  # the sample articles of 法治讲堂 say so

    page.get_by_role("tab", name="基层治理").click()
    title = unique("网格员调处邻里纠纷")
    page.click("#article-new")
    dialog = page.locator(".el-dialog").last
    dialog.locator('[name="title"]').fill(title)
    dialog.locator('[name="body"]').fill("网格员上门走访，当天化解一起邻里漏水纠纷。\n\n双方握手言和。")
    dialog.locator("#article-save").click()
    assert "草稿" in row_of(page, title).inner_text(timeout=15000)
    public = live_server.get("/api/articles", params={"section": "governance"}).json()["items"]
    assert title not in [a["title"] for a in public]  # a draft is not public

    # Someone else corrects the article meanwhile: saving the stale form is refused, not overwritten.
    row_of(page, title).locator(".article-edit").click()
    dialog = page.locator(".el-dialog").last
    dialog.locator('[name="title"]').wait_for(timeout=10000)
    auth = {"Authorization": "Bearer " + token(live_server, "county.leader")}
    article_id = next(a["articleId"] for a in live_server.get(
        "/api/staff/articles", params={"section": "governance"}, headers=auth).json()["items"] if a["title"] == title)
    current = live_server.get(f"/api/staff/articles/{article_id}", headers=auth).json()
    r = requests.put(f"{live_server.url}/api/staff/articles/{article_id}", timeout=10, headers=auth,
                     json={"section": "governance", "title": title, "body": current["body"] + "\n\n（领导修改）",
                           "version": current["version"]})
    assert r.ok, r.text
    dialog.locator('[name="summary"]').fill("一起漏水纠纷的化解")
    dialog.locator("#article-save").click()
    page.wait_for_selector(f".el-message:has-text('{STALE}')", timeout=10000)
    dialog.get_by_role("button", name="取消").click()

    row_of(page, title).locator(".article-publish").click()
    page.wait_for_function("t => [...document.querySelectorAll('#article-list tr')].some("
                           "r => r.innerText.includes(t) && r.innerText.includes('已发布'))", arg=title, timeout=15000)
    public = live_server.get("/api/articles", params={"section": "governance"}).json()["items"]
    published = [a for a in public if a["title"] == title]
    assert published and published[0]["sample"] is False
    body = live_server.get(f"/api/articles/{published[0]['articleId']}").json()["body"]
    assert "领导修改" in body  # the leader's correction was kept


def test_the_cms_menu_is_for_centres_only(console, live_server, desk):
    page = desk
    sign_in(page, console, "township.mediator", "/cms/articles")
    assert "普法宣传" not in page.inner_text(".menu")
    assert page.url.endswith("#/tasks")  # sent home, not to a page the API would refuse


def test_a_case_drafted_by_one_staff_member_is_published_by_another_and_found(console, live_server, browser, desk):
    title = unique("楼上漏水纠纷")
    phone = "13800005555"
    r = live_server.post("/api/matters", {
        "kind": "mediation", "category": "neighbourhood", "title": title, "regionCode": "431002001001",
        "description": "楼上卫生间漏水，赵春兰多次打电话13800005555找物业无果。",
        "applicant": {"name": "赵春兰", "phone": phone}})
    assert r.status_code == 201, r.text
    matter_id = conclude(live_server, r.json()["trackingCode"], phone)

    page = desk
    sign_in(page, console, "township.staff", f"/matters/{matter_id}")
    page.click("#case-draft", timeout=15000)
    page.wait_for_selector("#case-status", timeout=15000)
    case_id = page.inner_text("#case-id").strip()
    assert "草稿" in page.inner_text("#case-status")
    replaced = page.inner_text("#case-replaced")
    assert "姓名" in replaced and "电话" in replaced  # what the anonymiser took out
    marks = page.locator("#case-preview mark").all_inner_texts()
    assert "赵某" in marks and "[电话]" in marks  # and where, highlighted
    assert "13800005555" not in page.inner_text("#case-preview")

    # An edit that puts the phone number back is flagged before anyone can publish it.
    body = page.locator('[name="body"]')
    original = body.input_value()
    body.fill(original + "\n联系电话13800005555")
    page.click("#case-save")
    page.wait_for_selector("#case-residual", timeout=10000)
    assert "电话号码" in page.inner_text("#case-residual")
    body.fill(original)
    page.click("#case-save")
    page.wait_for_selector("#case-residual", state="detached", timeout=10000)

    page.click("#case-publish")  # the drafter may not publish
    page.wait_for_selector("#case-problem", timeout=10000)
    assert "另一名工作人员" in page.inner_text("#case-problem")
    assert "草稿" in page.inner_text("#case-status")

    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    try:
        reviewer = context.new_page()
        sign_in(reviewer, console, "township.leader", "/cms/cases")
        reviewer.locator("#case-list a", has_text=title).click(timeout=15000)  # waiting for review
        reviewer.click("#case-publish", timeout=15000)
        reviewer.wait_for_function("() => document.querySelector('#case-status')?.innerText.includes('已发布')",
                                   timeout=15000)
        assert "杨芳" in reviewer.inner_text(".page")  # 审核发布 names the reviewer
        reviewer.click(".menu >> text=案例发布")
        reviewer.get_by_role("tab", name="已发布").click()
        reviewer.locator("#case-list a", has_text=title).wait_for(timeout=15000)
    finally:
        context.close()

    found = live_server.get("/api/cases", params={"q": title}).json()["items"]
    assert case_id in [c["caseId"] for c in found]
    text = live_server.get(f"/api/cases/{case_id}").json()["body"]
    assert "赵春兰" not in text and "13800005555" not in text


def test_a_picture_added_in_the_console_is_shown_in_the_portal(console, live_server, desk, browser, tmp_path):
    """The browser's POST really goes to the local S3 endpoint, and the portal's <img> really loads
    the picture from /media/... on the site's own origin."""
    import struct
    import zlib

    def png(width, height):
        raw = b"".join(b"\x00" + b"\x30\x80\xc0" * width for _ in range(height))
        chunk = lambda kind, data: (struct.pack(">I", len(data)) + kind + data  # noqa: E731
                                    + struct.pack(">I", zlib.crc32(kind + data)))
        return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))

    picture = tmp_path / "调解现场.png"
    picture.write_bytes(png(120, 80))
    title = unique("调解员进村普法")
    auth = {"Authorization": "Bearer " + token(live_server, "county.staff")}
    r = requests.post(f"{live_server.url}/api/staff/articles", timeout=10, headers=auth,
                      json={"section": "culture", "title": title, "body": "调解员带着法律明白卡走进村委会。"})
    assert r.status_code == 201, r.text
    article_id = r.json()["articleId"]

    page = desk
    sign_in(page, console, "county.staff", "/cms/articles")
    page.get_by_role("tab", name="法治文化").click()
    row_of(page, title).locator(".article-edit").click(timeout=15000)
    dialog = page.locator(".el-dialog").last
    dialog.locator("#article-image").set_input_files(str(picture))
    dialog.locator(".image-row img").wait_for(timeout=15000)
    dialog.locator('[name="image-alt-0"]').fill("调解员在村委会讲解法律明白卡")
    dialog.locator("#article-save").click()
    page.wait_for_selector(".el-message:has-text('已保存')", timeout=10000)
    row_of(page, title).locator(".article-publish").click()
    page.wait_for_function("t => [...document.querySelectorAll('#article-list tr')].some("
                           "r => r.innerText.includes(t) && r.innerText.includes('已发布'))", arg=title, timeout=15000)

    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, locale="zh-CN")
    try:
        phone = context.new_page()
        phone.goto(f"{live_server.url}/#/article/{article_id}")
        img = phone.locator("figure.article-image img")
        img.wait_for(timeout=15000)
        phone.wait_for_function("() => document.querySelector('figure.article-image img').complete", timeout=15000)
        assert img.evaluate("i => [i.naturalWidth, i.naturalHeight]") == [120, 80]
        assert img.get_attribute("alt") == "调解员在村委会讲解法律明白卡"
        assert "调解员在村委会讲解法律明白卡" in phone.inner_text("figcaption")
        assert phone.evaluate("document.documentElement.scrollWidth") <= 360  # the picture fits the phone
    finally:
        context.close()
