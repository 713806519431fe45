"""Published cases (以案释法 / 同类案例): the draft made from a concluded matter, the terms a
case is found by, and the ranking that says why a case matches.

Pure: segmentation comes in as a function (`cut`, jieba's cut_for_search), so are the facts
to anonymise. Ranking is BM25 over the postings the repository read for the query's terms;
title words weigh three times body words.
"""
from __future__ import annotations

import math
import re

from .anonymise import Facts, anonymise
from .errors import ValidationFailed

MAX_TITLE = 100
MAX_BODY = 5000
MAX_TERMS = 90          # postings written with a case: one transaction holds 100 items
MAX_QUERY_TERMS = 8
TITLE_WEIGHT = 3
K1, B = 1.2, 0.75
STOPWORDS = set("的 了 和 与 及 或 在 是 我 我们 你 他 她 他们 有 被 把 对 为 向 从 到 于 以 将 就 也 都 而 "
                "一个 这个 那个 没有 因为 所以 但是 还是 已经 进行 经过 通过 某 某地 某某 申请人 当事人".split())
_WORD = re.compile(r"^[\u4e00-\u9fff]{2,}$|^[A-Za-z]{3,}$")


def public_events(events) -> list[str]:
    skip = {"received", "evidence_added", "evaluated", "concluded"}  # the result has its own part
    return [e.text for e in events if e.public and e.type not in skip]


def draft(matter, events, facts: Facts, outcome_name: str, tag=None) -> dict:
    """Title and body of the case, anonymised, with what was replaced; a staff member then
    reads and edits it before anyone else reviews and publishes it."""
    outcome = matter.outcome or {}
    body = "\n".join([
        "【基本情况】" + matter.description,
        "【办理过程】" + "；".join(public_events(events)),
        f"【办理结果】{outcome_name}。" + (outcome.get("answer") or ""),
    ])
    title = anonymise(matter.title, facts, tag)
    text = anonymise(body, facts, tag)
    replaced = dict(text.replaced)
    for kind, count in title.replaced.items():
        replaced[kind] = replaced.get(kind, 0) + count
    return {"title": title.text[:MAX_TITLE], "body": text.text[:MAX_BODY], "replaced": replaced}


def validate_edit(body: dict) -> tuple[str, str]:
    title, text = body.get("title"), body.get("body")
    fields = {}
    if not isinstance(title, str) or not title.strip() or len(title.strip()) > MAX_TITLE:
        fields["title"] = f"请填写标题（不超过{MAX_TITLE}字）"
    if not isinstance(text, str) or not text.strip() or len(text.strip()) > MAX_BODY:
        fields["body"] = f"请填写案例正文（不超过{MAX_BODY}字）"
    if fields:
        raise ValidationFailed(fields=fields)
    return title.strip(), text.strip()


def _words(text: str, cut) -> list[str]:
    return [w for w in (w.strip().lower() for w in cut(text))
            if _WORD.match(w) and w not in STOPWORDS and "某" not in w]


def index_terms(title: str, body: str, cut) -> tuple[dict[str, dict], int]:
    """term → {tf, inTitle} for the MAX_TERMS heaviest terms, and the case's length."""
    terms: dict[str, dict] = {}
    title_words, body_words = _words(title, cut), _words(body, cut)
    for w in title_words:
        t = terms.setdefault(w, {"tf": 0, "inTitle": True})
        t["tf"] += TITLE_WEIGHT
    for w in body_words:
        terms.setdefault(w, {"tf": 0, "inTitle": False})["tf"] += 1
    kept = sorted(terms.items(), key=lambda kv: (-kv[1]["tf"], kv[0]))[:MAX_TERMS]
    return dict(kept), TITLE_WEIGHT * len(title_words) + len(body_words)


def query_terms(q, cut) -> list[str]:
    if q is not None and not isinstance(q, str):
        raise ValidationFailed(fields={"q": "请输入要搜索的内容"})
    q = (q or "").strip()
    if len(q) > 100:
        raise ValidationFailed(fields={"q": "搜索内容不能超过100字"})
    return list(dict.fromkeys(_words(q, cut)))[:MAX_QUERY_TERMS]


def rank(postings: dict[str, list[dict]], total_cases: int, avg_length: float,
         category: str | None = None, limit: int = 10) -> list[dict]:
    """BM25 over {term: [{caseId, tf, dl, inTitle, category}]}; each result carries the terms
    that matched and how much each added."""
    n = max(total_cases, 1)
    avg = avg_length or 1.0
    scores: dict[str, dict] = {}
    for term, plist in postings.items():
        df = len(plist)
        idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
        for p in plist:
            if category and p.get("category") != category:
                continue
            tf, dl = p["tf"], p["dl"] or 1
            part = idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * dl / avg))
            hit = scores.setdefault(p["caseId"], {"caseId": p["caseId"], "score": 0.0, "matches": []})
            hit["score"] += part
            hit["matches"].append({"term": term, "inTitle": bool(p.get("inTitle")), "weight": round(part, 3)})
    ranked = sorted(scores.values(), key=lambda h: (-h["score"], h["caseId"]))[:limit]
    for h in ranked:
        h["score"] = round(h["score"], 3)
        h["matches"].sort(key=lambda m: -m["weight"])
    return ranked


def explain(matches: list[dict], category_name: str | None = None) -> str:
    """匹配「噪音」（标题）、「装修」（正文）；同属邻里关系纠纷"""
    parts = [f"「{m['term']}」（{'标题' if m['inTitle'] else '正文'}）" for m in matches]
    text = ("匹配" + "、".join(parts)) if parts else ""
    if category_name:
        text = (text + "；" if text else "") + f"同属{category_name}类"
    return text


def snippet(body: str, terms: list[str], width: int = 60) -> str:
    """The body around the first matched term (or its start)."""
    flat = body.replace("\n", " ")
    at = min((flat.find(t) for t in terms if t in flat), default=0)
    start = max(0, at - width // 3)
    return ("…" if start else "") + flat[start:start + width] + ("…" if start + width < len(flat) else "")
