"""Intake and lookup rules with fakes: what the citizen gets whatever storage does."""
from __future__ import annotations

import itertools
from datetime import datetime, timezone

import pytest

from chalicelib import settings
from chalicelib.domain.errors import Conflict, NotFound, ServiceUnavailable, TooManyRequests
from chalicelib.services import intake
from tests.unit.fakes import FakeLifecycle, FakeRepository

NOW = datetime(2026, 12, 1, 2, 0, tzinfo=timezone.utc)
BODY = {"kind": "consultation", "title": "咨询宅基地审批流程",
        "description": "想了解农村宅基地建房需要哪些审批手续。", "regionCode": "431002001",
        "applicant": {"name": "刘芳", "phone": "13700001111"}}


def deps(repo=None, lifecycle=None, randoms=None):
    counter = itertools.count()
    return intake.Deps(repo=repo or FakeRepository(), lifecycle=lifecycle or FakeLifecycle(),
                       hash_phone=lambda p: "h:" + p, now=lambda: NOW,
                       random_bytes=randoms or (lambda n: bytes([next(counter) % 256]) * n))


def code_draws(*fills):
    """A random source whose tracking-code draws (32 bytes) repeat the given fill bytes."""
    fills, ids = iter(fills), itertools.count(1)
    return lambda n: bytes([next(fills)]) * n if n == 32 else next(ids).to_bytes(n, "big")


def test_a_tracking_code_collision_picks_another_code():
    d = deps(randoms=code_draws(7, 7, 9))
    first = intake.file_matter(BODY, None, d)
    second = intake.file_matter(BODY, None, d)
    assert first["trackingCode"] != second["trackingCode"]
    assert len(d.repo.matters) == 2


def test_endless_collisions_answer_retry_later_not_a_crash():
    d = deps(randoms=code_draws(*[7] * 6))
    intake.file_matter(BODY, None, d)
    with pytest.raises(ServiceUnavailable):
        intake.file_matter(BODY, None, d)


def test_the_matter_is_kept_when_its_lifecycle_fails_to_start():
    d = deps(lifecycle=FakeLifecycle(fail=True))
    receipt = intake.file_matter(BODY, None, d)
    assert receipt["matterId"] in d.repo.matters
    assert receipt["status"] == "received"


def test_an_idempotent_retry_returns_the_first_receipt_and_restarts_nothing_twice():
    d = deps()
    first = intake.file_matter(BODY, "key-1", d)
    again = intake.file_matter(BODY, "key-1", d)
    assert again == first
    assert len(d.repo.matters) == 1
    with pytest.raises(Conflict):
        intake.file_matter({**BODY, "title": "另一件事"}, "key-1", d)


def test_lookup_needs_code_and_phone_and_counts_failures():
    d = deps()
    receipt = intake.file_matter(BODY, None, d)
    assert intake.lookup_matter(receipt["trackingCode"], "13700001111", "1.2.3.4", d)["status"] == "received"
    with pytest.raises(NotFound):
        intake.lookup_matter(receipt["trackingCode"], "13700001112", "1.2.3.4", d)
    with pytest.raises(NotFound):  # malformed code: refused before any read
        intake.lookup_matter("not-a-code", "13700001111", "1.2.3.4", d)
    assert sum(d.repo.failures.values()) == 2


def test_lookup_budget_is_per_client():
    d = deps()
    receipt = intake.file_matter(BODY, None, d)
    for _ in range(settings.LOOKUP_FAILURES_ALLOWED):
        with pytest.raises(NotFound):
            intake.lookup_matter(receipt["trackingCode"], "13900000000", "10.0.0.1", d)
    with pytest.raises(TooManyRequests):
        intake.lookup_matter(receipt["trackingCode"], "13700001111", "10.0.0.1", d)
    assert intake.lookup_matter(receipt["trackingCode"], "13700001111", "10.0.0.2", d)
