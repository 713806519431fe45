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
    subprocess.run([str(chalice), "package", "--stage", stage, "--merge-template",  # noqa: S603 - fixed argv from this repo, build time
                    "infra/template.yaml", str(out)], cwd=ROOT, env=env, check=True)
    _drop_local_only(out / "deployment.zip")
    with zipfile.ZipFile(out / "deployment.zip", "a", zipfile.ZIP_DEFLATED) as bundle:
        for path in sorted((ROOT / "functions").rglob("*.py")):
            bundle.write(path, path.relative_to(ROOT).as_posix())
    shutil.copytree(ROOT / "statemachines", out / "statemachines")
    return out


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
    print(f"packaged into {target}: sam.yaml, deployment.zip, statemachines/")
