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


def dump_buckets(s3, folder: Path, previous: dict | None = None) -> dict:
    """Every object of every bucket as a file under `folder/<bucket>/<key>`; returns the
    manifest ({bucket: {key: {contentType, etag}}}) kept in state.json. Objects whose ETag is
    unchanged since `previous` are not read again; files of deleted objects are removed."""
    previous = previous or {}
    manifest: dict[str, dict] = {}
    for bucket in [b["Name"] for b in s3.list_buckets().get("Buckets", [])]:
        objects = manifest[bucket] = {}
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            for obj in page.get("Contents", []):
                key, etag = obj["Key"], obj["ETag"]
                path = folder / bucket / key
                known = previous.get(bucket, {}).get(key)
                if known and known["etag"] == etag and path.exists():
                    objects[key] = known
                    continue
                got = s3.get_object(Bucket=bucket, Key=key)
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(got["Body"].read())
                objects[key] = {"etag": etag, "contentType": got.get("ContentType", "")}
        for key in set(previous.get(bucket, {})) - set(objects):
            (folder / bucket / key).unlink(missing_ok=True)
    return manifest


def load_buckets(s3, folder: Path, manifest: dict) -> int:
    count = 0
    for bucket, objects in (manifest or {}).items():
        for key, meta in objects.items():
            path = folder / bucket / key
            if path.exists():
                s3.put_object(Bucket=bucket, Key=key, Body=path.read_bytes(),
                              ContentType=meta.get("contentType") or "binary/octet-stream")
                count += 1
    return count
