"""Redis key names for one bucket.

Every key carries the same hash tag (``{cw:<bucket>}``), so a Redis Cluster keeps
one bucket's state in one slot and the multi-key scripts stay legal; several
buckets can share one Redis.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass


@dataclass(frozen=True)
class Namespace:
    prefix: str

    @classmethod
    def for_store(cls, store_url: str) -> Namespace:
        digest = hashlib.sha256(store_url.rstrip("/").encode("utf-8")).hexdigest()[:12]
        return cls(f"{{cw:{digest}}}:")

    def key(self, name: str) -> str:
        return self.prefix + name

    @property
    def by_hash(self) -> str:  # content hash (16 bytes) -> record number, then id if not derivable
        return self.key("hash")

    @property
    def records(self) -> str:  # record id -> {"state": "pending", "run": ..., "num": ...} until committed
        return self.key("rec")

    def sketches(self, part: str) -> str:
        """A partition's pending sketches (number -> id and sketch) and unions not yet in the bucket
        (``u<number>``). The layout of the other keys (``band:``, ``slot:``, ``url:``, ``seen:``):
        ``pipeline.shared.compact`` and ``pipeline.shared.index``."""
        return self.key(f"fp:{part}")

    @property
    def runs(self) -> str:  # ids of runs that started and have not finished cleanly
        return self.key("runs")

    def lease(self, run_id: str) -> str:  # expires unless the run's heartbeat renews it
        return self.key(f"run:{run_id}")

    def claims(self, run_id: str) -> str:  # record ids a run claimed and has not stored yet
        return self.key(f"claims:{run_id}")

    @property
    def recovery_lock(self) -> str:
        return self.key("lock:recovery")

    @property
    def manifest_lock(self) -> str:
        return self.key("lock:manifest")

    @property
    def last_manifest(self) -> str:
        return self.key("last-manifest")
