"""`make run`: serve the whole system locally until Ctrl-C, then save and stop."""
from __future__ import annotations

import faulthandler
import logging
import os
import signal
import sys
import threading

from .runtime import LocalRuntime


def main() -> int:
    faulthandler.register(signal.SIGUSR1, all_threads=True)  # `kill -USR1 <pid>`: every thread's stack
    logging.basicConfig(level=os.environ.get("LOG_LEVEL", "WARNING"),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
    runtime = LocalRuntime(port=int(os.environ.get("PORT", "8000")))
    runtime.start()
    from chalicelib import reference
    print(f"解忧 Jieyou 本地运行中 (local runtime)   数据目录 data: {runtime.data_dir}", flush=True)
    print(f"  百姓解忧站 citizen portal : {runtime.url}/")
    print(f"  API                       : {runtime.url}/api/health")
    print(f"  时钟倍速 clock speed       : {runtime.status.extra.get('clockSpeed')}")
    print(f"  已恢复记录 restored items   : {runtime.status.restored_items}"
          f"，待重启流程 lifecycles to restart: {runtime.status.lifecycles_to_restart}")
    print("  演示账号 demo staff accounts (username / password / role / unit):")
    for a in reference.demo_accounts():
        print(f"    {a['username']:<22} {a['password']:<18} {a['role']:<22} {a['unitId']}")
    print("按 Ctrl-C 停止并保存数据 (Ctrl-C stops and saves).", flush=True)

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()
    print("正在保存数据并停止… saving and stopping", flush=True)
    runtime.stop()
    print("已停止 stopped.", flush=True)
    sys.stdout.flush()
    os._exit(0)  # moto's executor threads for waiting executions are not daemons


if __name__ == "__main__":
    sys.exit(main())
