"""Mediation sessions (调解记录), agreements (调解协议书), judicial confirmation (司法确认) and the
follow-up after conclusion (跟踪问效: 回访, 协议履行).

Pure: records are plain dicts the repository stores in the matter's partition; time, ids and
configuration come in as arguments. Every function returns a changed copy.
"""
from __future__ import annotations

import copy
from datetime import datetime, timedelta

from . import deadlines
from .errors import Conflict, ValidationFailed
from .identity import is_mainland_mobile, normalize_phone

MODES = {"video": "视频调解", "in_person": "现场调解"}
ROLES = {"mediator": "调解员", "party": "当事人", "unit": "邀请单位"}
SESSION_STATES = {"scheduled": "已安排", "in_progress": "进行中", "ended": "已结束", "cancelled": "已取消"}
MAX_PARTICIPANTS = 20
MAX_TERMS = 30
MAX_TEXT = 2000
MAX_MINUTES = 20000

CONFIRMATION_DAYS = 30  # 人民调解法 §33: apply within 30 days of the agreement taking effect
CONFIRMATION_STATES = {"open": "可申请", "applied": "已生成申请书", "submitted": "已提交法院",
                       "confirmed": "法院已确认", "rejected": "法院驳回", "expired": "已逾期未申请"}
PERFORMANCE = {"carried_out": "已履行", "partly": "部分履行", "not": "未履行"}
CALLBACK_RESULTS = {"satisfied": "满意", "unsatisfied": "不满意", "recurred": "问题反弹"}


def _text(body: dict, name: str, label: str, required: bool = True, limit: int = MAX_TEXT) -> str | None:
    value = body.get(name)
    if value is not None and not isinstance(value, str):
        raise ValidationFailed(fields={name: f"{label}格式不正确"})
    value = (value or "").strip()
    if required and not value:
        raise ValidationFailed(fields={name: f"请填写{label}"})
    if len(value) > limit:
        raise ValidationFailed(fields={name: f"{label}不能超过{limit}个字"})
    return value or None


def _instant(body: dict, name: str, label: str) -> str:
    """An ISO 8601 instant with its offset (`Z` or `+08:00`, as the console's pickers send)."""
    value = body.get(name)
    try:
        parsed = datetime.fromisoformat(value)
        if parsed.tzinfo is None:
            raise ValueError("no offset")
        return deadlines.iso(parsed)
    except (TypeError, ValueError, AttributeError):
        raise ValidationFailed(fields={name: f"请填写正确的{label}"}) from None


def _participants(value, units) -> list[dict]:
    if not isinstance(value, list) or not value:
        raise ValidationFailed(fields={"participants": "请添加参加人员"})
    if len(value) > MAX_PARTICIPANTS:
        raise ValidationFailed(fields={"participants": f"参加人员不能超过{MAX_PARTICIPANTS}人"})
    out = []
    for i, p in enumerate(value):
        if not isinstance(p, dict) or p.get("role") not in ROLES:
            raise ValidationFailed(fields={f"participants[{i}].role": "请选择身份"})
        name = _text(p, "name", "姓名", limit=50)
        item = {"id": f"p{i + 1}", "role": p["role"], "name": name}
        if p.get("phone"):
            phone = normalize_phone(p["phone"]) if isinstance(p["phone"], str) else ""
            if not is_mainland_mobile(phone):
                raise ValidationFailed(fields={f"participants[{i}].phone": "请输入11位手机号码"})
            item["phone"] = phone
        elif p["role"] == "party":
            raise ValidationFailed(fields={f"participants[{i}].phone": "当事人须留手机号码（签署协议、接收视频链接）"})
        if p["role"] == "unit":
            unit = units(p.get("unitId")) if isinstance(p.get("unitId"), str) else None
            if unit is None:
                raise ValidationFailed(fields={f"participants[{i}].unitId": "请选择邀请单位"})
            item["unitId"] = unit["id"]
        out.append(item)
    if not any(p["role"] == "mediator" for p in out):
        raise ValidationFailed(fields={"participants": "至少需要一名调解员"})
    if not any(p["role"] == "party" for p in out):
        raise ValidationFailed(fields={"participants": "至少需要一名当事人"})
    return out


