"""Errors are data: each carries an HTTP status, a stable code and a Chinese message for the UI.

The API layer turns any DomainError into
``{"error": {"code": ..., "message": ..., "fields": {...}}}`` with its status;
anything else escaping a route is a bug (500).
"""
from __future__ import annotations


class DomainError(Exception):
    status = 400
    code = "bad_request"
    message = "请求有误"

    def __init__(self, message: str | None = None, *, code: str | None = None,
                 fields: dict[str, str] | None = None, retry_after: int | None = None):
        self.message = message or self.message
        self.code = code or self.code
        self.fields = fields or {}
        self.retry_after = retry_after  # seconds, for 429/503 answers
        super().__init__(self.message)

    def to_body(self) -> dict:
        body = {"code": self.code, "message": self.message}
        if self.fields:
            body["fields"] = self.fields
        return {"error": body}


class ValidationFailed(DomainError):
    status = 400
    code = "validation_failed"
    message = "提交的内容有误，请检查标出的项目"


class Unauthorized(DomainError):
    status = 401
    code = "unauthorized"
    message = "请先登录"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"
    message = "您没有权限执行此操作"


class NotFound(DomainError):
    status = 404
    code = "not_found"
    message = "未找到相关记录"


class Conflict(DomainError):
    status = 409
    code = "conflict"
    message = "数据已被他人修改，请刷新后重试"


class PayloadTooLarge(DomainError):
    status = 413
    code = "payload_too_large"
    message = "提交的内容过大"


class TooManyRequests(DomainError):
    status = 429
    code = "rate_limited"
    message = "操作过于频繁，请稍后再试"


class ServiceUnavailable(DomainError):
    """A dependency failed transiently; the caller may retry the same request."""
    status = 503
    code = "service_unavailable"
    message = "系统繁忙，请稍后重试"
