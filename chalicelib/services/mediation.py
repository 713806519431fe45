"""Mediation use cases: sessions and their records (调解记录), the agreement (调解协议书) and its
signatures, judicial confirmation (司法确认), and the follow-up after conclusion (跟踪问效).

Each staff call loads the matter with its mediation records in one Query, checks scope (404)
and the policy's `mediate` / `follow_up` grant (403, audited), and writes records, matter
changes and its audit line in one transaction.
"""
from __future__ import annotations

import base64
import hmac
import logging
import math
from dataclasses import dataclass, field
from typing import Any, Callable

from ..domain import deadlines, lifecycle, permissions
from ..domain import citizen as otp
from ..domain import mediation as rules
from ..domain.errors import Conflict, Forbidden, NotFound, TooManyRequests, ValidationFailed
from ..domain.matter import Event
from ..domain.permissions import Decision
from . import staff

logger = logging.getLogger(__name__)

DOC_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
URL_SECONDS = 300
MAX_SIGNATURE_BYTES = 200 * 1024
PNG = b"\x89PNG\r\n\x1a\n"


@dataclass
class MediationDeps:
    staff: staff.StaffDeps            # repo, directory, notifier, clock, lifecycle
    store: Any                        # put(key, bytes, type), get(key), url(key, expires, filename)
    documents: Any                    # agreement_docx(agreement, unit, signatures), application_docx(...)
    hash_phone: Callable[[str], str]  # the citizen OTP machinery: a party signs by SMS code
    code_hash: Callable[[str, str], str]
    wall_time: Callable[[], float]
    random_bytes: Callable[[int], bytes]
    timers: Any                       # start(matter_id, agreement_id): the agreement's state machine
    courts: Callable[[], list[dict]]  # court units of the directory
    rules: dict = field(default_factory=dict)  # reference/data/followup-rules.json
    meetings: Any = None              # the video-meeting adapter (Chime SDK, or the local one)
    real_seconds: Callable[[float], float] = lambda seconds: seconds  # matter-time → real (clock speed)
    web_origin: Callable[[], str] = lambda: ""  # join links in SMS: {origin}/meeting.html#…


# --- loading and checks ----------------------------------------------------------------------
def _load(matter_id: str, actor, deps: MediationDeps, action: str, client: str | None, audit_as: str):
    """(matter, events, token, records, now) for an actor in scope who holds `action`."""
    sd = deps.staff
    now = sd.now()
    loaded = sd.repo.load_with_records(matter_id) if isinstance(matter_id, str) else None
    if loaded is None or not permissions.can_view(actor, staff.facts(loaded[0], sd.directory, now)):
        raise NotFound("未找到该事项", code="matter_not_found")
    matter = loaded[0]
    if action != "view":
        decision = permissions.decide(actor, staff.facts(matter, sd.directory, now), action)
        if decision is not Decision.ALLOW:
            sd.repo.audit(matter.matter_id, staff._audit(actor, f"denied:{audit_as}", now, client, matter))
            raise Forbidden("只有承办单位或负责的中心可以办理调解事务" if action == "mediate"
                            else "只有承办单位或辖区中心可以跟踪回访", code="action_forbidden")
    return (*loaded, now)


def _record(records: dict, sk: str, what: str) -> dict:
    if sk not in records:
        raise NotFound(f"未找到该{what}", code=f"{what_code(what)}_not_found")
    return records[sk]


def what_code(what: str) -> str:
    return {"调解": "session", "协议": "agreement", "回访": "callback"}[what]


def _id(deps: MediationDeps) -> str:
    return deps.random_bytes(8).hex()


def _version(body: dict, record: dict) -> None:
    if body.get("version") is not None and body["version"] != record.get("version"):
        raise Conflict()


def _body(body: Any) -> dict:
    if not isinstance(body, dict):
        raise ValidationFailed()
    return body


def _unit_of(matter) -> str | None:
    return matter.assigned_unit_id or matter.holder_centre_id


def _actor(actor) -> dict:
    return {"kind": "staff", "id": actor.username, "name": actor.name, "role": actor.role,
            "unitId": actor.unit_id}


