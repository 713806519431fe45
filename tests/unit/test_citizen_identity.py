"""One-time codes and citizen tokens: the rules a phone verification must keep."""
from __future__ import annotations

import base64
import json

import pytest

from chalicelib.domain import citizen as rules
from chalicelib.domain.errors import TooManyRequests, ValidationFailed

T0 = 1_790_000_000.0  # 2026-09-21 (China time)
KEY = b"k" * 32


def test_codes_are_six_digits_with_leading_zeros_kept():
    assert rules.new_code(bytes(8)) == "000000"
    assert rules.new_code((1_000_123).to_bytes(8, "big")) == "000123"
    assert all(len(rules.new_code(bytes([i] * 8))) == 6 for i in range(256))


def test_a_right_code_is_spent_and_cannot_be_used_again():
    state = rules.issue(None, "H", T0)
    ok, state = rules.check(state, lambda h: h == "H", T0 + 10)
    assert ok and state.code_hash is None
    with pytest.raises(ValidationFailed) as err:
        rules.check(state, lambda h: h == "H", T0 + 20)
    assert err.value.code == "otp_invalid"


def test_a_code_expires_after_five_minutes():
    state = rules.issue(None, "H", T0)
    assert rules.check(state, lambda h: True, T0 + 300)[0]
    with pytest.raises(ValidationFailed) as err:
        rules.check(state, lambda h: True, T0 + 301)
    assert err.value.code == "otp_expired"


def test_five_wrong_codes_lock_even_the_right_one():
    state = rules.issue(None, "H", T0)
    for i in range(5):
        ok, state = rules.check(state, lambda h: False, T0 + i)
        assert not ok
        err = rules.wrong_code_error(state)
        assert err.code == ("otp_locked" if i == 4 else "otp_invalid")
    assert "还可尝试1次" in rules.wrong_code_error(rules.OtpState(attempts=4)).message
    with pytest.raises(TooManyRequests) as err:
        rules.check(state, lambda h: True, T0 + 10)
    assert err.value.code == "otp_locked"


def test_resend_waits_a_minute_and_a_new_code_resets_the_attempts():
    state = rules.issue(None, "H1", T0)
    _, state = rules.check(state, lambda h: False, T0 + 1)
    with pytest.raises(TooManyRequests) as err:
        rules.issue(state, "H2", T0 + 59)
    assert err.value.code == "otp_resend_too_soon" and err.value.retry_after == 1
    state = rules.issue(state, "H2", T0 + 60)
    assert (state.code_hash, state.attempts, state.sends_today) == ("H2", 0, 2)


def test_ten_codes_a_day_per_phone_then_again_after_china_midnight():
    state, t = None, T0
    for _ in range(10):
        state = rules.issue(state, "H", t)
        t += 60
    with pytest.raises(TooManyRequests) as err:
        rules.issue(state, "H", t)
    assert err.value.code == "otp_daily_limit"
    next_day = t + err.value.retry_after
    assert rules.china_day(next_day) != rules.china_day(t)
    assert rules.issue(state, "H", next_day).sends_today == 1


def test_codes_must_be_six_digits():
    for bad in (None, 123456, "12345", "1234567", "12a456", ""):
        with pytest.raises(ValidationFailed):
            rules.validate_code(bad)
    assert rules.validate_code(" 012345 ") == "012345"


def test_a_token_names_the_phone_hash_until_it_expires():
    token = rules.sign_token("ph", KEY, T0)
    assert rules.verify_token(token, KEY, T0 + 1799) == "ph"
    with pytest.raises(rules.InvalidCitizenToken) as err:
        rules.verify_token(token, KEY, T0 + rules.TOKEN_TTL_SECONDS + 31)
    assert err.value.code == "citizen_token_expired" and err.value.status == 401


def _tamper(token: str, **claims) -> str:
    header, body, sig = token.split(".")
    data = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    data.update(claims)
    new = base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()
    return f"{header}.{new}.{sig}"


@pytest.mark.parametrize("make", [
    lambda t: _tamper(t, sub="someone-else"),
    lambda t: _tamper(t, exp=T0 + 10 ** 6),
    lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),
    lambda t: rules.sign_token("ph", b"another key", T0),
    lambda t: "eyJhbGciOiJub25lIn0." + t.split(".")[1] + ".",
    lambda t: "not a token",
    lambda t: None,
])
def test_forged_or_altered_tokens_are_refused(make):
    with pytest.raises(rules.InvalidCitizenToken) as err:
        rules.verify_token(make(rules.sign_token("ph", KEY, T0)), KEY, T0 + 1)
    assert err.value.status == 401
