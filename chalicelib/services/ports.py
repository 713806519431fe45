"""What the services need from storage and workflow, so fakes can stand in for AWS in unit tests."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from ..domain.matter import Event, Matter


class TrackingCodeTaken(Exception):
    """The chosen tracking code already exists: pick another."""


class IdempotencyKeyUsed(Exception):
    """The idempotency key was stored before: answer from the stored record."""


@dataclass
class PublicEntry:
    matter_id: str
    phone_hash: str
    snapshot: dict


@dataclass
class IdempotencyEntry:
    body_hash: str
    matter_id: str
    tracking_code: str


class MatterRepository(Protocol):
    def add_new(self, matter: Matter, first_events: list[Event], public_snapshot: dict,
                idempotency: tuple[str, str] | None, now: datetime, audit: dict | None = None) -> None: ...
    def save(self, matter: Matter, new_events: list[Event], public_snapshot: dict | None,
             audit: dict | None = None) -> None: ...
    def store_task_token(self, matter_id: str, token: str, now: datetime, slot: str = "TOKEN") -> None: ...
    def idempotency_record(self, key_hash: str) -> IdempotencyEntry | None: ...
    def public(self, tracking_code: str) -> PublicEntry | None: ...
    def public_with_failures(self, tracking_code: str, rate_key: str) -> tuple[PublicEntry | None, int]: ...
    def count_failure(self, rate_key: str, now: datetime, window_seconds: int) -> int: ...
    def load(self, matter_id: str) -> tuple[Matter, list[Event]] | None: ...


class Lifecycle(Protocol):
    def start(self, matter_id: str, generation: int = 1) -> str: ...
