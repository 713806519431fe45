"""Evidence uploads through the API on moto, the browser's POST going to moto's loopback
server as it does under `make run`.

moto 5.2 does not check presigned POST policies (nor their signatures): it stores an
oversized or wrongly typed upload as readily as a good one. So these tests check (1) that the
policy the API hands out carries the limits S3 enforces, and (2) that recording an upload
re-checks the stored object itself — size, declared type and first bytes — and deletes what
breaks the rules, which is what protects the matter under moto and on AWS alike.
"""
from __future__ import annotations

import base64
import json
import os

import pytest
import requests

from chalicelib import settings
from chalicelib.adapters import evidence as evidence_adapter
from tests.integration.test_citizen_api import JSON, MEDIATION, PHONE, call, file

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200
PDF = b"%PDF-1.7\n" + b"x" * 100
BUCKET = settings.EVIDENCE_BUCKET


@pytest.fixture
def s3_server(aws, monkeypatch):
    """moto's loopback server over the same backends, as the local runtime runs it."""
    from moto.server import ThreadedMotoServer
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    endpoint = "http://127.0.0.1:%d" % server.get_host_and_port()[1]
    monkeypatch.setenv("S3_PUBLIC_ENDPOINT", endpoint)
    evidence_adapter._presigner.cache_clear()
    yield endpoint
    evidence_adapter._presigner.cache_clear()
    server.stop()


def policy_of(upload):
    return json.loads(base64.b64decode(upload["fields"]["policy"]))


def upload(api, code, content_type="image/png", data=PNG, body=None, declared=None):
    status, answer = call(api, "post", f"/api/matters/{code}/evidence/uploads",
                          body or {"phone": PHONE, "contentType": content_type, "name": "现场照片"})
    assert status == 201, answer
    fields = dict(answer["fields"])
    if declared:
        fields["Content-Type"] = declared
    r = requests.post(answer["url"], data=fields, files={"file": ("photo", data)}, timeout=30)
    return answer, r


def record(api, code, key, name="现场照片", **extra):
    return call(api, "post", f"/api/matters/{code}/evidence", {"phone": PHONE, "key": key, "name": name, **extra})


def test_the_policy_limits_size_type_and_key(api, s3_server):
    receipt = file(api)
    status, answer = call(api, "post", f"/api/matters/{receipt['trackingCode']}/evidence/uploads",
                          {"phone": PHONE, "contentType": "image/jpeg"})
    assert status == 201 and answer["url"].startswith(s3_server)
    assert answer["key"].startswith(f"matters/{receipt['matterId']}/citizen/") and answer["key"].endswith(".jpg")
    conditions = policy_of(answer)["conditions"]
    assert ["content-length-range", 1, 10 * 1024 * 1024] in conditions
    assert {"Content-Type": "image/jpeg"} in conditions
    assert {"key": answer["key"]} in conditions and {"bucket": BUCKET} in conditions
    assert answer["expiresIn"] == 600


def test_a_citizen_uploads_a_photo_records_it_and_reads_it_back(api, s3_server, staff_token):
    receipt = file(api)
    code = receipt["trackingCode"]
    answer, r = upload(api, code)
    assert r.status_code == 204
    status, item = record(api, code, answer["key"])
    assert status == 201 and (item["size"], item["contentType"], item["by"]) == (len(PNG), "image/png", "citizen")
    assert requests.get(item["url"], timeout=10).content == PNG  # the short-lived presigned GET
    assert "X-Amz-Expires=300" in item["url"]
    listed = call(api, "get", f"/api/matters/{code}/evidence?phone={PHONE}")[1]["items"]
    assert [i["key"] for i in listed] == [answer["key"]]
    view = call(api, "get", f"/api/matters/{code}?phone={PHONE}")[1]
    assert view["evidence"][0]["name"] == "现场照片" and view["timeline"][-1]["type"] == "evidence_added"
    _, staff_view = call(api, "get", f"/api/staff/matters/{receipt['matterId']}",
                         token=staff_token("township.mediator"))
    assert staff_view["evidence"][0]["key"] == answer["key"] and staff_view["evidence"][0]["url"]
    assert record(api, code, answer["key"])[1]["error"]["code"] == "evidence_already_recorded"


def test_moto_stores_uploads_that_break_the_policy_so_recording_refuses_and_deletes_them(api, s3_server, aws):
    receipt = file(api)
    code = receipt["trackingCode"]
    big, r = upload(api, code, data=PNG + b"\x00" * (10 * 1024 * 1024))
    assert r.status_code == 204  # moto does not enforce content-length-range (S3 answers 400)
    status, body = record(api, code, big["key"])
    assert (status, body["error"]["code"]) == (400, "evidence_too_large")
    s3 = aws.client("s3")
    assert s3.list_objects_v2(Bucket=BUCKET, Prefix=big["key"]).get("KeyCount") == 0  # deleted

    html, r = upload(api, code, data=b"<html><script>alert(1)</script></html>", declared="text/html")
    assert r.status_code == 204  # nor the Content-Type condition
    assert record(api, code, html["key"])[1]["error"]["code"] == "evidence_type_not_allowed"
    disguised, _ = upload(api, code, data=b"MZ\x90\x00 not a picture")  # declared image/png
    assert record(api, code, disguised["key"])[1]["error"]["code"] == "evidence_type_not_allowed"
    pdf, _ = upload(api, code, content_type="application/pdf", data=PDF)
    assert record(api, code, pdf["key"], name="鉴定报告.pdf")[0] == 201


