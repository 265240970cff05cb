"""Where records are written: object stores and the bucket layout."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from pipeline.storage.base import ConditionalWritesUnsupported, ObjectStore, StoreError
from pipeline.storage.local import LocalStore
from pipeline.storage.s3 import S3Store

DEFAULT_STORE_URL = "file://var/bucket"


def open_store(url: str | None = None) -> ObjectStore:
    """``file://PATH`` (relative paths allowed), a bare path, or ``s3://BUCKET/PREFIX``."""
    url = url or DEFAULT_STORE_URL
    parts = urlsplit(url)
    if parts.scheme == "s3":
        if not parts.netloc:
            raise ValueError(f"store URL needs a bucket: {url!r}")
        return S3Store(parts.netloc, parts.path)
    if parts.scheme == "file":
        return LocalStore(Path(parts.netloc + parts.path))
    if parts.scheme == "":
        return LocalStore(Path(url))
    raise ValueError(f"unsupported store URL {url!r}: use file://PATH or s3://BUCKET/PREFIX")


__all__ = [
    "DEFAULT_STORE_URL",
    "ConditionalWritesUnsupported",
    "LocalStore",
    "ObjectStore",
    "S3Store",
    "StoreError",
    "open_store",
]
