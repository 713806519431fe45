"""Publishing cases through the API on moto: a centre drafts an anonymised case from a concluded
matter, another staff member reviews and publishes it, citizens find it by words."""
from __future__ import annotations

import json

from tests.integration.test_citizen_api import call

ADDRESS = "北湖区人民路街道北湖路社区3组12号"
NOISE = {"kind": "mediation", "category": "neighbourhood", "title": "李春花反映邻居王大山装修噪音扰民",
         "description": f"李春花（电话13812345678）反映，住在{ADDRESS}楼上的王大山连续一个月晚上十点后装修，噪音很大，协商无果。",
         "regionCode": "431002001001", "address": ADDRESS,
         "applicant": {"name": "李春花", "phone": "13812345678"},
         "otherParties": [{"name": "王大山", "phone": "13987654321"}]}
WATER = {**NOISE, "title": "屋顶漏水纠纷", "description": "楼上卫生间漏水，渗到我家天花板，要求维修赔偿。",
         "address": None}
LABOUR = {"kind": "mediation", "category": "labour", "title": "拖欠工资", "regionCode": "431002001001",
          "description": "在工地干了三个月，老板拖欠工资两万元。", "applicant": {"name": "唐志强", "phone": "13955556666"}}


def concluded(api, staff_token, body, answer):
    status, receipt = call(api, "post", "/api/matters", {k: v for k, v in body.items() if v is not None})
    assert status == 201, receipt
    centre = staff_token("township.staff")
    _, matter = call(api, "get", f"/api/staff/matters/{receipt['matterId']}", token=centre)
    handler = "township.mediator" if matter["assignedUnitId"].startswith("pmc-") else "township.staff"
    token = staff_token(handler)
    if matter["status"] == "received":
        call(api, "post", f"/api/staff/matters/{receipt['matterId']}/actions",
             {"action": "dispatch", "unitId": "pmc-431002001", "note": "转调委会"}, token=centre)
        token = staff_token("township.mediator")
    for action in ({"action": "accept"}, {"action": "conclude", "outcome": "resolved", "answer": answer,
                                          "agreementReached": True}):
        status, out = call(api, "post", f"/api/staff/matters/{receipt['matterId']}/actions", action, token=token)
        assert status == 200, out
    return receipt


def publish(api, staff_token, matter_id):
    status, case = call(api, "post", "/api/staff/cases", {"matterId": matter_id}, token=staff_token("township.staff"))
    assert status == 201, case
    status, case = call(api, "post", f"/api/staff/cases/{case['caseId']}/publish", {}, token=staff_token("township.leader"))
    assert status == 200, case
    return case


def test_a_draft_is_anonymised_reviewed_by_another_and_then_public(api, staff_token):
    receipt = concluded(api, staff_token, NOISE, "经调解，王大山承诺晚上八点后不再施工，并向李春花道歉。")
    staff, leader = staff_token("township.staff"), staff_token("township.leader")
    status, case = call(api, "post", "/api/staff/cases", {"matterId": receipt["matterId"]}, token=staff)
    assert status == 201 and case["status"] == "draft" and case["residual"] == []
    text = case["title"] + case["body"]
    for secret in ("李春花", "王大山", "13812345678", "人民路街道", "北湖路社区", "3组", "12号"):
        assert secret not in text, secret
    assert "李某" in text and "王某" in text and "北湖区某地" in text and "装修" in text
    assert case["replaced"]["name"] >= 4 and case["replaced"]["phone"] == 1
    assert call(api, "get", f"/api/cases/{case['caseId']}")[0] == 404  # a draft is not public

    # an edit that puts a name back cannot be published
    status, edited = call(api, "put", f"/api/staff/cases/{case['caseId']}",
                          {"title": case["title"], "body": case["body"] + "王大山已履行。"}, token=staff)
    assert status == 200 and edited["residual"] == ["name"]
    status, body = call(api, "post", f"/api/staff/cases/{case['caseId']}/publish", {}, token=leader)
    assert (status, body["error"]["code"]) == (409, "anonymisation_incomplete")
    call(api, "put", f"/api/staff/cases/{case['caseId']}", {"title": case["title"], "body": case["body"]}, token=staff)
    status, body = call(api, "post", f"/api/staff/cases/{case['caseId']}/publish", {}, token=staff)
    assert (status, body["error"]["code"]) == (403, "review_by_another")
    status, published = call(api, "post", f"/api/staff/cases/{case['caseId']}/publish", {}, token=leader)
    assert status == 200 and published["status"] == "published"
    assert published["reviewedBy"]["id"] == "township.leader"
    status, public = call(api, "get", f"/api/cases/{case['caseId']}")
    assert status == 200 and public["county"] == "北湖区" and public["categoryName"] == "邻里关系"
    assert "matterId" not in public and "createdBy" not in public
    assert call(api, "post", "/api/staff/cases", {"matterId": receipt["matterId"]}, token=staff)[1]["error"]["code"] == "case_exists"


