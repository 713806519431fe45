"""Routing by territory and subject (属地 + 属事): which unit a new matter goes to, and why.

The rules are data (``reference/data/routing-<city>.json``), read top to bottom; the first rule
whose conditions hold *and* whose target finds a unit wins, so a city changes routing by editing
the table, not this code. Targets are relative to the matter's place ("the township's committee",
"the county department that owns the category"), never region codes, so one table serves any city.
A matter that goes to a centre (矛调中心) waits there for manual dispatch (分流).

Pure: no files, no clock. Places are derived from the statistics-bureau code itself (city = 4
digits, county = 6, township = 9, village = 12), so routing needs no region lookups.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping

LEVELS = ("township", "county", "city")
LEVEL_DIGITS = {"city": 4, "county": 6, "township": 9}
UNIT_TYPES = ("centre", "department", "mediation_org", "institution")

# The `when` vocabulary: each key tests one fact of the matter; all keys of a `when` must hold.
CONDITIONS = {
    "kinds": lambda v, m: m.kind in v,
    "categories": lambda v, m: m.category in v,
    "hasCategory": lambda v, m: (m.category is not None) == v,
    "massInvolved": lambda v, m: bool(m.mass_involved) == v,
    "severities": lambda v, m: m.severity in v,
    "anyOf": lambda v, m: any(_holds(w, m) for w in v),
}
# The `to` vocabulary (see the table's "vocabulary" entry for the Chinese description).
TARGET_KEYS = frozenset({"type", "at", "slug", "handles", "exceptSlugs"})
HANDLES = frozenset({"kind", "category"})
# When no rule matches (a table without a catch-all), the matter still lands somewhere sensible.
LAST_RESORT = {"id": "no-rule-matched", "name": "无规则命中，由矛调中心人工分流",
               "to": {"type": "centre", "at": list(LEVELS)}}


@dataclass(frozen=True)
class RoutingFacts:
    """The few facts of a matter that routing may look at."""
    kind: str
    category: str | None
    region_code: str
    mass_involved: bool = False
    severity: str | None = None

    @classmethod
    def of(cls, matter) -> "RoutingFacts":
        """From anything with the matter's attribute names (the Matter dataclass)."""
        return cls(matter.kind, matter.category, matter.region_code,
                   bool(matter.mass_involved), matter.severity)


@dataclass(frozen=True)
class RoutingDecision:
    unit_id: str
    rule_id: str
    rule_name: str
    explanation: str  # Chinese, shown on the timeline
    manual: bool  # sent to a centre, which dispatches by hand


def place(region_code: str, level: str) -> str | None:
    """The code of the matter's township, county or city; None when the code is coarser
    (a county-wide matter has no township)."""
    n = LEVEL_DIGITS[level]
    return region_code[:n] if len(region_code) >= n else None


@dataclass(frozen=True, eq=False)
class UnitIndex:
    """The unit directory indexed once, so that routing a matter is a few dict lookups.
    Names are optional and only make explanations readable."""
    units: tuple[dict, ...]
    by_id: Mapping[str, dict]
    by_place: Mapping[tuple[str, str], tuple[dict, ...]]  # (regionCode, type) → units, file order
    slugs: Mapping[str, str | None]  # unit id → last part of its id: dept-431002-hrss → hrss
    region_names: Mapping[str, str]
    category_names: Mapping[str, str]

    @classmethod
    def from_units(cls, units: Iterable[dict], region_names: Mapping[str, str] | None = None,
                   category_names: Mapping[str, str] | None = None) -> "UnitIndex":
        units = tuple(units)
        by_place: dict[tuple[str, str], list[dict]] = {}
        for u in units:
            by_place.setdefault((u["regionCode"], u["type"]), []).append(u)
        slugs = {u["id"]: (u["id"].split(f"-{u['regionCode']}-", 1) + [None])[1] for u in units}
        return cls(units, {u["id"]: u for u in units}, {k: tuple(v) for k, v in by_place.items()},
                   slugs, dict(region_names or {}), dict(category_names or {}))

    def get(self, unit_id: str) -> dict | None:
        return self.by_id.get(unit_id)

    def at(self, region_code: str, unit_type: str) -> tuple[dict, ...]:
        return self.by_place.get((region_code, unit_type), ())


def _holds(when: dict, m: RoutingFacts) -> bool:
    return all(CONDITIONS[key](value, m) for key, value in when.items())


def _fits(unit: dict, to: dict, m: RoutingFacts, units: UnitIndex) -> bool:
    slug = units.slugs.get(unit["id"])
    if "slug" in to and slug != to["slug"]:
        return False
    if slug is not None and slug in to.get("exceptSlugs", ()):
        return False
    handles = to.get("handles", ())
    return ("kind" not in handles or m.kind in unit["kinds"]) and \
        ("category" not in handles or m.category in unit["categories"])


def _find(to: dict, m: RoutingFacts, units: UnitIndex) -> dict | None:
    """The first fitting unit at the first level (in the target's order) that has one."""
    for level in [to["at"]] if isinstance(to["at"], str) else to["at"]:
        code = place(m.region_code, level)
        for unit in units.at(code, to["type"]) if code else ():
            if _fits(unit, to, m, units):
                return unit
    return None


