"""Staff sign-in adapters: the Cognito user pool, the app's own token verification, and the
login counters kept in the matters table.

Token verification is done here, on AWS and locally alike (Chalice's local server checks no
Cognito signature): RS256 against the pool's JWKS, issuer, audience (`aud` of id tokens),
`token_use`, expiry. The JWKS is fetched once per container and cached; an unknown `kid` (key
rotation) refetches it, at most once every `min_refetch_seconds`.

Where the JWKS comes from:
- AWS: `https://cognito-idp.{region}.amazonaws.com/{poolId}/.well-known/jwks.json`, the default
  derived from the issuer.
- local runtime: `STAFF_JWKS_URL`, which it points at its moto server
  (`{motoEndpoint}/{poolId}/.well-known/jwks.json`).
- tests under `mock_aws` (no HTTP server): `set_jwks_fetcher` hands in moto's bundled public
  JWKS file.

Pool and client ids come from the environment at call time (`STAFF_USER_POOL_ID`,
`STAFF_USER_POOL_CLIENT_ID`, from the template's APIHandler variables), not at import: locally the
ids exist only once the runtime has created the pool.
"""
from __future__ import annotations

import base64
import json
import os
import threading
import time
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable, Iterable

from botocore.exceptions import ClientError, ParamValidationError
from typing import TYPE_CHECKING
from pynamodb.attributes import NumberAttribute, TTLAttribute, UnicodeAttribute
from pynamodb.exceptions import UpdateError

if TYPE_CHECKING:
    from joserfc.jwk import RSAKey

from .. import settings
from ..domain.actor import Actor, REGION_ATTRIBUTE, ROLE_ATTRIBUTE, UNIT_ATTRIBUTE
from ..domain.deadlines import CHINA_TZ
from ..domain.errors import ServiceUnavailable, Unauthorized
from ..services.auth import (
    NEW_PASSWORD_REQUIRED, AccountDisabled, Challenge, FailureState, InvalidCredentials, InvalidRefreshToken,
    InvalidSession, PasswordRejected, PasswordResetRequired, Tokens,
)
from .aws import client
from .dynamo import META, _TableItem

INVALID_TOKEN = "登录凭证无效或已过期，请重新登录"  # noqa: S105 - a user-facing message, not a password


# -- configuration ------------------------------------------------------------------------
@dataclass(frozen=True)
class StaffPool:
    region: str
    pool_id: str
    client_id: str
    jwks_url: str

    @property
    def issuer(self) -> str:
        return f"https://cognito-idp.{self.region}.amazonaws.com/{self.pool_id}"

    @classmethod
    def from_env(cls) -> "StaffPool":
        pool_id = os.environ.get("STAFF_USER_POOL_ID", "")
        client_id = os.environ.get("STAFF_USER_POOL_CLIENT_ID", "")
        if not pool_id or not client_id or pool_id == "None":
            raise ServiceUnavailable("登录服务暂不可用", code="auth_not_configured")
        region = pool_id.split("_", 1)[0] if "_" in pool_id else settings.REGION
        issuer = f"https://cognito-idp.{region}.amazonaws.com/{pool_id}"
        return cls(region=region, pool_id=pool_id, client_id=client_id,
                   jwks_url=os.environ.get("STAFF_JWKS_URL") or f"{issuer}/.well-known/jwks.json")


