"""Staff routes of mediation (调解记录, 调解协议书, 司法确认) and follow-up (跟踪问效). Each route
verifies the caller's token and calls one service in services/mediation.py."""
from __future__ import annotations

from chalice import Blueprint

from ..services import mediation
from ..wiring import mediation_deps
from .auth import current_actor
from .http import client_address, handles_errors, json_body, json_response

bp = Blueprint(__name__)
JSON = ["application/json", "text/plain"]
NO_STORE = {"Cache-Control": "no-store"}
BASE = "/staff/matters/{matterId}"


def _call(fn, *args, status: int = 200):
    request = bp.current_request
    body = (json_body(request),) if request.method in ("POST", "PATCH") else ()
    return json_response(fn(*args, current_actor(request), *body, mediation_deps(), client_address(request)),
                         status, NO_STORE)


@bp.route(BASE + "/sessions", methods=["GET"])
@handles_errors
def sessions(matterId):
    return _call(mediation.list_sessions, matterId)


@bp.route(BASE + "/sessions", methods=["POST"], content_types=JSON)
@handles_errors
def create_session(matterId):
    return _call(mediation.create_session, matterId, status=201)


@bp.route(BASE + "/sessions/{sessionId}", methods=["PATCH"], content_types=JSON)
@handles_errors
def edit_session(matterId, sessionId):
    return _call(mediation.edit_session, matterId, sessionId)


@bp.route(BASE + "/sessions/{sessionId}/join", methods=["POST"], content_types=JSON)
@handles_errors
def join_as_staff(matterId, sessionId):
    request = bp.current_request
    return json_response(mediation.join_as_staff(matterId, sessionId, current_actor(request), mediation_deps(),
                                                 client_address(request)), headers=NO_STORE)


@bp.route(BASE + "/sessions/{sessionId}/participants/{participantId}/remove", methods=["POST"],
          content_types=JSON)
@handles_errors
def remove_participant(matterId, sessionId, participantId):
    request = bp.current_request
    return json_response(mediation.remove_participant(matterId, sessionId, participantId, current_actor(request),
                                                      mediation_deps(), client_address(request)), headers=NO_STORE)


@bp.route("/meetings/join", methods=["POST"], content_types=JSON)
@handles_errors
def join_as_party():
    """A party (no account): the link's ids, their phone and the SMS code."""
    return json_response(mediation.join_as_party(json_body(bp.current_request), mediation_deps()),
                         headers=NO_STORE)


@bp.route(BASE + "/sessions/{sessionId}/agreement", methods=["POST"], content_types=JSON)
@handles_errors
def draft_agreement(matterId, sessionId):
    return _call(mediation.draft_agreement, matterId, sessionId, status=201)


@bp.route(BASE + "/agreements/{agreementId}", methods=["GET"])
@handles_errors
def agreement(matterId, agreementId):
    return _call(mediation.get_agreement, matterId, agreementId)


@bp.route(BASE + "/agreements/{agreementId}/signing-codes", methods=["POST"], content_types=JSON)
@handles_errors
def signing_code(matterId, agreementId):
    return _call(mediation.send_signing_code, matterId, agreementId, status=202)


@bp.route(BASE + "/agreements/{agreementId}/signatures", methods=["POST"], content_types=JSON)
@handles_errors
def sign(matterId, agreementId):
    return _call(mediation.sign_agreement, matterId, agreementId)


@bp.route(BASE + "/agreements/{agreementId}/confirmation", methods=["POST"], content_types=JSON)
@handles_errors
def confirmation(matterId, agreementId):
    return _call(mediation.confirmation, matterId, agreementId)


@bp.route(BASE + "/agreements/{agreementId}/performance", methods=["POST"], content_types=JSON)
@handles_errors
def performance(matterId, agreementId):
    return _call(mediation.record_performance, matterId, agreementId)


@bp.route(BASE + "/callbacks/{callbackId}", methods=["POST"], content_types=JSON)
@handles_errors
def callback(matterId, callbackId):
    return _call(mediation.record_callback, matterId, callbackId)


@bp.route("/staff/mediation/tasks", methods=["GET"])
@handles_errors
def tasks():
    request = bp.current_request
    params = request.query_params or {}
    return json_response(mediation.tasks(current_actor(request), params.get("kind", "session"),
                                         params.get("nextToken"), mediation_deps()), headers=NO_STORE)


@bp.route("/staff/courts", methods=["GET"])
@handles_errors
def courts():
    current_actor(bp.current_request)
    return json_response(mediation.courts(mediation_deps()))