def _where(m: RoutingFacts, units: UnitIndex) -> str:
    """属地 as people say it: the township (and village), or the county for county-wide matters."""
    town = place(m.region_code, "township")
    if town is None:
        codes = [place(m.region_code, "county") or m.region_code]
    else:
        codes = [town] if m.region_code == town else [town, m.region_code]
    return "".join(units.region_names.get(c, c) for c in codes)


def _decision(rule: dict, unit: dict, m: RoutingFacts, units: UnitIndex) -> RoutingDecision:
    manual = unit["type"] == "centre"
    subject = units.category_names.get(m.category, m.category) if m.category else "未注明纠纷类别"
    text = (f"按规则「{rule['name']}」分派至{unit['name']}{'人工分流' if manual else ''}"
            f"（属地：{_where(m, units)}；属事：{subject}）")
    return RoutingDecision(unit["id"], rule["id"], rule["name"], text, manual)


def route(matter: RoutingFacts, rules: list[dict], units: UnitIndex) -> RoutingDecision:
    """The unit a new matter goes to, the rule that chose it and why, in words."""
    for rule in rules:
        if _holds(rule.get("when", {}), matter):
            unit = _find(rule["to"], matter, units)
            if unit is not None:
                return _decision(rule, unit, matter, units)
    unit = _find(LAST_RESORT["to"], matter, units) or next(
        (u for u in units.units if u["type"] == "centre" and u["level"] == "city"), None)
    if unit is None:
        raise LookupError("单位目录中没有任何矛调中心，无法分派事项")
    return _decision(LAST_RESORT, unit, matter, units)


def dispatch_candidates(facts: RoutingFacts, units: UnitIndex, centre_region_code: str,
                        rules: list[dict] | None = None) -> list[dict]:
    """Units a centre may hand the matter to by hand: every unit seated within the centre's
    region (the city centre therefore reaches the city's own units too), except the centre itself.

    Most useful first: the unit the rules would pick if the matter were not left for manual
    dispatch (when `rules` are given); then by nearness to the matter's place (its township,
    county, the city, then other places in scope), and at each place units that take the
    matter's kind and category before those that take its kind, before the rest.
    """
    scope = [u for u in units.units if u["regionCode"].startswith(centre_region_code)
             and not (u["type"] == "centre" and u["regionCode"] == centre_region_code)]
    suggested = None
    if rules is not None:
        decision = route(facts, [r for r in rules if r["to"]["type"] != "centre"], units)
        suggested = None if decision.manual else decision.unit_id
    near = [c for c in (place(facts.region_code, lvl) for lvl in LEVELS) if c]

    def rank(u: dict) -> tuple:
        takes_kind = facts.kind in u["kinds"]
        fit = 2 if takes_kind and facts.category in u["categories"] else int(takes_kind)
        distance = near.index(u["regionCode"]) if u["regionCode"] in near else len(near)
        return u["id"] != suggested, distance, -fit

    return sorted(scope, key=rank)


def validate_rules(rules: list[dict], *, kinds: Iterable[str] = (), categories: Iterable[str] = (),
                   severities: Iterable[str] = ()) -> None:
    """Fail at load time, with the rule's id, on a table a city engineer mistyped; route()
    itself trusts the table. Codes are checked only against the sets given."""
    known = {"kinds": set(kinds), "categories": set(categories), "severities": set(severities)}
    seen: set[str] = set()

    def check_when(rid: str, when: dict) -> None:
        for key, value in when.items():
            if key not in CONDITIONS:
                raise ValueError(f"规则 {rid}：未知条件 {key}")
            if key == "anyOf":
                if not isinstance(value, list) or not all(isinstance(w, dict) for w in value):
                    raise ValueError(f"规则 {rid}：anyOf 须为条件列表")
                for w in value:
                    check_when(rid, w)
            elif key in ("hasCategory", "massInvolved") and not isinstance(value, bool):
                raise ValueError(f"规则 {rid}：{key} 须为 true 或 false")
            elif key in known:
                if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                    raise ValueError(f"规则 {rid}：{key} 须为代码列表")
                unknown = set(value) - known[key] if known[key] else set()
                if unknown:
                    raise ValueError(f"规则 {rid}：{key} 含未知代码 {sorted(unknown)}")

    for rule in rules:
        rid = rule.get("id")
        if not rid or not rule.get("name") or rid in seen:
            raise ValueError(f"规则 {rid!r}：缺少 id 或 name，或 id 重复")
        seen.add(rid)
        check_when(rid, rule.get("when", {}))
        to = rule.get("to", {})
        at = [to.get("at")] if isinstance(to.get("at"), str) else to.get("at") or []
        if set(to) - TARGET_KEYS or to.get("type") not in UNIT_TYPES or not at \
                or set(at) - set(LEVELS) or set(to.get("handles", ())) - HANDLES:
            raise ValueError(f"规则 {rid}：去向 to 有误 {to}")
