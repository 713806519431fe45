"""Anonymising a concluded matter for publication as a case (以案释法 / 同类案例).

Pure: the facts that must not appear (the parties' names, the places below the county, the
address) come in as arguments; patterns catch what no fact names (ID numbers, phone numbers,
house numbers) and jieba's part-of-speech tags catch other people's names. The county stays:
a case says where in the city it happened, not in which village or house.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

ID_NUMBER = re.compile(
    r"(?<![0-9A-Za-z])(?:[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx]"
    r"|[1-9]\d{7}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3})(?![0-9A-Za-z])")
MOBILE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d(?:[- ]?\d{4}){2}(?!\d)")
LANDLINE = re.compile(r"(?<!\d)0\d{2,3}[- ]?\d{7,8}(?!\d)")
HOUSE = re.compile(r"[0-9０-９一二三四五六七八九十百零〇]+(?:组|号|栋|幢|单元|室|楼|弄|巷)")
PLACE_SUFFIXES = ("社区", "街道", "村", "镇", "乡", "居委会", "村委会")
COMPOUND_SURNAMES = ("欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "令狐")
# common surnames: a name found by part-of-speech tagging must start with one of these
SURNAMES = set("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
               "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛"
               "郝龚邵万钱严覃武戴莫孔向汤欧廖颜")


@dataclass
class Facts:
    names: list[str] = field(default_factory=list)        # parties, applicant first
    places: list[str] = field(default_factory=list)       # township and village names below the county
    address: str | None = None
    county: str = ""                                      # kept: 北湖区


@dataclass
class Result:
    text: str
    replaced: dict[str, int] = field(default_factory=dict)  # kind → how many


def _surname(name: str) -> str:
    return next((s for s in COMPOUND_SURNAMES if name.startswith(s)), name[:1])


def aliases(names: list[str]) -> dict[str, str]:
    """张三 → 张某; two parties of one surname → 张某甲, 张某乙 (in the order given)."""
    out: dict[str, str] = {}
    by_surname: dict[str, list[str]] = {}
    for n in dict.fromkeys(n.strip() for n in names if n and len(n.strip()) >= 2):
        by_surname.setdefault(_surname(n), []).append(n)
    for surname, group in by_surname.items():
        for i, n in enumerate(group):
            out[n] = f"{surname}某" + ("甲乙丙丁戊己庚辛"[i] if len(group) > 1 and i < 8 else "")
    return out


def _sub(pattern, repl, text: str, result: Result, kind: str) -> str:
    text, count = pattern.subn(repl, text) if hasattr(pattern, "subn") else (text, 0)
    if count:
        result.replaced[kind] = result.replaced.get(kind, 0) + count
    return text


def _literal(words: list[str]):
    words = sorted({w for w in words if w}, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, words))) if words else None


def _place_alias(name: str) -> str:
    suffix = next((s for s in PLACE_SUFFIXES if name.endswith(s)), "")
    return f"某{suffix}" if suffix else "某地"


def anonymise(text: str, facts: Facts, tag=None) -> Result:
    """`tag(text)` yields (word, flag) pairs (jieba.posseg.cut); without it only known names
    are replaced."""
    result = Result(text or "")
    t = result.text
    t = _sub(ID_NUMBER, "[身份证号]", t, result, "idNumber")
    t = _sub(MOBILE, "[电话]", t, result, "phone")
    t = _sub(LANDLINE, "[电话]", t, result, "phone")
    if facts.address and len(facts.address.strip()) >= 2:
        t = _sub(re.compile(re.escape(facts.address.strip())), f"{facts.county}某地", t, result, "address")
    names = aliases(facts.names)
    given = {n[len(_surname(n)):]: a for n, a in names.items() if len(n) - len(_surname(n)) >= 2}
    pattern = _literal(list(names) + list(given))
    if pattern:
        t = _sub(pattern, lambda m: names.get(m.group(0)) or given[m.group(0)], t, result, "name")
    places = {p: _place_alias(p) for p in facts.places if p and len(p) >= 2}
    stems = {p[: -len(s)]: "某地" for p in places for s in PLACE_SUFFIXES
             if p.endswith(s) and len(p) - len(s) >= 2}
    pattern = _literal(list(places) + list(stems))
    if pattern:
        t = _sub(pattern, lambda m: places.get(m.group(0)) or stems[m.group(0)], t, result, "place")
    t = _sub(HOUSE, "某处", t, result, "address")
    if tag is not None:
        t = _other_names(t, tag, result)
    result.text = t
    return result


def _other_names(text: str, tag, result: Result) -> str:
    """People no party list names (a neighbour, a witness): person names by part of speech."""
    out = []
    for word, flag in tag(text):
        if flag == "nr" and 2 <= len(word) <= 4 and "某" not in word and _surname(word) in SURNAMES | set(COMPOUND_SURNAMES):
            out.append(f"{_surname(word)}某")
            result.replaced["name"] = result.replaced.get("name", 0) + 1
        else:
            out.append(word)
    return "".join(out)


def residual(text: str, facts: Facts) -> list[str]:
    """What still identifies someone in a text about to be published (after staff edits):
    the kinds found, empty when it is clean."""
    found = []
    if ID_NUMBER.search(text):
        found.append("idNumber")
    if MOBILE.search(text) or LANDLINE.search(text):
        found.append("phone")
    names = aliases(facts.names)
    if any(n in text for n in names) or any(
            n[len(_surname(n)):] in text for n in names if len(n) - len(_surname(n)) >= 2):
        found.append("name")
    if any(p in text for p in facts.places if p and len(p) >= 2):
        found.append("place")
    if facts.address and len(facts.address.strip()) >= 2 and facts.address.strip() in text:
        found.append("address")
    return found
