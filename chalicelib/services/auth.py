"""Staff sign-in: the use cases behind `/api/auth/*`.

- login: username + password against the staff user pool. The same 401 `invalid_credentials`
  for an unknown user, a wrong password or a disabled account. A first login with a temporary
  password answers **200** `{"challenge": "NEW_PASSWORD_REQUIRED", "session", "username"}`
  (a challenge is not an error: the console shows the "set your password" form), and
  `complete_new_password` finishes it with the tokens.
- lockout: after `failures_allowed` (5) failed logins within `window_seconds` (15 min) the
  username is locked for `lock_seconds` (15 min) from the last failure: 429 `account_locked`,
  even with the right password, and Cognito is not asked at all. The counter is kept per
  normalised username (unknown usernames lock the same way: no existence leak) in real time,
  never the accelerated matter clock: it is a security control, not a business deadline.
- every successful login is recorded once per person, unit and month (`LoginStore.record_login`,
  one write) for the monthly login rate; it is dated by the app clock like every other record.
- refresh and logout (global sign-out: every refresh token of the person stops working; id
  tokens already issued stay valid until they expire, at most an hour).

Ports are given in `Deps`, so the rules are tested without AWS.
"""
from __future__ import annotations

import hashlib
import time
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, Protocol

from ..domain.actor import Actor, actor_from_claims
from ..domain.errors import Forbidden, TooManyRequests, Unauthorized, ValidationFailed

NEW_PASSWORD_REQUIRED = "NEW_PASSWORD_REQUIRED"  # noqa: S105 - Cognito's challenge name
INVALID_CREDENTIALS = "用户名或密码错误"
ACCOUNT_LOCKED = "登录失败次数过多，账号已暂时锁定，请{minutes}分钟后再试"
PASSWORD_POLICY = "密码至少10位，须同时包含大写字母、小写字母、数字和符号"  # noqa: S105 - a user-facing message
ACCOUNT_DISABLED = "账号已停用，请联系管理员"
SESSION_EXPIRED = "修改密码的会话已失效，请重新登录"
REFRESH_EXPIRED = "登录已过期，请重新登录"
MAX_USERNAME = 128
MAX_PASSWORD = 256


# -- what the identity provider may answer ------------------------------------------------
class InvalidCredentials(Exception):
    """Unknown user, wrong password or disabled account: callers cannot tell which."""


class InvalidSession(Exception):
    """The NEW_PASSWORD_REQUIRED session is unknown, used or expired."""


class InvalidRefreshToken(Exception):
    """Unknown, expired or revoked (signed out) refresh token."""


class PasswordRejected(Exception):
    """The new password does not meet the pool's password policy."""


class AccountDisabled(Exception):
    """An administrator disabled the account (停用)."""


class PasswordResetRequired(Exception):
    """An administrator reset the password (the account needs a new temporary password)."""


@dataclass(frozen=True)
class Tokens:
    id_token: str
    access_token: str
    expires_in: int
    refresh_token: str | None = None


@dataclass(frozen=True)
class Challenge:
    name: str
    session: str


class IdentityProvider(Protocol):
    def password_login(self, username: str, password: str) -> Tokens | Challenge: ...
    def complete_new_password(self, username: str, session: str, new_password: str) -> Tokens | Challenge: ...
    def refresh(self, refresh_token: str) -> Tokens: ...
    def sign_out(self, access_token: str) -> None: ...
    def change_password(self, access_token: str, old_password: str, new_password: str) -> None: ...


@dataclass(frozen=True)
class FailureState:
    failures: int = 0
    last_failure_at: float | None = None  # epoch seconds, real time


class LoginStore(Protocol):
    def failure_state(self, key: str) -> FailureState: ...
    def record_failure(self, key: str, now: float, window_seconds: int, keep_seconds: int) -> FailureState: ...
    def clear_failures(self, key: str) -> None: ...
    def record_login(self, actor: Actor, at: datetime) -> None: ...


@dataclass(frozen=True)
class LockoutPolicy:
    failures_allowed: int = 5
    window_seconds: int = 15 * 60
    lock_seconds: int = 15 * 60

    def locked_for(self, state: FailureState, now: float) -> int:
        """Seconds the username stays locked (0 when it is not locked)."""
        if state.failures < self.failures_allowed or state.last_failure_at is None:
            return 0
        return max(0, int(state.last_failure_at + self.lock_seconds - now + 0.999))


