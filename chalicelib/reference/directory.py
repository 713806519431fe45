"""The unit directory as the lifecycle rules see it: units by id, the centre of a place,
the centre one level up."""
from __future__ import annotations

import hashlib
from typing import Callable

from . import city_code
from . import unit as bundled_unit

LEVEL_DIGITS = {"county": 6, "township": 9}


class ReferenceDirectory:
    def __init__(self, lookup: Callable[[str], dict | None] = bundled_unit):
        """`lookup`: unit id → unit; the bundled files by default, the administered
        directory (chalicelib/adapters/directory.py) in the app."""
        self._lookup = lookup

    def unit(self, unit_id: str) -> dict | None:
        return self._lookup(unit_id)

    def centre_for(self, region_code: str, level: str) -> dict | None:
        """The 综治中心 / 矛调中心 of the matter's township, county or the city."""
        if level == "city":
            return self.unit(f"centre-{city_code()}")
        return self.unit(f"centre-{region_code[:LEVEL_DIGITS[level]]}")

    def parent_centre(self, centre_id: str) -> dict | None:
        """Township centre → county centre → city centre → none."""
        centre = self.unit(centre_id)
        if centre is None or centre["level"] == "city":
            return None
        level = "county" if centre["level"] == "township" else "city"
        return self.centre_for(centre["regionCode"], level)

    def duty_mobile(self, unit_id: str) -> str:
        """The unit's duty mobile for SMS and voice warnings. The demo directory has none, so
        a fictional, stable number is derived from the unit id (199 numbers; demo only)."""
        u = self.unit(unit_id) or {}
        if u.get("dutyMobile"):
            return u["dutyMobile"]
        return "199" + str(int(hashlib.sha256(unit_id.encode()).hexdigest(), 16))[-8:]
