"""Lambda handlers of the statistics: the DynamoDB-stream consumer that keeps the counters
(研判分析) and the offline rebuild. Thin wrappers over chalicelib.services.statistics."""
from __future__ import annotations

from aws_lambda_powertools import Logger

from chalicelib import wiring
from chalicelib.adapters.statistics import stream_changes
from chalicelib.services import statistics

logger = Logger(service="jieyou-statistics")


@logger.inject_lambda_context
def on_stream(event: dict, context) -> dict:
    """A batch of the matters table's stream. Safe to redeliver: each record carries its own
    marker (see services/statistics.consume); a failure retries the whole batch."""
    result = statistics.consume(stream_changes(event), wiring.statistics_store(), wiring.wall_time())
    logger.info("stream batch", extra=result)
    return result


@logger.inject_lambda_context
def rebuild(event: dict, context) -> dict:
    """`make stats-rebuild` (or an operator's invoke): recount every counter from the matters.
    `{"dryRun": true}` only reports the differences."""
    return statistics.rebuild(wiring.statistics_store(), write=not (event or {}).get("dryRun"))
