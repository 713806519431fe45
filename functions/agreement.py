"""Lambda handlers of the agreement-timers state machine (statemachines/agreement-timers.asl.json).
Both safe to retry: planning reads; firing re-checks the stored agreement and records each
reminder once."""
from __future__ import annotations

from aws_lambda_powertools import Logger

from chalicelib import wiring
from chalicelib.services import mediation

logger = Logger(service="jieyou-agreement")


@logger.inject_lambda_context
def plan_timer(event: dict, context) -> dict:
    return mediation.plan_timer(event["matterId"], event["agreementId"], wiring.mediation_deps())


@logger.inject_lambda_context
def fire_timer(event: dict, context) -> dict:
    return mediation.fire_timer(event["matterId"], event["agreementId"], event["name"], wiring.mediation_deps())