def _followup(kind: str, unit_id: str | None, due: str, matter_id: str, sk: str):
    return (unit_id, f"{kind}#{due}#{matter_id}#{sk}") if unit_id else None


def _session_followup(s: dict, unit_id: str | None):
    return _followup("session", unit_id, s["scheduledAt"], s["matterId"], s["sk"]) \
        if s["status"] in ("scheduled", "in_progress") else None


def _agreement_followup(a: dict, unit_id: str | None):
    """On the list while parties must sign, confirmation is pending, or performance is due."""
    c = a.get("confirmation") or {}
    if a["status"] == "signing":
        return _followup("agreement", unit_id, a["createdAt"], a["matterId"], a["sk"])
    if c.get("state") in ("open", "applied", "submitted"):
        return _followup("agreement", unit_id, c["dueAt"], a["matterId"], a["sk"])
    if a.get("performBy") and not a.get("performance"):
        return _followup("agreement", unit_id, a["performBy"], a["matterId"], a["sk"])
    return None


def _audit(actor, action: str, now, client, matter) -> dict:
    return staff._audit(actor, action, now, client, matter)


def _save_with_matter(deps: MediationDeps, matter, events, record: dict, followup, audit: dict,
                      change: Callable | None) -> None:
    """Write a record together with a change of its matter (`change(matter, events)` → new
    events, applied to the matter). When only the matter moved meanwhile (its lifecycle marking
    a clock, say), the change is applied again to the fresh matter; a changed record is a 409."""
    for attempt in range(3):
        new_events = change(matter, events) if change else []
        snapshot = matter.public_snapshot(events + new_events, _unit_name(deps, matter)) if new_events else None
        try:
            deps.staff.repo.save_mediation(matter.matter_id, [(record, followup)],
                                           matter=matter if change else None, events=new_events,
                                           public_snapshot=snapshot, audit=audit)
            return
        except Conflict:
            fresh = deps.staff.repo.load_with_records(matter.matter_id)
            if attempt == 2 or change is None or fresh is None or \
                    fresh[3].get(record["sk"], {}).get("version") != record.get("version"):
                raise
            matter, events = fresh[0], fresh[1]


def _event(matter, now, type_: str, text: str, actor: dict, public: bool = True, **data) -> Event:
    matter.event_count += 1
    return Event(seq=matter.event_count, at=deadlines.iso(now), type=type_, text=text, public=public,
                 actor=actor, data=data)


# --- views -----------------------------------------------------------------------------------
def session_view(s: dict) -> dict:
    out = {k: v for k, v in s.items() if k not in ("sk", "meeting")}
    out["modeName"] = rules.MODES[s["mode"]]
    out["statusName"] = rules.SESSION_STATES[s["status"]]
    out["video"] = bool(s.get("meeting"))
    return out


def agreement_view(a: dict, deps: MediationDeps, now) -> dict:
    out = {k: v for k, v in a.items() if k != "sk"}
    name = f"调解协议书-{a['trackingCode']}.docx"
    out["docUrl"] = deps.store.url(a["docKey"], URL_SECONDS, name) if a.get("docKey") else None
    c = a.get("confirmation")
    if c:
        out["confirmation"] = {**c, "stateName": rules.CONFIRMATION_STATES[c["state"]],
                               "daysLeft": rules.days_left(a, now),
                               "applicationUrl": deps.store.url(c["applicationKey"], URL_SECONDS,
                                                                f"司法确认申请书-{a['trackingCode']}.docx")
                               if c.get("applicationKey") else None}
    out["parties"] = [{k: v for k, v in p.items() if k != "signatureKey"} | {"signed": bool(p["signedAt"])}
                      for p in a["parties"]]
    return out


