"""Administration: the audit log, staff accounts, units and the routing table. Every route
verifies the caller's token; the services decide who may (admins within their region; a
matter's audit also its leaders). No route changes or deletes an audit line."""
from __future__ import annotations

from chalice import Blueprint

from ..services import accounts, audit, units
from ..wiring import account_deps, staff_deps, unit_deps
from .auth import current_actor
from .http import client_address, handles_errors, json_body, json_response

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


@bp.route("/admin/accounts", methods=["GET"])
@handles_errors
def list_accounts():
    request = bp.current_request
    body = accounts.list_accounts(current_actor(request), request.query_params or {}, account_deps())
    return json_response(body, headers=NO_STORE)


@bp.route("/admin/accounts", methods=["POST"], content_types=JSON_TYPES)
@handles_errors
def create_account():
    request = bp.current_request
    actor = current_actor(request)
    return json_response(accounts.create_account(actor, json_body(request), account_deps()), 201,
                         headers=NO_STORE)


@bp.route("/admin/accounts/{username}/disable", methods=["POST"], content_types=JSON_TYPES)
@handles_errors
def disable_account(username):
    body = accounts.set_enabled(current_actor(bp.current_request), username, False, account_deps())
    return json_response(body, headers=NO_STORE)


@bp.route("/admin/accounts/{username}/enable", methods=["POST"], content_types=JSON_TYPES)
@handles_errors
def enable_account(username):
    body = accounts.set_enabled(current_actor(bp.current_request), username, True, account_deps())
    return json_response(body, headers=NO_STORE)


@bp.route("/admin/accounts/{username}/reset-password", methods=["POST"], content_types=JSON_TYPES)
@handles_errors
def reset_password(username):
    body = accounts.reset_password(current_actor(bp.current_request), username, account_deps())
    return json_response(body, headers=NO_STORE)


@bp.route("/admin/units", methods=["GET"])
@handles_errors
def list_units():
    request = bp.current_request
    body = units.list_units(current_actor(request), request.query_params or {}, unit_deps())
    return json_response(body, headers=NO_STORE)


@bp.route("/admin/units", methods=["POST"], content_types=JSON_TYPES)
@handles_errors
def create_unit():
    request = bp.current_request
    actor = current_actor(request)
    return json_response(units.create_unit(actor, json_body(request), unit_deps()), 201)


@bp.route("/admin/units/{unitId}", methods=["GET"])
@handles_errors
def get_unit(unitId):
    body = units.get_unit(current_actor(bp.current_request), unitId, unit_deps())
    return json_response(body, headers=NO_STORE)


@bp.route("/admin/units/{unitId}", methods=["PUT"], content_types=JSON_TYPES)
@handles_errors
def update_unit(unitId):
    request = bp.current_request
    actor = current_actor(request)
    return json_response(units.update_unit(actor, unitId, json_body(request), unit_deps()))


@bp.route("/admin/routing", methods=["GET"])
@handles_errors
def get_routing():
    body = units.get_routing(current_actor(bp.current_request), unit_deps())
    return json_response(body, headers=NO_STORE)


@bp.route("/admin/routing", methods=["PUT"], content_types=JSON_TYPES)
@handles_errors
def put_routing():
    request = bp.current_request
    actor = current_actor(request)
    return json_response(units.put_routing(actor, json_body(request), unit_deps()))
