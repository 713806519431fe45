"""Publishing cases: a centre makes an anonymised draft from a concluded matter, edits it, and
another staff member reviews and publishes it; citizens search the published cases.

Who: centre staff and leaders who see the matter (scope as for the matter itself; others 404
or 403). Every step is audited on the matter. The draft is never public; publication checks
the text once more for anything that identifies someone.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable

from .. import reference
from ..domain import cases as rules
from ..domain import deadlines, lifecycle
from ..domain.anonymise import Facts
from ..domain.errors import Conflict, Forbidden, NotFound, ValidationFailed
from ..domain.ids import new_matter_id
from ..domain.permissions import CENTRE_ROLES
from . import staff


@dataclass
class CaseDeps:
    repo: Any
    staff: staff.StaffDeps
    now: Callable[[], datetime]
    random_bytes: Callable[[int], bytes]
    cut: Callable[[str], list[str]]          # jieba.cut_for_search
    tag: Callable[[str], Any] | None = None  # jieba.posseg.cut → (word, flag)


def _facts(matter) -> Facts:
    region = reference.region(matter.region_code) or {"path": []}
    county = reference.region(region.get("countyCode") or "") or {"name": ""}
    below_county = region["path"][len(county.get("path", [])):] if county.get("path") else []
    names = [matter.applicant.get("name", "")] + [p.get("name", "") for p in matter.other_parties]
    return Facts(names=names, places=below_county, address=matter.address, county=county["name"])


def _category_name(code: str | None) -> str | None:
    return {c["code"]: c["name"] for c in reference.categories()}.get(code) if code else None


def _staff_view(case: dict, facts: Facts | None = None) -> dict:
    view = {k: case.get(k) for k in ("caseId", "matterId", "status", "title", "body", "kind", "category",
                                 "replaced", "createdBy", "createdAt", "reviewedBy", "publishedAt", "version")}
    if facts is not None:
        view["residual"] = rules_residual(case, facts)
    return view


def rules_residual(case: dict, facts: Facts) -> list[str]:
    from ..domain.anonymise import residual
    return sorted(set(residual(case["title"], facts)) | set(residual(case["body"], facts)))


def _matter_for(matter_id: str, actor, deps: CaseDeps, client, action: str):
    now = deps.now()
    matter, events, _ = staff._load_in_scope(matter_id, actor, deps.staff, now)
    if actor.role not in CENTRE_ROLES:
        deps.staff.repo.audit(matter.matter_id, staff._audit(actor, f"denied:{action}", now, client))
        raise Forbidden("只有综治中心工作人员可以发布案例", code="action_forbidden")
    return matter, events, now


def _who(actor) -> dict:
    return {"id": actor.username, "name": actor.name, "unitId": actor.unit_id}


def draft(body: Any, actor, deps: CaseDeps, client: str | None = None) -> dict:
    matter_id = body.get("matterId") if isinstance(body, dict) else None
    if not isinstance(matter_id, str):
        raise ValidationFailed(fields={"matterId": "请选择已办结的事项"})
    matter, events, now = _matter_for(matter_id, actor, deps, client, "case_draft")
    if matter.status not in ("concluded", "closed"):
        raise Conflict("只有已办结的事项可以发布为案例", code="not_concluded")
    facts = _facts(matter)
    made = rules.draft(matter, events, facts, lifecycle.OUTCOMES[matter.outcome["result"]], deps.tag)
    region = reference.region(matter.region_code) or {}
    case = {"caseId": new_matter_id(now, deps.random_bytes(10)), "matterId": matter.matter_id,
            "status": "draft", "title": made["title"], "body": made["body"], "kind": matter.kind,
            "category": matter.category, "countyCode": region.get("countyCode") or matter.region_code[:6],
            "regionCode": matter.region_code,
            "replaced": made["replaced"], "createdBy": _who(actor), "createdAt": deadlines.iso(now)}
    deps.repo.add_case(case)
    deps.staff.repo.audit(matter.matter_id, staff._audit(actor, "case_draft", now, client))
    return _staff_view(case, facts)


def staff_list(status: Any, actor, deps: CaseDeps) -> dict:
    """案例发布's lists: drafts waiting for a reviewer, or the published cases, of matters in the
    staff member's region, newest first (≤ 50). Opening one checks the matter's scope as usual."""
    if actor.role not in CENTRE_ROLES:
        raise Forbidden("只有综治中心工作人员可以发布案例", code="action_forbidden")
    status = status or "draft"
    if status not in ("draft", "published"):
        raise ValidationFailed(fields={"status": "请选择草稿（draft）或已发布（published）"})
    return {"status": status, "items": deps.repo.case_listing(status, actor.region_code)}


def _case_in_scope(case_id: str, actor, deps: CaseDeps, client, action: str):
    case = deps.repo.case(case_id) if isinstance(case_id, str) else None
    if case is None:
        raise NotFound("未找到该案例", code="case_not_found")
    try:
        matter, _, now = _matter_for(case["matterId"], actor, deps, client, action)
    except NotFound:
        raise NotFound("未找到该案例", code="case_not_found") from None
    return case, matter, now


def get(case_id: str, actor, deps: CaseDeps, client: str | None = None) -> dict:
    case, matter, _ = _case_in_scope(case_id, actor, deps, client, "case_view")
    return _staff_view(case, _facts(matter))


def _check_version(case: dict, body: dict) -> None:
    if body.get("version") is not None and body["version"] != case["version"]:
        raise Conflict()


def edit(case_id: str, body: Any, actor, deps: CaseDeps, client: str | None = None) -> dict:
    """Staff correct the draft; the answer lists what still identifies someone (`residual`)."""
    body = body if isinstance(body, dict) else {}
    case, matter, now = _case_in_scope(case_id, actor, deps, client, "case_edit")
    if case["status"] != "draft":
        raise Conflict("案例已发布，不能再修改", code="case_published")
    _check_version(case, body)
    case["title"], case["body"] = rules.validate_edit(body)
    deps.repo.save_case(case)
    deps.staff.repo.audit(matter.matter_id, staff._audit(actor, "case_edit", now, client))
    return _staff_view(case, _facts(matter))


def publish(case_id: str, body: Any, actor, deps: CaseDeps, client: str | None = None) -> dict:
    """Four eyes: whoever made the draft cannot publish it; nothing that identifies someone may
    remain. The case, its search postings and the published count are one transaction."""
    body = body if isinstance(body, dict) else {}
    case, matter, now = _case_in_scope(case_id, actor, deps, client, "case_publish")
    if case["status"] != "draft":
        raise Conflict("案例已发布", code="case_published")
    if case["createdBy"]["id"] == actor.username:
        raise Forbidden("案例须由另一名工作人员审核后发布", code="review_by_another")
    _check_version(case, body)
    found = rules_residual(case, _facts(matter))
    if found:
        names = {"idNumber": "身份证号", "phone": "电话号码", "name": "当事人姓名", "place": "村社或街道名称",
                 "address": "详细地址"}
        raise Conflict("案例中仍有可识别个人的信息：" + "、".join(names[f] for f in found),
                       code="anonymisation_incomplete", fields={f: names[f] for f in found})
    postings, length = rules.index_terms(case["title"], case["body"], deps.cut)
    if case.get("category"):
        postings[f"@cat:{case['category']}"] = {"tf": 1, "inTitle": False}
    postings["@all"] = {"tf": 1, "inTitle": False}
    case.update(status="published", reviewedBy=_who(actor), publishedAt=deadlines.iso(now))
    deps.repo.save_case(case, postings, length)
    deps.staff.repo.audit(matter.matter_id, staff._audit(actor, "case_publish", now, client))
    return _staff_view(case)


# --- public --------------------------------------------------------------------------------
def _public(case: dict) -> dict:
    county = reference.region(case["countyCode"]) or {}
    return {"caseId": case["caseId"], "title": case["title"], "body": case["body"], "kind": case["kind"],
            "category": case.get("category"), "categoryName": _category_name(case.get("category")),
            "county": county.get("name"), "publishedAt": case["publishedAt"]}


def public_case(case_id: str, deps: CaseDeps) -> dict:
    case = deps.repo.case(case_id) if isinstance(case_id, str) and len(case_id) <= 40 else None
    if case is None or case["status"] != "published":
        raise NotFound("未找到该案例", code="case_not_found")
    return _public(case)


def search(q: str | None, category: str | None, deps: CaseDeps, limit: int = 10) -> dict:
    """同类案例查询: words segmented with jieba, BM25 ranking, and for each result the words
    that matched and where. Without words: the newest cases (of the category)."""
    if category is not None and category not in reference.category_codes():
        raise ValidationFailed(fields={"category": "没有这个纠纷类别"})
    terms = rules.query_terms(q, deps.cut)
    category_name = _category_name(category)
    if terms:
        total, avg = deps.repo.case_stats()
        ranked = rules.rank({t: deps.repo.postings(t) for t in terms}, total, avg, category, limit)
    else:
        browse = deps.repo.postings(f"@cat:{category}" if category else "@all", limit=limit)
        ranked = [{"caseId": p["caseId"], "score": 0.0, "matches": []} for p in browse]
    found = deps.repo.cases([h["caseId"] for h in ranked]) if ranked else {}
    items = []
    for h in ranked:
        case = found.get(h["caseId"])
        if case is None or case["status"] != "published":
            continue
        view = _public(case)
        body = view.pop("body")
        view.update(score=h["score"], matches=h["matches"],
                    snippet=rules.snippet(body, [m["term"] for m in h["matches"]]),
                    why=rules.explain(h["matches"], category_name))
        items.append(view)
    return {"query": {"q": q, "terms": terms, "category": category}, "items": items}
