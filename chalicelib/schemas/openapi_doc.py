"""The served OpenAPI 3.1 document (`GET /api/openapi.json`), assembled once per process from
`openapi/jieyou.yaml` and the request-body JSON Schemas of this folder, so the document and the
server's validation share one source. The YAML's shorthands (x-auth, x-errors) keep each route
a few lines; they are expanded here into security requirements and error responses."""
from __future__ import annotations

import copy
import json
from functools import lru_cache
from pathlib import Path

import yaml

from . import load_schema

SOURCE = Path(__file__).resolve().parent / "openapi" / "jieyou.yaml"
METHODS = ("get", "put", "post", "delete", "patch", "head", "options")

# status -> (description, example codes) of the error envelope answers.
ERRORS = {
    400: "请求有误（validation_failed 等，fields 指明字段）",
    401: "未登录或令牌无效（unauthorized, invalid_token, invalid_citizen_token…）",
    403: "无权执行（forbidden, action_forbidden…）",
    404: "不存在或不在本人范围内（matter_not_found…）",
    409: "状态冲突（conflict, action_not_allowed_now…）",
    413: "提交的内容过大（payload_too_large）",
    415: "请以 JSON 格式提交（unsupported_media_type）",
    429: "操作过于频繁（rate_limited, account_locked, otp_*），见 Retry-After",
    503: "系统繁忙，可重试（service_unavailable），见 Retry-After",
}
SECURITY = {
    "none": None,
    "staff": [{"staffBearer": []}],
    "citizen": [{"citizenBearer": []}],
    "citizen-optional": [{"citizenBearer": []}, {}],
}


def _error_response(status: int) -> dict:
    answer = {"description": ERRORS[status],
              "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    if status in (429, 503):
        answer["headers"] = {"Retry-After": {"$ref": "#/components/headers/RetryAfter"}}
    return answer


def _resolve_schema_refs(node, schemas: dict):
    """{"$ref": "schema:<name>"} -> a component holding chalicelib/schemas/<name>.schema.json."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("schema:"):
            name = ref[len("schema:"):]
            schemas.setdefault(_component_name(name), _included(name))
            return {"$ref": f"#/components/schemas/{_component_name(name)}"}
        return {k: _resolve_schema_refs(v, schemas) for k, v in node.items()}
    if isinstance(node, list):
        return [_resolve_schema_refs(v, schemas) for v in node]
    return node


def _component_name(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("-"))


def _included(name: str) -> dict:
    schema = copy.deepcopy(load_schema(name))
    schema.pop("$id", None)  # its own base URI would change how refs inside the document resolve
    schema.pop("$schema", None)  # 3.1's default dialect is this one (2020-12)
    return schema


def _expand_operation(op: dict) -> dict:
    auth = op.pop("x-auth")
    statuses = set(op.pop("x-errors", []))
    security = SECURITY[auth]
    if security is not None:
        op["security"] = security
        statuses.add(401)
    else:
        op["security"] = []
    if "requestBody" in op:
        statuses |= {413, 415}
    statuses.add(503)
    for status in sorted(statuses):
        op["responses"].setdefault(str(status), _error_response(status))
    return op


@lru_cache(maxsize=1)
def document() -> dict:
    doc = yaml.safe_load(SOURCE.read_text(encoding="utf-8"))
    schemas = doc["components"]["schemas"]
    for name, schema in list(schemas.items()):
        base = schema.pop("x-from-schema", None)
        if base:
            derived = _included(base)
            derived["properties"].update(schema.pop("x-add-properties", {}))
            derived["required"] = derived.get("required", []) + schema.pop("x-add-required", [])
            schemas[name] = {**derived, **schema}
    for item in doc["paths"].values():
        for method in METHODS:
            if method in item:
                item[method] = _expand_operation(item[method])
    doc["paths"] = _resolve_schema_refs(doc["paths"], schemas)  # adds the included schemas
    doc["components"]["schemas"] = _resolve_schema_refs(schemas, schemas)
    return doc


@lru_cache(maxsize=1)
def document_json() -> str:
    return json.dumps(document(), ensure_ascii=False, separators=(",", ":"))
