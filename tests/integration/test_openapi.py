"""GET /api/openapi.json describes every route of the app, and only those: a route added by a
later merge without its entry in chalicelib/schemas/openapi/jieyou.yaml fails here by name."""
from __future__ import annotations

import json

import pytest

from app import app
from chalicelib.schemas import load_schema, openapi_doc

METHODS = ("get", "put", "post", "delete", "patch")


def app_operations() -> set[tuple[str, str]]:
    return {(path, method.lower()) for path, methods in app.routes.items() for method in methods}


def documented_operations(doc: dict) -> set[tuple[str, str]]:
    return {(path, m) for path, item in doc["paths"].items()
            for m in METHODS if m in item}


def test_every_route_is_documented_and_nothing_else():
    doc = openapi_doc.document()
    missing = sorted(app_operations() - documented_operations(doc))
    extra = sorted(documented_operations(doc) - app_operations())
    assert not missing, ("routes of the app missing from chalicelib/schemas/openapi/jieyou.yaml: "
                         + ", ".join(f"{m.upper()} {p}" for p, m in missing))
    assert not extra, ("documented in chalicelib/schemas/openapi/jieyou.yaml but not routes of the "
                       "app: " + ", ".join(f"{m.upper()} {p}" for p, m in extra))


def test_document_is_valid_openapi_31():
    from openapi_spec_validator import validate
    doc = openapi_doc.document()
    assert doc["openapi"].startswith("3.1")
    validate(doc)


def test_path_parameters_match_the_route_placeholders():
    doc = openapi_doc.document()
    for path, item in doc["paths"].items():
        placeholders = {seg[1:-1] for seg in path.split("/") if seg.startswith("{")}
        for method in METHODS:
            if method not in item:
                continue
            params = [_deref(doc, p) for p in item[method].get("parameters", [])]
            named = {p["name"] for p in params if p["in"] == "path"}
            assert named == placeholders, f"{method.upper()} {path}: path parameters {named}"


def _deref(doc: dict, node: dict) -> dict:
    if "$ref" in node:
        target = doc
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        return target
    return node


def test_intake_body_is_the_served_json_schema_and_errors_use_the_envelope():
    doc = openapi_doc.document()
    op = doc["paths"]["/api/matters"]["post"]
    ref = op["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    included = _deref(doc, {"$ref": ref})
    assert included["properties"] == load_schema("matter-intake")["properties"]
    staff = doc["components"]["schemas"]["StaffMatterIntake"]
    assert "channel" in staff["required"] and "kind" in staff["required"]
    assert op["responses"]["400"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"}
    assert "Retry-After" in op["responses"]["503"]["headers"]
    assert "Retry-After" in op["responses"]["429"]["headers"]


@pytest.mark.parametrize("path, method, security", [
    ("/api/staff/matters/{matterId}", "get", [{"staffBearer": []}]),
    ("/api/citizen/matters", "get", [{"citizenBearer": []}]),
    ("/api/matters/{trackingCode}/evaluation", "post", [{"citizenBearer": []}, {}]),
    ("/api/matters", "post", []),
])
def test_security_per_audience(path, method, security):
    op = openapi_doc.document()["paths"][path][method]
    assert op["security"] == security
    assert ("401" in op["responses"]) == bool(security)


def test_served_public_and_cached(api):
    first = api.get("/api/openapi.json")
    assert first.status_code == 200
    assert first.headers["Cache-Control"].startswith("public")
    served = json.loads(first.body)
    assert served == json.loads(json.dumps(openapi_doc.document()))
    again = api.get("/api/openapi.json", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
