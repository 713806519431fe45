"""研判分析 and reports: figures read from the statistics counters, never from the matters."""
from __future__ import annotations

from chalice import Blueprint

from ..services import statistics
from ..wiring import statistics_deps
from .auth import current_actor
from .http import handles_errors, json_response

bp = Blueprint(__name__)
NO_STORE = {"Cache-Control": "no-store"}


@bp.route("/staff/statistics", methods=["GET"])
@handles_errors
def staff_statistics():
    request = bp.current_request
    body = statistics.statistics(current_actor(request), request.query_params or {}, statistics_deps())
    return json_response(body, headers=NO_STORE)
