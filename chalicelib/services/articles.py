"""在线普法 / 在线宣传: centre staff write articles as drafts and publish them; anyone reads the
published ones of a section. Storage is keyed per section (docs/data-model.md), never scanned."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from ..domain import articles as rules
from ..domain import deadlines
from ..domain.errors import Conflict, Forbidden, NotFound, ValidationFailed
from ..domain.ids import new_matter_id


@dataclass
class ArticleDeps:
    repo: Any
    now: Callable
    random_bytes: Callable[[int], bytes]


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


# --- staff ---------------------------------------------------------------------------------
def create(body: Any, actor, deps: ArticleDeps) -> dict:
    _editor(actor)
    fields = rules.validate_article(body)
    now = deadlines.iso(deps.now())
    article = {**fields, "articleId": new_matter_id(deps.now(), deps.random_bytes(10)), "status": "draft",
               "createdBy": _who(actor), "createdAt": now, "updatedAt": now,
               "publishedBy": None, "publishedAt": None, "version": None}
    deps.repo.save_article(article, new=True)
    return article


def edit(article_id: str, body: Any, actor, deps: ArticleDeps) -> dict:
    """A draft or a published article may be corrected; its section stays what it was."""
    _editor(actor)
    body = body if isinstance(body, dict) else {}
    article = _load(article_id, deps)
    _check_version(article, body)
    if body.get("section", article["section"]) != article["section"]:
        raise ValidationFailed(fields={"section": "文章的栏目创建后不能更改"})
    article.update(rules.validate_article({**body, "section": article["section"]}))
    article["updatedAt"] = deadlines.iso(deps.now())
    deps.repo.save_article(article)
    return article


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
    return article


def staff_get(article_id: str, actor, deps: ArticleDeps) -> dict:
    _editor(actor)
    return _load(article_id, deps)


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
        deps.repo.save_article({**fields, "articleId": s["articleId"], "status": "published",
                                "createdBy": who, "createdAt": at, "updatedAt": at, "publishedBy": who,
                                "publishedAt": at, "version": None}, new=True)
        made += 1
    return made
