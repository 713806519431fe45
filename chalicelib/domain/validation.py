"""Validation of a citizen's intake (``POST /api/matters``) into one Chinese message per field.

The JSON Schema (shared with the web front) checks shape, lengths and enums; this module adds
what a schema cannot say (mobile numbers, resident-ID checksums, whether the chosen region can
receive matters), turns every violation into a message the citizen can act on, and reports them
all at once so the form can mark every wrong field in one round trip.
"""
from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from chalicelib.domain.errors import ValidationFailed
from chalicelib.domain.identity import is_mainland_mobile, is_valid_resident_id, normalize_phone
from chalicelib.schemas import load_schema

NOT_AN_OBJECT = "请求内容必须是 JSON 对象"
TOO_DEEP = "请求内容层级过深"
UNKNOWN_FIELD = "不支持的字段"
BAD_MOBILE = "请填写正确的11位手机号码"
BAD_ID_NUMBER = "身份证号码不正确，请核对"
REGION_NOT_FILABLE = "请选择所在的乡镇（街道）或村（社区）"

# field path (list indices as "*") -> (label, verb used when it is missing)
_LABELS = {
    "kind": ("事项类型", "请选择"),
    "title": ("标题", "请填写"),
    "description": ("情况描述", "请填写"),
    "regionCode": ("所在地区", "请选择"),
    "category": ("纠纷类别", "请选择"),
    "address": ("详细地址", "请填写"),
    "applicant": ("申请人信息", "请填写"),
    "applicant.name": ("申请人姓名", "请填写"),
    "applicant.phone": ("申请人手机号码", "请填写"),
    "applicant.idNumber": ("身份证号码", "请填写"),
    "otherParties": ("对方当事人", "请填写"),
    "otherParties.*": ("对方当事人", "请填写"),
    "otherParties.*.name": ("对方当事人姓名", "请填写"),
    "otherParties.*.phone": ("对方当事人手机号码", "请填写"),
    "massInvolved": ("是否涉众", "请选择"),
}
# (field, failed keyword) -> message, where the generic wording would not help
_SPECIAL = {
    ("kind", "enum"): "请选择有效的事项类型",
    ("category", "enum"): "请选择有效的纠纷类别",
    ("regionCode", "type"): "请选择有效的所在地区",
    ("regionCode", "minLength"): "请选择有效的所在地区",
    ("regionCode", "maxLength"): "请选择有效的所在地区",
    ("regionCode", "pattern"): "请选择有效的所在地区",
    ("applicant.phone", "maxLength"): BAD_MOBILE,
    ("otherParties.*.phone", "maxLength"): BAD_MOBILE,
    ("applicant.idNumber", "maxLength"): BAD_ID_NUMBER,
    ("massInvolved", "type"): "是否涉众只能选择是或否",
}
# When one field breaks several keywords, the most useful message wins.
_PRIORITY = {"required": 0, "additionalProperties": 1, "type": 2, "enum": 3}


if TYPE_CHECKING:
    from jsonschema import Draft202012Validator


@lru_cache(maxsize=1)
def _validator() -> "Draft202012Validator":
    """Imported on first use: jsonschema costs ~65 ms of import, and only intake needs it,
    so health, catalog and lookup cold starts do not pay for it."""
    from jsonschema import Draft202012Validator
    return Draft202012Validator(load_schema("matter-intake"))


def _join(*parts: Any) -> str:
    return ".".join(str(p) for p in parts)


def _is_index(part: str) -> bool:
    return part.isascii() and part.isdigit()


def _generic(path: str) -> str:
    """``otherParties.3.phone`` → ``otherParties.*.phone``, the key of the message tables."""
    return ".".join("*" if _is_index(p) else p for p in path.split("."))


def _message(path: str, keyword: str, limit: Any = None) -> str:
    key = _generic(path)
    if (key, keyword) in _SPECIAL:
        return _SPECIAL[(key, keyword)]
    label, verb = _LABELS.get(key, ("该项", "请填写"))
    return {
        "required": f"{verb}{label}",
        "enum": f"请选择有效的{label}",
        "minLength": f"{label}至少{limit}个字",
        "maxLength": f"{label}不能超过{limit}个字",
        "maxItems": f"{label}最多{limit}个",
    }.get(keyword, f"{label}格式不正确")


