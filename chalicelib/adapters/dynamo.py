"""PynamoDB models of the matters table and the repository the services use.

One table holds a matter's whole aggregate in one partition (`M#<matterId>`): the matter
item, its timeline events and its task token, so a staff read is one Query. The citizen's
view lives in a small item keyed by tracking code (`T#<code>`): it is the tracking code's
uniqueness guard and lets a citizen lookup be one BatchGetItem together with the
rate-limit counter. Key layout and access patterns: docs/data-model.md.
"""
from __future__ import annotations

import hashlib
import uuid
from datetime import datetime, timezone

from pynamodb.attributes import (
    BooleanAttribute, DiscriminatorAttribute, ListAttribute, MapAttribute,
    NumberAttribute, TTLAttribute, UnicodeAttribute, VersionAttribute,
)
from pynamodb.connection import Connection
from pynamodb.exceptions import PutError, TransactWriteError, UpdateError
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from .. import reference, settings
from ..domain import lifecycle as lifecycle_rules
from ..domain import queries
from ..domain.articles import cover
from ..domain.errors import Conflict
from ..domain.matter import Event, Matter
from ..services.ports import IdempotencyEntry, IdempotencyKeyUsed, PublicEntry, TrackingCodeTaken

META = "#"


class _TableItem(Model):
    class Meta:
        table_name = settings.MATTERS_TABLE
        region = settings.REGION

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    item_type = DiscriminatorAttribute(attr_name="type")


class ByPhoneIndex(GlobalSecondaryIndex):
    """A citizen's matters by keyed phone hash (never the phone itself)."""
    class Meta:
        index_name = "byPhone"
        projection = AllProjection()

    phone_hash = UnicodeAttribute(hash_key=True, attr_name="phoneHash")
    received_at = UnicodeAttribute(range_key=True, attr_name="receivedAt")


class ByQueueIndex(GlobalSecondaryIndex):
    """A unit's work list (我们的工作任务), nearest deadline first; sparse: concluded matters
    leave it."""
    class Meta:
        index_name = "byQueue"
        projection = AllProjection()

    queue_unit_id = UnicodeAttribute(hash_key=True, attr_name="queueUnitId")
    queue_key = UnicodeAttribute(range_key=True, attr_name="queueKey")


class ByHandlerIndex(GlobalSecondaryIndex):
    """A handler's own matters (我的办理事项): those they accepted first (首接首办)."""
    class Meta:
        index_name = "byHandler"
        projection = AllProjection()

    handler_id = UnicodeAttribute(hash_key=True, attr_name="handlerId")
    queue_key = UnicodeAttribute(range_key=True, attr_name="queueKey")


class ByActorIndex(GlobalSecondaryIndex):
    """A staff member's audit lines by time (the admins' audit search); sparse: only audit
    lines carry `actorUsername`."""
    class Meta:
        index_name = "byActor"
        projection = AllProjection()

    actor_username = UnicodeAttribute(hash_key=True, attr_name="actorUsername")
    at = UnicodeAttribute(range_key=True)
class BySummaryIndex(GlobalSecondaryIndex):
    """汇总查询: every matter by kind and county, newest first (see domain/queries.py)."""
    class Meta:
        index_name = "bySummary"
        projection = AllProjection()

    summary_partition = UnicodeAttribute(hash_key=True, attr_name="summaryPartition")
    summary_key = UnicodeAttribute(range_key=True, attr_name="summaryKey")


class ByApproverIndex(GlobalSecondaryIndex):
    """领导批办: returns and extensions awaiting a unit's leader; sparse (set only while one
    awaits approval)."""
    class Meta:
        index_name = "byApprover"
        projection = AllProjection()

    approver_unit_id = UnicodeAttribute(hash_key=True, attr_name="approverUnitId")
    queue_key = UnicodeAttribute(range_key=True, attr_name="queueKey")


class ByAttentionIndex(GlobalSecondaryIndex):
    """领导批办: open supervised or warned matters by county; sparse."""
    class Meta:
        index_name = "byAttention"
        projection = AllProjection()

    attention_county = UnicodeAttribute(hash_key=True, attr_name="attentionCounty")
    queue_key = UnicodeAttribute(range_key=True, attr_name="queueKey")


class ByFollowupIndex(GlobalSecondaryIndex):
    """A unit's mediation work (sessions to hold, agreements to sign, confirm or follow,
    callbacks to make) by kind and due time; sparse: finished records leave it."""
    class Meta:
        index_name = "byFollowup"
        projection = AllProjection()

    followup_unit_id = UnicodeAttribute(hash_key=True, attr_name="followupUnitId")
    followup_key = UnicodeAttribute(range_key=True, attr_name="followupKey")


class MatterRecord(_TableItem, discriminator="matter"):
    matter_id = UnicodeAttribute(attr_name="matterId")
    tracking_code = UnicodeAttribute(attr_name="trackingCode")
    kind = UnicodeAttribute()
    title = UnicodeAttribute()
    description = UnicodeAttribute()
    region_code = UnicodeAttribute(attr_name="regionCode")
    category = UnicodeAttribute(null=True)
    severity = UnicodeAttribute(null=True)
    address = UnicodeAttribute(null=True)
    applicant = MapAttribute()
    other_parties = ListAttribute(attr_name="otherParties", default=list)
    mass_involved = BooleanAttribute(attr_name="massInvolved", default=False)
    channel = UnicodeAttribute()
    status = UnicodeAttribute()
    assigned_unit_id = UnicodeAttribute(attr_name="assignedUnitId", null=True)
    return_count = NumberAttribute(attr_name="returnCount", default=0)
    event_count = NumberAttribute(attr_name="eventCount", default=0)
    received_at = UnicodeAttribute(attr_name="receivedAt")
    clocks = MapAttribute()
    phone_hash = UnicodeAttribute(attr_name="phoneHash")
    assigned_at = UnicodeAttribute(attr_name="assignedAt", null=True)
    holder_centre_id = UnicodeAttribute(attr_name="holderCentreId", null=True)
    routing = MapAttribute(null=True)
    first_handler = MapAttribute(attr_name="firstHandler", null=True)
    participant_unit_ids = ListAttribute(attr_name="participantUnitIds", default=list)
    supervised = BooleanAttribute(default=False)
    pending_return = MapAttribute(attr_name="pendingReturn", null=True)
    pending_extension = MapAttribute(attr_name="pendingExtension", null=True)
    joint = MapAttribute(null=True)
    outcome = MapAttribute(null=True)
    warned = ListAttribute(default=list)
    evaluation = MapAttribute(null=True)
    reopens = ListAttribute(default=list)
    evidence = ListAttribute(default=list)
    agreements = ListAttribute(default=list)
    queue_unit_id = UnicodeAttribute(attr_name="queueUnitId", null=True)
    handler_id = UnicodeAttribute(attr_name="handlerId", null=True)
    queue_key = UnicodeAttribute(attr_name="queueKey", null=True)
    summary_partition = UnicodeAttribute(attr_name="summaryPartition", null=True)
    summary_key = UnicodeAttribute(attr_name="summaryKey", null=True)
    approver_unit_id = UnicodeAttribute(attr_name="approverUnitId", null=True)
    attention_county = UnicodeAttribute(attr_name="attentionCounty", null=True)
    version = VersionAttribute()
    by_phone = ByPhoneIndex()
    by_queue = ByQueueIndex()
    by_handler = ByHandlerIndex()
    by_summary = BySummaryIndex()
    by_approver = ByApproverIndex()
    by_attention = ByAttentionIndex()


