"""The export through `make run`'s HTTP server: the .xlsx bytes arrive intact (the server
decodes Chalice's base64 body and sends it uncompressed)."""
from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from tests.runtime_process import RuntimeProcess

pytestmark = pytest.mark.slow

MATTER = {"kind": "livelihood", "title": "村道路灯损坏", "description": "村口三盏路灯坏了一个多月。",
          "regionCode": "431002001001", "applicant": {"name": "赵四", "phone": "13600001234"}}


def test_an_export_downloads_and_opens(tmp_path):
    rt = RuntimeProcess(tmp_path / "data").start()
    try:
        receipt = rt.post("/api/matters", MATTER).json()
        token = rt.post("/api/auth/login", {"username": "township.staff",
                                            "password": "Jieyou#2026demo"}).json()["idToken"]
        r = rt.get("/api/staff/matters/export?kind=livelihood",
                   headers={"Authorization": f"Bearer {token}", "Accept-Encoding": "gzip"})
        assert r.status_code == 200, r.text
        assert "Content-Encoding" not in r.headers
        assert r.headers["Content-Length"] == str(len(r.content)) and r.content[:2] == b"PK"
        rows = list(load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))
        assert rows[0][0] == "受理编号" and [row[0] for row in rows[1:]] == [receipt["trackingCode"]]
    finally:
        rt.stop()
