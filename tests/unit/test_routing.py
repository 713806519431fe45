"""Routing by territory and subject (属地 + 属事) against the real 郴州市 table and directory."""
import json
import re

import pytest
from hypothesis import given, settings, strategies as st

from chalicelib import reference as ref
from chalicelib.domain.routing import RoutingFacts, UnitIndex, dispatch_candidates, route, validate_rules
from chalicelib.reference import routing as loader

CITY = "4310"
IX = loader._index(CITY)  # built once for the module
RULES = loader._rules(CITY)
REGIONS = ref._region_index(CITY)
TOWNSHIPS = sorted(c for c, r in REGIONS.items() if r["level"] == "township")
VILLAGES = sorted(c for c, r in REGIONS.items() if r["level"] == "village")
COUNTIES = sorted(c for c, r in REGIONS.items() if r["level"] == "county")
KINDS = sorted(ref.kind_codes())
CATEGORIES = sorted(ref.category_codes())
RENMINLU = "431002001"  # 北湖区人民路街道
GUIYANG = "431021"  # 桂阳县
GUIYANG_TOWN = next(c for c in TOWNSHIPS if c.startswith(GUIYANG))
assert GUIYANG_TOWN + "001" in REGIONS and RENMINLU + "001" in REGIONS  # real villages


def facts(kind, category, region, mass=False, severity=None):
    return RoutingFacts(kind, category, region, mass, severity)


def go(*args, **kw):
    return route(facts(*args, **kw), RULES, IX)


# (case, facts, expected unit, expected rule, manual) — the table a user would notice.
CASES = [
    ("村里邻里纠纷 → 本乡镇人民调解委员会",
     facts("mediation", "neighbourhood", RENMINLU + "001"), f"pmc-{RENMINLU}",
     "mediation-to-township-committee", False),
    ("未注明类别的调解 → 本乡镇人民调解委员会",
     facts("mediation", None, GUIYANG_TOWN), f"pmc-{GUIYANG_TOWN}",
     "uncategorised-mediation-to-township-committee", False),
    ("医疗纠纷 → 县级医疗纠纷调委会",
     facts("mediation", "medical", GUIYANG_TOWN), f"pmc-{GUIYANG}-medical",
     "professional-mediation", False),
    ("桂阳县没有物业纠纷调委会 → 市级物业纠纷调委会",
     facts("mediation", "property_management", GUIYANG_TOWN), "pmc-4310-property",
     "professional-mediation", False),
    ("桂阳县劳动投诉 → 桂阳县人社局",
     facts("complaint", "labour", GUIYANG_TOWN), f"dept-{GUIYANG}-hrss",
     "services-to-county-department", False),
    ("劳动咨询 → 人社局（法律援助中心虽受理各类咨询，但不是主管部门）",
     facts("consultation", "labour", GUIYANG_TOWN), f"dept-{GUIYANG}-hrss",
     "services-to-county-department", False),
    ("消费民生诉求 → 县市场监管局",
     facts("livelihood", "consumer", RENMINLU), "dept-431002-market",
     "services-to-county-department", False),
    ("法律援助 → 县法律援助中心",
     facts("legal_aid", "labour", GUIYANG_TOWN + "001"), f"dept-{GUIYANG}-legal_aid",
     "legal-aid-to-county-centre", False),
    ("涉众 → 乡镇矛调中心人工分流",
     facts("mediation", "neighbourhood", RENMINLU, mass=True), f"centre-{RENMINLU}",
     "mass-or-significant-to-centre", True),
    ("重大疑难 → 乡镇矛调中心人工分流",
     facts("complaint", "labour", GUIYANG_TOWN + "001", severity="significant"),
     f"centre-{GUIYANG_TOWN}",
     "mass-or-significant-to-centre", True),
    ("县域涉众事项 → 县矛调中心",
     facts("livelihood", "environment", GUIYANG, mass=True), f"centre-{GUIYANG}",
     "mass-or-significant-to-centre", True),
    ("未注明类别的咨询 → 乡镇矛调中心",
     facts("consultation", None, GUIYANG_TOWN), f"centre-{GUIYANG_TOWN}", "otherwise-to-centre", True),
]


@pytest.mark.parametrize("case,matter,unit_id,rule_id,manual", CASES, ids=[c[0] for c in CASES])
def test_routing_table(case, matter, unit_id, rule_id, manual):
    d = route(matter, RULES, IX)
    assert (d.unit_id, d.rule_id, d.manual) == (unit_id, rule_id, manual)


def test_every_rule_id_is_unique_and_reachable():
    ids = [r["id"] for r in RULES]
    assert len(ids) == len(set(ids))
    assert {c[3] for c in CASES} == set(ids)


