"""Secrets from Secrets Manager, read once per container."""
from __future__ import annotations

import functools
import hashlib
import hmac

from .. import settings
from .aws import client


@functools.lru_cache(maxsize=8)
def secret_bytes(secret_id: str) -> bytes:
    value = client("secretsmanager").get_secret_value(SecretId=secret_id)["SecretString"]
    return value.encode("utf-8")


class PhoneHasher:
    """Keyed hash of a phone number: lets us index matters by phone without storing a
    hash anyone could reverse by trying every number."""

    def __init__(self, secret_id: str | None = None):
        self._secret_id = secret_id or settings.PHONE_HASH_SECRET_ID

    def __call__(self, phone: str) -> str:
        key = secret_bytes(self._secret_id)
        return hmac.new(key, phone.encode("ascii"), hashlib.sha256).hexdigest()


class CitizenKeys:
    """The citizen-token secret, split into two keys (one signs tokens, one hashes one-time
    codes) so neither use can stand in for the other."""

    def __init__(self, secret_id: str | None = None):
        self._secret_id = secret_id or settings.CITIZEN_TOKEN_SECRET_ID

    def _derived(self, purpose: bytes) -> bytes:
        return hmac.new(secret_bytes(self._secret_id), purpose, hashlib.sha256).digest()

    def token_key(self) -> bytes:
        return self._derived(b"citizen-token")

    def code_hash(self, phone_hash: str, code: str) -> str:
        return hmac.new(self._derived(b"otp-code"), f"{phone_hash}|{code}".encode("ascii"),
                        hashlib.sha256).hexdigest()
