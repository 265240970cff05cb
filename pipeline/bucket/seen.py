"""Seen URLs: what the crawler may skip next time.

Kept per canonical URL with the outcome and the change markers the site gave
(sitemap lastmod, ETag, Last-Modified), so an unchanged article is not fetched
again and a changed one is fetched with a conditional GET. Updated only after
the run's records are written.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import asdict, dataclass

from pipeline.outcomes import Outcome
from pipeline.record import Page
from pipeline.storage import ObjectStore
from pipeline.storage.layout import SEEN_URLS_KEY
from pipeline.urls import canonicalize

# Outcomes that mean "this URL is an article we have": skip unless it changed.
SETTLED = {Outcome.EXTRACTED, Outcome.DUPLICATE, Outcome.TOO_SHORT}


@dataclass
class SeenUrl:
    fetched: str
    outcome: str
    lastmod: str | None = None
    etag: str | None = None
    last_modified: str | None = None


def seen_entry(page: Page, outcome: Outcome) -> tuple[str, SeenUrl]:
    """What is kept about a fetched page: its canonical URL, its outcome and change markers."""
    return (
        canonicalize(page.url),
        SeenUrl(
            fetched=page.fetched.isoformat(),
            outcome=outcome.value,
            lastmod=page.lastmod,
            etag=page.header("etag") or None,
            last_modified=page.header("last-modified") or None,
        ),
    )


class SeenUrls:
    def __init__(self, entries: dict[str, SeenUrl] | None = None) -> None:
        self.entries = entries or {}

    def __len__(self) -> int:
        return len(self.entries)

    def get(self, canonical_url: str) -> SeenUrl | None:
        return self.entries.get(canonical_url)

    def should_fetch(self, canonical_url: str, lastmod: str | None = None) -> bool:
        """Fetch what is new, what did not settle, and what the site says changed."""
        seen = self.get(canonical_url)
        if seen is None or seen.outcome not in SETTLED:
            return True
        if lastmod and seen.lastmod and lastmod > seen.lastmod:
            return True
        return bool(lastmod and not seen.lastmod and lastmod > seen.fetched)

    def record(self, canonical_url: str, entry: SeenUrl) -> None:
        self.entries[canonical_url] = entry

    def dumps(self) -> bytes:
        payload = {url: asdict(entry) for url, entry in sorted(self.entries.items())}
        return gzip.compress(json.dumps(payload, separators=(",", ":")).encode("utf-8"))

    @classmethod
    def loads(cls, data: bytes) -> SeenUrls:
        """The inverse of ``dumps``: how crawl subprocesses get the run's seen URLs (from a file)."""
        payload = json.loads(gzip.decompress(data))
        return cls({url: SeenUrl(**entry) for url, entry in payload.items()})

    @classmethod
    def load(cls, store: ObjectStore) -> SeenUrls:
        try:
            data = store.get(SEEN_URLS_KEY)
        except KeyError:
            return cls()
        return cls.loads(data)

    def save(self, store: ObjectStore) -> None:
        store.put(SEEN_URLS_KEY, self.dumps(), "application/gzip")
