"""在线普法 / 在线宣传 articles (staff draft → publish, public reads) and the public unit
directory (调解组织查询, 部门职能查询), through the API on moto."""
from __future__ import annotations

import json

from chalicelib import reference, wiring
from chalicelib.services import articles
from tests.integration.test_citizen_api import MEDIATION, PHONE, call, sms_to, verified_token, wall  # noqa: F401

LECTURE = {"section": "lecture", "title": "土地承包经营权纠纷怎么调解",
           "body": "承包地被占用，可以先找村委会协商。\n\n协商不成，可以申请乡镇人民调解委员会调解。",
           "videoUrl": "https://example.com/v/land.mp4"}


def test_a_draft_is_private_until_a_centre_publishes_it(api, staff_token):
    staff = staff_token("township.staff")
    status, draft = call(api, "post", "/api/staff/articles", LECTURE, token=staff)
    assert status == 201 and draft["status"] == "draft" and draft["summary"].startswith("承包地被占用")
    aid = draft["articleId"]
    assert call(api, "get", f"/api/articles/{aid}")[0] == 404
    assert all(i["articleId"] != aid for i in call(api, "get", "/api/articles?section=lecture")[1]["items"])
    assert call(api, "get", "/api/staff/articles?section=lecture", token=staff)[1]["items"][0]["articleId"] == aid

    status, edited = call(api, "put", f"/api/staff/articles/{aid}",
                          {**LECTURE, "title": "承包地纠纷怎么调解", "version": draft["version"]}, token=staff)
    assert status == 200 and edited["title"] == "承包地纠纷怎么调解"
    stale = call(api, "put", f"/api/staff/articles/{aid}", {**LECTURE, "version": draft["version"]}, token=staff)
    assert stale[0] == 409 and stale[1]["error"]["code"] == "conflict"

    status, published = call(api, "post", f"/api/staff/articles/{aid}/publish", {},
                              token=staff_token("county.leader"))
    assert status == 200 and published["status"] == "published" and published["publishedBy"]["id"] == "county.leader"
    status, page = call(api, "get", "/api/articles?section=lecture")
    assert status == 200 and page["sectionName"] == "法治讲堂"
    assert page["items"][0]["articleId"] == aid and page["items"][0]["title"] == "承包地纠纷怎么调解"
    assert "body" not in page["items"][0] and "createdBy" not in page["items"][0]
    status, one = call(api, "get", f"/api/articles/{aid}")
    assert status == 200 and one["body"].startswith("承包地") and one["videoUrl"].endswith("land.mp4")
    assert "createdBy" not in one and "publishedBy" not in one
    again = call(api, "post", f"/api/staff/articles/{aid}/publish", {}, token=staff)
    assert again[0] == 409 and again[1]["error"]["code"] == "article_published"
    # other sections do not list it
    assert call(api, "get", "/api/articles?section=culture")[1]["items"] == []


def test_who_may_write_and_what_is_refused(api, staff_token):
    status, out = call(api, "post", "/api/staff/articles", LECTURE, token=staff_token("township.mediator"))
    assert status == 403 and out["error"]["code"] == "action_forbidden"
    status, out = call(api, "post", "/api/staff/articles",
                       {"section": "gossip", "title": "", "body": "x", "videoUrl": "javascript:alert(1)"},
                       token=staff_token("county.staff"))
    assert status == 400 and set(out["error"]["fields"]) == {"section", "title", "videoUrl"}
    assert out["error"]["fields"]["title"] == "请填写标题"
    status, out = call(api, "get", "/api/articles?section=gossip")
    assert status == 400 and "section" in out["error"]["fields"]
    assert call(api, "get", "/api/articles/nope")[1]["error"]["code"] == "article_not_found"
    assert call(api, "post", "/api/staff/articles", LECTURE)[0] == 401


