"""What each staff action does to a matter, and when the matter's state allows it.

Pure: the service loads the matter, asks `permissions` whether this actor may, asks
`allowed_by_state` whether the matter's state allows it, then calls `apply`, which returns
the changed matter, the new timeline events and the side effects to carry out after the
write (notifications, starting joint mediation). Units are looked up through `Directory`
so the rules never read files.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Callable, Protocol

from . import deadlines
from .errors import Conflict, ValidationFailed
from .matter import Event, Matter

OUTCOMES = {"resolved": "已解决", "partly_resolved": "部分解决", "unresolved": "未解决"}
SEVERITY_NAMES = {"simple": "简易", "general": "一般", "major": "较大", "significant": "重大疑难"}
JOINT_MODES = {"analysis": "综合研判", "consultation": "集体会商", "designated": "指定交办",
               "joint": "联合调处"}
WARNING_SEVERITIES = ("major", "significant")
MAX_NOTE = 2000

# status → actions the state allows (who may is permissions' business)
_BY_STATUS = {
    "received": {"dispatch", "escalate", "instruct", "supervise"},
    "assigned": {"accept", "return", "dispatch", "escalate", "assess", "instruct", "supervise"},
    "in_progress": {"stage_reply", "conclude", "return", "escalate", "pause", "request_extension",
                    "approve_extension", "assess", "instruct", "supervise"},
    "paused": {"resume", "request_extension", "approve_extension", "instruct", "supervise"},
    "returned": {"approve_return", "reject_return", "instruct", "supervise"},
    "escalated": {"dispatch", "escalate", "instruct", "supervise"},
    "joint_mediation": {"organize_joint", "confirm_joint", "conclude", "escalate", "instruct",
                        "supervise"},
    "concluded": {"instruct"},
    "closed": set(),
}
ACTIONS = sorted({a for actions in _BY_STATUS.values() for a in actions})


class Directory(Protocol):
    def unit(self, unit_id: str) -> dict | None: ...
    def centre_for(self, region_code: str, level: str) -> dict | None: ...
    def parent_centre(self, centre_id: str) -> dict | None: ...


@dataclass
class Outcome:
    matter: Matter
    events: list[Event]
    effects: list[dict] = field(default_factory=list)
    public_changed: bool = True


def allowed_by_state(matter: Matter, action: str, now: datetime) -> bool:
    if action not in _BY_STATUS.get(matter.status, set()):
        return False
    if action == "supervise":
        return deadlines.is_overdue(matter.clocks, now)
    if action == "approve_extension":
        return matter.pending_extension is not None
    if action == "request_extension":
        return matter.pending_extension is None
    if action == "confirm_joint":
        return bool((matter.joint or {}).get("units"))
    if action == "stage_reply":
        return "stage_reply" in matter.clocks and "metAt" not in matter.clocks["stage_reply"]
    return True


def _note(params: dict, required: bool, field_name: str = "note", label: str = "理由") -> str | None:
    value = params.get(field_name)
    if value is not None and not isinstance(value, str):
        raise ValidationFailed(fields={field_name: f"{label}格式不正确"})
    value = (value or "").strip()
    if required and not value:
        raise ValidationFailed(fields={field_name: f"请填写{label}"})
    if len(value) > MAX_NOTE:
        raise ValidationFailed(fields={field_name: f"{label}不能超过{MAX_NOTE}个字"})
    return value or None


class EventBuilder:
    """Accumulates the events of one action with consecutive sequence numbers."""

    def __init__(self, matter: Matter, actor, now: datetime):
        self.matter, self.now, self.events = matter, now, []
        self.actor = {"kind": "staff", "id": actor.username, "name": actor.name,
                      "role": actor.role, "unitId": actor.unit_id} if actor else {"kind": "system"}

    def add(self, type_: str, text: str, public: bool, note: str | None = None, **data) -> None:
        self.matter.event_count += 1
        self.events.append(Event(seq=self.matter.event_count, at=deadlines.iso(self.now), type=type_,
                                 text=text, public=public, actor=self.actor, note=note, data=data))


def assign(matter: Matter, unit: dict, now: datetime, calendar: deadlines.Calendar,
           joint: bool = False) -> None:
    """A unit receives the matter: its clocks start now (137+2030 count from assignment)."""
    matter.assigned_unit_id = unit["id"]
    matter.assigned_at = deadlines.iso(now)
    matter.status = "assigned"
    matter.clocks = (deadlines.joint_clocks(now, calendar) if joint
                     else deadlines.initial_clocks(matter.kind, matter.severity, now, calendar))
    if unit["id"] not in matter.participant_unit_ids:
        matter.participant_unit_ids.append(unit["id"])


def hold_at_centre(matter: Matter, centre: dict, status: str, now: datetime,
                   calendar: deadlines.Calendar) -> None:
    """The matter waits at a centre for dispatch (分流); the centre is held to the same
    clocks meanwhile, so a matter never sits anywhere without a deadline."""
    matter.holder_centre_id = centre["id"]
    matter.assigned_unit_id = None
    matter.status = status
    matter.assigned_at = deadlines.iso(now)
    matter.clocks = deadlines.initial_clocks(matter.kind, matter.severity, now, calendar)


def open_joint(matter: Matter, centre: dict, why: str, b: EventBuilder,
               calendar: deadlines.Calendar) -> list[dict]:
    matter.status = "joint_mediation"
    matter.holder_centre_id = centre["id"]
    matter.assigned_unit_id = centre["id"]
    matter.assigned_at = deadlines.iso(b.now)
    joint_round = (matter.joint or {}).get("round", 0) + 1  # each level's joint mediation is a round
    matter.joint = {"reason": why, "mode": None, "units": [], "confirmed": [], "round": joint_round}
    matter.clocks = deadlines.joint_clocks(b.now, calendar)
    b.add("joint_opened", f"事项已转入联调联处，由{centre['name']}组织办理", True, why,
          centreId=centre["id"])
    return [{"type": "start_joint_mediation", "centreId": centre["id"], "round": joint_round},
            {"type": "notify_leaders", "unitId": centre["id"], "reason": "joint_mediation"}]


def warnings_due(matter: Matter) -> bool:
    return matter.mass_involved or (matter.severity in WARNING_SEVERITIES)


def warning_effects(matter: Matter, directory: Directory) -> list[dict]:
    """分级预警: a major, significant or mass-involved matter warns the leaders of the level
    now responsible for it, once per level (recorded on the matter in the same write)."""
    if not warnings_due(matter):
        return []
    centre = directory.unit(matter.holder_centre_id) if matter.holder_centre_id else None
    if centre is None or centre["level"] in matter.warned:
        return []
    matter.warned = [*matter.warned, centre["level"]]
    return [{"type": "warn", "unitId": centre["id"], "level": centre["level"]}]


def apply(matter: Matter, action: str, params: dict, actor, now: datetime,
          directory: Directory, calendar: deadlines.Calendar = deadlines.CALENDAR_DAYS,
          dispatchable: Callable[[str], bool] | None = None) -> Outcome:
    """Apply one staff action to a copy of `matter`."""
    if not allowed_by_state(matter, action, now):
        raise Conflict("事项当前状态不允许此操作", code="action_not_allowed_now")
    m = copy.deepcopy(matter)
    b = EventBuilder(m, actor, now)
    effects: list[dict] = []
    unit = directory.unit(m.assigned_unit_id) if m.assigned_unit_id else None
    unit_name = unit["name"] if unit else ""

    if action == "accept":
        m.status = "in_progress"
        if m.first_handler is None:  # 首接首办: the first to accept stays responsible
            m.first_handler = {"id": actor.username, "name": actor.name, "unitId": actor.unit_id}
        m.clocks = deadlines.meet(m.clocks, "accept", now)
        b.add("accepted", f"{unit_name}已接收并开始办理您的事项", True, _note(params, False))
    elif action == "stage_reply":
        reply = _note(params, True, "reply", "阶段性回复意见")
        m.clocks = deadlines.meet(m.clocks, "stage_reply", now)
        b.add("stage_reply", f"阶段性回复：{reply}", True, reply)
    elif action == "conclude":
        outcome = params.get("outcome")
        if outcome not in OUTCOMES:
            raise ValidationFailed(fields={"outcome": "请选择办理结果"})
        answer = _note(params, True, "answer", "办结答复")
        agreement = params.get("agreementReached")
        if m.kind == "mediation" and not isinstance(agreement, bool):
            raise ValidationFailed(fields={"agreementReached": "请选择是否达成调解协议"})
        m.status = "concluded"
        m.outcome = {"result": outcome, "answer": answer, "agreementReached": agreement,
                     "at": deadlines.iso(now)}
        if agreement and m.agreements:  # the conclusion links the agreement in force (调解协议书)
            m.outcome["agreementId"] = m.agreements[-1]["agreementId"]
        for name in list(m.clocks):
            m.clocks = deadlines.meet(m.clocks, name, now)
        b.add("concluded", f"已办结（{OUTCOMES[outcome]}）：{answer}", True, None, outcome=outcome,
              agreementReached=agreement)
    elif action == "return":
        reason = _note(params, True)
        m.pending_return = {"reason": reason, "by": actor.unit_id, "previousStatus": m.status}
        m.status = "returned"
        b.add("return_requested", f"{unit_name}申请退回：{reason}", False, reason)
        effects.append({"type": "notify_leaders", "unitId": m.assigned_unit_id, "reason": "return"})
    elif action == "approve_return":
        pending = m.pending_return or {}
        m.return_count += 1
        returned_by = pending.get("by")
        if returned_by and returned_by not in m.participant_unit_ids:
            m.participant_unit_ids.append(returned_by)
        m.pending_return = None
        b.add("return_approved", f"退回已批准（第{m.return_count}次退回）", False,
              _note(params, False), reason=pending.get("reason"))
        centre = directory.centre_for(m.region_code, "township")
        if m.return_count >= 2:
            county = directory.centre_for(m.region_code, "county")
            effects += open_joint(m, county, "退回达2次，转联调联处", b, calendar)
        else:
            hold_at_centre(m, centre, "received", now, calendar)
            b.add("returned_to_centre", f"事项已退回{centre['name']}重新分流", True)
    elif action == "reject_return":
        pending = m.pending_return or {}
        m.status = pending.get("previousStatus", "assigned")
        m.pending_return = None
        b.add("return_rejected", "退回申请未获批准，请继续办理", False, _note(params, False))
    elif action == "dispatch":
        target_id = params.get("unitId")
        target = directory.unit(target_id) if isinstance(target_id, str) else None
        if target is None or (dispatchable is not None and not dispatchable(target_id)):
            raise ValidationFailed(fields={"unitId": "请选择本中心辖区内的承办单位"})
        reason = _note(params, True)
        assign(m, target, now, calendar, joint=bool(m.joint and m.joint.get("mode") == "designated"))
        b.add("dispatched", f"已分派至{target['name']}办理", True, reason, unitId=target["id"])
    elif action == "escalate":
        reason = _note(params, True)
        current = directory.unit(m.holder_centre_id) if m.holder_centre_id else None
        upper = directory.parent_centre(current["id"]) if current else None
        if upper is None:
            raise Conflict("已是市级综治中心，无法继续上报", code="no_upper_centre")
        if m.assigned_unit_id and m.assigned_unit_id not in m.participant_unit_ids:
            m.participant_unit_ids.append(m.assigned_unit_id)
        was_joint = m.status == "joint_mediation"
        hold_at_centre(m, upper, "escalated", now, calendar)
        if was_joint:
            effects += open_joint(m, upper, f"联调联处逾期或无法化解，上报{upper['name']}", b, calendar)
        b.add("escalated", f"事项已上报至{upper['name']}协调处理", True, reason, centreId=upper["id"])
        effects.append({"type": "notify_leaders", "unitId": upper["id"], "reason": "escalated"})
        effects += warning_effects(m, directory)
    elif action == "pause":
        reason = _note(params, True)
        m.status = "paused"
        m.clocks = deadlines.pause(m.clocks, now)
        b.add("paused", f"因专家咨询或鉴定暂停计时：{reason}", True, reason)
    elif action == "resume":
        m.status = "in_progress"
        m.clocks = deadlines.resume(m.clocks, now)
        b.add("resumed", "专家咨询或鉴定已完成，恢复计时", True, _note(params, False))
    elif action == "request_extension":
        reason = _note(params, True)
        new_due = _parse_due(params.get("newDueAt"), now)
        if params.get("partiesAgreed") is not True:
            raise ValidationFailed(fields={"partiesAgreed": "延期须经调解员和双方当事人约定"})
        m.pending_extension = {"newDueAt": deadlines.iso(new_due), "reason": reason,
                               "requestedBy": actor.username}
        b.add("extension_requested", f"申请延期至{_china(new_due)}", False, reason)
        effects.append({"type": "notify_leaders", "unitId": m.assigned_unit_id, "reason": "extension"})
    elif action == "approve_extension":
        pending = m.pending_extension
        m.clocks = deadlines.extend(m.clocks, deadlines.parse_iso(pending["newDueAt"]), now)
        m.pending_extension = None
        b.add("extension_approved", f"延期已批准，办结时限延至{_china(deadlines.parse_iso(pending['newDueAt']))}",
              True, _note(params, False), reason=pending["reason"])
        centre = directory.centre_for(m.region_code, "county")
        b.add("extension_filed", f"延期已报{centre['name']}备案", False, centreId=centre["id"])
    elif action == "supervise":
        m.supervised = True
        b.add("supervised", "挂牌督办：请尽快办结", False, _note(params, False))
        effects.append({"type": "notify_unit", "unitId": m.assigned_unit_id or m.holder_centre_id,
                        "reason": "supervised"})
    elif action == "instruct":
        text = _note(params, True, label="批示内容")
        b.add("instructed", f"领导批示：{text}", False, text)
        return Outcome(m, b.events, effects, public_changed=False)
    elif action == "assess":
        severity = params.get("severity")
        if severity not in SEVERITY_NAMES:
            raise ValidationFailed(fields={"severity": "请选择难易级别"})
        m.severity = severity
        if m.kind == "mediation" and m.assigned_at:
            m.clocks = deadlines.reassess(m.clocks, m.kind, severity,
                                          deadlines.parse_iso(m.assigned_at), calendar)
        b.add("assessed", f"难易级别评定为：{SEVERITY_NAMES[severity]}", False, _note(params, False))
        if severity == "significant" and m.status != "joint_mediation":
            effects += open_joint(m, directory.centre_for(m.region_code, "county"),
                                  "重大疑难矛盾纠纷，转联调联处", b, calendar)
        effects += warning_effects(m, directory)
    elif action == "organize_joint":
        mode = params.get("mode")
        if mode not in JOINT_MODES:
            raise ValidationFailed(fields={"mode": "请选择联调联处方式"})
        unit_ids = params.get("unitIds") or []
        if (not isinstance(unit_ids, list) or not unit_ids
                or any(not isinstance(u, str) or directory.unit(u) is None for u in unit_ids)):
            raise ValidationFailed(fields={"unitIds": "请选择参与单位"})
        m.joint = {**(m.joint or {}), "mode": mode, "units": sorted(set(unit_ids)), "confirmed": []}
        for u in unit_ids:
            if u not in m.participant_unit_ids:
                m.participant_unit_ids.append(u)
        b.add("joint_organized", f"联调联处方式：{JOINT_MODES[mode]}", True, _note(params, False),
              mode=mode, unitIds=sorted(set(unit_ids)))
        effects.append({"type": "signal_joint", "event": "organized"})
        if mode == "designated":
            assign(m, directory.unit(unit_ids[0]), now, calendar, joint=True)
            b.add("dispatched", f"指定交办至{directory.unit(unit_ids[0])['name']}", True)
    elif action == "confirm_joint":
        joint = m.joint or {}
        if actor.unit_id not in joint.get("units", []):
            raise Conflict("本单位不在联调联处参与单位中", code="not_a_participant")
        if actor.unit_id in joint.get("confirmed", []):
            raise Conflict("本单位已确认参与", code="already_confirmed")
        joint["confirmed"] = sorted(set(joint.get("confirmed", [])) | {actor.unit_id})
        m.joint = joint
        b.add("joint_confirmed", f"{(directory.unit(actor.unit_id) or {}).get('name', '')}已确认参与联调联处",
              False, _note(params, False))
        effects.append({"type": "signal_joint", "event": "confirmed"})
        return Outcome(m, b.events, effects, public_changed=False)
    else:  # pragma: no cover - allowed_by_state filters unknown actions
        raise Conflict("不支持的操作", code="unknown_action")
    return Outcome(m, b.events, _end_left_joint_round(matter, m) + effects)


def _end_left_joint_round(before: Matter, after: Matter) -> list[dict]:
    """A matter that leaves joint mediation (concluded, or escalated into a new round) wakes
    the waiting joint-mediation execution so it ends instead of reminding anyone."""
    if before.status != "joint_mediation":
        return []
    same_round = (after.status == "joint_mediation"
                  and (after.joint or {}).get("round") == (before.joint or {}).get("round"))
    return [] if same_round else [{"type": "signal_joint", "event": "left"}]


def _parse_due(value, now: datetime) -> datetime:
    try:
        due = deadlines.parse_iso(value) if isinstance(value, str) else None
    except ValueError:
        due = None
    if due is None:
        raise ValidationFailed(fields={"newDueAt": "请填写延期后的办结日期（如 2026-12-31T16:00:00Z）"})
    if due <= now:
        raise ValidationFailed(fields={"newDueAt": "延期后的日期必须晚于现在"})
    return due


def _china(dt: datetime) -> str:
    local = dt.astimezone(deadlines.CHINA_TZ)
    return f"{local.year}年{local.month}月{local.day}日"


def place_new_matter(matter: Matter, decision, now: datetime, directory: Directory,
                     calendar: deadlines.Calendar = deadlines.CALENDAR_DAYS) -> tuple[list[Event], list[dict]]:
    """Where a freshly filed matter goes (属地 + 属事), recorded with the rule that chose it:
    to the unit the routing rules name, to the township centre for manual dispatch, or —
    mass-involved — straight to joint mediation run by the county centre."""
    b = EventBuilder(matter, None, now)
    matter.routing = {"ruleId": decision.rule_id, "ruleName": decision.rule_name,
                      "explanation": decision.explanation, "unitId": decision.unit_id,
                      "manual": decision.manual}
    township = directory.centre_for(matter.region_code, "township") or directory.unit(decision.unit_id)
    matter.holder_centre_id = township["id"]
    effects: list[dict] = []
    if matter.mass_involved:
        effects += open_joint(matter, directory.centre_for(matter.region_code, "county"),
                              "涉众型矛盾纠纷，由县市区矛调中心组织联调联处", b, calendar)
    elif decision.manual:
        centre = directory.unit(decision.unit_id)
        hold_at_centre(matter, centre, "received", now, calendar)
        b.add("routed", f"已转{centre['name']}分流", True, decision.explanation,
              ruleId=decision.rule_id)
    else:
        unit = directory.unit(decision.unit_id)
        assign(matter, unit, now, calendar)
        b.add("assigned", f"已分派至{unit['name']}办理", True, decision.explanation,
              ruleId=decision.rule_id, unitId=unit["id"])
    effects += warning_effects(matter, directory)
    return b.events, effects


# --- what the citizen may do after conclusion ---------------------------------------------
MAX_COMMENT = 500
CITIZEN_ACTIONS = ("evaluate", "reopen")
_CITIZEN_ACTOR = {"kind": "citizen"}


def _citizen_event(m: Matter, now: datetime, type_: str, text: str, note: str | None = None,
                   **data) -> Event:
    m.event_count += 1
    return Event(seq=m.event_count, at=deadlines.iso(now), type=type_, text=text, public=True,
                 actor=dict(_CITIZEN_ACTOR), note=note, data=data)


def evaluate(matter: Matter, params: dict, now: datetime) -> Outcome:
    """满意度评价: once, on a concluded matter; the matter is then closed (已回访评价) and its
    lifecycle ends."""
    rating = params.get("rating")
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ValidationFailed(fields={"rating": "请选择1至5星的满意度"})
    comment = _note(params, False, "comment", "评价内容")
    if comment and len(comment) > MAX_COMMENT:
        raise ValidationFailed(fields={"comment": f"评价内容不能超过{MAX_COMMENT}个字"})
    if matter.status == "closed" or matter.evaluation:
        raise Conflict("您已评价过该事项", code="already_evaluated")
    if matter.status != "concluded":
        raise Conflict("事项办结后才能评价", code="not_concluded")
    m = copy.deepcopy(matter)
    m.evaluation = {"rating": rating, "comment": comment, "at": deadlines.iso(now)}
    m.status = "closed"
    event = _citizen_event(m, now, "evaluated", f"群众已评价：满意度{rating}星" + (f"，{comment}" if comment else ""),
                           comment, rating=rating)
    return Outcome(m, [event], [{"type": "end_lifecycle"}])


def reopen(matter: Matter, params: dict, now: datetime, directory: Directory,
           calendar: deadlines.Calendar = deadlines.CALENDAR_DAYS) -> Outcome:
    """An unresolved or partly resolved answer, not yet rated, may be reopened once within 15
    days of conclusion: back to the unit that concluded it, which already accepted the matter
    (首接首办 stays), so it is `in_progress` with fresh clocks counted from now — the accept
    clock is met at once, a joint-mediation conclusion gets the 30-day joint clock again."""
    from .matter import MAX_REOPENS, REOPEN_DAYS, REOPENABLE_RESULTS
    reason = _note(params, True, "reason", "重新办理的理由")
    if matter.status != "concluded":
        code = "already_evaluated" if matter.status == "closed" else "not_concluded"
        raise Conflict("事项当前状态不能申请重新办理", code=code)
    outcome = matter.outcome or {}
    if outcome.get("result") not in REOPENABLE_RESULTS:
        raise Conflict("事项已解决，不能申请重新办理", code="not_reopenable")
    if len(matter.reopens) >= MAX_REOPENS:
        raise Conflict("该事项已申请过重新办理", code="already_reopened")
    if now > deadlines.parse_iso(outcome["at"]) + timedelta(days=REOPEN_DAYS):
        raise Conflict(f"已超过办结后{REOPEN_DAYS}天，不能申请重新办理", code="reopen_period_over")
    m = copy.deepcopy(matter)
    unit_id = _reopen(m, reason, now, directory, calendar, by="citizen")
    unit = directory.unit(unit_id) or {"id": unit_id, "name": ""}
    events = [_citizen_event(m, now, "reopened", f"群众申请重新办理：{reason}", reason,
                             previousResult=outcome.get("result")),
              _citizen_event(m, now, "reassigned", f"事项已重新交由{unit['name']}办理", None,
                             unitId=unit_id)]
    events[1].actor = {"kind": "system"}
    return Outcome(m, events, [{"type": "notify_unit", "unitId": unit_id, "reason": "reopened"}])


def _reopen(m: Matter, reason: str, now: datetime, directory: Directory, calendar: deadlines.Calendar,
            by: str) -> str:
    """Back to the unit that concluded it, `in_progress` with fresh clocks; returns the unit."""
    outcome = m.outcome or {}
    unit_id = m.assigned_unit_id or m.holder_centre_id
    joint = unit_id == m.holder_centre_id and m.joint is not None
    m.reopens = [*m.reopens, {"at": deadlines.iso(now), "reason": reason, "previousOutcome": outcome,
                              "unitId": unit_id, "by": by}]
    m.outcome = None
    m.status = "in_progress"
    m.assigned_unit_id = unit_id
    m.assigned_at = deadlines.iso(now)
    m.supervised = False
    m.pending_return = m.pending_extension = None
    clocks = (deadlines.joint_clocks(now, calendar) if joint
              else deadlines.initial_clocks(m.kind, m.severity, now, calendar))
    m.clocks = deadlines.meet(clocks, "accept", now) if "accept" in clocks else clocks
    return unit_id


CALLBACK_NAMES = {"satisfied": "满意", "unsatisfied": "不满意", "recurred": "问题反弹"}


def after_callback(matter: Matter, result: str, note: str | None, action: str, actor, now: datetime,
                   directory: Directory, calendar: deadlines.Calendar = deadlines.CALENDAR_DAYS) -> Outcome:
    """回访 recorded (a public event the citizen sees), and what the configured rule does with
    it: `reopen` (back to the unit, like a citizen's reopening), `supervise` (督办 by the
    centre: flagged, the unit told) or `none`."""
    m = copy.deepcopy(matter)
    b = EventBuilder(m, actor, now)
    b.add("callback", f"回访结果：{CALLBACK_NAMES[result]}" + (f"（{note}）" if note else ""), True, note,
          result=result, action=action)
    effects: list[dict] = []
    if action == "reopen":
        unit_id = _reopen(m, f"回访{CALLBACK_NAMES[result]}：{note or ''}", now, directory, calendar, by="callback")
        unit = directory.unit(unit_id) or {"name": ""}
        b.add("reopened", f"回访{CALLBACK_NAMES[result]}，事项重新办理", True, note, by="callback")
        b.add("reassigned", f"事项已重新交由{unit['name']}办理", True, None, unitId=unit_id)
        effects.append({"type": "notify_unit", "unitId": unit_id, "reason": "reopened_by_callback"})
    elif action == "supervise":
        m.supervised = True
        b.add("supervised", f"回访{CALLBACK_NAMES[result]}，挂牌督办", False, note, by="callback")
        unit_id = m.assigned_unit_id or m.holder_centre_id
        if unit_id:
            effects.append({"type": "notify_unit", "unitId": unit_id, "reason": "supervised"})
    return Outcome(m, b.events, effects)
