"""After conclusion: the citizen rates once (→ closed) or reopens an unresolved answer once
within 15 days (→ back to the unit, fresh clocks). Pure rules of domain/lifecycle."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.domain import deadlines, lifecycle
from chalicelib.domain.errors import Conflict, ValidationFailed
from chalicelib.domain.matter import Matter, public_view

T0 = datetime(2026, 10, 12, 2, 0, tzinfo=timezone.utc)
UNITS = {"pmc-1": {"id": "pmc-1", "name": "人民路街道人民调解委员会", "type": "mediation_org",
                   "level": "township", "regionCode": "431002001"},
         "ctr-1": {"id": "ctr-1", "name": "人民路街道矛调中心", "type": "centre", "level": "township",
                   "regionCode": "431002001"}}


class Directory:
    def unit(self, unit_id):
        return UNITS.get(unit_id)


def concluded(kind="mediation", result="unresolved", at=T0, unit="pmc-1", joint=None) -> Matter:
    m = Matter(matter_id="M1", tracking_code="CPT-RSP-Z79D", kind=kind, title="邻里纠纷",
               description="…", region_code="431002001001", applicant={"name": "张三", "phone": "13812345678"},
               received_at=deadlines.iso(at - timedelta(days=5)), clocks={}, status="concluded",
               severity="general" if kind == "mediation" else None, assigned_unit_id=unit,
               holder_centre_id="ctr-1", first_handler={"id": "township.mediator", "unitId": unit},
               joint=joint, event_count=4, version=7,
               outcome={"result": result, "answer": "未能达成一致", "agreementReached": False,
                        "at": deadlines.iso(at)})
    m.clocks = {"conclude": {"ruleDueAt": deadlines.iso(at), "pausedSeconds": 0, "state": "met",
                             "metAt": deadlines.iso(at)}}
    return m


def test_rating_closes_the_matter_once_with_a_public_event():
    out = lifecycle.evaluate(concluded(result="resolved"), {"rating": 4, "comment": " 调解员很耐心 "}, T0)
    assert out.matter.status == "closed"
    assert out.matter.evaluation == {"rating": 4, "comment": "调解员很耐心", "at": deadlines.iso(T0)}
    [event] = out.events
    assert (event.type, event.public, event.seq, event.actor) == ("evaluated", True, 5, {"kind": "citizen"})
    assert "4星" in event.text
    with pytest.raises(Conflict) as err:
        lifecycle.evaluate(out.matter, {"rating": 5}, T0)
    assert err.value.code == "already_evaluated"


@pytest.mark.parametrize("status", ["received", "assigned", "in_progress", "paused", "returned",
                                    "escalated", "joint_mediation"])
def test_no_rating_before_conclusion(status):
    m = concluded()
    m.status = status
    with pytest.raises(Conflict) as err:
        lifecycle.evaluate(m, {"rating": 5}, T0)
    assert err.value.code == "not_concluded"


@pytest.mark.parametrize("rating", [0, 6, "5", 4.5, True, None])
def test_rating_is_a_whole_number_from_one_to_five(rating):
    with pytest.raises(ValidationFailed) as err:
        lifecycle.evaluate(concluded(), {"rating": rating}, T0)
    assert "rating" in err.value.fields


def test_comment_is_limited():
    with pytest.raises(ValidationFailed) as err:
        lifecycle.evaluate(concluded(), {"rating": 3, "comment": "很" * 501}, T0)
    assert "comment" in err.value.fields


def test_reopening_returns_to_the_concluding_unit_in_progress_with_fresh_clocks():
    now = T0 + timedelta(days=3)
    out = lifecycle.reopen(concluded(), {"reason": "对方仍在排水"}, now, Directory())
    m = out.matter
    assert (m.status, m.assigned_unit_id, m.outcome) == ("in_progress", "pmc-1", None)
    assert m.first_handler["id"] == "township.mediator"  # 首接首办 stays
    assert m.assigned_at == deadlines.iso(now)
    assert m.clocks["accept"]["state"] == "met" and m.clocks["conclude"]["state"] == "running"
    assert deadlines.due_at(m.clocks["conclude"]) > now + timedelta(days=6)  # general: 7 days again
    assert m.reopens[0]["previousOutcome"]["result"] == "unresolved"
    assert [e.type for e in out.events] == ["reopened", "reassigned"]
    assert all(e.public for e in out.events) and "对方仍在排水" in out.events[0].text
    assert out.effects == [{"type": "notify_unit", "unitId": "pmc-1", "reason": "reopened"}]
    assert m.queue_unit_id() == "pmc-1"  # back on the unit's work list


def test_a_reopened_service_matter_owes_a_stage_reply_again():
    out = lifecycle.reopen(concluded(kind="complaint", result="partly_resolved"), {"reason": "还没解决"},
                           T0, Directory())
    assert set(out.matter.clocks) == {"stage_reply", "conclude"}
    assert {c["state"] for c in out.matter.clocks.values()} == {"running"}


def test_a_joint_mediation_conclusion_reopens_at_the_centre_with_the_joint_clock():
    m = concluded(unit="ctr-1", joint={"round": 1, "mode": "joint", "units": [], "confirmed": []})
    out = lifecycle.reopen(m, {"reason": "协议未履行"}, T0, Directory())
    assert out.matter.assigned_unit_id == "ctr-1" and set(out.matter.clocks) == {"conclude"}
    assert deadlines.due_at(out.matter.clocks["conclude"]) > T0 + timedelta(days=29)


@pytest.mark.parametrize("change,code", [
    (lambda m: setattr(m, "outcome", {**m.outcome, "result": "resolved"}), "not_reopenable"),
    (lambda m: setattr(m, "status", "in_progress"), "not_concluded"),
    (lambda m: setattr(m, "status", "closed"), "already_evaluated"),
    (lambda m: setattr(m, "reopens", [{"at": "x"}]), "already_reopened"),
])
def test_reopening_is_refused(change, code):
    m = concluded()
    change(m)
    with pytest.raises(Conflict) as err:
        lifecycle.reopen(m, {"reason": "再办"}, T0, Directory())
    assert err.value.code == code


def test_reopening_is_possible_for_fifteen_days_only():
    fifteen = T0 + timedelta(days=15)
    assert lifecycle.reopen(concluded(), {"reason": "再办"}, fifteen, Directory()).matter.status == "in_progress"
    with pytest.raises(Conflict) as err:
        lifecycle.reopen(concluded(), {"reason": "再办"}, fifteen + timedelta(seconds=1), Directory())
    assert err.value.code == "reopen_period_over"


def test_reopening_needs_a_reason():
    with pytest.raises(ValidationFailed) as err:
        lifecycle.reopen(concluded(), {"reason": "  "}, T0, Directory())
    assert "reason" in err.value.fields


def test_the_public_view_says_what_the_citizen_may_do_now():
    snap = concluded().public_snapshot([], "委员会")
    view = public_view(snap, T0 + timedelta(days=1))
    assert view["canEvaluate"] and view["canReopen"]
    assert view["reopenableUntil"] == deadlines.iso(T0 + timedelta(days=15))
    assert not public_view(snap, T0 + timedelta(days=16))["canReopen"]
    resolved = concluded(result="resolved").public_snapshot([], "委员会")
    assert public_view(resolved, T0)["canReopen"] is False and public_view(resolved, T0)["reopenableUntil"] is None
    closed = lifecycle.evaluate(concluded(), {"rating": 2}, T0).matter.public_snapshot([], "委员会")
    assert closed["evaluation"]["rating"] == 2
    assert not public_view(closed, T0)["canEvaluate"] and not public_view(closed, T0)["canReopen"]
