"""Spreadsheets for download: rows in, .xlsx bytes out (openpyxl, write-only mode so a
5000-row export stays small in memory)."""
from __future__ import annotations

import io

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook_bytes(title: str, headers: list[str], rows: list[list], widths: list[int] | None = None) -> bytes:
    from openpyxl import Workbook  # imported on first export, not at every cold start
    from openpyxl.utils import get_column_letter
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=title[:31])
    for i, width in enumerate(widths or [], start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    ws.append(headers)
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
