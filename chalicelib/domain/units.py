"""Units as administrators edit them (单位管理): what may be created where, what may change,
and how a unit looks to the console. Pure: regions and catalog codes come in as arguments.

The bundled directory (reference/data/units-<city>.json) is the seed; administrators' edits and
new units are an overlay on it (chalicelib/adapters/directory.py). Centres are never created or
deactivated here: routing, escalation and dispatch rely on one centre per township, county and
city.
"""
from __future__ import annotations

import re
from typing import Any, Callable, Iterable

from .errors import ValidationFailed

UNIT_TYPE_NAMES = {"centre": "矛调中心", "department": "职能部门", "mediation_org": "调解组织",
                   "institution": "法律服务机构"}
CREATABLE_TYPES = ("department", "mediation_org", "institution")
ID_PREFIX = {"department": "dept", "mediation_org": "pmc", "institution": "inst"}
LEVEL_OF_REGION = {"city": "city", "county": "county", "township": "township"}  # not villages
SLUG = re.compile(r"^[a-z][a-z0-9_]{1,31}$")
LIMITS = {"name": 64, "phone": 32, "address": 128, "duties": 1000}
EDITABLE = ("name", "phone", "address", "duties", "active", "kinds", "categories")


def _text(body: dict, key: str, errors: dict, required: bool = False) -> str | None:
    value = body.get(key)
    if value is None or (isinstance(value, str) and not value.strip() and not required):
        if required:
            errors[key] = "请填写此项"
        return None
    if not isinstance(value, str) or not value.strip() or len(value.strip()) > LIMITS[key]:
        errors[key] = f"须为不超过{LIMITS[key]}个字的文本"
        return None
    return value.strip()


def _codes(body: dict, key: str, known: Iterable[str], errors: dict) -> list[str] | None:
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        errors[key] = "须为代码列表"
        return None
    unknown = sorted(set(value) - set(known))
    if unknown:
        errors[key] = f"含未知代码：{'、'.join(unknown)}"
        return None
    return list(dict.fromkeys(value))


def new_unit(body: Any, admin_region: str, region_lookup: Callable[[str], dict | None],
             kinds: Iterable[str], categories: Iterable[str], suffix: str) -> dict:
    """A create-unit request checked → the unit to store. `suffix` names the unit when the
    body gives no `slug` (routing rules can name a unit by its slug, e.g. `legal_aid`)."""
    if not isinstance(body, dict):
        raise ValidationFailed("请求内容应为 JSON 对象")
    errors: dict[str, str] = {}
    name = _text(body, "name", errors, required=True)
    unit_type = body.get("type")
    if unit_type not in CREATABLE_TYPES:
        errors["type"] = "单位类型须为职能部门、调解组织或法律服务机构"
    region_code = body.get("regionCode")
    region = region_lookup(region_code) if isinstance(region_code, str) else None
    if region is None or region.get("level") not in LEVEL_OF_REGION:
        errors["regionCode"] = "请选择市、县市区或乡镇（街道）"
    elif not str(region_code).startswith(admin_region):
        errors["regionCode"] = "不在您的管辖范围内"
    slug = body.get("slug") or suffix
    if not isinstance(slug, str) or not SLUG.match(slug):
        errors["slug"] = "单位编号末段须为 2 到 32 位小写字母、数字或下划线"
    fields = {k: _text(body, k, errors) for k in ("phone", "address", "duties")}
    unit_kinds = _codes(body, "kinds", kinds, errors) or []
    unit_categories = _codes(body, "categories", categories, errors) or []
    if errors:
        raise ValidationFailed(fields=errors)
    return {"id": f"{ID_PREFIX[unit_type]}-{region_code}-{slug}", "name": name, "type": unit_type,
            "level": LEVEL_OF_REGION[region["level"]], "regionCode": region_code,
            "kinds": unit_kinds, "categories": unit_categories, "subjects": [],
            "functions": fields["duties"] or "", "address": fields["address"] or "",
            "phone": fields["phone"] or "", "active": True}


def updated_unit(unit: dict, body: Any, kinds: Iterable[str], categories: Iterable[str]) -> dict:
    """The unit with the request's changes (`name?, phone?, address?, duties?, active?,
    kinds?, categories?`); type, level, region and id never change."""
    if not isinstance(body, dict):
        raise ValidationFailed("请求内容应为 JSON 对象")
    errors: dict[str, str] = {}
    unknown = sorted(set(body) - set(EDITABLE) - {"version"})
    if unknown:
        errors[unknown[0]] = "此项不可修改"
    changed = dict(unit)
    if "name" in body:
        changed["name"] = _text(body, "name", errors, required=True)
    for key, target in (("phone", "phone"), ("address", "address"), ("duties", "functions")):
        if key in body:
            changed[target] = _text(body, key, errors) or ""
    for key, known in (("kinds", kinds), ("categories", categories)):
        if key in body:
            changed[key] = _codes(body, key, known, errors) or []
    if "active" in body:
        if not isinstance(body["active"], bool):
            errors["active"] = "须为 true 或 false"
        elif body["active"] is False and unit["type"] == "centre":
            errors["active"] = "矛调中心不能停用：分流、上报都以它为准"
        else:
            changed["active"] = body["active"]
    if errors:
        raise ValidationFailed(fields=errors)
    return changed


def unit_view(unit: dict, region_name: str | None) -> dict:
    """A unit as the console shows it."""
    return {"unitId": unit["id"], "name": unit["name"], "type": unit["type"],
            "typeName": UNIT_TYPE_NAMES.get(unit["type"], unit["type"]), "level": unit["level"],
            "regionCode": unit["regionCode"], "regionName": region_name,
            "phone": unit.get("phone") or None, "address": unit.get("address") or None,
            "duties": unit.get("functions") or None, "kinds": list(unit.get("kinds") or []),
            "categories": list(unit.get("categories") or []),
            "active": unit.get("active", True) is not False, "version": int(unit.get("version") or 0)}
