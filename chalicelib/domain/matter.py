"""The matter aggregate: what a citizen filed, where it stands, and what the public may see.

Pure data and rules; repositories persist these dicts, services decide when to change them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from . import deadlines
from .identity import mask_id_number, mask_phone

STATUS_NAMES = {
    "received": "已受理待分流",
    "assigned": "已分派待接收",
    "in_progress": "办理中",
    "paused": "中止计时",
    "returned": "退回待审批",
    "escalated": "已上报",
    "joint_mediation": "联调联处",
    "concluded": "已办结",
    "closed": "已回访评价",
}
OPEN_STATUSES = frozenset(STATUS_NAMES) - {"closed"}


@dataclass
class Event:
    """One line of a matter's timeline: who did what, when and why."""
    seq: int
    at: str
    type: str
    text: str
    public: bool
    actor: dict
    note: str | None = None
    data: dict = field(default_factory=dict)

    def public_view(self) -> dict:
        return {"at": self.at, "type": self.type, "text": self.text}


@dataclass
class Matter:
    matter_id: str
    tracking_code: str
    kind: str
    title: str
    description: str
    region_code: str
    applicant: dict
    received_at: str
    clocks: dict
    category: str | None = None
    severity: str | None = None
    address: str | None = None
    other_parties: list = field(default_factory=list)
    mass_involved: bool = False
    channel: str = "portal"
    status: str = "received"
    assigned_unit_id: str | None = None
    return_count: int = 0
    event_count: int = 0
    phone_hash: str | None = None  # keyed hash of the applicant's phone, set by the service
    assigned_at: str | None = None  # when the current unit (or holding centre) received it
    holder_centre_id: str | None = None  # the centre that dispatches it (分流) at this level
    routing: dict | None = None  # the rule that chose the first unit, and why
    first_handler: dict | None = None  # 首接首办: who accepted it first
    participant_unit_ids: list = field(default_factory=list)
    supervised: bool = False
    pending_return: dict | None = None
    pending_extension: dict | None = None
    joint: dict | None = None
    outcome: dict | None = None
    warned: list = field(default_factory=list)  # (分级预警) levels already warned
    evaluation: dict | None = None  # 满意度评价 {rating, comment, at}: once, then closed
    reopens: list = field(default_factory=list)  # [{at, reason, previousOutcome, unitId}]
    evidence: list = field(default_factory=list)  # [{key, name, size, contentType, at, by}]
    agreements: list = field(default_factory=list)  # effective 调解协议书 [{agreementId, at, sessionId}]
    version: int | None = None

    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def deadlines(self, now: datetime) -> dict:
        return deadlines.view_clocks(self.clocks, now)

    def public_snapshot(self, events: list[Event], unit_name: str | None) -> dict:
        """What the citizen may see, stored beside the matter and rewritten with every public
        change: no other party's data, no staff notes, no internal ids."""
        return {
            "trackingCode": self.tracking_code,
            "kind": self.kind,
            "title": self.title,
            "status": self.status,
            "currentUnit": unit_name,
            "receivedAt": self.received_at,
            "clocks": self.clocks,
            "outcome": ({"result": self.outcome["result"], "answer": self.outcome["answer"],
                         "at": self.outcome.get("at")} if self.outcome else None),
            "evaluation": ({"rating": self.evaluation["rating"], "comment": self.evaluation.get("comment"),
                            "at": self.evaluation["at"]} if self.evaluation else None),
            "reopenCount": len(self.reopens),
            "evidence": [{"key": e["key"], "name": e["name"], "size": e["size"],
                          "contentType": e["contentType"], "at": e["at"]}
                         for e in self.evidence if e.get("by") == "citizen"],
            "timeline": [e.public_view() for e in events if e.public],
        }

    def queue_unit_id(self) -> str | None:
        """Whose work list the matter is on: the unit handling it, else the centre holding
        it for dispatch; none once concluded."""
        if self.status in ("concluded", "closed"):
            return None
        return self.assigned_unit_id or self.holder_centre_id

    def queue_key(self) -> str:
        """Sorts a work list by the nearest deadline, so overdue matters come first."""
        due = deadlines.next_due(self.clocks)
        return f"{deadlines.iso(due) if due else '9999-12-31T00:00:00Z'}#{self.matter_id}"

    def masked_applicant(self) -> dict:
        out = {"name": self.applicant["name"], "phone": mask_phone(self.applicant["phone"])}
        if self.applicant.get("idNumber"):
            out["idNumber"] = mask_id_number(self.applicant["idNumber"])
        return out


def public_view(snapshot: dict, now: datetime) -> dict:
    """The stored snapshot as answered now: clocks read against the current time."""
    view = {k: v for k, v in snapshot.items() if k != "clocks"}
    view["statusName"] = STATUS_NAMES[snapshot["status"]]
    view["deadlines"] = deadlines.view_clocks(snapshot["clocks"], now)
    view["overdue"] = deadlines.is_overdue(snapshot["clocks"], now)
    view["canEvaluate"] = snapshot["status"] == "concluded" and not snapshot.get("evaluation")
    view["reopenableUntil"] = reopenable_until(snapshot)
    view["canReopen"] = bool(view["reopenableUntil"]) and now <= deadlines.parse_iso(view["reopenableUntil"])
    return view


REOPEN_DAYS = 15
REOPENABLE_RESULTS = ("unresolved", "partly_resolved")
MAX_REOPENS = 1


def reopenable_until(snapshot: dict) -> str | None:
    """An unresolved or partly resolved answer may be reopened once, within 15 days of the
    conclusion, as long as the citizen has not rated it."""
    outcome = snapshot.get("outcome") or {}
    if (snapshot["status"] != "concluded" or snapshot.get("evaluation")
            or outcome.get("result") not in REOPENABLE_RESULTS or not outcome.get("at")
            or snapshot.get("reopenCount", 0) >= MAX_REOPENS):
        return None
    return deadlines.iso(deadlines.parse_iso(outcome["at"]) + timedelta(days=REOPEN_DAYS))


KIND_RECEIVED_TEXT = "您的{kind}已受理，正在分流至承办单位。"


def new_matter(*, matter_id: str, tracking_code: str, intake: dict, now: datetime,
               kind_name: str, channel: str = "portal",
               receiver: dict | None = None) -> tuple[Matter, Event]:
    """A validated intake becomes a received matter with its clocks running and its first event.
    `receiver` is the staff member who took it in (visit, phone, window), as event actors are
    recorded: `{kind: staff, id: <username>, name, role, unitId}`."""
    severity = "general" if intake["kind"] == "mediation" else None
    received_at = deadlines.iso(now)
    matter = Matter(
        matter_id=matter_id,
        tracking_code=tracking_code,
        kind=intake["kind"],
        title=intake["title"],
        description=intake["description"],
        region_code=intake["regionCode"],
        applicant=intake["applicant"],
        received_at=received_at,
        clocks=deadlines.initial_clocks(intake["kind"], severity, now),
        category=intake.get("category"),
        severity=severity,
        address=intake.get("address"),
        other_parties=intake.get("otherParties", []),
        mass_involved=bool(intake.get("massInvolved", False)),
        channel=channel,
        event_count=1,
    )
    event = Event(seq=1, at=received_at, type="received", public=True,
                  text=KIND_RECEIVED_TEXT.format(kind=kind_name),
                  actor=receiver or {"kind": "citizen" if channel == "portal" else "system"},
                  data={"channel": channel, **({"receivedBy": receiver["id"]} if receiver else {})})
    return matter, event
