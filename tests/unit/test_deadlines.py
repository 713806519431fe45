"""The 137+2030 clocks on the China calendar day."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from hypothesis import given, strategies as st

from chalicelib.domain import deadlines

CST = timezone(timedelta(hours=8))


def at(y, m, d, hh=10, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=CST)


def due(clocks, name):
    return deadlines.parse_iso(clocks[name]["dueAt"]).astimezone(CST)


def test_mediation_is_accepted_the_same_day_and_concluded_by_severity():
    start = at(2026, 12, 1, 23, 30)
    for severity, days in [("simple", 3), ("general", 7), ("major", 20), ("significant", 30)]:
        clocks = deadlines.initial_clocks("mediation", severity, start)
        assert due(clocks, "accept") == at(2026, 12, 2, 0, 0)  # midnight closing 1 Dec (China time)
        assert due(clocks, "conclude") == at(2026, 12, 2, 0, 0) + timedelta(days=days)


def test_service_kinds_owe_a_stage_reply_in_3_days_and_a_conclusion_in_7():
    for kind in ("livelihood", "complaint", "consultation", "legal_aid"):
        clocks = deadlines.initial_clocks(kind, None, at(2026, 12, 31, 8))
        assert set(clocks) == {"stage_reply", "conclude"}
        assert due(clocks, "stage_reply") == at(2027, 1, 4, 0, 0)
        assert due(clocks, "conclude") == at(2027, 1, 8, 0, 0)


def test_the_china_date_decides_not_the_utc_date():
    # 1 Dec 17:00 UTC is already 2 Dec in Chenzhou
    clocks = deadlines.initial_clocks("mediation", "simple", datetime(2026, 12, 1, 17, 0, tzinfo=timezone.utc))
    assert due(clocks, "accept") == at(2026, 12, 3, 0, 0)


def test_a_running_clock_past_due_reads_overdue_and_is_marked_once():
    clocks = deadlines.initial_clocks("complaint", None, at(2026, 12, 1))
    later = at(2026, 12, 5, 1)
    assert deadlines.view_clocks(clocks, later)["stage_reply"]["state"] == "overdue"
    assert deadlines.view_clocks(clocks, later)["conclude"]["state"] == "running"
    marked, changed = deadlines.mark_overdue(clocks, later)
    assert changed == ["stage_reply"]
    assert deadlines.mark_overdue(marked, later)[1] == []
    assert deadlines.next_due(marked) == deadlines.parse_iso(clocks["conclude"]["dueAt"])


@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2090, 1, 1),
                    timezones=st.just(timezone.utc)),
       st.sampled_from(["simple", "general", "major", "significant"]))
def test_every_due_time_is_a_china_midnight_after_receipt(start, severity):
    for name, clock in deadlines.initial_clocks("mediation", severity, start).items():
        d = due({name: clock}, name)
        assert (d.hour, d.minute, d.second) == (0, 0, 0)
        assert d > start