def test_only_centres_draft_and_only_concluded_matters(api, staff_token):
    status, receipt = call(api, "post", "/api/matters", LABOUR)
    status, body = call(api, "post", "/api/staff/cases", {"matterId": receipt["matterId"]},
                        token=staff_token("township.staff"))
    assert (status, body["error"]["code"]) == (409, "not_concluded")
    status, body = call(api, "post", "/api/staff/cases", {"matterId": receipt["matterId"]},
                        token=staff_token("township.mediator"))
    assert status in (403, 404)


def test_search_segments_ranks_and_explains(api, staff_token):
    noise = publish(api, staff_token, concluded(api, staff_token, NOISE, "双方约定装修时间，噪音问题解决。")["matterId"])
    water = publish(api, staff_token, concluded(api, staff_token, WATER, "楼上住户修好防水层并赔偿。")["matterId"])
    status, found = call(api, "get", "/api/cases?q=" + "楼上装修噪音太吵怎么办")
    assert status == 200 and {"装修", "噪音"} <= set(found["query"]["terms"])
    ids = [i["caseId"] for i in found["items"]]
    assert ids[0] == noise["caseId"]
    top = found["items"][0]
    assert "「噪音」（标题）" in top["why"] and top["score"] > 0 and top["matches"][0]["weight"] > 0
    assert "噪音" in top["snippet"]
    status, found = call(api, "get", "/api/cases?q=漏水")
    assert [i["caseId"] for i in found["items"]] == [water["caseId"]]
    status, found = call(api, "get", "/api/cases?q=装修&category=labour")
    assert found["items"] == []
    status, found = call(api, "get", "/api/cases?category=neighbourhood")
    assert {i["caseId"] for i in found["items"]} == {noise["caseId"], water["caseId"]}
    assert found["items"][0]["why"] == "同属邻里关系类"
    assert call(api, "get", "/api/cases?category=nope")[0] == 400


def test_the_console_lists_drafts_for_review_and_then_the_published_cases(api, staff_token):
    receipt = concluded(api, staff_token, WATER, "经调解，楼上住户负责维修并赔偿五百元。")
    staff, leader = staff_token("township.staff"), staff_token("township.leader")
    status, case = call(api, "post", "/api/staff/cases", {"matterId": receipt["matterId"]}, token=staff)
    assert status == 201, case

    def listed(status_, token):
        code, body = call(api, "get", f"/api/staff/cases?status={status_}", token=token)
        assert code == 200, body
        return {c["caseId"]: c for c in body["items"]}

    waiting = listed("draft", leader)  # the reviewer finds the draft without being sent its number
    assert waiting[case["caseId"]]["title"] == "屋顶漏水纠纷"
    assert waiting[case["caseId"]]["createdBy"]["name"] == "陈文斌"
    assert case["caseId"] in listed("draft", staff_token("city.staff"))  # the city sees its counties
    assert case["caseId"] not in listed("published", leader)

    call(api, "put", f"/api/staff/cases/{case['caseId']}", {"title": "屋顶漏水赔偿纠纷", "body": case["body"]},
         token=staff)
    assert listed("draft", leader)[case["caseId"]]["title"] == "屋顶漏水赔偿纠纷"  # the row follows edits
    status, _ = call(api, "post", f"/api/staff/cases/{case['caseId']}/publish", {}, token=leader)
    assert status == 200
    assert case["caseId"] not in listed("draft", leader)
    assert listed("published", staff)[case["caseId"]]["reviewedBy"]["name"] == "杨芳"

    status, body = call(api, "get", "/api/staff/cases?status=draft", token=staff_token("township.mediator"))
    assert (status, body["error"]["code"]) == (403, "action_forbidden")
    status, body = call(api, "get", "/api/staff/cases?status=old", token=staff)
    assert status == 400 and "status" in body["error"]["fields"]
