"""The pure rules of the summary queries: partitions, filters, cursors and the merge."""
from __future__ import annotations

import random

import pytest

from chalicelib.domain import queries
from chalicelib.domain.errors import ValidationFailed

KINDS = ["mediation", "complaint"]


def parse(**params):
    return queries.parse_filters(params, kinds=KINDS, categories=["labour"], statuses=["received"],
                                 severities=["simple"], region_exists=lambda c: c.startswith("4310"))


def test_partitions_are_kind_and_county_and_the_city_fans_out():
    assert queries.summary_partition("complaint", "431002001001") == "complaint#431002"
    assert queries.summary_partition("complaint", "4310") == "complaint#4310"
    assert queries.partitions(["complaint"], "431002001", ["431002", "431003"]) == ["complaint#431002"]
    assert queries.partitions(KINDS, "4310", ["431002", "431003"]) == [
        "complaint#4310", "complaint#431002", "complaint#431003",
        "mediation#4310", "mediation#431002", "mediation#431003"]


def test_china_dates_bound_the_sort_key():
    f = parse(**{"from": "2026-12-01", "to": "2026-12-01"})
    assert (f.lower, f.upper) == ("2026-11-30T16:00:00Z", "2026-12-01T16:00:00Z")
    assert f.lower <= "2026-11-30T16:00:00Z#" + "0" * 26 <= f.upper
    assert not "2026-12-01T16:00:00Z#" + "0" * 26 <= f.upper  # next China day excluded
    assert parse().kinds == tuple(KINDS) and parse(kind="complaint").kinds == ("complaint",)


def test_every_bad_parameter_is_named():
    with pytest.raises(ValidationFailed) as err:
        parse(kind="x", overdue="maybe", regionCode="5100", **{"from": "2026-02-30"}, foo="1")
    assert set(err.value.fields) == {"kind", "overdue", "regionCode", "from", "foo"}


def test_scope_region_narrows_within_the_subtree_only():
    assert queries.scope_region("431002", None) == "431002"
    assert queries.scope_region("431002", "431002001") == "431002001"
    assert queries.scope_region("431002001", "4310") == "431002001"
    with pytest.raises(ValidationFailed):
        queries.scope_region("431002001", "431002002")


def test_a_cursor_round_trips_and_refuses_tampering():
    key = "2026-11-01T02:00:00Z#" + "0" * 26
    token = queries.encode_cursor(queries.Cursor(key, frozenset({0, 2})), "fp")
    assert queries.decode_cursor(token, "fp", 3) == queries.Cursor(key, frozenset({0, 2}))
    for bad, fp, n in [(token, "other", 3), (token, "fp", 2), ("x" * 500, "fp", 3), ("!!", "fp", 3),
                       (queries.encode_cursor(queries.Cursor("2026#x", frozenset()), "fp"), "fp", 3)]:
        with pytest.raises(ValidationFailed):
            queries.decode_cursor(bad, fp, n)


def _sources(partitions, page_limit_log):
    """Fake partitions: sorted key lists read newest first, `limit` at a time."""
    def source(keys):
        keys = sorted(keys, reverse=True)

        def fetch(start, limit):
            page_limit_log.append(limit)
            i = start or 0
            chunk = keys[i:i + limit]
            nxt = i + limit if i + limit < len(keys) else None
            return [(k, k) for k in chunk], nxt, keys[nxt - 1] if nxt else None
        return fetch
    return [queries.Source(source(p)) for p in partitions]


def _resume(partitions, cursor):
    trimmed = [[k for k in p if k < cursor.key] for p in partitions]
    sources = _sources(trimmed, [])
    for i in cursor.done:
        sources[i].done = True
    return sources


@pytest.mark.parametrize("seed", range(5))
def test_merging_pages_yields_every_key_once_newest_first(seed):
    rnd = random.Random(seed)
    keys = [f"2026-11-{rnd.randint(1, 28):02d}T00:00:00Z#{i:026d}" for i in range(300)]
    partitions = [[] for _ in range(7)]
    for k in keys:
        partitions[rnd.randrange(7)].append(k)
    accept = lambda k: int(k[-3:]) % 3 != 0  # noqa: E731  (a filter drops a third)
    sources, seen = _sources(partitions, []), []
    for _ in range(50):
        result = queries.merge_page(sources, accept, 50, 5, 20, max_calls=12)
        seen += result.items
        if result.cursor is None:
            break
        sources = _resume(partitions, result.cursor)
    expected = sorted((k for k in keys if accept(k)), reverse=True)
    assert seen == expected


