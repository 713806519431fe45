"""Citizen use cases beyond intake and lookup: phone verification (one-time SMS code → citizen
token), "my matters", evaluation and reopening after conclusion.

Whoever proves the applicant's phone — by number, like the lookup, or by a citizen token —
acts on the matter; a wrong phone answers the same 404 as an unknown code and counts against
the same lookup budget. The answers of `request_code` never depend on whether the phone has
matters.
"""
from __future__ import annotations

import hashlib
import hmac
import logging
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable

from .. import settings
from ..domain import citizen as rules
from ..domain import lifecycle
from ..domain import matter as matter_rules
from ..domain.errors import TooManyRequests, ValidationFailed
from ..domain.identity import is_mainland_mobile, normalize_phone
from . import staff
from .intake import citizen_public

logger = logging.getLogger(__name__)

OTP_KEEP_SECONDS = 2 * 24 * 3600  # counters outlive the day they count


@dataclass
class CitizenDeps:
    repo: Any
    lifecycle: Any
    notifier: Any
    hash_phone: Callable[[str], str]
    keys: Any                         # token_key(), code_hash(phone_hash, code)
    now: Callable[[], datetime]       # matter clock (deadlines, events)
    wall_time: Callable[[], float]    # real time: code expiry, throttles, token expiry
    random_bytes: Callable[[int], bytes]
    staff: staff.StaffDeps            # directory, calendar and notifications of staff actions


def _phone(body: Any) -> str:
    raw = body.get("phone") if isinstance(body, dict) else None
    phone = normalize_phone(raw) if isinstance(raw, str) else ""  # a list or number is bad input, not a 500
    if not is_mainland_mobile(phone):
        raise ValidationFailed(fields={"phone": "请输入11位手机号码"})
    return phone


def _client_hash(client_id: str) -> str:
    return hashlib.sha256(client_id.encode()).hexdigest()[:32]


def request_code(body: Any, client_id: str, deps: CitizenDeps) -> dict:
    """Send a 6-digit code by SMS: at most one a minute and 10 a day per phone, and
    OTP_SENDS_PER_CLIENT an hour per client address."""
    phone = _phone(body)
    wall = deps.wall_time()
    window = int(wall) // settings.OTP_CLIENT_WINDOW_SECONDS
    sent = deps.repo.count_failure(f"Q#{_client_hash(client_id)}#{window}",
                                   datetime.fromtimestamp(wall, tz=timezone.utc),
                                   settings.OTP_CLIENT_WINDOW_SECONDS)
    if sent > settings.OTP_SENDS_PER_CLIENT:
        wait = settings.OTP_CLIENT_WINDOW_SECONDS - int(wall) % settings.OTP_CLIENT_WINDOW_SECONDS
        raise TooManyRequests("获取验证码过于频繁，请稍后再试", code="otp_client_limit", retry_after=wait)
    phone_hash = deps.hash_phone(phone)
    code = rules.new_code(deps.random_bytes(8))
    state = rules.issue(deps.repo.otp_state(phone_hash), deps.keys.code_hash(phone_hash, code), wall)
    deps.repo.save_otp(phone_hash, state, OTP_KEEP_SECONDS)
    deps.notifier.sms(phone, f"【解忧】您的验证码是{code}，{rules.CODE_TTL_SECONDS // 60}分钟内有效。"
                             "工作人员不会向您索要验证码，请勿告诉他人。")
    return {"sent": True, "expiresIn": rules.CODE_TTL_SECONDS, "resendAfter": rules.RESEND_AFTER_SECONDS}


def verify_code(body: Any, deps: CitizenDeps) -> dict:
    """A right code (within 5 minutes, fewer than 5 wrong tries) is spent for a citizen token."""
    phone = _phone(body)
    code = rules.validate_code(body.get("code"))
    phone_hash = deps.hash_phone(phone)
    wall = deps.wall_time()
    expected = deps.keys.code_hash(phone_hash, code)
    ok, state = rules.check(deps.repo.otp_state(phone_hash),
                            lambda stored: hmac.compare_digest(stored, expected), wall)
    deps.repo.save_otp(phone_hash, state, OTP_KEEP_SECONDS)  # counted before answering
    if not ok:
        raise rules.wrong_code_error(state)
    return {"citizenToken": rules.sign_token(phone_hash, deps.keys.token_key(), wall),
            "tokenType": "Bearer", "expiresIn": rules.TOKEN_TTL_SECONDS}