def list_sessions(matter_id: str, actor, deps: MediationDeps, client: str | None = None) -> dict:
    """调解记录 of a matter: its sessions and agreements (one Query, one audit line)."""
    matter, _, _, records, now = _load(matter_id, actor, deps, "view", client, "view_mediation")
    deps.staff.repo.audit(matter.matter_id, _audit(actor, "view_mediation", now, client, matter))
    facts = staff.facts(matter, deps.staff.directory, now)
    return {"matterId": matter.matter_id, "trackingCode": matter.tracking_code, "title": matter.title,
            "status": matter.status,
            "canMediate": permissions.decide(actor, facts, "mediate") is Decision.ALLOW,
            "canFollowUp": permissions.decide(actor, facts, "follow_up") is Decision.ALLOW,
            "sessions": sorted((session_view(r) for sk, r in records.items() if sk.startswith("S#")),
                               key=lambda v: v["scheduledAt"]),
            "agreements": [agreement_view(r, deps, now) for sk, r in sorted(records.items()) if sk.startswith("G#")],
            "callbacks": [{k: v for k, v in r.items() if k != "sk"}
                          for sk, r in sorted(records.items()) if sk.startswith("F#")]}


# --- sessions --------------------------------------------------------------------------------
def create_session(matter_id: str, actor, body: Any, deps: MediationDeps, client: str | None = None) -> dict:
    matter, _, _, _, now = _load(matter_id, actor, deps, "mediate", client, "session_create")
    # time-ordered ids: a matter's sessions sort by creation in its partition
    session_id = f"{int(now.timestamp()):010d}{_id(deps)[:8]}"
    session = rules.new_session(matter, _body(body), _actor(actor), now, session_id, deps.staff.directory.unit)
    session["sk"] = f"S#{session['sessionId']}"
    deps.staff.repo.save_mediation(matter.matter_id, [(session, _session_followup(session, _unit_of(matter)))],
                                   audit=_audit(actor, "session_create", now, client, matter))
    return session_view(session)


def _session(records: dict, session_id: str) -> dict:
    return _record(records, f"S#{session_id}", "调解")


def edit_session(matter_id: str, session_id: str, actor, body: Any, deps: MediationDeps,
                 client: str | None = None) -> dict:
    """Minutes (笔录), place, time, participants; `status` moves it (in_progress, ended,
    cancelled). A video session's meeting is created when it starts and deleted when it ends."""
    body = _body(body)
    matter, _, _, records, now = _load(matter_id, actor, deps, "mediate", client, "session_edit")
    old = _session(records, session_id)
    _version(body, old)
    invite = False
    s = rules.edit_session(old, body, now, deps.staff.directory.unit)
    if body.get("status"):
        s = rules.move_session(s, body["status"], now)
        if s["mode"] == "video" and deps.meetings is not None:
            if s["status"] == "in_progress":
                s["meeting"] = deps.meetings.open(s)
                invite = True
            elif s["status"] in ("ended", "cancelled") and old.get("meeting"):
                try:
                    deps.meetings.close(old["meeting"])
                except Exception:  # noqa: BLE001 - the record still ends; Chime ends idle meetings itself
                    logger.exception("deleting the meeting failed", extra={"sessionId": session_id})
                s["meeting"] = None
    deps.staff.repo.save_mediation(matter.matter_id, [(s, _session_followup(s, _unit_of(matter)))],
                                   audit=_audit(actor, f"session_{body.get('status') or 'edit'}", now, client, matter))
    if invite:
        _invite(s, matter, deps)
    return session_view(s)


def _join_link(deps: MediationDeps, matter_id: str, session_id: str) -> str:
    return f"{deps.web_origin()}/meeting.html#m={matter_id}&s={session_id}"


def _invite(session: dict, matter, deps: MediationDeps) -> None:
    """Each party gets the join link and a one-time code by SMS (no account needed). The code
    is the citizen OTP of their phone; if one was sent within the minute, the page asks again."""
    link = _join_link(deps, matter.matter_id, session["sessionId"])
    for p in session["participants"]:
        if p["role"] != "party":
            continue
        text = f"【解忧】{p['name']}，您的视频调解（{matter.tracking_code}）已开始，请用手机或电脑打开 {link} 进入"
        try:
            phone_hash = deps.hash_phone(p["phone"])
            code = otp.new_code(deps.random_bytes(8))
            state = otp.issue(deps.staff.repo.otp_state(phone_hash), deps.code_hash(phone_hash, code), deps.wall_time())
            deps.staff.repo.save_otp(phone_hash, state, 2 * 24 * 3600)
            text += f"，验证码{code}（{otp.CODE_TTL_SECONDS // 60}分钟内有效）。"
        except (TooManyRequests, Conflict):
            text += "，并在页面上获取验证码。"
        _sms(deps.staff, p["phone"], text)


