"""The whole system in one process, with no AWS account: moto's server on loopback with
Step Functions execution on, resources from infra/template.yaml, the state machines'
Lambda tasks answered by functions/, the API and web/ on one origin, and the data saved
to JIEYOU_DATA_DIR and loaded back on the next start."""
from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import snapshot
from .template import ROOT, Resolver, function_handlers, load_template, provision

logger = logging.getLogger("jieyou.local")

WRITE_OPERATIONS = {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}


def restart_agreement_timers(table: str, gateway=None) -> int:
    """moto keeps no executions across a restart: every effective agreement gets its timers
    back (the execution plans from the stored agreement, so reminders already sent are not
    sent again and one with nothing left ends at once). A Scan at start-up only."""
    import boto3
    from ..lifecycle import AgreementTimersGateway
    gateway = gateway or AgreementTimersGateway()
    ddb = boto3.session.Session().client("dynamodb")
    kwargs = {"TableName": table,
              "FilterExpression": "#t = :m AND begins_with(sk, :g) AND body.#s = :effective",
              "ExpressionAttributeNames": {"#t": "type", "#s": "status"},
              "ExpressionAttributeValues": {":m": {"S": "mediation"}, ":g": {"S": "G#"},
                                            ":effective": {"S": "effective"}},
              "ProjectionExpression": "pk, sk"}
    started = 0
    while True:
        page = ddb.scan(**kwargs)
        for item in page["Items"]:
            if gateway.start(item["pk"]["S"][len("M#"):], item["sk"]["S"][len("G#"):]):
                started += 1
        if "LastEvaluatedKey" not in page:
            return started
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


@dataclass
class RuntimeStatus:
    """What `GET /api/dev/runtime` reports."""
    lifecycles_started: int = 0
    lifecycles_to_restart: int = 0
    last_saved_at: float | None = None
    restored_items: int = 0
    extra: dict = field(default_factory=dict)


def _refuse_real_aws() -> None:
    """A call moto did not intercept fails here instead of leaving the machine."""
    import botocore.handlers
    from moto.core.models import botocore_stubber
    from urllib.parse import urlsplit

    def loopback_only(request, **_):
        if not botocore_stubber.enabled and urlsplit(request.url).hostname not in ("127.0.0.1", "localhost"):
            raise ConnectionRefusedError(f"the local runtime never calls AWS itself: {request.url}")
    botocore.handlers.BUILTIN_HANDLERS.append(("before-send", loopback_only))


