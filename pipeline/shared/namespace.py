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
    def by_hash(self) -> str:  # content hash -> record id
        return self.key("hash")

    @property
    def by_url(self) -> str:  # canonical URL -> record id
        return self.key("url")

    @property
    def records(self) -> str:  # record id -> {"state": "pending"|"committed", "run": ...}
        return self.key("rec")

    @property
    def sketches(self) -> str:  # record id -> shingle count + bottom-k sketch (bytes)
        return self.key("fp")

    def band(self, band_key: int) -> str:  # LSH bucket: the record ids whose band hashes to it
        return self.key(f"band:{band_key:016x}")

    @property
    def seen(self) -> str:  # canonical URL -> SeenUrl JSON
        return self.key("seen")

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