def _join_info(session: dict, participant: dict) -> dict:
    meeting = session["meeting"]
    attendee = meeting["attendees"][participant["id"]]
    return {"provider": meeting["provider"], "meetingId": meeting["meetingId"],
            "participantId": participant["id"], "name": participant["name"], "role": participant["role"],
            "attendeeId": attendee["attendeeId"], "joinToken": attendee["joinToken"],
            "media": meeting.get("media"),
            "participants": [{"id": p["id"], "name": p["name"], "role": p["role"]} for p in session["participants"]]}


def _live(session: dict | None) -> dict:
    if session is None or session.get("mode") != "video":
        raise NotFound("视频调解不存在或链接已失效", code="meeting_not_found")
    if session["status"] != "in_progress" or not session.get("meeting"):
        raise Conflict("视频调解尚未开始或已结束", code="meeting_not_live")
    return session


def join_as_party(body: Any, deps: MediationDeps) -> dict:
    """A party joins with the link (matter and session ids) and the one-time code sent to the
    phone the mediator recorded. An unknown session or a phone that is not a party's answer
    the same 404."""
    body = _body(body)
    from ..domain.identity import is_mainland_mobile, normalize_phone
    phone = normalize_phone(body.get("phone") or "") if isinstance(body.get("phone"), str) else ""
    if not is_mainland_mobile(phone):
        raise ValidationFailed(fields={"phone": "请输入11位手机号码"})
    code = otp.validate_code(body.get("code"))
    phone_hash = deps.hash_phone(phone)
    expected = deps.code_hash(phone_hash, code)
    ok, state = otp.check(deps.staff.repo.otp_state(phone_hash),
                          lambda stored: hmac.compare_digest(stored, expected), deps.wall_time())
    deps.staff.repo.save_otp(phone_hash, state, 2 * 24 * 3600)
    if not ok:
        raise otp.wrong_code_error(state)
    matter_id, session_id = body.get("matterId"), body.get("sessionId")
    session = deps.staff.repo.mediation_record(matter_id, f"S#{session_id}") \
        if isinstance(matter_id, str) and isinstance(session_id, str) else None
    party = next((p for p in (session or {}).get("participants", [])
                  if p["role"] == "party" and p.get("phone") == phone), None)
    if party is None:
        raise NotFound("视频调解不存在或链接已失效", code="meeting_not_found")
    return _join_info(_live(session), party)


def join_as_staff(matter_id: str, session_id: str, actor, deps: MediationDeps, client: str | None = None) -> dict:
    """The mediator's own seat in the meeting (the session's first mediator)."""
    matter, _, _, records, now = _load(matter_id, actor, deps, "mediate", client, "meeting_join")
    session = _live(_session(records, session_id))
    mediator = next(p for p in session["participants"] if p["role"] == "mediator")
    deps.staff.repo.audit(matter.matter_id, _audit(actor, "meeting_join", now, client, matter))
    return _join_info(session, mediator)


def remove_participant(matter_id: str, session_id: str, participant_id: str, actor, deps: MediationDeps,
                       client: str | None = None) -> dict:
    """The mediator removes someone from the meeting (their attendee is deleted)."""
    matter, _, _, records, now = _load(matter_id, actor, deps, "mediate", client, "meeting_remove")
    session = _live(_session(records, session_id))
    if participant_id not in session["meeting"]["attendees"]:
        raise NotFound("未找到该参加人员", code="participant_not_found")
    deps.meetings.remove(session["meeting"], participant_id)
    deps.staff.repo.audit(matter.matter_id, _audit(actor, f"meeting_remove:{participant_id}", now, client, matter))
    return {"removed": participant_id}


# --- agreements ------------------------------------------------------------------------------
def _unit_name(deps: MediationDeps, matter) -> str:
    return staff._unit_name(deps.staff.directory, _unit_of(matter)) or ""


def _agreement(records: dict, agreement_id: str) -> dict:
    return _record(records, f"G#{agreement_id}", "协议")


