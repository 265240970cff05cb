"""The object-store interface every backend implements.

Records and manifests are written once (``put_new``: the write fails if the key
exists), so a retried write can never overwrite; state files (dedup index, seen
URLs) are the only objects that are replaced.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Protocol


class StoreError(RuntimeError):
    """A storage operation failed after the backend's own retries."""


class ConditionalWritesUnsupported(StoreError):
    """The backend ignores If-None-Match: write-once keys would silently overwrite."""


class ObjectStore(Protocol):
    """What every backend offers, capabilities included (``remote``, ``sync``, ``prepare``), so
    callers ask the store instead of probing its type."""

    url: str
    # Writes take a round trip (many are kept in flight) rather than microseconds (one at a time).
    remote: bool

    def sync(self) -> None:
        """Make every object written so far durable, before anything names them."""
        ...

    def prepare(self, *, orphan_age: float) -> list[str]:
        """Make the store ready for a run's writes: refuse a backend that would break write-once
        keys (``ConditionalWritesUnsupported``), clear what interrupted runs left half-written
        (only as old as ``orphan_age`` seconds: other runs may be writing). Returns what the
        user should be told."""
        ...

    def put_new(self, key: str, data: bytes, content_type: str = "application/json") -> bool:
        """Write ``key`` only if absent; True if written, False if it already existed."""
        ...

    def put_file(self, key: str, path: Path, content_type: str = "application/octet-stream") -> bool:
        """``put_new`` for a file that may be large (S3: multipart, visible only when complete)."""
        ...

    def put(self, key: str, data: bytes, content_type: str = "application/json") -> None:
        """Write or replace ``key`` atomically (readers see the old or the new object)."""
        ...

    def get(self, key: str) -> bytes:
        """Raise ``KeyError`` when absent."""
        ...

    def get_range(self, key: str, offset: int, length: int) -> bytes:
        """``length`` bytes of ``key`` from ``offset`` (one record of a pack)."""
        ...

    def exists(self, key: str) -> bool: ...

    def list(self, prefix: str, start_after: str | None = None) -> Iterator[str]:
        """Keys under ``prefix`` in lexicographic order (only those after ``start_after``)."""
        ...

    def delete(self, key: str) -> None: ...
