"""Staff use cases: the work lists, one matter with what this caller may do now, and the
actions. Every read and write of a matter is audited; out-of-scope answers 404, in scope
but not allowed 403, a state that does not allow it or a lost race 409."""
from __future__ import annotations

import base64
import json
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable

from ..domain import deadlines, lifecycle, permissions
from ..domain.errors import Conflict, Forbidden, NotFound, ValidationFailed
from ..domain.identity import mask_phone
from ..domain.matter import STATUS_NAMES, Matter
from ..domain.permissions import Decision, MatterFacts

logger = logging.getLogger(__name__)

ACTION_NAMES = {
    "accept": "接收", "stage_reply": "阶段性回复", "conclude": "办结", "return": "申请退回",
    "approve_return": "批准退回", "reject_return": "驳回退回", "escalate": "上报",
    "dispatch": "分流交办", "pause": "中止计时", "resume": "恢复计时",
    "request_extension": "申请延期", "approve_extension": "批准延期", "supervise": "督办",
    "instruct": "领导批示", "assess": "评定难易级别", "organize_joint": "组织联调联处",
    "confirm_joint": "确认参与联调",
}


@dataclass
class StaffDeps:
    repo: Any
    lifecycle: Any
    notifier: Any
    directory: Any
    now: Callable[[], datetime]
    calendar: deadlines.Calendar
    dispatch_candidates: Callable[[Matter, str], list[dict]]
    start_joint: Callable[[str, int], None]
    evidence: Any = None  # the evidence bucket (presigned URLs); None in tests without S3
    random_hex: Callable[[], str] = lambda: ""
    after_conclude: Callable[[Matter], Any] | None = None  # schedules the callback (回访)


EVIDENCE_URL_SECONDS = 300


def evidence_item(e: dict, store) -> dict:
    """An evidence object as listed, with a short-lived presigned GET."""
    return {"key": e["key"], "name": e["name"], "size": e["size"], "contentType": e["contentType"],
            "at": e["at"], "by": e.get("by"),
            "url": store.url(e["key"], EVIDENCE_URL_SECONDS) if store else None}


def facts(matter: Matter, directory, now: datetime) -> MatterFacts:
    unit = directory.unit(matter.assigned_unit_id) if matter.assigned_unit_id else None
    return MatterFacts(
        region_code=matter.region_code, assigned_unit_id=matter.assigned_unit_id,
        assigned_unit_type=unit["type"] if unit else None,
        assigned_unit_region=unit["regionCode"] if unit else None,
        participant_unit_ids=frozenset(matter.participant_unit_ids),
        holder_centre_id=matter.holder_centre_id,
        first_handler_id=(matter.first_handler or {}).get("id"),
        overdue=deadlines.is_overdue(matter.clocks, now), status=matter.status)


def allowed_actions(actor, matter: Matter, directory, now: datetime) -> list[str]:
    mine = permissions.visible_actions(actor, facts(matter, directory, now))
    return sorted(a for a in mine if lifecycle.allowed_by_state(matter, a, now))


def _audit(actor, action: str, now: datetime, client: str | None, matter: Matter | None = None) -> dict:
    """An audit line; with the matter, its tracking code too (the admins' search shows it)."""
    line = {"at": deadlines.iso(now), "action": action, "actor": actor.as_event_actor(),
            "client": client}
    if matter is not None:
        line["trackingCode"] = matter.tracking_code
    return line


def _load_in_scope(matter_id: str, actor, deps: StaffDeps, now: datetime):
    loaded = deps.repo.load_with_token(matter_id) if isinstance(matter_id, str) else None
    if loaded is None or not permissions.can_view(actor, facts(loaded[0], deps.directory, now)):
        raise NotFound("未找到该事项", code="matter_not_found")
    return loaded


def _unit_name(directory, unit_id: str | None) -> str | None:
    unit = directory.unit(unit_id) if unit_id else None
    return unit["name"] if unit else None


