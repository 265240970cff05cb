"""S3-compatible storage through boto3: AWS S3, MinIO, R2, moto.

The standard boto3 configuration applies (AWS_ENDPOINT_URL, the credentials
chain, AWS_REGION); what we add is the write protocol: write-once keys with
``If-None-Match: *`` and a refusal to run against a backend that ignores it.
"""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from pipeline import redact
from pipeline.failpoints import failpoint
from pipeline.settings import current as current_settings
from pipeline.storage.base import ConditionalWritesUnsupported, StoreError
from pipeline.storage.layout import PROBE_PREFIX

log = logging.getLogger(__name__)

_ALREADY_EXISTS = {"PreconditionFailed", "412"}
# A concurrent conditional write to the same key: S3 answers 409; retrying yields 412 or success.
_CONFLICT = {"ConditionalRequestConflict", "409"}


def client_config(
    connect_timeout: float | None = None, read_timeout: float | None = None, max_attempts: int | None = None
) -> Config:
    """Timeouts inside botocore (Prefect cannot interrupt a blocked socket) and standard retries.

    Defaults 5 s / 30 s / 5 attempts; ``CLEANWIRE_S3_CONNECT_TIMEOUT``, ``..._READ_TIMEOUT`` and
    ``..._MAX_ATTEMPTS`` override them. ``when_required`` checksums: newer boto3 adds CRC
    trailers by default that some MinIO and Ceph builds reject.
    """
    configured = current_settings()
    connect_timeout = connect_timeout or configured.s3_connect_timeout
    read_timeout = read_timeout or configured.s3_read_timeout
    max_attempts = max_attempts or configured.s3_max_attempts
    return Config(
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
        retries={"mode": "standard", "max_attempts": max_attempts},
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
    )


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


