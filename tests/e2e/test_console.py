"""The staff console (工作端) in a desktop browser against the local runtime.

Matters are filed through the citizen API with unique titles, because the runtime is shared with the
other browser tests. Tests of pages whose endpoints come from the console's backend branches
(领导批办, 分流转办, export) skip while the local runtime does not serve those endpoints yet.
"""
from __future__ import annotations

import io
import json
import subprocess
import uuid
from pathlib import Path

import pytest
import requests

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "Jieyou#2026demo"
CONFLICT = "该事项已被他人更新，请刷新后重试"


@pytest.fixture(scope="session")
def console(live_server):
    """The built console: `make console` is a no-op when the dist is newer than its sources."""
    subprocess.run(["make", "-s", "console"], cwd=ROOT, check=True, timeout=600)
    assert (ROOT / "web/console/dist/index.html").is_file()
    return live_server.url + "/console/"


@pytest.fixture
def desk(browser):
    """An office desktop screen."""
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN",
                                  accept_downloads=True)
    page = context.new_page()
    yield page
    context.close()


def unique(title: str) -> str:
    return f"{title}{uuid.uuid4().hex[:6]}"


def file_matter(server, title, kind="mediation", category="neighbourhood", region="431002001001",
                phone="13812345678") -> dict:
    body = {"kind": kind, "title": title, "description": "双方多次协商无果，请求组织调解。",
            "regionCode": region, "applicant": {"name": "周小梅", "phone": phone}}
    if category:
        body["category"] = category
    r = server.post("/api/matters", body)
    assert r.status_code == 201, r.text
    return r.json()


def token(server, username) -> str:
    r = server.post("/api/auth/login", {"username": username, "password": PASSWORD})
    assert r.ok, r.text
    return r.json()["idToken"]


def act(server, username, matter_id, action, **fields) -> dict:
    r = server.post(f"/api/staff/matters/{matter_id}/actions", {"action": action, **fields},
                    headers={"Authorization": "Bearer " + token(server, username)})
    assert r.ok, r.text
    return r.json()


def staff_get(server, username, path) -> requests.Response:
    return server.get(path, headers={"Authorization": "Bearer " + token(server, username)})


def require_endpoint(server, path):
    """Skip until the backend branch serving `path` is merged: the local server answers an unknown
    route with 404 `no_such_endpoint`, and /staff/tasks an unknown view with 400 on `fields.view`."""
    r = staff_get(server, "county.staff", path)
    err = (r.json() if r.headers.get("Content-Type", "").startswith("application/json") else {}).get("error") or {}
    if err.get("code") == "no_such_endpoint" or "view" in (err.get("fields") or {}):
        pytest.skip(f"{path} is not served yet (backend branch not merged)")


def sign_in(page, console, username, path=""):
    page.goto(console + ("#" + path if path else ""))
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_selector('[data-test="who"]', timeout=15000)


def open_from_list(page, title):
    page.get_by_role("link", name=title).click(timeout=15000)
    page.wait_for_selector("#matter-actions", timeout=15000)


def take(page, action, **fill):
    page.click(f'[data-action="{action}"]')
    dialog = page.locator(".el-dialog").last
    for name, value in fill.items():
        dialog.locator(f'[name="{name}"]').fill(value)
    dialog.locator("#action-submit").click()


def status_is(page, text):
    page.wait_for_function("t => document.querySelector('#matter-status')?.innerText.trim() === t",
                           arg=text, timeout=15000)


# --- serving ---------------------------------------------------------------------------------------

def test_console_is_served_with_long_cached_assets_and_a_revalidated_index(console, live_server):
    r = requests.get(live_server.url + "/console", allow_redirects=False, timeout=10)
    assert r.status_code == 301 and r.headers["Location"] == "/console/"
    index = requests.get(console, timeout=10)
    assert index.status_code == 200 and index.headers["Cache-Control"] == "no-cache"
    asset = next(p for p in (ROOT / "web/console/dist/assets").iterdir() if p.suffix == ".js")
    r = requests.get(console + "assets/" + asset.name, timeout=10)
    assert r.status_code == 200 and "immutable" in r.headers["Cache-Control"]
    assert "max-age=31536000" in r.headers["Cache-Control"]
    assert requests.get(console + "assets/no-such.js", timeout=10).status_code == 404
    assert "百姓解忧站" in requests.get(live_server.url + "/", timeout=10).text  # the portal stays


