"""The Actor of a verified token's claims: role, unit and region checked against the directory."""
from __future__ import annotations

import dataclasses

import pytest

from chalicelib import reference
from chalicelib.domain.actor import LEADER_ROLES, ROLE_UNITS, ROLES, Actor, actor_from_claims
from chalicelib.domain.errors import Unauthorized

UNITS = {
    "centre-4310": {"id": "centre-4310", "name": "郴州市综治中心", "type": "centre", "level": "city", "regionCode": "4310"},
    "centre-431002": {"id": "centre-431002", "name": "北湖区矛调中心", "type": "centre", "level": "county", "regionCode": "431002"},
    "centre-431002001": {"id": "centre-431002001", "name": "人民路街道矛调中心", "type": "centre", "level": "township", "regionCode": "431002001"},
    "dept-431002-hrss": {"id": "dept-431002-hrss", "name": "北湖区人社局", "type": "department", "level": "county", "regionCode": "431002"},
    "pmc-431002001": {"id": "pmc-431002001", "name": "人民路街道人民调解委员会", "type": "mediation_org", "level": "township", "regionCode": "431002001"},
}
REGIONS = {
    "4310": {"code": "4310", "parentCode": None},
    "431002": {"code": "431002", "parentCode": "4310"},
    "431003": {"code": "431003", "parentCode": "4310"},
    "431002001": {"code": "431002001", "parentCode": "431002"},
    "431002001001": {"code": "431002001001", "parentCode": "431002001"},
}


def claims(**changes):
    base = {"sub": "0b7c-uuid", "cognito:username": "township.staff", "name": "陈文斌",
            "custom:unitId": "centre-431002001", "custom:role": "township_centre_staff",
            "custom:regionCode": "431002001", "token_use": "id"}
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def build(c):
    return actor_from_claims(c, UNITS.get, REGIONS.get)


def refused(c) -> str:
    with pytest.raises(Unauthorized) as err:
        build(c)
    assert err.value.status == 401 and err.value.code == "account_misconfigured"
    return err.value.fields["account"]


def test_actor_from_claims():
    actor = build(claims())
    assert actor == Actor(user_id="0b7c-uuid", username="township.staff", name="陈文斌",
                          role="township_centre_staff", unit_id="centre-431002001", unit_type="centre",
                          unit_level="township", region_code="431002001")
    assert actor.role_name == "乡镇（街道）矛调中心工作人员"
    assert not actor.is_leader and not actor.is_admin
    assert actor.as_event_actor() == {"userId": "0b7c-uuid", "username": "township.staff", "name": "陈文斌",
                                      "role": "township_centre_staff", "unitId": "centre-431002001"}


def test_actor_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        build(claims()).role = "admin"


def test_region_defaults_to_the_unit_and_name_to_the_username():
    actor = build(claims(**{"custom:regionCode": None, "name": None}))
    assert actor.region_code == "431002001" and actor.name == "township.staff"


def test_a_village_worker_works_in_a_village_of_its_township():
    actor = build(claims(**{"custom:role": "village_worker", "custom:regionCode": "431002001001"}))
    assert (actor.role, actor.region_code, actor.unit_level) == ("village_worker", "431002001001", "township")


@pytest.mark.parametrize("change, reason", [
    ({"custom:role": "emperor"}, "unknown_role"),
    ({"custom:role": None}, "unknown_role"),
    ({"custom:unitId": "centre-999"}, "unknown_unit"),
    ({"custom:unitId": None}, "unknown_unit"),
    ({"sub": None}, "missing_identity"),
    ({"cognito:username": None}, "missing_identity"),
    ({"custom:role": "county_centre_leader"}, "role_not_allowed_in_unit"),   # township centre
    ({"custom:role": "dept_handler"}, "role_not_allowed_in_unit"),           # not a department
    ({"custom:regionCode": "431003"}, "region_outside_unit"),                # another county
    ({"custom:regionCode": "4310"}, "region_outside_unit"),                  # above the unit
    ({"custom:regionCode": "999999"}, "region_outside_unit"),                # not in the city
])
def test_an_unusable_account_is_refused(change, reason):
    assert refused(claims(**change)) == reason


@pytest.mark.parametrize("role, unit_id, ok", [
    ("city_centre_staff", "centre-4310", True), ("city_centre_leader", "centre-431002", False),
    ("county_centre_leader", "centre-431002", True), ("township_centre_leader", "centre-431002001", True),
    ("dept_handler", "dept-431002-hrss", True), ("dept_leader", "pmc-431002001", False),
    ("mediator", "pmc-431002001", True), ("mediator", "centre-431002001", True),
    ("mediator", "dept-431002-hrss", False), ("admin", "centre-4310", True),
    ("village_worker", "centre-431002", False),
])
def test_each_role_belongs_to_its_kind_of_unit(role, unit_id, ok):
    c = claims(**{"custom:role": role, "custom:unitId": unit_id, "custom:regionCode": UNITS[unit_id]["regionCode"]})
    if ok:
        assert build(c).role == role
    else:
        assert refused(c) == "role_not_allowed_in_unit"


def test_without_a_region_lookup_the_region_is_taken_as_given():
    actor = actor_from_claims(claims(**{"custom:regionCode": "431003"}), UNITS.get)
    assert actor.region_code == "431003"


def test_roles_have_chinese_names_and_unit_rules():
    assert list(ROLES) == ["city_centre_staff", "city_centre_leader", "county_centre_staff",
                           "county_centre_leader", "township_centre_staff", "township_centre_leader",
                           "village_worker", "dept_handler", "dept_leader", "mediator", "admin"]
    assert set(ROLE_UNITS) == set(ROLES) and LEADER_ROLES <= set(ROLES)
    assert all(name and not name.isascii() for name in ROLES.values())


def test_every_demo_account_makes_a_valid_actor_from_the_real_directory():
    for account in reference.demo_accounts():
        c = {"sub": "s", "cognito:username": account["username"], "name": account["name"],
             "custom:unitId": account["unitId"], "custom:role": account["role"],
             "custom:regionCode": account["regionCode"]}
        actor = actor_from_claims(c, reference.unit, reference.region)
        assert (actor.role, actor.unit_id, actor.region_code) == \
            (account["role"], account["unitId"], account["regionCode"])
    assert {a["role"] for a in reference.demo_accounts()} == set(ROLES)
