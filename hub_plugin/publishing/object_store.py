"""The bucket a model's files go to, through the S3 API (AWS, Huawei OBS, MinIO, ...: boto3).

Credentials come from boto3's own chain (``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY``,
``AWS_PROFILE`` and ``~/.aws/credentials``, an instance role...), never from hub-plugin's command
line. Every object hub-plugin writes carries its sha256 in its metadata (``x-amz-meta-sha256``),
so that a second publish of the same bytes uploads nothing and one of other bytes is noticed.
Every failure of the store becomes one :class:`S3Error` line saying what to do.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import (  # moved to errors.py (issue 26); importable here too
    S3Error as S3Error,
)
from ..errors import UsageError

#: The metadata key (``x-amz-meta-sha256``) holding an object's sha256.
SHA256_METADATA = "sha256"
#: Files from this size on go up in parts (boto3's own default threshold).
MULTIPART_THRESHOLD = 8 * 1024 * 1024
#: Parts uploaded at once (boto3's ``upload_file`` uses 10 threads).
UPLOAD_WORKERS = 10

_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")


def _check_bucket(bucket: str, text: str) -> None:
    """Raise :class:`UsageError` naming what is wrong with ``bucket`` under S3's bucket naming
    rules (AWS, "General purpose bucket naming rules"): 3 to 63 characters; lower-case letters,
    digits, ``.`` and ``-``; a letter or digit first and last."""
    if len(bucket) < 3 or len(bucket) > 63:
        size = "too short" if len(bucket) < 3 else "too long"
        raise UsageError(f"the bucket name {bucket!r} in {text!r} is {size}: S3 bucket names are 3 "
                         f"to 63 characters (it has {len(bucket)})")
    if not _BUCKET.fullmatch(bucket):
        raise UsageError(f"{bucket!r} in {text!r} is no S3 bucket name: lower-case letters, digits, "
                         "'.' and '-', a letter or digit first and last")


@dataclass(frozen=True)
class S3Location:
    """``s3://BUCKET/PREFIX``: where the files go; ``key_for(name)`` is ``PREFIX/name``."""

    bucket: str
    prefix: str = ""

    @classmethod
    def parse(cls, text: str) -> S3Location:
        match = re.fullmatch(r"s3://([^/]+)/?(.*)", text.strip())
        if match is None:
            raise UsageError(f"not an S3 location: {text!r}", hint="write s3://BUCKET/PREFIX")
        _check_bucket(match[1], text)
        prefix = match[2].strip("/")
        if any(part in ("", ".", "..") for part in prefix.split("/")) and prefix:
            raise UsageError(f"the prefix of {text!r} has an empty, '.' or '..' part")
        return cls(match[1], prefix)

    def key_for(self, name: str) -> str:
        return f"{self.prefix}/{name}" if self.prefix else name

    def __str__(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"


@dataclass(frozen=True)
class StoredObject:
    """An object already in the bucket: its size and the sha256 its metadata names (or ``None``)."""

    key: str
    size: int
    sha256: str | None


def _client(endpoint_url: str | None) -> Any:
    try:
        import boto3
        from botocore.config import Config
    except ImportError as error:
        raise S3Error("uploading needs boto3, which is not installed",
                      hint="pip install 'hub-plugin[publish]'") from error

    config = Config(
        retries={"max_attempts": 5, "mode": "standard"},
        max_pool_connections=UPLOAD_WORKERS + 2,
        s3={"addressing_style": "path"} if endpoint_url else {},
    )
    return boto3.session.Session().client("s3", endpoint_url=endpoint_url, config=config)


class ObjectStore:
    """One bucket through one boto3 client; errors translated (see :func:`s3_errors`)."""

    def __init__(self, location: S3Location, *, endpoint_url: str | None = None,
                 client: Any = None) -> None:
        self.location = location
        self.endpoint_url = endpoint_url
        self.client = client if client is not None else _client(endpoint_url)

    @property
    def bucket(self) -> str:
        return self.location.bucket

    def call(self, what: str, operation: Callable[..., Any], **arguments: Any) -> Any:
        """``operation(Bucket=..., **arguments)``, any failure one :class:`S3Error`."""
        try:
            return operation(Bucket=self.bucket, **arguments)
        except Exception as error:
            raise s3_error(error, what, self) from error

    def check_bucket(self) -> None:
        """Raise :class:`S3Error` unless the bucket is there and the credentials are good."""
        what = f"reaching the bucket {self.bucket}"
        try:
            self.call(what, self.client.head_bucket)
        except S3Error as error:
            if error.code != "403":
                raise
            # HEAD answers carry no body, so no reason: ask again where the store can say why
            # (InvalidAccessKeyId, SignatureDoesNotMatch, AccessDenied).
            self.call(what, self.client.list_objects_v2, MaxKeys=1)
            raise

    def stored(self, key: str) -> StoredObject | None:
        """The object at ``key``, or ``None`` where there is none."""
        try:
            head = self.client.head_object(Bucket=self.bucket, Key=key)
        except Exception as error:
            if _status(error) == 404:
                return None
            raise s3_error(error, f"reading s3://{self.bucket}/{key}", self) from error
        digest = (head.get("Metadata") or {}).get(SHA256_METADATA)
        return StoredObject(key, int(head["ContentLength"]), digest.lower() if digest else None)

    def put_small(self, path: Path, key: str, sha256: str) -> None:
        """Upload ``path`` in one request (below :data:`MULTIPART_THRESHOLD`)."""
        with open(path, "rb") as body:
            self.call(f"uploading {path.name}", self.client.put_object, Key=key, Body=body,
                      Metadata={SHA256_METADATA: sha256})

    def set_digest(self, key: str, sha256: str) -> None:
        """Rewrite the sha256 in ``key``'s metadata (a copy onto itself)."""
        self.call(f"updating the metadata of {key}", self.client.copy_object, Key=key,
                  CopySource={"Bucket": self.bucket, "Key": key}, MetadataDirective="REPLACE",
                  Metadata={SHA256_METADATA: sha256})


def _status(error: BaseException) -> int | None:
    response = getattr(error, "response", None)
    if isinstance(response, dict):
        status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        return int(status) if status else None
    return None


def s3_error(error: BaseException, what: str, store: ObjectStore) -> S3Error:
    """One line for a botocore failure while doing ``what``."""
    kind = type(error).__name__
    where = store.endpoint_url or "AWS S3"
    if kind in ("NoCredentialsError", "PartialCredentialsError"):
        return S3Error(f"{what}: no S3 credentials found", hint="set AWS_ACCESS_KEY_ID and "
                       "AWS_SECRET_ACCESS_KEY, or AWS_PROFILE (boto3's usual chain)")
    if kind in ("EndpointConnectionError", "ConnectTimeoutError", "ReadTimeoutError",
                "ConnectionClosedError"):
        return S3Error(f"{what}: cannot reach {where}", hint="check --endpoint-url and the network")
    response = getattr(error, "response", None)
    if not isinstance(response, dict):
        return S3Error(f"{what}: {kind}: {error}")
    code = str(response.get("Error", {}).get("Code") or _status(error) or "")
    if code in ("InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidClientTokenId",
                "ExpiredToken", "InvalidToken"):
        return S3Error(f"{what}: {where} refused the credentials ({code})", code=code,
                       hint="check AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or AWS_PROFILE")
    if code in ("AccessDenied", "403"):
        return S3Error(f"{what}: access denied by {where}", code=code,
                       hint="the credentials are not allowed to write to this bucket")
    if code in ("NoSuchBucket", "404") and "bucket" in what:
        return S3Error(f"{what}: there is no bucket {store.bucket!r} at {where}", code=code,
                       hint="create it, or check the name and --endpoint-url")
    message = response.get("Error", {}).get("Message") or str(error)
    return S3Error(f"{what}: {code}: {message}", code=code)


__all__ = [
    "MULTIPART_THRESHOLD",
    "SHA256_METADATA",
    "UPLOAD_WORKERS",
    "ObjectStore",
    "S3Error",
    "S3Location",
    "StoredObject",
    "s3_error",
]