def test_an_old_partition_is_read_once_and_not_again():
    log = []
    new = [f"2026-11-20T00:00:00Z#{i:026d}" for i in range(100)]
    old = ["2020-01-01T00:00:00Z#" + "0" * 26]
    result = queries.merge_page(_sources([new, old, []], log), lambda k: True, 50, 10, 51, 30)
    assert len(result.items) == 50 and result.cursor.done == frozenset({2})
    assert len(log) == 3 + 1  # each partition once, then one refill of the busy one


def test_the_call_budget_cuts_a_page_short_but_never_skips():
    log = []
    keys = [f"2026-11-20T00:00:00Z#{i:026d}" for i in range(100)]
    result = queries.merge_page(_sources([keys], log), lambda k: k.endswith("00"), 50, 10, 10, 3)
    assert result.items == [] and result.truncated and result.cursor.key == keys[70]


def test_the_dispatch_suggestion_is_the_rules_pick_within_the_centres_reach():
    from chalicelib.domain import routing
    from chalicelib.reference import routing as data
    labour = routing.RoutingFacts("complaint", "labour", "431002001001")

    def suggest(facts, centre_region):
        return queries.dispatch_suggestion(facts, data.unit_index(), centre_region, data.routing_rules(),
                                           routing.route, routing.dispatch_candidates)
    county = suggest(labour, "431002")
    assert county["unitId"] == "dept-431002-hrss" and county["rule"] == "services-to-county-department"
    assert "劳动争议" in county["explanation"]
    township = suggest(labour, "431002001")  # a county department is beyond a township centre
    assert township["rule"] is None and township["unitId"].endswith("431002001")
    assert "无规则命中" in township["explanation"]


def test_the_approver_is_the_assigned_unit_or_a_leaderless_units_centre():
    from types import SimpleNamespace as M

    from chalicelib import reference
    pending = {"reason": "x", "by": "u", "previousStatus": "in_progress"}
    pmc = M(pending_return=pending, pending_extension=None, assigned_unit_id="pmc-431002001")
    dept = M(pending_return=None, pending_extension={"newDueAt": "…"}, assigned_unit_id="dept-431002-hrss")
    idle = M(pending_return=None, pending_extension=None, assigned_unit_id="dept-431002-hrss")
    assert queries.approver_unit_id(pmc, reference.unit) == "centre-431002001"
    assert queries.approver_unit_id(dept, reference.unit) == "dept-431002-hrss"
    assert queries.approver_unit_id(idle, reference.unit) is None
    assert queries.needs_attention(M(status="in_progress", supervised=False), warning=True)
    assert not queries.needs_attention(M(status="concluded", supervised=True), warning=True)


def _m(status="in_progress", region="431002001001", received="2026-11-10T02:00:00Z", clocks=None,
       outcome_at=None, unit="u1", category="labour", severity=None, supervised=False):
    from types import SimpleNamespace
    return SimpleNamespace(status=status, region_code=region, received_at=received,
                           clocks=clocks or {"conclude": {"ruleDueAt": "2099-01-01T00:00:00Z", "state": "running"}},
                           outcome={"at": outcome_at} if outcome_at else None, assigned_unit_id=unit,
                           category=category, severity=severity, supervised=supervised, mass_involved=False)


def test_unit_rates_count_conclusions_in_time_per_handling_unit():
    late = {"conclude": {"ruleDueAt": "2026-11-01T00:00:00Z", "state": "overdue", "metAt": "2026-11-11T00:00:00Z"}}
    met = {"conclude": {"ruleDueAt": "2099-01-01T00:00:00Z", "state": "met", "metAt": "2026-11-11T00:00:00Z"}}
    matters = [_m(), _m(status="concluded", clocks=met, outcome_at="2026-11-10T17:00:00Z"),
               _m(status="concluded", clocks=late, outcome_at="2026-11-11T01:00:00Z", region="431002002001")]
    rates = queries.unit_rates(matters, lambda u: "单位")
    assert rates == [{"unitId": "u1", "unitName": "单位", "concluded": 2, "onTime": 1, "onTimeRate": 0.5}]