# --- sessions --------------------------------------------------------------------------------
def new_session(matter, body: dict, actor: dict, now: datetime, session_id: str, units) -> dict:
    """A session for a mediation: when, where (a room, or video), who (mediator, parties, units)."""
    if matter.status in ("closed",):
        raise Conflict("事项已办结归档，不能再安排调解", code="matter_closed")
    mode = body.get("mode")
    if mode not in MODES:
        raise ValidationFailed(fields={"mode": "请选择视频调解或现场调解"})
    place = _text(body, "place", "调解地点", required=mode == "in_person", limit=200)
    return {"sessionId": session_id, "matterId": matter.matter_id, "mode": mode,
            "scheduledAt": _instant(body, "scheduledAt", "调解时间"), "place": place,
            "participants": _participants(body.get("participants"), units),
            "minutes": None, "status": "scheduled", "createdBy": actor,
            "createdAt": deadlines.iso(now), "startedAt": None, "endedAt": None, "meeting": None}


def edit_session(session: dict, body: dict, now: datetime, units) -> dict:
    """Minutes, place, time and participants can be corrected until the session is cancelled."""
    if session["status"] == "cancelled":
        raise Conflict("调解已取消", code="session_cancelled")
    s = copy.deepcopy(session)
    if "minutes" in body:
        s["minutes"] = _text(body, "minutes", "调解笔录", required=False, limit=MAX_MINUTES)
    if "place" in body:
        s["place"] = _text(body, "place", "调解地点", required=False, limit=200)
    if "scheduledAt" in body:
        s["scheduledAt"] = _instant(body, "scheduledAt", "调解时间")
    if "participants" in body:
        if s["status"] != "scheduled":
            raise Conflict("调解开始后不能更改参加人员", code="session_started")
        s["participants"] = _participants(body["participants"], units)
    s["updatedAt"] = deadlines.iso(now)
    return s


def move_session(session: dict, to: str, now: datetime) -> dict:
    """scheduled → in_progress → ended; scheduled → cancelled."""
    allowed = {"in_progress": ("scheduled",), "ended": ("scheduled", "in_progress"),
               "cancelled": ("scheduled",)}
    if to not in allowed:
        raise ValidationFailed(fields={"status": "不支持的状态"})
    if session["status"] not in allowed[to]:
        raise Conflict(f"调解{SESSION_STATES[session['status']]}，不能{SESSION_STATES[to]}",
                       code="session_state")
    s = copy.deepcopy(session)
    s["status"] = to
    if to == "in_progress":
        s["startedAt"] = deadlines.iso(now)
    elif to == "ended":
        s["startedAt"] = s["startedAt"] or deadlines.iso(now)
        s["endedAt"] = deadlines.iso(now)
    return s


# --- agreements ------------------------------------------------------------------------------
def new_agreement(matter, session: dict, body: dict, actor: dict, now: datetime, agreement_id: str) -> dict:
    """调解协议书 from the session's parties, the matter's facts and the agreed terms."""
    if session["status"] == "cancelled":
        raise Conflict("调解已取消，不能生成协议", code="session_cancelled")
    terms = body.get("terms")
    if not isinstance(terms, list) or not terms or len(terms) > MAX_TERMS or not all(
            isinstance(t, str) and t.strip() for t in terms):
        raise ValidationFailed(fields={"terms": f"请填写协议条款（1至{MAX_TERMS}条）"})
    if any(len(t) > MAX_TEXT for t in terms):
        raise ValidationFailed(fields={"terms": f"每条不能超过{MAX_TEXT}个字"})
    parties = [{"id": p["id"], "name": p["name"], "phone": p["phone"], "signedAt": None, "method": None,
                "signatureKey": None} for p in session["participants"] if p["role"] == "party"]
    mediators = [p["name"] for p in session["participants"] if p["role"] == "mediator"]
    facts = _text(body, "facts", "纠纷事实", required=False) or matter.description
    return {"agreementId": agreement_id, "matterId": matter.matter_id, "sessionId": session["sessionId"],
            "trackingCode": matter.tracking_code, "title": matter.title, "facts": facts,
            "terms": [t.strip() for t in terms], "parties": parties, "mediators": mediators,
            "performBy": _optional_instant(body, "performBy", "履行期限"),
            "status": "signing", "createdBy": actor, "createdAt": deadlines.iso(now),
            "effectiveAt": None, "docKey": None, "confirmation": None, "performance": None,
            "reminders": []}


def _optional_instant(body: dict, name: str, label: str) -> str | None:
    return _instant(body, name, label) if body.get(name) else None


def party(agreement: dict, party_id) -> dict:
    for p in agreement["parties"]:
        if p["id"] == party_id:
            return p
    raise ValidationFailed(fields={"partyId": "请选择签署的当事人"})


