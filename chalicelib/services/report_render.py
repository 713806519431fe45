"""A report's files: the HTML email (charts as inline PNG images), the .docx and the .xlsx, and
the MIME message that carries them. No AWS here.

The charts are bar charts drawn by a few lines of pure Python into PNG (zlib + struct): the
email must show them as images in any mail client (no scripts, no SVG in Outlook), and a bar
chart needs no plotting library (matplotlib is ~40 MB in a Lambda bundle; Pillow is not a
dependency of the project). Labels and values are in the table beside each chart."""
from __future__ import annotations

import html as html_lib
import io
import struct
import zlib
from email.mime.application import MIMEApplication
from email.mime.image import MIMEImage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.header import Header
from email.utils import formataddr

from ..domain import statistics as st

PALETTE = [(32, 128, 240), (208, 48, 80), (24, 160, 88), (240, 160, 32)]


def png_bars(series: list[list[int]], width: int = 640, height: int = 240) -> bytes:
    """Grouped vertical bars (one colour per series) on white, with a baseline."""
    n = max((len(s) for s in series), default=0)
    top = max([1] + [v for s in series for v in s])
    pixels = [bytearray(b"\xff" * (width * 3)) for _ in range(height)]
    margin, base = 10, height - 10
    if n:
        slot = (width - 2 * margin) / n
        bar = max(1, int(slot * 0.8 / max(1, len(series))))
        for i in range(n):
            for k, s in enumerate(series):
                value = s[i] if i < len(s) else 0
                h = int((base - margin) * value / top)
                x0 = int(margin + i * slot + slot * 0.1 + k * bar)
                colour = bytes(PALETTE[k % len(PALETTE)])
                for y in range(base - h, base):
                    pixels[y][x0 * 3:(x0 + bar) * 3] = colour * bar
    for x in range(margin, width - margin):
        pixels[base][x * 3:x * 3 + 3] = b"\x60\x60\x60"
    raw = b"".join(b"\x00" + bytes(row) for row in pixels)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def charts(report: dict) -> dict[str, bytes]:
    cats = report["byCategory"]
    units = report["units"]
    return {"categories": png_bars([[c["received"] for c in cats], [c["overdue"] for c in cats]]),
            "units": png_bars([[u["received"] for u in units], [u["concluded"] for u in units]])}


def pct(v) -> str:
    return "—" if v is None else f"{v * 100:.1f}%"


def num(v) -> str:
    return "—" if v is None else (f"{v:g}" if isinstance(v, float) else str(v))


def sections(report: dict) -> list[tuple[str, list[str], list[list[str]]]]:
    """The report's tables, shared by the email, the .docx and the .xlsx: (title, header, rows)."""
    t, p, y = report["totals"], report["previous"], report["lastYear"]
    overall = [[name, num(t.get(code)), num(p.get(code)), num(y.get(code)),
                pct(report["mom"].get(code)), pct(report["yoy"].get(code))]
               for code, name in (("received", "受理"), ("concluded", "办结"), ("concludedInTime", "按期办结"),
                                  ("overdue", "超期"), ("escalated", "上报"), ("jointMediated", "联调联处"),
                                  ("resolvedLocally", "化解在基层"))]
    overall += [["按期办结率", pct(t["onTimeRate"]), pct(p["onTimeRate"]), pct(y["onTimeRate"]), "", ""],
                ["满意度（5分制）", num(t["satisfaction"]), num(p["satisfaction"]), num(y["satisfaction"]), "", ""]]
    out = [("一、总体办理情况", ["指标", "本期", "上期", "去年同期", "环比", "同比"], overall),
           ("二、事项类型", ["类型", "受理", "办结", "超期"],
            [[k["name"], num(k["received"]), num(k["concluded"]), num(k["overdue"])] for k in report["byKind"]]),
           ("三、纠纷类别", ["类别", "受理", "办结", "超期", "上期受理", "环比"],
            [[c["name"], num(c["received"]), num(c["concluded"]), num(c["overdue"]), num(c["previous"]),
              pct(c["change"])] for c in report["byCategory"]]),
           ("四、各单位办理绩效排名", ["名次", "地区", "受理", "办结", "按期办结率", "超期", "满意度"],
            [[str(u["rank"]), u["name"], num(u["received"]), num(u["concluded"]), pct(u["onTimeRate"]),
              num(u["overdue"]), num(u["satisfaction"])] for u in report["units"]])]
    if report.get("logins") is not None:
        out.append(("五、工作人员登录率", ["单位", "账号数", "本月登录人数", "登录率"],
                    [[l["unitName"], str(l["accounts"]), str(l["loggedIn"]), pct(l["rate"])]
                     for l in report["logins"]]))
    out.append(("六、上升风险（增幅明显高于总体）", ["类型", "名称", "本期", "上期", "环比"],
                [[r["dimension"], r["name"], str(r["now"]), str(r["before"]), pct(r["change"])]
                 for r in report["risks"]]))
    out.append(("七、当前超期事项", ["受理编号", "事项", "地区", "受理日期"],
                [[m["trackingCode"], m["title"], m.get("regionName") or m["regionCode"], m["receivedAt"][:10]]
                 for m in report["overdueMatters"]]))
    return out


