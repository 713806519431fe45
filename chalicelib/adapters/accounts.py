"""Staff accounts in the Cognito user pool (the admin API: AdminCreateUser, ListUsers,
AdminDisableUser/AdminEnableUser, AdminSetUserPassword), and the account register in the
matters table.

The pool is the truth for who can sign in. The register (pk `ACCOUNTS`, sk `U#<username>`)
records what administrators did to an account (created it, disabled or enabled it), so the
local runtime, whose moto pool forgets everything at a restart, can recreate the accounts
with their role, unit and enabled state (`restore_accounts`). It never holds a password.
"""
from __future__ import annotations

from botocore.exceptions import ClientError
from pynamodb.attributes import BooleanAttribute, UnicodeAttribute, VersionAttribute
from pynamodb.exceptions import PutError

from ..domain.actor import REGION_ATTRIBUTE, ROLE_ATTRIBUTE, UNIT_ATTRIBUTE
from ..domain.errors import Conflict, NotFound
from .auth import _code, _unexpected, create_staff_user
from .aws import client
from .dynamo import _TableItem

ACCOUNTS_PK = "ACCOUNTS"
PAGE_LIMIT = 60  # ListUsers' maximum
NOT_FOUND = "未找到该账号"


class AccountRecord(_TableItem, discriminator="account"):
    """What administrators did to one staff account (no password, ever)."""
    username = UnicodeAttribute()
    name = UnicodeAttribute()
    role = UnicodeAttribute()
    unit_id = UnicodeAttribute(attr_name="unitId")
    region_code = UnicodeAttribute(attr_name="regionCode")
    phone = UnicodeAttribute(null=True)
    enabled = BooleanAttribute(default=True)
    created_by = UnicodeAttribute(attr_name="createdBy", null=True)
    updated_by = UnicodeAttribute(attr_name="updatedBy", null=True)
    updated_at = UnicodeAttribute(attr_name="updatedAt")
    version = VersionAttribute()


def account_sk(username: str) -> str:
    return f"U#{username}"


def _user(raw: dict) -> dict:
    """A Cognito user (ListUsers `Users[]` or AdminGetUser) as the service sees it."""
    attrs = {a["Name"]: a["Value"] for a in raw.get("Attributes") or raw.get("UserAttributes") or []}
    return {"username": raw["Username"], "name": attrs.get("name"), "role": attrs.get(ROLE_ATTRIBUTE),
            "unitId": attrs.get(UNIT_ATTRIBUTE), "regionCode": attrs.get(REGION_ATTRIBUTE),
            "phone": (attrs.get("phone_number") or "").removeprefix("+86") or None,
            "enabled": bool(raw.get("Enabled", True)), "status": raw.get("UserStatus")}


class CognitoAccounts:
    """The staff pool's admin operations (IAM-authorised: the API's role grants them)."""

    def __init__(self, pool_id: str):
        self.pool_id = pool_id

    def page(self, token: str | None, limit: int = PAGE_LIMIT) -> tuple[list[dict], str | None]:
        kwargs = {"UserPoolId": self.pool_id, "Limit": limit}
        if token:
            kwargs["PaginationToken"] = token
        try:
            response = client("cognito-idp").list_users(**kwargs)
        except ClientError as err:
            # Cognito: InvalidParameterException; moto: InvalidToken
            if _code(err) in ("InvalidParameterException", "InvalidToken"):
                raise ValueError("bad pagination token") from None
            raise _unexpected(err)
        return [_user(u) for u in response.get("Users", [])], response.get("PaginationToken")

    def get(self, username: str) -> dict | None:
        try:
            return _user(client("cognito-idp").admin_get_user(UserPoolId=self.pool_id, Username=username))
        except ClientError as err:
            if _code(err) == "UserNotFoundException":
                return None
            raise _unexpected(err)

    def create(self, account: dict, temporary_password: str) -> None:
        """AdminCreateUser with a temporary password (FORCE_CHANGE_PASSWORD: the first login
        answers NEW_PASSWORD_REQUIRED); no invitation message is sent."""
        if not create_staff_user(self.pool_id, {**account, "password": temporary_password},
                                 temporary=True, phone=account.get("phone")):
            raise Conflict("该用户名已被使用", code="username_taken", fields={"username": "该用户名已被使用"})

    def _admin(self, operation: str, username: str, **kwargs) -> None:
        try:
            getattr(client("cognito-idp"), operation)(UserPoolId=self.pool_id, Username=username, **kwargs)
        except ClientError as err:
            if _code(err) == "UserNotFoundException":
                raise NotFound(NOT_FOUND, code="account_not_found") from None
            raise _unexpected(err)

    def set_enabled(self, username: str, enabled: bool) -> None:
        """Disabling also signs the person out everywhere (their refresh tokens stop working)."""
        if enabled:
            self._admin("admin_enable_user", username)
        else:
            self._admin("admin_disable_user", username)
            self._admin("admin_user_global_sign_out", username)

    def set_temporary_password(self, username: str, password: str) -> None:
        """A new temporary password (next login: NEW_PASSWORD_REQUIRED); sessions end."""
        self._admin("admin_set_user_password", username, Password=password, Permanent=False)
        self._admin("admin_user_global_sign_out", username)


class DynamoAccountRegister:
    """The account register: one partition, so the local runtime reads it in one Query."""

    def record(self, account: dict, enabled: bool, by: str, at: str) -> None:
        """Create or update the account's line (last writer wins: the pool is the truth and
        Cognito's own calls are idempotent)."""
        try:
            current = AccountRecord.get(ACCOUNTS_PK, account_sk(account["username"]), consistent_read=True)
        except AccountRecord.DoesNotExist:
            current = AccountRecord(ACCOUNTS_PK, account_sk(account["username"]), created_by=by)
        for attr, key in (("username", "username"), ("name", "name"), ("role", "role"),
                          ("unit_id", "unitId"), ("region_code", "regionCode"), ("phone", "phone")):
            setattr(current, attr, account.get(key))
        current.enabled, current.updated_by, current.updated_at = enabled, by, at
        try:
            current.save()
        except PutError as err:
            raise Conflict() from err

    def all(self) -> list[dict]:
        return [{"username": r.username, "name": r.name, "role": r.role, "unitId": r.unit_id,
                 "regionCode": r.region_code, "phone": r.phone, "enabled": bool(r.enabled)}
                for r in AccountRecord.query(ACCOUNTS_PK, AccountRecord.sk.startswith("U#"))]


def restore_accounts(pool_id: str, random_password) -> dict:
    """Local runtime start: recreate the register's accounts the (fresh) moto pool lacks and
    apply every recorded enabled state. Passwords are not carried over (nothing stores them):
    a recreated account gets a random temporary password nobody knows, so it cannot sign in
    until an administrator issues a new one (reset-password)."""
    pool, created, disabled = CognitoAccounts(pool_id), 0, 0
    for account in DynamoAccountRegister().all():
        if pool.get(account["username"]) is None:
            pool.create(account, random_password())
            created += 1
        if not account["enabled"]:
            pool.set_enabled(account["username"], False)
            disabled += 1
    return {"accountsRestored": created, "accountsDisabled": disabled}