def _form_order(item: tuple[str, str]) -> tuple:
    """Fields in the order of the form (otherParties.2 before otherParties.10), unknown last,
    so a client showing only the first message points at the first wrong field on the page."""
    path, order = item[0], list(_LABELS)
    rank = order.index(_generic(path)) if _generic(path) in order else len(order)
    parts = [(0, int(p), "") if _is_index(p) else (1, 0, p) for p in path.split(".")]
    return rank, parts


def _strip(obj: Any) -> Any:
    """Shallow copy of an object with strings stripped and blank strings dropped (= missing)."""
    if not isinstance(obj, dict):
        return obj
    out = {}
    for k, v in obj.items():
        if isinstance(v, str):
            v = v.strip()
            if not v:
                continue
        out[k] = v
    return out


def _schema_violations(body: dict) -> dict[str, str]:
    fields: dict[str, str] = {}
    errors = sorted(_validator().iter_errors(body),
                    key=lambda e: (_PRIORITY.get(e.validator, 9), list(map(str, e.absolute_path))))
    for e in errors:
        here = list(e.absolute_path)
        if e.validator == "required":
            for name in e.validator_value:
                if name not in e.instance:
                    fields.setdefault(_join(*here, name), _message(_join(*here, name), "required"))
        elif e.validator == "additionalProperties":
            for name in e.instance:
                if name not in e.schema.get("properties", {}):
                    fields.setdefault(_join(*here, name), UNKNOWN_FIELD)
        else:
            path = _join(*here)
            fields.setdefault(path, _message(path, e.validator, e.validator_value))
    return fields


def validate_intake(body: Any, *, is_filable_region: Callable[[str], bool]) -> dict:
    """Normalised copy of an intake body, or ValidationFailed with ``fields`` mapping each wrong
    field's dot path (``otherParties.0.phone``) to one Chinese message.

    ``is_filable_region(code)`` says whether a well-formed region code may receive matters (a
    township or village of this deployment); it is only called for 9- or 12-digit codes.
    Whatever JSON value comes in, the only exception raised is ValidationFailed.
    """
    if not isinstance(body, dict):
        raise ValidationFailed(fields={"": NOT_AN_OBJECT})
    body = _strip(body)
    applicant = body.get("applicant")
    if isinstance(applicant, dict):
        applicant = body["applicant"] = _strip(applicant)
    parties = body.get("otherParties")
    if isinstance(parties, list):
        parties = body["otherParties"] = [_strip(p) for p in parties]
    try:
        fields = _schema_violations(body)
    except RecursionError:  # absurdly nested values: jsonschema's messages repr() them
        raise ValidationFailed(fields={"": TOO_DEEP}) from None

    def check(path: str, value: Any, ok: Callable[[str], bool], message: str) -> None:
        if isinstance(value, str) and path not in fields and not ok(value):
            fields[path] = message

    if isinstance(applicant, dict):
        check("applicant.phone", applicant.get("phone"), is_mainland_mobile, BAD_MOBILE)
        check("applicant.idNumber", applicant.get("idNumber"), is_valid_resident_id, BAD_ID_NUMBER)
    if isinstance(parties, list):
        for i, party in enumerate(parties):
            if isinstance(party, dict):
                check(f"otherParties.{i}.phone", party.get("phone"), is_mainland_mobile, BAD_MOBILE)
    check("regionCode", body.get("regionCode"), is_filable_region, REGION_NOT_FILABLE)
    if fields:
        raise ValidationFailed(fields=dict(sorted(fields.items(), key=_form_order)))

    applicant["phone"] = normalize_phone(applicant["phone"])
    if "idNumber" in applicant:
        applicant["idNumber"] = applicant["idNumber"].upper()
    for party in body.get("otherParties", []):
        if "phone" in party:
            party["phone"] = normalize_phone(party["phone"])
    body.setdefault("massInvolved", False)
    return body
