"""The console's queries (issue 4): 汇总查询 and its export. Routes only parse the request
and call one service; `/staff/matters/export` is a literal path, so it never reaches
`/staff/matters/{matterId}`."""
from __future__ import annotations

from chalice import Blueprint

from ..services import queries
from ..wiring import query_deps
from .auth import current_actor
from .http import handles_errors, json_response

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