# --- a township mediator's day ---------------------------------------------------------------------

def test_township_mediator_accepts_and_concludes_a_matter_from_the_unit_queue(console, live_server, desk):
    page = desk
    title = unique("楼上装修噪音")
    receipt = file_matter(live_server, title)
    sign_in(page, console, "township.mediator")
    assert "吴丽华" in page.inner_text('[data-test="who"]')
    assert "北湖区人民路街道人民调解委员会" in page.inner_text('[data-test="who"]')
    assert page.url.endswith("#/tasks")
    row = page.locator("tr", has=page.get_by_role("link", name=title))
    assert "剩余" in row.inner_text(timeout=15000)  # the acceptance clock's time left

    open_from_list(page, title)
    assert "13812345678" in page.inner_text("#parties")  # the handling unit sees the phone in full
    assert "受理时限" in page.inner_text(".clocks")
    assert "人民调解委员会" in page.inner_text("#routing-explanation")

    take(page, "accept", note="已电话联系双方当事人")
    status_is(page, "办理中")
    page.click('[data-action="conclude"]')
    dialog = page.locator(".el-dialog").last
    dialog.get_by_text("已达成调解协议").click()
    dialog.locator('[name="answer"]').fill("双方约定装修时间为早八点至晚六点。")
    dialog.locator("#action-submit").click()
    status_is(page, "已办结")
    assert "已达成" in page.inner_text("#outcome")
    timeline = page.inner_text("#timeline")
    assert "吴丽华" in timeline and "群众" in timeline  # who did what: the mediator, the citizen

    citizen = live_server.get(f"/api/matters/{receipt['trackingCode']}", params={"phone": "13812345678"})
    assert citizen.json()["status"] == "concluded"


def test_a_stale_matter_view_is_told_to_refresh(console, live_server, desk):
    page = desk
    title = unique("宅基地边界争议")
    receipt = file_matter(live_server, title, category="housing_homestead")
    sign_in(page, console, "township.mediator", f"/matters/{receipt['matterId']}")
    page.wait_for_selector('[data-action="accept"]', timeout=15000)
    act(live_server, "township.mediator", receipt["matterId"], "assess", severity="simple")  # someone else
    take(page, "accept")
    page.wait_for_selector(f".el-message:has-text('{CONFLICT}')", timeout=10000)


def test_a_wrong_password_is_shown_and_a_session_survives_a_reload(console, desk):
    page = desk
    page.goto(console)
    page.fill("#username", "county.staff")
    page.fill("#password", "wrong-password-1")
    page.click("#login-submit")
    assert "用户名或密码" in page.inner_text("#login-problem", timeout=10000)
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_selector('[data-test="who"]', timeout=15000)
    assert "张建国" in page.inner_text('[data-test="who"]')
    page.reload()
    page.wait_for_selector('[data-test="who"]', timeout=15000)
    menu = page.inner_text(".el-menu")
    assert "分流转办" in menu and "系统管理" not in menu  # county centre staff: no admin pages


