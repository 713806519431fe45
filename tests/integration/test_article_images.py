"""Pictures in 在线普法 / 在线宣传 articles: centre staff upload them straight to the media bucket
with a presigned POST (the browser's POST going to moto's loopback server, as under `make run`),
the API records only what passes its own check, and the portal reads their addresses."""
from __future__ import annotations

import base64
import json

import requests

from chalicelib import settings
from tests.integration.test_articles_units_api import LECTURE
from tests.integration.test_citizen_api import call
from tests.integration.test_evidence_api import PNG, s3_server  # noqa: F401 (fixture)

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 300
BUCKET = settings.MEDIA_BUCKET


def draft(api, token):
    status, article = call(api, "post", "/api/staff/articles", LECTURE, token=token)
    assert status == 201, article
    return article


def upload(api, token, article_id, content_type="image/png", data=PNG):
    status, ticket = call(api, "post", f"/api/staff/articles/{article_id}/images/uploads",
                          {"contentType": content_type, "name": "调解现场.png"}, token=token)
    assert status == 201, ticket
    r = requests.post(ticket["url"], data=ticket["fields"], files={"file": ("photo", data)}, timeout=30)
    assert r.status_code == 204
    return ticket


def stored_keys(aws, article_id):
    listed = aws.client("s3").list_objects_v2(Bucket=BUCKET, Prefix=f"media/articles/{article_id}/")
    return sorted(o["Key"] for o in listed.get("Contents", []))


def test_an_uploaded_picture_appears_in_the_published_article_and_as_the_cover(api, s3_server, staff_token):
    staff = staff_token("county.staff")
    article = draft(api, staff)
    aid = article["articleId"]
    ticket = upload(api, staff, aid)
    assert ticket["key"].startswith(f"media/articles/{aid}/") and ticket["key"].endswith(".png")
    conditions = json.loads(base64.b64decode(ticket["fields"]["policy"]))["conditions"]
    assert ["content-length-range", 1, 5 * 1024 * 1024] in conditions
    assert {"Content-Type": "image/png"} in conditions and {"bucket": BUCKET} in conditions

    status, saved = call(api, "post", f"/api/staff/articles/{aid}/images",
                         {"key": ticket["key"], "alt": "调解员在村委会调解", "version": article["version"]},
                         token=staff)
    assert status == 201 and saved["version"] == article["version"] + 1
    assert saved["images"] == [{"key": ticket["key"], "alt": "调解员在村委会调解", "contentType": "image/png",
                                "size": len(PNG), "url": "/" + ticket["key"]}]
    again = call(api, "post", f"/api/staff/articles/{aid}/images", {"key": ticket["key"]}, token=staff)
    assert again[0] == 409 and again[1]["error"]["code"] == "image_already_recorded"
    stale = call(api, "post", f"/api/staff/articles/{aid}/images",
                 {"key": ticket["key"], "version": article["version"]}, token=staff)
    assert stale[0] == 409 and stale[1]["error"]["code"] == "conflict"

    call(api, "post", f"/api/staff/articles/{aid}/publish", {}, token=staff)
    public = call(api, "get", f"/api/articles/{aid}")[1]
    assert public["images"] == [{"url": "/" + ticket["key"], "alt": "调解员在村委会调解"}]
    listed = call(api, "get", "/api/articles?section=lecture")[1]["items"]
    assert next(i for i in listed if i["articleId"] == aid)["cover"] == "/" + ticket["key"]


def test_an_edit_reorders_captions_and_drops_pictures_and_a_dropped_one_leaves_the_bucket(
        api, s3_server, staff_token, aws):
    staff = staff_token("county.staff")
    aid = draft(api, staff)["articleId"]
    first, second = upload(api, staff, aid), upload(api, staff, aid, "image/jpeg", JPEG)
    for t in (first, second):
        assert call(api, "post", f"/api/staff/articles/{aid}/images", {"key": t["key"]}, token=staff)[0] == 201
    current = call(api, "get", f"/api/staff/articles/{aid}", token=staff)[1]
    status, edited = call(api, "put", f"/api/staff/articles/{aid}",
                          {**LECTURE, "version": current["version"],
                           "images": [{"key": second["key"], "alt": "签订调解协议"}]}, token=staff)
    assert status == 200 and [(i["key"], i["alt"]) for i in edited["images"]] == [(second["key"], "签订调解协议")]
    assert stored_keys(aws, aid) == [second["key"]]

    # An edit without `images` keeps them; one naming a picture the article never had is refused.
    status, kept = call(api, "put", f"/api/staff/articles/{aid}", {**LECTURE, "title": "改标题"}, token=staff)
    assert status == 200 and [i["key"] for i in kept["images"]] == [second["key"]]
    status, body = call(api, "put", f"/api/staff/articles/{aid}",
                        {**LECTURE, "images": [{"key": f"media/articles/{aid}/forged.png"}]}, token=staff)
    assert status == 400 and body["error"]["fields"] == {"images[0]": "图片不属于该文章"}


def test_what_is_not_a_picture_of_this_article_is_refused_and_deleted(api, s3_server, staff_token, aws):
    staff = staff_token("county.staff")
    aid, other = draft(api, staff)["articleId"], draft(api, staff)["articleId"]
    status, body = call(api, "post", f"/api/staff/articles/{aid}/images/uploads", {"contentType": "image/gif"},
                        token=staff)
    assert status == 400 and body["error"]["fields"]["contentType"] == "只能上传 JPG 或 PNG 图片"

    # moto ignores the POST policy, so the API's own check is what keeps a disguised file out.
    disguised = upload(api, staff, aid, data=b"<svg onload=alert(1)>")
    status, body = call(api, "post", f"/api/staff/articles/{aid}/images", {"key": disguised["key"]}, token=staff)
    assert (status, body["error"]["code"]) == (400, "image_type_not_allowed")
    big = upload(api, staff, aid, data=PNG + b"\x00" * (5 * 1024 * 1024))
    status, body = call(api, "post", f"/api/staff/articles/{aid}/images", {"key": big["key"]}, token=staff)
    assert (status, body["error"]["code"]) == (400, "image_too_large")
    assert stored_keys(aws, aid) == []

    others = upload(api, staff, other)
    status, body = call(api, "post", f"/api/staff/articles/{aid}/images", {"key": others["key"]}, token=staff)
    assert status == 400 and body["error"]["fields"]["key"] == "图片不属于该文章"
    status, body = call(api, "post", f"/api/staff/articles/{aid}/images",
                        {"key": f"media/articles/{aid}/never.png"}, token=staff)
    assert (status, body["error"]["code"]) == (400, "image_not_uploaded")


def test_only_centre_staff_add_pictures(api, s3_server, staff_token):
    aid = draft(api, staff_token("county.staff"))["articleId"]
    status, body = call(api, "post", f"/api/staff/articles/{aid}/images/uploads", {"contentType": "image/png"},
                        token=staff_token("township.mediator"))
    assert status == 403 and body["error"]["code"] == "action_forbidden"
    assert call(api, "post", f"/api/staff/articles/{aid}/images/uploads", {"contentType": "image/png"})[0] == 401
    status, body = call(api, "post", "/api/staff/articles/nope/images/uploads", {"contentType": "image/png"},
                        token=staff_token("county.staff"))
    assert status == 404 and body["error"]["code"] == "article_not_found"
