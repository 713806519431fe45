"""`make package`: the deployable artefact in one folder.

`chalice package` bundles app.py, chalicelib/ and the requirements into deployment.zip and
merges infra/template.yaml into its SAM template; the functions/ handlers are then added to
the same zip (every function in the template uses it as CodeUri), so they ship with the
chalicelib/ and libraries they import. The ASL files are copied beside the template, where
DefinitionUri expects them.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def build(out: Path, stage: str = "prod") -> Path:
    out = out.resolve()
    if out.exists():
        shutil.rmtree(out)
    env = {**os.environ, "AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION", "us-east-1")}
    chalice = Path(sys.executable).with_name("chalice")
    subprocess.run([str(chalice), "package", "--stage", stage, "--merge-template",
                    "infra/template.yaml", str(out)], cwd=ROOT, env=env, check=True)
    with zipfile.ZipFile(out / "deployment.zip", "a", zipfile.ZIP_DEFLATED) as bundle:
        for path in sorted((ROOT / "functions").rglob("*.py")):
            bundle.write(path, path.relative_to(ROOT).as_posix())
    shutil.copytree(ROOT / "statemachines", out / "statemachines")
    return out


if __name__ == "__main__":
    target = build(Path(sys.argv[1] if len(sys.argv) > 1 else "out"))
    print(f"packaged into {target}: sam.yaml, deployment.zip, statemachines/")
