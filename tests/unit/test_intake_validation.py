"""What a citizen sees when the intake form is wrong: one Chinese message per field, all at once."""
import copy
import re

import pytest
from hypothesis import given, settings, strategies as st
from jsonschema import Draft202012Validator

from chalicelib.domain.errors import ValidationFailed
from chalicelib.domain.validation import validate_intake
from chalicelib.schemas import load_schema, schema_names

CJK = re.compile(r"[\u4e00-\u9fff]")
KINDS = ["mediation", "livelihood", "complaint", "consultation", "legal_aid"]
CATEGORIES = [
    "marriage_family", "neighbourhood", "housing_homestead", "forest_land", "labour", "contract",
    "private_lending", "damages", "traffic_accident", "medical", "property_management",
    "land_acquisition", "environment", "consumer", "village_affairs", "business_operation",
    "campus", "other"]


def filable(code: str) -> bool:
    """Townships and villages of 北湖区 (431002) can receive matters in these tests."""
    return code.startswith("431002")


def good_body(**changes):
    body = {
        "kind": "mediation",
        "category": "neighbourhood",
        "title": "邻居占用公共通道",
        "description": "隔壁邻居在楼道堆放杂物，多次沟通无果。",
        "regionCode": "431002001001",
        "address": "北湖区人民路 1 号",
        "applicant": {"name": "张三", "phone": "+86 138-1234-5678", "idNumber": "11010519491231002x"},
        "otherParties": [{"name": "李四", "phone": "139 1234 5678"}, {"name": "王五"}],
    }
    body.update(changes)
    return body


def errors_of(body, region=filable) -> dict:
    with pytest.raises(ValidationFailed) as caught:
        validate_intake(body, is_filable_region=region)
    return caught.value.fields


def assert_all_chinese(fields):
    assert fields, "a ValidationFailed must name at least one field"
    for path, message in fields.items():
        assert isinstance(path, str)
        assert CJK.search(message), (path, message)


def test_schema_is_valid_2020_12_and_listed():
    assert "matter-intake" in schema_names()
    schema = load_schema("matter-intake")
    Draft202012Validator.check_schema(schema)
    assert CJK.search(schema["title"]) and CJK.search(schema["description"])
    assert schema["properties"]["kind"]["enum"] == KINDS
    assert schema["properties"]["category"]["enum"] == CATEGORIES


def test_unknown_schema_name_is_refused():
    with pytest.raises(KeyError):
        load_schema("../domain/errors")


def test_good_body_comes_back_normalised_and_input_untouched():
    body = good_body(title="  邻居占用公共通道  ", address="   ")
    before = copy.deepcopy(body)
    out = validate_intake(body, is_filable_region=filable)
    assert body == before
    assert out["title"] == "邻居占用公共通道"
    assert "address" not in out  # blank optional field counts as absent
    assert out["applicant"] == {"name": "张三", "phone": "13812345678", "idNumber": "11010519491231002X"}
    assert out["otherParties"] == [{"name": "李四", "phone": "13912345678"}, {"name": "王五"}]
    assert out["massInvolved"] is False


@pytest.mark.parametrize("kind", KINDS[1:])
def test_other_kinds_need_no_category(kind):
    body = good_body(kind=kind)
    del body["category"]
    assert validate_intake(body, is_filable_region=filable)["kind"] == kind


def test_mediation_without_category_asks_for_it():
    body = good_body()
    del body["category"]
    assert errors_of(body) == {"category": "请选择纠纷类别"}


def test_unknown_fields_are_rejected_wherever_they_are():
    body = good_body(priority="urgent")
    body["applicant"]["wechat"] = "zs"
    body["otherParties"][1]["age"] = 40
    assert errors_of(body) == {
        "applicant.wechat": "不支持的字段", "otherParties.1.age": "不支持的字段", "priority": "不支持的字段"}


def test_blank_strings_count_as_missing():
    body = good_body(title="   ", kind="\u3000")
    body["applicant"]["name"] = " "
    assert errors_of(body) == {"kind": "请选择事项类型", "title": "请填写标题",
                               "applicant.name": "请填写申请人姓名"}


def test_every_violation_is_reported_at_once_in_form_order():
    body = good_body(kind="lawsuit", title="x" * 101, description="短", regionCode="4310",
                     category="tax", address="路" * 201, massInvolved="yes")
    body["applicant"] = {"phone": "12345"}
    body["otherParties"] = [{"name": "李四", "phone": "139"}] * 2 + [{"name": ""}] * 9 + [{"name": "赵六", "phone": "0731"}]
    fields = errors_of(body)
    assert fields == {
        "kind": "请选择有效的事项类型",
        "title": "标题不能超过100个字",
        "description": "情况描述至少5个字",
        "regionCode": "请选择有效的所在地区",
        "category": "请选择有效的纠纷类别",
        "address": "详细地址不能超过200个字",
        "applicant.name": "请填写申请人姓名",
        "applicant.phone": "请填写正确的11位手机号码",
        "otherParties.0.phone": "请填写正确的11位手机号码",
        "otherParties.1.phone": "请填写正确的11位手机号码",
        **{f"otherParties.{i}.name": "请填写对方当事人姓名" for i in range(2, 11)},
        "otherParties.11.phone": "请填写正确的11位手机号码",
        "massInvolved": "是否涉众只能选择是或否",
    }
    assert list(fields)[:3] == ["kind", "title", "description"]
    assert list(fields).index("otherParties.2.name") < list(fields).index("otherParties.10.name")


