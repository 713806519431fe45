"""The counting rules and the stream consumer's arithmetic: live counters (deltas applied per
stream record, some records redelivered, matters interleaved) always equal the brute-force
count of the final matters."""
from __future__ import annotations

import copy
from collections import defaultdict

from hypothesis import given, settings, strategies as s

from chalicelib.domain import statistics as st
from chalicelib.services import statistics as svc


def matter(**over):
    m = {"type": "matter", "matterId": "01ABC", "trackingCode": "CPT-AAA-0001", "title": "邻里纠纷",
         "kind": "mediation", "category": "neighbourhood", "severity": "general",
         "regionCode": "431002001001", "status": "assigned", "receivedAt": "2026-11-30T17:30:00Z",
         "holderCentreId": "centre-431002001", "clocks": {"conclude": {"state": "running"}},
         "returnCount": 0, "joint": None, "massInvolved": False, "supervised": False}
    m.update(over)
    return m


class FakeStore:
    """The statistics store's semantics in memory: a marker per stream record, ADDs."""
    def __init__(self):
        self.markers, self.counters, self.warn = set(), defaultdict(dict), {}

    def apply(self, marker, updates, puts, deletes, now_epoch):
        if marker in self.markers:
            return False
        self.markers.add(marker)
        for key, adds in updates.items():
            for name, n in adds.items():
                self.counters[key][name] = self.counters[key].get(name, 0) + n
        for p, entry in puts:
            self.warn[(p, entry["matterId"])] = entry
        for p, mid in deletes:
            self.warn.pop((p, mid), None)
        return True

    def nonzero(self):
        out = {k: {a: n for a, n in v.items() if n} for k, v in self.counters.items()}
        return {k: v for k, v in out.items() if v}


def test_a_matter_received_late_on_the_30th_utc_counts_on_december_1st_china_time():
    ((day, region, kind, category, severity), counts), = st.cells(matter()).items()
    assert day == "2026-12-01" and counts == {"received": 1}
    assert (region, kind, category, severity) == ("431002001001", "mediation", "neighbourhood", "general")


def test_a_village_matter_rolls_up_to_township_county_and_city():
    keys = st.counter_updates(st.cells(matter()))
    assert ("4310", "M2026-12#431002") in keys
    assert ("431002", "D2026-12-01#431002001") in keys
    assert ("431002001", "D2026-12-01#431002001001") in keys
    assert ("431002001001", "M2026-12#-") in keys
    assert len(keys) == 4 * 2


def test_concluded_in_time_late_escalated_local_and_rated():
    in_time = st.contribution(matter(status="closed", clocks={"conclude": {"state": "met"}},
                                     evaluation={"rating": 4}))
    assert in_time == {"received": 1, "concluded": 1, "concludedInTime": 1, "resolvedLocally": 1,
                       "satisfactionSum": 4, "satisfactionCount": 1}
    late = st.contribution(matter(status="concluded", clocks={"conclude": {"state": "overdue"}},
                                  holderCentreId="centre-431002", returnCount=2, joint={"round": 1}))
    assert late == {"received": 1, "concluded": 1, "overdue": 1, "returned": 1, "escalated": 1,
                    "jointMediated": 1}
    mass = st.contribution(matter(status="joint_mediation", holderCentreId="centre-431002",
                                  massInvolved=True, joint={"round": 1}))
    assert "escalated" not in mass  # the county runs a mass-involved matter from intake


def test_reassessing_moves_the_whole_matter_to_the_new_severity():
    d = st.delta(matter(), matter(severity="major"))
    assert d[("2026-12-01", "431002001001", "mediation", "neighbourhood", "general")] == {"received": -1}
    assert d[("2026-12-01", "431002001001", "mediation", "neighbourhood", "major")] == {"received": 1}


def test_only_open_serious_mass_overdue_or_supervised_matters_are_warnings():
    assert st.warning_flags(matter()) == []
    assert st.warning_flags(matter(severity="major", supervised=True)) == ["major", "supervised"]
    assert st.warning_flags(matter(severity="major", status="concluded")) == []


