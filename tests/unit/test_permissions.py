"""The role/scope policy. The grids below are the specification, written out by hand: they are
deliberately not derived from the module's tables."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from chalicelib.domain import permissions as perm
from chalicelib.domain.permissions import Decision, MatterFacts, can_view, decide, visible_actions

DATA = Path(__file__).resolve().parents[2] / "chalicelib" / "reference" / "data"
UNITS = {u["id"]: u for u in json.loads((DATA / "units-4310.json").read_text("utf-8"))["units"]}
ACCOUNTS = json.loads((DATA / "demo-accounts-4310.json").read_text("utf-8"))


@dataclass(frozen=True)
class Actor:
    """Stand-in with the attributes of chalicelib.domain.actor.Actor."""
    user_id: str
    name: str
    role: str
    unit_id: str | None
    unit_type: str | None
    unit_level: str | None
    region_code: str | None


def actor(role, unit_id, region_code, user_id="u1"):
    unit = UNITS.get(unit_id, {})
    return Actor(user_id, "某某", role, unit_id, unit.get("type"), unit.get("level"), region_code)


ACTORS = {a["role"]: actor(a["role"], a["unitId"], a["regionCode"], a["username"]) for a in ACCOUNTS}

HRSS = "dept-431002-hrss"  # 北湖区人社局
MATTERS = {
    # 人民路街道 village matter at the township 人民调解委员会; the 人社局 returned it earlier; overdue.
    "beihu_pmc": MatterFacts(
        region_code="431002001001", assigned_unit_id="pmc-431002001", assigned_unit_type="mediation_org",
        assigned_unit_region="431002001", participant_unit_ids=frozenset({HRSS}),
        holder_centre_id="centre-431002001", overdue=True, status="in_progress"),
    # 人民路街道 matter (no village) escalated to the county centre, dispatched to the 人社局; in time.
    "beihu_dept": MatterFacts(
        region_code="431002001", assigned_unit_id=HRSS, assigned_unit_type="department",
        assigned_unit_region="431002", holder_centre_id="centre-431002", overdue=False,
        status="assigned"),
    # Joint mediation run by the township centre itself with the pmc and the 人社局; overdue.
    "beihu_centre": MatterFacts(
        region_code="431002001001", assigned_unit_id="centre-431002001", assigned_unit_type="centre",
        assigned_unit_region="431002001", participant_unit_ids=frozenset({"pmc-431002001", HRSS}),
        holder_centre_id="centre-431002001", overdue=True, status="joint_mediation"),
    # 桂阳县龙潭街道: another county.
    "guiyang": MatterFacts(
        region_code="431021001001", assigned_unit_id="pmc-431021001", assigned_unit_type="mediation_org",
        assigned_unit_region="431021001", holder_centre_id="centre-431021001", overdue=True,
        status="in_progress"),
    # Outside 郴州 altogether (长沙市芙蓉区), so even the city centre is out of scope.
    "elsewhere": MatterFacts(
        region_code="430102001001", assigned_unit_id="pmc-430102001", assigned_unit_type="mediation_org",
        assigned_unit_region="430102001", holder_centre_id="centre-430102001", overdue=True),
}

COLUMNS = {"vw": "view", "au": "view_audit", "ac": "accept", "sr": "stage_reply", "co": "conclude",
           "rt": "return", "pa": "pause", "re": "resume", "rx": "request_extension", "as": "assess",
           "ar": "approve_return", "rr": "reject_return", "ax": "approve_extension",
           "di": "dispatch", "es": "escalate", "su": "supervise", "in": "instruct",
           "oj": "organize_joint", "cj": "confirm_joint", "md": "mediate", "fu": "follow_up"}
MARKS = {"A": Decision.ALLOW, ".": Decision.FORBIDDEN, "-": Decision.NOT_VISIBLE}

# A = allow, . = forbidden (403), - = not visible (404).
GRIDS = {
    "beihu_pmc": """
                           vw au  ac sr co rt pa re rx as  ar rr ax  di es su in  oj cj  md fu
    city_centre_staff      A  .   .  .  .  .  .  .  .  .   .  .  .   .  .  A  .  .  .  .  A
    city_centre_leader     A  A   .  .  .  .  .  .  .  .   .  .  .   .  .  A  A  .  .  .  A
    county_centre_staff    A  .   .  .  .  .  .  .  .  .   .  .  .   .  .  A  .  .  .  .  A
    county_centre_leader   A  A   .  .  .  .  .  .  .  .   .  .  .   .  .  A  A  .  .  .  A
    township_centre_staff  A  .   .  .  .  .  .  .  .  .   .  .  .   A  A  A  .  A  .  A  A
    township_centre_leader A  A   .  .  .  .  .  .  .  .   A  A  A   A  A  A  A  A  .  A  A
    village_worker         A  .   .  .  .  .  .  .  .  .   .  .  .   .  .  .  .  .  .  .  .
    dept_handler           A  .   .  .  .  .  .  .  .  .   .  .  .   .  .  .  .  .  A  .  .
    dept_leader            A  A   .  .  .  .  .  .  .  .   .  .  .   .  .  .  A  .  A  .  .
    mediator               A  .   A  A  A  A  A  A  A  A   .  .  .   .  .  .  .  .  .  A  A
    admin                  A  A   .  .  .  .  .  .  .  .   .  .  .   .  .  .  .  .  .  .  .
    """,
    "beihu_dept": """
                           vw au  ac sr co rt pa re rx as  ar rr ax  di es su in  oj cj  md fu
    city_centre_staff      A  .   .  .  .  .  .  .  .  .   .  .  .   .  .  .  .  .  .  .  A
    city_centre_leader     A  A   .  .  .  .  .  .  .  .   .  .  .   .  .  .  A  .  .  .  A
    county_centre_staff    A  .   .  .  .  .  .  .  .  .   .  .  .   A  A  .  .  A  .  A  A
    county_centre_leader   A  A   .  .  .  .  .  .  .  .   .  .  .   A  A  .  A  A  .  A  A
    township_centre_staff  A  .   .  .  .  .  .  .  .  .   .  .  .   .  .  .  .  .  .  .  A
    township_centre_leader A  A   .  .  .  .  .  .  .  .   .  .  .   .  .  .  A  .  .  .  A
    village_worker         -  -   -  -  -  -  -  -  -  -   -  -  -   -  -  -  -  -  -  -  -
    dept_handler           A  .   A  A  A  A  A  A  A  A   .  .  .   .  .  .  .  .  .  A  A
    dept_leader            A  A   A  A  A  A  A  A  A  A   A  A  A   .  .  .  A  .  .  A  A
    mediator               -  -   -  -  -  -  -  -  -  -   -  -  -   -  -  -  -  -  -  -  -
    admin                  A  A   .  .  .  .  .  .  .  .   .  .  .   .  .  .  .  .  .  .  .
    """,
    "beihu_centre": """
                           vw au  ac sr co rt pa re rx as  ar rr ax  di es su in  oj cj  md fu
    city_centre_staff      A  .   .  .  .  .  .  .  .  .   .  .  .   .  .  A  .  .  .  .  A
    city_centre_leader     A  A   .  .  .  .  .  .  .  .   .  .  .   .  .  A  A  .  .  .  A
    county_centre_staff    A  .   .  .  .  .  .  .  .  .   .  .  .   .  .  A  .  .  .  .  A
    county_centre_leader   A  A   .  .  .  .  .  .  .  .   .  .  .   .  .  A  A  .  .  .  A
    township_centre_staff  A  .   A  A  A  A  A  A  A  A   .  .  .   A  A  A  .  A  .  A  A
    township_centre_leader A  A   A  A  A  A  A  A  A  A   A  A  A   A  A  A  A  A  .  A  A
    village_worker         A  .   .  .  .  .  .  .  .  .   .  .  .   .  .  .  .  .  .  .  .
    dept_handler           A  .   .  .  .  .  .  .  .  .   .  .  .   .  .  .  .  .  A  .  .
    dept_leader            A  A   .  .  .  .  .  .  .  .   .  .  .   .  .  .  A  .  A  .  .
    mediator               A  .   .  .  .  .  .  .  .  .   .  .  .   .  .  .  .  .  A  .  .
    admin                  A  A   .  .  .  .  .  .  .  .   .  .  .   .  .  .  .  .  .  .  .
    """,
    "guiyang": """
                           vw au  ac sr co rt pa re rx as  ar rr ax  di es su in  oj cj  md fu
    city_centre_staff      A  .   .  .  .  .  .  .  .  .   .  .  .   .  .  A  .  .  .  .  A
    city_centre_leader     A  A   .  .  .  .  .  .  .  .   .  .  .   .  .  A  A  .  .  .  A
    county_centre_staff    -  -   -  -  -  -  -  -  -  -   -  -  -   -  -  -  -  -  -  -  -
    county_centre_leader   -  -   -  -  -  -  -  -  -  -   -  -  -   -  -  -  -  -  -  -  -
    township_centre_staff  -  -   -  -  -  -  -  -  -  -   -  -  -   -  -  -  -  -  -  -  -
    township_centre_leader -  -   -  -  -  -  -  -  -  -   -  -  -   -  -  -  -  -  -  -  -
    village_worker         -  -   -  -  -  -  -  -  -  -   -  -  -   -  -  -  -  -  -  -  -
    dept_handler           -  -   -  -  -  -  -  -  -  -   -  -  -   -  -  -  -  -  -  -  -
    dept_leader            -  -   -  -  -  -  -  -  -  -   -  -  -   -  -  -  -  -  -  -  -
    mediator               -  -   -  -  -  -  -  -  -  -   -  -  -   -  -  -  -  -  -  -  -
    admin                  A  A   .  .  .  .  .  .  .  .   .  .  .   .  .  .  .  .  .  .  .
    """,
    "elsewhere": """
                           vw au  ac sr co rt pa re rx as  ar rr ax  di es su in  oj cj  md fu
    city_centre_staff      -  -   -  -  -  -  -  -  -  -   -  -  -   -  -  -  -  -  -  -  -
    city_centre_leader     -  -   -  -  -  -  -  -  -  -   -  -  -   -  -  -  -  -  -  -  -
    county_centre_staff    -  -   -  -  -  -  -  -  -  -   -  -  -   -  -  -  -  -  -  -  -
    county_centre_leader   -  -   -  -  -  -  -  -  -  -   -  -  -   -  -  -  -  -  -  -  -
    township_centre_staff  -  -   -  -  -  -  -  -  -  -   -  -  -   -  -  -  -  -  -  -  -
    township_centre_leader -  -   -  -  -  -  -  -  -  -   -  -  -   -  -  -  -  -  -  -  -
    village_worker         -  -   -  -  -  -  -  -  -  -   -  -  -   -  -  -  -  -  -  -  -
    dept_handler           -  -   -  -  -  -  -  -  -  -   -  -  -   -  -  -  -  -  -  -  -
    dept_leader            -  -   -  -  -  -  -  -  -  -   -  -  -   -  -  -  -  -  -  -  -
    mediator               -  -   -  -  -  -  -  -  -  -   -  -  -   -  -  -  -  -  -  -  -
    admin                  A  A   .  .  .  .  .  .  .  .   .  .  .   .  .  .  .  .  .  .  .
    """,
}


def _parse(grid: str) -> dict[tuple[str, str], Decision]:
    header, *rows = [line.split() for line in grid.strip().splitlines()]
    out = {}
    for role, *marks in rows:
        assert len(marks) == len(header), role
        for col, mark in zip(header, marks):
            out[role, COLUMNS[col]] = MARKS[mark]
    return out


EXPECTED = {(name, role, action): d for name, grid in GRIDS.items()
            for (role, action), d in _parse(grid).items()}


def test_the_grids_cover_every_demo_role_and_every_contract_action():
    assert set(COLUMNS.values()) == perm.ACTIONS
    for name in GRIDS:
        assert {(r, a) for (n, r, a) in EXPECTED if n == name} == {(r, a) for r in ACTORS for a in perm.ACTIONS}
    # every non-admin role has at least one in-scope and one out-of-scope matter in the grids
    for role in ACTORS:
        seen = {EXPECTED[n, role, "view"] for n in GRIDS}
        assert Decision.ALLOW in seen and (role == "admin" or Decision.NOT_VISIBLE in seen)


@pytest.mark.parametrize("name,role,action", sorted(EXPECTED))
def test_policy_table(name, role, action):
    assert decide(ACTORS[role], MATTERS[name], action) is EXPECTED[name, role, action]


@pytest.mark.parametrize("role", sorted(ACTORS))
@pytest.mark.parametrize("name", sorted(MATTERS))
def test_visible_actions_are_exactly_the_allowed_ones(role, name):
    allowed = {a for (n, r, a), d in EXPECTED.items() if (n, r) == (name, role) and d is Decision.ALLOW}
    assert visible_actions(ACTORS[role], MATTERS[name]) == allowed
    assert can_view(ACTORS[role], MATTERS[name]) == (EXPECTED[name, role, "view"] is not Decision.NOT_VISIBLE)


def at_pmc(township: str, **kw) -> MatterFacts:
    return MatterFacts(region_code=township + "001", assigned_unit_id=f"pmc-{township}",
                       assigned_unit_type="mediation_org", assigned_unit_region=township,
                       holder_centre_id=f"centre-{township}", **kw)


def townships(county: str) -> list[str]:
    return [u["regionCode"] for u in UNITS.values()
            if u["type"] == "centre" and u["level"] == "township" and u["regionCode"].startswith(county)]


def test_mediator_sees_their_pmc_matter_but_not_the_neighbouring_townships():
    mediator = ACTORS["mediator"]  # 人民路街道人民调解委员会
    assert can_view(mediator, at_pmc("431002001"))
    assert decide(mediator, at_pmc("431002001"), "conclude") is Decision.ALLOW
    neighbour = at_pmc("431002002")  # 北湖街道
    assert not can_view(mediator, neighbour)
    assert {decide(mediator, neighbour, a) for a in perm.ACTIONS} == {Decision.NOT_VISIBLE}


def test_county_centre_sees_all_its_townships_but_not_another_county():
    county = ACTORS["county_centre_staff"]  # 北湖区
    assert len(townships("431002")) > 5
    assert all(can_view(county, at_pmc(t)) for t in townships("431002"))
    assert not any(can_view(county, at_pmc(t)) for t in townships("431021"))  # 桂阳县


def test_city_centre_sees_every_township_of_the_city():
    all_townships = townships("4310")
    assert len(all_townships) == 162
    for role in ("city_centre_staff", "city_centre_leader"):
        assert all(can_view(ACTORS[role], at_pmc(t)) for t in all_townships)


def test_department_keeps_sight_of_a_matter_it_returned_after_redispatch():
    redispatched = at_pmc("431002001", participant_unit_ids=frozenset({HRSS}))
    handler = ACTORS["dept_handler"]
    assert decide(handler, redispatched, "view") is Decision.ALLOW
    assert decide(handler, redispatched, "accept") is Decision.FORBIDDEN
    other_dept = actor("dept_handler", "dept-431002-housing", "431002")
    assert decide(other_dept, redispatched, "view") is Decision.NOT_VISIBLE


def test_village_worker_sees_only_their_village():
    worker = ACTORS["village_worker"]  # 431002001001, unit: the township centre
    assert can_view(worker, MatterFacts(region_code="431002001001"))
    assert not can_view(worker, MatterFacts(region_code="431002001002"))  # neighbouring village
    assert not can_view(worker, MatterFacts(region_code="431002001"))  # township-level matter
    # assigned to the worker's own unit, still not the worker's to see or handle
    elsewhere_in_town = MatterFacts(region_code="431002001002", assigned_unit_id="centre-431002001",
                                    assigned_unit_type="centre", holder_centre_id="centre-431002001")
    assert decide(worker, elsewhere_in_town, "accept") is Decision.NOT_VISIBLE


def test_supervise_only_when_overdue():
    for overdue, expected in ((True, Decision.ALLOW), (False, Decision.FORBIDDEN)):
        matter = at_pmc("431002001", overdue=overdue)
        for role in ("city_centre_staff", "city_centre_leader", "county_centre_staff",
                     "county_centre_leader", "township_centre_staff", "township_centre_leader"):
            assert decide(ACTORS[role], matter, "supervise") is expected, role
        assert decide(ACTORS["mediator"], matter, "supervise") is Decision.FORBIDDEN


def test_admin_sees_everything_but_acts_on_nothing():
    admin = ACTORS["admin"]  # unit centre-4310: the unit must not make admin a handler
    matters = [*MATTERS.values(), MatterFacts(region_code="4310", assigned_unit_id="centre-4310",
                                              assigned_unit_type="centre", holder_centre_id="centre-4310",
                                              overdue=True)]
    for m in matters:
        assert visible_actions(admin, m) == {"view", "view_audit"}


def test_county_professional_committee_returns_are_approved_by_the_county_centre_leader():
    medical = MatterFacts(region_code="431021001001", assigned_unit_id="pmc-431021-medical",
                          assigned_unit_type="mediation_org", assigned_unit_region="431021",
                          holder_centre_id="centre-431021001", status="returned")
    county_leader = actor("county_centre_leader", "centre-431021", "431021")
    township_leader = actor("township_centre_leader", "centre-431021001", "431021001")
    assert decide(county_leader, medical, "approve_return") is Decision.ALLOW
    assert decide(township_leader, medical, "approve_return") is Decision.FORBIDDEN


def test_an_institution_has_its_own_leader():
    notary = MatterFacts(region_code="431002001001", assigned_unit_id="inst-431002-notary",
                         assigned_unit_type="institution", assigned_unit_region="431002",
                         holder_centre_id="centre-431002001", status="returned")
    assert decide(actor("dept_leader", "inst-431002-notary", "431002"), notary,
                  "approve_return") is Decision.ALLOW
    assert decide(ACTORS["county_centre_leader"], notary, "approve_return") is Decision.FORBIDDEN


def test_first_handler_keeps_sight_after_the_matter_moves_on():
    moved = at_pmc("431002002", first_handler_id="township.mediator")
    assert can_view(ACTORS["mediator"], moved)
    assert decide(ACTORS["mediator"], moved, "conclude") is Decision.FORBIDDEN


def test_missing_ids_and_regions_grant_nothing():
    nobody = actor("county_centre_leader", None, "")
    unassigned = MatterFacts(region_code="431002001001")
    assert not can_view(nobody, unassigned)
    assert not can_view(actor("no_such_role", "centre-4310", "4310"), unassigned)


def test_unknown_action_is_a_programming_error():
    with pytest.raises(ValueError):
        decide(ACTORS["admin"], MATTERS["beihu_pmc"], "delete")


UNIT_IDS = [None, "centre-4310", "centre-431002", "centre-431002001", "centre-431021001",
            "pmc-431002001", "pmc-431002002", HRSS, "dept-431021-hrss"]
REGIONS = [None, "", "4310", "431002", "431002001", "431002001001", "431002002001", "431021001001"]
actors = st.builds(actor, role=st.sampled_from(sorted(perm.ROLES | {"stranger"})),
                   unit_id=st.sampled_from(UNIT_IDS), region_code=st.sampled_from(REGIONS),
                   user_id=st.sampled_from(["u1", "u2"]))
matters = st.builds(
    MatterFacts,
    region_code=st.sampled_from([r for r in REGIONS if r and len(r) >= 9]),
    assigned_unit_id=st.sampled_from(UNIT_IDS),
    assigned_unit_type=st.sampled_from([None, "centre", "department", "mediation_org", "institution"]),
    assigned_unit_region=st.sampled_from(REGIONS),
    participant_unit_ids=st.frozensets(st.sampled_from([u for u in UNIT_IDS if u]), max_size=3),
    holder_centre_id=st.sampled_from(UNIT_IDS),
    first_handler_id=st.sampled_from([None, "u1", "u2"]),
    overdue=st.booleans(),
    status=st.sampled_from(["received", "assigned", "in_progress", "returned", "concluded"]),
)


@given(actors, matters)
def test_no_action_leaks_existence(a, m):
    assert (decide(a, m, "view") is not Decision.NOT_VISIBLE) == can_view(a, m)
    for action in perm.ACTIONS:
        assert (decide(a, m, action) is Decision.NOT_VISIBLE) == (not can_view(a, m))
    assert visible_actions(a, m) <= perm.ACTIONS
    if can_view(a, m):
        assert "view" in visible_actions(a, m)
    if a.role == "admin":
        assert visible_actions(a, m) == {"view", "view_audit"}
