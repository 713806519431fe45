"""Matter ids: time-ordered (ULID layout) so ids sort by filing time, random enough to be unguessable."""
from __future__ import annotations

from datetime import datetime

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_matter_id(now: datetime, random_bytes: bytes) -> str:
    """48 bits of milliseconds + 80 random bits, 26 Crockford base32 characters."""
    if len(random_bytes) < 10:
        raise ValueError("need 10 random bytes")
    value = (int(now.timestamp() * 1000) << 80) | int.from_bytes(random_bytes[:10], "big")
    chars = []
    for _ in range(26):
        chars.append(_CROCKFORD[value & 31])
        value >>= 5
    return "".join(reversed(chars))