def test_explanation_names_the_rule_the_unit_the_place_and_the_subject():
    d = go("mediation", "neighbourhood", RENMINLU)
    assert d.explanation == ("按规则「调解类事项由所在乡镇人民调解委员会受理」"
                             "分派至北湖区人民路街道人民调解委员会（属地：人民路街道；属事：邻里关系）")
    village = RENMINLU + "001"
    explanation = go("mediation", "neighbourhood", village).explanation
    assert f"属地：人民路街道{REGIONS[village]['name']}" in explanation
    d = go("consultation", None, GUIYANG_TOWN)
    assert d.explanation.startswith("按规则「其他事项由所在矛调中心人工分流」分派至桂阳县")
    assert "人工分流（属地：" in d.explanation and "属事：未注明纠纷类别" in d.explanation


def test_medical_falls_back_to_the_city_committee_where_the_county_has_none():
    without = UnitIndex.from_units(u for u in IX.units if u["id"] != f"pmc-{GUIYANG}-medical")
    assert route(facts("mediation", "medical", GUIYANG_TOWN), RULES, without).unit_id == "pmc-4310-medical"
    counties_without = [c for c in COUNTIES if not IX.get(f"pmc-{c}-property")]
    assert counties_without  # the data has counties without a 物业 committee
    for county in counties_without:
        town = next(t for t in TOWNSHIPS if t.startswith(county))
        assert go("mediation", "property_management", town).unit_id == "pmc-4310-property"


@pytest.mark.parametrize("county", COUNTIES)
def test_legal_aid_goes_to_the_own_county_centre(county):
    town = next(t for t in TOWNSHIPS if t.startswith(county))
    assert go("legal_aid", None, town).unit_id == f"dept-{county}-legal_aid"


def test_a_table_without_catch_all_still_sends_to_the_centre():
    d = route(facts("consultation", None, RENMINLU), RULES[:1], IX)
    assert (d.unit_id, d.rule_id, d.manual) == (f"centre-{RENMINLU}", "no-rule-matched", True)


def test_the_table_has_no_region_codes_so_another_city_can_copy_it():
    text = (ref.DATA_DIR / f"routing-{CITY}.json").read_text("utf-8")
    assert not re.search(r"\d{4}", text)
    assert json.loads(text)["version"] == 1


def test_mistyped_tables_fail_at_load_with_the_rule_id():
    good = {"id": "a", "name": "甲", "when": {}, "to": {"type": "centre", "at": "township"}}
    validate_rules([good])
    bad = [
        [good, good],
        [{**good, "when": {"kind": ["mediation"]}}],
        [{**good, "when": {"kinds": ["mediaton"]}}],
        [{**good, "when": {"massInvolved": "yes"}}],
        [{**good, "to": {"type": "centre", "at": "province"}}],
        [{**good, "to": {"type": "office", "at": "county"}}],
        [{**good, "to": {"type": "department", "at": "county", "handles": ["subject"]}}],
    ]
    for rules in bad:
        with pytest.raises(ValueError, match="规则"):
            validate_rules(rules, kinds=KINDS)


def test_dispatch_candidates_stay_within_the_centre_and_put_the_suggestion_first():
    matter = facts("mediation", "medical", GUIYANG_TOWN, mass=True)
    county = dispatch_candidates(matter, IX, GUIYANG, RULES)
    assert county[0]["id"] == f"pmc-{GUIYANG}-medical"
    assert all(u["regionCode"].startswith(GUIYANG) for u in county)
    assert f"centre-{GUIYANG}" not in {u["id"] for u in county}
    assert county[1]["regionCode"] == GUIYANG_TOWN  # the matter's own township next
    town = dispatch_candidates(matter, IX, GUIYANG_TOWN, RULES)
    assert [u["id"] for u in town] == [f"pmc-{GUIYANG_TOWN}"]
    city = {u["id"] for u in dispatch_candidates(matter, IX, CITY)}
    assert "pmc-4310-medical" in city and len(city) == len(IX.units) - 1


def _check(matter):
    d = route(matter, RULES, IX)
    unit = IX.get(d.unit_id)
    assert unit is not None
    own = {matter.region_code[:9], matter.region_code[:6], CITY}
    assert unit["regionCode"] in own, (matter, d)
    assert d.manual == (unit["type"] == "centre")
    assert unit["name"] in d.explanation and d.rule_name in d.explanation


def test_every_township_kind_and_category_routes_within_its_own_county():
    for town in TOWNSHIPS:
        for kind in KINDS:
            for category in CATEGORIES + [None]:
                _check(facts(kind, category, town))


@settings(max_examples=400, deadline=None)
@given(region=st.sampled_from(TOWNSHIPS + VILLAGES), kind=st.sampled_from(KINDS),
       category=st.sampled_from(CATEGORIES + [None]), mass=st.booleans(),
       severity=st.sampled_from(sorted(ref.severity_codes()) + [None]))
def test_route_never_raises_and_never_leaves_the_matters_county(region, kind, category, mass, severity):
    _check(facts(kind, category, region, mass, severity))
