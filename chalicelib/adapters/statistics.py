"""The statistics counters and the warnings register in the matters table (docs/analytics.md).

Counter items have one numeric attribute per `<measure>|<kind>|<category>|<severity>` that
occurred, so their attribute names are data: PynamoDB models declare fixed attributes, hence the
low-level client here. Items:

- counter `ST#<region>` / `<D|W|M><bucket>#<child>` (type `stat`): ADD-updated;
- warning `SW#<city or county>` / `<matterId>` (type `warning`): the current entry;
- stream marker `X#<eventID>` / `#` (type `streammark`, TTL 2 days): written in the same
  transaction as the counter ADDs, conditioned on "does not exist", so a redelivered stream
  record changes nothing.
"""
from __future__ import annotations

import json
import random
import time
from decimal import Decimal

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from .. import settings
from . import aws

MARKER_TTL_SECONDS = 2 * 24 * 3600  # stream records live 24 h: a marker outlives any redelivery
_des, _ser = TypeDeserializer(), TypeSerializer()


def plain(value):
    """DynamoDB's Decimals back to ints/floats, recursively."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, set):
        return sorted(plain(v) for v in value)
    return value


def from_dynamo(image: dict | None) -> dict | None:
    """A stream image (typed attribute values) → a plain dict."""
    if not image:
        return None
    return plain({k: _des.deserialize(v) for k, v in image.items()})


def stream_changes(event: dict) -> list[tuple[str, dict | None, dict | None]]:
    """A Lambda DynamoDB-stream event → (eventID, old image, new image) per record."""
    return [(r["eventID"], from_dynamo(r["dynamodb"].get("OldImage")),
             from_dynamo(r["dynamodb"].get("NewImage"))) for r in event.get("Records", [])]


def _key(pk: str, sk: str) -> dict:
    return {"pk": {"S": pk}, "sk": {"S": sk}}


def counter_pk(region: str) -> str:
    return f"ST#{region}"


def warning_pk(partition: str) -> str:
    return f"SW#{partition}"


class DynamoStatisticsStore:
    def __init__(self, table: str | None = None):
        self.table = table or settings.MATTERS_TABLE

    @property
    def _ddb(self):
        return aws.client("dynamodb")

    # -- the stream consumer ---------------------------------------------------------------
    def apply(self, marker: str, updates: dict[tuple[str, str], dict[str, int]],
              warnings_put: list[tuple[str, dict]], warnings_delete: list[tuple[str, str]],
              now_epoch: float) -> bool:
        """One TransactWriteItems: the marker ("does not exist"), the counter ADDs and the
        warning register changes. False when the marker exists (a redelivery: nothing done).
        Contention on a hot counter (the city's day item) is retried with jitter."""
        items = [{"Put": {"TableName": self.table, "ConditionExpression": "attribute_not_exists(pk)",
                          "Item": {**_key(f"X#{marker}", "#"), "type": {"S": "streammark"},
                                   "ttl": {"N": str(int(now_epoch + MARKER_TTL_SECONDS))}}}}]
        for (region, sk), adds in sorted(updates.items()):
            names = {f"#a{i}": name for i, name in enumerate(sorted(adds))}
            values = {f":v{i}": {"N": str(adds[name])} for i, name in enumerate(sorted(adds))}
            items.append({"Update": {
                "TableName": self.table, "Key": _key(counter_pk(region), sk),
                "UpdateExpression": "SET #type = :stat ADD " + ", ".join(
                    f"#a{i} :v{i}" for i in range(len(adds))),
                "ExpressionAttributeNames": {**names, "#type": "type"},
                "ExpressionAttributeValues": {**values, ":stat": {"S": "stat"}}}})
        for partition, entry in warnings_put:
            items.append({"Put": {"TableName": self.table, "Item": {
                **_key(warning_pk(partition), entry["matterId"]), "type": {"S": "warning"},
                "entry": {"S": json.dumps(entry, ensure_ascii=False)}}}})
        for partition, matter_id in warnings_delete:
            items.append({"Delete": {"TableName": self.table, "Key": _key(warning_pk(partition), matter_id)}})
        for attempt in range(8):
            try:
                self._ddb.transact_write_items(TransactItems=items)
                return True
            except ClientError as err:
                if err.response["Error"]["Code"] != "TransactionCanceledException":
                    raise
                reasons = [r.get("Code") for r in err.response.get("CancellationReasons") or []]
                if reasons and reasons[0] == "ConditionalCheckFailed":
                    return False  # this stream record was counted before
                if "TransactionConflict" not in reasons or attempt == 7:
                    raise
                time.sleep(random.uniform(0, 0.05 * 2 ** attempt))  # noqa: S311 - retry jitter, not a secret
        return False

    # -- the analysis page -----------------------------------------------------------------
    def counters(self, region: str, low: str, high: str) -> list[tuple[str, dict[str, int]]]:
        """`ST#<region>` items with `low <= sk <= high`: one Query (paged at 1 MB)."""
        out, kwargs = [], {
            "TableName": self.table, "KeyConditionExpression": "pk = :pk AND sk BETWEEN :lo AND :hi",
            "ExpressionAttributeValues": {":pk": {"S": counter_pk(region)}, ":lo": {"S": low},
                                          ":hi": {"S": high}}}
        while True:
            page = self._ddb.query(**kwargs)
            for item in page["Items"]:
                out.append((item["sk"]["S"], {k: int(v["N"]) for k, v in item.items() if "N" in v}))
            if "LastEvaluatedKey" not in page:
                return out
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def warnings(self, partition: str, limit: int = 500) -> list[dict]:
        """The current warnings of a city or county, newest matter first: one Query."""
        page = self._ddb.query(TableName=self.table, KeyConditionExpression="pk = :pk",
                               ExpressionAttributeValues={":pk": {"S": warning_pk(partition)}},
                               ScanIndexForward=False, Limit=limit)
        return [json.loads(i["entry"]["S"]) for i in page["Items"]]

    # -- the rebuild (offline maintenance, never on a request) ------------------------------
    def _scan(self, filter_expression: str, values: dict):
        """A paginated Scan: the rebuild reads every matter once, which no index would make
        cheaper (every matter is needed) — an offline job only (docs/analytics.md)."""
        kwargs = {"TableName": self.table, "FilterExpression": filter_expression,
                  "ExpressionAttributeValues": values, "ExpressionAttributeNames": {"#t": "type"}}
        while True:
            page = self._ddb.scan(**kwargs)
            yield from page["Items"]
            if "LastEvaluatedKey" not in page:
                return
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def all_matters(self):
        for item in self._scan("#t = :m", {":m": {"S": "matter"}}):
            yield from_dynamo(item)

    def all_counters(self) -> dict[tuple[str, str], dict[str, int]]:
        out = {}
        for item in self._scan("#t = :s", {":s": {"S": "stat"}}):
            counts = {k: int(v["N"]) for k, v in item.items() if "N" in v}
            out[(item["pk"]["S"][3:], item["sk"]["S"])] = {k: n for k, n in counts.items() if n}
        return out

    def all_warnings(self) -> dict[tuple[str, str], dict]:
        return {(i["pk"]["S"][3:], i["sk"]["S"]): json.loads(i["entry"]["S"])
                for i in self._scan("#t = :w", {":w": {"S": "warning"}})}

    def write_counter(self, region: str, sk: str, counts: dict[str, int]) -> None:
        item = {**_key(counter_pk(region), sk), "type": {"S": "stat"},
                **{name: {"N": str(n)} for name, n in counts.items()}}
        self._ddb.put_item(TableName=self.table, Item=item)

    def delete_counter(self, region: str, sk: str) -> None:
        self._ddb.delete_item(TableName=self.table, Key=_key(counter_pk(region), sk))

    def write_warning(self, partition: str, entry: dict) -> None:
        self._ddb.put_item(TableName=self.table, Item={
            **_key(warning_pk(partition), entry["matterId"]), "type": {"S": "warning"},
            "entry": {"S": json.dumps(entry, ensure_ascii=False)}})

    def delete_warning(self, partition: str, matter_id: str) -> None:
        self._ddb.delete_item(TableName=self.table, Key=_key(warning_pk(partition), matter_id))
