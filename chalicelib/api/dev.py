"""Endpoints that exist only on the local stage (demo accounts for `make run`)."""
from __future__ import annotations

from chalice import Blueprint

from .. import reference, settings
from ..domain.errors import NotFound
from .http import handles_errors

bp = Blueprint(__name__)


@bp.route("/dev/demo-accounts", methods=["GET"])
@handles_errors
def demo_accounts():
    if not settings.is_local():
        raise NotFound()
    return [{k: a[k] for k in ("username", "password", "role", "unitId", "regionCode", "name")}
            for a in reference.demo_accounts()]
