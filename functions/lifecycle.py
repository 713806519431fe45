"""Lambda handlers of the matter-lifecycle state machine's tasks (statemachines/matter-lifecycle.asl.json).

Each is a thin, typed wrapper over chalicelib.services.lifecycle. All are safe to retry:
planning and token storage overwrite, marking overdue changes only running clocks.
"""
from __future__ import annotations

import functools

from aws_lambda_powertools import Logger

from chalicelib.adapters import clock
from chalicelib.adapters.dynamo import DynamoMatterRepository
from chalicelib.services import lifecycle

logger = Logger(service="jieyou-lifecycle")


@functools.lru_cache(maxsize=1)
def _deps() -> lifecycle.LifecycleDeps:
    return lifecycle.LifecycleDeps(repo=DynamoMatterRepository(), now=clock.now,
                                   real_seconds=clock.real_seconds)


@logger.inject_lambda_context
def plan_next_wait(event: dict, context) -> dict:
    return lifecycle.plan_next_wait(event["matterId"], _deps())


@logger.inject_lambda_context
def store_task_token(event: dict, context) -> dict:
    return lifecycle.store_task_token(event["matterId"], event["taskToken"], _deps())


@logger.inject_lambda_context
def mark_overdue(event: dict, context) -> dict:
    return lifecycle.mark_overdue(event["matterId"], _deps())


@logger.inject_lambda_context
def record_failure(event: dict, context) -> dict:
    return lifecycle.record_failure(event["matterId"], event.get("failure") or {}, _deps())
