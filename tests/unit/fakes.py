"""In-memory stand-ins for the ports, so service rules are tested without AWS."""
from __future__ import annotations

import copy
from datetime import datetime

from chalicelib.domain.errors import Conflict
from chalicelib.services.ports import (IdempotencyEntry, IdempotencyKeyUsed, PublicEntry,
                                       TrackingCodeTaken)


class FakeRepository:
    def __init__(self):
        self.matters, self.events, self.public_views, self.idem, self.failures = {}, {}, {}, {}, {}
        self.tokens = {}

    def add_new(self, matter, first_events, public_snapshot, idempotency, now: datetime, audit=None):
        if idempotency and idempotency[0] in self.idem:
            raise IdempotencyKeyUsed()
        if matter.tracking_code in self.public_views:
            raise TrackingCodeTaken()
        matter.version = 1
        self.matters[matter.matter_id] = copy.deepcopy(matter)
        self.events[matter.matter_id] = list(first_events)
        self.public_views[matter.tracking_code] = PublicEntry(matter.matter_id, matter.phone_hash,
                                                        copy.deepcopy(public_snapshot))
        if idempotency:
            self.idem[idempotency[0]] = IdempotencyEntry(idempotency[1], matter.matter_id,
                                                         matter.tracking_code)

    def save(self, matter, new_events, public_snapshot, audit=None):
        stored = self.matters[matter.matter_id]
        if stored.version != matter.version:
            raise Conflict()
        matter.version += 1
        self.matters[matter.matter_id] = copy.deepcopy(matter)
        self.events[matter.matter_id].extend(new_events)
        if public_snapshot is not None:
            self.public_views[matter.tracking_code].snapshot = copy.deepcopy(public_snapshot)

    def load(self, matter_id):
        if matter_id not in self.matters:
            return None
        return copy.deepcopy(self.matters[matter_id]), list(self.events[matter_id])

    def store_task_token(self, matter_id, token, now, slot="TOKEN"):
        self.tokens[matter_id] = token

    def idempotency_record(self, key_hash):
        return self.idem.get(key_hash)

    def public(self, tracking_code):
        return self.public_views.get(tracking_code)

    def public_with_failures(self, tracking_code, rate_key):
        return self.public_views.get(tracking_code), self.failures.get(rate_key, 0)

    def count_failure(self, rate_key, now, window_seconds):
        self.failures[rate_key] = self.failures.get(rate_key, 0) + 1
        return self.failures[rate_key]


class FakeLifecycle:
    def __init__(self, fail: bool = False):
        self.started: list[str] = []
        self.fail = fail

    def start(self, matter_id, generation=1):
        if self.fail:
            raise RuntimeError("Step Functions unavailable")
        self.started.append(matter_id)
        return f"arn:execution:{matter_id}-{generation}"
