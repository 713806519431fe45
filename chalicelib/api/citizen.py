"""Citizen routes beyond intake and lookup: phone verification, my matters, evaluation,
reopening (and evidence uploads). Each route parses the request and calls one service."""
from __future__ import annotations

from chalice import Blueprint

from ..services import citizen, evidence
from ..wiring import citizen_deps
from .http import client_address, handles_errors, json_body, json_response

bp = Blueprint(__name__)
JSON_TYPES = ["application/json", "text/plain"]
NO_STORE = {"Cache-Control": "no-store"}


def _bearer(request) -> str | None:
    """The citizen token from `Authorization: Bearer`, if any (a body `citizenToken` wins)."""
    scheme, _, token = ((request.headers or {}).get("authorization") or "").strip().partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


@bp.route("/citizen/otp", methods=["POST"], content_types=JSON_TYPES)
@handles_errors
def request_code():
    request = bp.current_request
    return json_response(citizen.request_code(json_body(request), client_address(request),
                                              citizen_deps()), 202, NO_STORE)


@bp.route("/citizen/verify", methods=["POST"], content_types=JSON_TYPES)
@handles_errors
def verify_code():
    return json_response(citizen.verify_code(json_body(bp.current_request), citizen_deps()),
                         headers=NO_STORE)


@bp.route("/citizen/matters", methods=["GET"])
@handles_errors
def my_matters():
    return json_response(citizen.my_matters(_bearer(bp.current_request), citizen_deps()),
                         headers=NO_STORE)


@bp.route("/matters/{trackingCode}/evaluation", methods=["POST"], content_types=JSON_TYPES)
@handles_errors
def evaluate(trackingCode):
    request = bp.current_request
    return json_response(citizen.evaluate(trackingCode, json_body(request), _bearer(request),
                                          client_address(request), citizen_deps()), headers=NO_STORE)


@bp.route("/matters/{trackingCode}/reopen", methods=["POST"], content_types=JSON_TYPES)
@handles_errors
def reopen(trackingCode):
    request = bp.current_request
    return json_response(citizen.reopen(trackingCode, json_body(request), _bearer(request),
                                        client_address(request), citizen_deps()), headers=NO_STORE)


@bp.route("/matters/{trackingCode}/evidence/uploads", methods=["POST"], content_types=JSON_TYPES)
@handles_errors
def evidence_upload(trackingCode):
    request = bp.current_request
    return json_response(evidence.citizen_upload(trackingCode, json_body(request), _bearer(request),
                                                 client_address(request), citizen_deps()), 201, NO_STORE)


@bp.route("/matters/{trackingCode}/evidence", methods=["POST"], content_types=JSON_TYPES)
@handles_errors
def evidence_record(trackingCode):
    request = bp.current_request
    return json_response(evidence.citizen_record(trackingCode, json_body(request), _bearer(request),
                                                 client_address(request), citizen_deps()), 201, NO_STORE)


@bp.route("/matters/{trackingCode}/evidence", methods=["GET"])
@handles_errors
def evidence_list(trackingCode):
    request = bp.current_request
    phone = (request.query_params or {}).get("phone")
    return json_response(evidence.citizen_list(trackingCode, {"phone": phone}, _bearer(request),
                                               client_address(request), citizen_deps()), headers=NO_STORE)
