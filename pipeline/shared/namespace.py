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

    def sketches(self, part: str) -> str:  # record id -> shingle count + bottom-k sketch, one partition's
        return self.key(f"fp:{part}")

    def bands(self, part: str, band_key: int) -> str:
        """One of a partition's 256 bucket hashes: band key (16 hex digits) -> ids, comma-separated.

        Hashes rather than a set per bucket (most buckets hold one id: a set per bucket cost
        5.8 KB per record, measured); a partition of days per key so that the near-duplicate window ends
        by expiry, with no sweeping.
        """
        return self.key(f"band:{part}:{band_key & 0xFF:02x}")

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
