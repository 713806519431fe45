"""Lambda handlers of the joint-mediation state machine (statemachines/joint-mediation.asl.json).
All safe to retry: planning reads, token storage overwrites; a repeated reminder only
reminds twice."""
from __future__ import annotations

from aws_lambda_powertools import Logger

from chalicelib import wiring
from chalicelib.services import joint

logger = Logger(service="jieyou-joint")


@logger.inject_lambda_context
def plan_step(event: dict, context) -> dict:
    return joint.plan_step(event["matterId"], wiring.lifecycle_deps(), event.get("round"))


@logger.inject_lambda_context
def store_token(event: dict, context) -> dict:
    return joint.store_token(event["matterId"], event["taskToken"], wiring.lifecycle_deps(),
                             event.get("plannedVersion"))


@logger.inject_lambda_context
def remind(event: dict, context) -> dict:
    return joint.remind(event["matterId"], event.get("step", "plan"), wiring.lifecycle_deps())
