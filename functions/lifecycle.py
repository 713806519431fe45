"""Lambda handlers of the matter-lifecycle state machine's tasks (statemachines/matter-lifecycle.asl.json).

Each is a thin, typed wrapper over chalicelib.services.lifecycle. All are safe to retry:
planning and token storage overwrite, marking overdue changes only running clocks.
"""
from __future__ import annotations

from aws_lambda_powertools import Logger

from chalicelib import wiring
from chalicelib.services import lifecycle

logger = Logger(service="jieyou-lifecycle")


@logger.inject_lambda_context
def plan_next_wait(event: dict, context) -> dict:
    return lifecycle.plan_next_wait(event["matterId"], wiring.lifecycle_deps())


@logger.inject_lambda_context
def store_task_token(event: dict, context) -> dict:
    return lifecycle.store_task_token(event["matterId"], event["taskToken"], wiring.lifecycle_deps(),
                                      event.get("plannedVersion"))


@logger.inject_lambda_context
def mark_overdue(event: dict, context) -> dict:
    return lifecycle.mark_overdue(event["matterId"], wiring.lifecycle_deps())


@logger.inject_lambda_context
def record_failure(event: dict, context) -> dict:
    return lifecycle.record_failure(event["matterId"], event.get("failure") or {}, wiring.lifecycle_deps())