def sign(agreement: dict, party_id: str, method: str, now: datetime, signature_key: str | None = None) -> dict:
    """One party signs (a confirmed SMS code or a signature image). When the last one signs the
    agreement takes effect and the 30-day window for judicial confirmation opens."""
    if agreement["status"] != "signing":
        raise Conflict("协议已生效，不能重复签署", code="agreement_effective")
    a = copy.deepcopy(agreement)
    p = party(a, party_id)
    if p["signedAt"]:
        raise Conflict(f"{p['name']}已签署", code="already_signed")
    p.update(signedAt=deadlines.iso(now), method=method, signatureKey=signature_key)
    if all(x["signedAt"] for x in a["parties"]):
        a["status"] = "effective"
        a["effectiveAt"] = deadlines.iso(now)
        a["confirmation"] = {"state": "open", "dueAt": deadlines.iso(now + timedelta(days=CONFIRMATION_DAYS)),
                             "courtUnitId": None, "applicationKey": None, "submittedAt": None,
                             "decision": None, "rulingNumber": None, "decidedAt": None}
    return a


# --- judicial confirmation -------------------------------------------------------------------
def _confirmation(agreement: dict) -> dict:
    if agreement["status"] != "effective" or not agreement.get("confirmation"):
        raise Conflict("协议经全部当事人签署生效后才能申请司法确认", code="agreement_not_effective")
    return agreement["confirmation"]


def days_left(agreement: dict, now: datetime) -> float | None:
    c = agreement.get("confirmation")
    if not c or c["state"] not in ("open", "applied"):
        return None
    return (deadlines.parse_iso(c["dueAt"]) - now).total_seconds() / 86400


def apply_confirmation(agreement: dict, now: datetime, application_key: str) -> dict:
    """The application (申请书) is generated from the agreement, within the 30 days."""
    c = _confirmation(agreement)
    if c["state"] not in ("open", "applied"):
        raise Conflict("司法确认已在办理或已结束", code="confirmation_state")
    if now > deadlines.parse_iso(c["dueAt"]):
        raise Conflict(f"协议生效已超过{CONFIRMATION_DAYS}日，不能申请司法确认", code="confirmation_period_over")
    a = copy.deepcopy(agreement)
    a["confirmation"].update(state="applied", applicationKey=application_key, appliedAt=deadlines.iso(now))
    return a


def submit_confirmation(agreement: dict, court: dict | None, now: datetime) -> dict:
    c = _confirmation(agreement)
    if c["state"] != "applied":
        raise Conflict("请先生成司法确认申请书", code="confirmation_state")
    if court is None or not is_court(court):
        raise ValidationFailed(fields={"courtUnitId": "请选择受理的人民法院"})
    if now > deadlines.parse_iso(c["dueAt"]):
        raise Conflict(f"协议生效已超过{CONFIRMATION_DAYS}日，不能提交", code="confirmation_period_over")
    a = copy.deepcopy(agreement)
    a["confirmation"].update(state="submitted", courtUnitId=court["id"], courtName=court["name"],
                             submittedAt=deadlines.iso(now))
    return a


def decide_confirmation(agreement: dict, body: dict, now: datetime) -> dict:
    c = _confirmation(agreement)
    if c["state"] != "submitted":
        raise Conflict("申请尚未提交法院或已有裁定", code="confirmation_state")
    decision = body.get("decision")
    if decision not in ("confirmed", "rejected"):
        raise ValidationFailed(fields={"decision": "请选择法院裁定结果"})
    ruling = _text(body, "rulingNumber", "裁定书文号", limit=100)
    a = copy.deepcopy(agreement)
    a["confirmation"].update(state=decision, decision=decision, rulingNumber=ruling,
                             decidedAt=deadlines.iso(now),
                             note=_text(body, "note", "说明", required=False))
    return a


def is_court(unit: dict) -> bool:
    """A people's court of the directory: it lists 司法确认 among its subjects (the bundled
    courts are `dept-<region>-court`)."""
    return unit.get("active", True) is not False and (
        "司法确认" in (unit.get("subjects") or []) or unit.get("name", "").endswith("人民法院"))