def matter_view(matter: Matter, events, actor, deps: StaffDeps, now: datetime) -> dict:
    """The matter as this staff member may see it: parties in full only for those who handle it."""
    handles = actor.unit_id in (matter.assigned_unit_id, matter.holder_centre_id) or \
        (matter.first_handler or {}).get("id") == actor.username
    applicant = dict(matter.applicant) if handles else matter.masked_applicant()
    parties = [dict(p) if handles or not p.get("phone") else {**p, "phone": mask_phone(p["phone"])}
               for p in matter.other_parties]
    return {
        "matterId": matter.matter_id, "trackingCode": matter.tracking_code, "kind": matter.kind,
        "title": matter.title, "description": matter.description, "category": matter.category,
        "severity": matter.severity, "regionCode": matter.region_code, "address": matter.address,
        "applicant": applicant, "otherParties": parties, "massInvolved": matter.mass_involved,
        "channel": matter.channel, "status": matter.status, "statusName": STATUS_NAMES[matter.status],
        "assignedUnitId": matter.assigned_unit_id,
        "assignedUnitName": _unit_name(deps.directory, matter.assigned_unit_id),
        "holderCentreId": matter.holder_centre_id, "receivedAt": matter.received_at,
        "assignedAt": matter.assigned_at, "deadlines": deadlines.view_clocks(matter.clocks, now),
        "overdue": deadlines.is_overdue(matter.clocks, now), "supervised": matter.supervised,
        "returnCount": matter.return_count, "firstHandler": matter.first_handler,
        "routing": matter.routing, "pendingReturn": matter.pending_return,
        "pendingExtension": matter.pending_extension, "joint": matter.joint,
        "outcome": matter.outcome, "agreements": matter.agreements, "warning": lifecycle.warnings_due(matter),
        "version": matter.version,
        "evidence": [evidence_item(e, deps.evidence) for e in matter.evidence],
        "timeline": [{"seq": e.seq, "at": e.at, "type": e.type, "text": e.text, "public": e.public,
                      "actor": e.actor, "note": e.note} for e in events],
        "allowedActions": allowed_actions(actor, matter, deps.directory, now),
    }


def get_matter(matter_id: str, actor, deps: StaffDeps, client: str | None = None) -> dict:
    now = deps.now()
    matter, events, _ = _load_in_scope(matter_id, actor, deps, now)
    deps.repo.audit(matter.matter_id, _audit(actor, "view", now, client, matter))
    return matter_view(matter, events, actor, deps, now)


def act(matter_id: str, actor, body: Any, deps: StaffDeps, client: str | None = None) -> dict:
    """One staff action: checked, applied and written with its events and audit line in one
    transaction; then the lifecycle is woken and notifications go out."""
    if not isinstance(body, dict) or not isinstance(body.get("action"), str):
        raise ValidationFailed(fields={"action": "请选择要执行的操作"})
    action = body["action"]
    if action not in lifecycle.ACTIONS:
        raise ValidationFailed(fields={"action": "不支持的操作"})
    now = deps.now()
    matter, events, token = _load_in_scope(matter_id, actor, deps, now)
    decision = permissions.decide(actor, facts(matter, deps.directory, now), action)
    if decision is Decision.NOT_VISIBLE:
        raise NotFound("未找到该事项", code="matter_not_found")
    if decision is Decision.FORBIDDEN:
        deps.repo.audit(matter.matter_id, _audit(actor, f"denied:{action}", now, client, matter))
        raise Forbidden(f"您无权执行「{ACTION_NAMES.get(action, action)}」", code="action_forbidden")
    expected = body.get("version")
    if expected is not None and expected != matter.version:
        raise Conflict()  # the caller acted on a view someone else has since changed
    params = {k: v for k, v in body.items() if k not in ("action", "version")}
    centre = deps.directory.unit(matter.holder_centre_id) if matter.holder_centre_id else None
    candidates = {u["id"] for u in deps.dispatch_candidates(matter, centre["regionCode"])} if (
        action == "dispatch" and centre) else set()
    outcome = lifecycle.apply(matter, action, params, actor, now, deps.directory, deps.calendar,
                              dispatchable=lambda unit_id: unit_id in candidates)
    m = outcome.matter
    all_events = events + outcome.events
    snapshot = m.public_snapshot(all_events, _unit_name(deps.directory, m.assigned_unit_id or m.holder_centre_id)) \
        if outcome.public_changed else None
    deps.repo.save(m, outcome.events, snapshot, audit=_audit(actor, action, now, client))
    if action == "conclude" and deps.after_conclude is not None:
        try:  # the conclusion stands; a missing callback task is visible on 跟踪问效
            deps.after_conclude(m)
        except Exception:  # noqa: BLE001
            logger.exception("scheduling the callback failed", extra={"matterId": m.matter_id})
    try:  # the change is saved; a lost wake-up only delays re-planning to the current timeout
        deps.lifecycle.signal(token, {"action": action, "matterId": m.matter_id},
                              read_token=lambda: deps.repo.task_token(m.matter_id, "TOKEN"))
    except Exception:  # noqa: BLE001
        logger.exception("waking the lifecycle failed", extra={"matterId": m.matter_id})
    carry_out(m, outcome.effects, deps)
    return matter_view(m, all_events, actor, deps, now)