class S3Store:
    remote = True

    def __init__(
        self,
        bucket: str,
        prefix: str = "",
        *,
        client: Any | None = None,
        endpoint_url: str | None = None,
        config: Config | None = None,
    ) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.url = f"s3://{bucket}/{self.prefix}"
        redact.install()
        if client is None:
            # Off AWS, botocore would otherwise probe the EC2 metadata endpoint for credentials.
            os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")
            client = boto3.client(
                "s3",
                endpoint_url=endpoint_url or os.environ.get("AWS_ENDPOINT_URL"),
                config=config or client_config(),
            )
        self.client = client

    def _key(self, key: str) -> str:
        return self.prefix + key

    def put_new(self, key: str, data: bytes, content_type: str = "application/json") -> bool:
        for _attempt in range(3):
            try:
                self.client.put_object(
                    Bucket=self.bucket,
                    Key=self._key(key),
                    Body=data,
                    ContentType=content_type,
                    IfNoneMatch="*",
                )
                return True
            except ClientError as exc:
                code = _code(exc)
                if code in _ALREADY_EXISTS:
                    return False
                if code in _CONFLICT:
                    continue
                raise StoreError(f"put {key}: {code or exc}") from exc
            except BotoCoreError as exc:
                raise StoreError(f"put {key}: {exc}") from exc
        raise StoreError(f"put {key}: conditional write kept conflicting")

    def put(self, key: str, data: bytes, content_type: str = "application/json") -> None:
        try:
            self.client.put_object(
                Bucket=self.bucket, Key=self._key(key), Body=data, ContentType=content_type
            )
        except (ClientError, BotoCoreError) as exc:
            raise StoreError(f"put {key}: {exc}") from exc

    def get(self, key: str) -> bytes:
        return self._get(key)

    def get_range(self, key: str, offset: int, length: int) -> bytes:
        """One record out of a pack: a ranged GET, not the whole object."""
        return self._get(key, Range=f"bytes={offset}-{offset + length - 1}")

    def _get(self, key: str, **extra: str) -> bytes:
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self._key(key), **extra)
            return response["Body"].read()
        except ClientError as exc:
            if _code(exc) in ("NoSuchKey", "404"):
                raise KeyError(key) from None
            raise StoreError(f"get {key}: {exc}") from exc
        except BotoCoreError as exc:
            raise StoreError(f"get {key}: {exc}") from exc

    def exists(self, key: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(key))
            return True
        except ClientError as exc:
            if _code(exc) in ("NoSuchKey", "404", "NotFound"):
                return False
            raise StoreError(f"head {key}: {exc}") from exc
        except BotoCoreError as exc:
            raise StoreError(f"head {key}: {exc}") from exc

    def put_file(self, key: str, path: Path, content_type: str = "application/octet-stream") -> bool:
        """Large files (raw WARCs) go up in parts; S3 shows the object only when complete.

        A run killed between parts leaves an incomplete upload, invisible to readers,
        that ``abort_orphan_uploads`` removes at the start of the next run.
        """
        size = path.stat().st_size
        threshold = current_settings().s3_multipart_threshold
        if size <= threshold:
            return self.put_new(key, path.read_bytes(), content_type)
        if self.exists(key):
            return False
        part_size = max(threshold, 5 * 2**20)
        upload = self.client.create_multipart_upload(
            Bucket=self.bucket, Key=self._key(key), ContentType=content_type
        )
        upload_id = upload["UploadId"]
        try:
            parts = []
            with path.open("rb") as handle:
                while chunk := handle.read(part_size):
                    number = len(parts) + 1
                    response = self.client.upload_part(
                        Bucket=self.bucket,
                        Key=self._key(key),
                        UploadId=upload_id,
                        PartNumber=number,
                        Body=chunk,
                    )
                    parts.append({"ETag": response["ETag"], "PartNumber": number})
                    failpoint("mid-multipart")
            self.client.complete_multipart_upload(
                Bucket=self.bucket,
                Key=self._key(key),
                UploadId=upload_id,
                MultipartUpload={"Parts": parts},
                IfNoneMatch="*",
            )
            return True
        except (ClientError, BotoCoreError) as exc:
            try:
                self.client.abort_multipart_upload(Bucket=self.bucket, Key=self._key(key), UploadId=upload_id)
            except (ClientError, BotoCoreError):
                log.warning("could not abort multipart upload of %s; the next run will", key)
            if isinstance(exc, ClientError) and _code(exc) in _ALREADY_EXISTS:
                return False
            raise StoreError(f"multipart put {key}: {exc}") from exc

    def sync(self) -> None:
        """Nothing to do: an object S3 acknowledged is durable."""

    def prepare(self, *, orphan_age: float) -> list[str]:
        self.check_conditional_writes()
        if aborted := self.abort_orphan_uploads(older_than=orphan_age):
            return [f"aborted {aborted} incomplete multipart uploads of interrupted runs"]
        return []

    def abort_orphan_uploads(self, older_than: float = 0) -> int:
        """Abort incomplete multipart uploads under this store's prefix.

        With the store's lease held, every such upload is an orphan (``older_than=0``); with
        runs on many machines (shared mode) only uploads older than any upload takes are.
        """
        aborted = 0
        cutoff = datetime.now(UTC) - timedelta(seconds=older_than)
        paginator = self.client.get_paginator("list_multipart_uploads")
        try:
            for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix):
                for upload in page.get("Uploads", []):
                    if older_than and upload["Initiated"] > cutoff:
                        continue
                    self.client.abort_multipart_upload(
                        Bucket=self.bucket, Key=upload["Key"], UploadId=upload["UploadId"]
                    )
                    aborted += 1
        except (ClientError, BotoCoreError) as exc:
            raise StoreError(f"list multipart uploads: {exc}") from exc
        return aborted

    def list(self, prefix: str, start_after: str | None = None) -> Iterator[str]:
        paginator = self.client.get_paginator("list_objects_v2")
        extra = {"StartAfter": self._key(start_after)} if start_after else {}
        try:
            for page in paginator.paginate(Bucket=self.bucket, Prefix=self._key(prefix), **extra):
                for item in page.get("Contents", []):
                    yield item["Key"][len(self.prefix) :]
        except (ClientError, BotoCoreError) as exc:
            raise StoreError(f"list {prefix}: {exc}") from exc

    def delete(self, key: str) -> None:
        try:
            self.client.delete_object(Bucket=self.bucket, Key=self._key(key))
        except (ClientError, BotoCoreError) as exc:
            raise StoreError(f"delete {key}: {exc}") from exc

    def check_conditional_writes(self) -> None:
        """Refuse a backend that ignores If-None-Match: it would overwrite write-once keys."""
        key = f"{PROBE_PREFIX}conditional-write-{uuid.uuid4().hex}"
        try:
            first = self.put_new(key, b"1", "text/plain")
            second = self.put_new(key, b"2", "text/plain")
        finally:
            try:
                self.delete(key)
            except StoreError:
                log.warning("could not delete probe object %s", key)
        if not first or second:
            raise ConditionalWritesUnsupported(
                f"{self.url} ignores If-None-Match: * (conditional writes); cleanwire refuses to "
                "write to it because re-runs would overwrite stored records. Use a backend that "
                "supports conditional writes (AWS S3, recent MinIO, R2)."
            )