def _render(agreement: dict, matter, deps: MediationDeps) -> str:
    """The .docx written to S3 under agreements/<matter>/<agreement>/; returns its key."""
    signatures = {p["id"]: deps.store.get(p["signatureKey"]) for p in agreement["parties"]
                  if p.get("signatureKey")}
    key = (f"agreements/{matter.matter_id}/{agreement['agreementId']}/"
           f"agreement-{'signed' if agreement['status'] == 'effective' else 'draft'}.docx")
    deps.store.put(key, deps.documents.agreement_docx(agreement, _unit_name(deps, matter), signatures), DOC_TYPE)
    return key


def draft_agreement(matter_id: str, session_id: str, actor, body: Any, deps: MediationDeps,
                    client: str | None = None) -> dict:
    matter, _, _, records, now = _load(matter_id, actor, deps, "mediate", client, "agreement_draft")
    session = _session(records, session_id)
    agreement = rules.new_agreement(matter, session, _body(body), _actor(actor), now, _id(deps))
    agreement["sk"] = f"G#{agreement['agreementId']}"
    agreement["docKey"] = _render(agreement, matter, deps)
    deps.staff.repo.save_mediation(matter.matter_id, [(agreement, _agreement_followup(agreement, _unit_of(matter)))],
                                   audit=_audit(actor, "agreement_draft", now, client, matter))
    return agreement_view(agreement, deps, now)


def get_agreement(matter_id: str, agreement_id: str, actor, deps: MediationDeps, client: str | None = None) -> dict:
    matter, _, _, records, now = _load(matter_id, actor, deps, "view", client, "view_agreement")
    agreement = _agreement(records, agreement_id)
    deps.staff.repo.audit(matter.matter_id, _audit(actor, "view_agreement", now, client, matter))
    return agreement_view(agreement, deps, now)


def send_signing_code(matter_id: str, agreement_id: str, actor, body: Any, deps: MediationDeps,
                      client: str | None = None) -> dict:
    """A one-time code by SMS to the party's phone (the citizen OTP: same throttles, same
    store); the party reads it back to the mediator, or types it on the join page."""
    body = _body(body)
    matter, _, _, records, now = _load(matter_id, actor, deps, "mediate", client, "signing_code")
    agreement = _agreement(records, agreement_id)
    if agreement["status"] != "signing":
        raise Conflict("协议已生效", code="agreement_effective")
    p = rules.party(agreement, body.get("partyId"))
    if p["signedAt"]:
        raise Conflict(f"{p['name']}已签署", code="already_signed")
    wall = deps.wall_time()
    phone_hash = deps.hash_phone(p["phone"])
    code = otp.new_code(deps.random_bytes(8))
    state = otp.issue(deps.staff.repo.otp_state(phone_hash), deps.code_hash(phone_hash, code), wall)
    deps.staff.repo.save_otp(phone_hash, state, 2 * 24 * 3600)
    deps.staff.notifier.sms(p["phone"], f"【解忧】{p['name']}，您正在签署调解协议书（{matter.tracking_code}），"
                                        f"协议共{len(agreement['terms'])}条。确认签署的验证码是{code}，"
                                        f"{otp.CODE_TTL_SECONDS // 60}分钟内有效。")
    deps.staff.repo.audit(matter.matter_id, _audit(actor, "signing_code", now, client, matter))
    return {"sent": True, "expiresIn": otp.CODE_TTL_SECONDS}


def _signature_image(value: Any) -> bytes:
    if not isinstance(value, str) or not value.startswith("data:image/png;base64,"):
        raise ValidationFailed(fields={"signatureImage": "请提交PNG格式的签名图片"})
    try:
        data = base64.b64decode(value.split(",", 1)[1], validate=True)
    except (ValueError, TypeError):
        raise ValidationFailed(fields={"signatureImage": "签名图片无法读取"}) from None
    if not data.startswith(PNG) or len(data) > MAX_SIGNATURE_BYTES:
        raise ValidationFailed(fields={"signatureImage": "签名图片须为PNG且不超过200KB"})
    return data


