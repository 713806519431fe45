"""单位管理 and 分派规则管理 through the API: the bundled directory as the seed, administrators'
edits as a versioned overlay that routing, dispatch and sign-in see at once."""
from __future__ import annotations

import copy
import json
import urllib.parse

import pytest

from chalicelib import reference
from tests.integration.admin_helpers import (COUNTY_ADMIN, FORGED, NON_ADMINS, OTHER_COUNTY_ADMIN,
                                             Caller)
from tests.workflow.helpers import file

MEDIATION = {"kind": "mediation", "title": "邻里排水沟纠纷", "description": "邻居改建排水沟，雨水流进我家院子。",
             "regionCode": "431002001001", "category": "neighbourhood",
             "applicant": {"name": "罗秀英", "phone": "13711112222"}}
COMMITTEE = "pmc-431002001"  # 北湖区人民路街道人民调解委员会


@pytest.fixture
def as_(api, staff_token):
    return lambda who: Caller(api, staff_token(who))


def all_pages(caller, query=""):
    items, token = [], None
    while True:
        path = "/api/admin/units?" + query + (f"&nextToken={token}" if token else "")
        status, body = caller.get(path)
        assert status == 200, body
        items += body["items"]
        token = body["nextToken"]
        if not token:
            return items


def test_the_city_admin_pages_through_all_636_units_and_filters_them(api, as_):
    admin = as_("admin")
    status, first = admin.get("/api/admin/units")
    assert status == 200 and len(first["items"]) == 50 and first["nextToken"]
    unit = first["items"][0]
    assert unit == {**unit, "unitId": "centre-4310", "type": "centre", "typeName": "矛调中心",
                    "level": "city", "regionName": "郴州市", "active": True, "version": 0}
    everything = all_pages(admin)
    assert len(everything) == len({u["unitId"] for u in everything}) == len(reference.units()) == 636

    committees = all_pages(admin, "regionCode=431002&type=mediation_org")
    assert committees and all(u["regionCode"].startswith("431002") and u["typeName"] == "调解组织"
                              for u in committees)
    courts = all_pages(admin, "q=" + urllib.parse.quote("人民法院"))
    assert courts and all("人民法院" in u["name"] for u in courts)
    assert admin.get("/api/admin/units?type=castle")[0] == 400
    assert admin.get("/api/admin/units?nextToken=bm9wZQ==")[0] == 400


def test_a_county_admin_sees_only_its_county(api, staff_token):
    beihu = Caller(api, staff_token(COUNTY_ADMIN))
    units = all_pages(beihu)
    assert units and all(u["regionCode"].startswith("431002") for u in units)
    assert all_pages(beihu, "regionCode=431003") == []
    status, body = beihu.get("/api/admin/units/centre-431003")
    assert status == 404 and body["error"]["code"] == "unit_not_found"
    assert beihu.get(f"/api/admin/units/{COMMITTEE}")[1]["name"] == "北湖区人民路街道人民调解委员会"
    status, body = beihu.put("/api/admin/units/dept-431003-hrss", {"version": 0, "name": "改名"})
    assert status == 404


def test_only_admins_with_a_valid_token(api, as_):
    routes = [("get", "/api/admin/units", None), ("get", f"/api/admin/units/{COMMITTEE}", None),
              ("post", "/api/admin/units", {"name": "x", "type": "department", "regionCode": "431002"}),
              ("put", f"/api/admin/units/{COMMITTEE}", {"version": 0, "name": "x"}),
              ("get", "/api/admin/routing", None), ("put", "/api/admin/routing", {"version": 0, "rules": []})]
    for who in [None, FORGED] + NON_ADMINS:
        caller = Caller(api, who) if who in (None, FORGED) else as_(who)
        for method, path, body in routes:
            status, answer = getattr(caller, method)(*((path,) if body is None else (path, body)))
            expected = 401 if who in (None, FORGED) else 403
            assert status == expected, (who, method, path, answer)


def test_an_edit_names_its_version_and_everyone_sees_it(api, as_):
    admin = as_("admin")
    status, unit = admin.put("/api/admin/units/dept-431002-hrss",
                             {"version": 0, "name": "北湖区人社局", "phone": "0735-1234567"})
    assert status == 200 and unit["version"] == 1 and unit["name"] == "北湖区人社局"
    status, body = admin.put("/api/admin/units/dept-431002-hrss", {"version": 0, "name": "又改"})
    assert status == 409 and body["error"]["code"] == "conflict"
    assert admin.get("/api/admin/units/dept-431002-hrss")[1]["name"] == "北湖区人社局"
    # the sign-in sees the new name at once (same process; others within the cache's 30 s)
    assert as_("dept.handler").get("/api/auth/me")[1]["unitName"] == "北湖区人社局"
    status, body = admin.put("/api/admin/units/dept-431002-hrss", {"version": 1, "type": "centre"})
    assert status == 400 and "type" in body["error"]["fields"]
    status, body = admin.put("/api/admin/units/centre-431002", {"version": 0, "active": False})
    assert status == 400 and "active" in body["error"]["fields"]
    assert admin.put("/api/admin/units/dept-431002-hrss", {"name": "无版本"})[0] == 400


