"""研判分析 and reports: figures read from the statistics counters, never from the matters."""
from __future__ import annotations

from chalice import Blueprint

from ..services import reports, statistics
from ..wiring import report_deps, statistics_deps
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


@bp.route("/staff/reports", methods=["GET"])
@handles_errors
def staff_reports():
    request = bp.current_request
    body = reports.list_reports(current_actor(request), request.query_params or {}, report_deps())
    return json_response(body, headers=NO_STORE)


@bp.route("/staff/reports/{reportId}/download", methods=["GET"])
@handles_errors
def report_download(reportId):
    request = bp.current_request
    fmt = (request.query_params or {}).get("format", "docx")
    return json_response(reports.download(current_actor(request), reportId, fmt, report_deps()), headers=NO_STORE)
