"""The local runtime's stand-in for EventBridge Scheduler fires the template's report schedules
at their China times, once each."""
from __future__ import annotations

from datetime import datetime, timezone

from chalicelib.adapters.local.schedules import ScheduleTimer, last_fire
from chalicelib.adapters.local.template import load_template


def test_the_monthly_schedule_is_the_1st_at_six_china_time():
    at = last_fire("cron(0 6 1 * ? *)", "Asia/Shanghai", datetime(2026, 12, 15, tzinfo=timezone.utc))
    assert at.isoformat() == "2026-12-01T06:00:00+08:00"
    before = last_fire("cron(0 6 1 * ? *)", "Asia/Shanghai", datetime(2026, 11, 30, 21, 59, tzinfo=timezone.utc))
    assert before.isoformat() == "2026-11-01T06:00:00+08:00"  # 05:59 on 1 December in China
    monday = last_fire("cron(0 7 ? * MON *)", "Asia/Shanghai", datetime(2026, 12, 3, tzinfo=timezone.utc))
    assert monday.isoformat() == "2026-11-30T07:00:00+08:00"


def test_the_timer_fires_each_schedule_once_when_its_time_comes():
    clock = {"now": datetime(2026, 11, 30, 21, 0, tzinfo=timezone.utc)}  # 05:00 on 1 Dec, China
    calls = []
    timer = ScheduleTimer(load_template(), lambda name, event: calls.append((name, event)) or (None, None),
                          lambda: clock["now"])
    assert timer.tick() == [] and calls == []
    clock["now"] = datetime(2026, 11, 30, 22, 1, tzinfo=timezone.utc)  # 06:01 in China
    assert timer.tick() == ["MonthlyReportSchedule"]
    assert calls == [("ReportsFunction", {"kind": "monthly"})]
    assert timer.tick() == []  # the same time is not fired twice
