"""调解组织查询 and 部门职能查询: the public face of the unit directory as administered (the
bundled seed merged with administrators' edits, which the directory adapter caches)."""
from __future__ import annotations

import json

from .. import reference
from ..domain.errors import ValidationFailed

MAX_ITEMS = 300


def _payload(unit_type: str | None, region_code: str | None, units: tuple[dict, ...]) -> str:
    items = reference.public_units(unit_type, region_code, units)
    body = {"type": unit_type, "regionCode": region_code, "total": len(items), "items": list(items[:MAX_ITEMS])}
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


def public_units(unit_type: str | None, region_code: str | None, units: tuple[dict, ...]) -> str:
    """The serialised answer over `units` (the directory's current units: inactive ones are
    left out). `type` is one of the unit types; `regionCode` a region of the city (the units
    seated there or below it)."""
    unit_type = unit_type or None
    region_code = (region_code or "").strip() or None
    if unit_type is not None and unit_type not in reference.UNIT_TYPES:
        raise ValidationFailed(fields={"type": "单位类型应为综治中心、职能部门、调解组织或其他机构"})
    if region_code is not None and region_code != reference.city_code() and reference.region(region_code) is None:
        raise ValidationFailed(fields={"regionCode": "没有这个地区"})
    return _payload(unit_type, region_code, units)
