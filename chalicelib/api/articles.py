"""在线普法 / 在线宣传 articles: anyone reads the published ones; centre staff write and publish."""
from __future__ import annotations

from chalice import Blueprint

from ..services import articles
from ..wiring import article_deps
from .auth import current_actor
from .http import handles_errors, json_body, json_response

bp = Blueprint(__name__)
JSON_TYPES = ["application/json", "text/plain"]
NO_STORE = {"Cache-Control": "no-store"}
SHORT_CACHE = {"Cache-Control": "public, max-age=60"}


@bp.route("/articles", methods=["GET"])
@handles_errors
def published():
    params = bp.current_request.query_params or {}
    return json_response(articles.published(params.get("section"), article_deps()), headers=SHORT_CACHE)


@bp.route("/articles/{articleId}", methods=["GET"])
@handles_errors
def public_article(articleId):
    return json_response(articles.public_article(articleId, article_deps()), headers=SHORT_CACHE)


@bp.route("/staff/articles", methods=["GET"])
@handles_errors
def staff_list():
    request = bp.current_request
    return json_response(articles.staff_list((request.query_params or {}).get("section"),
                                             current_actor(request), article_deps()), headers=NO_STORE)


@bp.route("/staff/articles", methods=["POST"], content_types=JSON_TYPES)
@handles_errors
def create():
    request = bp.current_request
    return json_response(articles.create(json_body(request), current_actor(request), article_deps()),
                         201, NO_STORE)


@bp.route("/staff/articles/{articleId}", methods=["GET"])
@handles_errors
def staff_get(articleId):
    request = bp.current_request
    return json_response(articles.staff_get(articleId, current_actor(request), article_deps()),
                         headers=NO_STORE)


@bp.route("/staff/articles/{articleId}", methods=["PUT"], content_types=JSON_TYPES)
@handles_errors
def edit(articleId):
    request = bp.current_request
    return json_response(articles.edit(articleId, json_body(request), current_actor(request), article_deps()),
                         headers=NO_STORE)


@bp.route("/staff/articles/{articleId}/publish", methods=["POST"], content_types=JSON_TYPES)
@handles_errors
def publish(articleId):
    request = bp.current_request
    body = json_body(request) if (request.raw_body or b"").strip() else {}
    return json_response(articles.publish(articleId, body, current_actor(request),
                                          article_deps()), headers=NO_STORE)


@bp.route("/staff/articles/{articleId}/images/uploads", methods=["POST"], content_types=JSON_TYPES)
@handles_errors
def image_upload(articleId):
    request = bp.current_request
    return json_response(articles.image_upload(articleId, json_body(request), current_actor(request),
                                               article_deps()), 201, NO_STORE)


@bp.route("/staff/articles/{articleId}/images", methods=["POST"], content_types=JSON_TYPES)
@handles_errors
def image_record(articleId):
    request = bp.current_request
    return json_response(articles.image_record(articleId, json_body(request), current_actor(request),
                                               article_deps()), 201, NO_STORE)
