"""Staff accounts as administrators manage them: who may be created where, what a username
looks like, and how a temporary password is drawn.

Pure: the unit directory and region tree come in as lookup functions, randomness as a
`random_bytes(n)` function (os.urandom in production), so the rules are tested without AWS.
"""
from __future__ import annotations

import re
from typing import Any, Callable

from .actor import ROLE_UNITS, ROLES
from .errors import ValidationFailed

USERNAME = re.compile(r"^[a-z][a-z0-9._-]{2,63}$")
MOBILE = re.compile(r"^1[3-9]\d{9}$")
MAX_NAME = 32

# Temporary passwords: 16 characters with at least one of each class the pool's policy asks
# for (10+, upper, lower, digit, symbol); look-alike characters (0/O, 1/l/I) are left out
# because the admin reads the password out to the person.
UPPER, LOWER, DIGITS, SYMBOLS = "ABCDEFGHJKLMNPQRSTUVWXYZ", "abcdefghijkmnopqrstuvwxyz", "23456789", "#%+=@$!?"
ALPHABET = UPPER + LOWER + DIGITS + SYMBOLS
TEMPORARY_LENGTH = 16


def _below(n: int, random_bytes: Callable[[int], bytes]) -> int:
    """A uniform integer in [0, n) for n ≤ 256 (rejection sampling: no modulo bias)."""
    limit = 256 - 256 % n
    while True:
        b = random_bytes(1)[0]
        if b < limit:
            return b % n


def _pick(alphabet: str, random_bytes: Callable[[int], bytes]) -> str:
    return alphabet[_below(len(alphabet), random_bytes)]


def temporary_password(random_bytes: Callable[[int], bytes], length: int = TEMPORARY_LENGTH) -> str:
    """A fresh temporary password that meets the pool's policy; shown to the admin once."""
    chars = [_pick(cls, random_bytes) for cls in (UPPER, LOWER, DIGITS, SYMBOLS)]
    chars += [_pick(ALPHABET, random_bytes) for _ in range(length - len(chars))]
    for i in range(len(chars) - 1, 0, -1):  # Fisher-Yates, so the classes are not in fixed places
        j = _below(i + 1, random_bytes)
        chars[i], chars[j] = chars[j], chars[i]
    return "".join(chars)


def within(code: str | None, region: str | None) -> bool:
    """Region codes nest by prefix; an empty region is nowhere."""
    return bool(code) and bool(region) and str(code).startswith(str(region))


def role_fits_unit(role: str, unit: dict) -> bool:
    """ROLE_UNITS: a county centre role in a county centre, a mediator in a mediation org…"""
    types, levels = ROLE_UNITS[role]
    return unit.get("type") in types and (levels is None or unit.get("level") in levels)


def new_account(body: Any, admin_region: str, unit_lookup: Callable[[str], dict | None],
                region_lookup: Callable[[str], dict | None]) -> dict:
    """A create-account request checked: `{username, name, role, unitId, regionCode?, phone?}`
    → the account to create. The unit must be active and within the admin's region, the role
    must fit the unit, and the person's region must lie within the unit's (a village grid
    worker names the village; everyone else defaults to the unit's own region)."""
    if not isinstance(body, dict):
        raise ValidationFailed("请求内容应为 JSON 对象")
    errors: dict[str, str] = {}
    username = body.get("username")
    username = username.strip().lower() if isinstance(username, str) else ""
    if not USERNAME.match(username):
        errors["username"] = "用户名须为 3 到 64 位小写字母、数字或 . _ -，以字母开头"
    name = body.get("name")
    name = name.strip() if isinstance(name, str) else ""
    if not name or len(name) > MAX_NAME:
        errors["name"] = f"请填写姓名（不超过{MAX_NAME}个字）"
    role = body.get("role")
    if role not in ROLES:
        errors["role"] = "请选择有效的角色"
    unit_id = body.get("unitId")
    unit = unit_lookup(unit_id) if isinstance(unit_id, str) and unit_id else None
    if unit is None or not within(unit.get("regionCode"), admin_region):
        errors["unitId"] = "单位不存在或不在您的管辖范围内"
        unit = None
    elif unit.get("active") is False:
        errors["unitId"] = "该单位已停用"
        unit = None
    if unit is not None and role in ROLES and not role_fits_unit(role, unit):
        errors["role"] = f"「{ROLES[role]}」不能设在{unit['name']}"
    region_code = body.get("regionCode") or (unit or {}).get("regionCode")
    if unit is not None and "role" not in errors:
        info = region_lookup(region_code) if isinstance(region_code, str) else None
        if info is None or not within(region_code, unit["regionCode"]):
            errors["regionCode"] = "所在区域须在单位所辖范围内"
        elif role == "village_worker" and info.get("level") != "village":
            errors["regionCode"] = "网格员须指定所在村（社区）"
        elif role != "village_worker" and region_code != unit["regionCode"]:
            errors["regionCode"] = "只有网格员可以指定单位以下的区域"
    phone = body.get("phone")
    if phone not in (None, "") and (not isinstance(phone, str) or not MOBILE.match(phone)):
        errors["phone"] = "请填写 11 位手机号"
    if errors:
        raise ValidationFailed(fields=errors)
    account = {"username": username, "name": name, "role": role, "unitId": unit["id"],
               "regionCode": region_code}
    if phone:
        account["phone"] = phone
    return account