@dataclass
class Deps:
    idp: IdentityProvider
    store: LoginStore
    verify: Callable[[str], dict]                    # id token → verified claims
    unit_lookup: Callable[[str], dict | None]
    region_lookup: Callable[[str], dict | None] | None
    now: Callable[[], datetime]                      # the app clock (login records)
    wall_time: Callable[[], float] = time.time       # real time (lockout)
    policy: LockoutPolicy = field(default_factory=LockoutPolicy)
    verify_access: Callable[[str], dict] | None = None  # access token → verified claims


# -- input --------------------------------------------------------------------------------
def normalize_username(value: Any) -> str:
    """Usernames are matched case-insensitively (the pool is declared so; moto is not, so the
    app lower-cases before asking) and without surrounding spaces or full-width forms."""
    if not isinstance(value, str):
        return ""
    return unicodedata.normalize("NFKC", value).strip().lower()


def _text(body: Any, name: str, label: str, limit: int, errors: dict) -> str:
    value = body.get(name) if isinstance(body, dict) else None
    if not isinstance(value, str) or not value:
        errors[name] = f"请填写{label}"
        return ""
    if len(value) > limit:
        errors[name] = f"{label}过长"
        return ""
    return value


def _require(body: Any, *fields: tuple[str, str, int]) -> list[str]:
    if not isinstance(body, dict):
        raise ValidationFailed("请求内容应为 JSON 对象", code="validation_failed")
    errors: dict[str, str] = {}
    values = [_text(body, name, label, limit, errors) for name, label, limit in fields]
    if errors:
        raise ValidationFailed(fields=errors)
    return values


def lockout_key(username: str) -> str:
    return "L#" + hashlib.sha256(username.encode("utf-8")).hexdigest()


# -- answers --------------------------------------------------------------------------------
def _tokens_body(tokens: Tokens, refresh_token: str | None = None) -> dict:
    return {"idToken": tokens.id_token, "accessToken": tokens.access_token,
            "refreshToken": tokens.refresh_token or refresh_token, "expiresIn": tokens.expires_in}


def _challenge_body(challenge: Challenge, username: str) -> dict:
    return {"challenge": challenge.name, "session": challenge.session, "username": username,
            "message": "首次登录请设置新密码" if challenge.name == NEW_PASSWORD_REQUIRED else "请完成登录验证"}


