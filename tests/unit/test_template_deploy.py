"""The deployable template keeps its promises: private, encrypted buckets behind one
CloudFront origin, a protected table, an alarm on everything that can fail, and IAM
statements no wider than the calls the code makes."""
from __future__ import annotations

import copy

from chalicelib.adapters.local.template import load_template
from infra.package import add_alarms

TEMPLATE = load_template()
RESOURCES = TEMPLATE["Resources"]

# Actions that accept no resource ARN, so "*" is the narrowest Resource IAM allows
# (Service Authorization Reference: no resource type listed for the action).
RESOURCE_LESS = {
    "sns:Publish": "SMS go straight to a phone number, which has no ARN (topics are not used)",
    "states:SendTaskSuccess": "a task token names no state machine or execution",
    "states:SendTaskFailure": "a task token names no state machine or execution",
}


def statements(resources: dict):
    """(owner, statement) for every inline IAM statement: a function's Policies entries and
    every AWS::IAM::Policy / Role document."""
    for lid, res in resources.items():
        props = res.get("Properties", {})
        if res.get("Type") in ("AWS::Serverless::Function", "AWS::Serverless::StateMachine"):
            for policy in props.get("Policies", []) or []:
                if isinstance(policy, dict) and "Statement" in policy:
                    for st in policy["Statement"]:
                        yield lid, st
        elif res.get("Type") == "AWS::IAM::Policy":
            for st in props["PolicyDocument"]["Statement"]:
                yield lid, st
        elif res.get("Type") == "AWS::IAM::Role":
            for policy in props.get("Policies", []):
                for st in policy["PolicyDocument"]["Statement"]:
                    yield lid, st


def _as_list(value):
    return value if isinstance(value, list) else [value]


def wildcard_findings(resources: dict) -> list[str]:
    found = []
    for owner, st in statements(resources):
        if st.get("Effect") != "Allow":
            continue
        actions = _as_list(st["Action"])
        for action in actions:
            if action == "*" or action.endswith(":*"):
                found.append(f"{owner}: action {action}")
        if "*" in _as_list(st["Resource"]):
            wide = [a for a in actions if a not in RESOURCE_LESS]
            if wide:
                found.append(f"{owner}: Resource * for {wide}")
    return found


def test_no_statement_grants_every_action_or_every_resource_where_a_narrower_one_exists():
    assert wildcard_findings(RESOURCES) == []


def test_the_wildcard_check_catches_a_broad_grant():
    broad = copy.deepcopy(RESOURCES)
    broad["PlanNextWaitFunction"]["Properties"]["Policies"].append(
        {"Statement": [{"Effect": "Allow", "Action": ["dynamodb:*"], "Resource": "*"}]})
    assert wildcard_findings(broad) == ["PlanNextWaitFunction: action dynamodb:*",
                                        "PlanNextWaitFunction: Resource * for ['dynamodb:*']"]


def test_every_function_gets_its_own_role():
    """SAM makes one role per function unless `Role` names a shared one."""
    for lid, res in RESOURCES.items():
        if res.get("Type") == "AWS::Serverless::Function":
            assert "Role" not in res["Properties"], lid


