"""Scheduled (EventBridge Scheduler, infra/template.yaml ReconcilerFunction): restart the
lifecycle of every open matter whose execution is gone. Locally the runtime's timer calls it."""
from __future__ import annotations

from aws_lambda_powertools import Logger

from chalicelib import wiring
from chalicelib.services import reconcile as service

logger = Logger(service="jieyou-reconciler")


@logger.inject_lambda_context
def reconcile(event: dict, context) -> dict:
    report = service.reconcile(wiring.reconcile_deps())
    logger.info("reconciled", extra={k: (len(v) if isinstance(v, list) else v) for k, v in report.items()})
    return {**report, "restarted": len(report["restarted"]), "givenUp": report["givenUp"][:50]}