# -- JWKS ---------------------------------------------------------------------------------
def _http_jwks(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - URL from config
        return json.loads(response.read(1 << 20))


_jwks_fetcher: Callable[[str], dict] | None = None


def set_jwks_fetcher(fetch: Callable[[str], dict] | None) -> None:
    """Replace how a JWKS URL is read (tests under mock_aws have no HTTP server); None
    restores the HTTP fetch."""
    global _jwks_fetcher
    _jwks_fetcher = fetch


def fetch_jwks(url: str) -> dict:
    return (_jwks_fetcher or _http_jwks)(url)


class JwksCache:
    """The pool's signing keys by `kid`, fetched on first use and kept."""

    def __init__(self, url: str, fetch: Callable[[str], dict] = fetch_jwks,
                 min_refetch_seconds: float = 300, clock: Callable[[], float] = time.monotonic):
        self.url, self._fetch, self._min_refetch, self._clock = url, fetch, min_refetch_seconds, clock
        self._keys: "dict[str, RSAKey] | None" = None
        self._fetched_at = 0.0
        self._lock = threading.Lock()

    def _load(self) -> None:
        try:
            document = self._fetch(self.url)
        except Exception as exc:  # noqa: BLE001 - any failure to read the keys is transient to callers
            raise ServiceUnavailable("登录服务暂不可用，请稍后重试", code="jwks_unavailable") from exc
        keys = {}
        for jwk in (document or {}).get("keys", []):
            if jwk.get("kty") == "RSA" and jwk.get("kid") and jwk.get("use", "sig") == "sig":
                from joserfc.jwk import RSAKey  # imported on first use: citizen cold starts skip it
                keys[jwk["kid"]] = RSAKey.import_key(jwk)
        self._keys, self._fetched_at = keys, self._clock()

    def key(self, kid: str) -> "RSAKey | None":
        with self._lock:
            if self._keys is None:
                self._load()
            elif kid not in self._keys and self._clock() - self._fetched_at >= self._min_refetch:
                self._load()  # the pool may have rotated its keys
            return self._keys.get(kid)


def _b64json(segment: str) -> dict:
    raw = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    value = json.loads(raw)
    if not isinstance(value, dict):
        raise ValueError("not a JSON object")
    return value


class TokenVerifier:
    """Checks a pool's tokens: RS256 signature against its JWKS, issuer, audience/client,
    token_use, expiry (with `leeway` seconds for clock skew)."""

    def __init__(self, issuer: str, client_id: str, jwks: JwksCache, leeway: int = 30,
                 clock: Callable[[], float] = time.time):
        self.issuer, self.client_id, self.jwks, self.leeway, self._clock = issuer, client_id, jwks, leeway, clock

    def verify(self, token: str, token_use: str = "id") -> dict:  # noqa: S107 - the JWT claim token_use, not a password
        """The token's claims, or Unauthorized(code="invalid_token")."""
        def invalid() -> Unauthorized:
            return Unauthorized(INVALID_TOKEN, code="invalid_token")

        if not isinstance(token, str) or token.count(".") != 2 or len(token) > 16384:
            raise invalid()
        try:
            header = _b64json(token.split(".", 1)[0])
        except ValueError:
            raise invalid() from None
        if header.get("alg") != "RS256" or not isinstance(header.get("kid"), str):
            raise invalid()
        key = self.jwks.key(header["kid"])
        if key is None:
            raise invalid()
        from joserfc import jwt
        from joserfc.errors import JoseError
        try:
            claims = jwt.decode(token, key, algorithms=["RS256"]).claims
        except (JoseError, ValueError):
            raise invalid() from None
        now = self._clock()
        audience = claims.get("aud") if token_use == "id" else claims.get("client_id")  # noqa: S105 - the JWT claim token_use
        exp, iat = claims.get("exp"), claims.get("iat")
        if (claims.get("iss") != self.issuer or claims.get("token_use") != token_use
                or audience != self.client_id
                or not isinstance(exp, (int, float)) or exp + self.leeway < now
                or (isinstance(iat, (int, float)) and iat - self.leeway > now)):
            raise invalid()
        return claims


# -- Cognito ------------------------------------------------------------------------------
def _code(err: ClientError) -> str:
    return err.response.get("Error", {}).get("Code", "")


def _tokens(result: dict, refresh_token: str | None = None) -> Tokens:
    return Tokens(id_token=result["IdToken"], access_token=result["AccessToken"],
                  expires_in=int(result.get("ExpiresIn", 3600)),
                  refresh_token=result.get("RefreshToken") or refresh_token)


def _answer(response: dict) -> Tokens | Challenge:
    if "AuthenticationResult" in response:
        return _tokens(response["AuthenticationResult"])
    return Challenge(response.get("ChallengeName", ""), response.get("Session", ""))


# Codes that mean "these credentials do not sign in", whatever the reason: the same answer
# for each, so nobody learns which usernames exist. (moto answers UserNotFoundException for
# an unknown user; Cognito with PreventUserExistenceErrors answers NotAuthorizedException.)
_BAD_CREDENTIALS = {"NotAuthorizedException", "UserNotFoundException", "UserNotConfirmedException"}
# Cognito's own "try again later" answers: a 503 the caller may retry, not a 500.
_TRANSIENT = {"TooManyRequestsException", "LimitExceededException", "InternalErrorException"}


def _disabled(err: ClientError) -> bool:
    """Cognito (and moto) answer a disabled account's sign-in with NotAuthorizedException
    "User is disabled." before looking at the password."""
    return "disabled" in (err.response.get("Error", {}).get("Message") or "").lower()


def _unexpected(err: ClientError) -> Exception:
    """What to raise for a Cognito error the flow does not expect: ServiceUnavailable for
    throttling, else the error itself (a bug or a misconfiguration: the 500 it is)."""
    return ServiceUnavailable() if _code(err) in _TRANSIENT else err


class CognitoIdentityProvider:
    """The staff pool's client (no secret) through the Cognito user-pool API."""

    def __init__(self, pool: StaffPool):
        self.pool = pool

    def password_login(self, username: str, password: str) -> Tokens | Challenge:
        try:
            response = client("cognito-idp").initiate_auth(
                ClientId=self.pool.client_id, AuthFlow="USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": username, "PASSWORD": password})
        except ParamValidationError:
            raise InvalidCredentials() from None
        except ClientError as err:
            if _code(err) == "NotAuthorizedException" and _disabled(err):
                raise AccountDisabled() from None
            if _code(err) in _BAD_CREDENTIALS:
                raise InvalidCredentials() from None
            if _code(err) == "PasswordResetRequiredException":
                raise PasswordResetRequired() from None
            raise _unexpected(err)
        return _answer(response)

    def complete_new_password(self, username: str, session: str, new_password: str) -> Tokens | Challenge:
        try:
            response = client("cognito-idp").respond_to_auth_challenge(
                ClientId=self.pool.client_id, ChallengeName=NEW_PASSWORD_REQUIRED, Session=session,
                ChallengeResponses={"USERNAME": username, "NEW_PASSWORD": new_password})
        except ParamValidationError:
            raise InvalidSession() from None
        except ClientError as err:
            code = _code(err)
            if code == "InvalidPasswordException":
                raise PasswordRejected() from None
            # Cognito: NotAuthorizedException ("session is expired"); moto: ResourceNotFound.
            if code in ("NotAuthorizedException", "ResourceNotFoundException", "CodeMismatchException",
                        "ExpiredCodeException", "UserNotFoundException"):
                raise InvalidSession() from None
            raise _unexpected(err)
        return _answer(response)

    def refresh(self, refresh_token: str) -> Tokens:
        try:
            response = client("cognito-idp").initiate_auth(
                ClientId=self.pool.client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                AuthParameters={"REFRESH_TOKEN": refresh_token})
        except ParamValidationError:
            raise InvalidRefreshToken() from None
        except ClientError as err:
            if _code(err) in _BAD_CREDENTIALS | {"ResourceNotFoundException"}:
                raise InvalidRefreshToken() from None
            raise _unexpected(err)
        return _tokens(response["AuthenticationResult"], refresh_token)

    def change_password(self, access_token: str, old_password: str, new_password: str) -> None:
        """ChangePassword with the person's access token (verified by the caller first, so a
        NotAuthorizedException here means the old password is wrong)."""
        try:
            client("cognito-idp").change_password(
                AccessToken=access_token, PreviousPassword=old_password, ProposedPassword=new_password)
        except ParamValidationError:
            raise PasswordRejected() from None  # an empty or over-long password
        except ClientError as err:
            if _code(err) == "InvalidPasswordException":
                raise PasswordRejected() from None
            if _code(err) in _BAD_CREDENTIALS:
                raise InvalidCredentials() from None
            raise _unexpected(err)

    def sign_out(self, access_token: str) -> None:
        try:
            client("cognito-idp").global_sign_out(AccessToken=access_token)
        except ParamValidationError:
            return
        except ClientError as err:
            if _code(err) not in ("NotAuthorizedException", "UserNotFoundException"):
                raise _unexpected(err)


