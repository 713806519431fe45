"""Evidence uploads for citizens (who prove the applicant's phone) and for the staff who handle
the matter: a presigned POST first, then recording the object the browser uploaded."""
from __future__ import annotations

import logging
from typing import Any

from ..domain import evidence as rules
from ..domain import permissions
from ..domain.errors import DomainError, Forbidden, ValidationFailed
from ..domain.permissions import Decision
from . import staff
from .citizen import CitizenDeps, citizen_matter

logger = logging.getLogger(__name__)

UPLOAD_EXPIRES = 600   # seconds a presigned POST stays valid
URL_EXPIRES = 300      # seconds a presigned GET stays valid


def _upload(matter, by: str, body: Any, store, random_hex: str) -> dict:
    content_type, _name = rules.validate_request(body)
    rules.can_add(matter)
    key = rules.new_key(matter.matter_id, by, content_type, random_hex)
    return presigned_upload(store, key, content_type, rules.MAX_BYTES, UPLOAD_EXPIRES)


def presigned_upload(store, key: str, content_type: str, max_bytes: int, expires: int) -> dict:
    """What a browser needs to upload one object straight to the bucket (evidence, article pictures)."""
    post = store.presign_post(key, content_type, max_bytes, expires)
    return {"url": post["url"], "fields": post["fields"], "key": key, "maxBytes": max_bytes,
            "contentType": content_type, "expiresIn": expires}


def checked_upload(store, key: str, check) -> dict:
    """The stored object's {size, contentType} once `check(stored, first_bytes)` passes; an
    object that breaks the rules is deleted, because nobody may keep it."""
    stored = store.head(key)
    try:
        check(stored, store.first_bytes(key) if stored else b"")
    except DomainError:
        if stored is not None:
            delete_quietly(store, key)
        raise
    return stored


def delete_quietly(store, key: str) -> None:
    """A failed delete only leaves an orphan object behind."""
    try:
        store.delete(key)
    except Exception:  # noqa: BLE001
        logger.exception("deleting an object failed", extra={"key": key})


def _checked(matter, by: str, body: Any, store) -> tuple[str, dict]:
    key = rules.check_key(body.get("key"), matter.matter_id, by)
    return key, checked_upload(store, key, rules.check_object)


def _item(e: dict, store) -> dict:
    return staff.evidence_item(e, store)


def _body(body: Any) -> dict:
    if not isinstance(body, dict):
        raise ValidationFailed()
    return body


# --- citizens ------------------------------------------------------------------------------
def citizen_upload(code: str, body: Any, token: str | None, client_id: str, deps: CitizenDeps) -> dict:
    matter, _, _, _ = citizen_matter(code, _body(body), token, client_id, deps)
    return _upload(matter, "citizen", body, deps.staff.evidence, deps.random_bytes(16).hex())


def citizen_record(code: str, body: Any, token: str | None, client_id: str, deps: CitizenDeps) -> dict:
    matter, events, _, now = citizen_matter(code, _body(body), token, client_id, deps)
    store = deps.staff.evidence
    key, stored = _checked(matter, "citizen", body, store)
    outcome = rules.add(matter, key, body.get("name"), stored, "citizen", {"kind": "citizen"}, now)
    m = outcome.matter
    deps.repo.save(m, outcome.events, m.public_snapshot(
        events + outcome.events, staff._unit_name(deps.staff.directory, m.assigned_unit_id or m.holder_centre_id)))
    return _item(m.evidence[-1], store)


def citizen_list(code: str, body: Any, token: str | None, client_id: str, deps: CitizenDeps) -> dict:
    """Only the citizen's own uploads, never staff material."""
    matter, _, _, _ = citizen_matter(code, _body(body), token, client_id, deps)
    return {"items": [_item(e, deps.staff.evidence) for e in matter.evidence if e.get("by") == "citizen"]}


# --- staff ---------------------------------------------------------------------------------
def _handling(matter_id: str, actor, deps: staff.StaffDeps, client: str | None, action: str):
    """Those who handle the matter (its assigned unit, or the centre holding it) may add
    material; others in scope get 403 and the attempt is audited."""
    now = deps.now()
    matter, events, _ = staff._load_in_scope(matter_id, actor, deps, now)
    facts = staff.facts(matter, deps.directory, now)
    if Decision.ALLOW not in (permissions.decide(actor, facts, "accept"),
                              permissions.decide(actor, facts, "dispatch")):
        deps.repo.audit(matter.matter_id, staff._audit(actor, f"denied:{action}", now, client))
        raise Forbidden("只有承办单位或负责分流的中心可以上传材料", code="action_forbidden")
    return matter, events, now


def staff_upload(matter_id: str, actor, body: Any, deps: staff.StaffDeps, client: str | None = None) -> dict:
    matter, _, now = _handling(matter_id, actor, deps, client, "evidence_upload")
    answer = _upload(matter, "staff", _body(body), deps.evidence, deps.random_hex())
    deps.repo.audit(matter.matter_id, staff._audit(actor, "evidence_upload", now, client))
    return answer


def staff_record(matter_id: str, actor, body: Any, deps: staff.StaffDeps, client: str | None = None) -> dict:
    matter, events, now = _handling(matter_id, actor, deps, client, "evidence_add")
    key, stored = _checked(matter, "staff", _body(body), deps.evidence)
    who = {"kind": "staff", "id": actor.username, "name": actor.name, "role": actor.role,
           "unitId": actor.unit_id}
    outcome = rules.add(matter, key, body.get("name"), stored, "staff", who, now)
    deps.repo.save(outcome.matter, outcome.events, None,
                   audit=staff._audit(actor, "evidence_add", now, client))
    return _item(outcome.matter.evidence[-1], deps.evidence)