def carry_out(matter: Matter, effects: list[dict], deps: StaffDeps) -> None:
    """Side effects after the write: none may undo it, so failures are logged, not raised."""
    for effect in effects:
        try:
            if effect["type"] == "start_joint_mediation":
                deps.start_joint(matter.matter_id, effect.get("round", 1))
            elif effect["type"] == "signal_joint":
                read = lambda: deps.repo.task_token(matter.matter_id, "JOINT_TOKEN")  # noqa: E731
                deps.lifecycle.signal(read(), effect, read_token=read)
            elif effect["type"] in ("notify_leaders", "notify_unit"):
                text = _notice_text(matter, effect["reason"])
                deps.notifier.sms(deps.directory.duty_mobile(effect["unitId"]), text)
            elif effect["type"] == "receipt_sms":
                deps.notifier.sms(matter.applicant["phone"], RECEIPT_TEXT.format(
                    kind=effect["kindName"], code=matter.tracking_code))
            elif effect["type"] == "warn":
                mobile = deps.directory.duty_mobile(effect["unitId"])
                text = _warning_text(matter)
                deps.notifier.sms(mobile, text)
                deps.notifier.call(mobile, text)
        except Exception:  # noqa: BLE001
            logger.exception("side effect failed", extra={"matterId": matter.matter_id, "effect": effect})


RECEIPT_TEXT = "【解忧】您的{kind}已受理，查询码{code}。请凭查询码和本手机号码在百姓解忧站查询办理进度。"

NOTICES = {
    "return": "有事项申请退回，待您审批",
    "extension": "有事项申请延期，待您审批",
    "escalated": "有事项上报至本中心，请及时分流",
    "supervised": "事项已被挂牌督办，请尽快办结",
    "joint_mediation": "有事项转入联调联处，请组织办理",
    "overdue": "事项已超期",
    "reopened": "群众对办结结果不满意，申请重新办理，请继续办理",
    "reopened_by_callback": "回访不满意，事项重新办理，请继续办理",
}


def _warning_text(matter: Matter) -> str:
    why = "涉众" if matter.mass_involved else lifecycle.SEVERITY_NAMES.get(matter.severity or "", "")
    return f"【解忧·预警】{why}矛盾纠纷：{matter.title}（{matter.tracking_code}），请领导关注。"


def _notice_text(matter: Matter, reason: str) -> str:
    return f"【解忧】{NOTICES.get(reason, '事项有新动态')}：{matter.title}（{matter.tracking_code}）"


def tasks(actor, view: str, next_token: str | None, deps: StaffDeps, limit: int = 50) -> dict:
    """我们的工作任务 (the unit's queue) or 我的办理事项 (my matters): overdue first."""
    if view not in ("unit", "mine"):
        raise ValidationFailed(fields={"view": "view 只能是 unit、mine 或 dispatch"})
    start = _decode_token(next_token)
    key, owner = ("queueUnitId", actor.unit_id) if view == "unit" else ("handlerId", actor.username)
    if start is not None and (start.get(key) or {}).get("S") != owner:
        raise ValidationFailed(fields={"nextToken": "翻页参数无效"})
    now = deps.now()
    if view == "unit":
        items, last = deps.repo.queue(unit_id=actor.unit_id, limit=limit, start=start)
    else:
        items, last = deps.repo.queue(handler_id=actor.username, limit=limit, start=start)
    out = []
    for m in items:
        out.append({"matterId": m.matter_id, "trackingCode": m.tracking_code, "kind": m.kind,
                    "title": m.title, "status": m.status, "statusName": STATUS_NAMES[m.status],
                    "deadlines": deadlines.view_clocks(m.clocks, now),
                    "overdue": deadlines.is_overdue(m.clocks, now), "supervised": m.supervised,
                    "warning": lifecycle.warnings_due(m), "severity": m.severity,
                    "regionCode": m.region_code, "receivedAt": m.received_at})
    out.sort(key=lambda t: (not t["overdue"], not t["supervised"]))
    return {"items": out, "nextToken": _encode_token(last)}


def _encode_token(key: dict | None) -> str | None:
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode() if key else None


def _decode_token(token: str | None) -> dict | None:
    if not token:
        return None
    try:
        key = json.loads(base64.urlsafe_b64decode(token.encode()))
        if isinstance(key, dict) and all(isinstance(v, dict) for v in key.values()):
            return key
    except (ValueError, TypeError):
        pass
    raise ValidationFailed(fields={"nextToken": "翻页参数无效"})


def dispatch_options(matter_id: str, actor, deps: StaffDeps, client: str | None = None) -> list[dict]:
    """分流转办: the units the holding centre may hand this matter to, the rule's suggestion first."""
    now = deps.now()
    matter, _, _ = _load_in_scope(matter_id, actor, deps, now)
    decision = permissions.decide(actor, facts(matter, deps.directory, now), "dispatch")
    if decision is not Decision.ALLOW:
        raise Forbidden("只有负责分流的中心可以分派此事项", code="action_forbidden")
    deps.repo.audit(matter.matter_id, _audit(actor, "view_dispatch_candidates", now, client, matter))
    centre = deps.directory.unit(matter.holder_centre_id)
    return [{"unitId": u["id"], "name": u["name"], "type": u["type"], "level": u["level"]}
            for u in deps.dispatch_candidates(matter, centre["regionCode"])[:100]]
