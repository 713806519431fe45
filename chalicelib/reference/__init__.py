"""Reference data: catalog (kinds, categories, severities), regions, demo units and accounts.

Plain JSON files beside this module, read with paths relative to it so that they work when
chalicelib is zipped into a Lambda bundle. Each file is parsed once per process (lru_cache), and
the per-city files are keyed by the city code, so a changed JIEYOU_CITY_CODE picks the right set.
No AWS here: this is static data the domain and the API share.

Returned dicts and lists are shared caches: treat them as read-only.
"""
from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path

DATA_DIR = Path(__file__).parent / "data"
FILABLE_LEVELS = frozenset({"township", "village"})


def city_code() -> str:
    """The configured city (a deployment serves one city); 4310 is 郴州市."""
    return os.environ.get("JIEYOU_CITY_CODE", "4310")


@lru_cache(maxsize=None)
def _load(name: str):
    return json.loads((DATA_DIR / name).read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def _catalog(city: str) -> dict:
    static = _load("catalog.json")
    return {"kinds": static["kinds"], "categories": static["categories"],
            "severities": static["severities"], "regions": _load(f"regions-{city}.json")["regions"]}


def catalog() -> dict:
    """The body of GET /api/catalog: kinds, categories, severities and the region tree."""
    return _catalog(city_code())


def kinds() -> list[dict]:
    return _load("catalog.json")["kinds"]


def categories() -> list[dict]:
    return _load("catalog.json")["categories"]


def severities() -> list[dict]:
    return _load("catalog.json")["severities"]


@lru_cache(maxsize=None)
def kind_codes() -> frozenset[str]:
    return frozenset(k["code"] for k in kinds())


@lru_cache(maxsize=None)
def category_codes() -> frozenset[str]:
    return frozenset(c["code"] for c in categories())


@lru_cache(maxsize=None)
def severity_codes() -> frozenset[str]:
    return frozenset(s["code"] for s in severities())


@lru_cache(maxsize=None)
def _region_index(city: str) -> dict[str, dict]:
    """Flat code → info map, built once by walking the tree, so lookups are O(1)."""
    index: dict[str, dict] = {}
    stack = [(_catalog(city)["regions"], None, [])]
    while stack:
        node, parent, path = stack.pop()
        path = path + [node["name"]]
        level, code = node["level"], node["code"]
        ancestors = {"county": None, "township": None} if parent is None else \
            {"county": parent["countyCode"], "township": parent["townshipCode"]}
        info = {"code": code, "name": node["name"], "level": level,
                "parentCode": parent["code"] if parent else None,
                "countyCode": code if level == "county" else ancestors["county"],
                "townshipCode": code if level == "township" else ancestors["township"],
                "path": path}
        index[code] = info
        stack.extend((child, info, path) for child in node["children"])
    return index


def region(code: str) -> dict | None:
    """{code, name, level, parentCode, countyCode, townshipCode, path} or None if not in the city."""
    return _region_index(city_code()).get(str(code))


def is_filable_region(code: str) -> bool:
    """A citizen files at a village or a township of this city, where the matter is handled
    "属地" first; a county or the city is too coarse to route to one place."""
    info = region(code)
    return info is not None and info["level"] in FILABLE_LEVELS


@lru_cache(maxsize=None)
def _units(city: str) -> tuple[list[dict], dict[str, dict], dict[str, list[dict]]]:
    units = _load(f"units-{city}.json")["units"]
    by_region: dict[str, list[dict]] = {}
    for u in units:
        by_region.setdefault(u["regionCode"], []).append(u)
    return units, {u["id"]: u for u in units}, by_region


def units() -> list[dict]:
    """The demo unit directory (fictional names, addresses and phones), in file order."""
    return _units(city_code())[0]


def unit(unit_id: str) -> dict | None:
    return _units(city_code())[1].get(unit_id)


def units_in_region(code: str) -> list[dict]:
    """Units seated exactly at this region (not its descendants), in file order."""
    return _units(city_code())[2].get(str(code), [])


def demo_accounts() -> list[dict]:
    """Demo staff accounts, one per role; for the local stage only."""
    return _load(f"demo-accounts-{city_code()}.json")


def sample_articles() -> list[dict]:
    """Sample 普法/宣传 articles for the local stage, each marked 示例内容."""
    return _load("sample-articles.json")["articles"]


UNIT_TYPES = {"centre": "综治中心", "department": "职能部门", "mediation_org": "调解组织", "institution": "其他机构"}
_PUBLIC_UNIT_FIELDS = ("id", "name", "type", "level", "regionCode", "address", "phone", "functions", "subjects")


def public_units(unit_type: str | None, region_code: str | None,
                 all_units: tuple[dict, ...] | None = None) -> tuple[dict, ...]:
    """调解组织查询 / 部门职能查询: the public fields of active units of a type seated at the
    region or below it (every unit of the city without a region), with the region's path.
    `all_units` is the administered directory; the bundled seed when absent."""
    out = []
    for u in (units() if all_units is None else all_units):
        if u.get("active") is False:
            continue
        if unit_type and u["type"] != unit_type:
            continue
        if region_code and not u["regionCode"].startswith(region_code):
            continue
        view = {k: u.get(k) for k in _PUBLIC_UNIT_FIELDS}
        view["typeName"] = UNIT_TYPES.get(u["type"], u["type"])
        view["regionName"] = "".join((region(u["regionCode"]) or {}).get("path", [])[1:]) or \
            (region(u["regionCode"]) or {}).get("name")
        out.append(view)
    return tuple(out)


@lru_cache(maxsize=None)
def _children(city: str) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    stack = [_catalog(city)["regions"]]
    while stack:
        node = stack.pop()
        out[node["code"]] = [{"code": c["code"], "name": c["name"], "level": c["level"]}
                             for c in node["children"]]
        stack.extend(node["children"])
    return out


def region_children(code: str) -> list[dict]:
    """The regions one level below, in file order ({code, name, level})."""
    return _children(city_code()).get(str(code), [])


@lru_cache(maxsize=None)
def _population(city: str) -> dict[str, int]:
    path = DATA_DIR / f"population-{city}.json"
    return json.loads(path.read_text(encoding="utf-8"))["population"] if path.exists() else {}


def population(code: str) -> int | None:
    """Resident population where configured (population-<city>.json, census figures with their
    source); None elsewhere, and per-10,000 figures are then left out rather than guessed."""
    return _population(city_code()).get(str(code))


def report_recipients(code: str) -> list[str]:
    """Leaders' addresses for the periodic reports of the city or a county (configuration data,
    report-recipients-<city>.json)."""
    path = DATA_DIR / f"report-recipients-{city_code()}.json"
    if not path.exists():
        return []
    return list(_load(path.name)["recipients"].get(str(code), []))
