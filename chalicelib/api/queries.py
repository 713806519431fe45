"""The console's queries (issue 4): 汇总查询 and its export. Routes only parse the request
and call one service; `/staff/matters/export` is a literal path, so it never reaches
`/staff/matters/{matterId}`."""
from __future__ import annotations

from chalice import Blueprint, Response

from ..adapters import xlsx
from ..services import queries
from ..services import staff_intake as staff_intake_service
from ..wiring import intake_deps, query_deps
from .auth import current_actor
from .http import client_address, handles_errors, json_body, json_response

bp = Blueprint(__name__)
NO_STORE = {"Cache-Control": "no-store"}


def query_params(request) -> dict:
    """Query-string parameters as a plain dict (the last value of a repeated one)."""
    params = request.query_params or {}
    return {k: params.get(k) for k in params}


@bp.route("/staff/matters", methods=["GET"])
@handles_errors
def summary():
    request = bp.current_request
    actor = current_actor(request)
    return json_response(queries.summary(actor, query_params(request), query_deps()), headers=NO_STORE)


@bp.route("/staff/matters/export", methods=["GET"])
@handles_errors
def export():
    """The .xlsx answer is bytes: `app.api.binary_types` lists its type, and the caller sends
    an Accept header that matches it (or */*, as browsers and fetch do)."""
    request = bp.current_request
    actor = current_actor(request)
    body, name = queries.export(actor, query_params(request), query_deps(), xlsx.workbook_bytes,
                                client_address(request))
    return Response(body=body, status_code=200, headers={
        "Content-Type": xlsx.XLSX_TYPE, "Cache-Control": "no-store",
        "Content-Disposition": f'attachment; filename="{name}"'})


@bp.route("/staff/matters", methods=["POST"], content_types=["application/json", "text/plain"])
@handles_errors
def staff_intake():
    """登记: body = the public intake body + `channel`; `Idempotency-Key` as for citizens."""
    request = bp.current_request
    actor = current_actor(request)
    key = (request.headers or {}).get("idempotency-key")
    receipt = staff_intake_service.file(actor, json_body(request), key[:200] if key else None,
                                        intake_deps(), client_address(request))
    return json_response(receipt, 201)


@bp.route("/staff/inbox", methods=["GET"])
@handles_errors
def inbox():
    actor = current_actor(bp.current_request)
    return json_response(queries.inbox(actor, query_deps()), headers=NO_STORE)


@bp.route("/staff/followup", methods=["GET"])
@handles_errors
def followup():
    actor = current_actor(bp.current_request)
    return json_response(queries.followup(actor, query_deps()), headers=NO_STORE)


@bp.route("/staff/me/figures", methods=["GET"])
@handles_errors
def my_figures():
    actor = current_actor(bp.current_request)
    return json_response(queries.my_figures(actor, query_deps()), headers=NO_STORE)