def _locked(seconds: int) -> TooManyRequests:
    return TooManyRequests(ACCOUNT_LOCKED.format(minutes=max(1, (seconds + 59) // 60)),
                           code="account_locked", retry_after=seconds)


def actor_of(id_token: str, deps: Deps) -> Actor:
    """The Actor of an id token: verified, then built from its claims and the unit directory."""
    return actor_from_claims(deps.verify(id_token), deps.unit_lookup, deps.region_lookup)


def _signed_in(username: str, tokens: Tokens, deps: Deps, had_failures: bool) -> dict:
    """Tokens issued: check the account can work here, record the login, answer the tokens."""
    try:
        actor = actor_of(tokens.id_token, deps)
    except Unauthorized as err:
        # Cognito accepted the password but the account's unit or role is wrong: not the
        # caller's typing, so no failure is counted; an administrator must fix the account.
        raise Forbidden(err.message, code=err.code) from None
    deps.store.record_login(actor, deps.now())
    if had_failures:
        deps.store.clear_failures(lockout_key(username))
    return _tokens_body(tokens)


# -- use cases ------------------------------------------------------------------------------
def login(body: Any, deps: Deps) -> dict:
    raw_username, password = _require(body, ("username", "用户名", MAX_USERNAME),
                                      ("password", "密码", MAX_PASSWORD))
    username = normalize_username(raw_username)
    if not username:
        raise ValidationFailed(fields={"username": "请填写用户名"})
    key = lockout_key(username)
    now = deps.wall_time()
    state = deps.store.failure_state(key)
    locked = deps.policy.locked_for(state, now)
    if locked:
        raise _locked(locked)
    try:
        answer = deps.idp.password_login(username, password)
    except InvalidCredentials:
        state = deps.store.record_failure(key, now, deps.policy.window_seconds,
                                          deps.policy.window_seconds + deps.policy.lock_seconds)
        locked = deps.policy.locked_for(state, now)
        if locked:  # this failure was the last one allowed
            raise _locked(locked) from None
        raise Unauthorized(INVALID_CREDENTIALS, code="invalid_credentials") from None
    except PasswordResetRequired:
        raise Forbidden("密码已被重置，请联系管理员获取临时密码", code="password_reset_required") from None
    except AccountDisabled:
        # Cognito says so before checking the password: not counted as a failed guess.
        raise Forbidden(ACCOUNT_DISABLED, code="account_disabled") from None
    if isinstance(answer, Challenge):
        return _challenge_body(answer, username)
    return _signed_in(username, answer, deps, state.failures > 0)


def complete_new_password(body: Any, deps: Deps) -> dict:
    """Second step of a first login: the session of the NEW_PASSWORD_REQUIRED answer and the
    password the person chose."""
    raw_username, session, new_password = _require(
        body, ("username", "用户名", MAX_USERNAME), ("session", "会话", 4096),
        ("newPassword", "新密码", MAX_PASSWORD))
    username = normalize_username(raw_username)
    if not 20 <= len(session) <= 2048:  # Cognito's own bounds for a session
        raise Unauthorized(SESSION_EXPIRED, code="invalid_session")
    try:
        answer = deps.idp.complete_new_password(username, session, new_password)
    except PasswordRejected:
        raise ValidationFailed(PASSWORD_POLICY, code="weak_password",
                               fields={"newPassword": PASSWORD_POLICY}) from None
    except (InvalidSession, InvalidCredentials):
        raise Unauthorized(SESSION_EXPIRED, code="invalid_session") from None
    if isinstance(answer, Challenge):
        return _challenge_body(answer, username)
    return _signed_in(username, answer, deps, deps.store.failure_state(lockout_key(username)).failures > 0)


def refresh(body: Any, deps: Deps) -> dict:
    (refresh_token,) = _require(body, ("refreshToken", "刷新令牌", 8192))
    try:
        tokens = deps.idp.refresh(refresh_token)
    except (InvalidRefreshToken, InvalidCredentials):
        raise Unauthorized(REFRESH_EXPIRED, code="invalid_refresh_token") from None
    actor_of(tokens.id_token, deps)  # an account whose unit or role went wrong stops here
    return _tokens_body(tokens, refresh_token)


def logout(body: Any, deps: Deps) -> None:
    """Global sign-out with the access token: idempotent (an expired or already signed-out
    token answers the same)."""
    (access_token,) = _require(body, ("accessToken", "访问令牌", 8192))
    deps.idp.sign_out(access_token)


WRONG_PASSWORD = "原密码不正确"  # noqa: S105 - a user-facing message


def change_password(body: Any, actor: Actor, deps: Deps) -> None:
    """个人中心 › 修改密码: the signed-in person changes their own password with their access
    token (Cognito ChangePassword). The access token must be the caller's own; wrong old
    passwords count towards the same lockout as failed logins, so this is no way round it."""
    access_token, old_password, new_password = _require(
        body, ("accessToken", "访问令牌", 8192), ("oldPassword", "原密码", MAX_PASSWORD),
        ("newPassword", "新密码", MAX_PASSWORD))
    claims = deps.verify_access(access_token) if deps.verify_access else {}
    if normalize_username(claims.get("username")) != actor.username:
        raise Unauthorized("访问令牌无效或已过期，请重新登录", code="invalid_token")
    key = lockout_key(actor.username)
    now = deps.wall_time()
    state = deps.store.failure_state(key)
    locked = deps.policy.locked_for(state, now)
    if locked:
        raise _locked(locked)
    try:
        deps.idp.change_password(access_token, old_password, new_password)
    except PasswordRejected:
        raise ValidationFailed(PASSWORD_POLICY, code="weak_password",
                               fields={"newPassword": PASSWORD_POLICY}) from None
    except InvalidCredentials:
        state = deps.store.record_failure(key, now, deps.policy.window_seconds,
                                          deps.policy.window_seconds + deps.policy.lock_seconds)
        locked = deps.policy.locked_for(state, now)
        if locked:
            raise _locked(locked) from None
        raise ValidationFailed(WRONG_PASSWORD, code="wrong_password",
                               fields={"oldPassword": WRONG_PASSWORD}) from None
    if state.failures:
        deps.store.clear_failures(key)