def staff_attributes(account: dict) -> list[dict]:
    """A staff account's attributes in the pool: display name, unit, role, region."""
    return [{"Name": "name", "Value": account["name"]},
            {"Name": UNIT_ATTRIBUTE, "Value": account["unitId"]},
            {"Name": ROLE_ATTRIBUTE, "Value": account["role"]},
            {"Name": REGION_ATTRIBUTE, "Value": account["regionCode"]}]


def create_staff_user(pool_id: str, account: dict, temporary: bool = False,
                      phone: str | None = None) -> bool:
    """Create one staff account (`{username, password, name, unitId, role, regionCode}`);
    with temporary=True the password must be changed at first login (NEW_PASSWORD_REQUIRED).
    No invitation is sent. False when the username already exists (nothing is changed)."""
    cognito = client("cognito-idp")
    username = account["username"].strip().lower()
    attributes = staff_attributes(account)
    if phone:
        attributes.append({"Name": "phone_number", "Value": f"+86{phone}"})
    try:
        cognito.admin_create_user(UserPoolId=pool_id, Username=username, MessageAction="SUPPRESS",
                                  TemporaryPassword=account["password"],
                                  UserAttributes=attributes)
    except ClientError as err:
        if _code(err) == "UsernameExistsException":
            return False
        raise
    if not temporary:
        cognito.admin_set_user_password(UserPoolId=pool_id, Username=username,
                                        Password=account["password"], Permanent=True)
    return True


