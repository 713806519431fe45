"""Reading the audit log: a matter's trail (leaders in scope and admins) and the admins'
search by person and date. Both only read: no use case changes or deletes an audit line."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

from ..domain import deadlines, permissions
from ..domain.errors import Forbidden, ValidationFailed
from ..domain.permissions import Decision
from ..services.auth import normalize_username
from . import staff
from .staff import StaffDeps

DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
PAGE = 50


def _actor_view(actor: dict, directory) -> dict:
    unit = directory.unit(actor.get("unitId")) if actor.get("unitId") else None
    return {"userId": actor.get("userId"), "username": actor.get("username"),
            "name": actor.get("name"), "role": actor.get("role"), "unitId": actor.get("unitId"),
            "unitName": unit["name"] if unit else None}


def matter_audit(matter_id: str, actor, deps: StaffDeps, client: str | None = None) -> dict:
    """A matter's audit trail, newest first, the caller's own reading of it included (it is
    recorded first). Out of scope 404 like the matter view; in scope but not a leader or an
    admin 403 (the refusal is recorded too)."""
    now = deps.now()
    matter, _, _ = staff._load_in_scope(matter_id, actor, deps, now)
    decision = permissions.decide(actor, staff.facts(matter, deps.directory, now), "view_audit")
    line = {"at": deadlines.iso(now), "actor": actor.as_event_actor(), "client": client,
            "trackingCode": matter.tracking_code}
    if decision is not Decision.ALLOW:
        deps.repo.audit(matter.matter_id, {**line, "action": "denied:audit_view"})
        raise Forbidden("只有领导和系统管理员可以查看操作日志", code="forbidden")
    deps.repo.audit(matter.matter_id, {**line, "action": "audit_view"})
    return {"items": [{"at": i["at"], "action": i["action"],
                      "actor": _actor_view(i["actor"], deps.directory), "client": i["client"]}
                     for i in deps.repo.audit_trail(matter.matter_id)]}


def _day(value, name: str, errors: dict) -> datetime | None:
    """A YYYY-MM-DD date as the start of that day in China time."""
    if value in (None, ""):
        return None
    if not isinstance(value, str) or not DATE.match(value):
        errors[name] = "日期格式应为 YYYY-MM-DD"
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=deadlines.CHINA_TZ)
    except ValueError:
        errors[name] = "日期无效"
        return None


def search(actor, params: dict, deps: StaffDeps, limit: int = PAGE) -> dict:
    """审计查询: one person's audit lines between two dates (China time, both inclusive),
    newest first, keyset-paged on the `byActor` index. Admins only; an admin sees the lines
    of people whose unit lies within the admin's region."""
    if not actor.is_admin:
        raise Forbidden()
    errors: dict[str, str] = {}
    username = normalize_username(params.get("username"))
    if not username:
        errors["username"] = "请填写要查询的用户名"
    since, until = _day(params.get("from"), "from", errors), _day(params.get("to"), "to", errors)
    if since and until and since > until:
        errors["to"] = "结束日期不能早于开始日期"
    if errors:
        raise ValidationFailed(fields=errors)
    start = staff._decode_token(params.get("nextToken"))
    if start is not None and (start.get("actorUsername") or {}).get("S") != username:
        raise ValidationFailed(fields={"nextToken": "翻页参数无效"})
    low = deadlines.iso(since) if since else "0000"
    high = deadlines.iso(until + timedelta(days=1) - timedelta(seconds=1)) if until else "9999"
    items, last = deps.repo.audit_by_actor(username, low, high, limit=limit, start=start)
    out = []
    for i in items:
        unit = deps.directory.unit(i["actor"].get("unitId")) or {}
        if not str(unit.get("regionCode", "")).startswith(actor.region_code):
            continue  # a person of another county: not this admin's to see
        out.append({"at": i["at"], "matterId": i["matterId"], "trackingCode": i["trackingCode"],
                    "action": i["action"], "actor": _actor_view(i["actor"], deps.directory),
                    "client": i["client"]})
    return {"items": out, "nextToken": staff._encode_token(last)}

