"""Citizen identity rules: mainland mobile numbers and GB 11643-1999 resident IDs.

Pure functions: the portal and the 12345 hotline send what people typed, so we normalise the
usual decorations (spaces, hyphens, +86, full-width digits) before judging, and we mask numbers
before they reach logs, lists or the public timeline.
"""
from __future__ import annotations

import datetime as _dt
import re
import unicodedata

_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_ID_SHAPE = re.compile(r"[0-9]{17}[0-9X]")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARS = "10X98765432"
# First two digits: the 34 provincial-level divisions of GB/T 2260 (71 Taiwan, 81/82 HK/Macao,
# 83 used on residence permits for Taiwan residents, 91 Hong Kong/Macao/Taiwan residence permits).
_PROVINCES = frozenset(
    [*range(11, 16), *range(21, 24), *range(31, 38), *range(41, 47), *range(50, 55),
     *range(61, 66), 71, 81, 82, 83, 91])
_EARLIEST_BIRTH = _dt.date(1900, 1, 1)


def normalize_phone(s: str) -> str:
    """Canonical digits of a phone number as typed: NFKC (full-width digits from Chinese IMEs),
    without spaces or hyphens, without a leading +86 / 0086 / 86 country code."""
    s = re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", s))
    for prefix in ("+86", "0086"):
        if s.startswith(prefix):
            return s[len(prefix):]
    # A bare "86" is only a country code when what follows is a full 11-digit number.
    if s.startswith("86") and len(s) == 13:
        return s[2:]
    return s


def is_mainland_mobile(s: str) -> bool:
    """True for an 11-digit mainland mobile number (1, then 3–9, then 9 digits), as typed."""
    return isinstance(s, str) and _MOBILE.fullmatch(normalize_phone(s)) is not None


def mask_phone(s: str) -> str:
    """``13812345678`` → ``138****5678``: enough for the citizen to recognise their number."""
    p = normalize_phone(s)
    if len(p) < 8:
        return "*" * len(p)
    return p[:3] + "*" * (len(p) - 7) + p[-4:]


def resident_id_check_char(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character of the first 17 digits of a resident ID."""
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK_CHARS[total % 11]


def is_valid_resident_id(s: str) -> bool:
    """18-character resident ID: province code, a real birth date from 1900 on, and the MOD 11-2
    check character. Today's date is deliberately not consulted (domain code reads no clock)."""
    if not isinstance(s, str):
        return False
    s = s.upper()
    if _ID_SHAPE.fullmatch(s) is None or int(s[:2]) not in _PROVINCES:
        return False
    try:
        born = _dt.date(int(s[6:10]), int(s[10:12]), int(s[12:14]))
    except ValueError:
        return False
    return born >= _EARLIEST_BIRTH and resident_id_check_char(s[:17]) == s[17]


def mask_id_number(s: str) -> str:
    """Keep the region (first 6) and the last 4: ``431002********1234``."""
    if len(s) <= 10:
        return "*" * len(s)
    return s[:6] + "*" * (len(s) - 10) + s[-4:]
