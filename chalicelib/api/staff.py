"""The staff half of the API contract: work lists, a matter, its actions. Every route
verifies the caller's token and asks the permission policy through the staff service."""
from __future__ import annotations

from chalice import Blueprint

from ..services import evidence, queries, staff
from .auth import current_actor
from ..wiring import query_deps, staff_deps
from .http import client_address, handles_errors, json_body, json_response

bp = Blueprint(__name__)


@bp.route("/staff/tasks", methods=["GET"])
@handles_errors
def tasks():
    request = bp.current_request
    actor = current_actor(request)
    params = request.query_params or {}
    if params.get("view") == "dispatch":  # 分流转办 (chalicelib/services/queries.py)
        return json_response(queries.dispatch_queue(actor, params.get("nextToken"), query_deps()),
                             headers={"Cache-Control": "no-store"})
    return json_response(staff.tasks(actor, params.get("view", "unit"), params.get("nextToken"),
                                     staff_deps()), headers={"Cache-Control": "no-store"})


@bp.route("/staff/matters/{matterId}", methods=["GET"])
@handles_errors
def get_matter(matterId):
    request = bp.current_request
    view = staff.get_matter(matterId, current_actor(request), staff_deps(), client_address(request))
    return json_response(view, headers={"Cache-Control": "no-store"})


@bp.route("/staff/matters/{matterId}/actions", methods=["POST"],
          content_types=["application/json", "text/plain"])
@handles_errors
def act(matterId):
    request = bp.current_request
    actor = current_actor(request)
    view = staff.act(matterId, actor, json_body(request), staff_deps(), client_address(request))
    return json_response(view)


@bp.route("/staff/matters/{matterId}/dispatch-candidates", methods=["GET"])
@handles_errors
def dispatch_candidates(matterId):
    request = bp.current_request
    units = staff.dispatch_options(matterId, current_actor(request), staff_deps(),
                                   client_address(request))
    return json_response({"items": units})


@bp.route("/staff/matters/{matterId}/evidence/uploads", methods=["POST"],
          content_types=["application/json", "text/plain"])
@handles_errors
def evidence_upload(matterId):
    request = bp.current_request
    answer = evidence.staff_upload(matterId, current_actor(request), json_body(request), staff_deps(),
                                   client_address(request))
    return json_response(answer, 201, {"Cache-Control": "no-store"})


@bp.route("/staff/matters/{matterId}/evidence", methods=["POST"],
          content_types=["application/json", "text/plain"])
@handles_errors
def evidence_record(matterId):
    request = bp.current_request
    item = evidence.staff_record(matterId, current_actor(request), json_body(request), staff_deps(),
                                 client_address(request))
    return json_response(item, 201, {"Cache-Control": "no-store"})
