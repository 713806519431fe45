"""Saving and loading the local runtime's state (tables, secrets, the matter clock).

Written atomically (temp file, fsync, rename) so a kill -9 loses at most the changes since
the last save and never leaves a half-written file.
"""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

FORMAT_VERSION = 1


def dump_tables(ddb) -> dict[str, list]:
    """Every item of every table (a Scan: local persistence only, never a request path)."""
    tables = {}
    for name in ddb.list_tables()["TableNames"]:
        items, kwargs = [], {"TableName": name}
        while True:
            page = ddb.scan(**kwargs)
            items.extend(page["Items"])
            if "LastEvaluatedKey" not in page:
                break
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        tables[name] = items
    return tables


def load_tables(ddb, tables: dict[str, list]) -> int:
    count = 0
    for name, items in tables.items():
        for i in range(0, len(items), 25):
            requests = [{"PutRequest": {"Item": item}} for item in items[i:i + 25]]
            pending = {name: requests}
            while pending:
                pending = ddb.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
            count += len(requests)
    return count


def write_atomically(path: Path, state: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".state-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump({"formatVersion": FORMAT_VERSION, **state}, f, ensure_ascii=False)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def read(path: Path) -> dict | None:
    if not path.exists():
        return None
    state = json.loads(path.read_text(encoding="utf-8"))
    if state.get("formatVersion") != FORMAT_VERSION:
        raise ValueError(f"{path}: unknown snapshot format {state.get('formatVersion')}")
    return state
