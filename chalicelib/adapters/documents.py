"""Word documents (.docx) of mediation: the agreement (调解协议书) and the application for judicial
confirmation (司法确认申请书), written with python-docx. Imported on first use only: python-docx
and lxml cost ~0.2 s to load, which no other request should pay."""
from __future__ import annotations

import io

from ..domain import deadlines

FONT = "SimSun"  # 宋体: Word on a Chinese desktop has it; others substitute


def _new():
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Pt
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(12)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    return doc


def _title(doc, text: str) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = p.add_run(text)
    run.bold = True
    from docx.shared import Pt
    run.font.size = Pt(18)


def _day(iso: str | None) -> str:
    if not iso:
        return "    年  月  日"
    d = deadlines.parse_iso(iso).astimezone(deadlines.CHINA_TZ)
    return f"{d.year}年{d.month}月{d.day}日"


def _bytes(doc) -> bytes:
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def agreement_docx(agreement: dict, unit_name: str, signatures: dict[str, bytes] | None = None) -> bytes:
    """The agreement as the parties sign it: parties, facts, terms, the signature block. Once
    signed, each party's line says how (an SMS code confirmed at a time, or the image)."""
    from docx.shared import Cm
    doc = _new()
    _title(doc, "人民调解协议书")
    doc.add_paragraph(f"编号：{agreement['trackingCode']}-{agreement['agreementId'][-6:]}")
    doc.add_paragraph("当事人：")
    table = doc.add_table(rows=1, cols=2)
    table.style = "Table Grid"
    table.rows[0].cells[0].text, table.rows[0].cells[1].text = "姓名", "联系电话"
    for p in agreement["parties"]:
        row = table.add_row().cells
        row[0].text = p["name"]
        row[1].text = p["phone"][:3] + "****" + p["phone"][-4:]
    doc.add_paragraph(f"调解组织：{unit_name}")
    doc.add_paragraph(f"调解员：{'、'.join(agreement['mediators'])}")
    doc.add_heading("纠纷主要事实、争议事项", level=2)
    doc.add_paragraph(agreement["facts"])
    doc.add_heading("经调解，当事人自愿达成如下协议", level=2)
    for i, term in enumerate(agreement["terms"], 1):
        doc.add_paragraph(f"{i}. {term}")
    if agreement.get("performBy"):
        doc.add_paragraph(f"履行期限：{_day(agreement['performBy'])}前履行完毕。")
    doc.add_paragraph("本协议经各方当事人签字（或经短信验证码确认）后生效，各方应自觉履行。"
                      "当事人可自协议生效之日起三十日内共同向人民法院申请司法确认。")
    doc.add_heading("当事人签署", level=2)
    for p in agreement["parties"]:
        if p.get("signedAt") and p.get("method") == "sms":
            signed = deadlines.parse_iso(p["signedAt"]).astimezone(deadlines.CHINA_TZ)
            doc.add_paragraph(f"{p['name']}：已于{signed:%Y-%m-%d %H:%M}通过手机短信验证码确认签署")
        elif p.get("signedAt") and (signatures or {}).get(p["id"]):
            doc.add_paragraph(f"{p['name']}（签名）：")
            doc.add_picture(io.BytesIO(signatures[p["id"]]), width=Cm(4))
        else:
            doc.add_paragraph(f"{p['name']}（签名）：________________")
    doc.add_paragraph(f"调解员（签名）：{'、'.join(agreement['mediators'])}")
    doc.add_paragraph(f"{unit_name}（盖章）")
    doc.add_paragraph(_day(agreement.get("effectiveAt") or agreement.get("createdAt")))
    return _bytes(doc)


def application_docx(agreement: dict, unit_name: str, court_name: str | None) -> bytes:
    """司法确认申请书, generated from the agreement: the applicants are its parties."""
    doc = _new()
    _title(doc, "司法确认申请书")
    doc.add_paragraph("申请人：")
    for p in agreement["parties"]:
        doc.add_paragraph(f"    {p['name']}，联系电话：{p['phone']}")
    doc.add_heading("请求事项", level=2)
    doc.add_paragraph(f"请求人民法院确认申请人于{_day(agreement.get('effectiveAt'))}经{unit_name}主持调解"
                      "达成的人民调解协议有效。")
    doc.add_heading("事实与理由", level=2)
    doc.add_paragraph(agreement["facts"])
    doc.add_paragraph("经调解，申请人自愿达成如下协议：")
    for i, term in enumerate(agreement["terms"], 1):
        doc.add_paragraph(f"{i}. {term}")
    doc.add_paragraph("申请人出于解决纠纷的目的自愿达成协议，没有恶意串通、规避法律的行为；"
                      "如因虚假陈述造成他人损失，愿承担法律责任。")
    doc.add_paragraph(f"此致\n{court_name or '__________人民法院'}")
    for p in agreement["parties"]:
        doc.add_paragraph(f"申请人（签名）：{p['name']}")
    doc.add_paragraph(f"附：人民调解协议书（{agreement['trackingCode']}）")
    return _bytes(doc)