def test_first_login_with_a_temporary_password_sets_a_new_one(console, live_server, desk):
    """An account an administrator just created (AdminCreateUser in the runtime's user pool)
    answers NEW_PASSWORD_REQUIRED; the console asks for the new password and signs in."""
    import boto3
    endpoint = live_server.get("/api/dev/runtime").json()["motoEndpoint"]
    cognito = boto3.client("cognito-idp", endpoint_url=endpoint, region_name="us-east-1",
                           aws_access_key_id="local", aws_secret_access_key="local")
    pool = next(p["Id"] for p in cognito.list_user_pools(MaxResults=10)["UserPools"]
                if p["Name"].endswith("-staff"))
    username = "newcomer" + uuid.uuid4().hex[:6]
    cognito.admin_create_user(UserPoolId=pool, Username=username, MessageAction="SUPPRESS",
                              TemporaryPassword="Temp#2026pass", UserAttributes=[
                                  {"Name": "name", "Value": "郑新"},
                                  {"Name": "custom:unitId", "Value": "dept-431002-hrss"},
                                  {"Name": "custom:role", "Value": "dept_handler"},
                                  {"Name": "custom:regionCode", "Value": "431002"}])
    page = desk
    page.goto(console)
    page.fill("#username", username)
    page.fill("#password", "Temp#2026pass")
    page.click("#login-submit")
    page.fill("#new-password", "Fresh#2026pass")
    page.fill("#confirm-password", "Fresh#2026pass")
    page.click("#login-submit")
    page.wait_for_selector('[data-test="who"]', timeout=15000)
    assert "郑新" in page.inner_text('[data-test="who"]')
    menu = page.inner_text(".el-menu")
    assert "我们的工作任务" in menu and "分流转办" not in menu and "受理登记" not in menu


def _saved_session(tokens: dict, expires_in_ms: int) -> str:
    return ("localStorage.setItem('jieyou.console.session', JSON.stringify({tokens: %s, expiresAt: Date.now() + %d}))"
            % (json.dumps(tokens), expires_in_ms))


def test_an_expiring_token_is_refreshed_and_a_rejected_one_leads_back_to_login(console, live_server, browser):
    r = live_server.post("/api/auth/login", {"username": "county.staff", "password": PASSWORD}).json()
    tokens = {k: r[k] for k in ("idToken", "accessToken", "refreshToken")}
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    context.add_init_script(_saved_session(tokens, 60_000))  # one minute left: inside the margin
    page = context.new_page()
    refreshed = []
    page.on("request", lambda req: refreshed.append(req.url) if req.url.endswith("/api/auth/refresh") else None)
    page.goto(console + "#/tasks")
    page.wait_for_selector('[data-test="who"]', timeout=15000)
    assert len(refreshed) == 1  # refreshed before the first call, not once per call
    context.close()

    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    context.add_init_script(_saved_session({**tokens, "idToken": tokens["idToken"][:-8] + "AAAAAAAA"}, 3_600_000))
    page = context.new_page()
    page.goto(console + "#/tasks")
    page.wait_for_selector("#username", timeout=15000)
    assert "redirect=" in page.url and "tasks" in page.url
    context.close()


def test_village_worker_registers_a_dispute_found_on_a_visit(console, live_server, desk):
    require_endpoint(live_server, "/api/staff/matters?kind=mediation")
    page = desk
    title = unique("走访发现宅基地纠纷")
    sign_in(page, console, "village.worker", "/intake/mediation")
    form = page.locator("#intake-form")
    form.get_by_text("走访发现").click()
    form.locator(".region-picker input").first.click()
    page.keyboard.type("北湖路社区")
    page.locator(".el-cascader__suggestion-item", has_text="北湖路社区").first.click(timeout=10000)
    form.locator(".el-select").first.click()
    page.locator(".el-select-dropdown__item", has_text="房屋宅基地").click()
    form.locator('[name="title"]').fill(title)
    form.locator('[name="description"]').fill("两户村民因宅基地边界发生争执，网格员走访发现。")
    form.locator('[name="applicant.name"]').fill("黄大伯")
    form.locator('[name="applicant.phone"]').fill("13712345678")
    page.click("#intake-submit")
    page.click("#intake-open", timeout=15000)
    page.wait_for_selector("#matter-actions", timeout=15000)
    assert page.inner_text("#matter-title") == title
    assert "走访发现" in page.inner_text(".el-descriptions")


# --- a centre dispatches ---------------------------------------------------------------------------