def sign_agreement(matter_id: str, agreement_id: str, actor, body: Any, deps: MediationDeps,
                   client: str | None = None) -> dict:
    """A party signs with the SMS code or a signature image. The last signature makes the
    agreement effective: the signed .docx is written, the matter records it (and its
    conclusion links it), and the agreement's timers start."""
    body = _body(body)
    matter, events, _, records, now = _load(matter_id, actor, deps, "mediate", client, "agreement_sign")
    agreement = _agreement(records, agreement_id)
    _version(body, agreement)
    p = rules.party(agreement, body.get("partyId"))
    signature_key = None
    if body.get("code") is not None:
        code = otp.validate_code(body.get("code"))
        phone_hash = deps.hash_phone(p["phone"])
        expected = deps.code_hash(phone_hash, code)
        ok, state = otp.check(deps.staff.repo.otp_state(phone_hash),
                              lambda stored: hmac.compare_digest(stored, expected), deps.wall_time())
        deps.staff.repo.save_otp(phone_hash, state, 2 * 24 * 3600)
        if not ok:
            raise otp.wrong_code_error(state)
        method = "sms"
    elif body.get("signatureImage") is not None:
        image = _signature_image(body["signatureImage"])
        signature_key = f"agreements/{matter.matter_id}/{agreement_id}/signature-{p['id']}.png"
        deps.store.put(signature_key, image, "image/png")
        method = "image"
    else:
        raise ValidationFailed(fields={"code": "请输入当事人收到的验证码，或提交签名图片"})
    a = rules.sign(agreement, p["id"], method, now, signature_key)
    if a["status"] == "effective":
        a["docKey"] = _render(a, matter, deps)
    def effective(m, _events):
        m.agreements = [*m.agreements, {"agreementId": a["agreementId"], "at": a["effectiveAt"],
                                        "sessionId": a["sessionId"]}]
        if m.outcome and m.outcome.get("agreementReached"):
            m.outcome = {**m.outcome, "agreementId": a["agreementId"]}
        return [_event(m, now, "agreement_effective", "调解协议书已经各方当事人签署生效", _actor(actor),
                       agreementId=a["agreementId"])]
    _save_with_matter(deps, matter, events, a, _agreement_followup(a, _unit_of(matter)),
                      _audit(actor, f"agreement_sign:{p['id']}", now, client, matter),
                      effective if a["status"] == "effective" else None)
    if a["status"] == "effective":
        try:
            deps.timers.start(matter.matter_id, a["agreementId"])
        except Exception:  # noqa: BLE001 - the agreement stands; the timers are reminders only
            logger.exception("starting the agreement timers failed", extra={"agreementId": a["agreementId"]})
    return agreement_view(a, deps, now)


# --- judicial confirmation -------------------------------------------------------------------
def courts(deps: MediationDeps) -> dict:
    return {"items": [{"unitId": u["id"], "name": u["name"], "regionCode": u["regionCode"]}
                      for u in deps.courts() if rules.is_court(u)]}


def confirmation(matter_id: str, agreement_id: str, actor, body: Any, deps: MediationDeps,
                 client: str | None = None) -> dict:
    """司法确认, one step at a time: `apply` (the application .docx from the agreement),
    `submit` (to a court unit), `decide` (the court's ruling, recorded by staff)."""
    body = _body(body)
    step = body.get("step")
    matter, events, _, records, now = _load(matter_id, actor, deps, "mediate", client, "confirmation")
    if step not in ("apply", "submit", "decide"):
        raise ValidationFailed(fields={"step": "请选择办理环节"})
    agreement = _agreement(records, agreement_id)
    _version(body, agreement)
    new_events = []
    if step == "apply":
        key = f"agreements/{matter.matter_id}/{agreement_id}/confirmation-application.docx"
        a = rules.apply_confirmation(agreement, now, key)
        deps.store.put(key, deps.documents.application_docx(a, _unit_name(deps, matter), None), DOC_TYPE)
    elif step == "submit":
        court_id = body.get("courtUnitId")
        court = deps.staff.directory.unit(court_id) if isinstance(court_id, str) else None
        a = rules.submit_confirmation(agreement, court, now)
        key = a["confirmation"]["applicationKey"]  # the application now names the court
        deps.store.put(key, deps.documents.application_docx(a, _unit_name(deps, matter), court["name"]), DOC_TYPE)
        text = f"调解协议已向{court['name']}申请司法确认"
        new_events.append(("confirmation_submitted", text))
    else:
        a = rules.decide_confirmation(agreement, body, now)
        c = a["confirmation"]
        text = (f"{c.get('courtName', '人民法院')}已裁定确认调解协议有效（{c['rulingNumber']}）"
                if c["decision"] == "confirmed" else
                f"{c.get('courtName', '人民法院')}裁定驳回司法确认申请（{c['rulingNumber']}）")
        new_events.append(("confirmation_decided", text))
    def record_event(m, _events):
        return [_event(m, now, type_, text, _actor(actor), agreementId=agreement_id) for type_, text in new_events]
    _save_with_matter(deps, matter, events, a, _agreement_followup(a, _unit_of(matter)),
                      _audit(actor, f"confirmation_{step}", now, client, matter),
                      record_event if new_events else None)
    return agreement_view(a, deps, now)


