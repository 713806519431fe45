"""The agreement-timers state machine (real ASL on moto): reminders before the 30-day window
for judicial confirmation closes, its expiry, and the performance reminder — counted in
matter-time through the clock's speed factor."""
from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.adapters import clock as clock_module
from chalicelib.domain import deadlines
from tests.integration.test_mediation_api import (
    APPLICANT, OTHER, accepted, call, effective_agreement, sms_to)
from tests.workflow.helpers import wait_for


def _execution(aws, agreement_id):
    sfn = aws.client("stepfunctions")
    arn = next(m["stateMachineArn"] for m in sfn.list_state_machines()["stateMachines"]
               if m["name"].endswith("agreement-timers"))
    return sfn.describe_execution(executionArn=arn.replace(":stateMachine:", ":execution:") + f":{agreement_id}-timers")


def test_the_30_day_window_reminds_twice_then_expires(aws, api, staff_token, fast_clock):
    mediator = staff_token("township.mediator")
    matter_id = accepted(api, mediator)
    _, agreement, base = effective_agreement(api, mediator, matter_id)
    effective = deadlines.parse_iso(agreement["effectiveAt"])
    assert deadlines.parse_iso(agreement["confirmation"]["dueAt"]) == effective + timedelta(days=30)

    # 30 matter-days at 864,000× are ~3 real seconds
    wait_for(lambda: _execution(aws, agreement["agreementId"])["status"] == "SUCCEEDED", timeout=20)
    for phone in (APPLICANT, OTHER):
        texts = sms_to(phone)
        assert any("还剩7天" in t for t in texts) and any("还剩1天" in t for t in texts)
        assert any("未申请司法确认" in t for t in texts)
    _, after = call(api, "get", base, token=mediator)
    assert after["confirmation"]["state"] == "expired"
    # each timer once, the window's in order (the agreed performance date, already past on this
    # fast clock, reminds too)
    assert [r for r in after["reminders"] if r.startswith("confirmation")] == [
        "confirmation-7d", "confirmation-1d", "confirmation-expired"]
    assert "performance" in after["reminders"] and len(after["reminders"]) == 4
    # too late to apply now
    status, body = call(api, "post", f"{base}/confirmation", {"step": "apply"}, mediator)
    assert status == 409 and body["error"]["code"] == "confirmation_state"
    _, view = call(api, "get", f"/api/staff/matters/{matter_id}", token=mediator)
    reminders = [e["text"] for e in view["timeline"] if e["type"] == "agreement_reminder"]
    assert len(reminders) == 4 and not any(e["public"] for e in view["timeline"] if e["type"] == "agreement_reminder")


@pytest.fixture
def four_days_a_second():
    """Slow enough for a few API calls within the 30 days (they last ~7.5 real seconds)."""
    previous = clock_module._clock
    clock_module._clock = clock_module.Clock(speed=4 * 86400)
    yield clock_module._clock
    clock_module._clock = previous


def test_a_submission_in_time_stops_the_countdown(aws, api, staff_token, four_days_a_second):
    mediator = staff_token("township.mediator")
    matter_id = accepted(api, mediator)
    _, agreement, base = effective_agreement(api, mediator, matter_id)
    assert call(api, "post", f"{base}/confirmation", {"step": "apply"}, mediator)[0] == 200
    assert call(api, "post", f"{base}/confirmation", {"step": "submit", "courtUnitId": "dept-431002-court"},
                mediator)[0] == 200
    wait_for(lambda: _execution(aws, agreement["agreementId"])["status"] == "SUCCEEDED", timeout=30)
    _, after = call(api, "get", base, token=mediator)
    assert after["confirmation"]["state"] == "submitted" and "confirmation-expired" not in after["reminders"]
    assert not any("未申请司法确认" in t for t in sms_to(APPLICANT))
    # no timer waits for the window any more: the execution ended before the 30 days
    assert clock_module.now() < deadlines.parse_iso(after["confirmation"]["dueAt"])
    status, decided = call(api, "post", f"{base}/confirmation",
                           {"step": "decide", "decision": "rejected", "rulingNumber": "（2026）湘1002民特9号"}, mediator)
    assert status == 200 and decided["confirmation"]["state"] == "rejected"


def test_a_local_restart_gives_effective_agreements_their_timers_back_once(aws, api, staff_token, fast_clock,
                                                                           monkeypatch):
    """moto forgets executions across a restart of the local runtime; the start-up puts back the
    timers of every effective agreement, which then remind as if nothing had happened."""
    from chalicelib import settings
    from chalicelib.adapters.local.runtime import restart_agreement_timers
    mediator = staff_token("township.mediator")
    matter_id = accepted(api, mediator)
    arn = settings.AGREEMENT_STATE_MACHINE_ARN
    monkeypatch.setattr(settings, "AGREEMENT_STATE_MACHINE_ARN", "")  # as after a restart: no execution
    _, agreement, base = effective_agreement(api, mediator, matter_id)
    monkeypatch.setattr(settings, "AGREEMENT_STATE_MACHINE_ARN", arn)
    with pytest.raises(aws.client("stepfunctions").exceptions.ExecutionDoesNotExist):
        _execution(aws, agreement["agreementId"])

    assert restart_agreement_timers(settings.MATTERS_TABLE) == 1
    wait_for(lambda: _execution(aws, agreement["agreementId"])["status"] == "SUCCEEDED", timeout=20)
    _, after = call(api, "get", base, token=mediator)
    assert after["confirmation"]["state"] == "expired" and len(after["reminders"]) == 4
    assert sum("还剩7天" in t for t in sms_to(APPLICANT)) == 1
    assert restart_agreement_timers(settings.MATTERS_TABLE) == 0  # a second pass starts nothing twice
