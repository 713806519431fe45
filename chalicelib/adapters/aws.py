"""Lazily created boto3 clients: none exists at import time (short cold starts, and moto
can patch before first use). One client per service, shared by all threads (clients are
thread-safe; creating one costs ~60 ms)."""
from __future__ import annotations

import threading

import boto3
from botocore.config import Config

from .. import settings

_lock = threading.Lock()
_clients: dict[str, object] = {}


def client(service: str):
    found = _clients.get(service)
    if found is None:
        with _lock:  # concurrent first calls create one client, not one each
            found = _clients.get(service)
            if found is None:
                found = _clients[service] = boto3.session.Session().client(
                    service, region_name=settings.REGION,
                    config=Config(retries={"mode": "standard", "max_attempts": 3},
                                  connect_timeout=3, read_timeout=10))
    return found


def reset() -> None:
    """Forget cached clients (tests start a fresh moto per test)."""
    with _lock:
        _clients.clear()
