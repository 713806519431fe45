"""API fuzzing with schemathesis against the local runtime (issue 9): callers of every kind,
matters seeded in two counties, and the checks every answer must pass. Used by
tests/integration/test_api_fuzz.py (a small budget in `make test`) and `make fuzz`."""
from __future__ import annotations

import copy
import os
import re
import time
from dataclasses import dataclass, field

import requests

PASSWORD = "Jieyou#2026demo"  # the documented demo password (local stage only)
COUNTY_A, COUNTY_B = "431002001001", "431003001001"  # 北湖区 and 苏仙区 villages
PHONE_1, PHONE_2 = "13700000001", "13700000002"
STAFF = {  # persona -> may it see county B's matters? (city-wide roles see the whole city)
    "county.staff": False, "township.mediator": False, "dept.handler": False,
    "village.worker": False, "county.leader": False, "city.leader": True, "admin": True,
}
# City-wide personas would make a legitimate cross-county move (dispatching a 苏仙区 matter to a
# 北湖区 unit), after which a 北湖区 persona rightly sees it: they do not act on matters.
NO_ACTIONS_FOR = {"city.leader", "admin"}
ACTIONS = ("POST", "/api/staff/matters/{matterId}/actions")


@dataclass
class Seeded:
    matters: list[dict] = field(default_factory=list)  # {matterId, trackingCode, county, phone}

    def ids(self, keep) -> set[str]:
        return {v for m in self.matters if keep(m) for v in (m["matterId"], m["trackingCode"])}


@dataclass
class Persona:
    name: str
    headers: dict
    forbidden: set[str]  # identifiers that must never appear in an answer to this caller


def seed(base: str) -> Seeded:
    seeded = Seeded()
    for county, region in (("A", COUNTY_A), ("B", COUNTY_B)):
        for phone in (PHONE_1, PHONE_2):
            body = {"kind": "mediation", "category": "neighbourhood", "title": f"相邻通道纠纷{county}",
                    "description": "邻居在共用通道堆放杂物，多次协商未果。", "regionCode": region,
                    "applicant": {"name": "测试", "phone": phone}}
            r = requests.post(base + "/api/matters", json=body, timeout=30)
            assert r.status_code == 201, r.text
            seeded.matters.append({**r.json(), "county": county, "phone": phone})
    return seeded


def citizen_token(base: str, phone: str) -> str:
    assert requests.post(base + "/api/citizen/otp", json={"phone": phone}, timeout=30).status_code == 202
    items = requests.get(base + "/api/dev/outbox", timeout=30).json()["items"]
    sms = [m["body"] for m in items if m["to"] == [f"+86{phone}"]]
    code = re.search(r"验证码是(\d{6})", sms[0]).group(1)
    r = requests.post(base + "/api/citizen/verify", json={"phone": phone, "code": code}, timeout=30)
    return r.json()["citizenToken"]


def staff_token(base: str, username: str) -> str:
    r = requests.post(base + "/api/auth/login", json={"username": username, "password": PASSWORD},
                      timeout=30)
    assert r.status_code == 200, r.text
    return r.json()["idToken"]


def personas(base: str, seeded: Seeded) -> list[Persona]:
    out = [Persona("anonymous", {}, seeded.ids(lambda m: True)),
           Persona("citizen", {"Authorization": f"Bearer {citizen_token(base, PHONE_1)}"},
                   seeded.ids(lambda m: m["phone"] != PHONE_1))]
    for username, city_wide in STAFF.items():
        forbidden = set() if city_wide else seeded.ids(lambda m: m["county"] == "B")
        out.append(Persona(username, {"Authorization": f"Bearer {staff_token(base, username)}"},
                           forbidden))
    return out


def fuzz_document(raw: dict, seeded: Seeded) -> dict:
    """The served document, with the seeded identifiers offered beside random strings, so the
    fuzzer reaches real matters of both counties (and can try another's)."""
    doc = copy.deepcopy(raw)
    params = doc["components"]["parameters"]
    matter_ids = sorted(m["matterId"] for m in seeded.matters)
    codes = sorted(m["trackingCode"] for m in seeded.matters)
    params["MatterId"]["schema"] = {"anyOf": [{"enum": matter_ids}, {"type": "string"}]}
    params["TrackingCode"]["schema"] = {"anyOf": [{"enum": codes}, {"type": "string"}]}
    return doc