def test_a_redelivered_record_changes_nothing():
    store = FakeStore()
    batch = [("e1", None, matter()), ("e2", matter(), matter(status="concluded"))]
    assert svc.consume(batch, store, 0)["applied"] == 2
    before = copy.deepcopy(store.nonzero())
    assert svc.consume(batch, store, 0) == {"applied": 0, "redelivered": 2, "unchanged": 0}
    assert store.nonzero() == before


def test_non_matter_items_are_ignored():
    store = FakeStore()
    assert svc.consume([("e1", None, {"type": "event", "pk": "M#1"})], store, 0)["applied"] == 0
    assert store.nonzero() == {}


# --- random histories ----------------------------------------------------------------------
REGIONS = ["431002001001", "431002001002", "431002002", "431003001001", "431021001"]
STEPS = s.one_of(
    s.fixed_dictionaries({"status": s.sampled_from(["assigned", "in_progress", "escalated",
                                                     "joint_mediation", "concluded", "closed"])}),
    s.fixed_dictionaries({"severity": s.sampled_from(["simple", "general", "major", "significant"])}),
    s.fixed_dictionaries({"category": s.sampled_from(["neighbourhood", "labour", None])}),
    s.fixed_dictionaries({"clocks": s.sampled_from([
        {"conclude": {"ruleDueAt": "2027-01-01T00:00:00Z", "pausedSeconds": 0, "state": state}}
        for state in ("met", "overdue", "running")])}),
    s.fixed_dictionaries({"returnCount": s.integers(0, 2)}),
    s.fixed_dictionaries({"holderCentreId": s.sampled_from(["centre-431002001", "centre-431002",
                                                            "centre-4310"])}),
    s.fixed_dictionaries({"joint": s.sampled_from([None, {"round": 1}])}),
    s.fixed_dictionaries({"evaluation": s.sampled_from([None, {"rating": 1}, {"rating": 5}])}),
    s.fixed_dictionaries({"supervised": s.booleans(), "massInvolved": s.booleans()}),
)
HISTORY = s.tuples(s.sampled_from(REGIONS),
                   s.sampled_from(["2026-01-31T16:30:00Z", "2026-02-01T03:00:00Z", "2026-12-31T23:00:00Z"]),
                   s.sampled_from(["mediation", "complaint"]), s.lists(STEPS, max_size=8))


@settings(max_examples=150, deadline=None)
@given(histories=s.lists(HISTORY, min_size=1, max_size=6), order=s.randoms(use_true_random=False),
       redeliver=s.lists(s.integers(0, 200), max_size=10))
def test_live_counters_equal_the_recount_of_the_final_matters(histories, order, redeliver):
    store, finals, records = FakeStore(), [], []
    for i, (region, received, kind, steps) in enumerate(histories):
        image, mine = matter(matterId=f"M{i}", regionCode=region, receivedAt=received, kind=kind), []
        mine.append((f"m{i}-0", None, copy.deepcopy(image)))
        for j, step in enumerate(steps, 1):
            new = {**image, **step}
            mine.append((f"m{i}-{j}", copy.deepcopy(image), copy.deepcopy(new)))
            image = new
        finals.append(image)
        records.append(mine)
    stream = []  # each matter's records stay in order (one shard key), matters interleave
    while any(records):
        queue = order.choice([r for r in records if r])
        stream.append(queue.pop(0))
    for k in redeliver:  # Lambda retries: a record already applied comes again, later
        if stream:
            i = k % len(stream)
            stream.insert(i + 1 + k % (len(stream) - i), stream[i])
    for record in stream:
        svc.consume([record], store, 0)
    assert store.nonzero() == st.all_counters(finals)
    assert store.warn == {(p, m["matterId"]): st.warning_entry(m) for m in finals
                          if st.warning_flags(m) for p in st.warning_partitions(m["regionCode"])}
