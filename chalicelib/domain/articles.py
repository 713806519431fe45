"""Articles of 在线普法 (法治讲堂, 以案释法) and 在线宣传 (法治文化, 基层治理): what a section
is, what an article may hold, and who may write and publish one.

Pure: the service hands in the clock and the ids.
"""
from __future__ import annotations

import re
from typing import Any

from .errors import Conflict, ValidationFailed
from .evidence import sniff
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
MAX_IMAGES = 10
MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_ALT = 100
IMAGE_TYPES = {"image/jpeg": "jpg", "image/png": "png"}
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
        view["images"] = [{"url": image_url(i["key"]), "alt": i["alt"]} for i in article.get("images") or []]
    return view


# --- images ----------------------------------------------------------------------------------
# An article's pictures live in the media bucket under its own prefix; the web distribution
# serves `/media/*` from that bucket, so an image's address is its key on the site's origin.
def image_prefix(article_id: str) -> str:
    return f"media/articles/{article_id}/"


def image_url(key: str) -> str:
    return "/" + key


def validate_image_request(body: Any) -> str:
    content_type = body.get("contentType") if isinstance(body, dict) else None
    if content_type not in IMAGE_TYPES:
        raise ValidationFailed(fields={"contentType": "只能上传 JPG 或 PNG 图片"})
    return content_type


def new_image_key(article_id: str, content_type: str, random_hex: str) -> str:
    return f"{image_prefix(article_id)}{random_hex}.{IMAGE_TYPES[content_type]}"


def can_add_image(article: dict) -> None:
    if len(article.get("images") or []) >= MAX_IMAGES:
        raise Conflict(f"每篇文章最多{MAX_IMAGES}张图片", code="image_limit_reached")


def check_image_key(key: Any, article_id: str) -> str:
    """Only keys an upload to this article could have: nothing else is looked at."""
    if not isinstance(key, str) or not key.startswith(image_prefix(article_id)) or ".." in key \
            or len(key) > 200:
        raise ValidationFailed(fields={"key": "图片不属于该文章"})
    return key


def check_image(stored: dict | None, head: bytes) -> None:
    """`stored` is {size, contentType} from a HEAD of the object (None when absent), `head` its
    first bytes: the upload policy is S3's promise, this is ours."""
    if stored is None:
        raise ValidationFailed("未找到已上传的图片，请重新上传", code="image_not_uploaded",
                               fields={"key": "未找到已上传的图片"})
    if stored["size"] == 0 or stored["size"] > MAX_IMAGE_BYTES:
        raise ValidationFailed("图片不能超过5MB", code="image_too_large", fields={"key": "图片为空或超过5MB"})
    if stored["contentType"] not in IMAGE_TYPES or sniff(head) != stored["contentType"]:
        raise ValidationFailed("只能上传 JPG 或 PNG 图片", code="image_type_not_allowed",
                               fields={"key": "只能上传 JPG 或 PNG 图片"})


def _alt(value: Any, fields: dict, index: int | None = None) -> str:
    name = "alt" if index is None else f"images[{index}].alt"
    if value is None:
        return ""
    if not isinstance(value, str) or len(value.strip()) > MAX_ALT:
        fields[name] = f"图片说明不能超过{MAX_ALT}字"
        return ""
    return value.strip()


def add_image(article: dict, key: str, alt: Any, stored: dict) -> list[dict]:
    """The article's images with the new one last."""
    can_add_image(article)
    images = list(article.get("images") or [])
    if any(i["key"] == key for i in images):
        raise Conflict("该图片已添加", code="image_already_recorded")
    fields: dict[str, str] = {}
    text = _alt(alt, fields)
    if fields:
        raise ValidationFailed(fields=fields)
    return [*images, {"key": key, "alt": text, "contentType": stored["contentType"], "size": stored["size"]}]


def arrange_images(article: dict, wanted: Any) -> list[dict]:
    """An edit may reorder, caption or drop the article's images, never add one it has not
    recorded (an upload is recorded through its own check)."""
    if wanted is None:
        return list(article.get("images") or [])
    if not isinstance(wanted, list) or len(wanted) > MAX_IMAGES:
        raise ValidationFailed(fields={"images": "图片列表格式不正确"})
    have = {i["key"]: i for i in article.get("images") or []}
    out, fields, seen = [], {}, set()
    for n, item in enumerate(wanted):
        key = item.get("key") if isinstance(item, dict) else None
        if key not in have or key in seen:
            fields[f"images[{n}]"] = "图片不属于该文章"
            continue
        seen.add(key)
        out.append({**have[key], "alt": _alt(item.get("alt"), fields, n)})
    if fields:
        raise ValidationFailed(fields=fields)
    return out


def cover(article: dict) -> str | None:
    images = article.get("images") or []
    return image_url(images[0]["key"]) if images else None
