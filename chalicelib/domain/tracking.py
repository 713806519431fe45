"""Tracking codes (查询码) that citizens read aloud over the phone and type on a phone keyboard.

* Alphabet of 31 symbols without 0/O/1/I/L, so nothing can be misheard or misread as another.
* 9 random symbols: 31**9 ≈ 2**44.6 codes, enough that guessing one (the phone number is also
  required to read a matter) is hopeless.
* 1 check symbol: ``sum(i * value_i for i in 1..10) ≡ 0 (mod 31)``. 31 is prime and every weight
  is in 1..10, so any single wrong symbol and any swap of two different symbols is rejected
  before a database lookup.
* Shown as ``XXX-XXX-XXXX``.

Randomness is passed in as bytes (``secrets.token_bytes(TRACKING_RANDOM_BYTES)``): the domain
owns no randomness source, which keeps it deterministic under test.
"""
from __future__ import annotations

import math
import re
import unicodedata

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
_BASE = len(ALPHABET)  # 31
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
RANDOM_SYMBOLS = 9
CODE_LENGTH = RANDOM_SYMBOLS + 1
ENTROPY_BITS = RANDOM_SYMBOLS * math.log2(_BASE)  # ≈ 44.6
# Bytes >= 248 (= 8 * 31) are rejected so every symbol is equally likely (probability 1/32 per
# byte). With 32 bytes the chance of fewer than 9 usable bytes is below 1e-28.
TRACKING_RANDOM_BYTES = 32
_ACCEPT_BELOW = 256 - 256 % _BASE
_INV_LAST_WEIGHT = pow(CODE_LENGTH, -1, _BASE)
_IGNORED = re.compile(r"[\s\-]")


def _check_symbol(values: list[int]) -> str:
    """The symbol c making sum(i * v_i) + 10 * c ≡ 0 (mod 31)."""
    partial = sum(i * v for i, v in enumerate(values, start=1))
    return ALPHABET[(-partial * _INV_LAST_WEIGHT) % _BASE]


def _display(raw: str) -> str:
    return f"{raw[:3]}-{raw[3:6]}-{raw[6:]}"


def new_tracking_code(random_bytes: bytes) -> str:
    """A fresh code such as ``7KX-M2P-Q9ZA`` from caller-supplied random bytes.

    Pass ``TRACKING_RANDOM_BYTES`` (32) bytes from a CSPRNG; bytes are consumed by unbiased
    rejection sampling. Raises ValueError when too few usable bytes were given.
    """
    values = [b % _BASE for b in bytes(random_bytes) if b < _ACCEPT_BELOW][:RANDOM_SYMBOLS]
    if len(values) < RANDOM_SYMBOLS:
        raise ValueError(f"need more random bytes; pass {TRACKING_RANDOM_BYTES}")
    return _display("".join(ALPHABET[v] for v in values) + _check_symbol(values))


def normalize_tracking_code(s: str) -> str | None:
    """Canonical ``XXX-XXX-XXXX`` form of a code as typed (any case, spaces, hyphens,
    full-width characters), or None when it cannot be a code we issued."""
    if not isinstance(s, str):
        return None
    raw = _IGNORED.sub("", unicodedata.normalize("NFKC", s))
    if not raw.isascii():  # before upper(): "ß".upper() == "SS" must not sneak in
        return None
    raw = raw.upper()
    if len(raw) != CODE_LENGTH or any(c not in _VALUE for c in raw):
        return None
    values = [_VALUE[c] for c in raw]
    if raw[-1] != _check_symbol(values[:-1]):
        return None
    return _display(raw)
