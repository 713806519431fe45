"""Request parsing and error mapping shared by every blueprint: errors are data, a 500 is a bug."""
from __future__ import annotations

import functools
import json
from typing import Any, Callable

from aws_lambda_powertools import Logger
from botocore.exceptions import ClientError, ConnectionError as BotoConnectionError, HTTPClientError
from chalice import Response
from pynamodb.exceptions import PynamoDBException

from .. import settings
from ..domain.errors import DomainError, PayloadTooLarge, ServiceUnavailable, ValidationFailed

logger = Logger(service="jieyou")

JSON_HEADERS = {"Content-Type": "application/json; charset=utf-8"}
_RETRYABLE = {"ThrottlingException", "ProvisionedThroughputExceededException",
              "RequestLimitExceeded", "InternalServerError", "ServiceUnavailable",
              "TransactionConflictException"}


def json_response(body: Any, status: int = 200, headers: dict | None = None) -> Response:
    return Response(body=json.dumps(body, ensure_ascii=False),
                    status_code=status, headers={**JSON_HEADERS, **(headers or {})})


def error_response(err: DomainError) -> Response:
    headers = None
    if err.status in (429, 503):
        headers = {"Retry-After": str(err.retry_after or 5)}
    return json_response(err.to_body(), err.status, headers)


def _is_transient(exc: Exception) -> bool:
    """Throttling, a 5xx of AWS, a timeout or a dropped connection, however wrapped: PynamoDB
    keeps the botocore error in `.cause` and raises from inside the except (`__context__`)."""
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if isinstance(cause, (BotoConnectionError, HTTPClientError)):
            return True
        if isinstance(cause, ClientError) and cause.response["Error"]["Code"] in _RETRYABLE:
            return True
        cause = getattr(cause, "cause", None) or cause.__cause__ or cause.__context__
    return False


def handles_errors(view: Callable) -> Callable:
    """Turn DomainErrors into their JSON answer and transient AWS failures into a 503 the
    caller may retry; anything else is logged as the bug it is."""
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        try:
            return view(*args, **kwargs)
        except DomainError as err:
            return error_response(err)
        except (ClientError, BotoConnectionError, HTTPClientError, PynamoDBException) as exc:
            if _is_transient(exc):
                logger.warning("transient AWS failure", exc_info=True)
                return error_response(ServiceUnavailable())
            raise
    return wrapper


# Chalice's own error answers ({"Code", "Message"}) rewritten into ours.
_CHALICE_ERRORS = {
    "UnsupportedMediaType": ("unsupported_media_type", "请以 JSON 格式提交（Content-Type: application/json）"),
    "BadRequestError": ("bad_request", "请求有误"),
    "InternalServerError": ("internal_error", "系统内部错误，请稍后重试"),
}


def error_envelope_middleware(event, get_response):
    """Every error a caller sees has the same shape, including those Chalice makes itself
    (unsupported media type, an unhandled exception)."""
    response = get_response(event)
    body = response.body
    if response.status_code >= 400 and isinstance(body, dict) and "Code" in body and "error" not in body:
        code, message = _CHALICE_ERRORS.get(body["Code"], ("error", "请求失败"))
        if response.status_code >= 500:
            code, message = _CHALICE_ERRORS["InternalServerError"]
        return json_response({"error": {"code": code, "message": message}}, response.status_code)
    return response


def json_body(request) -> Any:
    """The request body as JSON, or a 400/413 the citizen can read."""
    raw = request.raw_body or b""
    if len(raw) > settings.MAX_BODY_BYTES:
        raise PayloadTooLarge(f"提交的内容不能超过{settings.MAX_BODY_BYTES // 1024}KB")
    if not raw.strip():
        raise ValidationFailed("请求内容不能为空", code="empty_body")
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ValidationFailed("请求内容不是有效的 JSON", code="invalid_json") from None


def client_address(request) -> str:
    return (request.context.get("identity") or {}).get("sourceIp") or "unknown"
