"""The 137+2030 clocks on the China calendar day."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from hypothesis import given, strategies as st

from chalicelib.domain import deadlines

CST = timezone(timedelta(hours=8))


def at(y, m, d, hh=10, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=CST)


def due(clocks, name):
    return deadlines.due_at(clocks[name]).astimezone(CST)


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
    assert deadlines.next_due(marked) == deadlines.due_at(clocks["conclude"])


@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2090, 1, 1),
                    timezones=st.just(timezone.utc)),
       st.sampled_from(["simple", "general", "major", "significant"]))
def test_every_due_time_is_a_china_midnight_after_receipt(start, severity):
    for name, clock in deadlines.initial_clocks("mediation", severity, start).items():
        d = due({name: clock}, name)
        assert (d.hour, d.minute, d.second) == (0, 0, 0)
        assert d > start


WORKING = deadlines.Calendar("working")


def test_working_days_skip_the_national_day_holiday_and_count_make_up_days():
    # received Wed 30 Sep 2026; 1-7 Oct are holidays, Sat 10 Oct is a make-up working day
    clocks = deadlines.initial_clocks("complaint", None, at(2026, 9, 30, 10), WORKING)
    assert due(clocks, "stage_reply") == at(2026, 10, 11, 0, 0)   # end of Sat 10 Oct
    assert due(clocks, "conclude") == at(2026, 10, 16, 0, 0)      # end of Thu 15 Oct


def test_same_day_acceptance_on_a_holiday_falls_on_the_next_working_day():
    # Sat 19 Sep 2026 is a rest day, Sun 20 Sep a make-up working day
    clocks = deadlines.initial_clocks("mediation", "simple", at(2026, 9, 19, 9), WORKING)
    assert due(clocks, "accept") == at(2026, 9, 21, 0, 0)


def test_years_past_the_official_data_count_weekdays():
    clocks = deadlines.initial_clocks("consultation", None, at(2027, 3, 5, 9), WORKING)  # a Friday
    assert due(clocks, "stage_reply") == at(2027, 3, 11, 0, 0)  # Mon, Tue, Wed 10 Mar


def test_a_pause_stops_the_clock_for_exactly_its_length():
    start = at(2026, 12, 1)
    clocks = deadlines.initial_clocks("mediation", "general", start)
    before = deadlines.due_at(clocks["conclude"])
    paused = deadlines.pause(clocks, at(2026, 12, 3))
    assert deadlines.view_clocks(paused, at(2026, 12, 30))["conclude"]["state"] == "paused"
    assert deadlines.next_due(paused) is None  # nothing to wait for while experts work
    resumed = deadlines.resume(paused, at(2026, 12, 5, 12))
    assert deadlines.due_at(resumed["conclude"]) == before + timedelta(days=2, hours=2)


def test_an_extension_moves_an_overdue_conclusion_back_to_running():
    clocks = deadlines.initial_clocks("complaint", None, at(2026, 12, 1))
    late, _ = deadlines.mark_overdue(clocks, at(2026, 12, 20))
    extended = deadlines.extend(late, at(2026, 12, 31), at(2026, 12, 20))
    assert extended["conclude"]["state"] == "running"
    assert deadlines.due_at(extended["conclude"]) == at(2026, 12, 31)
    shorter = deadlines.extend(extended, at(2026, 12, 25), at(2026, 12, 20))
    assert deadlines.due_at(shorter["conclude"]) == at(2026, 12, 31)  # never earlier


def test_meeting_a_clock_late_keeps_the_lateness_on_record():
    clocks = deadlines.initial_clocks("complaint", None, at(2026, 12, 1))
    on_time = deadlines.meet(clocks, "stage_reply", at(2026, 12, 2))
    assert on_time["stage_reply"]["state"] == "met"
    late = deadlines.meet(clocks, "stage_reply", at(2026, 12, 9))
    assert late["stage_reply"]["state"] == "overdue" and late["stage_reply"]["metAt"]


def test_reassessing_severity_recounts_from_receipt():
    start = at(2026, 12, 1)
    clocks = deadlines.initial_clocks("mediation", "general", start)
    major = deadlines.reassess(clocks, "mediation", "major", start)
    assert due(major, "conclude") == at(2026, 12, 22, 0, 0)


_moments = st.integers(min_value=0, max_value=40 * 24 * 3600)


@given(st.lists(st.tuples(_moments, st.integers(min_value=0, max_value=10 * 24 * 3600)), max_size=4),
       st.integers(min_value=-10, max_value=40), st.permutations(range(5)))
def test_pauses_and_an_extension_compose_in_any_order(pauses, ext_days, order):
    start = at(2026, 12, 1)
    base = deadlines.initial_clocks("mediation", "general", start)
    new_due = start + timedelta(days=ext_days)
    steps = [("pause", s, length) for s, length in pauses] + [("extend", None, None)]

    def run(sequence):
        clocks, now = base, start
        for kind, offset, length in sequence:
            if kind == "extend":
                clocks = deadlines.extend(clocks, new_due, now)
            else:
                clocks = deadlines.pause(clocks, now)
                now = now + timedelta(seconds=length)
                clocks = deadlines.resume(clocks, now)
        return deadlines.due_at(clocks["conclude"])

    sequence = [steps[i] for i in order if i < len(steps)]
    result = run(sequence)
    assert result == run(steps)  # order does not matter
    assert result >= deadlines.due_at(base["conclude"])  # never earlier than the rule
    assert result >= new_due