def token_phone_hash(token: str | None, deps: CitizenDeps) -> str:
    if not token:
        raise rules.InvalidCitizenToken("请先验证手机号码", code="unauthorized")
    return rules.verify_token(token, deps.keys.token_key(), deps.wall_time())


def my_matters(token: str | None, deps: CitizenDeps) -> dict:
    """我的事项: the verified phone's matters, newest first, from the byPhone index."""
    phone_hash = token_phone_hash(token, deps)
    now = deps.now()
    items = []
    for m in deps.repo.matters_by_phone_hash(phone_hash):
        unit = deps.staff.directory.unit(m.assigned_unit_id or m.holder_centre_id) \
            if (m.assigned_unit_id or m.holder_centre_id) else None
        view = matter_rules.public_view(m.public_snapshot([], unit["name"] if unit else None), now)
        view.pop("timeline", None)
        items.append(view)
    return {"items": items}


def proven_phone_hash(body: Any, token: str | None, deps: CitizenDeps) -> str | None:
    """The phone hash the caller proved: a citizen token (body `citizenToken` or bearer) or
    the phone number itself; None for a malformed phone (answered as a wrong phone)."""
    body = body if isinstance(body, dict) else {}
    token = body.get("citizenToken") or token
    if token:
        return token_phone_hash(token, deps)
    phone = normalize_phone(body.get("phone") or "") if isinstance(body.get("phone"), str) else ""
    return deps.hash_phone(phone) if is_mainland_mobile(phone) else None


def lookup_by_token(tracking_code: str, token: str, client_id: str, deps: CitizenDeps) -> dict:
    """办理情况查询 with a citizen token (我的事项 opens a matter this way): the same public view,
    404 and failure budget as the lookup by phone number."""
    phone_hash = token_phone_hash(token, deps)
    now = deps.now()
    return matter_rules.public_view(citizen_public(tracking_code, phone_hash, client_id, deps.repo, now).snapshot,
                                    now)


def citizen_matter(tracking_code: str, body: dict, token: str | None, client_id: str,
                   deps: CitizenDeps):
    """The matter of the applicant who proved their phone: (matter, events, wait token, now)."""
    phone_hash = proven_phone_hash(body, token, deps)
    now = deps.now()
    public = citizen_public(tracking_code, phone_hash, client_id, deps.repo, now)
    matter, events, wait_token = deps.repo.load_with_token(public.matter_id)
    return matter, events, wait_token, now


def _act(tracking_code: str, body: Any, token: str | None, client_id: str, deps: CitizenDeps,
         action: str) -> dict:
    if not isinstance(body, dict):
        raise ValidationFailed()
    matter, events, wait_token, now = citizen_matter(tracking_code, body, token, client_id, deps)
    if action == "evaluate":
        outcome = lifecycle.evaluate(matter, body, now)
    else:
        outcome = lifecycle.reopen(matter, body, now, deps.staff.directory, deps.staff.calendar)
    m = outcome.matter
    unit = deps.staff.directory.unit(m.assigned_unit_id or m.holder_centre_id) \
        if (m.assigned_unit_id or m.holder_centre_id) else None
    snapshot = m.public_snapshot(events + outcome.events, unit["name"] if unit else None)
    deps.repo.save(m, outcome.events, snapshot)
    _wake_lifecycle(m, wait_token, action, deps)
    staff.carry_out(m, outcome.effects, deps.staff)
    return matter_rules.public_view(snapshot, now)


def _wake_lifecycle(m, wait_token: str | None, action: str, deps: CitizenDeps) -> None:
    """A closed matter's execution plans once more and ends; a reopened one plans its new
    deadlines. If no execution is waiting any more, a reopened matter gets a new one."""
    try:
        woken = deps.lifecycle.signal(wait_token, {"action": action, "matterId": m.matter_id},
                                      read_token=lambda: deps.repo.task_token(m.matter_id, "TOKEN"))
        if not woken and action == "reopen":
            deps.lifecycle.start(m.matter_id, generation=1 + len(m.reopens))
    except Exception:  # noqa: BLE001 - the change is saved; the reconciler restarts lifecycles
        logger.exception("waking the lifecycle failed", extra={"matterId": m.matter_id})


def evaluate(tracking_code: str, body: Any, token: str | None, client_id: str, deps: CitizenDeps) -> dict:
    return _act(tracking_code, body, token, client_id, deps, "evaluate")


def reopen(tracking_code: str, body: Any, token: str | None, client_id: str, deps: CitizenDeps) -> dict:
    return _act(tracking_code, body, token, client_id, deps, "reopen")
