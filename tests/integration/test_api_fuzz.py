"""Schemathesis against the local runtime as anonymous, a citizen and staff of seven roles
(each generated case sent as two of them in rotation; `make fuzz`: every case as all nine):
no 5xx, every answer conforms to GET /api/openapi.json, and no caller is shown a matter of
another county (staff) or another phone (citizen). `make fuzz` runs a bigger budget."""
from __future__ import annotations

import os

import pytest

from tests.integration import fuzz_harness
from tests.runtime_process import RuntimeProcess


@pytest.fixture(scope="module")
def runtime(tmp_path_factory):
    rt = RuntimeProcess(tmp_path_factory.mktemp("fuzz") / "data").start()
    yield rt
    rt.stop()


def test_fuzzed_api_answers_conform_and_leak_nothing(runtime):
    examples = int(os.environ.get("JIEYOU_FUZZ_EXAMPLES", "2"))
    figures = fuzz_harness.run(runtime.url, examples, seed_value=0, per_case=2)
    print({k: v for k, v in figures.items() if k != "failures"})
    assert figures["operations"] >= 55 and figures["cases"] >= figures["operations"]
    assert not figures["failures"], "\n".join(figures["failures"][:40])


def test_a_route_returning_a_plain_dict_is_served_as_json(runtime):
    """Found by the fuzzer: Chalice sets no Content-Type for a returned dict; API Gateway
    answers application/json, and the local runtime now does the same."""
    answer = runtime.get("/api/health")
    assert answer.headers["Content-Type"].startswith("application/json")
    assert answer.json() == {"status": "ok"}


def test_the_runtime_listens_with_a_backlog_for_bursts(runtime):
    """Found by `make soak`: socketserver's listen backlog of 5 reset connections when 40
    clients arrived while the runtime was busy. The kernel reports the listening socket's
    backlog as its Send-Q."""
    import shutil
    import subprocess
    if not shutil.which("ss"):
        pytest.skip("ss (iproute2) is not installed")
    out = subprocess.run(["ss", "-ltnH", f"sport = :{runtime.port}"], capture_output=True,
                         text=True, check=True).stdout.split()
    assert int(out[2]) >= 128, out