def test_township_centre_staff_dispatches_a_matter_with_the_suggested_unit(console, live_server, desk):
    page = desk
    title = unique("投诉小区噪音扰民")
    receipt = file_matter(live_server, title, kind="complaint", category=None)  # no rule fits: manual
    assert receipt["status"] == "received"
    sign_in(page, console, "township.staff")
    open_from_list(page, title)
    page.click('[data-action="dispatch"]')
    dialog = page.locator(".el-dialog").last
    picked = dialog.locator(".el-select").first
    picked.filter(has_text="分流规则建议").wait_for(timeout=10000)  # the rules' pick is preselected
    unit = picked.inner_text().replace("（分流规则建议）", "").strip()
    dialog.locator('[name="note"]').fill("请按职责办理")
    dialog.locator("#action-submit").click()
    status_is(page, "已分派待接收")
    assert unit in page.inner_text(".el-descriptions")


def test_dispatch_queue_shows_the_routing_suggestion(console, live_server, desk):
    require_endpoint(live_server, "/api/staff/tasks?view=dispatch")
    page = desk
    title = unique("投诉占道经营")
    file_matter(live_server, title, kind="complaint", category=None)
    sign_in(page, console, "township.staff", "/dispatch")
    row = page.locator("tr", has=page.get_by_role("link", name=title))
    row.locator(".dispatch-btn").click(timeout=15000)
    dialog = page.locator(".el-dialog").last
    dialog.locator(".el-select").first.filter(has_text="分流规则建议").wait_for(timeout=10000)
    dialog.locator('[name="note"]').fill("请按职责办理")
    dialog.locator("#action-submit").click()
    page.wait_for_selector(".el-message--success", timeout=10000)
    # the list reloads after the action: the matter leaves the dispatch queue
    page.get_by_role("link", name=title).wait_for(state="detached", timeout=10000)


# --- a county leader approves a return --------------------------------------------------------------

def test_county_leader_approves_a_return_from_the_inbox(console, live_server, desk):
    require_endpoint(live_server, "/api/staff/inbox")
    title = unique("县中心退回事项")
    mid = file_matter(live_server, title, region="431002001004")["matterId"]
    act(live_server, "township.staff", mid, "escalate", note="本级无法调处")
    act(live_server, "county.staff", mid, "escalate", note="县级无法调处")
    act(live_server, "city.staff", mid, "dispatch", unitId="centre-431002", note="交县中心办理")
    act(live_server, "county.staff", mid, "return", note="应由乡镇先行调处")

    page = desk
    sign_in(page, console, "county.leader", "/inbox")
    row = page.locator("#inbox-returns tr", has=page.get_by_role("link", name=title))
    assert "应由乡镇先行调处" in row.inner_text(timeout=15000)
    row.locator(".approve-return").click()
    page.locator(".el-dialog").last.locator("#action-submit").click()
    page.wait_for_selector(".el-message--success", timeout=10000)
    view = staff_get(live_server, "county.leader", f"/api/staff/matters/{mid}").json()
    assert view["status"] == "received" and view["returnCount"] == 1  # back to the township centre


# --- export --------------------------------------------------------------------------------------------

def test_export_downloads_the_filtered_rows_as_xlsx(console, live_server, desk):
    require_endpoint(live_server, "/api/staff/matters?kind=mediation")
    require_endpoint(live_server, "/api/staff/matters/export?kind=mediation")
    from openpyxl import load_workbook

    village = "431002001005"
    titles = {unique("山林界址纠纷"), unique("山林承包纠纷")}
    for t in titles:
        file_matter(live_server, t, category="forest_land", region=village)
    file_matter(live_server, unique("邻里漏水纠纷"), category="neighbourhood", region=village)

    page = desk
    sign_in(page, console, "county.staff", f"/query/mediation?regionCode={village}&category=forest_land")
    for t in titles:
        page.get_by_role("link", name=t).wait_for(timeout=15000)
    assert page.locator("#query-results tbody tr").count() == 2
    with page.expect_download(timeout=20000) as info:
        page.click("#export-xlsx")
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(Path(download.path()).read_bytes())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 3  # the Chinese header and the two filtered matters
    cells = {str(c) for row in rows[1:] for c in row if c is not None}
    assert titles <= cells


# --- figures -------------------------------------------------------------------------------------------

