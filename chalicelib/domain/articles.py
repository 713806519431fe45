"""Articles of 在线普法 (法治讲堂, 以案释法) and 在线宣传 (法治文化, 基层治理): what a section
is, what an article may hold, and who may write and publish one.

Pure: the service hands in the clock and the ids.
"""
from __future__ import annotations

import re
from typing import Any

from .errors import ValidationFailed
from .permissions import CENTRE_ROLES

SECTIONS = {
    "lecture": {"name": "法治讲堂", "group": "在线普法"},
    "case_explained": {"name": "以案释法", "group": "在线普法"},
    "culture": {"name": "法治文化", "group": "在线宣传"},
    "governance": {"name": "基层治理", "group": "在线宣传"},
}
MAX_TITLE = 100
MAX_SUMMARY = 200
MAX_BODY = 20000
MAX_SOURCE = 50
_VIDEO = re.compile(r"^https://[^\s<>\"']{1,480}$")

# Centre staff write; centre staff and leaders publish (the centres run the portal's content).
EDITOR_ROLES = CENTRE_ROLES


def can_edit(role: str) -> bool:
    return role in EDITOR_ROLES


def validate_section(section: Any) -> str:
    if section not in SECTIONS:
        raise ValidationFailed("没有这个栏目", fields={"section": "请选择法治讲堂、以案释法、法治文化或基层治理"})
    return section


def _text(body: dict, key: str, limit: int, required: bool, label: str, fields: dict) -> str:
    value = body.get(key)
    if value is None:
        value = ""
    if not isinstance(value, str):
        fields[key] = f"{label}须为文字"
        return ""
    value = value.strip()
    if required and not value:
        fields[key] = f"请填写{label}"
    elif len(value) > limit:
        fields[key] = f"{label}不能超过{limit}字"
    return value


def validate_article(body: Any) -> dict:
    """The editable fields of an article: section, title, summary, body (plain text, paragraphs
    separated by blank lines), an optional https video link, a source, and the sample flag."""
    if not isinstance(body, dict):
        raise ValidationFailed(fields={"title": "请填写标题"})
    fields: dict[str, str] = {}
    out = {"section": body.get("section"),
           "title": _text(body, "title", MAX_TITLE, True, "标题", fields),
           "summary": _text(body, "summary", MAX_SUMMARY, False, "摘要", fields),
           "body": _text(body, "body", MAX_BODY, True, "正文", fields),
           "source": _text(body, "source", MAX_SOURCE, False, "来源", fields),
           "videoUrl": _text(body, "videoUrl", 500, False, "视频链接", fields) or None,
           "sample": bool(body.get("sample", False))}
    if out["section"] not in SECTIONS:
        fields["section"] = "请选择法治讲堂、以案释法、法治文化或基层治理"
    if out["videoUrl"] and not _VIDEO.match(out["videoUrl"]):
        fields["videoUrl"] = "视频链接须以 https:// 开头"
    if fields:
        raise ValidationFailed(fields=fields)
    if not out["summary"]:
        out["summary"] = summarise(out["body"])
    return out


def summarise(body: str, limit: int = 80) -> str:
    first = " ".join(body.split())
    return first if len(first) <= limit else first[:limit - 1] + "…"


def public_view(article: dict, with_body: bool = True) -> dict:
    keys = ["articleId", "section", "title", "summary", "source", "videoUrl", "sample", "publishedAt"]
    view = {k: article.get(k) for k in keys}
    view["sectionName"] = SECTIONS[article["section"]]["name"]
    if with_body:
        view["body"] = article["body"]
    return view
