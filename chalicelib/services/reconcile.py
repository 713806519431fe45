"""The reconciler: open matters whose lifecycle execution is gone (never started, stopped,
failed, timed out or ended early) get a new one, which plans from the stored matter. Runs on a
schedule (functions/reconciler.py, EventBridge Scheduler; locally the runtime's timer), never
on a request."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Callable

logger = logging.getLogger(__name__)


@dataclass
class ReconcileDeps:
    open_matters_page: Callable  # (partition, start) -> (matters, next start | None)
    newest: Callable  # (matter_id, generation, max_restarts) -> (name, status, next name)
    start_named: Callable  # (matter_id, name) -> execution arn
    partitions: list[str]
    max_restarts: int = 5


def generation(matter) -> int:
    """Reopening starts `<id>-<1 + reopens>` (services/citizen.py); the others are over."""
    return 1 + len(matter.reopens)


def reconcile(deps: ReconcileDeps) -> dict:
    report = {"checked": 0, "running": 0, "restarted": [], "givenUp": [], "errors": 0}
    for partition in deps.partitions:
        start = None
        while True:
            matters, start = deps.open_matters_page(partition, start)
            for matter in matters:
                report["checked"] += 1
                try:
                    _one(matter, deps, report)
                except Exception:  # noqa: BLE001 - one bad matter must not stop the round
                    report["errors"] += 1
                    logger.exception("reconciling failed", extra={"matterId": matter.matter_id})
            if not start:
                break
    return report


def _one(matter, deps: ReconcileDeps, report: dict) -> None:
    name, status, next_name = deps.newest(matter.matter_id, generation(matter), deps.max_restarts)
    if status == "RUNNING":
        report["running"] += 1
        return
    if next_name is None:  # it keeps dying: leave it to people (the log and the figures say so)
        report["givenUp"].append(matter.matter_id)
        logger.error("lifecycle restarts used up", extra={"matterId": matter.matter_id})
        return
    deps.start_named(matter.matter_id, next_name)
    report["restarted"].append(next_name)
