"""The unit directory and routing table everyone reads: the bundled reference files as the
seed, with administrators' edits as an overlay in the matters table, merged here.

Overlay items share one partition per city, `REF#<city>`: `UNIT#<unitId>` (an edited seed unit
or a new one, the whole unit as JSON) and `ROUTING` (the whole rules list). One Query reads
them all; the merged result is kept per process for `ttl` seconds (30 by default,
`JIEYOU_DIRECTORY_TTL`), and a write made by this process drops it at once. Other containers
see a change within the TTL. Every overlay item has a version: a write names the version it
edited (0 for "never edited") and loses with 409 when someone wrote in between.

Every consumer of unit lookups goes through `UnitDirectory`: token → Actor, the lifecycle's
directory (names, centres), routing at intake, dispatch candidates, accounts. Inactive units
stay visible by id (old matters keep their names) but leave the routing index, so they are
neither routing targets nor dispatch candidates.
"""
from __future__ import annotations

import json
import os
import threading
import time
from dataclasses import dataclass
from typing import Callable

from pynamodb.attributes import UnicodeAttribute, VersionAttribute
from pynamodb.exceptions import PutError

from .. import reference
from ..domain.errors import Conflict
from ..domain.routing import UnitIndex
from ..reference import routing as routing_data
from .dynamo import _TableItem


class UnitOverlayRecord(_TableItem, discriminator="unit"):
    data = UnicodeAttribute()  # the whole unit, JSON
    updated_by = UnicodeAttribute(attr_name="updatedBy")
    updated_at = UnicodeAttribute(attr_name="updatedAt")
    version = VersionAttribute()


class RoutingOverlayRecord(_TableItem, discriminator="routing"):
    rules = UnicodeAttribute()  # the whole ordered rules list, JSON
    updated_by = UnicodeAttribute(attr_name="updatedBy")
    updated_at = UnicodeAttribute(attr_name="updatedAt")
    version = VersionAttribute()


def overlay_pk(city: str) -> str:
    return f"REF#{city}"


@dataclass(frozen=True, eq=False)
class DirectoryState:
    units: tuple[dict, ...]          # seed order, then new units by id; each with active, version
    by_id: dict[str, dict]
    position: dict[str, int]         # unit id → index in `units` (keyset paging)
    index: UnitIndex                 # active units only: routing and dispatch
    rules: list[dict]
    rules_version: int


def _region_names() -> dict[str, str]:
    names, stack = {}, [reference.catalog()["regions"]]
    while stack:
        node = stack.pop()
        names[node["code"]] = node["name"]
        stack.extend(node["children"])
    return names


def merge(seed: list[dict], overlays: dict[str, tuple[dict, int]], rules: list[dict],
          rules_version: int) -> DirectoryState:
    seed_ids = {u["id"] for u in seed}
    units = [{**u, "active": True, "version": 0} for u in seed]
    units = [{**overlays[u["id"]][0], "version": overlays[u["id"]][1]} if u["id"] in overlays else u
             for u in units]
    units += [{**overlays[i][0], "version": overlays[i][1]} for i in sorted(overlays) if i not in seed_ids]
    active = [u for u in units if u.get("active", True)]
    index = UnitIndex.from_units(active, _region_names(),
                                 {c["code"]: c["name"] for c in reference.categories()})
    return DirectoryState(tuple(units), {u["id"]: u for u in units},
                          {u["id"]: i for i, u in enumerate(units)}, index, rules, rules_version)


class UnitDirectory:
    def __init__(self, ttl: float | None = None, clock: Callable[[], float] = time.monotonic):
        self.ttl = float(os.environ.get("JIEYOU_DIRECTORY_TTL", "30")) if ttl is None else ttl
        self._clock = clock
        self._state: DirectoryState | None = None
        self._loaded_at = 0.0
        self._lock = threading.Lock()

    # -- reading --------------------------------------------------------------------------
    def state(self) -> DirectoryState:
        with self._lock:
            if self._state is None or self._clock() - self._loaded_at >= self.ttl:
                self._state, self._loaded_at = self._load(), self._clock()
            return self._state

    def invalidate(self) -> None:
        with self._lock:
            self._state = None

    def _load(self) -> DirectoryState:
        """One Query on the city's overlay partition, merged onto the bundled files."""
        city = reference.city_code()
        overlays: dict[str, tuple[dict, int]] = {}
        rules, rules_version = routing_data.routing_rules(), 0
        for item in _TableItem.query(overlay_pk(city), consistent_read=True):
            if isinstance(item, UnitOverlayRecord):
                unit = json.loads(item.data)
                overlays[unit["id"]] = (unit, int(item.version))
            elif isinstance(item, RoutingOverlayRecord):
                rules, rules_version = json.loads(item.rules), int(item.version)
        return merge(reference.units(), overlays, rules, rules_version)

    def unit(self, unit_id: str) -> dict | None:
        return self.state().by_id.get(unit_id) if isinstance(unit_id, str) else None

    def units(self) -> tuple[dict, ...]:
        return self.state().units

    def unit_index(self) -> UnitIndex:
        return self.state().index

    def routing_rules(self) -> list[dict]:
        return self.state().rules

    # -- writing (admins) ------------------------------------------------------------------
    def save_unit(self, unit: dict, expected_version: int, by: str, at: str) -> int:
        """Store the whole unit if its version is still `expected_version` (0: never
        edited, or new); the new version. Conflict (409) otherwise."""
        data = {k: v for k, v in unit.items() if k != "version"}
        record = UnitOverlayRecord(overlay_pk(reference.city_code()), f"UNIT#{unit['id']}",
                                   data=json.dumps(data, ensure_ascii=False), updated_by=by, updated_at=at)
        return self._save(record, expected_version)

    def save_rules(self, rules: list[dict], expected_version: int, by: str, at: str) -> int:
        record = RoutingOverlayRecord(overlay_pk(reference.city_code()), "ROUTING",
                                      rules=json.dumps(rules, ensure_ascii=False), updated_by=by,
                                      updated_at=at)
        return self._save(record, expected_version)

    def _save(self, record, expected_version: int) -> int:
        if expected_version:
            record.version = expected_version  # PynamoDB: condition version == expected, then +1
        try:
            record.save()
        except PutError as err:
            if getattr(err, "cause_response_code", None) == "ConditionalCheckFailedException":
                raise Conflict() from err
            raise
        finally:
            self.invalidate()
        return int(record.version)
