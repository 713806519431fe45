"""Starts and signals a matter's lifecycle execution on Step Functions."""
from __future__ import annotations

import json

from botocore.exceptions import ClientError

from .. import settings
from .aws import client


class LifecycleGateway:
    def __init__(self, state_machine_arn: str | None = None):
        self._arn = state_machine_arn

    @property
    def state_machine_arn(self) -> str:
        return self._arn or settings.LIFECYCLE_STATE_MACHINE_ARN

    def start(self, matter_id: str, generation: int = 1) -> str:
        """Start the matter's execution; a repeat of the same start is not an error.

        The execution name is derived from the matter so a retried intake can never
        run two lifecycles for one matter."""
        name = f"{matter_id}-{generation}"
        try:
            resp = client("stepfunctions").start_execution(
                stateMachineArn=self.state_machine_arn, name=name,
                input=json.dumps({"matterId": matter_id}))
            return resp["executionArn"]
        except ClientError as err:
            if err.response["Error"]["Code"] == "ExecutionAlreadyExists":
                return self.execution_arn(name)
            raise

    def execution_arn(self, name: str) -> str:
        return self.state_machine_arn.replace(":stateMachine:", ":execution:") + ":" + name
