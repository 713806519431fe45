"""Case search rules: the terms a case is indexed by, BM25 ranking and its explanation."""
from __future__ import annotations

import jieba
import pytest

from chalicelib.domain import cases
from chalicelib.domain.errors import ValidationFailed


def cut(text):
    return jieba.cut_for_search(text)


def test_titles_weigh_more_and_stopwords_and_anonymised_words_are_not_indexed():
    terms, length = cases.index_terms("装修噪音纠纷", "李某反映楼上装修的噪音，某地的邻居", cut)
    assert terms["装修"] == {"tf": 4, "inTitle": True} and terms["楼上"] == {"tf": 1, "inTitle": False}
    assert not any("某" in t for t in terms) and "的" not in terms
    assert length == 3 * 3 + len([w for w in cases._words("李某反映楼上装修的噪音，某地的邻居", cut)])


def test_at_most_ninety_terms_per_case():
    body = "，".join(f"词{chr(0x4e00 + i)}{chr(0x4e10 + i)}" for i in range(300))
    terms, _ = cases.index_terms("标题", body, lambda t: t.split("，"))
    assert len(terms) == cases.MAX_TERMS


def test_rare_terms_and_title_hits_rank_higher_and_say_so():
    postings = {
        "噪音": [{"caseId": "A", "tf": 3, "dl": 20, "inTitle": True, "category": "neighbourhood"}],
        "邻居": [{"caseId": "A", "tf": 1, "dl": 20, "inTitle": False, "category": "neighbourhood"},
               {"caseId": "B", "tf": 2, "dl": 20, "inTitle": False, "category": "neighbourhood"},
               {"caseId": "C", "tf": 1, "dl": 20, "inTitle": False, "category": "labour"}],
    }
    ranked = cases.rank(postings, total_cases=3, avg_length=20)
    assert [h["caseId"] for h in ranked] == ["A", "B", "C"]
    assert [m["term"] for m in ranked[0]["matches"]] == ["噪音", "邻居"]
    assert cases.explain(ranked[0]["matches"], "邻里关系") == "匹配「噪音」（标题）、「邻居」（正文）；同属邻里关系类"
    assert [h["caseId"] for h in cases.rank(postings, 3, 20, category="labour")] == ["C"]


def test_queries_are_segmented_and_bounded():
    assert cases.query_terms("楼上装修噪音太吵了怎么办", cut)[:3] == ["楼上", "装修", "噪音"]
    assert cases.query_terms("", cut) == [] and cases.query_terms(None, cut) == []
    with pytest.raises(ValidationFailed):
        cases.query_terms("长" * 101, cut)
    assert len(cases.query_terms("装修 噪音 漏水 拖欠 工资 宅基地 边界 赔偿 离婚 抚养", cut)) == cases.MAX_QUERY_TERMS
