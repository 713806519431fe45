"""The citizen half of the API contract: health, catalog, intake, lookup."""
from __future__ import annotations

import functools
import hashlib
import json

from chalice import Blueprint, Response

from .. import reference
from ..domain.errors import NotFound
from ..schemas import load_schema, openapi_doc, schema_names
from ..services import citizen, directory, intake
from ..wiring import citizen_deps, intake_deps, unit_directory
from .auth import bearer_token
from .http import JSON_HEADERS, client_address, handles_errors, json_body, json_response

bp = Blueprint(__name__)
JSON_TYPES = ["application/json", "text/plain"]


@bp.route("/health", methods=["GET"])
def health():
    return {"status": "ok"}


@functools.lru_cache(maxsize=4)
def _catalog_payload(city: str) -> tuple[str, str]:
    """Reference data never changes within a deployment: serialise it once per container
    (per city, so a process that switches JIEYOU_CITY_CODE serves the right one)."""
    body = json.dumps(reference.catalog(), ensure_ascii=False, separators=(",", ":"))
    return body, '"' + hashlib.sha256(body.encode()).hexdigest()[:32] + '"'


@bp.route("/catalog", methods=["GET"])
def catalog():
    body, etag = _catalog_payload(reference.city_code())
    headers = {**JSON_HEADERS, "ETag": etag, "Cache-Control": "public, max-age=3600"}
    if (bp.current_request.headers or {}).get("if-none-match") == etag:
        return Response(body="", status_code=304, headers=headers)
    return Response(body=body, status_code=200, headers=headers)


@functools.lru_cache(maxsize=1)
def _openapi_payload() -> tuple[str, str]:
    body = openapi_doc.document_json()
    return body, '"' + hashlib.sha256(body.encode()).hexdigest()[:32] + '"'


@bp.route("/openapi.json", methods=["GET"])
def openapi():
    """The API contract (every route, body, parameter and error), for the console and fuzzers."""
    body, etag = _openapi_payload()
    headers = {**JSON_HEADERS, "ETag": etag, "Cache-Control": "public, max-age=3600"}
    if (bp.current_request.headers or {}).get("if-none-match") == etag:
        return Response(body="", status_code=304, headers=headers)
    return Response(body=body, status_code=200, headers=headers)


@bp.route("/schemas/{name}", methods=["GET"])
@handles_errors
def schema(name):
    """The JSON Schemas the API validates with, for the web front to validate the same way."""
    if name not in schema_names():
        raise NotFound("没有这个数据格式定义", code="schema_not_found")
    return json_response(load_schema(name), headers={"Cache-Control": "public, max-age=3600"})


@bp.route("/matters", methods=["POST"], content_types=JSON_TYPES)
@handles_errors
def file_matter():
    request = bp.current_request
    key = (request.headers or {}).get("idempotency-key")
    receipt = intake.file_matter(json_body(request), key[:200] if key else None, intake_deps())
    return json_response(receipt, 201)


@bp.route("/matters/{trackingCode}", methods=["GET"])
@handles_errors
def lookup_matter(trackingCode):
    request = bp.current_request
    phone = (request.query_params or {}).get("phone")
    if not phone and (request.headers or {}).get("authorization"):
        # a verified citizen (我的事项) opens one of the phone's matters with the citizen token
        view = citizen.lookup_by_token(trackingCode, bearer_token(request), client_address(request), citizen_deps())
    else:
        view = intake.lookup_matter(trackingCode, phone, client_address(request), intake_deps())
    return json_response(view, headers={"Cache-Control": "no-store"})


@bp.route("/matters/{trackingCode}/lookup", methods=["POST"], content_types=JSON_TYPES)
@handles_errors
def lookup_matter_post(trackingCode):
    """The same lookup with the phone in the body, so it stays out of access logs and browser
    history; the portal uses this one."""
    request = bp.current_request
    body = json_body(request)
    phone = body.get("phone") if isinstance(body, dict) else None
    view = intake.lookup_matter(trackingCode, phone if isinstance(phone, str) else None,
                                client_address(request), intake_deps())
    return json_response(view, headers={"Cache-Control": "no-store"})


@bp.route("/units", methods=["GET"])
@handles_errors
def units():
    """调解组织查询 / 部门职能查询: public unit fields by type and region."""
    params = bp.current_request.query_params or {}
    body = directory.public_units(params.get("type"), params.get("regionCode"), unit_directory().units())
    return Response(body=body, status_code=200, headers={**JSON_HEADERS, "Cache-Control": "public, max-age=300"})