def email_html(report: dict) -> str:
    e = html_lib.escape
    cell = 'style="border:1px solid #ddd;padding:4px 8px;font-size:13px"'
    parts = [f'<html><body style="font-family:\'Microsoft YaHei\',SimSun,sans-serif;color:#222">',
             f'<h2 style="font-size:18px">{e(report["title"])}</h2>',
             f'<p style="font-size:13px;color:#666">统计区间：{report["from"]} 至 {report["to"]}（按受理日期）。'
             f'附件为报告全文（Word）和数据表（Excel）。</p>']
    for i, (heading, header, rows) in enumerate(sections(report)):
        parts.append(f'<h3 style="font-size:15px">{e(heading)}</h3>')
        if i == 2:
            parts.append('<p><img src="cid:chart-categories" alt="各类别受理（蓝）与超期（红）" width="640" height="240"></p>')
        if i == 3:
            parts.append('<p><img src="cid:chart-units" alt="各单位受理（蓝）与办结（红）" width="640" height="240"></p>')
        parts.append('<table cellspacing="0" style="border-collapse:collapse">')
        parts.append("<tr>" + "".join(f'<th {cell}>{e(h)}</th>' for h in header) + "</tr>")
        for row in rows or [["（无）"] + [""] * (len(header) - 1)]:
            parts.append("<tr>" + "".join(f"<td {cell}>{e(c)}</td>" for c in row) + "</tr>")
        parts.append("</table>")
    parts.append('<p style="font-size:12px;color:#999">本邮件由解忧平台自动生成。</p></body></html>')
    return "".join(parts)


def docx_bytes(report: dict, images: dict[str, bytes]) -> bytes:
    from docx import Document
    from docx.shared import Cm
    doc = Document()
    doc.add_heading(report["title"], level=1)
    doc.add_paragraph(f"统计区间：{report['from']} 至 {report['to']}（按受理日期）。生成时间：{report['generatedAt']}。")
    for i, (heading, header, rows) in enumerate(sections(report)):
        doc.add_heading(heading, level=2)
        if i == 2:
            doc.add_picture(io.BytesIO(images["categories"]), width=Cm(15))
        if i == 3:
            doc.add_picture(io.BytesIO(images["units"]), width=Cm(15))
        table = doc.add_table(rows=1, cols=len(header))
        table.style = "Table Grid"
        for c, h in enumerate(header):
            table.rows[0].cells[c].text = h
        for row in rows:
            cells = table.add_row().cells
            for c, value in enumerate(row):
                cells[c].text = value
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def xlsx_bytes(report: dict) -> bytes:
    """The figures as numbers (not formatted text), one sheet per table."""
    from openpyxl import Workbook
    wb = Workbook()
    ws = wb.active
    ws.title = "总体"
    ws.append(["指标", "本期", "上期", "去年同期"])
    for code, name in st.MEASURES.items():
        ws.append([name, report["totals"].get(code, 0), report["previous"].get(code, 0),
                   report["lastYear"].get(code, 0)])
    for code, name in (("onTimeRate", "按期办结率"), ("satisfaction", "满意度")):
        ws.append([name, report["totals"][code], report["previous"][code], report["lastYear"][code]])
    sheets = [("类型", ["类型", "受理", "办结", "超期"], [[k["name"], k["received"], k["concluded"], k["overdue"]]
                                                     for k in report["byKind"]]),
              ("类别", ["类别", "受理", "办结", "按期办结", "超期", "上期受理"],
               [[c["name"], c["received"], c["concluded"], c["concludedInTime"], c["overdue"], c["previous"]]
                for c in report["byCategory"]]),
              ("单位排名", ["名次", "地区代码", "地区", "受理", "办结", "按期办结", "超期", "按期办结率", "满意度"],
               [[u["rank"], u["code"], u["name"], u["received"], u["concluded"], u["concludedInTime"],
                 u["overdue"], u["onTimeRate"], u["satisfaction"]] for u in report["units"]]),
              ("上升风险", ["类型", "代码", "名称", "本期", "上期"],
               [[r["dimension"], r["code"], r["name"], r["now"], r["before"]] for r in report["risks"]]),
              ("超期事项", ["受理编号", "事项", "地区代码", "受理时间"],
               [[m["trackingCode"], m["title"], m["regionCode"], m["receivedAt"]] for m in report["overdueMatters"]])]
    if report.get("logins") is not None:
        sheets.append(("登录率", ["单位编号", "单位", "账号数", "登录人数", "登录率"],
                       [[l["unitId"], l["unitName"], l["accounts"], l["loggedIn"], l["rate"]] for l in report["logins"]]))
    for name, header, rows in sheets:
        sheet = wb.create_sheet(name)
        sheet.append(header)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def mime_message(sender: str, recipients: list[str], report: dict, html: str, images: dict[str, bytes],
                 files: dict[str, bytes]) -> bytes:
    """multipart/mixed: [multipart/related: [html, inline PNGs], .docx, .xlsx]."""
    msg = MIMEMultipart("mixed")
    msg["Subject"] = Header(report["title"], "utf-8").encode()
    msg["From"] = formataddr((str(Header("解忧平台", "utf-8")), sender))
    msg["To"] = ", ".join(recipients)
    related = MIMEMultipart("related")
    related.attach(MIMEText(html, "html", "utf-8"))
    for name, png in images.items():
        image = MIMEImage(png, "png")
        image.add_header("Content-ID", f"<chart-{name}>")
        image.add_header("Content-Disposition", "inline", filename=f"{name}.png")
        related.attach(image)
    msg.attach(related)
    for filename, (data, subtype) in ((f"{report['id']}.docx", (files["docx"], DOCX)),
                                      (f"{report['id']}.xlsx", (files["xlsx"], XLSX))):
        part = MIMEApplication(data, _subtype=subtype.split("/", 1)[1])
        part.replace_header("Content-Type", subtype)
        part.add_header("Content-Disposition", "attachment", filename=filename)
        msg.attach(part)
    return msg.as_bytes()
