"""单位管理 and 分派规则管理: administrators list, create, edit and deactivate units, and edit
the routing table, each as a versioned overlay on the bundled reference data (the directory
port: chalicelib/adapters/directory.py). Admins work within their region; the routing table
is the city's, so only an admin of the whole city edits it."""
from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable

from ..domain import deadlines
from ..domain import units as rules
from ..domain.errors import Conflict, Forbidden, NotFound, ValidationFailed
from ..domain.routing import validate_rules

PAGE = 50
MAX_RULES = 200


@dataclass
class UnitDeps:
    directory: Any                                  # UnitDirectory
    region_lookup: Callable[[str], dict | None]
    kinds: frozenset[str]
    categories: frozenset[str]
    severities: frozenset[str]
    random_bytes: Callable[[int], bytes]
    now: Callable[[], datetime]


def _admin(actor) -> None:
    if not actor.is_admin:
        raise Forbidden()


def _view(unit: dict, deps: UnitDeps) -> dict:
    return rules.unit_view(unit, (deps.region_lookup(unit["regionCode"]) or {}).get("name"))


def _token(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return base64.urlsafe_b64decode(value.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise ValidationFailed(fields={"nextToken": "翻页参数无效"}) from None


def list_units(actor, params: dict, deps: UnitDeps) -> dict:
    """Units seated within the admin's region (and within `regionCode` when given), of one
    `type`, whose name contains `q`; in directory order, 50 a page, keyset-paged on the last
    unit id (units are never deleted, so the key always exists)."""
    _admin(actor)
    region = params.get("regionCode") or actor.region_code
    unit_type = params.get("type") or None
    q = (params.get("q") or "").strip()
    errors = {}
    if unit_type is not None and unit_type not in rules.UNIT_TYPE_NAMES:
        errors["type"] = "未知的单位类型"
    if len(q) > 64:
        errors["q"] = "关键词过长"
    if errors:
        raise ValidationFailed(fields=errors)
    state = deps.directory.state()
    after = _token(params.get("nextToken"))
    if after is not None and after not in state.position:
        raise ValidationFailed(fields={"nextToken": "翻页参数无效"})
    start = state.position[after] + 1 if after is not None else 0
    items, last = [], None
    for unit in state.units[start:]:
        if not (unit["regionCode"].startswith(region) and unit["regionCode"].startswith(actor.region_code)):
            continue
        if (unit_type and unit["type"] != unit_type) or (q and q not in unit["name"]):
            continue
        if len(items) == PAGE:
            break
        items.append(_view(unit, deps))
        last = unit["id"]
    else:
        last = None  # the directory ran out: no further page
    return {"items": items,
            "nextToken": base64.urlsafe_b64encode(last.encode()).decode() if last else None}


def _in_scope(actor, unit_id: str, deps: UnitDeps) -> dict:
    unit = deps.directory.unit(unit_id)
    if unit is None or not unit["regionCode"].startswith(actor.region_code):
        raise NotFound("未找到该单位", code="unit_not_found")
    return unit


def get_unit(actor, unit_id: str, deps: UnitDeps) -> dict:
    _admin(actor)
    return _view(_in_scope(actor, unit_id, deps), deps)


def _suffix(random_bytes: Callable[[int], bytes]) -> str:
    return "u" + random_bytes(4).hex()


def create_unit(actor, body: Any, deps: UnitDeps) -> dict:
    """A new department, mediation organisation or legal-service institution (法院 is a
    department in the directory), active at once: a routing target and dispatch candidate
    for what its `kinds`/`categories` say it takes."""
    _admin(actor)
    unit = rules.new_unit(body, actor.region_code, deps.region_lookup, deps.kinds, deps.categories,
                          _suffix(deps.random_bytes))
    if deps.directory.unit(unit["id"]) is not None:
        raise Conflict("单位编号已存在", code="unit_exists", fields={"slug": "单位编号已存在"})
    version = deps.directory.save_unit(unit, 0, actor.username, deadlines.iso(deps.now()))
    return _view({**unit, "version": version}, deps)


def update_unit(actor, unit_id: str, body: Any, deps: UnitDeps) -> dict:
    """Edit or (de)activate a unit, naming the version that was read: 409 when stale."""
    _admin(actor)
    unit = _in_scope(actor, unit_id, deps)
    expected = body.get("version") if isinstance(body, dict) else None
    if not isinstance(expected, int) or isinstance(expected, bool) or expected < 0:
        raise ValidationFailed(fields={"version": "请提供读取时的 version"})
    if expected != int(unit.get("version") or 0):
        raise Conflict()
    changed = rules.updated_unit(unit, body, deps.kinds, deps.categories)
    version = deps.directory.save_unit(changed, expected, actor.username, deadlines.iso(deps.now()))
    return _view({**changed, "version": version}, deps)


def _city_admin(actor) -> None:
    _admin(actor)
    if actor.unit_level != "city" or len(actor.region_code) != 4:
        raise Forbidden("分派规则表是全市的，只有市级系统管理员可以修改", code="forbidden")


def get_routing(actor, deps: UnitDeps) -> dict:
    _admin(actor)
    state = deps.directory.state()
    return {"rules": state.rules, "version": state.rules_version}


def put_routing(actor, body: Any, deps: UnitDeps) -> dict:
    """Replace the ordered rules, validated like the bundled table (known kinds, categories,
    severities and unit types); effective for the next matter routed."""
    _city_admin(actor)
    if not isinstance(body, dict):
        raise ValidationFailed("请求内容应为 JSON 对象")
    expected, new_rules = body.get("version"), body.get("rules")
    if not isinstance(expected, int) or isinstance(expected, bool) or expected < 0:
        raise ValidationFailed(fields={"version": "请提供读取时的 version"})
    if not isinstance(new_rules, list) or not new_rules or len(new_rules) > MAX_RULES \
            or not all(isinstance(r, dict) for r in new_rules):
        raise ValidationFailed(fields={"rules": f"规则须为 1 到 {MAX_RULES} 条规则的列表"})
    try:
        validate_rules(new_rules, kinds=deps.kinds, categories=deps.categories, severities=deps.severities)
    except (ValueError, TypeError, KeyError, AttributeError) as err:
        raise ValidationFailed(str(err) if isinstance(err, ValueError) else "规则格式有误",
                               code="invalid_rules", fields={"rules": str(err)}) from None
    state = deps.directory.state()
    slugs = set(state.index.slugs.values())
    for rule in new_rules:
        slug = rule["to"].get("slug")
        if slug is not None and slug not in slugs:
            raise ValidationFailed(f"规则 {rule['id']}：没有编号末段为 {slug} 的单位", code="invalid_rules",
                                   fields={"rules": f"规则 {rule['id']}：没有编号末段为 {slug} 的单位"})
    if expected != state.rules_version:
        raise Conflict()
    version = deps.directory.save_rules(new_rules, expected, actor.username, deadlines.iso(deps.now()))
    return {"rules": new_rules, "version": version}
