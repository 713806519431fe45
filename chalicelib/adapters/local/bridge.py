"""Answers the state machines' Lambda calls in this process with the real `functions/`
handlers: moto's executor calls Lambda through boto3, and a handler on botocore's
`before-call.lambda.Invoke` event returns the handler's result before anything is sent."""
from __future__ import annotations

import importlib
import io
import json
import logging
import threading
import traceback
import uuid
from typing import Callable
from urllib.parse import unquote

import boto3
import botocore.handlers
from botocore.awsrequest import AWSResponse
from botocore.response import StreamingBody

logger = logging.getLogger(__name__)


class _Context:
    """The parts of a Lambda context the handlers (and Powertools) read."""
    memory_limit_in_mb = 256

    def __init__(self, name: str):
        self.function_name = name
        self.function_version = "$LATEST"
        self.invoked_function_arn = f"arn:aws:lambda:local:123456789012:function:{name}"
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{name}"
        self.log_stream_name = "local"

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 30_000


class LambdaBridge:
    def __init__(self, handlers: dict[str, str]):
        self._paths = handlers          # logical id → "functions.module.function"
        self._resolved: dict[str, Callable] = {}
        self._lock = threading.Lock()
        self.invocations = 0

    def handler(self, name: str) -> Callable:
        with self._lock:
            if name not in self._resolved:
                module, func = self._paths[name].rsplit(".", 1)
                self._resolved[name] = getattr(importlib.import_module(module), func)
            return self._resolved[name]

    def invoke(self, name: str, payload: dict) -> tuple[dict, str | None]:
        """Run a handler as Lambda would: (result, FunctionError or None)."""
        self.invocations += 1
        try:
            return self.handler(name)(payload, _Context(name)), None
        except Exception as exc:  # noqa: BLE001 - reported to the state machine like Lambda does
            logger.exception("local lambda %s failed", name)
            return {"errorType": type(exc).__name__, "errorMessage": str(exc),
                    "stackTrace": traceback.format_exc().splitlines()[-5:]}, "Unhandled"

    def _before_call(self, model, params, **_):
        name = unquote(params["url_path"].split("/functions/", 1)[1].split("/", 1)[0])
        name = name.rsplit(":function:", 1)[-1].split(":", 1)[0]
        if name not in self._paths:
            return None
        body = params.get("body") or b"{}"
        payload = json.loads(body.decode() if isinstance(body, bytes) else body)
        result, error = self.invoke(name, payload)
        raw = json.dumps(result).encode()
        parsed = {"StatusCode": 200, "Payload": StreamingBody(io.BytesIO(raw), len(raw)),
                  "ExecutedVersion": "$LATEST"}
        if error:
            parsed["FunctionError"] = error
        return AWSResponse(params.get("url", ""), 200, {}, None), parsed

    def install(self) -> None:
        """Register for every botocore session, present and future."""
        entry = ("before-call.lambda.Invoke", self._before_call)
        if entry not in botocore.handlers.BUILTIN_HANDLERS:
            botocore.handlers.BUILTIN_HANDLERS.append(entry)
        boto3.DEFAULT_SESSION = None  # the next default session picks the handler up

    def uninstall(self) -> None:
        entry = ("before-call.lambda.Invoke", self._before_call)
        if entry in botocore.handlers.BUILTIN_HANDLERS:
            botocore.handlers.BUILTIN_HANDLERS.remove(entry)
        boto3.DEFAULT_SESSION = None
