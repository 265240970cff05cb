"""Seen URLs in Redis: what any worker fetched, so no worker fetches it again unchanged.

Read per URL (the crawler asks about each link it finds) rather than loaded whole;
written in one pipelined batch after the run's records are stored, as in the
single-machine store. Kept for ``url_retention_days`` (partitions of half that, expiring whole):
a page fetched again after that is extracted again and recognised by its content hash.
"""

from __future__ import annotations

import json
from dataclasses import asdict

import redis

from pipeline.bucket.seen import SeenUrl, SeenUrls
from pipeline.shared.index import url_partitions, url_ttl
from pipeline.shared.namespace import Namespace
from pipeline.storage import ObjectStore


class SharedSeenUrls(SeenUrls):
    def __init__(self, client: redis.Redis, ns: Namespace) -> None:
        super().__init__()
        self.client, self.ns = client, ns

    def _keys(self) -> list[str]:
        """The retention partitions, the current one first."""
        return [self.ns.key(f"seen:{part}") for part in url_partitions()]

    def __len__(self) -> int:
        return sum(int(self.client.hlen(key)) for key in self._keys())

    def get(self, canonical_url: str) -> SeenUrl | None:
        if canonical_url in self.entries:
            return self.entries[canonical_url]
        pipe = self.client.pipeline(transaction=False)
        for key in self._keys():
            pipe.hget(key, canonical_url)
        raw = next((r for r in pipe.execute() if r is not None), None)
        return None if raw is None else SeenUrl(**json.loads(raw))

    def save(self, store: ObjectStore) -> None:
        if not self.entries:
            return
        compact = (",", ":")
        mapping = {url: json.dumps(asdict(entry), separators=compact) for url, entry in self.entries.items()}
        key = self._keys()[0]
        pipe = self.client.pipeline(transaction=False)
        pipe.hset(key, mapping=mapping)
        pipe.expire(key, url_ttl(), nx=True)
        pipe.execute()
        self.entries.clear()

    def dumps(self) -> bytes:
        """All entries, for a crawl in another process that cannot reach this object."""
        everything = SeenUrls()
        for key in reversed(self._keys()):  # the newest partition wins
            everything.entries.update(
                {k.decode(): SeenUrl(**json.loads(v)) for k, v in self.client.hgetall(key).items()}
            )
        everything.entries.update(self.entries)
        return everything.dumps()