def test_every_bucket_is_private_and_encrypted():
    buckets = {lid: r["Properties"] for lid, r in RESOURCES.items() if r.get("Type") == "AWS::S3::Bucket"}
    assert {"EvidenceBucket", "WebBucket"} <= set(buckets)
    for lid, props in buckets.items():
        assert set(props["PublicAccessBlockConfiguration"].values()) == {True}, lid
        assert props["BucketEncryption"]["ServerSideEncryptionConfiguration"], lid
        assert props["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}], lid


def test_the_table_survives_mistakes():
    table = RESOURCES["MattersTable"]
    props = table["Properties"]
    assert table["DeletionPolicy"] == "Retain"
    assert props["DeletionProtectionEnabled"] is True
    assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert props["TimeToLiveSpecification"] == {"AttributeName": "ttl", "Enabled": True}


def test_one_origin_serves_the_web_bucket_and_the_api():
    config = RESOURCES["WebDistribution"]["Properties"]["DistributionConfig"]
    origins = {o["Id"]: o for o in config["Origins"]}
    assert origins["web"]["DomainName"] == {"Fn::GetAtt": ["WebBucket", "RegionalDomainName"]}
    assert origins["web"]["OriginAccessControlId"] == {"Fn::GetAtt": ["WebOriginAccessControl", "Id"]}
    assert "${RestAPI}.execute-api." in origins["api"]["DomainName"]["Fn::Sub"]
    assert config["DefaultCacheBehavior"]["TargetOriginId"] == "web"
    api = [b for b in config["CacheBehaviors"] if b["PathPattern"] == "/api/*"]
    assert api and api[0]["TargetOriginId"] == "api" and "POST" in api[0]["AllowedMethods"]
    # Only this distribution may read the bucket.
    allow = [s for s in RESOURCES["WebBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
             if s["Effect"] == "Allow"]
    assert [s["Principal"] for s in allow] == [{"Service": "cloudfront.amazonaws.com"}]
    assert "${WebDistribution}" in allow[0]["Condition"]["StringEquals"]["AWS:SourceArn"]["Fn::Sub"]


def test_every_function_state_machine_and_dead_letter_queue_gets_an_alarm():
    template = copy.deepcopy(TEMPLATE)
    template["Resources"]["HookQueue"] = {"Type": "AWS::SQS::Queue", "Properties": {
        "RedrivePolicy": {"deadLetterTargetArn": {"Fn::GetAtt": ["HookFailures", "Arn"]}, "maxReceiveCount": 5}}}
    template["Resources"]["HookFailures"] = {"Type": "AWS::SQS::Queue", "Properties": {}}
    add_alarms(template)
    alarms = {lid: r["Properties"] for lid, r in template["Resources"].items()
              if r.get("Type") == "AWS::CloudWatch::Alarm"}
    functions = [lid for lid, r in RESOURCES.items() if r.get("Type") == "AWS::Serverless::Function"]
    for lid in functions:
        assert alarms[f"{lid}ErrorsAlarm"]["Dimensions"] == [{"Name": "FunctionName", "Value": {"Ref": lid}}]
        assert alarms[f"{lid}ThrottlesAlarm"]["MetricName"] == "Throttles"
    for lid in ("LifecycleStateMachine", "JointMediationStateMachine"):
        assert alarms[f"{lid}FailedAlarm"]["MetricName"] == "ExecutionsFailed"
    assert alarms["HookFailuresDepthAlarm"]["MetricName"] == "ApproximateNumberOfMessagesVisible"
    assert "HookQueueDepthAlarm" not in alarms  # the working queue is not a dead letter
    assert all(a["AlarmActions"] == [{"Ref": "AlarmTopic"}] for a in alarms.values())


def test_the_edge_function_serves_the_console_and_directories_by_their_index(tmp_path):
    """The CloudFront Function's JavaScript, run under node as CloudFront would call it."""
    import json
    import shutil
    import subprocess

    import pytest
    node = shutil.which("node")
    if not node:
        pytest.skip("node is not installed (make console needs it too)")
    code = RESOURCES["WebIndexFunction"]["Properties"]["FunctionCode"]
    script = tmp_path / "edge.js"
    script.write_text(code + """
const out = {};
for (const uri of ['/', '/console', '/console/', '/assets/portal.js', '/console/assets/a.js']) {
  out[uri] = handler({request: {uri: uri, headers: {}}});
}
console.log(JSON.stringify(out));
""", encoding="utf-8")
    result = subprocess.run([node, str(script)], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["/"]["uri"] == "/index.html"
    assert out["/console"]["statusCode"] == 301
    assert out["/console"]["headers"]["location"]["value"] == "/console/"
    assert out["/console/"]["uri"] == "/console/index.html"
    assert out["/assets/portal.js"]["uri"] == "/assets/portal.js"
    assert out["/console/assets/a.js"]["uri"] == "/console/assets/a.js"


def test_every_function_serves_the_stacks_city_and_calendar():
    variables = TEMPLATE["Globals"]["Function"]["Environment"]["Variables"]
    assert variables == {"JIEYOU_CITY_CODE": {"Ref": "CityCode"}, "JIEYOU_CALENDAR": {"Ref": "Calendar"}}
    assert TEMPLATE["Parameters"]["CityCode"]["Default"] == "4310"