# --- timers (the agreement's state machine) --------------------------------------------------
def next_timer(agreement: dict, now: datetime, remind_days_before: list[int],
               performance_reminder: bool = True) -> dict | None:
    """What the agreement waits for next: a reminder before the 30 days run out, the expiry of
    the window, or a reminder that the agreed performance date has passed without a record.
    None when nothing is left to wait for. Reminders already sent are skipped."""
    if agreement["status"] != "effective":
        return None
    sent = set(agreement.get("reminders") or [])
    due = []
    c = agreement.get("confirmation") or {}
    if c.get("state") in ("open", "applied"):
        end = deadlines.parse_iso(c["dueAt"])
        for days in sorted(remind_days_before, reverse=True):
            name = f"confirmation-{days}d"
            if name not in sent:
                due.append((end - timedelta(days=days), name))
        due.append((end, "confirmation-expired"))
    if performance_reminder and agreement.get("performBy") and not agreement.get("performance") \
            and "performance" not in sent:
        due.append((deadlines.parse_iso(agreement["performBy"]), "performance"))
    if not due:
        return None
    at, name = min(due)
    return {"name": name, "at": deadlines.iso(at), "secondsFromNow": max(0.0, (at - now).total_seconds())}


def fire_timer(agreement: dict, name: str, now: datetime) -> tuple[dict, str | None]:
    """(changed agreement, reminder text or None). Idempotent: a timer already handled, or no
    longer due, changes nothing."""
    a = copy.deepcopy(agreement)
    if name in (a.get("reminders") or []):
        return a, None
    c = a.get("confirmation") or {}
    text = None
    if name.startswith("confirmation-") and c.get("state") in ("open", "applied"):
        end = deadlines.parse_iso(c["dueAt"])
        if name == "confirmation-expired":
            if now < end:
                return a, None
            c["state"] = "expired"
            text = "调解协议生效已满30日，未申请司法确认"
        else:
            days = int(name.split("-")[1].rstrip("d"))
            if now < end - timedelta(days=days):
                return a, None
            text = f"调解协议可申请司法确认的期限还剩{days}天（{c['dueAt'][:10]}截止），如需申请请尽快办理"
    elif name == "performance" and a.get("performBy") and not a.get("performance"):
        if now < deadlines.parse_iso(a["performBy"]):
            return a, None
        text = "调解协议约定的履行期限已到，请跟踪履行情况"
    else:
        return a, None
    a["reminders"] = [*(a.get("reminders") or []), name]
    return a, text


# --- performance and callbacks ---------------------------------------------------------------
def record_performance(agreement: dict, body: dict, actor: dict, now: datetime) -> dict:
    if agreement["status"] != "effective":
        raise Conflict("协议生效后才能记录履行情况", code="agreement_not_effective")
    state = body.get("state")
    if state not in PERFORMANCE:
        raise ValidationFailed(fields={"state": "请选择履行情况"})
    a = copy.deepcopy(agreement)
    a["performance"] = {"state": state, "note": _text(body, "note", "说明", required=False),
                        "at": deadlines.iso(now), "by": actor,
                        "history": [*((agreement.get("performance") or {}).get("history") or [])]}
    if agreement.get("performance"):
        old = agreement["performance"]
        a["performance"]["history"].append({k: old[k] for k in ("state", "note", "at")})
    return a


def new_callback(matter, unit_id: str, now: datetime, within_days: int, callback_id: str) -> dict:
    """回访 after conclusion: a task on the unit's follow-up list, due within N days."""
    return {"callbackId": callback_id, "matterId": matter.matter_id, "trackingCode": matter.tracking_code,
            "title": matter.title, "unitId": unit_id, "status": "open",
            "dueAt": deadlines.iso(now + timedelta(days=within_days)), "createdAt": deadlines.iso(now),
            "result": None, "note": None, "at": None, "by": None, "action": None}


def record_callback(callback: dict, body: dict, actor: dict, now: datetime) -> dict:
    if callback["status"] != "open":
        raise Conflict("该回访已记录", code="callback_done")
    result = body.get("result")
    if result not in CALLBACK_RESULTS:
        raise ValidationFailed(fields={"result": "请选择回访结果"})
    c = copy.deepcopy(callback)
    c.update(status="done", result=result, note=_text(body, "note", "回访情况", required=result != "satisfied"),
             at=deadlines.iso(now), by=actor)
    return c


def callback_action(rules: dict, result: str, matter) -> str:
    """What the configured rules do for this result, given the matter's state: the rule's
    `action` when the matter allows it, else its `otherwise` (or nothing)."""
    rule = (rules.get("results") or {}).get(result) or {}
    action = rule.get("action", "none")
    if action == "reopen" and (matter.status != "concluded" or len(matter.reopens) >= 1):
        action = rule.get("otherwise", "none")
    return action