# --- agreement timers (state machine tasks) --------------------------------------------------
def plan_timer(matter_id: str, agreement_id: str, deps: MediationDeps) -> dict:
    """The next timer of an effective agreement and how long to wait for it in real seconds
    (matter-time through the clock's speed factor)."""
    sd = deps.staff
    record = sd.repo.mediation_record(matter_id, f"G#{agreement_id}")
    now = sd.now()
    timer = rules.next_timer(record, now, deps.rules.get("confirmationRemindDaysBefore", [7, 1])) \
        if record else None
    if timer is None:
        return {"done": True, "name": "none", "waitSeconds": 0}
    return {"done": False, "name": timer["name"], "at": timer["at"],
            "waitSeconds": max(0, math.ceil(deps.real_seconds(timer["secondsFromNow"])))}


def fire_timer(matter_id: str, agreement_id: str, name: str, deps: MediationDeps, attempts: int = 5) -> dict:
    """Send the reminder (or close the window) if it is still due: to the parties and the unit
    by SMS, on the matter's timeline (internal). Retried on a lost race; safe to repeat."""
    sd = deps.staff
    for _ in range(attempts):
        loaded = sd.repo.load_with_records(matter_id)
        if loaded is None:
            return {"fired": False}
        matter, _, _, records = loaded
        record = records.get(f"G#{agreement_id}")
        if record is None:
            return {"fired": False}
        now = sd.now()
        a, text = rules.fire_timer(record, name, now)
        if text is None:
            return {"fired": False}
        matter.event_count += 1
        event = Event(seq=matter.event_count, at=deadlines.iso(now), type="agreement_reminder", public=False,
                      text=text or "", actor={"kind": "system"}, data={"agreementId": agreement_id, "timer": name})
        try:
            sd.repo.save_mediation(matter_id, [(a, _agreement_followup(a, _unit_of(matter)))],
                                   matter=matter, events=[event])
        except Conflict:
            continue
        for p in a["parties"]:
            _sms(sd, p["phone"], f"【解忧】{p['name']}：{text}（{matter.tracking_code}）")
        unit = _unit_of(matter)
        if unit:
            _sms(sd, sd.directory.duty_mobile(unit), f"【解忧】{text}：{matter.title}（{matter.tracking_code}）")
        return {"fired": True, "name": name}
    raise Conflict("matter kept changing while recording a reminder")


def _sms(sd, phone: str | None, text: str) -> None:
    try:
        if phone:
            sd.notifier.sms(phone, text)
    except Exception:  # noqa: BLE001
        logger.exception("reminder SMS failed")


# --- follow-up -------------------------------------------------------------------------------
def record_performance(matter_id: str, agreement_id: str, actor, body: Any, deps: MediationDeps,
                       client: str | None = None) -> dict:
    """协议履行: carried out, partly or not; anything but carried out tells the unit."""
    body = _body(body)
    matter, _, _, records, now = _load(matter_id, actor, deps, "follow_up", client, "performance")
    agreement = _agreement(records, agreement_id)
    _version(body, agreement)
    a = rules.record_performance(agreement, body, _actor(actor), now)
    deps.staff.repo.save_mediation(matter.matter_id, [(a, _agreement_followup(a, _unit_of(matter)))],
                                   audit=_audit(actor, f"performance:{a['performance']['state']}", now, client, matter))
    return agreement_view(a, deps, now)


