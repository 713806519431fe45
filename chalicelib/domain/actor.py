"""Who is calling: a staff member's role, unit and region, as the verified id token says.

Pure: the token's claims come in already verified (signature, issuer, audience, expiry are the
adapter's business) and the unit directory comes in as a lookup function. Every staff route
works with an `Actor`; the permission policy decides from it.

The custom attributes a staff account carries in the user pool:
``custom:unitId`` (a unit of the directory), ``custom:role`` (a code of ROLES) and
``custom:regionCode`` (the region the person works in: the unit's own region or one below it,
e.g. a village grid worker of a township centre).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Callable, Mapping

from .errors import Unauthorized

# role code → Chinese name, in the order the console lists them.
ROLES: dict[str, str] = {
    "city_centre_staff": "市综治中心工作人员",
    "city_centre_leader": "市综治中心领导",
    "county_centre_staff": "县市区矛调中心工作人员",
    "county_centre_leader": "县市区矛调中心领导",
    "township_centre_staff": "乡镇（街道）矛调中心工作人员",
    "township_centre_leader": "乡镇（街道）矛调中心领导",
    "village_worker": "村（社区）网格员",
    "dept_handler": "职能部门经办人",
    "dept_leader": "职能部门负责人",
    "mediator": "调解员",
    "admin": "系统管理员",
}

LEADER_ROLES = frozenset({"city_centre_leader", "county_centre_leader",
                          "township_centre_leader", "dept_leader"})

# The units a role can belong to: (allowed unit types, allowed unit levels or None for any).
# A centre role sits in the centre of its own level; a village grid worker belongs to the
# township centre of its village; department roles to a department or an institution
# (律所, 公证, 仲裁, 司法鉴定); mediators to a mediation organisation or a centre's mediation room.
ROLE_UNITS: dict[str, tuple[frozenset[str], frozenset[str] | None]] = {
    "city_centre_staff": (frozenset({"centre"}), frozenset({"city"})),
    "city_centre_leader": (frozenset({"centre"}), frozenset({"city"})),
    "county_centre_staff": (frozenset({"centre"}), frozenset({"county"})),
    "county_centre_leader": (frozenset({"centre"}), frozenset({"county"})),
    "township_centre_staff": (frozenset({"centre"}), frozenset({"township"})),
    "township_centre_leader": (frozenset({"centre"}), frozenset({"township"})),
    "village_worker": (frozenset({"centre"}), frozenset({"township"})),
    "dept_handler": (frozenset({"department", "institution"}), None),
    "dept_leader": (frozenset({"department", "institution"}), None),
    "mediator": (frozenset({"mediation_org", "centre"}), None),
    "admin": (frozenset({"centre", "department", "mediation_org", "institution"}), None),
}

UNIT_ATTRIBUTE = "custom:unitId"
ROLE_ATTRIBUTE = "custom:role"
REGION_ATTRIBUTE = "custom:regionCode"

_ACCOUNT_PROBLEM = "账号的单位或角色配置有误，请联系管理员"


@dataclass(frozen=True)
class Actor:
    """A signed-in staff member. Key stored records (handler, audit, login records) by
    `username`: it is unique and immutable in the pool and survives a local restart, whereas
    moto draws a new `sub` (user_id) for every demo account at each start."""
    user_id: str          # the pool's `sub`
    username: str         # lower-case, immutable
    name: str
    role: str             # a code of ROLES
    unit_id: str
    unit_type: str        # centre · department · mediation_org · institution
    unit_level: str       # city · county · township
    region_code: str

    @property
    def role_name(self) -> str:
        return ROLES[self.role]

    @property
    def is_leader(self) -> bool:
        return self.role in LEADER_ROLES

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def as_event_actor(self) -> dict:
        """Who did it, as a matter's timeline and the audit log record it."""
        return {"userId": self.user_id, "username": self.username, "name": self.name,
                "role": self.role, "unitId": self.unit_id}

    def as_dict(self) -> dict:
        return asdict(self)


def _within(region_code: str, ancestor: str, region_lookup: Callable[[str], dict | None]) -> bool:
    """True when region_code is ancestor or lies below it in the region tree."""
    code, seen = region_code, 0
    while code and seen < 8:  # the tree is 4 levels deep; the bound guards a malformed lookup
        if code == ancestor:
            return True
        info = region_lookup(code)
        code, seen = (info or {}).get("parentCode"), seen + 1
    return False


def actor_from_claims(claims: Mapping, unit_lookup: Callable[[str], dict | None],
                      region_lookup: Callable[[str], dict | None] | None = None) -> Actor:
    """The Actor of a verified id token's claims.

    `unit_lookup(unitId)` → the unit (`{id, name, type, level, regionCode, ...}`) or None;
    `region_lookup(code)` → `{code, parentCode, ...}` or None (when given, the person's region
    must exist and lie within the unit's region). Raises Unauthorized (code
    ``account_misconfigured``) when the account names no known role, an unknown unit, a unit
    the role cannot belong to, or a region outside its unit.
    """
    def refuse(reason: str) -> Unauthorized:
        return Unauthorized(_ACCOUNT_PROBLEM, code="account_misconfigured", fields={"account": reason})

    user_id = claims.get("sub")
    username = claims.get("cognito:username") or claims.get("username")
    if not isinstance(user_id, str) or not user_id or not isinstance(username, str) or not username:
        raise refuse("missing_identity")
    role = claims.get(ROLE_ATTRIBUTE)
    if role not in ROLES:
        raise refuse("unknown_role")
    unit_id = claims.get(UNIT_ATTRIBUTE)
    unit = unit_lookup(unit_id) if isinstance(unit_id, str) and unit_id else None
    if not unit:
        raise refuse("unknown_unit")
    types, levels = ROLE_UNITS[role]
    if unit.get("type") not in types or (levels is not None and unit.get("level") not in levels):
        raise refuse("role_not_allowed_in_unit")
    region_code = claims.get(REGION_ATTRIBUTE) or unit["regionCode"]
    if not isinstance(region_code, str):
        raise refuse("unknown_region")
    if region_lookup is not None:
        if region_lookup(region_code) is None or not _within(region_code, unit["regionCode"], region_lookup):
            raise refuse("region_outside_unit")
    name = claims.get("name")
    return Actor(user_id=user_id, username=username,
                 name=name if isinstance(name, str) and name else username,
                 role=role, unit_id=unit["id"], unit_type=unit["type"], unit_level=unit["level"],
                 region_code=region_code)
