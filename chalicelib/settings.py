"""Configuration read from the environment, so one bundle serves every stage and city.

Names of tables and state machines come from the template (Chalice stage config or
the local runtime sets them); nothing here creates an AWS client.
"""
from __future__ import annotations

import os

STAGE = os.environ.get("JIEYOU_STAGE", "local")
REGION = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
MATTERS_TABLE = os.environ.get("MATTERS_TABLE", "jieyou-local-matters")
LIFECYCLE_STATE_MACHINE_ARN = os.environ.get("LIFECYCLE_STATE_MACHINE_ARN", "")
JOINT_STATE_MACHINE_ARN = os.environ.get("JOINT_STATE_MACHINE_ARN", "")
AGREEMENT_STATE_MACHINE_ARN = os.environ.get("AGREEMENT_STATE_MACHINE_ARN", "")
PHONE_HASH_SECRET_ID = os.environ.get("PHONE_HASH_SECRET_ID", "jieyou/local/phone-hash-key")
CITIZEN_TOKEN_SECRET_ID = os.environ.get("CITIZEN_TOKEN_SECRET_ID", "jieyou/local/citizen-token-key")
EVIDENCE_BUCKET = os.environ.get("EVIDENCE_BUCKET", "jieyou-local-evidence-123456789012")
# Public pictures of 在线普法 / 在线宣传 articles, served by the web distribution at /media/*.
MEDIA_BUCKET = os.environ.get("MEDIA_BUCKET", "jieyou-local-media-123456789012")
# One-time codes sent per client address per hour (per phone: 1 a minute, 10 a day).
OTP_SENDS_PER_CLIENT = int(os.environ.get("OTP_SENDS_PER_CLIENT", "20"))
OTP_CLIENT_WINDOW_SECONDS = 3600

# Failed citizen lookups allowed per client per window before 429.
LOOKUP_FAILURES_ALLOWED = int(os.environ.get("LOOKUP_FAILURES_ALLOWED", "10"))
LOOKUP_WINDOW_SECONDS = int(os.environ.get("LOOKUP_WINDOW_SECONDS", "900"))
MAX_BODY_BYTES = 64 * 1024
IDEMPOTENCY_TTL_SECONDS = 24 * 3600


def is_local() -> bool:
    return STAGE == "local"
