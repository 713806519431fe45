"""Agreement timers, the 30-day countdown at a clock speed, signatures and callback rules."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest

from chalicelib.adapters.clock import Clock
from chalicelib.domain import deadlines, mediation as rules
from chalicelib.domain.errors import Conflict
from chalicelib.services import mediation

T0 = datetime(2026, 12, 1, 2, 0, tzinfo=timezone.utc)


def agreement(**changes):
    a = {"agreementId": "a1", "matterId": "m1", "status": "signing", "performBy": None, "performance": None,
         "reminders": [], "confirmation": None,
         "parties": [{"id": "p2", "name": "李春花", "phone": "13812345678", "signedAt": None},
                     {"id": "p3", "name": "王大山", "phone": "13987654321", "signedAt": None}]}
    a.update(changes)
    return a


def effective(at=T0):
    a = rules.sign(agreement(), "p2", "sms", at)
    return rules.sign(a, "p3", "image", at, "agreements/m1/a1/signature-p3.png")


def test_the_last_signature_opens_the_30_day_window():
    a = rules.sign(agreement(), "p2", "sms", T0)
    assert a["status"] == "signing" and a["confirmation"] is None
    with pytest.raises(Conflict):
        rules.sign(a, "p2", "sms", T0)
    a = rules.sign(a, "p3", "image", T0 + timedelta(hours=1))
    assert a["status"] == "effective"
    assert a["confirmation"]["dueAt"] == deadlines.iso(T0 + timedelta(days=30, hours=1))


def test_timers_come_in_order_and_each_fires_once():
    a = effective()
    names = []
    now = T0
    while (timer := rules.next_timer(a, now, [7, 1])) is not None:
        now = deadlines.parse_iso(timer["at"])
        a, text = rules.fire_timer(a, timer["name"], now)
        assert text
        again, repeated = rules.fire_timer(a, timer["name"], now)
        assert repeated is None and again == a
        names.append((timer["name"], now - T0))
    assert names == [("confirmation-7d", timedelta(days=23)), ("confirmation-1d", timedelta(days=29)),
                     ("confirmation-expired", timedelta(days=30))]
    assert a["confirmation"]["state"] == "expired"


def test_a_timer_fired_early_does_nothing():
    a, text = rules.fire_timer(effective(), "confirmation-expired", T0 + timedelta(days=29))
    assert text is None and a["confirmation"]["state"] == "open"


def test_the_countdown_waits_in_real_seconds_at_the_clock_speed():
    """One matter-day a real second: the first reminder (day 23) is ~23 real seconds away."""
    a = {**effective(), "sk": "G#a1"}
    deps = SimpleNamespace(
        staff=SimpleNamespace(repo=SimpleNamespace(mediation_record=lambda m, sk: a), now=lambda: T0),
        rules={"confirmationRemindDaysBefore": [7, 1]}, real_seconds=Clock(speed=86400).real_seconds)
    plan = mediation.plan_timer("m1", "a1", deps)
    assert plan == {"done": False, "name": "confirmation-7d", "at": deadlines.iso(T0 + timedelta(days=23)),
                    "waitSeconds": 23}
    deps.real_seconds = Clock(speed=1).real_seconds
    assert mediation.plan_timer("m1", "a1", deps)["waitSeconds"] == 23 * 86400


def test_a_decided_confirmation_leaves_only_the_performance_reminder():
    a = rules.apply_confirmation(effective(), T0, "k")
    a = rules.submit_confirmation(a, {"id": "dept-431002-court", "name": "北湖区人民法院", "subjects": ["司法确认"]}, T0)
    a = {**a, "performBy": deadlines.iso(T0 + timedelta(days=40))}
    assert rules.next_timer(a, T0, [7, 1])["name"] == "performance"
    a = rules.record_performance(a, {"state": "carried_out"}, {"kind": "staff"}, T0)
    assert rules.next_timer(a, T0, [7, 1]) is None


def test_only_courts_take_applications():
    a = rules.apply_confirmation(effective(), T0, "k")
    with pytest.raises(Exception) as err:
        rules.submit_confirmation(a, {"id": "dept-x", "name": "北湖区人社局", "subjects": ["劳动仲裁"]}, T0)
    assert "courtUnitId" in err.value.fields


@pytest.mark.parametrize("result,status,reopens,action", [
    ("unsatisfied", "concluded", 0, "reopen"),
    ("recurred", "concluded", 0, "reopen"),
    ("unsatisfied", "concluded", 1, "supervise"),
    ("unsatisfied", "closed", 0, "supervise"),
    ("satisfied", "concluded", 0, "none"),
])
def test_callback_rules_come_from_configuration(result, status, reopens, action):
    config = {"results": {"satisfied": {"action": "none"},
                          "unsatisfied": {"action": "reopen", "otherwise": "supervise"},
                          "recurred": {"action": "reopen", "otherwise": "supervise"}}}
    matter = SimpleNamespace(status=status, reopens=[{}] * reopens)
    assert rules.callback_action(config, result, matter) == action
    # another deployment may choose to supervise only
    assert rules.callback_action({"results": {result: {"action": "supervise"}}}, result, matter) == "supervise"
