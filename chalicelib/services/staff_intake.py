"""Staff intake (POST /api/staff/matters): a matter found on a visit, taken by phone or at the
window. The citizen intake does the work (same validation, routing, transaction and
lifecycle); this adds the channel, the caller's region scope, the receiver and the audit."""
from __future__ import annotations

from typing import Any

from ..domain import deadlines, permissions
from ..domain.errors import Forbidden, ValidationFailed
from . import intake

CHANNELS = {"visit": "走访发现", "phone": "来电", "window": "来访窗口"}
# Who files for citizens: the centres (their subtree) and village grid workers (their village).
# Departments, mediation organisations and admins receive matters by dispatch, not intake.
INTAKE_ROLES = permissions.CENTRE_ROLES | {"village_worker"}


def in_scope(actor, region_code: str) -> bool:
    if actor.role == "village_worker":
        return region_code == actor.region_code
    return bool(actor.region_code) and region_code.startswith(actor.region_code)


def file(actor, body: Any, idempotency_key: str | None, deps: intake.Deps,
         client: str | None = None) -> dict:
    """201 receipt `{matterId, trackingCode, status, deadlines}`."""
    if actor.role not in INTAKE_ROLES:
        raise Forbidden("您的角色不能登记事项", code="forbidden")
    channel = body.get("channel") if isinstance(body, dict) else None
    channel_error = None if channel in CHANNELS else "请选择受理渠道（走访发现、来电或来访窗口）"
    rest = {k: v for k, v in body.items() if k != "channel"} if isinstance(body, dict) else body

    def authorize(valid: dict) -> None:
        if channel_error:
            raise ValidationFailed(fields={"channel": channel_error})
        if not in_scope(actor, valid["regionCode"]):
            raise Forbidden("只能登记本辖区的事项", code="region_out_of_scope",
                            fields={"regionCode": "所选区域不在您的辖区内"})

    receiver = {"kind": "staff", "id": actor.username, "name": actor.name, "role": actor.role,
                "unitId": actor.unit_id}
    audit = {"at": deadlines.iso(deps.now()), "action": "intake", "actor": actor.as_event_actor(),
             "client": client}
    try:
        return intake.file_matter(rest, idempotency_key, deps, channel=channel or "visit",
                                  receiver=receiver, authorize=authorize, audit=audit)
    except ValidationFailed as err:
        if channel_error and "channel" not in err.fields:
            err.fields = {"channel": channel_error, **err.fields}
        raise
