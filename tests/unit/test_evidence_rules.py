"""What may be uploaded as evidence and recorded on a matter (domain/evidence)."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from chalicelib.domain import evidence
from chalicelib.domain.errors import Conflict, ValidationFailed
from tests.unit.test_after_conclusion import concluded

NOW = datetime(2026, 10, 12, 2, 0, tzinfo=timezone.utc)
HEADS = {"image/jpeg": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "image/png": b"\x89PNG\r\n\x1a\n\x00\x00",
         "application/pdf": b"%PDF-1.4\n%\xe2\xe3", "image/heic": b"\x00\x00\x00\x18ftypheic\x00\x00"}


@pytest.mark.parametrize("content_type", sorted(HEADS))
def test_each_allowed_type_is_recognised_by_its_first_bytes(content_type):
    evidence.check_object({"size": 1000, "contentType": content_type}, HEADS[content_type])


@pytest.mark.parametrize("declared,head", [
    ("image/png", HEADS["image/jpeg"]), ("application/pdf", b"<html>"), ("text/html", b"<html>"),
    ("image/jpeg", b""), ("image/heic", b"\x00\x00\x00\x18ftypmp42")])
def test_a_file_that_is_not_what_it_says_is_refused(declared, head):
    with pytest.raises(ValidationFailed) as err:
        evidence.check_object({"size": 1000, "contentType": declared}, head)
    assert err.value.code == "evidence_type_not_allowed"


@pytest.mark.parametrize("size", [0, evidence.MAX_BYTES + 1])
def test_empty_or_over_ten_megabytes_is_refused(size):
    with pytest.raises(ValidationFailed) as err:
        evidence.check_object({"size": size, "contentType": "image/png"}, HEADS["image/png"])
    assert err.value.code == "evidence_too_large"
    evidence.check_object({"size": evidence.MAX_BYTES, "contentType": "image/png"}, HEADS["image/png"])


def test_keys_stay_under_the_callers_prefix_of_the_matter():
    key = evidence.new_key("M1", "citizen", "image/heic", "ab" * 16)
    assert key == f"matters/M1/citizen/{'ab' * 16}.heic"
    assert evidence.check_key(key, "M1", "citizen") == key
    for bad in (key.replace("M1", "M2"), key.replace("citizen", "staff"), "matters/M1/citizen/../../x",
                None, 42):
        with pytest.raises(ValidationFailed):
            evidence.check_key(bad, "M1", "citizen")


def test_recording_adds_the_item_and_a_public_event_for_citizens_only():
    stored = {"size": 10, "contentType": "image/png"}
    out = evidence.add(concluded(), "matters/M1/citizen/a.png", " 照片 ", stored, "citizen", {"kind": "citizen"}, NOW)
    assert out.matter.evidence[0]["name"] == "照片" and out.events[0].public and out.public_changed
    assert out.matter.public_snapshot(out.events, None)["evidence"][0]["key"] == "matters/M1/citizen/a.png"
    staff = evidence.add(out.matter, "matters/M1/staff/b.pdf", "笔录", stored, "staff", {"kind": "staff"}, NOW)
    assert not staff.events[0].public and not staff.public_changed
    assert [e["key"] for e in staff.matter.public_snapshot([], None)["evidence"]] == ["matters/M1/citizen/a.png"]
    with pytest.raises(Conflict) as err:
        evidence.add(staff.matter, "matters/M1/staff/b.pdf", "笔录", stored, "staff", {"kind": "staff"}, NOW)
    assert err.value.code == "evidence_already_recorded"


def test_no_evidence_after_closing_or_beyond_the_limit():
    m = concluded()
    m.status = "closed"
    with pytest.raises(Conflict):
        evidence.can_add(m)
    m.status = "in_progress"
    m.evidence = [{"key": str(i)} for i in range(evidence.MAX_ITEMS)]
    with pytest.raises(Conflict) as err:
        evidence.can_add(m)
    assert err.value.code == "evidence_limit_reached"


def test_upload_requests_name_an_allowed_type():
    assert evidence.validate_request({"contentType": "application/pdf", "name": "报告.pdf"}) == ("application/pdf", "报告.pdf")
    for body in ({"contentType": "image/gif"}, {}, {"contentType": "image/png", "name": "x" * 101}):
        with pytest.raises(ValidationFailed):
            evidence.validate_request(body)