def test_only_allowed_types_and_the_matters_own_keys(api, s3_server):
    receipt, other = file(api), file(api, phone="13900001111")
    code = receipt["trackingCode"]
    status, body = call(api, "post", f"/api/matters/{code}/evidence/uploads",
                        {"phone": PHONE, "contentType": "text/html"})
    assert status == 400 and "contentType" in body["error"]["fields"]
    others, _ = upload(api, other["trackingCode"], body={"phone": "13900001111", "contentType": "image/png"})
    assert record(api, code, others["key"])[1]["error"]["fields"]["key"] == "材料不属于该事项"
    staff_key = f"matters/{receipt['matterId']}/staff/x.png"
    assert record(api, code, staff_key)[0] == 400
    never = f"matters/{receipt['matterId']}/citizen/{'0' * 32}.png"
    assert record(api, code, never)[1]["error"]["code"] == "evidence_not_uploaded"


def test_a_wrong_phone_sees_no_evidence_of_the_matter(api, s3_server):
    receipt = file(api)
    code = receipt["trackingCode"]
    answer, _ = upload(api, code)
    record(api, code, answer["key"])
    status, body = call(api, "get", f"/api/matters/{code}/evidence?phone=13900001111")
    assert (status, body["error"]["code"]) == (404, "matter_not_found")
    status, _ = call(api, "post", f"/api/matters/{code}/evidence/uploads",
                     {"phone": "13900001111", "contentType": "image/png"})
    assert status == 404


def test_handlers_add_material_that_citizens_do_not_see(api, s3_server, staff_token):
    receipt = file(api)
    mediator, county = staff_token("township.mediator"), staff_token("county.staff")
    path = f"/api/staff/matters/{receipt['matterId']}/evidence"
    status, body = call(api, "post", path + "/uploads", {"contentType": "application/pdf"}, token=county)
    assert (status, body["error"]["code"]) == (403, "action_forbidden")  # in scope, not handling
    status, answer = call(api, "post", path + "/uploads", {"contentType": "application/pdf"}, token=mediator)
    assert status == 201 and answer["key"].startswith(f"matters/{receipt['matterId']}/staff/")
    fields = answer["fields"]
    assert requests.post(answer["url"], data=fields, files={"file": ("f", PDF)}, timeout=10).status_code == 204
    status, item = call(api, "post", path, {"key": answer["key"], "name": "调解笔录.pdf"}, token=mediator)
    assert status == 201 and item["by"] == "staff"
    _, view = call(api, "get", f"/api/staff/matters/{receipt['matterId']}", token=mediator)
    assert [e["name"] for e in view["evidence"]] == ["调解笔录.pdf"]
    assert not view["timeline"][-1]["public"]
    assert call(api, "get", f"/api/matters/{receipt['trackingCode']}/evidence?phone={PHONE}")[1]["items"] == []
    assert call(api, "get", f"/api/matters/{receipt['trackingCode']}?phone={PHONE}")[1]["evidence"] == []
    from chalicelib.adapters.dynamo import DynamoMatterRepository
    actions = [a["action"] for a in DynamoMatterRepository().audit_trail(receipt["matterId"])]
    assert {"evidence_upload", "evidence_add", "denied:evidence_upload"} <= set(actions)


def test_the_bucket_is_private_encrypted_and_lets_the_web_origin_post(aws, s3_server):
    s3 = aws.client("s3")
    block = s3.get_public_access_block(Bucket=BUCKET)["PublicAccessBlockConfiguration"]
    assert all(block.values()) and len(block) == 4
    rule = s3.get_bucket_encryption(Bucket=BUCKET)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    cors = s3.get_bucket_cors(Bucket=BUCKET)["CORSRules"][0]
    assert cors["AllowedOrigins"] == ["https://jieyou.example.gov.cn"] and "POST" in cors["AllowedMethods"]
    preflight = requests.options(f"{s3_server}/{BUCKET}", timeout=10, headers={
        "Origin": "https://jieyou.example.gov.cn", "Access-Control-Request-Method": "POST"})
    assert preflight.status_code == 200
    assert preflight.headers.get("Access-Control-Allow-Origin") == "https://jieyou.example.gov.cn"
    foreign = requests.options(f"{s3_server}/{BUCKET}", timeout=10, headers={
        "Origin": "http://elsewhere.example", "Access-Control-Request-Method": "POST"})
    assert foreign.status_code == 403  # the bucket's rule, not moto's blanket CORS, decides
