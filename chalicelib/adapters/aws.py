"""Lazily created boto3 clients: none exists at import time (short cold starts, and moto
can patch before first use)."""
from __future__ import annotations

import functools
import threading

import boto3
from botocore.config import Config

from .. import settings

_lock = threading.Lock()


@functools.lru_cache(maxsize=None)
def _client(service: str):
    with _lock:
        return boto3.session.Session().client(
            service, region_name=settings.REGION,
            config=Config(retries={"mode": "standard", "max_attempts": 3},
                          connect_timeout=3, read_timeout=10))


def client(service: str):
    return _client(service)


def reset() -> None:
    """Forget cached clients (tests start a fresh moto per test)."""
    _client.cache_clear()
