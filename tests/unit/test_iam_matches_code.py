"""Least privilege, checked against the code: the API's role grants exactly the AWS actions
chalicelib calls (one missing is an AccessDenied in production that moto never shows; one
extra is a privilege nobody uses), and no function's role grants an action the code never
calls. The calls are read from the source: boto3 calls through `client("…")`, the admin
operations named as strings, presigning, and PynamoDB's model operations."""
from __future__ import annotations

import re
from pathlib import Path

from chalicelib.adapters.local.template import ROOT, load_template

RESOURCES = load_template()["Resources"]
SOURCES = [p for p in (ROOT / "chalicelib").rglob("*.py")
           if "local" not in p.relative_to(ROOT / "chalicelib").parts[:2] and p.name != "generate.py"]
IAM_PREFIX = {"sns": "sns", "pinpoint-sms-voice-v2": "sms-voice", "s3": "s3", "stepfunctions": "states",
              "secretsmanager": "secretsmanager", "cognito-idp": "cognito-idp", "dynamodb": "dynamodb",
              "ses": "ses", "sesv2": "ses", "sqs": "sqs", "scheduler": "scheduler", "events": "events",
              "chime-sdk-meetings": "chime"}
# Calls that only a scheduled function's code path makes (never a request): granted to that
# function, not to the API.
FUNCTION_ONLY = {"states:DescribeExecution": "ReconcilerFunction",  # services/reconcile.py
                 "ses:SendRawEmail": "ReportsFunction",  # services/reports.py
                 # the statistics rebuild (offline maintenance, adapters/statistics.py)
                 "dynamodb:Scan": "StatisticsRebuildFunction", "dynamodb:DeleteItem": "StatisticsRebuildFunction"}
# Operations whose IAM action has another name.
RENAMED = {"s3:HeadObject": "s3:GetObject"}
# PynamoDB model operations → the DynamoDB actions they need (a transaction needs the
# action of each of its items).
PYNAMODB = [(r"\bTransactWrite\(", ["PutItem", "UpdateItem", "ConditionCheckItem"]),
            (r"\.batch_write\(", ["BatchWriteItem"]), (r"\.batch_get\(", ["BatchGetItem"]),
            (r"\b[A-Z]\w*\.query\(|\b[A-Z]\w*\.\w+_index\.query\(|\.query\(", ["Query"]),
            (r"\b[A-Z]\w*\.get\(", ["GetItem"]), (r"\.save\(", ["PutItem"]),
            (r"\.update\(actions=", ["UpdateItem"]), (r"\b[A-Z]\w*\.scan\(|\w+\.scan\(", ["Scan"]),
            (r"\.delete\(condition=|\.delete\(\)", ["DeleteItem"])]


def _camel(snake: str) -> str:
    return "".join(part.title() for part in snake.split("_"))


def actions_in_code() -> set[str]:
    found: set[str] = set()
    for path in SOURCES:
        text = path.read_text(encoding="utf-8")
        aliases = {m.group(1): m.group(2) for m in re.finditer(r"(\w+) = client\(\"([a-z0-9-]+)\"\)$", text, re.M)}
        calls = [(m.group(1), m.group(2)) for m in re.finditer(r"client\(\"([a-z0-9-]+)\"\)\.([a-z_]+)\(", text)]
        # a client behind a getter method: `def _chime(self): return … client("…")`, then
        # `chime = self._chime()` or `self._chime().op(`
        getters = {m.group(1): m.group(2) for m in re.finditer(
            r"def (\w+)\(self\):\s*\n\s*return [^\n]*client\(\"([a-z0-9-]+)\"\)", text)}
        aliases |= {m.group(1): getters[m.group(2)] for m in re.finditer(r"(\w+) = self\.(\w+)\(\)$", text, re.M)
                    if m.group(2) in getters}
        calls += [(getters[m.group(1)], m.group(2)) for m in re.finditer(r"self\.(\w+)(?:\(\))?\.([a-z_]+)\(", text)
                  if m.group(1) in getters]  # a method or a property
        calls += [(aliases[m.group(1)], m.group(2)) for m in re.finditer(r"\b(\w+)\.([a-z_]+)\(", text)
                  if m.group(1) in aliases and m.group(2) != "exceptions"]
        if "cognito-idp" in text:  # admin operations called by name: _admin("admin_…", …)
            calls += [("cognito-idp", m.group(1)) for m in re.finditer(r"_admin\(\"([a-z_]+)\"", text)]
        for service, operation in calls:
            action = f"{IAM_PREFIX[service]}:{_camel(operation)}"
            if action == "dynamodb:TransactWriteItems":  # authorised per item, not as such
                found |= {"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:ConditionCheckItem"}
                continue
            found.add(RENAMED.get(action, action))
        if "generate_presigned_post(" in text:
            found.add("s3:PutObject")
        found |= {f"s3:{_camel(op)}" for op in re.findall(r"generate_presigned_url\(\s*\"([a-z_]+)\"", text)}
        if "pynamodb" in text:
            for pattern, actions in PYNAMODB:
                if re.search(pattern, text):
                    found |= {f"dynamodb:{a}" for a in actions}
    return found


def granted(statements) -> set[str]:
    out = set()
    for st in statements:
        if st.get("Effect") == "Allow":
            out |= set(st["Action"] if isinstance(st["Action"], list) else [st["Action"]])
    return out


def test_the_api_role_grants_exactly_what_the_code_calls():
    api = granted(RESOURCES["ApiHandlerPermissions"]["Properties"]["PolicyDocument"]["Statement"])
    used = actions_in_code()
    assert {"dynamodb:BatchWriteItem", "s3:PutObject", "cognito-idp:AdminCreateUser"} <= used  # the scan sees them
    assert used - api - set(FUNCTION_ONLY) == set(), "called but not granted (AccessDenied in production)"
    assert api - used == set(), "granted but never called"
    assert api & set(FUNCTION_ONLY) == set(), "the API holds a scheduled function's privilege"


def test_calls_only_scheduled_functions_make_are_granted_to_them():
    used = actions_in_code()
    for action, lid in FUNCTION_ONLY.items():
        assert action in used, action
        inline = [st for p in RESOURCES[lid]["Properties"].get("Policies", []) if isinstance(p, dict)
                  for st in p.get("Statement", [])]
        assert action in granted(inline), (lid, action)


def test_no_function_role_grants_an_action_the_code_never_calls():
    used = actions_in_code()
    for lid, res in RESOURCES.items():
        if res.get("Type") != "AWS::Serverless::Function":
            continue
        inline = [st for p in res["Properties"].get("Policies", []) if isinstance(p, dict)
                  for st in p.get("Statement", [])]
        assert granted(inline) - used == set(), lid
        templates = {next(iter(p)) for p in res["Properties"].get("Policies", [])
                     if isinstance(p, dict) and "Statement" not in p}
        # SAM's DynamoDB templates grant Scan and DeleteItem, which no request path may use.
        assert not templates & {"DynamoDBCrudPolicy", "DynamoDBReadPolicy"}, (lid, templates)
