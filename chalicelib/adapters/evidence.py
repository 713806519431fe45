"""The evidence bucket: presigned POSTs for browsers to upload into, HEAD and a ranged GET
to check what arrived, presigned GETs to read it.

Presigned URLs must be reachable by the browser: in the cloud that is S3 itself; locally it
is moto's loopback server (`S3_PUBLIC_ENDPOINT`, set by the local runtime), while the checks
go through the in-process client like every other call.
"""
from __future__ import annotations

import functools
import os

from botocore.config import Config
from botocore.exceptions import ClientError

from .. import settings
from .aws import client


@functools.lru_cache(maxsize=4)
def _presigner(endpoint: str | None):
    import boto3
    return boto3.session.Session().client(
        "s3", region_name=settings.REGION, endpoint_url=endpoint or None,
        config=Config(signature_version="s3v4", s3={"addressing_style": "path" if endpoint else "auto"}))


class EvidenceStore:
    def __init__(self, bucket: str | None = None):
        self.bucket = bucket or settings.EVIDENCE_BUCKET

    def _signer(self):
        return _presigner(os.environ.get("S3_PUBLIC_ENDPOINT"))

    def presign_post(self, key: str, content_type: str, max_bytes: int, expires: int) -> dict:
        """Only this key, this exact type and at most `max_bytes`: S3 refuses anything else."""
        return self._signer().generate_presigned_post(
            self.bucket, key, Fields={"Content-Type": content_type},
            Conditions=[{"Content-Type": content_type}, ["content-length-range", 1, max_bytes]],
            ExpiresIn=expires)

    def head(self, key: str) -> dict | None:
        try:
            r = client("s3").head_object(Bucket=self.bucket, Key=key)
        except ClientError as err:
            if err.response["Error"]["Code"] in ("404", "NoSuchKey", "NotFound"):
                return None
            raise
        return {"size": int(r["ContentLength"]), "contentType": r.get("ContentType", "")}

    def first_bytes(self, key: str, count: int = 16) -> bytes:
        return client("s3").get_object(Bucket=self.bucket, Key=key, Range=f"bytes=0-{count - 1}")["Body"].read()

    def put(self, key: str, body: bytes, content_type: str) -> None:
        """Server-made files (agreements under `agreements/`): written by the API itself."""
        client("s3").put_object(Bucket=self.bucket, Key=key, Body=body, ContentType=content_type)

    def get(self, key: str) -> bytes:
        return client("s3").get_object(Bucket=self.bucket, Key=key)["Body"].read()

    def delete(self, key: str) -> None:
        client("s3").delete_object(Bucket=self.bucket, Key=key)

    def url(self, key: str, expires: int = 300, filename: str | None = None) -> str:
        params = {"Bucket": self.bucket, "Key": key}
        if filename:  # the browser saves it under a readable name
            from urllib.parse import quote
            params["ResponseContentDisposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
        return self._signer().generate_presigned_url("get_object", Params=params, ExpiresIn=expires)
