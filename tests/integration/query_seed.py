"""Matters stored straight through the repository (routed as intake routes them, no
lifecycle execution), so query tests can hold a hundred matters filed on different days."""
from __future__ import annotations

import itertools
import os
from datetime import datetime, timedelta, timezone

from chalicelib.domain import matter as matter_rules
from chalicelib.domain.ids import new_matter_id
from chalicelib.domain.tracking import new_tracking_code
from chalicelib.wiring import intake_deps, repository

T0 = datetime(2026, 11, 1, 2, 0, tzinfo=timezone.utc)  # 10:00 China time
_phones = itertools.count(13700000000)


def seed(kind="complaint", region="431002001001", category="labour", at=T0, title=None,
         mass=False):
    """One stored matter; returns it as stored."""
    intake = {"kind": kind, "title": title or f"{kind}-{region}-{at:%m%d%H%M%S}",
              "description": "测试事项", "regionCode": region,
              "applicant": {"name": "测试", "phone": str(next(_phones))}, "otherParties": [],
              "massInvolved": mass}
    if category:
        intake["category"] = category
    m, event = matter_rules.new_matter(
        matter_id=new_matter_id(at, os.urandom(10)), tracking_code=new_tracking_code(os.urandom(32)),
        intake=intake, now=at, kind_name="事项", channel="portal")
    m.phone_hash = "h" * 64
    events = [event]
    intake_deps().place(m, events, at)
    repository().add_new(m, events, m.public_snapshot(events, None), None, at)
    return m


def seed_many(n, regions, kinds=("complaint", "mediation", "livelihood"), start=T0,
              step=timedelta(hours=7)):
    """n matters spread over regions, kinds and time (one every `step`, oldest first)."""
    out = []
    for i in range(n):
        out.append(seed(kind=kinds[i % len(kinds)], region=regions[i % len(regions)],
                        category="labour" if i % 2 else "neighbourhood", at=start + i * step))
    return out
