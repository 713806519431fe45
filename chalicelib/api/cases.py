"""Published cases (同类案例 / 以案释法): staff draft, edit and publish; anyone searches and reads."""
from __future__ import annotations

from chalice import Blueprint

from ..services import cases
from ..wiring import case_deps
from .auth import current_actor
from .http import client_address, handles_errors, json_body, json_response

bp = Blueprint(__name__)
JSON_TYPES = ["application/json", "text/plain"]
NO_STORE = {"Cache-Control": "no-store"}


@bp.route("/staff/cases", methods=["POST"], content_types=JSON_TYPES)
@handles_errors
def draft():
    request = bp.current_request
    return json_response(cases.draft(json_body(request), current_actor(request), case_deps(),
                                     client_address(request)), 201, NO_STORE)


@bp.route("/staff/cases", methods=["GET"])
@handles_errors
def staff_list():
    request = bp.current_request
    return json_response(cases.staff_list((request.query_params or {}).get("status"), current_actor(request),
                                          case_deps()), headers=NO_STORE)


@bp.route("/staff/cases/{caseId}", methods=["GET"])
@handles_errors
def get(caseId):
    request = bp.current_request
    return json_response(cases.get(caseId, current_actor(request), case_deps(), client_address(request)),
                         headers=NO_STORE)


@bp.route("/staff/cases/{caseId}", methods=["PUT"], content_types=JSON_TYPES)
@handles_errors
def edit(caseId):
    request = bp.current_request
    return json_response(cases.edit(caseId, json_body(request), current_actor(request), case_deps(),
                                    client_address(request)), headers=NO_STORE)


@bp.route("/staff/cases/{caseId}/publish", methods=["POST"], content_types=JSON_TYPES)
@handles_errors
def publish(caseId):
    request = bp.current_request
    return json_response(cases.publish(caseId, json_body(request), current_actor(request), case_deps(),
                                       client_address(request)), headers=NO_STORE)


@bp.route("/cases", methods=["GET"])
@handles_errors
def search():
    params = bp.current_request.query_params or {}
    return json_response(cases.search(params.get("q"), params.get("category"), case_deps()))


@bp.route("/cases/{caseId}", methods=["GET"])
@handles_errors
def public_case(caseId):
    return json_response(cases.public_case(caseId, case_deps()))