def test_console_first_load_figures(console, live_server, browser):
    """Console first load with a cold cache for a signed-in county centre staff member: bytes over
    the wire and time until the work list has rendered its data (window.__consoleReady); then the
    API calls per page of the 汇总查询 list."""
    r = live_server.post("/api/auth/login", {"username": "county.staff", "password": PASSWORD}).json()
    tokens = {k: r[k] for k in ("idToken", "accessToken", "refreshToken")}
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    context.add_init_script(_saved_session(tokens, 3_600_000))
    page = context.new_page()
    api_calls = []
    page.on("request", lambda req: api_calls.append(req.url) if "/api/" in req.url else None)
    try:
        page.goto(console + "#/tasks")
        page.wait_for_function("() => window.__consoleReady !== undefined", timeout=20000)
        figures = page.evaluate("""() => {
            const nav = performance.getEntriesByType('navigation')[0];
            const res = performance.getEntriesByType('resource');
            const sum = (xs, k) => xs.reduce((a, e) => a + (e[k] || 0), 0);
            const assets = res.filter(e => !e.name.includes('/api/'));
            return {ready: window.__consoleReady, domContentLoaded: nav.domContentLoadedEventEnd,
                    transferred: nav.transferSize + sum(res, 'transferSize'),
                    assetsTransferred: nav.transferSize + sum(assets, 'transferSize'),
                    assetsDecoded: nav.decodedBodySize + sum(assets, 'decodedBodySize'),
                    requests: res.length + 1, assetRequests: assets.length + 1};
        }""")
        first_load_api = sorted({u.split("/api/", 1)[1].split("?")[0] for u in api_calls})
        first_load_calls = len(api_calls)
        api_calls.clear()
        page.goto(console + "#/query/mediation")
        page.wait_for_selector("#query-results", timeout=15000)
        page.wait_for_load_state("networkidle")
        list_page_calls = [u for u in api_calls if "/api/staff/" in u]
        api_calls.clear()
        page.click("#query-submit")
        page.wait_for_load_state("networkidle")
        per_query = len(api_calls)
    finally:
        context.close()
    print(f"\nconsole first load (cold cache, signed in, 我们的工作任务): "
          f"{figures['transferred'] / 1024:.0f} KiB transferred in {figures['requests']} requests "
          f"({figures['assetsTransferred'] / 1024:.0f} KiB of assets, {figures['assetsDecoded'] / 1024:.0f} KiB decoded), "
          f"DOMContentLoaded {figures['domContentLoaded']:.0f} ms, first data rendered {figures['ready']:.0f} ms, "
          f"{first_load_calls} API calls ({', '.join(first_load_api)})")
    print(f"汇总查询 list page: {len(list_page_calls)} staff API call(s) for its first page, "
          f"{per_query} API call(s) per further page or query")
    assert figures["assetsTransferred"] < 1_000_000  # Element Plus per page, ECharts only on 研判分析
    assert figures["ready"] < 10_000
    assert per_query == 1


def test_analysis_shows_live_counters_drills_down_and_links_to_the_summary_query(console, live_server, desk):
    """研判分析 reads the counters the runtime keeps from the table's stream: a matter filed a
    moment ago is on the page, a township tile drills down, a figure opens 汇总查询."""
    file_matter(live_server, unique("欠薪纠纷"), category="labour")
    page = desk
    sign_in(page, console, "county.leader", "/analysis")
    page.wait_for_selector("#analysis-totals", timeout=15000)
    # the stream is delivered every half second; the page reads once, so look again if early
    for _ in range(20):
        if int(page.locator("#analysis-totals .total b").first.inner_text()) == 0:
            page.wait_for_timeout(500)
            page.get_by_role("button", name="统计").click()
            page.wait_for_timeout(300)
    assert int(page.locator("#analysis-totals .total b").first.inner_text()) >= 1
    page.locator(".tile", has_text="人民路街道").first.click()
    page.wait_for_selector(".crumbs >> text=人民路街道", timeout=10000)
    page.wait_for_selector(".tile >> text=北湖路社区", timeout=10000)
    page.locator("#analysis-totals .total").first.click()
    page.wait_for_url("**/#/query/all?*regionCode=431002001*", timeout=10000)