def ensure_staff_users(pool_id: str, accounts: Iterable[dict]) -> int:
    """Create the accounts the pool does not hold yet (the demo accounts at every local start:
    moto's Cognito keeps nothing across a restart); returns how many were created."""
    return sum(create_staff_user(pool_id, account) for account in accounts)


# -- login counters in the matters table ---------------------------------------------------
class LockoutRecord(_TableItem, discriminator="lockout"):
    """Failed logins of one username (pk `L#<sha256(username)>`, sk `#`), real-time epochs."""
    failures = NumberAttribute(default=0)
    window_start = NumberAttribute(attr_name="windowStart", null=True)
    last_failure_at = NumberAttribute(attr_name="lastFailureAt", null=True)
    expires = TTLAttribute(attr_name="ttl", null=True)


class LoginRecord(_TableItem, discriminator="login"):
    """Logins of one person in one unit in one month (China time): pk `G#<yyyy-mm>#<unitId>`,
    sk `<username>`. A Query on the pk lists who of the unit signed in that month."""
    username = UnicodeAttribute()
    unit_id = UnicodeAttribute(attr_name="unitId")
    role = UnicodeAttribute()
    name = UnicodeAttribute(null=True)
    first_at = UnicodeAttribute(attr_name="firstAt", null=True)
    last_at = UnicodeAttribute(attr_name="lastAt")
    logins = NumberAttribute(default=0)


def login_pk(month: str, unit_id: str) -> str:
    return f"G#{month}#{unit_id}"


def _iso(at: datetime) -> str:
    return at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _conditional_failed(err: UpdateError) -> bool:
    return getattr(err, "cause_response_code", None) == "ConditionalCheckFailedException"


class DynamoLoginStore:
    def failure_state(self, key: str) -> FailureState:
        try:
            item = LockoutRecord.get(key, META, consistent_read=True)
        except LockoutRecord.DoesNotExist:
            return FailureState()
        return FailureState(int(item.failures or 0), item.last_failure_at)

    def record_failure(self, key: str, now: float, window_seconds: int, keep_seconds: int) -> FailureState:
        """One more failure in the current window, or the first of a new window; one
        conditional UpdateItem (a second only when the window must restart)."""
        item = LockoutRecord(pk=key, sk=META)
        expires = datetime.fromtimestamp(now + keep_seconds, tz=timezone.utc)
        common = [LockoutRecord.item_type.set(LockoutRecord), LockoutRecord.last_failure_at.set(now),
                  LockoutRecord.expires.set(expires)]
        for _attempt in range(3):
            try:
                item.update(actions=[LockoutRecord.failures.add(1), *common],
                            condition=LockoutRecord.window_start >= now - window_seconds)
                break
            except UpdateError as err:
                if not _conditional_failed(err):
                    raise
            try:
                item.update(actions=[LockoutRecord.failures.set(1),
                                     LockoutRecord.window_start.set(now), *common],
                            condition=LockoutRecord.window_start.does_not_exist()
                            | (LockoutRecord.window_start < now - window_seconds))
                break
            except UpdateError as err:  # another request just opened a window: count in it
                if not _conditional_failed(err):
                    raise
        return FailureState(int(item.failures or 0), item.last_failure_at)

    def clear_failures(self, key: str) -> None:
        LockoutRecord(pk=key, sk=META).update(actions=[
            LockoutRecord.item_type.set(LockoutRecord), LockoutRecord.failures.set(0),
            LockoutRecord.window_start.remove(), LockoutRecord.last_failure_at.remove()])

    def record_login(self, actor: Actor, at: datetime) -> None:
        """One UpdateItem: count the login and keep the first and last time of the month."""
        month = at.astimezone(CHINA_TZ).strftime("%Y-%m")
        stamp = _iso(at)
        LoginRecord(pk=login_pk(month, actor.unit_id), sk=actor.username).update(actions=[
            LoginRecord.item_type.set(LoginRecord),
            LoginRecord.username.set(actor.username), LoginRecord.unit_id.set(actor.unit_id),
            LoginRecord.role.set(actor.role), LoginRecord.name.set(actor.name),
            LoginRecord.first_at.set(LoginRecord.first_at | stamp),
            LoginRecord.last_at.set(stamp), LoginRecord.logins.add(1)])

    def logins_in_month(self, month: str, unit_id: str) -> list[LoginRecord]:
        return list(LoginRecord.query(login_pk(month, unit_id)))
