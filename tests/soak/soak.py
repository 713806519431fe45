"""`make soak`: 20 concurrent citizens and 20 staff sessions against a fresh local runtime, a
fixed number of requests (loopback only). Citizens file matters and look them up; staff open,
accept and conclude each of them. Afterwards every filed matter is found, every action is on its
timeline exactly once, and the handler's counters equal a recount. Prints throughput and
p50/p95/p99 latency per operation and the errors."""
from __future__ import annotations

import json
import os
import queue
import statistics
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

import requests

from tests.runtime_process import RuntimeProcess

CITIZENS = int(os.environ.get("SOAK_CITIZENS", "20"))
STAFF = int(os.environ.get("SOAK_STAFF", "20"))
PER_CITIZEN = int(os.environ.get("SOAK_MATTERS", "5"))
PASSWORD = "Jieyou#2026demo"  # the documented demo password (local stage)
HANDLER = "township.mediator"  # the unit 431002001001's mediation matters are routed to


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.errors: list[str] = []

    def call(self, op: str, method: str, url: str, ok=(200, 201), **kw):
        started = time.perf_counter()
        try:
            r = requests.request(method, url, timeout=60, **kw)
        except requests.RequestException as exc:
            with self.lock:
                self.errors.append(f"{op}: {exc}")
            if op != "file":
                return None
            return self.call(op, method, url, ok, **kw)  # retried with the same Idempotency-Key
        with self.lock:
            self.latency[op].append(time.perf_counter() - started)
            if r.status_code not in ok:
                self.errors.append(f"{op}: {r.status_code} {r.text[:200]}")
        return r


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def run(base: str) -> dict:
    rec = Recorder()
    filed: queue.Queue = queue.Queue()
    receipts: list[dict] = []
    token = requests.post(base + "/api/auth/login", json={"username": HANDLER, "password": PASSWORD},
                          timeout=60).json()["idToken"]
    auth = {"Authorization": f"Bearer {token}"}

    def citizen(i: int):
        phone = f"137{i:08d}"
        for n in range(PER_CITIZEN):
            body = {"kind": "mediation", "category": "neighbourhood", "title": f"压力测试纠纷{i}-{n}",
                    "description": "邻里之间因共用楼道堆放杂物发生纠纷，多次协商无果。",
                    "regionCode": "431002001001", "applicant": {"name": f"群众{i}", "phone": phone}}
            r = rec.call("file", "POST", base + "/api/matters", json=body,
                         headers={"Idempotency-Key": f"soak-{i}-{n}"})
            if r is not None and r.status_code == 201:
                receipt = {**r.json(), "phone": phone}
                with rec.lock:
                    receipts.append(receipt)
                filed.put(receipt)
                rec.call("lookup", "GET", f"{base}/api/matters/{receipt['trackingCode']}",
                         params={"phone": phone})

    def act(mid: str, body: dict) -> bool:
        for _ in range(4):  # a lost race (409 conflict) or a busy moment (503) is retried
            view = rec.call("open", "GET", f"{base}/api/staff/matters/{mid}", headers=auth)
            if view is None or view.status_code != 200:
                continue
            r = rec.call(body["action"], "POST", f"{base}/api/staff/matters/{mid}/actions",
                         ok=(200, 409, 503), json={**body, "version": view.json()["version"]}, headers=auth)
            if r is not None and r.status_code == 200:
                return True
        rec.errors.append(f"{body['action']} {mid}: gave up")
        return False

    def staff(_: int):
        while True:
            receipt = filed.get()
            if receipt is None:
                return
            mid = receipt["matterId"]
            if act(mid, {"action": "accept", "note": "已联系双方"}):
                act(mid, {"action": "conclude", "outcome": "resolved", "answer": "双方达成协议，清理楼道。",
                          "agreementReached": True})

    started = time.perf_counter()
    workers = [threading.Thread(target=staff, args=(i,)) for i in range(STAFF)]
    people = [threading.Thread(target=citizen, args=(i,)) for i in range(CITIZENS)]
    for t in workers + people:
        t.start()
    for t in people:
        t.join()
    for _ in workers:
        filed.put(None)
    for t in workers:
        t.join()
    elapsed = time.perf_counter() - started

    # afterwards: every matter found, every action once on its timeline, counters = recount
    missing, wrong = [], []
    for receipt in receipts:
        view = requests.get(f"{base}/api/staff/matters/{receipt['matterId']}", headers=auth, timeout=60)
        public = requests.get(f"{base}/api/matters/{receipt['trackingCode']}",
                              params={"phone": receipt["phone"]}, timeout=60)
        if view.status_code != 200 or public.status_code != 200:
            missing.append(receipt["matterId"])
            continue
        types = [e["type"] for e in view.json()["timeline"]]
        if view.json()["status"] != "concluded" or types.count("accepted") != 1 or types.count("concluded") != 1:
            wrong.append((receipt["matterId"], view.json()["status"], types))
    figures = requests.get(base + "/api/staff/me/figures", headers=auth, timeout=60).json()
    concluded = len(receipts) - len(missing) - len(wrong)
    requests_made = sum(len(v) for v in rec.latency.values())
    return {
        "citizens": CITIZENS, "staff": STAFF, "matters": len(receipts), "requests": requests_made,
        "seconds": round(elapsed, 1), "throughput": round(requests_made / elapsed, 1),
        "latencyMs": {op: {"n": len(v), "p50": round(percentile(v, 50) * 1000),
                           "p95": round(percentile(v, 95) * 1000), "p99": round(percentile(v, 99) * 1000),
                           "mean": round(statistics.mean(v) * 1000)} for op, v in sorted(rec.latency.items())},
        "errors": rec.errors[:20], "errorCount": len(rec.errors),
        "missing": missing, "wrongTimelines": wrong[:5],
        "figures": figures, "recount": {"concluded": concluded},
        "countersMatch": figures.get("concludedThisMonth") == concluded and figures.get("open") == 0,
    }


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        rt = RuntimeProcess(Path(tmp) / "data").start()
        try:
            result = run(rt.url)
        finally:
            rt.stop()
    print(json.dumps(result, ensure_ascii=False, indent=1))
    conflicts = [e for e in result["errors"] if "gave up" in e]
    ok = (not result["missing"] and not result["wrongTimelines"] and result["countersMatch"]
          and not conflicts and result["matters"] == CITIZENS * PER_CITIZEN)
    print("soak: OK" if ok else "soak: FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
