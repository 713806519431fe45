"""`make package`: the deployable artefact in one folder, built offline.

`chalice package` bundles app.py, chalicelib/ and the requirements into deployment.zip and
merges infra/template.yaml into its SAM template; the functions/ handlers are then added to
the same zip (every function in the template uses it as CodeUri), so they ship with the
chalicelib/ and libraries they import. The ASL files are copied beside the template, where
DefinitionUri expects them. The web fronts go to out/web (the portal at the root, the built
console under console/), which `make deploy` uploads to the web bucket.

Alarms are added here rather than written out in infra/template.yaml: every function, state
machine and dead-letter queue of the merged template gets its own, so a resource another
change adds is watched without anyone remembering to.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
CONSOLE_DIST = ROOT / "web" / "console" / "dist"
PORTAL_DIST = ROOT / "web" / "portal" / "dist"


def build(out: Path, stage: str = "prod") -> Path:
    out = out.resolve()
    for dist, target in ((CONSOLE_DIST, "console"), (PORTAL_DIST, "portal")):
        if not (dist / "index.html").is_file():
            raise SystemExit(f"web/{target}/dist is missing: run `make {target}` first (make package does)")
    if out.exists():
        shutil.rmtree(out)
    env = {**os.environ, "AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION", "us-east-1")}
    chalice = Path(sys.executable).with_name("chalice")
    subprocess.run([str(chalice), "package", "--stage", stage, "--merge-template",  # noqa: S603 - fixed argv from this repo, build time
                    "infra/template.yaml", str(out)], cwd=ROOT, env=env, check=True)
    _drop_local_only(out / "deployment.zip")
    with zipfile.ZipFile(out / "deployment.zip", "a", zipfile.ZIP_DEFLATED) as bundle:
        for path in sorted((ROOT / "functions").rglob("*.py")):
            bundle.write(path, path.relative_to(ROOT).as_posix())
    shutil.copytree(ROOT / "statemachines", out / "statemachines")
    copy_web(out / "web")
    template_path = out / "sam.yaml"
    template = yaml.safe_load(template_path.read_text(encoding="utf-8"))
    add_alarms(template)
    template_path.write_text(yaml.safe_dump(template, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return out


def copy_web(target: Path) -> None:
    """The portal's files at the root of the web bucket, the console's build under console/."""
    shutil.copytree(PORTAL_DIST, target)
    shutil.copytree(CONSOLE_DIST, target / "console")
    shutil.copy2(ROOT / "web" / "meeting.html", target / "meeting.html")  # video mediation join page
    for asset in (ROOT / "web" / "assets").iterdir():
        shutil.copy2(asset, target / "assets" / asset.name)


def _alarm(name: str, description: str, namespace: str, metric: str, dimension: str, ref: dict,
           threshold: int = 1, statistic: str = "Sum") -> dict:
    return {"Type": "AWS::CloudWatch::Alarm", "Properties": {
        "AlarmName": {"Fn::Sub": f"jieyou-${{Stage}}-{name}"},
        "AlarmDescription": description,
        "Namespace": namespace, "MetricName": metric,
        "Dimensions": [{"Name": dimension, "Value": ref}],
        "Statistic": statistic, "Period": 300, "EvaluationPeriods": 1, "Threshold": threshold,
        "ComparisonOperator": "GreaterThanOrEqualToThreshold", "TreatMissingData": "notBreaching",
        "AlarmActions": [{"Ref": "AlarmTopic"}], "OKActions": [{"Ref": "AlarmTopic"}]}}


def _kebab(logical_id: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "-", logical_id).lower()


def dead_letter_queues(resources: dict) -> set[str]:
    """SQS queues some other resource sends its failures to (a queue's RedrivePolicy, a
    function's DeadLetterQueue or a target's DeadLetterConfig), and queues named as such."""
    queues = {lid for lid, r in resources.items() if r.get("Type") == "AWS::SQS::Queue"}
    found = {lid for lid in queues if re.search(r"(DeadLetter|Dlq|DLQ)", lid)}

    def walk(node, under_dlq: bool):
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("Fn::GetAtt", "Ref") and under_dlq:
                    target = value[0] if isinstance(value, list) else str(value).split(".")[0]
                    if target in queues:
                        found.add(target)
                walk(value, under_dlq or key in ("RedrivePolicy", "DeadLetterQueue", "DeadLetterConfig",
                                                 "deadLetterTargetArn", "OnFailure"))
        elif isinstance(node, list):
            for value in node:
                walk(value, under_dlq)

    for lid, res in resources.items():
        walk(res.get("Properties", {}), False)
    return found


def add_alarms(template: dict) -> None:
    """An alarm on the AlarmTopic for every function (errors, throttles), state machine
    (failed executions) and dead-letter queue (any message waiting)."""
    resources = template["Resources"]
    added = {}
    for lid, res in resources.items():
        kind = res.get("Type")
        if kind == "AWS::Serverless::Function":
            for metric in ("Errors", "Throttles"):
                added[f"{lid}{metric}Alarm"] = _alarm(
                    f"{_kebab(lid)}-{metric.lower()}", f"{lid}: Lambda {metric} in 5 minutes",
                    "AWS/Lambda", metric, "FunctionName", {"Ref": lid})
        elif kind in ("AWS::Serverless::StateMachine", "AWS::StepFunctions::StateMachine"):
            added[f"{lid}FailedAlarm"] = _alarm(
                f"{_kebab(lid)}-failed", f"{lid}: an execution failed (the matter's record says why)",
                "AWS/States", "ExecutionsFailed", "StateMachineArn", {"Ref": lid})
    for lid in sorted(dead_letter_queues(resources)):
        added[f"{lid}DepthAlarm"] = _alarm(
            f"{_kebab(lid)}-depth", f"{lid}: messages gave up and wait here for an engineer",
            "AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName",
            {"Fn::GetAtt": [lid, "QueueName"]}, statistic="Maximum")
    clash = set(added) & set(resources)
    if clash:
        raise ValueError(f"alarms already declared in infra/template.yaml: {sorted(clash)}")
    resources.update(added)


# Local-stage only: the demo accounts (with the documented demo password) and the generator
# that writes them. No other stage reads them (/api/dev/* answers 404 there).
LOCAL_ONLY = ("chalicelib/reference/data/demo-accounts-", "chalicelib/reference/generate.py")


def _drop_local_only(zip_path: Path) -> None:
    kept = zip_path.with_suffix(".tmp")
    with zipfile.ZipFile(zip_path) as src, zipfile.ZipFile(kept, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if not info.filename.startswith(LOCAL_ONLY):
                dst.writestr(info, src.read(info))
    kept.replace(zip_path)


if __name__ == "__main__":
    target = build(Path(sys.argv[1] if len(sys.argv) > 1 else "out"))
    print(f"packaged into {target}: sam.yaml, deployment.zip, statemachines/, web/")
