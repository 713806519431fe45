"""Secrets and dependencies (issue 9): no secret in the tree, ruff's security rules clean,
and the prod stage has neither demo accounts nor the /api/dev/* routes."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.integration.secret_scan import DEMO_PASSWORD, findings

ROOT = Path(__file__).resolve().parents[2]


def test_no_secret_key_or_password_in_the_tracked_tree():
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
                           ).stdout.decode().split("\0")
    found = []
    for name in filter(None, files):
        path = ROOT / name
        if not path.is_file() or path.stat().st_size > 5_000_000:
            continue
        found += findings(name, path.read_bytes().decode("utf-8", errors="ignore"))
    assert not found, "\n".join(found)


def test_the_scan_catches_what_it_should():
    assert findings("chalicelib/x.py", 'KEY = "AKIA' + "ABCDEFGHIJKLMNOP" + '"')
    assert findings("chalicelib/x.py", "-----BEGIN RSA " + "PRIVATE KEY-----\nMIIEpAIBAAKCAQEA" + "x" * 40)
    assert not findings("chalicelib/x.py", "AKIA" + "IOSFODNN7EXAMPLE")
    assert findings("chalicelib/x.py", 'password = "' + 'hunter22hunter"')
    assert findings("chalicelib/services/x.py", f"default = '{DEMO_PASSWORD}'")
    assert not findings("tests/integration/x.py", f'{{"password": "{DEMO_PASSWORD}"}}')


def test_ruff_security_rules_are_clean():
    """`ruff check --select S` (bandit's rules); each accepted finding carries `# noqa: S… - why`."""
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "--select", "S", "--no-cache",
                             "--output-format", "concise", "app.py", "chalicelib", "functions", "infra"],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


PROD_CHECK = r"""
import json
from chalice.test import Client
from chalicelib import settings
from app import app
out = {"isLocal": settings.is_local()}
with Client(app) as client:
    for path in ("/api/dev/demo-accounts", "/api/dev/outbox", "/api/dev/runtime"):
        r = client.http.get(path)
        out[path] = [r.status_code, r.body.decode()]
print(json.dumps(out))
"""


def test_prod_stage_has_no_dev_routes():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "JIEYOU_"))}
    env.update(JIEYOU_STAGE="prod", AWS_DEFAULT_REGION="us-east-1")
    result = subprocess.run([sys.executable, "-c", PROD_CHECK], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out.pop("isLocal") is False
    for path, (status, body) in out.items():
        assert status == 404, path
        assert DEMO_PASSWORD not in body and json.loads(body)["error"]["code"] == "not_found"


def test_prod_stage_has_no_demo_accounts(api, aws, monkeypatch):
    """Only the local runtime creates the demo accounts: a pool provisioned from the template
    (what every stage deploys) knows none of them, and a prod stage serves no list of them."""
    from chalicelib import reference, settings
    monkeypatch.setattr(settings, "STAGE", "prod")
    assert api.get("/api/dev/demo-accounts").status_code == 404
    users = aws.client("cognito-idp").list_users(UserPoolId=os.environ["STAFF_USER_POOL_ID"])["Users"]
    assert users == []
    for account in reference.demo_accounts()[:3]:
        r = api.post("/api/auth/login", headers={"Content-Type": "application/json"},
                     body=json.dumps({"username": account["username"], "password": DEMO_PASSWORD}))
        assert r.status_code == 401 and json.loads(r.body)["error"]["code"] == "invalid_credentials"
