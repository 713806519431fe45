"""The city's routing table and its unit directory, loaded once per process and city.

The domain (chalicelib.domain.routing) is pure and never reads files; this is where the table is
read and checked against the catalog, so a mistyped table fails at start-up, not on a matter.
"""
from __future__ import annotations

from functools import lru_cache

from chalicelib import reference
from chalicelib.domain.routing import UnitIndex, validate_rules


@lru_cache(maxsize=None)
def _rules(city: str) -> list[dict]:
    rules = reference._load(f"routing-{city}.json")["rules"]
    validate_rules(rules, kinds=reference.kind_codes(), categories=reference.category_codes(),
                   severities=reference.severity_codes())
    return rules


def routing_rules() -> list[dict]:
    """The ordered rules of routing-<city>.json (shared cache: read-only)."""
    return _rules(reference.city_code())


@lru_cache(maxsize=None)
def _index(city: str) -> UnitIndex:
    names: dict[str, str] = {}
    stack = [reference.catalog()["regions"]]
    while stack:
        node = stack.pop()
        names[node["code"]] = node["name"]
        stack.extend(node["children"])
    return UnitIndex.from_units(reference.units(), names,
                                {c["code"]: c["name"] for c in reference.categories()})


def unit_index() -> UnitIndex:
    """The city's unit directory indexed for routing, with region and category names."""
    return _index(reference.city_code())
