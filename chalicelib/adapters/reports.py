"""Where periodic reports live: their register in the matters table (`RP#<region>` /
`<kind>#<label>`, one item per report, versioned), their files in the reports bucket, and the
email through SES."""
from __future__ import annotations

import os

from botocore.config import Config
from pynamodb.attributes import ListAttribute, MapAttribute, UnicodeAttribute, VersionAttribute
from pynamodb.exceptions import PutError

from .. import settings
from . import aws
from .dynamo import _TableItem, _plain

CLAIM_TIMEOUT_SECONDS = 15 * 60  # a producer that died this long ago may be taken over


class ReportRecord(_TableItem, discriminator="report"):
    report_id = UnicodeAttribute(attr_name="reportId")
    kind = UnicodeAttribute()
    region_code = UnicodeAttribute(attr_name="regionCode")
    status = UnicodeAttribute()  # claimed | sent
    claimed_at = UnicodeAttribute(attr_name="claimedAt")
    title = UnicodeAttribute(null=True)
    period_from = UnicodeAttribute(attr_name="from", null=True)
    period_to = UnicodeAttribute(attr_name="to", null=True)
    files = MapAttribute(default=dict)
    recipients = ListAttribute(default=list)
    message_id = UnicodeAttribute(attr_name="messageId", null=True)
    sent_at = UnicodeAttribute(attr_name="sentAt", null=True)
    summary = MapAttribute(default=dict)
    version = VersionAttribute()


def report_pk(region: str) -> str:
    return f"RP#{region}"


def _view(r: ReportRecord) -> dict:
    return {"reportId": r.report_id, "kind": r.kind, "regionCode": r.region_code, "status": r.status,
            "title": r.title, "from": r.period_from, "to": r.period_to, "files": _plain(r.files),
            "recipients": _plain(r.recipients), "messageId": r.message_id, "sentAt": r.sent_at,
            "summary": _plain(r.summary)}


class DynamoReportLog:
    def claim(self, report_id: str, kind: str, label: str, region: str, now_iso: str,
              stale_before_iso: str) -> bool:
        """Only one producer gets a report id: a put conditioned on "does not exist", or the
        version-checked takeover of a claim older than CLAIM_TIMEOUT_SECONDS that never sent."""
        record = ReportRecord(pk=report_pk(region), sk=f"{kind}#{label}", report_id=report_id, kind=kind,
                              region_code=region, status="claimed", claimed_at=now_iso)
        try:
            record.save(condition=ReportRecord.pk.does_not_exist())
            return True
        except PutError:
            pass  # claimed before (any other failure shows in the read below)
        current = ReportRecord.get(report_pk(region), f"{kind}#{label}", consistent_read=True)
        if current.status == "sent" or current.claimed_at > stale_before_iso:
            return False
        current.claimed_at = now_iso
        try:
            current.save()  # conditioned on the version read
            return True
        except PutError:
            return False

    def complete(self, region: str, kind: str, label: str, **fields) -> None:
        current = ReportRecord.get(report_pk(region), f"{kind}#{label}", consistent_read=True)
        current.status = "sent"
        for name, value in fields.items():
            setattr(current, name, value)
        current.save()

    def list(self, region: str, limit: int = 200) -> list[dict]:
        return [_view(r) for r in ReportRecord.query(report_pk(region), limit=limit)]

    def get(self, region: str, kind: str, label: str) -> dict | None:
        try:
            return _view(ReportRecord.get(report_pk(region), f"{kind}#{label}"))
        except ReportRecord.DoesNotExist:
            return None


class S3ReportArchive:
    def __init__(self, bucket: str | None = None):
        self.bucket = bucket or os.environ.get("REPORTS_BUCKET", "")

    def put(self, key: str, data: bytes, content_type: str) -> None:
        aws.client("s3").put_object(Bucket=self.bucket, Key=key, Body=data, ContentType=content_type)

    def get(self, key: str) -> bytes:
        return aws.client("s3").get_object(Bucket=self.bucket, Key=key)["Body"].read()

    def url(self, key: str, filename: str, expires: int = 300) -> str:
        """A short-lived download link (the local runtime signs it for moto's loopback server)."""
        import boto3
        endpoint = os.environ.get("S3_PUBLIC_ENDPOINT")
        signer = boto3.session.Session().client(
            "s3", region_name=settings.REGION, endpoint_url=endpoint or None,
            config=Config(signature_version="s3v4", s3={"addressing_style": "path" if endpoint else "auto"}))
        return signer.generate_presigned_url("get_object", ExpiresIn=expires, Params={
            "Bucket": self.bucket, "Key": key,
            "ResponseContentDisposition": f"attachment; filename=\"{filename}\""})


class SesMailer:
    def send_raw(self, sender: str, recipients: list[str], raw: bytes) -> str:
        return aws.client("ses").send_raw_email(Source=sender, Destinations=recipients,
                                                RawMessage={"Data": raw})["MessageId"]
