"""The account rules: temporary passwords meet the pool's policy, roles fit their units."""
from __future__ import annotations

import os
import re

import pytest

from chalicelib import reference
from chalicelib.domain.accounts import ALPHABET, new_account, role_fits_unit, temporary_password
from chalicelib.domain.actor import ROLES
from chalicelib.domain.errors import ValidationFailed

POLICY = re.compile(r"^(?=.*[A-Z])(?=.*[a-z])(?=.*\d)(?=.*[^A-Za-z0-9]).{10,}$")


def test_temporary_passwords_meet_the_policy_and_do_not_repeat():
    drawn = {temporary_password(os.urandom) for _ in range(300)}
    assert len(drawn) == 300
    assert all(POLICY.match(p) and len(p) == 16 and set(p) <= set(ALPHABET) for p in drawn)
    assert not set("0O1lI") & set(ALPHABET)


def test_a_temporary_password_uses_every_byte_it_is_given_fairly():
    """Rejection sampling: bytes that would bias the choice are skipped, not folded in."""
    stream = iter([255] * 5 + list(range(200)))
    assert POLICY.match(temporary_password(lambda n: bytes([next(stream)])))


@pytest.mark.parametrize("role, unit_id, fits", [
    ("county_centre_staff", "centre-431002", True), ("county_centre_staff", "centre-431002001", False),
    ("village_worker", "centre-431002001", True), ("mediator", "pmc-431002001", True),
    ("mediator", "dept-431002-hrss", False), ("dept_leader", "inst-431002-law", True),
    ("city_centre_leader", "centre-4310", True), ("admin", "pmc-431002001", True)])
def test_roles_fit_their_units(role, unit_id, fits):
    assert role_fits_unit(role, reference.unit(unit_id)) is fits


def test_every_role_can_be_created_somewhere():
    units = reference.units()
    assert all(any(role_fits_unit(r, u) for u in units) for r in ROLES)


def test_a_county_admin_creates_only_in_its_county_and_defaults_the_region():
    body = {"username": "Li.Ming ", "name": " 李明 ", "role": "dept_handler", "unitId": "dept-431002-hrss"}
    account = new_account(body, "431002", reference.unit, reference.region)
    assert account == {"username": "li.ming", "name": "李明", "role": "dept_handler",
                       "unitId": "dept-431002-hrss", "regionCode": "431002"}
    with pytest.raises(ValidationFailed) as err:
        new_account({**body, "unitId": "dept-431003-hrss"}, "431002", reference.unit, reference.region)
    assert set(err.value.fields) == {"unitId"}
    with pytest.raises(ValidationFailed) as err:
        new_account({**body, "regionCode": "431002001"}, "431002", reference.unit, reference.region)
    assert set(err.value.fields) == {"regionCode"}
    inactive = lambda uid: {**reference.unit(uid), "active": False}  # noqa: E731
    with pytest.raises(ValidationFailed) as err:
        new_account(body, "4310", inactive, reference.region)
    assert err.value.fields["unitId"] == "该单位已停用"
