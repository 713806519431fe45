"""在线普法 / 在线宣传: centre staff write articles as drafts and publish them; anyone reads the
published ones of a section. Storage is keyed per section (docs/data-model.md), never scanned."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from ..domain import articles as rules
from ..domain import deadlines
from ..domain.errors import Conflict, Forbidden, NotFound, ValidationFailed
from ..domain.ids import new_matter_id
from .evidence import checked_upload, delete_quietly, presigned_upload

UPLOAD_EXPIRES = 600  # seconds a presigned POST for an image stays valid


@dataclass
class ArticleDeps:
    repo: Any
    now: Callable
    random_bytes: Callable[[int], bytes]
    media: Any = None  # the media bucket (adapters.evidence.EvidenceStore on MEDIA_BUCKET)


def _editor(actor) -> None:
    if not rules.can_edit(actor.role):
        raise Forbidden("只有综治中心工作人员可以编辑普法宣传文章", code="action_forbidden")


def _who(actor) -> dict:
    return {"id": actor.username, "name": actor.name, "unitId": actor.unit_id}


def _load(article_id: Any, deps: ArticleDeps) -> dict:
    article = deps.repo.article(article_id) if isinstance(article_id, str) and len(article_id) <= 40 else None
    if article is None:
        raise NotFound("未找到该文章", code="article_not_found")
    return article


def _check_version(article: dict, body: dict) -> None:
    if body.get("version") is not None and body["version"] != article["version"]:
        raise Conflict()


def _view(article: dict) -> dict:
    """Staff see every stored field, and each image's address as the portal will show it."""
    return {**article, "images": [{**i, "url": rules.image_url(i["key"])} for i in article.get("images") or []]}


# --- staff ---------------------------------------------------------------------------------
def create(body: Any, actor, deps: ArticleDeps) -> dict:
    _editor(actor)
    fields = rules.validate_article(body)
    now = deadlines.iso(deps.now())
    article = {**fields, "articleId": new_matter_id(deps.now(), deps.random_bytes(10)), "status": "draft",
               "images": [], "createdBy": _who(actor), "createdAt": now, "updatedAt": now,
               "publishedBy": None, "publishedAt": None, "version": None}
    deps.repo.save_article(article, new=True)
    return _view(article)


def edit(article_id: str, body: Any, actor, deps: ArticleDeps) -> dict:
    """A draft or a published article may be corrected; its section stays what it was."""
    _editor(actor)
    body = body if isinstance(body, dict) else {}
    article = _load(article_id, deps)
    _check_version(article, body)
    if body.get("section", article["section"]) != article["section"]:
        raise ValidationFailed(fields={"section": "文章的栏目创建后不能更改"})
    fields = rules.validate_article({**body, "section": article["section"]})
    before = {i["key"] for i in article.get("images") or []}
    article.update(fields, images=rules.arrange_images(article, body.get("images")))
    article["updatedAt"] = deadlines.iso(deps.now())
    deps.repo.save_article(article)
    _forget(before - {i["key"] for i in article["images"]}, deps)
    return _view(article)


def _forget(keys, deps: ArticleDeps) -> None:
    """Images dropped from an article leave the bucket too."""
    for key in keys:
        delete_quietly(deps.media, key)


def image_upload(article_id: str, body: Any, actor, deps: ArticleDeps) -> dict:
    """A presigned POST for one JPG/PNG of at most 5 MB under the article's own prefix."""
    _editor(actor)
    article = _load(article_id, deps)
    content_type = rules.validate_image_request(body)
    rules.can_add_image(article)
    key = rules.new_image_key(article["articleId"], content_type, deps.random_bytes(16).hex())
    return presigned_upload(deps.media, key, content_type, rules.MAX_IMAGE_BYTES, UPLOAD_EXPIRES)


def image_record(article_id: str, body: Any, actor, deps: ArticleDeps) -> dict:
    """Add an uploaded image to the article once the stored object itself passes the rules;
    an object that fails them is deleted."""
    _editor(actor)
    body = body if isinstance(body, dict) else {}
    article = _load(article_id, deps)
    _check_version(article, body)
    key = rules.check_image_key(body.get("key"), article["articleId"])
    stored = checked_upload(deps.media, key, rules.check_image)
    article["images"] = rules.add_image(article, key, body.get("alt"), stored)
    article["updatedAt"] = deadlines.iso(deps.now())
    deps.repo.save_article(article)
    return _view(article)


def publish(article_id: str, body: Any, actor, deps: ArticleDeps) -> dict:
    _editor(actor)
    body = body if isinstance(body, dict) else {}
    article = _load(article_id, deps)
    _check_version(article, body)
    if article["status"] == "published":
        raise Conflict("文章已发布", code="article_published")
    now = deadlines.iso(deps.now())
    article.update(status="published", publishedBy=_who(actor), publishedAt=now, updatedAt=now)
    deps.repo.save_article(article)
    return _view(article)


def staff_get(article_id: str, actor, deps: ArticleDeps) -> dict:
    _editor(actor)
    return _view(_load(article_id, deps))


def staff_list(section: Any, actor, deps: ArticleDeps) -> dict:
    _editor(actor)
    return {"items": deps.repo.article_listing(rules.validate_section(section), published_only=False)}


# --- public --------------------------------------------------------------------------------
def published(section: Any, deps: ArticleDeps) -> dict:
    section = rules.validate_section(section)
    items = [{**i, "sectionName": rules.SECTIONS[section]["name"]}
             for i in deps.repo.article_listing(section, published_only=True)]
    for i in items:
        i.pop("status", None)
        i.pop("updatedAt", None)
    return {"section": section, "sectionName": rules.SECTIONS[section]["name"], "items": items}


def public_article(article_id: Any, deps: ArticleDeps) -> dict:
    article = _load(article_id, deps)
    if article["status"] != "published":
        raise NotFound("未找到该文章", code="article_not_found")
    return rules.public_view(article)


def seed_samples(samples: list[dict], deps: ArticleDeps) -> int:
    """Local stage: the sample articles (marked 示例内容), published once under fixed ids."""
    made = 0
    for s in samples:
        if deps.repo.article(s["articleId"]) is not None:
            continue
        fields = rules.validate_article({**s, "sample": True})
        at = s["publishedAt"]
        who = {"id": "sample", "name": "示例内容", "unitId": None}
        deps.repo.save_article({**fields, "articleId": s["articleId"], "status": "published", "images": [],
                                "createdBy": who, "createdAt": at, "updatedAt": at, "publishedBy": who,
                                "publishedAt": at, "version": None}, new=True)
        made += 1
    return made
