"""Many citizens at once: every accepted matter is stored, whatever else fails beside it."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from chalicelib.wiring import intake_deps
from chalicelib.domain.errors import Conflict
from chalicelib.services import intake

BODY = {"kind": "livelihood", "title": "自来水停水三天", "description": "小区已经停水三天，没有任何通知。",
        "regionCode": "431002001001", "applicant": {"name": "孙丽", "phone": "13800001111"}}


def test_concurrent_intakes_with_conflicting_retries_lose_nothing(aws):
    deps = intake_deps()

    def citizen(n: int):
        receipts, conflicts = [], 0
        for i in range(6):
            body = {**BODY, "title": f"{BODY['title']} {n}-{i}"}
            receipts.append(intake.file_matter(body, f"key-{n}-{i}", deps))
            try:  # the same key with another body fails its transaction beside the others
                intake.file_matter({**body, "title": "改过的标题"}, f"key-{n}-{i}", deps)
            except Conflict:
                conflicts += 1
        return receipts, conflicts

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(citizen, range(8)))
    receipts = [r for rs, _ in results for r in rs]
    assert sum(c for _, c in results) == 48
    assert len({r["matterId"] for r in receipts}) == 48
    for r in receipts:
        found = intake.lookup_matter(r["trackingCode"], BODY["applicant"]["phone"], "test", deps)
        assert found["trackingCode"] == r["trackingCode"]
