"""Administration: the audit log, staff accounts, units and the routing table. Every route
verifies the caller's token; the services decide who may (admins within their region; a
matter's audit also its leaders). No route changes or deletes an audit line."""
from __future__ import annotations

from chalice import Blueprint

from ..services import audit
from ..wiring import staff_deps
from .auth import current_actor
from .http import client_address, handles_errors, json_response

bp = Blueprint(__name__)
NO_STORE = {"Cache-Control": "no-store"}
JSON_TYPES = ["application/json", "text/plain"]


@bp.route("/staff/matters/{matterId}/audit", methods=["GET"])
@handles_errors
def matter_audit(matterId):
    request = bp.current_request
    body = audit.matter_audit(matterId, current_actor(request), staff_deps(), client_address(request))
    return json_response(body, headers=NO_STORE)


@bp.route("/admin/audit", methods=["GET"])
@handles_errors
def audit_search():
    request = bp.current_request
    body = audit.search(current_actor(request), request.query_params or {}, staff_deps())
    return json_response(body, headers=NO_STORE)
