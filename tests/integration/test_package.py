"""The deployable artefact: every handler the packaged template names imports from the
packaged deployment.zip itself (functions/ ships beside chalicelib/ and the libraries)."""
from __future__ import annotations

import json
import subprocess
import sys
import zipfile

import pytest
import yaml

from infra.package import build

pytestmark = pytest.mark.slow

CHECK = r"""
import importlib, json, sys
root = sys.argv[1]
sys.path.insert(0, root)
out = {}
for handler in json.loads(sys.argv[2]):
    module, name = handler.rsplit(".", 1)
    mod = importlib.import_module(module)
    out[handler] = {"callable": callable(getattr(mod, name)), "file": mod.__file__}
import pynamodb, jsonschema, aws_lambda_powertools, jieba
out["libs"] = [m.__file__ for m in (pynamodb, jsonschema, aws_lambda_powertools, jieba)]
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def artefact(tmp_path_factory):
    return build(tmp_path_factory.mktemp("package") / "out")


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


def test_every_handler_in_the_packaged_template_imports_from_the_bundle(artefact, tmp_path):
    out = artefact
    template = yaml.safe_load((out / "sam.yaml").read_text())
    functions = {lid: r["Properties"] for lid, r in template["Resources"].items()
                 if r["Type"] == "AWS::Serverless::Function"}
    assert {"APIHandler", "PlanNextWaitFunction", "StoreTaskTokenFunction",
            "MarkOverdueFunction", "RecordFailureFunction"} <= set(functions)
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
