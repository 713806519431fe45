"""账号管理: administrators list, create, disable/enable staff accounts and issue new
temporary passwords, each within the administrator's region. The rules are in
chalicelib/domain/accounts.py; the pool and the register come in as ports."""
from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable, Protocol

from ..domain import accounts as rules
from ..domain import deadlines
from ..domain.actor import ROLES
from ..domain.errors import Forbidden, NotFound, ValidationFailed

PAGE = 50
MAX_POOL_PAGES = 10  # per request: a county admin's page may need several pool pages


class AccountPool(Protocol):
    def page(self, token: str | None) -> tuple[list[dict], str | None]: ...
    def get(self, username: str) -> dict | None: ...
    def create(self, account: dict, temporary_password: str) -> None: ...
    def set_enabled(self, username: str, enabled: bool) -> None: ...
    def set_temporary_password(self, username: str, password: str) -> None: ...


@dataclass
class AccountDeps:
    pool: Callable[[], AccountPool]  # built on use: the pool id exists only once provisioned
    register: Any                    # record(account, enabled, by, at)
    unit_lookup: Callable[[str], dict | None]
    region_lookup: Callable[[str], dict | None]
    random_bytes: Callable[[int], bytes]
    now: Callable[[], datetime]


def _admin(actor) -> None:
    if not actor.is_admin:
        raise Forbidden()


def _view(user: dict, deps: AccountDeps) -> dict:
    unit = deps.unit_lookup(user["unitId"]) if user.get("unitId") else None
    return {"username": user["username"], "name": user.get("name"), "role": user.get("role"),
            "roleName": ROLES.get(user.get("role") or ""), "unitId": user.get("unitId"),
            "unitName": unit["name"] if unit else None, "regionCode": user.get("regionCode"),
            "phone": user.get("phone"), "enabled": user["enabled"], "status": user.get("status")}


def list_accounts(actor, params: dict, deps: AccountDeps) -> dict:
    """The accounts of the admin's region (optionally of one unit), in the pool's order.
    ListUsers cannot filter on custom attributes, so pool pages are read until 50 accounts of
    the region are found (at most 10 pages a request); `nextToken` is the pool's own token."""
    _admin(actor)
    unit_id = params.get("unitId") or None
    token = params.get("nextToken") or None
    if token:
        try:
            token = base64.urlsafe_b64decode(token.encode()).decode()
        except (binascii.Error, UnicodeDecodeError, ValueError):
            raise ValidationFailed(fields={"nextToken": "翻页参数无效"}) from None
    pool = deps.pool()
    items: list[dict] = []
    for _ in range(MAX_POOL_PAGES):
        try:
            users, token = pool.page(token)
        except ValueError:
            raise ValidationFailed(fields={"nextToken": "翻页参数无效"}) from None
        items += [_view(u, deps) for u in users
                  if rules.within(u.get("regionCode"), actor.region_code)
                  and (unit_id is None or u.get("unitId") == unit_id)]
        if not token or len(items) >= PAGE:
            break
    return {"items": items,
            "nextToken": base64.urlsafe_b64encode(token.encode()).decode() if token else None}


def create_account(actor, body: Any, deps: AccountDeps) -> dict:
    """A new account with a temporary password, answered once (it is stored nowhere): the
    person's first login answers NEW_PASSWORD_REQUIRED."""
    _admin(actor)
    account = rules.new_account(body, actor.region_code, deps.unit_lookup, deps.region_lookup)
    password = rules.temporary_password(deps.random_bytes)
    deps.pool().create(account, password)
    deps.register.record(account, True, actor.username, deadlines.iso(deps.now()))
    user = {**account, "enabled": True, "status": "FORCE_CHANGE_PASSWORD"}
    return {**_view(user, deps), "temporaryPassword": password}


def _in_scope(actor, username: Any, deps: AccountDeps) -> dict:
    """The account, if it lies in the admin's region; 404 alike for unknown and out of region."""
    user = deps.pool().get(username.strip().lower()) if isinstance(username, str) and username.strip() else None
    if user is None or not rules.within(user.get("regionCode"), actor.region_code):
        raise NotFound("未找到该账号", code="account_not_found")
    return user


def set_enabled(actor, username: str, enabled: bool, deps: AccountDeps) -> dict:
    """停用/启用. A disabled person cannot sign in or refresh; id tokens already issued run
    out within their hour. An admin cannot disable their own account."""
    _admin(actor)
    user = _in_scope(actor, username, deps)
    if not enabled and user["username"] == actor.username:
        raise ValidationFailed("不能停用自己的账号", code="cannot_disable_self")
    deps.pool().set_enabled(user["username"], enabled)
    deps.register.record(user, enabled, actor.username, deadlines.iso(deps.now()))
    return _view({**user, "enabled": enabled}, deps)


def reset_password(actor, username: str, deps: AccountDeps) -> dict:
    """重置密码: a new temporary password, answered once; the next login answers
    NEW_PASSWORD_REQUIRED and every session of the person ends."""
    _admin(actor)
    user = _in_scope(actor, username, deps)
    password = rules.temporary_password(deps.random_bytes)
    deps.pool().set_temporary_password(user["username"], password)
    return {"username": user["username"], "temporaryPassword": password}
