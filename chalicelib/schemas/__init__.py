"""JSON Schemas of request bodies and events, one ``<name>.schema.json`` file each.

The same files validate requests on the server and are served to the web front, so the two can
never disagree. Schemas are read once per process; treat the returned dicts as read-only.
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

_DIR = Path(__file__).resolve().parent
_SUFFIX = ".schema.json"


def schema_names() -> list[str]:
    """Names of the available schemas, sorted (``matter-intake`` for matter-intake.schema.json)."""
    return sorted(p.name[: -len(_SUFFIX)] for p in _DIR.glob("*" + _SUFFIX))


@lru_cache(maxsize=None)
def load_schema(name: str) -> dict:
    """The parsed schema ``name``; KeyError for an unknown name (never a path outside this folder)."""
    if name not in schema_names():
        raise KeyError(f"unknown schema: {name}")
    return json.loads((_DIR / f"{name}{_SUFFIX}").read_text(encoding="utf-8"))
