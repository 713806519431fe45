"""Counting the AWS operations the calling thread makes (the API under test), apart from those
of the state machines' tasks on moto's threads."""
from __future__ import annotations

import contextlib
import threading

import botocore.client


@contextlib.contextmanager
def api_thread_calls():
    calls: list[str] = []
    original = botocore.client.BaseClient._make_api_call
    me = threading.get_ident()

    def recording(self, op, params):
        if threading.get_ident() == me:
            calls.append(f"{self.meta.service_model.service_name}.{op}")
        return original(self, op, params)

    botocore.client.BaseClient._make_api_call = recording
    try:
        yield calls
    finally:
        botocore.client.BaseClient._make_api_call = original