def schedule_callback(matter, deps: MediationDeps) -> dict | None:
    """回访 task for a concluded matter, due within the configured days, on the list of the
    unit that concluded it. Called after the conclusion is saved; a repeat does nothing."""
    sd = deps.staff
    now = sd.now()
    unit_id = _unit_of(matter)
    if unit_id is None:
        return None
    n = len(matter.reopens) + 1  # one callback per conclusion
    callback = rules.new_callback(matter, unit_id, now, int(deps.rules.get("callbackWithinDays", 7)),
                                  f"{matter.matter_id[-6:]}-{n}")
    callback["sk"] = f"F#{n}"
    try:
        sd.repo.save_mediation(matter.matter_id, [(callback, _followup("callback", unit_id, callback["dueAt"],
                                                                        matter.matter_id, callback["sk"]))])
    except Conflict:
        return None
    return callback


def record_callback(matter_id: str, callback_id: str, actor, body: Any, deps: MediationDeps,
                    client: str | None = None) -> dict:
    """The callback's result, public on the citizen's timeline; the configured rule then
    reopens or supervises the matter (or does nothing)."""
    body = _body(body)
    sd = deps.staff
    matter, events, token, records, now = _load(matter_id, actor, deps, "follow_up", client, "callback")
    callback = next((r for sk, r in records.items() if sk.startswith("F#") and r["callbackId"] == callback_id), None)
    if callback is None:
        raise NotFound("未找到该回访", code="callback_not_found")
    _version(body, callback)
    c = rules.record_callback(callback, body, _actor(actor), now)
    action = rules.callback_action(deps.rules, c["result"], matter)
    c["action"] = action
    outcome = lifecycle.after_callback(matter, c["result"], c["note"], action, actor, now, sd.directory, sd.calendar)
    m = outcome.matter
    snapshot = m.public_snapshot(events + outcome.events, _unit_name(deps, m))
    sd.repo.save_mediation(m.matter_id, [(c, None)], matter=m, events=outcome.events, public_snapshot=snapshot,
                           audit=_audit(actor, f"callback:{c['result']}", now, client, m))
    if action == "reopen":  # the lifecycle plans the new deadlines (or a new execution starts)
        try:
            woken = sd.lifecycle.signal(token, {"action": "reopen", "matterId": m.matter_id},
                                        read_token=lambda: sd.repo.task_token(m.matter_id, "TOKEN"))
            if not woken:
                sd.lifecycle.start(m.matter_id, generation=1 + len(m.reopens))
        except Exception:  # noqa: BLE001
            logger.exception("waking the lifecycle failed", extra={"matterId": m.matter_id})
    staff.carry_out(m, outcome.effects, sd)
    return {**{k: v for k, v in c.items() if k != "sk"}, "matterStatus": m.status}


TASK_KINDS = ("session", "agreement", "callback")


def tasks(actor, kind: str, next_token: str | None, deps: MediationDeps) -> dict:
    """The caller's unit's mediation work of one kind, nearest due first (byFollowup)."""
    if kind not in TASK_KINDS:
        raise ValidationFailed(fields={"kind": "kind 只能是 session、agreement 或 callback"})
    start = staff._decode_token(next_token)
    if start is not None and (start.get("followupUnitId") or {}).get("S") != actor.unit_id:
        raise ValidationFailed(fields={"nextToken": "翻页参数无效"})
    if not actor.unit_id:
        return {"items": [], "nextToken": None}
    items, last = deps.staff.repo.followup_tasks(actor.unit_id, kind, start=start)
    now = deps.staff.now()
    out = []
    for r in items:
        if kind == "session":
            out.append({"matterId": r["matterId"], **session_view(r)})
        elif kind == "agreement":
            v = agreement_view(r, deps, now)
            v.pop("docUrl", None)
            out.append(v)
        else:
            out.append({k: v for k, v in r.items() if k != "sk"} |
                       {"overdue": now > deadlines.parse_iso(r["dueAt"])})
    return {"items": out, "nextToken": staff._encode_token(last)}
