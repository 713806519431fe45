"""What the workflow tests do as citizens and while waiting for executions."""
from __future__ import annotations

import json
import time


def file(api, body):
    r = api.post("/api/matters", headers={"content-type": "application/json"}, body=json.dumps(body))
    assert r.status_code == 201, r.body
    return json.loads(r.body)


def wait_for(predicate, timeout=45.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("condition not met in time")
