"""Endpoints that exist only on the local stage: demo accounts, the outbox of sent mail and
SMS, and what the local runtime holds. Every other stage answers 404."""
from __future__ import annotations

from chalice import Blueprint

from .. import reference, settings
from ..domain.errors import NotFound
from .http import handles_errors

bp = Blueprint(__name__)


def _local_runtime():
    if not settings.is_local():
        raise NotFound()
    from ..adapters.local import current
    if current.runtime is None:
        raise NotFound("本地运行时未启动", code="runtime_not_running")
    return current.runtime


@bp.route("/dev/demo-accounts", methods=["GET"])
@handles_errors
def demo_accounts():
    if not settings.is_local():
        raise NotFound()
    return [{k: a[k] for k in ("username", "password", "role", "unitId", "regionCode", "name")}
            for a in reference.demo_accounts()]


@bp.route("/dev/outbox", methods=["GET"])
@handles_errors
def outbox():
    runtime = _local_runtime()
    return {"items": runtime.outbox.messages(runtime.now_iso())}


@bp.route("/dev/runtime", methods=["GET"])
@handles_errors
def runtime_report():
    return _local_runtime().runtime_report()


@bp.route("/dev/statistics/rebuild", methods=["POST"])
@handles_errors
def rebuild_statistics():
    """`make stats-rebuild`: recount the statistics from the matters (`?dryRun=1` only compares)."""
    runtime = _local_runtime()
    params = bp.current_request.query_params or {}
    return runtime.rebuild_statistics(dry_run=params.get("dryRun") in ("1", "true"))