class LocalRuntime:
    def __init__(self, data_dir: Path | None = None, host: str = "127.0.0.1", port: int = 8000,
                 region: str = "us-east-1", autosave_seconds: float = 2.0):
        self.data_dir = Path(data_dir or os.environ.get("JIEYOU_DATA_DIR") or ROOT / ".data")
        self.state_path = self.data_dir / "state.json"
        self.host, self.port, self.region = host, port, region
        self.autosave_seconds = autosave_seconds
        self.status = RuntimeStatus()
        self._dirty = threading.Event()
        self._stopping = threading.Event()
        self._save_lock = threading.Lock()
        self._moto = None
        self._http = None
        self.env: dict[str, str] = {}

    # -- AWS stand-in -------------------------------------------------------------------
    def _start_moto(self) -> None:
        """moto's backends serve two doors: this process's own clients (the API, the
        functions, the state-machine executor) reach them in-process through moto's
        botocore interceptor, with no HTTP hop; everything outside the process (the AWS CLI,
        a second tool, the browser's moto dashboard) reaches the very same backends through
        ThreadedMotoServer on loopback."""
        from moto import mock_aws
        from moto.server import ThreadedMotoServer

        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        os.environ.pop("AWS_ENDPOINT_URL", None)
        os.environ.update({
            "AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local",
            "AWS_DEFAULT_REGION": self.region, "AWS_REGION": self.region,
            "JIEYOU_STAGE": "local",
        })
        from . import moto_speedups
        moto_speedups.install()
        self._mock = mock_aws(config={"stepfunctions": {"execute_state_machine": True}})
        self._mock.start()
        self._moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self._moto.start()
        _, moto_port = self._moto.get_host_and_port()
        os.environ["MOTO_PORT"] = str(moto_port)
        self.status.extra["motoEndpoint"] = f"http://127.0.0.1:{moto_port}"
        # presigned evidence URLs point the browser at moto's loopback server
        os.environ["S3_PUBLIC_ENDPOINT"] = self.status.extra["motoEndpoint"]
        _refuse_real_aws()

    def _watch_writes(self) -> None:
        import botocore.handlers

        def after_call(model, **_):
            if model.name in WRITE_OPERATIONS:
                self._dirty.set()
        botocore.handlers.BUILTIN_HANDLERS.append(("after-call.dynamodb", after_call))

    # -- start / stop -------------------------------------------------------------------
    def start(self) -> None:
        import boto3

        self._start_moto()
        self._watch_writes()
        template = load_template()
        from .bridge import LambdaBridge
        self.bridge = LambdaBridge(function_handlers(template))
        self.bridge.install()

        saved = snapshot.read(self.state_path)
        session = boto3.session.Session()
        resolver = Resolver(template, self.region)
        # Stable Cognito ids across restarts (a hash of the template's pool and client), so a
        # console tab's tokens still verify after `make run` is restarted.
        os.environ.setdefault("MOTO_COGNITO_IDP_USER_POOL_ID_STRATEGY", "HASH")
        os.environ.setdefault("MOTO_COGNITO_IDP_USER_POOL_CLIENT_ID_STRATEGY", "HASH")
        self.env = provision(session, resolver, (saved or {}).get("secrets"))
        os.environ.update(self.env)
        self._staff_sign_in()
        if saved:
            from ..dynamo import reindexed  # index keys added since the snapshot was taken
            tables = {name: reindexed(items) if name == self.env["MATTERS_TABLE"] else items
                      for name, items in saved["tables"].items()}
            self.status.restored_items = snapshot.load_tables(session.client("dynamodb"), tables)
            self._objects = saved.get("objects") or {}
            self.status.extra["restoredObjects"] = snapshot.load_buckets(
                session.client("s3"), self.data_dir / "objects", self._objects)
            self._restore_accounts()
        self._anchor_clock(saved)
        self._start_statistics(template, saved)

        from app import app  # imported only now: settings read the environment set above
        from ... import wiring
        wiring.repository().warm()  # before any thread races to build the clients
        from ...services import articles
        from ... import reference
        self.status.extra["sampleArticlesSeeded"] = articles.seed_samples(reference.sample_articles(),
                                                                          wiring.article_deps())
        from .server import make_server
        web_root = ROOT / "web"
        os.environ["JIEYOU_OUTBOX_DIR"] = str(self.data_dir / "outbox")  # voice calls land here
        from .outbox import Outbox
        self.outbox = Outbox(self.data_dir / "outbox", self.region)
        self._http = make_server(app, self.host, self.port, web_root)
        self.port = self._http.server_address[1]
        os.environ["WEB_ORIGIN"] = f"http://127.0.0.1:{self.port}"  # join links sent by SMS
        self._allow_web_origin(session, resolver)
        from . import current
        current.runtime = self  # before the first request: /api/dev/* reads it
        self._dirty.clear()
        threading.Thread(target=self._restart_lifecycles, name="lifecycles", daemon=True).start()
        threading.Thread(target=self._autosave, name="autosave", daemon=True).start()
        threading.Thread(target=self._reconcile_timer, name="reconciler", daemon=True).start()
        threading.Thread(target=self._pump_streams, name="streams", daemon=True).start()
        threading.Thread(target=self._fire_schedules, args=(template,), name="schedules", daemon=True).start()
        threading.Thread(target=self._http.serve_forever, name="http", daemon=True).start()

    def _start_statistics(self, template: dict, saved: dict | None) -> None:
        """The statistics counters are saved with the tables, so the restored items' stream
        records are skipped (the pump starts at LATEST). A snapshot from before the counters
        existed gets them rebuilt once, before anything else writes."""
        from .streams import StreamPump
        self.streams = StreamPump(template, self.region, self.bridge.invoke)
        if saved and not any(i.get("type", {}).get("S") == "stat"
                             for items in saved["tables"].values() for i in items):
            if any(i.get("type", {}).get("S") == "matter" for items in saved["tables"].values() for i in items):
                result, error = self.bridge.invoke("StatisticsRebuildFunction", {})
                self.status.extra["statisticsRebuiltAtStart"] = error or result
        self.streams.start_at_latest()

    def rebuild_statistics(self, dry_run: bool = False) -> dict:
        """`make stats-rebuild`: deliver what the stream holds, then recount, with the pump
        held so no batch lands in between."""
        with self.streams.hold():
            self.streams.pump_locked()
            result, error = self.bridge.invoke("StatisticsRebuildFunction", {"dryRun": dry_run})
        return {"error": result} if error else result

    def _pump_streams(self) -> None:
        """DynamoDB Streams → the statistics function every half second (moto has no event
        source mappings for streams): the counters stay live in `make run`."""
        while not self._stopping.wait(0.5):
            try:
                self.streams.pump()
            except Exception:  # noqa: BLE001 - the next tick tries again from the same place
                logger.exception("stream delivery failed")
        self.status.extra["streamRecordsDelivered"] = self.streams.delivered

    def _fire_schedules(self, template: dict) -> None:
        """The template's EventBridge Scheduler schedules (periodic reports), which moto never
        fires: checked every 20 s against the matter clock."""
        from ..clock import now
        from .schedules import ScheduleTimer
        self.schedule_timer = ScheduleTimer(template, self.bridge.invoke, now)
        while not self._stopping.wait(20):
            try:
                self.schedule_timer.tick()
            except Exception:  # noqa: BLE001 - the next tick tries again
                logger.exception("firing schedules failed")

    def _allow_web_origin(self, session, resolver) -> None:
        """The template's bucket CORS names the deployed web origin; locally the portal is
        served from this runtime's own origin, so uploads from it must be allowed instead."""
        from .template import bucket_settings
        s3 = session.client("s3", region_name=self.region)
        origins = [self.url, f"http://localhost:{self.port}"]
        for logical_id in resolver.resources("AWS::S3::Bucket"):
            cors = bucket_settings(resolver, logical_id).get("put_bucket_cors")
            if cors:
                rules = [{**rule, "AllowedOrigins": origins} for rule in cors["CORSConfiguration"]["CORSRules"]]
                s3.put_bucket_cors(Bucket=resolver.ref(logical_id), CORSConfiguration={"CORSRules": rules})
        self.status.extra["evidenceUploadOrigins"] = origins

    def _staff_sign_in(self) -> None:
        """moto's Cognito keeps nothing across a restart: the demo staff accounts are created
        again at every start; accounts made by administrators come back from the account
        register once the tables are loaded (`_restore_accounts`). Tokens are verified against
        the JWKS moto's server publishes for the pool (STAFF_JWKS_URL)."""
        from ... import reference
        from ..auth import ensure_staff_users
        pool_id = self.env["STAFF_USER_POOL_ID"]
        self.env["STAFF_JWKS_URL"] = f"{self.status.extra['motoEndpoint']}/{pool_id}/.well-known/jwks.json"
        os.environ["STAFF_JWKS_URL"] = self.env["STAFF_JWKS_URL"]
        self.status.extra["staffAccountsCreated"] = ensure_staff_users(pool_id, reference.demo_accounts())

    def _restore_accounts(self) -> None:
        """Accounts administrators created or disabled, from the account register in the
        loaded table: recreated without their password (never stored), see docs/local-runtime.md."""
        from ...domain.accounts import temporary_password
        from ..accounts import restore_accounts
        self.status.extra.update(restore_accounts(self.env["STAFF_USER_POOL_ID"],
                                                  lambda: temporary_password(os.urandom)))

    def _anchor_clock(self, saved: dict | None) -> None:
        """Matter-time never runs backwards across a restart, whatever the clock speed."""
        from ..clock import clock
        c = clock()
        saved_virtual = ((saved or {}).get("clock") or {}).get("virtual")
        if saved_virtual and saved_virtual > time.time():
            c.anchor(virtual=saved_virtual)
        self.status.extra["clockSpeed"] = c.speed

    def _open_matter_ids(self) -> list[str]:
        import boto3
        ddb = boto3.session.Session().client("dynamodb")
        ids, kwargs = [], {"TableName": self.env["MATTERS_TABLE"],
                           "FilterExpression": "#t = :m AND #s <> :closed",
                           "ExpressionAttributeNames": {"#t": "type", "#s": "status"},
                           "ExpressionAttributeValues": {":m": {"S": "matter"}, ":closed": {"S": "closed"}},
                           "ProjectionExpression": "matterId"}
        while True:  # a Scan at start-up of the local runtime only, never on a request path
            page = ddb.scan(**kwargs)
            ids.extend(item["matterId"]["S"] for item in page["Items"])
            if "LastEvaluatedKey" not in page:
                return ids
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def _restart_lifecycles(self) -> None:
        """Runs beside the API (starting one execution costs ~40 ms on moto): the API
        answers at once while open matters get their lifecycles back."""
        from ..lifecycle import LifecycleGateway
        try:
            ids = self._open_matter_ids()
            self.status.lifecycles_to_restart = len(ids)
            gateway = LifecycleGateway()
            pause = 1.0 / float(os.environ.get("JIEYOU_RESTART_RATE", "25"))
            for matter_id in ids:
                if self._stopping.is_set():
                    return
                gateway.start(matter_id)
                # paced: each start sets moto's executor to work in new threads, and an
                # unpaced burst of thousands would starve the API of the interpreter
                time.sleep(pause)
                self.status.lifecycles_started += 1
                self.status.lifecycles_to_restart -= 1
        except Exception:  # noqa: BLE001 - the API keeps serving; the log says what failed
            logger.exception("restarting lifecycles failed")
        try:
            self.status.extra["agreementTimersRestarted"] = restart_agreement_timers(self.env["MATTERS_TABLE"])
        except Exception:  # noqa: BLE001
            logger.exception("restarting agreement timers failed")

    def _reconcile_timer(self) -> None:
        """The cloud's EventBridge schedule of functions/reconciler.py, locally: every
        JIEYOU_RECONCILE_SECONDS (300 by default) of real time."""
        from ...services import reconcile
        from ... import wiring
        period = float(os.environ.get("JIEYOU_RECONCILE_SECONDS", "300"))
        while not self._stopping.wait(period):
            if self.status.lifecycles_to_restart:
                continue  # the start-up restart is still at work
            try:
                report = reconcile.reconcile(wiring.reconcile_deps())
                self.status.extra["lastReconcile"] = {
                    "at": self.now_iso(), "checked": report["checked"],
                    "restarted": len(report["restarted"]), "givenUp": len(report["givenUp"])}
            except Exception:  # noqa: BLE001 - the next round tries again
                logger.exception("reconciling failed")

    def _autosave(self) -> None:
        """Every 2 s when DynamoDB was written; a save that took T seconds is followed by at
        least 5T of rest, so snapshots of a large data set never take more than ~1/6 of the
        process (the kill -9 window grows with the data: reported by /api/dev/runtime)."""
        rest = self.autosave_seconds
        while not self._stopping.wait(rest):
            started = time.perf_counter()
            try:
                self.outbox.flush(self.now_iso())
                if self._dirty.is_set():
                    self.save()
            except Exception:  # noqa: BLE001 - try again at the next tick
                logger.exception("autosave failed")
            rest = max(self.autosave_seconds, 5 * (time.perf_counter() - started))
            self.status.extra["autosaveEverySeconds"] = round(rest, 1)

    @staticmethod
    def now_iso() -> str:
        from ...domain.deadlines import iso
        from ..clock import now
        return iso(now())

    def save(self) -> None:
        import boto3
        from ..clock import clock
        with self._save_lock:
            self._dirty.clear()
            session = boto3.session.Session()
            sm = session.client("secretsmanager")
            secret_values = {s["Name"]: sm.get_secret_value(SecretId=s["Name"])["SecretString"]
                             for s in sm.list_secrets()["SecretList"]}
            snapshot.write_atomically(self.state_path, {
                "savedAt": time.time(),
                "clock": {"virtual": clock().timestamp()},
                "secrets": secret_values,
                "tables": snapshot.dump_tables(session.client("dynamodb")),
                "objects": self._save_objects(session),
            })
            self.status.last_saved_at = time.time()

    def _save_objects(self, session) -> dict:
        """Uploaded evidence is kept as files beside state.json (too big to inline)."""
        self._objects = snapshot.dump_buckets(session.client("s3"), self.data_dir / "objects",
                                              getattr(self, "_objects", None))
        return self._objects

    def stop(self) -> None:
        self._stopping.set()
        if self._http:
            self._http.shutdown()
        self.save()
        if self._moto:
            self._moto.stop()
        if getattr(self, "_mock", None):
            self._mock.stop()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def runtime_report(self) -> dict:
        """Executions held and what they cost (moto keeps ~3 threads per execution)."""
        import resource
        return {
            "lifecyclesStarted": self.status.lifecycles_started,
            "lifecyclesToRestart": self.status.lifecycles_to_restart,
            "threads": threading.active_count(),
            "maxRssMb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "lastSavedAt": self.status.last_saved_at,
            "restoredItems": self.status.restored_items,
            "streamRecordsDelivered": getattr(getattr(self, "streams", None), "delivered", 0),
            "streamBatchesFailed": getattr(getattr(self, "streams", None), "failures", 0),
            "schedulesFired": getattr(getattr(self, "schedule_timer", None), "fired", [])[-20:],
            **self.status.extra,
        }
