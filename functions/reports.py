"""Lambda handler of the periodic reports, fired by the EventBridge Scheduler schedules in
infra/template.yaml (locally by the runtime's own timer). Safe to fire twice: each report id
is claimed before anything is sent."""
from __future__ import annotations

from aws_lambda_powertools import Logger

from chalicelib import reference, wiring
from chalicelib.services import reports

logger = Logger(service="jieyou-reports")


@logger.inject_lambda_context
def produce(event: dict, context) -> dict:
    """`{"kind": "daily|weekly|monthly|annual"}`: the last complete period's reports."""
    result = reports.produce(event["kind"], wiring.report_deps(), reference.city_code())
    logger.info("reports", extra={"kind": result["kind"], "from": result["from"],
                                  "sent": sum(r["sent"] for r in result["reports"])})
    return result
