"""Starting the local runtime (`make run`'s process) as a subprocess for tests."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RuntimeProcess:
    def __init__(self, data_dir: Path, port: int | None = None, clock_speed: float = 1):
        self.data_dir, self.port = data_dir, port or free_port()
        self.clock_speed = clock_speed
        self.proc: subprocess.Popen | None = None
        self.url = f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 90) -> "RuntimeProcess":
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k != "MOTO_PORT"}
        env.update(PORT=str(self.port), JIEYOU_DATA_DIR=str(self.data_dir),
                   JIEYOU_CLOCK_SPEED=str(self.clock_speed), PYTHONUNBUFFERED="1")
        self.log = open(self.data_dir.parent / f"runtime-{self.port}.log", "ab")
        self.proc = subprocess.Popen([sys.executable, "-m", "chalicelib.adapters.local"], cwd=ROOT,
                                     env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"runtime exited with {self.proc.returncode}: {self.read_log()[-3000:]}")
            try:
                if requests.get(self.url + "/api/health", timeout=1).ok:
                    return self
            except requests.RequestException:
                time.sleep(0.2)
        raise TimeoutError("local runtime did not answer /api/health")

    def read_log(self) -> str:
        return (self.data_dir.parent / f"runtime-{self.port}.log").read_text(errors="replace")

    def stop(self, sig=signal.SIGINT, timeout: float = 120) -> int:
        self.proc.send_signal(sig)
        code = self.proc.wait(timeout=timeout)
        self.log.close()
        return code

    def get(self, path, **kw):
        return requests.get(self.url + path, timeout=10, **kw)

    def post(self, path, body, **kw):
        return requests.post(self.url + path, json=body, timeout=10, **kw)
