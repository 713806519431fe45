"""The deployable artefact: every handler the packaged template names imports from the
packaged deployment.zip itself (functions/ ships beside chalicelib/ and the libraries), the
merged template passes cfn-lint, its state machines find every function they call, and the
web fronts ship with it."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

from infra.package import build
from tests.unit.test_template_deploy import wildcard_findings

pytestmark = pytest.mark.slow

CFN_LINT = Path(sys.executable).with_name("cfn-lint")

CHECK = r"""
import importlib, json, sys
root = sys.argv[1]
sys.path.insert(0, root)
out = {}
for handler in json.loads(sys.argv[2]):
    module, name = handler.rsplit(".", 1)
    mod = importlib.import_module(module)
    out[handler] = {"callable": callable(getattr(mod, name)), "file": mod.__file__}
import pynamodb, jsonschema, aws_lambda_powertools, jieba, docx, lxml.etree
out["libs"] = [m.__file__ for m in (pynamodb, jsonschema, aws_lambda_powertools, jieba, docx, lxml.etree)]
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def packaged(tmp_path_factory):
    """One `make package` build for the module (it takes a minute)."""
    out = build(tmp_path_factory.mktemp("package") / "out")
    return out, yaml.safe_load((out / "sam.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def artefact(packaged):
    return packaged[0]


def test_no_secret_and_no_demo_account_in_the_artefact(artefact):
    """What is deployed carries no key or password; the demo accounts (local stage only) and
    their generator are left out of the bundle."""
    from tests.integration.secret_scan import DEMO_PASSWORD, findings
    found = []
    for path in sorted(artefact.rglob("*")):
        if path.is_file() and path.suffix != ".zip":
            found += findings(f"artefact/{path.name}", path.read_text(errors="ignore"))
    with zipfile.ZipFile(artefact / "deployment.zip") as bundle:
        names = bundle.namelist()
        for name in names:
            if name.endswith((".py", ".json", ".yaml", ".yml", ".txt", ".cfg", ".ini", ".env", ".pem", ".key")):
                text = bundle.read(name).decode("utf-8", errors="ignore")
                ours = name.startswith(("chalicelib/", "functions/", "app.py"))
                # libraries' own test fixtures and docs name made-up passwords: keys count everywhere
                found += [f for f in findings(f"zip/{name}", text) if ours or "password literal" not in f]
    assert not [n for n in names if "demo-accounts" in n or n.endswith("reference/generate.py")]
    assert "chalicelib/reference/data/units-4310.json" in names
    assert not found, "\n".join(found[:30])
    assert DEMO_PASSWORD not in (artefact / "sam.yaml").read_text()


def test_every_handler_in_the_packaged_template_imports_from_the_bundle(packaged, tmp_path):
    out, template = packaged
    functions = {lid: r["Properties"] for lid, r in template["Resources"].items()
                 if r["Type"] == "AWS::Serverless::Function"}
    assert {"APIHandler", "PlanNextWaitFunction", "StoreTaskTokenFunction",
            "MarkOverdueFunction", "RecordFailureFunction", "PlanAgreementTimerFunction",
            "FireAgreementTimerFunction"} <= set(functions)
    assert {p["CodeUri"] for p in functions.values()} == {"./deployment.zip"}
    sm = template["Resources"]["LifecycleStateMachine"]["Properties"]
    assert (out / sm["DefinitionUri"]).is_file()

    bundle = tmp_path / "bundle"
    with zipfile.ZipFile(out / "deployment.zip") as z:
        z.extractall(bundle)
    handlers = sorted({p["Handler"] for p in functions.values()})
    env = {"AWS_DEFAULT_REGION": "us-east-1", "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "-c", CHECK, str(bundle), json.dumps(handlers)],
                            cwd=bundle, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    found = json.loads(result.stdout)
    for handler in handlers:
        assert found[handler]["callable"], handler
        assert found[handler]["file"].startswith(str(bundle)), found[handler]
    assert all(path.startswith(str(bundle)) for path in found["libs"])


def _lint(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(CFN_LINT), "--format", "parseable", str(path)],
                          capture_output=True, text=True, timeout=300)


def test_cfn_lint_passes_on_the_packaged_template_and_fails_on_a_broken_one(packaged, tmp_path):
    """No rule is skipped. The broken copy proves the linter really reads the template."""
    out, template = packaged
    result = _lint(out / "sam.yaml")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]

    broken = json.loads(json.dumps(template))
    broken["Resources"]["WebDistribution"]["Properties"]["DistributionConfig"]["DefaultCacheBehavior"][
        "TargetOriginId"] = "nowhere"
    broken["Resources"]["MattersTable"]["Properties"]["BillingMode"] = "FREE"
    copy = tmp_path / "sam.yaml"
    copy.write_text(yaml.safe_dump(broken, allow_unicode=True), encoding="utf-8")
    shutil.copytree(out / "statemachines", tmp_path / "statemachines")
    result = _lint(copy)
    assert result.returncode != 0
    assert "FREE" in result.stdout


def test_the_packaged_state_machines_find_every_function_they_call(packaged):
    out, template = packaged
    resources = template["Resources"]
    machines = {lid: r["Properties"] for lid, r in resources.items()
                if r["Type"] == "AWS::Serverless::StateMachine"}
    assert {"LifecycleStateMachine", "JointMediationStateMachine"} <= set(machines)
    for lid, props in machines.items():
        asl = (out / props["DefinitionUri"]).read_text(encoding="utf-8")
        assert set(re.findall(r"\$\{([A-Za-z0-9]+)\}", asl)) == set(props["DefinitionSubstitutions"]), lid
        for state in json.loads(asl)["States"].values():
            if state["Type"] == "Task":  # no hard-coded ARN: every Lambda comes from the template
                target = state.get("Parameters", {}).get("FunctionName") or state["Resource"]
                assert re.fullmatch(r"\$\{[A-Za-z0-9]+\}(:\$LATEST)?", target), (lid, target)
        for value in props["DefinitionSubstitutions"].values():
            function = value["Fn::GetAtt"][0]
            assert resources[function]["Type"] == "AWS::Serverless::Function", (lid, function)
            invoke = [p["LambdaInvokePolicy"]["FunctionName"] for p in props["Policies"]
                      if "LambdaInvokePolicy" in p]
            assert {"Ref": function} in invoke, (lid, function)


def test_the_packaged_template_alarms_and_grants_narrowly(packaged):
    out, template = packaged
    resources = template["Resources"]
    for lid, res in resources.items():
        if res["Type"] == "AWS::Serverless::Function":
            assert f"{lid}ErrorsAlarm" in resources and f"{lid}ThrottlesAlarm" in resources, lid
    assert wildcard_findings(resources) == []
    # The role chalice makes for the API grants only its logs; the rest is ApiHandlerPermissions.
    api_role = resources["ApiHandlerRole"]["Properties"]["Policies"]
    actions = {a for p in api_role for s in p["PolicyDocument"]["Statement"] for a in s["Action"]}
    assert actions == {"logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"}


def test_the_web_fronts_ship_in_the_artefact(packaged):
    out, _ = packaged
    web = out / "web"
    assert "<html" in (web / "index.html").read_text(encoding="utf-8").lower()
    console = (web / "console" / "index.html").read_text(encoding="utf-8")
    assert re.search(r'src="/console/assets/[^"]+\.js"', console), console[:500]
    for asset in re.findall(r'(?:src|href)="/console/(assets/[^"]+)"', console):
        assert (web / "console" / asset).is_file(), asset
