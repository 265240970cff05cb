"""Seen URLs in Redis: what any worker fetched, so no worker fetches it again unchanged.

Read per URL (the crawler asks about each link it finds) rather than loaded whole;
written in one pipelined batch after the run's records are stored, as in the
single-machine store.
"""

from __future__ import annotations

import json
from dataclasses import asdict

import redis

from pipeline.bucket.seen import SeenUrl, SeenUrls
from pipeline.shared.namespace import Namespace
from pipeline.storage import ObjectStore


class SharedSeenUrls(SeenUrls):
    def __init__(self, client: redis.Redis, ns: Namespace) -> None:
        super().__init__()
        self.client, self.ns = client, ns

    def __len__(self) -> int:
        return int(self.client.hlen(self.ns.seen))

    def get(self, canonical_url: str) -> SeenUrl | None:
        if canonical_url in self.entries:
            return self.entries[canonical_url]
        raw = self.client.hget(self.ns.seen, canonical_url)
        return None if raw is None else SeenUrl(**json.loads(raw))

    def save(self, store: ObjectStore) -> None:
        if not self.entries:
            return
        mapping = {url: json.dumps(asdict(entry)) for url, entry in self.entries.items()}
        self.client.hset(self.ns.seen, mapping=mapping)
        self.entries.clear()

    def dumps(self) -> bytes:
        """All entries, for a crawl in another process that cannot reach this object."""
        everything = SeenUrls(
            {k.decode(): SeenUrl(**json.loads(v)) for k, v in self.client.hgetall(self.ns.seen).items()}
        )
        everything.entries.update(self.entries)
        return everything.dumps()
