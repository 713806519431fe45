"""Citizen intake and lookup: the use cases behind `POST /api/matters` and
`GET /api/matters/{trackingCode}`.

Services take their repository and gateways as arguments (see `Deps`) so unit tests can
hand in fakes and the API hands in the real adapters.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable

from .. import reference, settings
from ..domain import matter as matter_rules
from ..domain.errors import Conflict, NotFound, ServiceUnavailable, TooManyRequests
from ..domain.identity import is_mainland_mobile, normalize_phone
from ..domain.ids import new_matter_id
from ..domain.tracking import new_tracking_code, normalize_tracking_code
from ..domain.validation import validate_intake
from .ports import IdempotencyKeyUsed, Lifecycle, MatterRepository, TrackingCodeTaken

logger = logging.getLogger(__name__)

LOOKUP_NOT_FOUND = "未找到该事项，请核对查询码和手机号码"


@dataclass
class Deps:
    repo: MatterRepository
    lifecycle: Lifecycle
    hash_phone: Callable[[str], str]
    now: Callable[[], datetime]
    random_bytes: Callable[[int], bytes]
    place: Callable[[Any, list, datetime], list[dict]] | None = None  # routing; returns effects
    after_filing: Callable[[Any, list[dict]], None] | None = None  # carries out the effects
    unit_name: Callable[[str | None], str | None] = lambda unit_id: None


def _fingerprint(intake: dict) -> str:
    return hashlib.sha256(json.dumps(intake, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _receipt(matter_id: str, snapshot: dict, now: datetime) -> dict:
    view = matter_rules.public_view(snapshot, now)
    return {"matterId": matter_id, "trackingCode": view["trackingCode"],
            "status": view["status"], "deadlines": view["deadlines"]}


def file_matter(body: Any, idempotency_key: str | None, deps: Deps,
                channel: str = "portal", receiver: dict | None = None,
                authorize: Callable[[dict], None] | None = None, audit: dict | None = None) -> dict:
    """Validate, store matter + first event + public view (+ idempotency record) atomically,
    then start the lifecycle. A retry with the same key and body returns the same matter.

    Staff intake passes the staff member as `receiver` (recorded in the first event), an
    `authorize(intake)` check run on the validated body, and the `audit` line written in the
    same transaction."""
    intake = validate_intake(body, is_filable_region=reference.is_filable_region)
    if authorize is not None:
        authorize(intake)
    fingerprint = _fingerprint(intake)
    key_hash = hashlib.sha256(idempotency_key.encode()).hexdigest() if idempotency_key else None
    phone_hash = deps.hash_phone(intake["applicant"]["phone"])
    kind_name = {k["code"]: k["name"] for k in reference.kinds()}[intake["kind"]]
    now = deps.now()
    for _attempt in range(5):
        matter, event = matter_rules.new_matter(
            matter_id=new_matter_id(now, deps.random_bytes(10)),
            tracking_code=new_tracking_code(deps.random_bytes(32)),
            intake=intake, now=now, kind_name=kind_name, channel=channel, receiver=receiver)
        matter.phone_hash = phone_hash
        events = [event]
        effects = deps.place(matter, events, now) if deps.place else []
        snapshot = matter.public_snapshot(
            events, unit_name=deps.unit_name(matter.assigned_unit_id or matter.holder_centre_id))
        try:
            deps.repo.add_new(matter, events, snapshot,
                              (key_hash, fingerprint) if key_hash else None, now, audit=audit)
            break
        except TrackingCodeTaken:
            continue
        except IdempotencyKeyUsed:
            return _replay(key_hash, fingerprint, deps, now)
    else:  # five collisions in a row means the code space or the store is broken
        raise ServiceUnavailable()
    _start_lifecycle(matter.matter_id, deps)
    # the tracking code goes to the applicant by SMS (once: a replay returned above)
    effects = effects + [{"type": "receipt_sms", "kindName": kind_name}]
    if deps.after_filing:
        deps.after_filing(matter, effects)
    return _receipt(matter.matter_id, snapshot, now)


def _start_lifecycle(matter_id: str, deps: Deps) -> None:
    """The matter is safely stored before this runs; if starting its execution fails the
    reconciler restarts it from stored state, so the citizen still gets the receipt."""
    try:
        deps.lifecycle.start(matter_id)
    except Exception:  # noqa: BLE001 - logged and left to the reconciler
        logger.exception("lifecycle start failed", extra={"matterId": matter_id})


def _replay(key_hash: str, fingerprint: str, deps: Deps, now: datetime) -> dict:
    record = deps.repo.idempotency_record(key_hash)
    if record is None:  # expired between the failed write and this read
        raise Conflict("请求正在处理，请稍后重试", code="idempotency_in_progress")
    if record.body_hash != fingerprint:
        raise Conflict("该幂等键已用于另一份不同的申请", code="idempotency_key_reused")
    public = deps.repo.public(record.tracking_code)
    _start_lifecycle(record.matter_id, deps)
    return _receipt(record.matter_id, public.snapshot, now)


def lookup_matter(tracking_code: str, phone: str | None, client_id: str, deps: Deps) -> dict:
    """A citizen's view of one matter. Unknown code and wrong phone are indistinguishable,
    and each failure counts against the caller's budget for the window."""
    phone = normalize_phone(phone or "")
    phone_hash = deps.hash_phone(phone) if is_mainland_mobile(phone) else None
    now = deps.now()
    public = citizen_public(tracking_code, phone_hash, client_id, deps.repo, now)
    return matter_rules.public_view(public.snapshot, now)


def citizen_public(tracking_code: str, phone_hash: str | None, client_id: str, repo,
                   now: datetime):
    """The public entry of a matter for whoever proves the applicant's phone (by number or by
    citizen token); unknown code and wrong phone answer the same 404 and count against the
    caller's lookup budget, shared by lookup, evaluation, reopening and evidence."""
    window = int(now.timestamp()) // settings.LOOKUP_WINDOW_SECONDS
    client_hash = hashlib.sha256(client_id.encode()).hexdigest()[:32]
    rate_key = f"R#{client_hash}#{window}"
    code = normalize_tracking_code(tracking_code or "")
    public = None
    if code and phone_hash:
        public, failures = repo.public_with_failures(code, rate_key)
        if failures >= settings.LOOKUP_FAILURES_ALLOWED:
            raise _too_many(now)
    if public is None or not hmac.compare_digest(public.phone_hash, phone_hash):
        failures = repo.count_failure(rate_key, now, settings.LOOKUP_WINDOW_SECONDS)
        if failures > settings.LOOKUP_FAILURES_ALLOWED:
            raise _too_many(now)
        raise NotFound(LOOKUP_NOT_FOUND, code="matter_not_found")
    return public


def _too_many(now: datetime) -> TooManyRequests:
    """Failures count per fixed window; the caller may try again when the window ends."""
    window = settings.LOOKUP_WINDOW_SECONDS
    wait = window - int(now.timestamp()) % window
    minutes = max(1, -(-wait // 60))
    return TooManyRequests(f"查询失败次数过多，请{minutes}分钟后再试", code="lookup_rate_limited",
                           retry_after=wait)
