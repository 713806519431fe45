"""Citizen identity by phone: one-time SMS codes and the short-lived citizen token.

Pure: keys, time (real epoch seconds, never the accelerated matter clock) and randomness come
in as arguments. The code is stored only as a keyed hash; the token names the keyed phone
hash (never the phone), which is also the key of the byPhone index.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone

from .errors import DomainError, TooManyRequests, ValidationFailed

CODE_TTL_SECONDS = 5 * 60
MAX_ATTEMPTS = 5
RESEND_AFTER_SECONDS = 60
SENDS_PER_DAY = 10
TOKEN_TTL_SECONDS = 30 * 60
CHINA_TZ = timezone(timedelta(hours=8))


class InvalidCitizenToken(DomainError):
    status = 401
    code = "invalid_citizen_token"
    message = "手机验证已失效，请重新获取验证码"


@dataclass(frozen=True)
class OtpState:
    """What is stored per phone: the current code's hash and its counters."""
    code_hash: str | None = None
    issued_at: float = 0.0
    attempts: int = 0
    day: str = ""          # China date of the sends counted in `sends_today`
    sends_today: int = 0
    last_sent_at: float = 0.0
    version: int | None = None


def new_code(random_bytes: bytes) -> str:
    """Six digits from 8 random bytes (the modulo bias is below 1e-13)."""
    return f"{int.from_bytes(random_bytes[:8], 'big') % 1_000_000:06d}"


def china_day(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, tz=CHINA_TZ).strftime("%Y-%m-%d")


def issue(state: OtpState | None, code_hash: str, now: float) -> OtpState:
    """A new code replaces the old one, unless the phone asked too recently or too often today."""
    state = state or OtpState()
    wait = int(state.last_sent_at + RESEND_AFTER_SECONDS - now)
    if state.last_sent_at and wait > 0:
        raise TooManyRequests(f"验证码已发送，请{wait}秒后再试", code="otp_resend_too_soon",
                              retry_after=wait)
    today = china_day(now)
    sends = state.sends_today if state.day == today else 0
    if sends >= SENDS_PER_DAY:
        midnight = datetime.fromtimestamp(now, tz=CHINA_TZ).replace(hour=0, minute=0, second=0,
                                                                      microsecond=0) + timedelta(days=1)
        raise TooManyRequests("今日获取验证码次数已达上限，请明天再试", code="otp_daily_limit",
                              retry_after=max(1, int(midnight.timestamp() - now)))
    return replace(state, code_hash=code_hash, issued_at=now, attempts=0, day=today,
                   sends_today=sends + 1, last_sent_at=now)


def check(state: OtpState | None, matches, now: float) -> tuple[bool, OtpState | None]:
    """Try a code. `matches(code_hash)` compares in constant time. Returns (ok, new state):
    a right code is spent, a wrong one counts; an expired or exhausted code is refused
    without counting."""
    if state is None or state.code_hash is None:
        raise ValidationFailed("验证码无效，请重新获取", code="otp_invalid",
                               fields={"code": "验证码无效，请重新获取"})
    if now - state.issued_at > CODE_TTL_SECONDS:
        raise ValidationFailed("验证码已过期，请重新获取", code="otp_expired",
                               fields={"code": "验证码已过期，请重新获取"})
    if state.attempts >= MAX_ATTEMPTS:
        raise TooManyRequests("验证码错误次数过多，请重新获取验证码", code="otp_locked",
                              retry_after=max(1, int(state.last_sent_at + RESEND_AFTER_SECONDS - now)))
    if matches(state.code_hash):
        return True, replace(state, code_hash=None, attempts=0)
    return False, replace(state, attempts=state.attempts + 1)


def wrong_code_error(state: OtpState) -> DomainError:
    left = MAX_ATTEMPTS - state.attempts
    if left <= 0:
        return TooManyRequests("验证码错误次数过多，请重新获取验证码", code="otp_locked",
                               retry_after=RESEND_AFTER_SECONDS)
    return ValidationFailed(f"验证码错误，还可尝试{left}次", code="otp_invalid",
                            fields={"code": f"验证码错误，还可尝试{left}次"})


def validate_code(value) -> str:
    if not isinstance(value, str) or len(value.strip()) != 6 or not value.strip().isdigit():
        raise ValidationFailed(fields={"code": "请输入6位数字验证码"})
    return value.strip()


# --- the citizen token: a compact HS256 JWT -----------------------------------------------
def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


_HEADER = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())


def sign_token(phone_hash: str, key: bytes, now: float, ttl: int = TOKEN_TTL_SECONDS) -> str:
    claims = {"sub": phone_hash, "use": "citizen", "iat": int(now), "exp": int(now) + ttl}
    body = _b64(json.dumps(claims, separators=(",", ":")).encode())
    signature = hmac.new(key, f"{_HEADER}.{body}".encode("ascii"), hashlib.sha256).digest()
    return f"{_HEADER}.{body}.{_b64(signature)}"


def verify_token(token, key: bytes, now: float, leeway: int = 30) -> str:
    """The phone hash the token was issued for; 401 when forged, altered, expired or not ours."""
    try:
        header, body, signature = token.split(".")
        expected = hmac.new(key, f"{header}.{body}".encode("ascii"), hashlib.sha256).digest()
        if header != _HEADER or not hmac.compare_digest(expected, _unb64(signature)):
            raise ValueError("bad signature")
        claims = json.loads(_unb64(body))
        if claims.get("use") != "citizen" or not isinstance(claims.get("sub"), str):
            raise ValueError("not a citizen token")
        if not (claims["iat"] - leeway <= now < claims["exp"] + leeway):
            raise InvalidCitizenToken("手机验证已过期，请重新获取验证码", code="citizen_token_expired")
    except InvalidCitizenToken:
        raise
    except (ValueError, TypeError, KeyError, AttributeError, UnicodeError):
        raise InvalidCitizenToken() from None
    return claims["sub"]