def run(base: str, examples: int, seed_value: int | None = None, per_case: int | None = None) -> dict:
    """Fuzz every operation with `examples` generated cases (positive and negative), each sent
    as `per_case` personas in rotation (all of them when None). Returns figures and the list
    of failures (empty when all is well)."""
    import schemathesis
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis.errors import Unsatisfiable
    from schemathesis import GenerationMode
    from schemathesis.checks import (content_type_conformance, not_a_server_error,
                                     response_headers_conformance, response_schema_conformance,
                                     status_code_conformance)

    checks = [not_a_server_error, status_code_conformance, content_type_conformance,
              response_headers_conformance, response_schema_conformance]
    seeded = seed(base)
    callers = personas(base, seeded)
    raw = requests.get(base + "/api/openapi.json", timeout=30).json()
    schema = schemathesis.openapi.from_dict(fuzz_document(raw, seeded))
    figures = {"operations": 0, "cases": 0, "requests": 0, "statuses": {}, "failures": []}
    session = requests.Session()
    started = time.monotonic()

    def send(case, persona: Persona):
        label = f"{persona.name}: {case.method} {case.formatted_path}"
        try:
            response = case.call(base_url=base, session=session, headers=persona.headers, timeout=30)
        except requests.RequestException as exc:
            figures["failures"].append(f"{label}: no answer ({exc}); headers={case.headers!r} "
                                       f"query={case.query!r} body={str(case.body)[:300]!r}")
            return
        figures["requests"] += 1
        figures["statuses"][response.status_code] = figures["statuses"].get(response.status_code, 0) + 1
        try:
            case.validate_response(response, checks=checks, headers=persona.headers)
        except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - collected, not raised
            figures["failures"].append(f"{label} -> {response.status_code}: {str(exc)[:600]}")
        text = response.text if "json" in response.headers.get("Content-Type", "") else ""
        leaked = sorted(i for i in persona.forbidden if i in text)
        if leaked:
            figures["failures"].append(f"{label} -> {response.status_code}: LEAK of {leaked}")

    for result in schema.get_all_operations():
        operation = result.ok()
        figures["operations"] += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            strategy = operation.as_strategy(generation_mode=mode)

            @settings(max_examples=examples, deadline=None, database=None, derandomize=seed_value is not None,
                      phases=[Phase.generate], suppress_health_check=list(HealthCheck))
            @given(strategy)
            def fuzz(case):
                figures["cases"] += 1
                start = figures["cases"] * (per_case or 0)
                chosen = callers if per_case is None else [
                    callers[(start + j) % len(callers)] for j in range(per_case)]
                for persona in chosen:
                    if persona.name in NO_ACTIONS_FOR and (case.method, case.path) == ACTIONS:
                        continue
                    send(case, persona)
            try:
                fuzz()
            except Unsatisfiable:  # nothing to make invalid (no parameters, no body)
                if mode is GenerationMode.POSITIVE:
                    raise
    figures["seconds"] = round(time.monotonic() - started, 1)
    figures["personas"] = [p.name for p in callers]
    return figures


if __name__ == "__main__":  # `make fuzz`: a bigger budget against a fresh local runtime
    import json
    import sys
    import tempfile
    from pathlib import Path

    from tests.runtime_process import RuntimeProcess

    budget = int(os.environ.get("JIEYOU_FUZZ_EXAMPLES", "10"))
    with tempfile.TemporaryDirectory() as tmp:
        rt = RuntimeProcess(Path(tmp) / "data").start()
        try:
            result = run(rt.url, budget)
        finally:
            rt.stop()
    failures = result.pop("failures")
    print(json.dumps(result, ensure_ascii=False, indent=1))
    print("\n".join(failures) or "no failures")
    sys.exit(1 if failures else 0)
