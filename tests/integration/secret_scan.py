"""What counts as a secret in this repository, for the tree and the packaged artefact."""
from __future__ import annotations

import re

DEMO_PASSWORD = "Jieyou#2026demo"
# Where the documented demo password may appear: local-stage data and its generator, tests, docs.
DEMO_PASSWORD_ALLOWED = ("chalicelib/reference/data/demo-accounts-", "chalicelib/reference/generate.py",
                         "tests/", "docs/", "README.md")
PATTERNS = {
    # AWS's documentation keys end in EXAMPLE (botocore ships them in its examples).
    "AWS access key id": re.compile(r"\b(?:AKIA|ASIA)(?![0-9A-Z]{9}EXAMPLE)[0-9A-Z]{16}\b"),
    "AWS secret access key": re.compile(
        r"(?i)aws_?secret_?access_?key[\"']?\s*[:=]\s*[\"']?[A-Za-z0-9/+]{40}\b"),
    # a PEM header followed by key material (libraries name the bare header in their parsers)
    "private key": re.compile(
        r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED )?PRIVATE KEY-----\s*(?:\\n)?[A-Za-z0-9+/=]{40}"),
    "GitHub token": re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36}\b"),
    "Slack token": re.compile(r"\bxox[baprs]-[A-Za-z0-9-]{10,}"),
    "password literal": re.compile(
        r"(?i)[\"']?\b(?:password|passwd|secret|api_?key)[\"']?\s*[:=]\s*[\"'][^\"'\s{}<>$]{8,}[\"']"),
}


def findings(path: str, text: str) -> list[str]:
    found = []
    for name, pattern in PATTERNS.items():
        for match in pattern.finditer(text):
            if name == "password literal" and (path.startswith("tests/") or (
                    DEMO_PASSWORD in match.group(0) and path.startswith(DEMO_PASSWORD_ALLOWED))):
                continue  # made-up passwords of test fixtures, the documented demo password
            found.append(f"{path}: {name}: {match.group(0)[:60]}")
    if DEMO_PASSWORD in text and not path.startswith(DEMO_PASSWORD_ALLOWED):
        found.append(f"{path}: the demo password outside local-stage data, tests and docs")
    return found
