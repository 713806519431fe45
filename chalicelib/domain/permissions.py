"""Who may see a matter and who may act on it: the one policy every staff route asks.

Pure: no IO, no clock. The caller supplies the facts (`MatterFacts`) and the actor.

Two questions, kept apart on purpose:

1. **Scope** — may this person know the matter exists? Out of scope answers `NOT_VISIBLE` for
   *every* action (the API's 404), so no action name can be used to probe for a matter.
2. **Grant** — within scope, does the role together with the unit's relation to the matter allow
   the action? If not, `FORBIDDEN` (the API's 403).

The matter's status is not consulted here: the lifecycle intersects `visible_actions` with what the
status allows, so "may this person" and "may it happen now" stay separate rules.

Both halves are tables (`SCOPE`, `GRANTS`) over named relations (`RELATIONS`) between the actor's
unit and the matter, so the policy can be read — and reviewed against 首接首办, 退回需本单位领导审核,
上报, 督办 — without following branches.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Callable, Protocol


class ActorLike(Protocol):
    """What the policy reads from a staff member (`chalicelib.domain.actor.Actor` fits). Only these
    attributes are needed; unit type and level follow from the role."""

    @property
    def user_id(self) -> str: ...
    @property
    def role(self) -> str: ...
    @property
    def unit_id(self) -> str | None: ...
    @property
    def region_code(self) -> str | None: ...


@dataclass(frozen=True)
class MatterFacts:
    """The few facts of a matter that decide who sees it and who acts on it.

    `holder_centre_id` is the centre currently holding the matter for dispatch (the township
    centre after intake; after a return or an escalation, the centre of that level).
    `participant_unit_ids` are units that handled it, returned it, or take part in joint mediation:
    they keep sight of it after it moves on."""

    region_code: str
    assigned_unit_id: str | None = None
    assigned_unit_type: str | None = None  # "centre" | "department" | "mediation_org" | "institution"
    assigned_unit_region: str | None = None
    participant_unit_ids: frozenset[str] = field(default_factory=frozenset)
    holder_centre_id: str | None = None
    first_handler_id: str | None = None
    overdue: bool = False
    status: str = "received"

    def __post_init__(self) -> None:
        object.__setattr__(self, "participant_unit_ids", frozenset(self.participant_unit_ids))


class Decision(enum.Enum):
    ALLOW = "allow"
    FORBIDDEN = "forbidden"  # in scope, but this role may not: 403
    NOT_VISIBLE = "not_visible"  # out of scope: 404, the matter's existence is not revealed


HANDLER_ACTIONS = frozenset({"accept", "stage_reply", "conclude", "return", "pause", "resume",
                             "request_extension", "assess"})
APPROVAL_ACTIONS = frozenset({"approve_return", "reject_return", "approve_extension"})
# Joint mediation (联调联处, issue 3 §5): the holding centre organises, participating units confirm.
JOINT_ACTIONS = frozenset({"organize_joint", "confirm_joint"})
# Mediation records, agreements and judicial confirmation (调解记录, 调解协议, 司法确认) and the
# follow-up after conclusion (跟踪问效: 回访, 协议履行), issue 7. Not matter-status actions: they
# never appear in `allowedActions`; their own routes ask `decide`.
MEDIATION_ACTIONS = frozenset({"mediate", "follow_up"})
ACTIONS = HANDLER_ACTIONS | APPROVAL_ACTIONS | JOINT_ACTIONS | MEDIATION_ACTIONS | {
    "escalate", "dispatch", "supervise", "instruct", "view", "view_audit"}

CENTRE_STAFF = frozenset({"city_centre_staff", "county_centre_staff", "township_centre_staff"})
CENTRE_LEADERS = frozenset({"city_centre_leader", "county_centre_leader", "township_centre_leader"})
CENTRE_ROLES = CENTRE_STAFF | CENTRE_LEADERS
UNIT_ROLES = frozenset({"dept_handler", "dept_leader", "mediator"})  # dept roles also staff institutions
HANDLER_ROLES = CENTRE_ROLES | UNIT_ROLES
LEADERS = CENTRE_LEADERS | {"dept_leader"}
ROLES = HANDLER_ROLES | {"village_worker", "admin"}

# Units with no leader role of their own (mediation organisations have only mediators): the leader
# of the centre of the same region approves their returns and extensions (a township 人民调解委员会
# → that township's 矛调中心; a county professional committee → the county centre). Departments and
# institutions have a dept_leader.
LEADERLESS_UNIT_TYPES = frozenset({"mediation_org"})


def _within(code: str | None, prefix: str | None) -> bool:
    """Region codes nest by prefix (4310 → 431002 → 431002001 → 431002001001). An empty prefix
    must not mean "everywhere"."""
    return bool(code) and bool(prefix) and code.startswith(prefix)


def _same(a: str | None, b: str | None) -> bool:
    """Equal and present: two missing ids are not a match."""
    return a is not None and a == b


Relation = Callable[[ActorLike, MatterFacts], bool]

# How the actor (and their unit) stands to the matter.
RELATIONS: dict[str, Relation] = {
    "anywhere": lambda a, m: True,
    "in_scope": lambda a, m: can_view(a, m),
    "subtree": lambda a, m: _within(m.region_code, a.region_code),
    "village": lambda a, m: bool(a.region_code) and m.region_code == a.region_code,
    "assigned": lambda a, m: _same(m.assigned_unit_id, a.unit_id),
    "assigned_centre": lambda a, m: _same(m.assigned_unit_id, a.unit_id) and m.assigned_unit_type == "centre",
    "participant": lambda a, m: a.unit_id in m.participant_unit_ids,
    "holder": lambda a, m: _same(m.holder_centre_id, a.unit_id),
    # the username: unlike the pool's `sub`, it never changes for an account
    "first_handler": lambda a, m: _same(m.first_handler_id, getattr(a, "username", a.user_id)),
    "leaderless_unit_here": lambda a, m: (m.assigned_unit_type in LEADERLESS_UNIT_TYPES
                                          and _same(m.assigned_unit_region, a.region_code)),
    "overdue_in_subtree": lambda a, m: m.overdue and _within(m.region_code, a.region_code),
}

# Scope: a role sees a matter when any of its relations holds. A unit always sees what is assigned
# to it or what it took part in; the first handler (首接首办) follows the matter to its end.
# Unknown roles see nothing.
SCOPE: dict[str, tuple[str, ...]] = {
    **{role: ("subtree", "assigned", "participant", "first_handler") for role in CENTRE_ROLES},
    **{role: ("assigned", "participant", "first_handler") for role in UNIT_ROLES},
    "village_worker": ("village",),  # only their village, though their unit is the township centre
    "admin": ("anywhere",),  # sees for audit and administration; acts on nothing
}

Grant = tuple[frozenset[str], str]  # (roles, relation that must hold)

# Grants: within scope, an action is allowed when any (roles, relation) pair matches.
GRANTS: dict[str, tuple[Grant, ...]] = {
    "view": ((ROLES, "in_scope"),),
    "view_audit": ((LEADERS | {"admin"}, "in_scope"),),
    # 首接首办: the assigned unit handles — its staff, mediators, or the centre's own people.
    **{action: ((HANDLER_ROLES, "assigned"),) for action in HANDLER_ACTIONS},
    # 退回/延期需本单位领导审核; a leaderless unit's leader is its same-level centre's leader.
    **{action: ((LEADERS, "assigned"), (CENTRE_LEADERS, "leaderless_unit_here"))
       for action in APPROVAL_ACTIONS},
    "dispatch": ((CENTRE_ROLES, "holder"),),  # 分流: the centre holding it
    "escalate": ((CENTRE_ROLES, "holder"), (CENTRE_ROLES, "assigned_centre")),  # 上报 one level up
    "supervise": ((CENTRE_ROLES, "overdue_in_subtree"),),  # 督办: overdue matters below a centre
    "instruct": ((LEADERS, "in_scope"),),  # 领导批办
    "organize_joint": ((CENTRE_ROLES, "holder"),),  # 联调联处 is run by the centre holding it
    "confirm_joint": ((HANDLER_ROLES, "participant"),),  # each named unit confirms for itself
    # 调解记录/协议/司法确认: whoever handles the matter — the assigned unit or the holding centre.
    "mediate": ((HANDLER_ROLES, "assigned"), (CENTRE_ROLES, "holder")),
    # 跟踪问效: the unit that handled it, and every centre whose region contains it (回访 is the
    # centres' duty as much as the unit's).
    "follow_up": ((HANDLER_ROLES, "assigned"), (CENTRE_ROLES, "subtree")),
}


def can_view(actor: ActorLike, matter: MatterFacts) -> bool:
    """Whether the actor may know the matter exists at all."""
    return any(RELATIONS[r](actor, matter) for r in SCOPE.get(actor.role, ()))


def decide(actor: ActorLike, matter: MatterFacts, action: str) -> Decision:
    """ALLOW, FORBIDDEN (in scope, not this role's to do) or NOT_VISIBLE (out of scope).

    Scope is checked first and for every action alike, so 403 vs 404 reveals nothing. An unknown
    action is a programming error (the API validates the action name before loading the matter)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action: {action!r}")
    if not can_view(actor, matter):
        return Decision.NOT_VISIBLE
    allowed = any(actor.role in roles and RELATIONS[relation](actor, matter)
                  for roles, relation in GRANTS[action])
    return Decision.ALLOW if allowed else Decision.FORBIDDEN


def visible_actions(actor: ActorLike, matter: MatterFacts) -> frozenset[str]:
    """The actions this actor may take on this matter by role and scope, regardless of status;
    the lifecycle intersects them with what the status allows to build `allowedActions`."""
    return frozenset(a for a in ACTIONS if decide(actor, matter, a) is Decision.ALLOW)