class EventRecord(_TableItem, discriminator="event"):
    seq = NumberAttribute()
    at = UnicodeAttribute()
    event_type = UnicodeAttribute(attr_name="eventType")
    text = UnicodeAttribute()
    public = BooleanAttribute()
    actor = MapAttribute()
    note = UnicodeAttribute(null=True)
    data = MapAttribute(default=dict)


class PublicRecord(_TableItem, discriminator="public"):
    """The citizen's view of a matter, keyed by tracking code. No version of its own: it is
    only ever written in the same transaction as a version-checked write of its matter."""
    matter_id = UnicodeAttribute(attr_name="matterId")
    phone_hash = UnicodeAttribute(attr_name="phoneHash")
    view = MapAttribute()


class TaskTokenRecord(_TableItem, discriminator="token"):
    """The lifecycle's current wait token, apart from the matter so storing it never
    bumps the matter's version under a staff member's feet."""
    task_token = UnicodeAttribute(attr_name="taskToken")
    stored_at = UnicodeAttribute(attr_name="storedAt")


class AuditRecord(_TableItem, discriminator="audit"):
    """Who read or changed a matter: appended, never updated (no API changes or deletes it).
    Only ever written with the condition "does not exist", so not even a key collision can
    overwrite a line."""
    at = UnicodeAttribute()
    matter_id = UnicodeAttribute(attr_name="matterId")
    tracking_code = UnicodeAttribute(attr_name="trackingCode", null=True)
    action = UnicodeAttribute()
    actor = MapAttribute()
    actor_username = UnicodeAttribute(attr_name="actorUsername", null=True)
    client = UnicodeAttribute(null=True)
    by_actor = ByActorIndex()


class UnitRefRecord(_TableItem, discriminator="unitref"):
    """A unit's pointer to a matter it handled or took part in (`P#<unitId>`): how a department
    or mediation organisation, which has no region subtree, finds its matters after they left
    its work list. Holds only what never changes, so it is written once per unit and matter."""
    matter_id = UnicodeAttribute(attr_name="matterId")
    kind = UnicodeAttribute()
    region_code = UnicodeAttribute(attr_name="regionCode")
    category = UnicodeAttribute(null=True)


class HandlerDoneRecord(_TableItem, discriminator="handlerdone"):
    """A matter its first handler concluded (`H#<username>`, sorted by conclusion time): the
    个人中心 figures count them by month. Written with every save once concluded (unchanged)."""
    matter_id = UnicodeAttribute(attr_name="matterId")
    on_time = BooleanAttribute(attr_name="onTime")
    unit_id = UnicodeAttribute(attr_name="unitId", null=True)
class MediationRecord(_TableItem, discriminator="mediation"):
    """A session (`S#<id>`), agreement (`G#<id>`) or callback (`F#<id>`) in its matter's
    partition, so the staff matter read brings them along. `followupUnitId`/`followupKey` are
    set while the record waits for someone (`<kind>#<due>#<matterId>#<sk>`)."""
    body = MapAttribute()
    followup_unit_id = UnicodeAttribute(attr_name="followupUnitId", null=True)
    followup_key = UnicodeAttribute(attr_name="followupKey", null=True)
    version = VersionAttribute()
    by_followup = ByFollowupIndex()


class IdempotencyRecord(_TableItem, discriminator="idempotency"):
    body_hash = UnicodeAttribute(attr_name="bodyHash")
    matter_id = UnicodeAttribute(attr_name="matterId")
    tracking_code = UnicodeAttribute(attr_name="trackingCode")
    expires = TTLAttribute(attr_name="ttl")


class RateLimitRecord(_TableItem, discriminator="ratelimit"):
    failures = NumberAttribute(default=0)
    expires = TTLAttribute(attr_name="ttl")


class OtpRecord(_TableItem, discriminator="otp"):
    """A phone's current one-time code (hashed) and its send/attempt counters, keyed by the
    phone's keyed hash; times are real epoch seconds."""
    code_hash = UnicodeAttribute(attr_name="codeHash", null=True)
    issued_at = NumberAttribute(attr_name="issuedAt", default=0)
    attempts = NumberAttribute(default=0)
    day = UnicodeAttribute(default="")
    sends_today = NumberAttribute(attr_name="sendsToday", default=0)
    last_sent_at = NumberAttribute(attr_name="lastSentAt", default=0)
    version = VersionAttribute()
    expires = TTLAttribute(attr_name="ttl")


class CaseRecord(_TableItem, discriminator="case"):
    """A case made from a concluded matter: a draft until reviewed, then published."""
    case_id = UnicodeAttribute(attr_name="caseId")
    matter_id = UnicodeAttribute(attr_name="matterId")
    status = UnicodeAttribute()  # draft | published
    title = UnicodeAttribute()
    body = UnicodeAttribute()
    kind = UnicodeAttribute()
    category = UnicodeAttribute(null=True)
    county_code = UnicodeAttribute(attr_name="countyCode")
    replaced = MapAttribute(default=dict)
    created_by = MapAttribute(attr_name="createdBy")
    created_at = UnicodeAttribute(attr_name="createdAt")
    reviewed_by = MapAttribute(attr_name="reviewedBy", null=True)
    published_at = UnicodeAttribute(attr_name="publishedAt", null=True)
    region_code = UnicodeAttribute(attr_name="regionCode", null=True)  # the matter's; absent on early drafts
    version = VersionAttribute()


