"""Evidence (证据材料): photos and PDFs a citizen or a handler attaches to a matter.

Pure: what may be uploaded, where the object goes, and whether an uploaded object may be
recorded. The browser uploads straight to S3 under a presigned POST whose policy carries the
same limits; recording re-checks the stored object (size, declared type, first bytes),
because the policy is the storage service's promise and this is ours.
"""
from __future__ import annotations

import copy
from datetime import datetime

from . import deadlines
from .errors import Conflict, ValidationFailed
from .lifecycle import Outcome
from .matter import Event, Matter

MAX_BYTES = 10 * 1024 * 1024
MAX_ITEMS = 30
MAX_NAME = 100
TYPES = {"image/jpeg": "jpg", "image/png": "png", "image/heic": "heic", "application/pdf": "pdf"}
TYPE_NAMES = "JPG、PNG、HEIC 图片或 PDF 文件"


def validate_request(body: dict) -> tuple[str, str | None]:
    content_type = body.get("contentType")
    if content_type not in TYPES:
        raise ValidationFailed(fields={"contentType": f"只能上传{TYPE_NAMES}"})
    return content_type, _name(body.get("name"), required=False)


def _name(value, required: bool) -> str | None:
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ValidationFailed(fields={"name": "请填写文件名称"})
    value = value.strip()
    if len(value) > MAX_NAME or any(ord(c) < 32 for c in value):
        raise ValidationFailed(fields={"name": f"文件名称不能超过{MAX_NAME}个字"})
    return value


def prefix(matter_id: str, by: str) -> str:
    """Each matter's objects live under its own prefix, citizens' apart from staff's."""
    return f"matters/{matter_id}/{by}/"


def new_key(matter_id: str, by: str, content_type: str, random_hex: str) -> str:
    return f"{prefix(matter_id, by)}{random_hex}.{TYPES[content_type]}"


def can_add(matter: Matter) -> None:
    if matter.status == "closed":
        raise Conflict("事项已办结评价，不能再上传材料", code="action_not_allowed_now")
    if len(matter.evidence) >= MAX_ITEMS:
        raise Conflict(f"每个事项最多上传{MAX_ITEMS}份材料", code="evidence_limit_reached")


def sniff(head: bytes) -> str | None:
    """The type the first bytes say the file is."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"mif1", b"msf1", b"heim", b"heis"):
        return "image/heic"
    return None


def check_key(key, matter_id: str, by: str) -> str:
    """Only keys this caller's uploads to this matter could have: nothing else is looked at."""
    if not isinstance(key, str) or not key.startswith(prefix(matter_id, by)) or ".." in key \
            or len(key) > 200:
        raise ValidationFailed(fields={"key": "材料不属于该事项"})
    return key


def check_object(stored: dict | None, head: bytes) -> None:
    """`stored` is {size, contentType} from a HEAD of the object (None when absent), `head`
    its first bytes."""
    if stored is None:
        raise ValidationFailed("未找到已上传的文件，请重新上传", code="evidence_not_uploaded",
                               fields={"key": "未找到已上传的文件"})
    if stored["size"] > MAX_BYTES or stored["size"] == 0:
        raise ValidationFailed("文件不能超过10MB", code="evidence_too_large",
                               fields={"key": "文件为空或超过10MB"})
    if stored["contentType"] not in TYPES or sniff(head) != stored["contentType"]:
        raise ValidationFailed(f"只能上传{TYPE_NAMES}", code="evidence_type_not_allowed",
                               fields={"key": f"只能上传{TYPE_NAMES}"})


def add(matter: Matter, key: str, name, stored: dict, by: str, actor: dict, now: datetime) -> Outcome:
    """Record an uploaded object on the matter with a timeline event (public for the
    citizen's own uploads)."""
    name = _name(name, required=True)
    can_add(matter)
    if any(e["key"] == key for e in matter.evidence):
        raise Conflict("该材料已登记", code="evidence_already_recorded")
    m = copy.deepcopy(matter)
    m.evidence = [*m.evidence, {"key": key, "name": name, "size": stored["size"],
                                "contentType": stored["contentType"], "at": deadlines.iso(now),
                                "by": by}]
    m.event_count += 1
    text = f"上传证据材料：{name}" if by == "citizen" else f"工作人员上传材料：{name}"
    event = Event(seq=m.event_count, at=deadlines.iso(now), type="evidence_added", text=text,
                  public=by == "citizen", actor=actor, data={"key": key})
    return Outcome(m, [event], public_changed=by == "citizen")
