"""`make bench`: prints the foundation's figures (not a test; nothing here asserts).

1. AWS calls per operation (intake, lookup, catalog) counted on the API's own thread.
2. Cold start: import time of app.py against a bare Chalice app importing boto3.
3. Intake under load against the local runtime: 8 clients for 20 s; every 201 is looked
   up afterwards.
4. 研判分析 and periodic reports at 6,000 and 60,000 matters (tests/bench/analytics_bench.py).
"""
from __future__ import annotations

import argparse
import logging
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.bench.recording import api_thread_calls

ROOT = Path(__file__).resolve().parents[2]
MATTER = {"kind": "mediation", "title": "相邻土地界址纠纷", "description": "两家承包地界址不清，因种植发生争执。",
          "regionCode": "431002001001", "category": "forest_land",
          "applicant": {"name": "测试申请人", "phone": "13800138000"}}


def calls_per_operation() -> dict:
    import tests.conftest as fixtures  # sets the test environment and knows the template
    from chalice.test import Client

    from app import app
    gen = fixtures.aws.__wrapped__() if hasattr(fixtures.aws, "__wrapped__") else fixtures.aws()
    next(gen)
    out = {}
    try:
        with api_thread_calls() as calls, Client(app) as client:
            http = client.http
            body = json.dumps(MATTER)
            headers = {"content-type": "application/json"}
            http.post("/api/matters", headers=headers, body=body)
            http.get("/api/catalog")
            calls.clear()
            receipt = json.loads(http.post("/api/matters", headers=headers, body=body).body)
            out["intake"] = list(calls)
            calls.clear()
            http.get(f"/api/matters/{receipt['trackingCode']}?phone=13800138000")
            out["lookup"] = list(calls)
            calls.clear()
            http.get(f"/api/matters/{receipt['trackingCode']}?phone=13800138001")
            out["lookup (wrong phone)"] = list(calls)
            calls.clear()
            http.get("/api/catalog")
            out["catalog (warm)"] = list(calls)
    finally:
        try:
            next(gen)
        except StopIteration:
            pass
        # the finished executions' threads may still report, harmlessly, that moto is gone
        logging.getLogger("chalicelib.adapters.local.bridge").setLevel(logging.CRITICAL)
        logging.getLogger("moto").setLevel(logging.CRITICAL)
    return out


def import_seconds(code: str, runs: int) -> float:
    times = []
    for _ in range(runs):
        r = subprocess.run([sys.executable, "-c",
                            "import time; t=time.perf_counter(); " + code + "; print(time.perf_counter()-t)"],
                           cwd=ROOT, capture_output=True, text=True, check=True,
                           env={"PATH": "/usr/bin:/bin", "AWS_DEFAULT_REGION": "us-east-1",
                                "PYTHONDONTWRITEBYTECODE": "0"})
        times.append(float(r.stdout.strip().splitlines()[-1]))
    return statistics.median(times)


def cold_start(runs: int) -> dict:
    bare = "import boto3; from chalice import Chalice; Chalice(app_name='bare')"
    import_seconds("import app", 1)  # compile .pyc once
    app_s, bare_s = import_seconds("import app", runs), import_seconds(bare, runs)
    return {"app.py import (s, median)": round(app_s, 4), "bare chalice+boto3 (s, median)": round(bare_s, 4),
            "ratio": round(app_s / bare_s, 2), "runs": runs}


def intake_load(clients: int, seconds: float) -> dict:
    import requests

    from tests.runtime_process import RuntimeProcess
    tmp = Path(tempfile.mkdtemp(prefix="jieyou-bench-"))
    rt = RuntimeProcess(tmp / "data").start()
    latencies, errors, receipts = [], [], []
    lock = threading.Lock()
    stop_at = time.time() + seconds

    def worker(n: int):
        session = requests.Session()
        i = 0
        while time.time() < stop_at:
            i += 1
            phone = f"139{n:02d}{i:06d}"
            body = {**MATTER, "applicant": {"name": "压测", "phone": phone}}
            t = time.perf_counter()
            try:
                r = session.post(rt.url + "/api/matters", json=body, timeout=30,
                                 headers={"Idempotency-Key": str(uuid.uuid4())})
                ok = r.status_code == 201
            except requests.RequestException as exc:
                ok, r = False, exc
            dt = time.perf_counter() - t
            with lock:
                latencies.append(dt)
                if ok:
                    receipts.append((r.json()["trackingCode"], phone))
                else:
                    errors.append(getattr(r, "status_code", str(r)))
    try:
        with ThreadPoolExecutor(clients) as pool:
            list(pool.map(worker, range(clients)))
        lost = sum(1 for code, phone in receipts
                   if requests.get(f"{rt.url}/api/matters/{code}?phone={phone}", timeout=60).status_code != 200)
        report = rt.get("/api/dev/runtime").json()
    finally:
        rt.stop()
    q = statistics.quantiles(latencies, n=100)
    return {"clients": clients, "seconds": seconds, "filed (201)": len(receipts),
            "matters/s": round(len(receipts) / seconds, 1), "p50 ms": round(q[49] * 1000, 1),
            "p95 ms": round(q[94] * 1000, 1), "errors": len(errors), "lost (201 not found)": lost,
            "runtime threads after": report["threads"], "runtime max RSS MB": report["maxRssMb"]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--open-matters", type=int, default=300,
                        help="open matters the local runtime holds for the lifecycle figures (1,000+ may time out: see docs/local-runtime.md)")
    args = parser.parse_args()
    print("== AWS calls per operation ==")
    for op, calls in calls_per_operation().items():
        print(f"  {op:<22} {len(calls)}  {calls}")
    print("== Cold start (import time) ==")
    for k, v in cold_start(args.runs).items():
        print(f"  {k:<32} {v}")
    print(f"== Intake under load ({args.clients} clients, {args.seconds:.0f} s, local runtime) ==")
    for k, v in intake_load(args.clients, args.seconds).items():
        print(f"  {k:<24} {v}")
    from tests.bench import lifecycle_bench
    figures = lifecycle_bench.calls_and_transitions()
    transitions = figures.pop("transitions")
    print("== AWS calls per staff action (API thread) ==")
    for op, calls in figures.items():
        print(f"  {op:<28} {len(calls)}  {calls}")
    print("== Step Functions state transitions per matter (lifecycle execution) ==")
    for label, n in transitions.items():
        cost = n * 10_000 * lifecycle_bench.TRANSITION_PRICE
        print(f"  {label:<42} {n} transitions; per 10,000 matters ${cost:.2f}")
    print(f"== Local runtime holding {args.open_matters} open matters ==")
    for k, v in lifecycle_bench.open_matters(args.open_matters).items():
        print(f"  {k:<34} {v}")
    from tests.bench import analytics_bench
    print("== 研判分析 and reports at 6,000 and 60,000 matters (a year, counters only) ==")
    for size, figures in analytics_bench.run().items():
        for k, v in figures.items():
            print(f"  {size:>6} {k:<24} {v}")


if __name__ == "__main__":
    main()
