"""The anonymiser on realistic Chinese case text: names, ID numbers, phones, addresses,
villages and townships go; the county and the substance stay."""
from __future__ import annotations

import jieba.posseg

from chalicelib.domain.anonymise import Facts, aliases, anonymise, residual

FACTS = Facts(names=["李春花", "王大山", "李建国"], places=["人民路街道", "北湖路社区", "同心村"],
              address="北湖区人民路街道北湖路社区3组12号", county="北湖区")
TEXT = ("申请人李春花（身份证号43100219800101001X，电话13812345678）反映：邻居王大山今年三月在北湖区人民路街道"
        "北湖路社区3组12号建房，围墙越过界址约两米。春花多次找大山协商未果，其子李建国拨打0735-2881234求助。"
        "北湖路社区居委会和同心村干部张志明到场查看。手机号也可写作138 1234 5678。")


def tag(text):
    return ((p.word, p.flag) for p in jieba.posseg.cut(text))


def test_parties_become_surname_mou_and_same_surnames_are_told_apart():
    assert aliases(["李春花", "王大山", "李建国", "欧阳修文"]) == {
        "李春花": "李某甲", "李建国": "李某乙", "王大山": "王某", "欧阳修文": "欧阳某"}


def test_a_realistic_complaint_keeps_nothing_that_identifies_anyone():
    result = anonymise(TEXT, FACTS, tag)
    out = result.text
    for secret in ("李春花", "王大山", "李建国", "春花", "大山", "43100219800101001X", "13812345678",
                   "138 1234 5678", "0735-2881234", "人民路街道", "北湖路社区", "同心村", "3组", "12号", "张志明"):
        assert secret not in out, (secret, out)
    assert "申请人李某甲（身份证号[身份证号]，电话[电话]）" in out
    assert "邻居王某" in out and "其子李某乙" in out
    assert "北湖区某地建房" in out  # the address generalised to the county
    assert "某社区居委会" in out and "某村干部张某" in out
    assert "围墙越过界址约两米" in out  # the substance stays
    assert result.replaced["name"] >= 6 and result.replaced["phone"] == 3 and result.replaced["idNumber"] == 1
    assert residual(out, FACTS) == []


def test_the_residual_check_finds_what_an_edit_put_back():
    assert residual("经调解，李春花与王某达成协议", FACTS) == ["name"]
    assert residual("联系电话13812345678", FACTS) == ["phone"]
    assert residual("身份证43100219800101001X", FACTS) == ["idNumber"]
    assert residual("在同心村调解", FACTS) == ["place"]
    assert residual("北湖区某地的两户邻居", FACTS) == []


def test_numbers_that_are_not_phones_or_ids_stay():
    out = anonymise("赔偿金额12000元，于2026年3月15日履行完毕，面积约120平方米。", FACTS, tag).text
    assert out == "赔偿金额12000元，于2026年3月15日履行完毕，面积约120平方米。"