def test_missing_everything():
    assert errors_of({}) == {"kind": "请选择事项类型", "title": "请填写标题",
                             "description": "请填写情况描述", "regionCode": "请选择所在地区",
                             "applicant": "请填写申请人信息"}


def test_wrong_types_get_a_message_not_a_crash():
    fields = errors_of(good_body(title=5, applicant=["张三"], otherParties={"name": "李四"}))
    assert fields == {"title": "标题格式不正确", "applicant": "申请人信息格式不正确",
                      "otherParties": "对方当事人格式不正确"}


def test_too_many_other_parties():
    assert errors_of(good_body(otherParties=[{"name": "某"}] * 21)) == {"otherParties": "对方当事人最多20个"}


def test_bad_resident_id():
    body = good_body()
    body["applicant"]["idNumber"] = "110105194912310021"
    assert errors_of(body) == {"applicant.idNumber": "身份证号码不正确，请核对"}


def test_region_must_be_a_filable_township_or_village():
    assert errors_of(good_body(regionCode="433100001")) == {"regionCode": "请选择所在的乡镇（街道）或村（社区）"}
    assert validate_intake(good_body(regionCode="431002001"), is_filable_region=filable)


def test_region_rule_is_not_asked_about_malformed_codes():
    asked = []
    errors_of(good_body(regionCode="43100200100"), region=lambda c: asked.append(c) or True)
    assert asked == []


@pytest.mark.parametrize("body", [None, 1, 1.5, True, "text", [], [good_body()]])
def test_body_that_is_not_an_object(body):
    assert errors_of(body) == {"": "请求内容必须是 JSON 对象"}


def test_absurd_nesting_is_a_validation_error():
    deep = []
    for _ in range(5000):
        deep = [deep]
    assert_all_chinese(errors_of(good_body(kind=deep)))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=25)


@settings(max_examples=300, deadline=None)  # correctness, not speed: a loaded CI machine is slow
@given(json_values)
def test_arbitrary_json_only_ever_fails_validation(value):
    try:
        validate_intake(value, is_filable_region=filable)
    except ValidationFailed as e:
        assert_all_chinese(e.fields)


def anything_or(*plausible):
    return st.one_of(json_values, *plausible)


phones = st.sampled_from(["13812345678", "+86 139 1234 5678", "12812345678", "", " ", "１３８"])
party = st.fixed_dictionaries({}, optional={
    "name": anything_or(st.text(max_size=60)), "phone": anything_or(phones), "x": json_values})
near_miss_bodies = st.fixed_dictionaries({}, optional={
    "kind": anything_or(st.sampled_from(KINDS)),
    "category": anything_or(st.sampled_from(CATEGORIES)),
    "title": anything_or(st.text(max_size=120)),
    "description": anything_or(st.text(max_size=20)),
    "regionCode": anything_or(st.sampled_from(["431002001", "431002001001", "110101001", "4310"])),
    "address": anything_or(st.text(max_size=220)),
    "applicant": anything_or(st.fixed_dictionaries({}, optional={
        "name": anything_or(st.text(max_size=60)), "phone": anything_or(phones),
        "idNumber": anything_or(st.sampled_from(["11010519491231002x", "110105194912310021"])),
        "extra": json_values})),
    "otherParties": anything_or(st.lists(anything_or(party), max_size=22)),
    "massInvolved": anything_or(st.booleans()),
})


@settings(max_examples=300, deadline=None)  # correctness, not speed: a loaded CI machine is slow
@given(near_miss_bodies)
def test_right_keys_with_random_values_only_ever_fail_validation(body):
    try:
        out = validate_intake(body, is_filable_region=filable)
    except ValidationFailed as e:
        assert_all_chinese(e.fields)
    else:  # whatever passes is in the shape the services rely on
        assert Draft202012Validator(load_schema("matter-intake")).is_valid(out)
        assert re.fullmatch(r"1[3-9]\d{9}", out["applicant"]["phone"])
        assert isinstance(out["massInvolved"], bool)


@given(st.sampled_from(KINDS), st.sampled_from(CATEGORIES),
       st.text(min_size=2, max_size=100).filter(lambda s: len(s.strip()) >= 2),
       st.sampled_from(["13", "15", "17", "19"]), st.text("0123456789", min_size=9, max_size=9))
def test_well_formed_bodies_pass(kind, category, title, prefix, digits):
    body = good_body(kind=kind, category=category, title=title)
    body["applicant"]["phone"] = f"{prefix}{digits[:2]} {digits[2:6]} {digits[6:]}"
    out = validate_intake(body, is_filable_region=filable)
    assert out["title"] == title.strip()
    assert out["applicant"]["phone"] == prefix + digits
