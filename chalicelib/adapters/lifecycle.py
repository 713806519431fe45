"""Starts and signals a matter's lifecycle execution on Step Functions."""
from __future__ import annotations

import json
import time
import uuid

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
        return self._start(matter_id, f"{matter_id}-{generation}")

    def signal(self, token: str | None, event: dict, read_token=None, attempts: int = 3,
               pause: float = 0.1, polls: int = 15) -> bool:
        """Wake the waiting execution so it plans its next wait from the state just written.

        The token read with the matter may already be spent: the execution may be between
        two waits, planning from state read before our write. Then the next token it stores
        is waited for (`read_token`) and signalled, so no change is left unplanned."""
        for _ in range(attempts):
            if not token:
                return False
            try:
                client("stepfunctions").send_task_success(taskToken=token, output=json.dumps(event))
                return True
            except ClientError as err:
                if err.response["Error"]["Code"] not in ("TaskDoesNotExist", "TaskTimedOut", "InvalidToken"):
                    raise
            if read_token is None:
                return False
            spent = token
            for _ in range(polls):  # at most ~1.5 s for the execution's next wait
                time.sleep(pause)
                token = read_token()
                if token != spent:
                    break
            else:
                return False  # the execution is not waiting any more
        return False

    def execution_arn(self, name: str) -> str:
        return self.state_machine_arn.replace(":stateMachine:", ":execution:") + ":" + name

    def newest(self, matter_id: str, generation: int, max_restarts: int) -> tuple[str | None, str | None, str | None]:
        """(name, status, next name) of the newest execution of this generation: `<id>-<g>`,
        then the reconciler's restarts `<id>-<g>-r1`, `-r2`… (names cannot be reused, and a
        known sequence needs no record of which one runs). Next name None: restarts used up."""
        names = [f"{matter_id}-{generation}"] + [f"{matter_id}-{generation}-r{k}"
                                                 for k in range(1, max_restarts + 1)]
        found, status = None, None
        for i, name in enumerate(names):
            try:
                status = client("stepfunctions").describe_execution(
                    executionArn=self.execution_arn(name))["status"]
            except ClientError as err:
                if err.response["Error"]["Code"] != "ExecutionDoesNotExist":
                    raise
                return found, status, name
            found = name
        return found, status, None

    def start_named(self, matter_id: str, name: str) -> str:
        return self._start(matter_id, name)

    def _start(self, matter_id: str, name: str) -> str:
        try:
            resp = client("stepfunctions").start_execution(
                stateMachineArn=self.state_machine_arn, name=name,
                input=json.dumps({"matterId": matter_id}))
            return resp["executionArn"]
        except ClientError as err:
            if err.response["Error"]["Code"] == "ExecutionAlreadyExists":
                return self.execution_arn(name)
            raise


class JointMediationGateway:
    """Starts the joint-mediation coordination execution (statemachines/joint-mediation.asl.json)."""

    def start(self, matter_id: str, joint_round: int = 1) -> str | None:
        arn = settings.JOINT_STATE_MACHINE_ARN
        if not arn:
            return None
        name = f"{matter_id}-joint-{joint_round}-{uuid.uuid4().hex[:6]}"
        return client("stepfunctions").start_execution(
            stateMachineArn=arn, name=name,
            input=json.dumps({"matterId": matter_id, "round": joint_round}))["executionArn"]


class AgreementTimersGateway:
    """Starts an effective agreement's timers (statemachines/agreement-timers.asl.json): one
    execution per agreement, named after it so a retried start cannot run two."""

    def start(self, matter_id: str, agreement_id: str) -> str | None:
        arn = settings.AGREEMENT_STATE_MACHINE_ARN
        if not arn:
            return None
        try:
            return client("stepfunctions").start_execution(
                stateMachineArn=arn, name=f"{agreement_id}-timers",
                input=json.dumps({"matterId": matter_id, "agreementId": agreement_id}))["executionArn"]
        except ClientError as err:
            if err.response["Error"]["Code"] == "ExecutionAlreadyExists":
                return None
            raise
