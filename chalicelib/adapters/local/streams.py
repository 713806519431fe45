"""DynamoDB Streams → Lambda, locally: moto records every table's stream but never triggers a
function from it (docs/local-runtime.md). The pump reads each stream the template wires to a
function (an `Events: {Type: DynamoDB}` entry) with GetRecords and invokes that function with a
Lambda-shaped batch, applying the event source's FilterCriteria. A batch whose handler fails is
delivered again at the next pump, as Lambda retries it; the statistics handler is idempotent per
record, so that is harmless. The runtime pumps from a thread every half second; tests call
`pump()` themselves."""
from __future__ import annotations

import copy
import json
import logging
import threading
from datetime import datetime

import boto3

from .template import Resolver

logger = logging.getLogger(__name__)


def stream_sources(template: dict) -> list[dict]:
    """[{function, table (logical id), batchSize, filters}] from the template's DynamoDB events."""
    out = []
    for lid, res in template["Resources"].items():
        if res.get("Type") != "AWS::Serverless::Function":
            continue
        for ev in (res["Properties"].get("Events") or {}).values():
            if ev.get("Type") != "DynamoDB":
                continue
            props = ev["Properties"]
            stream = props["Stream"]
            table = stream["Fn::GetAtt"][0]  # !GetAtt <Table>.StreamArn
            patterns = [json.loads(f["Pattern"]) for f in
                        ((props.get("FilterCriteria") or {}).get("Filters") or [])]
            out.append({"function": lid, "table": table, "batchSize": int(props.get("BatchSize", 100)),
                        "filters": patterns})
    return out


def _matches(pattern, value) -> bool:
    """The subset of EventBridge-style patterns the template uses: nested objects whose leaves
    are lists of allowed values."""
    if isinstance(pattern, dict):
        return isinstance(value, dict) and all(_matches(p, value.get(k)) for k, p in pattern.items())
    if isinstance(pattern, list):
        return value in pattern
    return pattern == value


def _lambda_record(record: dict, stream_arn: str) -> dict:
    body = dict(record["dynamodb"])
    created = body.get("ApproximateCreationDateTime")
    if isinstance(created, datetime):
        body["ApproximateCreationDateTime"] = created.timestamp()
    return {**{k: v for k, v in record.items() if k != "dynamodb"}, "dynamodb": body,
            "eventSourceARN": stream_arn}


class StreamPump:
    def __init__(self, template: dict, region: str, invoke, starting_position: str = "TRIM_HORIZON"):
        """`invoke(function logical id, event) → (result, error or None)` (LambdaBridge.invoke)."""
        self.sources = stream_sources(template)
        self.resolver = Resolver(template, region)
        self.region = region
        self.invoke = invoke
        self.starting_position = starting_position
        self._iterators: dict[tuple[str, str], str] = {}
        self._lock = threading.RLock()
        self._arns: dict[str, str] = {}
        self.delivered = 0
        self.failures = 0

    def _clients(self):
        """Created once: a botocore client costs ~60 ms of CPU, and the pump runs twice a second."""
        if getattr(self, "_cached_clients", None) is None:
            self._cached_clients = self._new_clients()
        return self._cached_clients

    def _new_clients(self):
        session = boto3.session.Session()
        # botocore ≥ 1.40 sends stream calls to an account-based endpoint moto does not route
        streams = session.client("dynamodbstreams", region_name=self.region,
                                 endpoint_url=f"https://streams.dynamodb.{self.region}.amazonaws.com")
        return session.client("dynamodb", region_name=self.region), streams

    def start_at_latest(self) -> None:
        """Skip what is already in the streams (the runtime's restored snapshot: its counters
        were saved with it)."""
        self.starting_position = "LATEST"
        self.pump(deliver=False)

    def hold(self):
        """The pump's lock: no batch is delivered while it is held."""
        return self._lock

    def pump(self, deliver: bool = True) -> int:
        """Deliver every record available now; the number of records delivered."""
        with self._lock:
            return self.pump_locked(deliver)

    def pump_locked(self, deliver: bool = True) -> int:
        """pump() for a caller already holding the lock."""
        ddb, streams = self._clients()
        total = 0
        for source in self.sources:
            table = self.resolver.ref(source["table"])
            arn = self._arns.get(table) or ddb.describe_table(TableName=table)["Table"].get("LatestStreamArn")
            self._arns[table] = arn
            if not arn:
                continue
            shard = self._in_process_shard(arn)
            if shard is not None:
                total += self._drain_in_process(shard, source, arn, deliver)
                continue
            for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
                total += self._drain(streams, source, arn, shard["ShardId"], deliver)
        return total

    def _in_process_shard(self, arn: str):
        """moto's own shard when moto runs in this process (the runtime and the tests): its
        records are filtered before they are serialised. The statistics function's own counter
        writes are most of the stream and carry large images; serialising them through
        GetRecords only to drop them cost more than the counting itself."""
        try:
            from moto.dynamodb.models import dynamodb_backends
            from .template import ACCOUNT
            table_name = arn.split(":table/", 1)[1].split("/", 1)[0]
            return dynamodb_backends[ACCOUNT][self.region].get_table(table_name).stream_shard
        except Exception:  # noqa: BLE001 - not in this process: GetRecords it is
            return None

    def _drain(self, streams, source: dict, arn: str, shard_id: str, deliver: bool) -> int:
        key = (source["function"], shard_id)
        if key not in self._iterators:
            self._iterators[key] = streams.get_shard_iterator(
                StreamArn=arn, ShardId=shard_id, ShardIteratorType=self.starting_position)["ShardIterator"]
        count = 0
        while True:
            page = streams.get_records(ShardIterator=self._iterators[key], Limit=source["batchSize"])
            records = [_lambda_record(r, arn) for r in page["Records"]]
            if not records:
                return count
            wanted = [r for r in records
                      if not source["filters"] or any(_matches(p, r) for p in source["filters"])]
            if deliver and wanted:
                _, error = self.invoke(source["function"], {"Records": wanted})
                if error:  # Lambda retries the same batch: keep the iterator where it was
                    self.failures += 1
                    logger.warning("stream batch for %s failed; it will be delivered again",
                                   source["function"])
                    return count
                self.delivered += len(wanted)
                count += len(wanted)
            self._iterators[key] = page["NextShardIterator"]

    def _drain_in_process(self, shard, source: dict, arn: str, deliver: bool) -> int:
        key = (source["function"], shard.id, "position")
        if key not in self._iterators:
            self._iterators[key] = 0 if self.starting_position == "TRIM_HORIZON" else len(shard.items)
        count = 0
        while True:
            start = self._iterators[key]
            chunk = shard.items[start:start + source["batchSize"]]
            if not chunk:
                return count
            wanted = [_lambda_record(copy.deepcopy(r.record), arn) for r in chunk
                      if not source["filters"] or any(_matches(p, r.record) for p in source["filters"])]
            if deliver and wanted:
                _, error = self.invoke(source["function"], {"Records": wanted})
                if error:
                    self.failures += 1
                    logger.warning("stream batch for %s failed; it will be delivered again",
                                   source["function"])
                    return count
                self.delivered += len(wanted)
                count += len(wanted)
            self._iterators[key] = start + len(chunk)