class CaseListingRecord(_TableItem, discriminator="caselisting"):
    """`CL#draft`/`<createdAt>#<caseId>` and `CL#published`/`<publishedAt>#<caseId>`: the console's
    keyed lists of cases, written in the case's own transactions."""
    case_id = UnicodeAttribute(attr_name="caseId")
    matter_id = UnicodeAttribute(attr_name="matterId")
    status = UnicodeAttribute()
    title = UnicodeAttribute()
    region_code = UnicodeAttribute(attr_name="regionCode")
    created_by = MapAttribute(attr_name="createdBy")
    created_at = UnicodeAttribute(attr_name="createdAt")
    reviewed_by = MapAttribute(attr_name="reviewedBy", null=True)
    published_at = UnicodeAttribute(attr_name="publishedAt", null=True)


class CaseGuardRecord(_TableItem, discriminator="caseguard"):
    """`M#<matterId>`/`CASE`: one case per matter."""
    case_id = UnicodeAttribute(attr_name="caseId")


class PostingRecord(_TableItem, discriminator="posting"):
    """`W#<term>`/`<caseId>`: a published case is found by this term."""
    case_id = UnicodeAttribute(attr_name="caseId")
    tf = NumberAttribute()
    dl = NumberAttribute()
    in_title = BooleanAttribute(attr_name="inTitle", default=False)
    category = UnicodeAttribute(null=True)


class CaseStatsRecord(_TableItem, discriminator="casestats"):
    """`S#cases`/`#`: how many cases are published and their total length (for BM25)."""
    published = NumberAttribute(default=0)
    total_length = NumberAttribute(attr_name="totalLength", default=0)


class ArticleRecord(_TableItem, discriminator="article"):
    """`A#<articleId>`/`#`: an article of 在线普法 / 在线宣传, a draft until published."""
    article_id = UnicodeAttribute(attr_name="articleId")
    section = UnicodeAttribute()
    status = UnicodeAttribute()  # draft | published
    title = UnicodeAttribute()
    summary = UnicodeAttribute(default="")
    body = UnicodeAttribute()
    source = UnicodeAttribute(default="")
    video_url = UnicodeAttribute(attr_name="videoUrl", null=True)
    sample = BooleanAttribute(default=False)
    images = ListAttribute(default=list)  # [{key, alt, contentType, size}] in the media bucket
    created_by = MapAttribute(attr_name="createdBy")
    created_at = UnicodeAttribute(attr_name="createdAt")
    updated_at = UnicodeAttribute(attr_name="updatedAt")
    published_by = MapAttribute(attr_name="publishedBy", null=True)
    published_at = UnicodeAttribute(attr_name="publishedAt", null=True)
    version = VersionAttribute()


class ArticleListingRecord(_TableItem, discriminator="articlelisting"):
    """`AL#<section>`/`<articleId>` (every article, for staff) and `AP#<section>`/
    `<publishedAt>#<articleId>` (published only, newest last): the keyed lists of a section."""
    article_id = UnicodeAttribute(attr_name="articleId")
    status = UnicodeAttribute()
    title = UnicodeAttribute()
    summary = UnicodeAttribute(default="")
    sample = BooleanAttribute(default=False)
    video_url = UnicodeAttribute(attr_name="videoUrl", null=True)
    source = UnicodeAttribute(default="")
    cover = UnicodeAttribute(null=True)  # the first image's address, for list thumbnails
    updated_at = UnicodeAttribute(attr_name="updatedAt")
    published_at = UnicodeAttribute(attr_name="publishedAt", null=True)


def _public_entry(item: PublicRecord) -> PublicEntry:
    return PublicEntry(item.matter_id, item.phone_hash, _plain(item.view))


def _audit_line(r: AuditRecord) -> dict:
    return {"at": r.at, "matterId": r.matter_id, "trackingCode": r.tracking_code,
            "action": r.action, "actor": _plain(r.actor), "client": r.client}


def _all_of(*conditions):
    """The filters a query was given, ANDed (the absent ones are None); None when none was."""
    cond = None
    for c in conditions:
        if c is not None:
            cond = c if cond is None else cond & c
    return cond


def matter_pk(matter_id: str) -> str:
    return f"M#{matter_id}"


def public_pk(tracking_code: str) -> str:
    return f"T#{tracking_code}"


def event_sk(seq: int) -> str:
    return f"E#{seq:06d}"


def _plain(value):
    """PynamoDB raw MapAttribute/ListAttribute values back to plain dicts and lists."""
    if isinstance(value, MapAttribute):
        return {k: _plain(v) for k, v in value.as_dict().items()}
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def matter_from_record(r: MatterRecord) -> Matter:
    return Matter(
        matter_id=r.matter_id, tracking_code=r.tracking_code, kind=r.kind, title=r.title,
        description=r.description, region_code=r.region_code, applicant=_plain(r.applicant),
        received_at=r.received_at, clocks=_plain(r.clocks), category=r.category,
        severity=r.severity, address=r.address, other_parties=_plain(r.other_parties or []),
        mass_involved=bool(r.mass_involved), channel=r.channel, status=r.status,
        assigned_unit_id=r.assigned_unit_id, return_count=int(r.return_count or 0),
        event_count=int(r.event_count or 0), phone_hash=r.phone_hash, version=r.version,
        assigned_at=r.assigned_at, holder_centre_id=r.holder_centre_id, routing=_plain(r.routing),
        first_handler=_plain(r.first_handler),
        participant_unit_ids=_plain(r.participant_unit_ids or []), supervised=bool(r.supervised),
        pending_return=_plain(r.pending_return), pending_extension=_plain(r.pending_extension),
        joint=_plain(r.joint), outcome=_plain(r.outcome), warned=_plain(r.warned or []),
        evaluation=_plain(r.evaluation), reopens=_plain(r.reopens or []),
        evidence=_plain(r.evidence or []), agreements=_plain(r.agreements or []),
    )


