"""The summary export: a real .xlsx of exactly the filtered set, every row audited."""
from __future__ import annotations

import io
import json

import pytest
from openpyxl import load_workbook

from chalicelib.adapters.dynamo import AuditRecord
from chalicelib.adapters.xlsx import XLSX_TYPE
from chalicelib.services import queries
from tests.integration.query_seed import seed_many

REGIONS = ["431002001001", "431002002013", "431003001016"]


@pytest.fixture
def export(api, staff_token):
    def call(who, query="", accept="*/*"):
        headers = {"Authorization": f"Bearer {staff_token(who)}"}
        if accept:
            headers["Accept"] = accept
        return api.get(f"/api/staff/matters/export?{query}", headers=headers)
    return call


def sheet_rows(body: bytes):
    ws = load_workbook(io.BytesIO(body)).active
    return [list(r) for r in ws.iter_rows(values_only=True)]


def test_the_export_opens_and_holds_exactly_the_filtered_set(aws, export):
    matters = seed_many(24, REGIONS)
    r = export("county.staff", "kind=complaint", accept=XLSX_TYPE)
    assert r.status_code == 200, r.body
    assert r.headers["Content-Type"] == XLSX_TYPE
    assert r.headers["Content-Disposition"].startswith('attachment; filename="jieyou-matters-')
    rows = sheet_rows(r.body)
    assert rows[0][:4] == ["受理编号", "事项类型", "类别", "标题"]
    assert {"状态", "区域", "承办单位", "受理时间", "期限", "是否超期", "是否督办", "办理结果"} <= set(rows[0])
    expected = [m for m in reversed(matters) if m.kind == "complaint" and m.region_code.startswith("431002")]
    assert [row[0] for row in rows[1:]] == [m.tracking_code for m in expected] and expected
    first = dict(zip(rows[0], rows[1]))
    assert first["事项类型"] == "投诉举报反映" and first["区域"].startswith("北湖区")
    assert first["是否超期"] in ("是", "否")
    for m in matters:  # each exported matter audited once, nothing else
        lines = [a.action for a in AuditRecord.query(f"A#{m.matter_id}")]
        assert lines == (["export"] if m in expected else [])


def test_a_browser_download_accept_header_works_too(aws, export):
    seed_many(3, REGIONS)
    r = export("city.staff", accept="text/html,application/xhtml+xml,*/*;q=0.8")
    assert r.status_code == 200 and len(sheet_rows(r.body)) == 4


def test_the_department_exports_only_its_own(aws, export):
    matters = seed_many(12, REGIONS)
    rows = sheet_rows(export("dept.handler").body)
    mine = {m.tracking_code for m in matters if m.assigned_unit_id == "dept-431002-hrss"}
    assert {r[0] for r in rows[1:]} == mine and mine


def test_too_many_rows_answer_400_and_nothing_is_audited(aws, export, monkeypatch):
    matters = seed_many(6, REGIONS)
    monkeypatch.setattr(queries, "EXPORT_CAP", 5)
    r = export("city.staff")
    assert r.status_code == 400 and json.loads(r.body)["error"]["code"] == "export_too_large"
    assert not any(list(AuditRecord.query(f"A#{m.matter_id}")) for m in matters)


def test_bad_filters_and_no_token(aws, api, export):
    r = export("city.staff", "overdue=maybe")
    assert r.status_code == 400 and "overdue" in json.loads(r.body)["error"]["fields"]
    assert api.get("/api/staff/matters/export").status_code == 401