def test_an_inactive_committee_is_no_routing_target_and_a_new_one_takes_its_place(api, as_):
    admin = as_("admin")
    status, _ = admin.put(f"/api/admin/units/{COMMITTEE}", {"version": 0, "active": False})
    assert status == 200
    matter = file(api, MEDIATION)
    status, view = as_("township.staff").get(f"/api/staff/matters/{matter['matterId']}")
    assert view["assignedUnitId"] != COMMITTEE
    assert view["routing"]["unitId"] == "centre-431002001"  # left for manual dispatch
    status, candidates = as_("township.staff").get(
        f"/api/staff/matters/{matter['matterId']}/dispatch-candidates")
    assert status == 200 and COMMITTEE not in {c["unitId"] for c in candidates["items"]}

    status, created = admin.post("/api/admin/units", {
        "name": "人民路街道第二人民调解委员会", "type": "mediation_org", "regionCode": "431002001",
        "slug": "second", "kinds": ["mediation"], "categories": ["neighbourhood"],
        "phone": "0735-7654321", "duties": "调解邻里纠纷"})
    assert status == 201, created
    assert created["unitId"] == "pmc-431002001-second" and created["level"] == "township"
    assert created["typeName"] == "调解组织" and created["version"] == 1
    assert admin.get("/api/admin/units/pmc-431002001-second")[1]["duties"] == "调解邻里纠纷"
    again = file(api, {**MEDIATION, "applicant": {"name": "刘芳", "phone": "13722223333"}})
    view = as_("township.staff").get(f"/api/staff/matters/{again['matterId']}")[1]
    assert view["assignedUnitId"] == "pmc-431002001-second"
    assert view["assignedUnitName"] == "人民路街道第二人民调解委员会"
    status, body = admin.post("/api/admin/units", {"name": "重复", "type": "mediation_org",
                                                   "regionCode": "431002001", "slug": "second"})
    assert status == 409 and body["error"]["code"] == "unit_exists"


@pytest.mark.parametrize("body, field", [
    ({"name": "新中心", "type": "centre", "regionCode": "431002"}, "type"),
    ({"name": "村里", "type": "department", "regionCode": "431002001001"}, "regionCode"),
    ({"name": "", "type": "department", "regionCode": "431002"}, "name"),
    ({"name": "x", "type": "department", "regionCode": "431002", "categories": ["dragons"]}, "categories"),
    ({"name": "x", "type": "department", "regionCode": "431002", "slug": "Bad Slug"}, "slug")])
def test_bad_new_units_are_400(api, as_, body, field):
    status, answer = as_("admin").post("/api/admin/units", body)
    assert status == 400 and field in answer["error"]["fields"], answer


def test_a_county_admin_creates_units_only_in_its_county(api, staff_token):
    suxian = Caller(api, staff_token(OTHER_COUNTY_ADMIN))
    body = {"name": "北湖区某部门", "type": "department", "regionCode": "431002"}
    status, answer = suxian.post("/api/admin/units", body)
    assert status == 400 and "regionCode" in answer["error"]["fields"]
    status, created = suxian.post("/api/admin/units", {**body, "name": "苏仙区退役军人事务局",
                                                       "regionCode": "431003", "slug": "veterans"})
    assert status == 201 and created["unitId"] == "dept-431003-veterans"
    assert created["typeName"] == "职能部门"


# -- routing table ------------------------------------------------------------------------
def test_the_routing_table_is_edited_with_its_version_and_routes_the_next_matter(api, as_, staff_token):
    admin = as_("admin")
    status, table = admin.get("/api/admin/routing")
    assert status == 200 and table["version"] == 0
    assert [r["id"] for r in table["rules"]][:2] == ["mass-or-significant-to-centre", "legal-aid-to-county-centre"]
    rules = copy.deepcopy(table["rules"])
    rules.insert(0, {"id": "neighbourhood-to-township-centre", "name": "邻里纠纷由乡镇矛调中心分流",
                     "when": {"categories": ["neighbourhood"]},
                     "to": {"type": "centre", "at": ["township", "county", "city"]}})

    assert Caller(api, staff_token(COUNTY_ADMIN)).put("/api/admin/routing",
                                                      {"version": 0, "rules": rules})[0] == 403
    status, saved = admin.put("/api/admin/routing", {"version": 0, "rules": rules})
    assert status == 200 and saved["version"] == 1
    status, body = admin.put("/api/admin/routing", {"version": 0, "rules": table["rules"]})
    assert status == 409 and body["error"]["code"] == "conflict"
    assert admin.get("/api/admin/routing")[1]["rules"][0]["id"] == "neighbourhood-to-township-centre"

    matter = file(api, MEDIATION)
    view = as_("township.staff").get(f"/api/staff/matters/{matter['matterId']}")[1]
    assert view["routing"]["ruleId"] == "neighbourhood-to-township-centre"
    assert view["routing"]["manual"] is True and view["holderCentreId"] == "centre-431002001"
    status, _ = admin.put("/api/admin/routing", {"version": 1, "rules": table["rules"]})
    assert status == 200


@pytest.mark.parametrize("change, words", [
    (lambda r: r[2]["when"].update(categories=["dragons"]), "dragons"),
    (lambda r: r[1]["to"].update(type="castle"), "去向"),
    (lambda r: r[1]["to"].update(slug="no_such_unit"), "no_such_unit"),
    (lambda r: r.append(dict(r[0])), "重复"),
    (lambda r: r[0].update(when="always"), "规则"),
])
def test_a_broken_routing_table_is_refused_with_the_rule_named(api, as_, change, words):
    admin = as_("admin")
    rules = copy.deepcopy(admin.get("/api/admin/routing")[1]["rules"])
    change(rules)
    status, body = admin.put("/api/admin/routing", {"version": 0, "rules": rules})
    assert status == 400 and body["error"]["code"] in ("invalid_rules", "validation_failed"), body
    assert words in json.dumps(body, ensure_ascii=False)
    assert admin.put("/api/admin/routing", {"version": 0, "rules": []})[0] == 400