def record_from_matter(m: Matter) -> MatterRecord:
    r = MatterRecord(
        pk=matter_pk(m.matter_id), sk=META, matter_id=m.matter_id,
        tracking_code=m.tracking_code, kind=m.kind, title=m.title, description=m.description,
        region_code=m.region_code, category=m.category, severity=m.severity, address=m.address,
        applicant=m.applicant, other_parties=m.other_parties, mass_involved=m.mass_involved,
        channel=m.channel, status=m.status, assigned_unit_id=m.assigned_unit_id,
        return_count=m.return_count, event_count=m.event_count, received_at=m.received_at,
        clocks=m.clocks, phone_hash=m.phone_hash, assigned_at=m.assigned_at,
        holder_centre_id=m.holder_centre_id, routing=m.routing, first_handler=m.first_handler,
        participant_unit_ids=m.participant_unit_ids, supervised=m.supervised,
        pending_return=m.pending_return, pending_extension=m.pending_extension, joint=m.joint,
        outcome=m.outcome, warned=m.warned, evaluation=m.evaluation, reopens=m.reopens,
        evidence=m.evidence, agreements=m.agreements, queue_unit_id=m.queue_unit_id(),
        handler_id=(m.first_handler or {}).get("id") if m.queue_unit_id() else None,
        queue_key=m.queue_key(),
        summary_partition=queries.summary_partition(m.kind, m.region_code),
        summary_key=queries.summary_key(m.received_at, m.matter_id),
        approver_unit_id=queries.approver_unit_id(m, reference.unit),
        attention_county=(queries.county_of(m.region_code)
                          if queries.needs_attention(m, lifecycle_rules.warnings_due(m)) else None),
    )
    if m.version is not None:
        r.version = m.version
    return r


def event_record(matter: Matter, e: Event) -> EventRecord:
    return EventRecord(pk=matter_pk(matter.matter_id), sk=event_sk(e.seq), seq=e.seq, at=e.at,
                       event_type=e.type, text=e.text, public=e.public, actor=e.actor,
                       note=e.note, data=e.data)


def event_from_record(r: EventRecord) -> Event:
    return Event(seq=int(r.seq), at=r.at, type=r.event_type, text=r.text, public=bool(r.public),
                 actor=_plain(r.actor), note=r.note, data=_plain(r.data or {}))


def unit_ref_pk(unit_id: str) -> str:
    return f"P#{unit_id}"


def _unit_refs(m: Matter) -> list[UnitRefRecord]:
    """Pointers for every unit that handles or took part in the matter. Rewritten unchanged
    with each save (a Put of an identical item), so a unit that joins is never missed."""
    units = sorted(set(m.participant_unit_ids) | ({m.assigned_unit_id} if m.assigned_unit_id else set()))
    return [UnitRefRecord(pk=unit_ref_pk(u), sk=queries.summary_key(m.received_at, m.matter_id),
                          matter_id=m.matter_id, kind=m.kind, region_code=m.region_code,
                          category=m.category) for u in units]


def _handler_done(m: Matter) -> list[HandlerDoneRecord]:
    if not (m.outcome and m.outcome.get("at") and m.first_handler and queries.is_concluded(m)):
        return []
    return [HandlerDoneRecord(pk=f"H#{m.first_handler['id']}", sk=f"{m.outcome['at']}#{m.matter_id}",
                              matter_id=m.matter_id, on_time=queries.on_time(m),
                              unit_id=m.first_handler.get("unitId"))]


def _one_page(result) -> tuple[list, dict | None]:
    """Exactly one Query request of a PynamoDB result: its items and LastEvaluatedKey.
    (Iterating the result would keep querying until a filtered page is full.)"""
    page = next(result.page_iter)
    return [_TableItem.from_raw_data(i) for i in page.get("Items", [])], page.get("LastEvaluatedKey")


def _failed_indexes(err: TransactWriteError) -> set[int]:
    return {i for i, reason in enumerate(err.cancellation_reasons or [])
            if reason is not None and reason.code == "ConditionalCheckFailed"}


def _ttl(now: datetime, seconds: int) -> datetime:
    return datetime.fromtimestamp(now.timestamp() + seconds, tz=timezone.utc)


