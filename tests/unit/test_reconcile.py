"""The reconciler's decisions, with fakes: which matters get a new execution and under which name."""
from __future__ import annotations

from types import SimpleNamespace

from chalicelib.services.reconcile import ReconcileDeps, reconcile


def deps(executions: dict, pages: dict, max_restarts=2):
    started = []

    def newest(matter_id, generation, limit):
        names = [f"{matter_id}-{generation}"] + [f"{matter_id}-{generation}-r{k}" for k in range(1, limit + 1)]
        found = status = None
        for name in names:
            if name not in executions:
                return found, status, name
            found, status = name, executions[name]
        return found, status, None

    d = ReconcileDeps(open_matters_page=lambda p, start: pages[(p, start)], newest=newest,
                      start_named=lambda mid, name: started.append(name), partitions=sorted({p for p, _ in pages}),
                      max_restarts=max_restarts)
    return d, started


def m(matter_id, reopens=0):
    return SimpleNamespace(matter_id=matter_id, reopens=[{}] * reopens)


def test_running_left_alone_gone_restarted_under_the_next_name_and_pages_followed():
    executions = {"a-1": "RUNNING", "b-1": "ABORTED", "c-2": "FAILED", "c-1": "SUCCEEDED", "d-1": "FAILED",
                  "d-1-r1": "FAILED"}
    pages = {("mediation#431002", None): ([m("a"), m("b")], "next"),
             ("mediation#431002", "next"): ([m("c", reopens=1), m("d"), m("e")], None)}
    d, started = deps(executions, pages)
    report = reconcile(d)
    assert started == ["b-1-r1", "c-2-r1", "d-1-r2", "e-1"]
    assert report["checked"] == 5 and report["running"] == 1 and report["givenUp"] == []


def test_a_matter_that_keeps_dying_is_given_up_not_restarted_forever():
    executions = {"x-1": "FAILED", "x-1-r1": "FAILED", "x-1-r2": "FAILED"}
    d, started = deps(executions, {("p", None): ([m("x")], None)}, max_restarts=2)
    report = reconcile(d)
    assert started == [] and report["givenUp"] == ["x"]