def test_sample_articles_are_published_once_and_marked_as_samples(api):
    deps = wiring.article_deps()
    samples = reference.sample_articles()
    assert articles.seed_samples(samples, deps) == len(samples)
    assert articles.seed_samples(samples, deps) == 0
    status, page = call(api, "get", "/api/articles?section=lecture")
    assert status == 200 and len(page["items"]) == 2
    assert all(i["sample"] and i["title"].startswith("【示例内容】") for i in page["items"])
    assert page["items"][0]["publishedAt"] > page["items"][1]["publishedAt"]  # newest first


def test_mediation_organisations_of_a_county_with_public_fields_only(api):
    status, out = call(api, "get", "/api/units?type=mediation_org&regionCode=431002")
    assert status == 200 and out["total"] == len(out["items"]) > 0
    for u in out["items"]:
        assert u["type"] == "mediation_org" and u["regionCode"].startswith("431002")
        assert u["name"] and u["address"] and u["phone"] and u["typeName"] == "调解组织"
        assert set(u) == {"id", "name", "type", "typeName", "level", "regionCode", "regionName", "address",
                          "phone", "functions", "subjects"}
    status, depts = call(api, "get", "/api/units?type=department&regionCode=4310")
    assert status == 200 and any(u["name"] == "郴州市公安局" and "户籍" in u["subjects"] for u in depts["items"])
    r = api.get("/api/units?type=department")
    assert r.headers["Cache-Control"] == "public, max-age=300"  # admin edits show within minutes


def test_units_refuse_unknown_types_and_regions(api):
    status, out = call(api, "get", "/api/units?type=bank")
    assert status == 400 and "type" in out["error"]["fields"]
    status, out = call(api, "get", "/api/units?regionCode=999999")
    assert status == 400 and out["error"]["fields"]["regionCode"] == "没有这个地区"


def test_filing_texts_the_tracking_code_once_and_a_token_opens_the_matter(api, wall):
    headers = {"content-type": "application/json", "idempotency-key": "receipt-sms-1"}
    receipt = json.loads(api.post("/api/matters", headers=headers, body=json.dumps(MEDIATION)).body)
    api.post("/api/matters", headers=headers, body=json.dumps(MEDIATION))  # a replay texts nothing
    texts = [t for t in sms_to(PHONE) if receipt["trackingCode"] in t]
    assert len(texts) == 1 and texts[0].startswith("【解忧】您的矛盾纠纷调解已受理")

    token = verified_token(api)
    path = f"/api/matters/{receipt['trackingCode']}"
    status, view = call(api, "get", path, token=token)
    assert status == 200 and view["timeline"] and view["trackingCode"] == receipt["trackingCode"]
    other = verified_token(api, "13900001111")
    assert call(api, "get", path, token=other)[1]["error"]["code"] == "matter_not_found"
    status, out = call(api, "get", path, token="forged.token.value")
    assert status == 401


def test_the_public_directory_shows_administrators_edits_and_hides_inactive_units(api, staff_token):
    """调解组织查询 reads the administered directory, not only the bundled seed."""
    admin = {"Authorization": f"Bearer {staff_token('admin')}", "Content-Type": "application/json"}
    unit = json.loads(api.get("/api/admin/units/pmc-431002001", headers=admin).body)
    r = api.put("/api/admin/units/pmc-431002001", headers=admin,
                body=json.dumps({"version": unit["version"], "phone": "0735-1234567"}))
    assert r.status_code == 200, r.body
    listed = json.loads(api.get("/api/units?type=mediation_org&regionCode=431002001").body)["items"]
    assert [u["phone"] for u in listed if u["name"] == unit["name"]] == ["0735-1234567"]
    r = api.put("/api/admin/units/pmc-431002001", headers=admin,
                body=json.dumps({"version": unit["version"] + 1, "active": False}))
    assert r.status_code == 200, r.body
    listed = json.loads(api.get("/api/units?type=mediation_org&regionCode=431002001").body)["items"]
    assert unit["name"] not in [u["name"] for u in listed]