def body_fingerprint(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


class DynamoMatterRepository:
    """Storage of matters behind the few operations the services need."""

    def __init__(self, connection: Connection | None = None):
        self._connection = connection

    def warm(self) -> "DynamoMatterRepository":
        """Create the botocore clients now. PynamoDB creates them lazily with no lock, so many
        threads arriving at once would each build one (~60 ms of CPU apiece) and stall a
        busy process; Lambda containers are single-threaded and need not call this."""
        _ = _TableItem._get_connection().connection.client
        self._tx()
        _ = self._connection.client
        return self

    def _tx(self) -> TransactWrite:
        # One connection per repository: creating a botocore client costs ~60 ms.
        if self._connection is None:
            self._connection = Connection(region=settings.REGION)
        return TransactWrite(connection=self._connection)

    def add_new(self, matter: Matter, first_events: list[Event], public_snapshot: dict,
                idempotency: tuple[str, str] | None, now: datetime, audit: dict | None = None) -> None:
        """Matter, its first events, public view, idempotency record and (staff intake) the
        audit line in one transaction.

        Raises TrackingCodeTaken (pick another code) or IdempotencyKeyUsed (the key was
        used before: the caller answers from the stored record)."""
        record = record_from_matter(matter)
        public = PublicRecord(pk=public_pk(matter.tracking_code), sk=META,
                              matter_id=matter.matter_id, phone_hash=matter.phone_hash,
                              view=public_snapshot)
        items = [record, public] + [event_record(matter, e) for e in first_events]
        items += _unit_refs(matter)
        if audit is not None:
            items.append(self._audit_record(matter.matter_id, audit))
        if idempotency:
            key_hash, body_hash = idempotency
            items.append(IdempotencyRecord(
                pk=f"I#{key_hash}", sk=META, body_hash=body_hash, matter_id=matter.matter_id,
                tracking_code=matter.tracking_code,
                expires=_ttl(now, settings.IDEMPOTENCY_TTL_SECONDS)))
        try:
            with self._tx() as tx:
                for item in items:
                    cond = None if isinstance(item, (MatterRecord, UnitRefRecord)) \
                        else _TableItem.pk.does_not_exist()
                    tx.save(item, condition=cond)
        except TransactWriteError as err:
            failed = _failed_indexes(err)
            if len(items) - 1 in failed and idempotency:
                raise IdempotencyKeyUsed() from err
            if 1 in failed:
                raise TrackingCodeTaken() from err
            if failed:
                raise Conflict() from err
            raise
        matter.version = record.version

    def save(self, matter: Matter, new_events: list[Event], public_snapshot: dict | None,
             audit: dict | None = None) -> None:
        """A state change: the matter (only if nobody changed it since it was read), its new
        timeline events, the citizen's view when it changed, and the audit line of the staff
        member who made it — all or nothing."""
        record = record_from_matter(matter)
        try:
            with self._tx() as tx:
                tx.save(record)
                if audit is not None:
                    audit = {"trackingCode": matter.tracking_code, **audit}
                    tx.save(self._audit_record(matter.matter_id, audit),
                            condition=_TableItem.pk.does_not_exist())
                for e in new_events:
                    tx.save(event_record(matter, e), condition=_TableItem.pk.does_not_exist())
                for ref in _unit_refs(matter) + _handler_done(matter):
                    tx.save(ref)
                if public_snapshot is not None:
                    tx.save(PublicRecord(pk=public_pk(matter.tracking_code), sk=META,
                                         matter_id=matter.matter_id,
                                         phone_hash=matter.phone_hash, view=public_snapshot))
        except TransactWriteError as err:
            if _failed_indexes(err):
                raise Conflict() from err
            raise
        matter.version = record.version

    @staticmethod
    def _audit_record(matter_id: str, audit: dict) -> AuditRecord:
        return AuditRecord(pk=f"A#{matter_id}", sk=f"{audit['at']}#{uuid.uuid4().hex[:12]}",
                           at=audit["at"], matter_id=matter_id, action=audit["action"],
                           actor=audit["actor"], actor_username=audit["actor"].get("username"),
                           tracking_code=audit.get("trackingCode"), client=audit.get("client"))

    def audit(self, matter_id: str, audit: dict) -> None:
        """A staff read of a matter, on the record (one PutItem)."""
        self._audit_record(matter_id, audit).save(condition=_TableItem.pk.does_not_exist())

    def audit_many(self, matter_ids: list[str], audit: dict) -> None:
        """The same staff read of many matters (an export), on the record: BatchWriteItem, 25
        lines a call. Unlike `audit`, a batch write takes no condition; the random suffix of
        the sort key keeps lines from overwriting one another."""
        with AuditRecord.batch_write() as batch:
            for matter_id in matter_ids:
                batch.save(self._audit_record(matter_id, audit))

    def audit_trail(self, matter_id: str, limit: int = 200) -> list[dict]:
        """A matter's audit lines, newest first (one Query on its `A#` partition)."""
        return [_audit_line(r) for r in
                AuditRecord.query(f"A#{matter_id}", scan_index_forward=False, limit=limit)]

    def audit_by_actor(self, username: str, since: str, until: str, limit: int = 50,
                       start: dict | None = None) -> tuple[list[dict], dict | None]:
        """One person's audit lines between two instants (inclusive), newest first: one page
        of a Query on `byActor`."""
        result = AuditRecord.by_actor.query(username, AuditRecord.at.between(since, until),
                                            scan_index_forward=False, limit=limit,
                                            last_evaluated_key=start)
        items = [_audit_line(r) for r in result]
        return items, result.last_evaluated_key

    def load_with_token(self, matter_id: str) -> tuple[Matter, list[Event], str | None] | None:
        """Matter, timeline and the lifecycle's current wait token: one Query."""
        matter, events, token = None, [], None
        for item in _TableItem.query(matter_pk(matter_id), consistent_read=True):
            if isinstance(item, MatterRecord):
                matter = matter_from_record(item)
            elif isinstance(item, EventRecord):
                events.append(event_from_record(item))
            elif isinstance(item, TaskTokenRecord) and item.sk == "TOKEN":
                token = item.task_token
        if matter is None:
            return None
        events.sort(key=lambda e: e.seq)
        return matter, events, token

    # --- mediation records (sessions, agreements, callbacks) ---------------------------------
    @staticmethod
    def _mediation(r: MediationRecord) -> dict:
        return {**_plain(r.body), "sk": r.sk, "version": r.version}

    def load_with_records(self, matter_id: str):
        """Matter, timeline, wait token and its mediation records by sort key: one Query."""
        matter, events, token, records = None, [], None, {}
        for item in _TableItem.query(matter_pk(matter_id), consistent_read=True):
            if isinstance(item, MatterRecord):
                matter = matter_from_record(item)
            elif isinstance(item, EventRecord):
                events.append(event_from_record(item))
            elif isinstance(item, TaskTokenRecord) and item.sk == "TOKEN":
                token = item.task_token
            elif isinstance(item, MediationRecord):
                records[item.sk] = self._mediation(item)
        if matter is None:
            return None
        events.sort(key=lambda e: e.seq)
        return matter, events, token, records

    def mediation_record(self, matter_id: str, sk: str) -> dict | None:
        try:
            return self._mediation(MediationRecord.get(matter_pk(matter_id), sk, consistent_read=True))
        except MediationRecord.DoesNotExist:
            return None

    @staticmethod
    def _mediation_record(matter_id: str, record: dict, followup: tuple[str, str] | None) -> MediationRecord:
        body = {k: v for k, v in record.items() if k not in ("sk", "version")}
        r = MediationRecord(pk=matter_pk(matter_id), sk=record["sk"], body=body,
                            followup_unit_id=followup[0] if followup else None,
                            followup_key=followup[1] if followup else None)
        if record.get("version") is not None:
            r.version = record["version"]
        return r

    def save_mediation(self, matter_id: str, records: list[tuple[dict, tuple[str, str] | None]],
                       matter: Matter | None = None, events: list[Event] = (),
                       public_snapshot: dict | None = None, audit: dict | None = None) -> None:
        """Mediation records (each version-checked; a new one must not exist), and when the
        matter changes with them, the matter, its events, public view and the audit line: all
        or nothing. A lost race raises Conflict."""
        items = [self._mediation_record(matter_id, rec, fu) for rec, fu in records]
        matter_record = record_from_matter(matter) if matter is not None else None
        try:
            with self._tx() as tx:
                for item in items:
                    tx.save(item)
                if matter_record is not None:
                    tx.save(matter_record)
                    for e in events:
                        tx.save(event_record(matter, e), condition=_TableItem.pk.does_not_exist())
                    if public_snapshot is not None:
                        tx.save(PublicRecord(pk=public_pk(matter.tracking_code), sk=META,
                                             matter_id=matter.matter_id, phone_hash=matter.phone_hash,
                                             view=public_snapshot))
                if audit is not None:
                    tx.save(self._audit_record(matter_id, audit), condition=_TableItem.pk.does_not_exist())
        except TransactWriteError as err:
            if _failed_indexes(err):
                raise Conflict() from err
            raise
        for (rec, _), item in zip(records, items):
            rec["version"] = item.version
        if matter_record is not None:
            matter.version = matter_record.version

    def followup_tasks(self, unit_id: str, kind: str, limit: int = 50,
                       start: dict | None = None) -> tuple[list[dict], dict | None]:
        """A unit's open mediation work of one kind, nearest due first: one Query on byFollowup."""
        result = MediationRecord.by_followup.query(
            unit_id, MediationRecord.followup_key.startswith(f"{kind}#"), limit=limit,
            last_evaluated_key=start)
        items = [{**self._mediation(r), "matterId": r.pk[2:]} for r in result]
        return items, result.last_evaluated_key

    def queue(self, unit_id: str | None = None, handler_id: str | None = None, limit: int = 50,
              start: dict | None = None) -> tuple[list[Matter], dict | None]:
        """A unit's work list or a handler's own matters, nearest deadline first, one page."""
        index = MatterRecord.by_queue if unit_id else MatterRecord.by_handler
        result = index.query(unit_id or handler_id, limit=limit, last_evaluated_key=start)
        items = [matter_from_record(r) for r in result]
        return items, result.last_evaluated_key

    def store_task_token(self, matter_id: str, token: str, now: datetime, slot: str = "TOKEN") -> None:
        """`TOKEN` is the lifecycle's wait, `JOINT_TOKEN` the joint mediation's."""
        TaskTokenRecord(pk=matter_pk(matter_id), sk=slot, task_token=token,
                        stored_at=now.strftime("%Y-%m-%dT%H:%M:%SZ")).save()

    def task_token(self, matter_id: str, slot: str) -> str | None:
        try:
            return TaskTokenRecord.get(matter_pk(matter_id), slot, consistent_read=True).task_token
        except TaskTokenRecord.DoesNotExist:
            return None

    def idempotency_record(self, key_hash: str) -> IdempotencyEntry | None:
        try:
            r = IdempotencyRecord.get(f"I#{key_hash}", META, consistent_read=True)
        except IdempotencyRecord.DoesNotExist:
            return None
        return IdempotencyEntry(r.body_hash, r.matter_id, r.tracking_code)

    def public(self, tracking_code: str) -> PublicEntry | None:
        try:
            item = PublicRecord.get(public_pk(tracking_code), META, consistent_read=True)
        except PublicRecord.DoesNotExist:
            return None
        return _public_entry(item)

    def public_with_failures(self, tracking_code: str, rate_key: str) -> tuple[PublicEntry | None, int]:
        """The citizen view and the caller's failed-lookup count, in one BatchGetItem."""
        keys = [(public_pk(tracking_code), META), (rate_key, META)]
        public, failures = None, 0
        for item in _TableItem.batch_get(keys):
            if isinstance(item, PublicRecord):
                public = _public_entry(item)
            elif isinstance(item, RateLimitRecord):
                failures = int(item.failures or 0)
        return public, failures

    def failures(self, rate_key: str) -> int:
        try:
            return int(RateLimitRecord.get(rate_key, META).failures or 0)
        except RateLimitRecord.DoesNotExist:
            return 0

    def count_failure(self, rate_key: str, now: datetime, window_seconds: int) -> int:
        item = RateLimitRecord(pk=rate_key, sk=META)
        try:
            item.update(actions=[
                RateLimitRecord.failures.add(1),
                RateLimitRecord.item_type.set(RateLimitRecord),
                RateLimitRecord.expires.set(_ttl(now, 2 * window_seconds)),
            ])
        except UpdateError:
            return 0
        return int(item.failures)

    def load(self, matter_id: str) -> tuple[Matter, list[Event]] | None:
        """The matter and its timeline in one Query on its partition."""
        loaded = self.load_with_token(matter_id)
        return loaded[:2] if loaded else None

    # --- citizen one-time codes ----------------------------------------------------------
    def otp_state(self, phone_hash: str):
        from ..domain.citizen import OtpState
        try:
            r = OtpRecord.get(f"O#{phone_hash}", META, consistent_read=True)
        except OtpRecord.DoesNotExist:
            return None
        return OtpState(code_hash=r.code_hash, issued_at=float(r.issued_at or 0),
                        attempts=int(r.attempts or 0), day=r.day or "",
                        sends_today=int(r.sends_today or 0), last_sent_at=float(r.last_sent_at or 0),
                        version=r.version)

    def save_otp(self, phone_hash: str, state, keep_seconds: int) -> None:
        """Conditioned on the version read, so two racing sends or tries cannot both count
        from the same state (the loser gets 409 conflict)."""
        r = OtpRecord(pk=f"O#{phone_hash}", sk=META, code_hash=state.code_hash,
                      issued_at=state.issued_at, attempts=state.attempts, day=state.day,
                      sends_today=state.sends_today, last_sent_at=state.last_sent_at,
                      expires=datetime.fromtimestamp(state.last_sent_at + keep_seconds, tz=timezone.utc))
        if state.version is not None:
            r.version = state.version
        try:
            r.save()
        except PutError as err:
            if getattr(err, "cause_response_code", None) == "ConditionalCheckFailedException":
                raise Conflict() from err
            raise

    # --- published cases -----------------------------------------------------------------
    @staticmethod
    def _case_dict(r: CaseRecord) -> dict:
        return {"caseId": r.case_id, "matterId": r.matter_id, "status": r.status, "title": r.title,
                "body": r.body, "kind": r.kind, "category": r.category, "countyCode": r.county_code,
                "replaced": _plain(r.replaced or {}), "createdBy": _plain(r.created_by),
                "createdAt": r.created_at, "reviewedBy": _plain(r.reviewed_by),
                "publishedAt": r.published_at, "regionCode": r.region_code, "version": r.version}

    @staticmethod
    def _case_listing(case: dict) -> CaseListingRecord:
        when = case["publishedAt"] if case["status"] == "published" else case["createdAt"]
        return CaseListingRecord(pk=f"CL#{case['status']}", sk=f"{when}#{case['caseId']}",
                                 case_id=case["caseId"], matter_id=case["matterId"], status=case["status"],
                                 title=case["title"], region_code=case.get("regionCode") or case["countyCode"],
                                 created_by=case["createdBy"], created_at=case["createdAt"],
                                 reviewed_by=case.get("reviewedBy"), published_at=case.get("publishedAt"))

    @staticmethod
    def _case_record(case: dict) -> CaseRecord:
        r = CaseRecord(pk=f"C#{case['caseId']}", sk=META, case_id=case["caseId"], matter_id=case["matterId"],
                       status=case["status"], title=case["title"], body=case["body"], kind=case["kind"],
                       category=case.get("category"), county_code=case["countyCode"],
                       replaced=case.get("replaced") or {}, created_by=case["createdBy"],
                       created_at=case["createdAt"], reviewed_by=case.get("reviewedBy"),
                       published_at=case.get("publishedAt"), region_code=case.get("regionCode"))
        if case.get("version") is not None:
            r.version = case["version"]
        return r

    def add_case(self, case: dict) -> None:
        """The draft and the matter's one-case guard together; 409 `case_exists` if the matter
        already has a case."""
        record = self._case_record(case)
        try:
            with self._tx() as tx:
                tx.save(record)
                tx.save(CaseGuardRecord(pk=matter_pk(case["matterId"]), sk="CASE", case_id=case["caseId"]),
                        condition=_TableItem.pk.does_not_exist())
                tx.save(self._case_listing(case))
        except TransactWriteError as err:
            if 1 in _failed_indexes(err):
                raise Conflict("该事项已生成案例", code="case_exists") from err
            raise
        case["version"] = record.version

    def case(self, case_id: str) -> dict | None:
        try:
            return self._case_dict(CaseRecord.get(f"C#{case_id}", META, consistent_read=True))
        except CaseRecord.DoesNotExist:
            return None

    def save_case(self, case: dict, postings: dict[str, dict] | None = None, length: int = 0) -> None:
        """A version-checked write of the case and its listing row; on publication also its
        postings and the published count, in the same transaction (the draft row moves to
        `CL#published`)."""
        record = self._case_record(case)
        try:
            with self._tx() as tx:
                tx.save(record)
                if case["status"] == "published":
                    tx.delete(CaseListingRecord(pk="CL#draft", sk=f"{case['createdAt']}#{case['caseId']}"))
                tx.save(self._case_listing(case))
                for term, p in (postings or {}).items():
                    tx.save(PostingRecord(pk=f"W#{term}", sk=case["caseId"], case_id=case["caseId"],
                                          tf=p["tf"], dl=length, in_title=p["inTitle"],
                                          category=case.get("category")))
                if postings is not None:
                    tx.update(CaseStatsRecord(pk="S#cases", sk=META), actions=[
                        CaseStatsRecord.published.add(1), CaseStatsRecord.total_length.add(length),
                        CaseStatsRecord.item_type.set(CaseStatsRecord)])
        except TransactWriteError as err:
            if _failed_indexes(err):
                raise Conflict() from err
            raise
        case["version"] = record.version

    def case_listing(self, status: str, region_prefix: str, limit: int = 50) -> list[dict]:
        """One Query of `CL#<status>`, newest first, keeping the cases of matters under the
        staff member's region (a filter on the row's `regionCode`)."""
        rows = CaseListingRecord.query(f"CL#{status}", scan_index_forward=False, limit=limit,
                                       filter_condition=CaseListingRecord.region_code.startswith(region_prefix))
        return [{"caseId": r.case_id, "matterId": r.matter_id, "status": r.status, "title": r.title,
                 "createdBy": _plain(r.created_by), "createdAt": r.created_at,
                 "reviewedBy": _plain(r.reviewed_by), "publishedAt": r.published_at} for r in rows]

    def postings(self, term: str, limit: int = 500) -> list[dict]:
        return [{"caseId": r.case_id, "tf": float(r.tf), "dl": float(r.dl), "inTitle": bool(r.in_title),
                 "category": r.category}
                for r in PostingRecord.query(f"W#{term}", limit=limit, scan_index_forward=False)]

    def case_stats(self) -> tuple[int, float]:
        try:
            r = CaseStatsRecord.get("S#cases", META)
        except CaseStatsRecord.DoesNotExist:
            return 0, 0.0
        n = int(r.published or 0)
        return n, (float(r.total_length or 0) / n if n else 0.0)

    def cases(self, case_ids: list[str]) -> dict[str, dict]:
        return {r.case_id: self._case_dict(r)
                for r in CaseRecord.batch_get([(f"C#{c}", META) for c in case_ids])}

    def matters_by_phone_hash(self, phone_hash: str, limit: int = 50) -> list[Matter]:
        return [matter_from_record(r) for r in
                MatterRecord.by_phone.query(phone_hash, scan_index_forward=False, limit=limit)]

    # --- summary queries (汇总查询): docs/data-model.md, domain/queries.py -----------------

    def summary_page(self, partition: str, lower: str, upper: str, limit: int, start: dict | None,
                     region_prefix: str | None = None, category: str | None = None,
                     status: str | None = None, severity: str | None = None,
                     supervised: bool | None = None) -> tuple[list[tuple[str, Matter]], dict | None, str | None]:
        """One Query of one `bySummary` partition, newest first, keys within [lower, upper];
        the filters DynamoDB can apply are applied there. Returns (sort key, matter) pairs,
        the start of the next read (None when the partition is done) and its sort key."""
        cond = _all_of(MatterRecord.region_code.startswith(region_prefix) if region_prefix else None,
                       MatterRecord.category == category if category else None,
                       MatterRecord.status == status if status else None,
                       MatterRecord.severity == severity if severity else None,
                       MatterRecord.supervised == supervised if supervised is not None else None)
        result = MatterRecord.by_summary.query(
            partition, MatterRecord.summary_key.between(lower, upper), filter_condition=cond,
            scan_index_forward=False, page_size=limit, last_evaluated_key=start)
        records, last = _one_page(result)
        items = [(r.summary_key, matter_from_record(r)) for r in records if isinstance(r, MatterRecord)]
        return items, last, (last or {}).get("summaryKey", {}).get("S")

    def open_matters_page(self, partition: str, start: dict | None, limit: int = 200
                          ) -> tuple[list[Matter], dict | None]:
        """One Query of one `bySummary` partition for the reconciler: matters not `closed`
        (every matter has a summary key, so no open one is missed)."""
        result = MatterRecord.by_summary.query(
            partition, filter_condition=MatterRecord.status != "closed", page_size=limit,
            last_evaluated_key=start)
        records, last = _one_page(result)
        return [matter_from_record(r) for r in records if isinstance(r, MatterRecord)], last

    def unit_ref_page(self, unit_id: str, lower: str, upper: str, limit: int, start: dict | None,
                      kinds: tuple[str, ...] | None = None, region_prefix: str | None = None,
                      category: str | None = None) -> tuple[list[tuple[str, str]], dict | None, str | None]:
        """One Query of a unit's pointers (`P#<unitId>`), newest first: (sort key, matterId)."""
        cond = _all_of(UnitRefRecord.kind.is_in(*kinds) if kinds else None,
                       UnitRefRecord.region_code.startswith(region_prefix) if region_prefix else None,
                       UnitRefRecord.category == category if category else None)
        result = UnitRefRecord.query(unit_ref_pk(unit_id), UnitRefRecord.sk.between(lower, upper),
                                     filter_condition=cond, scan_index_forward=False,
                                     page_size=limit, last_evaluated_key=start)
        records, last = _one_page(result)
        items = [(r.sk, r.matter_id) for r in records if isinstance(r, UnitRefRecord)]
        return items, last, (last or {}).get("sk", {}).get("S")

    def held_for_dispatch(self, unit_id: str, limit: int, start: dict | None) -> tuple[list[Matter], dict | None]:
        """One Query of a centre's work list (`byQueue`), keeping the matters it holds for
        dispatch (received, or escalated to it)."""
        result = MatterRecord.by_queue.query(
            unit_id, filter_condition=MatterRecord.status.is_in("received", "escalated"),
            page_size=limit, last_evaluated_key=start)
        records, last = _one_page(result)
        return [matter_from_record(r) for r in records if isinstance(r, MatterRecord)], last

    def awaiting_approval(self, unit_id: str, limit: int = 100) -> list[Matter]:
        """Returns and extensions a unit's leader must decide: one Query of `byApprover`."""
        records, _ = _one_page(MatterRecord.by_approver.query(unit_id, page_size=limit))
        return [matter_from_record(r) for r in records if isinstance(r, MatterRecord)]

    def attention(self, county: str, region_prefix: str | None, limit: int = 100) -> list[Matter]:
        """Open supervised or warned matters of a county (`byAttention`), nearest deadline
        first, narrowed to a region below the county by a filter: one Query."""
        cond = MatterRecord.region_code.startswith(region_prefix) if region_prefix else None
        records, _ = _one_page(MatterRecord.by_attention.query(county, filter_condition=cond,
                                                               page_size=limit))
        return [matter_from_record(r) for r in records if isinstance(r, MatterRecord)]

    def handler_concluded(self, username: str, since: str, limit: int = 1000) -> list[tuple[str, bool]]:
        """(matterId, on time) of the matters a person concluded since `since` (UTC ISO): one
        Query of `H#<username>`."""
        records, _ = _one_page(HandlerDoneRecord.query(f"H#{username}", HandlerDoneRecord.sk >= since,
                                                       page_size=limit))
        return [(r.matter_id, bool(r.on_time)) for r in records if isinstance(r, HandlerDoneRecord)]

    def matters_by_ids(self, matter_ids: list[str]) -> dict[str, Matter]:
        """Matter items by id: one BatchGetItem per 100 (PynamoDB retries unprocessed keys)."""
        out: dict[str, Matter] = {}
        keys = [(matter_pk(i), META) for i in dict.fromkeys(matter_ids)]
        for item in _TableItem.batch_get(keys):
            if isinstance(item, MatterRecord):
                out[item.matter_id] = matter_from_record(item)
        return out
    # --- articles (在线普法 / 在线宣传) ------------------------------------------------------
    @staticmethod
    def _article_dict(r: ArticleRecord) -> dict:
        return {"articleId": r.article_id, "section": r.section, "status": r.status, "title": r.title,
                "summary": r.summary or "", "body": r.body, "source": r.source or "",
                "videoUrl": r.video_url, "sample": bool(r.sample), "images": _plain(r.images or []),
                "createdBy": _plain(r.created_by),
                "createdAt": r.created_at, "updatedAt": r.updated_at,
                "publishedBy": _plain(r.published_by), "publishedAt": r.published_at, "version": r.version}

    @staticmethod
    def _listing(article: dict, pk: str, sk: str) -> ArticleListingRecord:
        return ArticleListingRecord(pk=pk, sk=sk, article_id=article["articleId"], status=article["status"],
                                    title=article["title"], summary=article.get("summary") or "",
                                    sample=bool(article.get("sample")), video_url=article.get("videoUrl"),
                                    source=article.get("source") or "", cover=cover(article),
                                    updated_at=article["updatedAt"], published_at=article.get("publishedAt"))

    def save_article(self, article: dict, new: bool = False) -> None:
        """The article (version-checked; `new` also checks the id is unused) with its staff
        listing entry and, once published, its public listing entry, in one transaction."""
        r = ArticleRecord(pk=f"AR#{article['articleId']}", sk=META, article_id=article["articleId"],
                          section=article["section"], status=article["status"], title=article["title"],
                          summary=article.get("summary") or "", body=article["body"],
                          source=article.get("source") or "", video_url=article.get("videoUrl"),
                          sample=bool(article.get("sample")), images=list(article.get("images") or []),
                          created_by=article["createdBy"],
                          created_at=article["createdAt"], updated_at=article["updatedAt"],
                          published_by=article.get("publishedBy"), published_at=article.get("publishedAt"))
        if article.get("version") is not None:
            r.version = article["version"]
        section = article["section"]
        try:
            with self._tx() as tx:
                tx.save(r, condition=_TableItem.pk.does_not_exist() if new else None)
                tx.save(self._listing(article, f"AL#{section}", article["articleId"]))
                if article["status"] == "published":
                    tx.save(self._listing(article, f"AP#{section}",
                                          f"{article['publishedAt']}#{article['articleId']}"))
        except TransactWriteError as err:
            if 0 in _failed_indexes(err):
                raise Conflict() from err
            raise
        article["version"] = r.version

    def article(self, article_id: str) -> dict | None:
        try:
            return self._article_dict(ArticleRecord.get(f"AR#{article_id}", META, consistent_read=True))
        except ArticleRecord.DoesNotExist:
            return None

    def article_listing(self, section: str, published_only: bool, limit: int = 50) -> list[dict]:
        """One Query: `AP#<section>` newest first (public) or `AL#<section>` (staff, by id, newest first)."""
        pk = f"AP#{section}" if published_only else f"AL#{section}"
        return [{"articleId": r.article_id, "section": section, "status": r.status, "title": r.title,
                 "summary": r.summary or "", "sample": bool(r.sample), "videoUrl": r.video_url,
                 "source": r.source or "", "cover": r.cover, "updatedAt": r.updated_at,
                 "publishedAt": r.published_at}
                for r in ArticleListingRecord.query(pk, scan_index_forward=False, limit=limit)]


def reindexed(items: list[dict]) -> list[dict]:
    """Raw items of the matters table (an older local snapshot) with every matter's derived
    index keys recomputed and its unit / handler records added, so data saved before an index
    existed is found by it. A migration aid: run on restore, never on a request path."""
    out = []
    for raw in items:
        if raw.get("type", {}).get("S") != "matter":
            out.append(raw)
            continue
        m = matter_from_record(MatterRecord.from_raw_data(raw))
        out.append(record_from_matter(m).serialize())
        out += [r.serialize() for r in _unit_refs(m) + _handler_done(m)]
    return out

